"""The store's SQLite file: opened safely, and what is wrong with it said in one line.

A new file is created private (0600 in a 0700 directory), since it holds what pods ran with. A file or
directory that cannot be written is opened read-only (reads work, writes raise `StoreError`); a
damaged or foreign file is refused before anything reads or writes it; an older schema is migrated;
sessions left open by a process that is gone are marked interrupted. Every SQLite error leaves the
store as one line naming the path (`StoreError`): a full disk, a read-only file or directory, a
corrupt or foreign file, a lock.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
import urllib.parse
from pathlib import Path

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.store.schema import INDEXES, MIGRATIONS, SCHEMA, SCHEMA_VERSION, run_script
from kubectl_podlife.store.writer import dead_note, parse_writer, writer_state

# Opening runs SQLite's quick_check over the whole file up to these sizes (it takes about 0.2 s for
# 50 MB): a writer must not add to a damaged file, a reader should not pay much for the check. Beyond
# them only the small tables are checked on open, and damage elsewhere is reported when a query meets it.
FULL_CHECK_READ_BYTES = 8 << 20
FULL_CHECK_WRITE_BYTES = 256 << 20


class StoreError(PodlifeError):
    """A store that cannot be used as asked: full, read-only, corrupt, foreign or locked (one line)."""


_SQLITE_MAGIC = b"SQLite format 3\x00"
_FULL, _READONLY, _CORRUPT, _NOTADB, _BUSY, _LOCKED, _CANTOPEN = 13, 8, 11, 26, 5, 6, 14


def default_path() -> Path:
    if os.environ.get("PODLIFE_DB"):
        return Path(os.environ["PODLIFE_DB"]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "kubectl-podlife" / "podlife.db"


def guarded(fn):
    """SQLite errors leave the store as one line naming the path (disk full, read-only, corrupt...)."""
    @functools.wraps(fn)
    def wrapper(self: "StoreFile", *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise self.error(exc) from None
    return wrapper


class StoreFile:
    """The SQLite file at `path` (default: `default_path()`), open as `db`.

    `create=False` (read commands) opens nothing new: a missing file reads as a store with no sessions.
    A file or directory that cannot be written is opened read-only: reads work, writes raise
    StoreError("read-only: PATH ...").
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True, notify=None):
        self.path = Path(path) if path is not None else default_path()
        self.readonly = False
        self.readonly_why = ""
        self.missing = False
        self._notify = notify or (lambda msg: print(f"note: {msg}", file=sys.stderr))
        self.session_columns: set[str] = set()  # the sessions table's columns (an old store lacks some)
        try:
            self._open(create)
        except sqlite3.Error as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()
            raise self.error(exc) from None
        except OSError as exc:
            if exc.errno == 28:  # ENOSPC
                raise StoreError(f"disk full while writing {self.path} ({exc.strerror}); free some space or set "
                                 "PODLIFE_DB to a file on another disk") from None
            raise StoreError(f"{self.path}: cannot open the store ({exc.strerror}); set PODLIFE_DB to a writable "
                             "path") from None

    def _open(self, create: bool) -> None:
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory; set PODLIFE_DB to a file in it, e.g. {self.path / 'podlife.db'}")
        if not self.path.exists():
            if not create:  # a read needs nothing on disk: an empty store in memory
                self.missing = True
                self.readonly, self.readonly_why = True, "there is no store there yet"
                self.db = sqlite3.connect(":memory:", check_same_thread=False)
                run_script(self.db, SCHEMA + INDEXES)
                self.session_columns = self._read_session_columns()
                return
            self._create_file()
        why = self._why_readonly()
        if why:
            self.readonly, self.readonly_why = True, why
            self.db = self._connect_readonly()
        else:
            self.db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        self._check(FULL_CHECK_WRITE_BYTES if create else FULL_CHECK_READ_BYTES)
        self._foreign()  # before anything writes: another program's database stays as it was
        if not self.readonly:
            if self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
                self.readonly, self.readonly_why = True, "the file cannot be written"
            self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()
        self.session_columns = self._read_session_columns()
        if not self.readonly:
            self._reap()

    def _create_file(self) -> None:
        """A new store: its directory 0700 and the file 0600 (SQLite gives its -wal and -shm the file's
        mode), since it holds what pods ran with."""
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._notify(f"created {parent} (mode 0700) for the podlife store")
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass

    def _why_readonly(self) -> str:
        if not os.access(self.path, os.W_OK):
            return "the file is not writable"
        side = [Path(f"{self.path}{s}") for s in ("-wal", "-shm")]
        if not os.access(self.path.parent, os.W_OK | os.X_OK) and not all(
                p.exists() and os.access(p, os.W_OK) for p in side):
            return "its directory is not writable"
        return ""

    def _connect_readonly(self) -> sqlite3.Connection:
        uri = "file:" + urllib.parse.quote(str(self.path.resolve()))
        db = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=10, check_same_thread=False)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF != _READONLY:
                raise
        # A WAL store in a read-only directory: SQLite cannot make its -shm. Nothing can write here
        # either, so reading it as an immutable file is safe.
        db.close()
        return sqlite3.connect(uri + "?immutable=1", uri=True, check_same_thread=False)

    def _check(self, full_up_to: int) -> None:
        """A damaged file is reported before anything reads or writes it."""
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        if size <= full_up_to:
            checks = [self.db.execute("PRAGMA quick_check(3)").fetchall()]
        else:
            tables = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name IN "
                                                     "('meta', 'sessions', 'pods', 'warnings')")]
            checks = [self.db.execute(f"PRAGMA quick_check({t})").fetchall() for t in tables]
        for rows in checks:
            if rows != [("ok",)]:
                first = " ".join(str(r[0]) for r in rows).replace("*** in database main ***", "").split("\n")
                detail = "; ".join(x.strip() for x in first if x.strip())[:200]
                raise StoreError(self._corrupt(detail))

    def _corrupt(self, detail: str) -> str:
        return (f"{self.path} is corrupt: {detail}; nothing was read from or written to it: move it aside (`sqlite3 "
                f"{self.path} .recover` may save its sessions) or set PODLIFE_DB to another file")

    def error(self, exc: BaseException) -> StoreError:
        """The one line for an SQLite error on this store."""
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        msg = str(exc)
        if code == _FULL or "disk is full" in msg:
            return StoreError(f"disk full while writing {self.path} ({msg}); free some space or set PODLIFE_DB to a "
                              "file on another disk")
        if code == _READONLY:
            return StoreError(self._readonly_message(msg))
        if code in (_CORRUPT, _NOTADB) or "malformed" in msg:
            try:
                with open(self.path, "rb") as f:
                    head = f.read(16)
            except OSError:
                head = _SQLITE_MAGIC
            if head and head != _SQLITE_MAGIC:
                return StoreError(f"{self.path}: not a podlife database (not an SQLite file); set PODLIFE_DB to "
                                  "another file")
            return StoreError(self._corrupt(msg))
        if code in (_BUSY, _LOCKED):
            return StoreError(f"{self.path} is locked by another process ({msg}); try again when it has finished")
        if code == _CANTOPEN:
            return StoreError(f"{self.path}: cannot open the store ({msg}); check the file and its directory, or set "
                              "PODLIFE_DB to a writable path")
        return StoreError(f"{self.path}: store error: {msg}")

    def _readonly_message(self, detail: str = "") -> str:
        why = self.readonly_why or detail or "it cannot be written"
        return (f"read-only: {self.path} ({why}); reading works, but writing needs a writable store: fix its "
                "permissions or set PODLIFE_DB to a writable file")

    def check_writable(self) -> None:
        if self.readonly:
            raise StoreError(self._readonly_message())

    def _foreign(self) -> None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables and tables - {"sqlite_sequence"}:
            names = ", ".join(sorted(tables)[:5])
            raise StoreError(f"{self.path}: not a podlife database (an SQLite file with other tables: {names}); set "
                             "PODLIFE_DB to another file")

    def _migrate(self) -> None:
        have = self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone() is not None
        version = 0
        if have:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer kubectl-podlife (store schema {version}, this one reads "
                    f"{SCHEMA_VERSION}); upgrade kubectl-podlife or set PODLIFE_DB to another file")
            if version == SCHEMA_VERSION:
                return
        if self.readonly:
            if have and version >= 2:
                return  # read as it is: the queries allow for the columns schema 3 added
            raise StoreError(self._readonly_message() if have else
                             f"{self.path}: empty and read-only, so it holds no sessions; set PODLIFE_DB to another file")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if have:  # another process may have migrated it while this one waited for the lock
                row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                version = int(row[0]) if row else 0
            old = version
            while have and version in MIGRATIONS:
                MIGRATIONS[version](self.db)
                version += 1
            run_script(self.db, SCHEMA + INDEXES)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise
        if have and old < 3:
            self._make_private()

    def _make_private(self) -> None:
        """Stores made before schema 3 were created with the umask's mode (often 0644) and hold pod specs
        with whatever env values and args they had: once, on upgrade, they become 0600 like new ones."""
        try:
            mode = self.path.stat().st_mode & 0o777
            if not mode & 0o077 or self.path.stat().st_uid != os.getuid():
                return
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                if p.exists():
                    p.chmod(0o600)
        except OSError:
            return
        self._notify(f"made {self.path} readable by its owner only (0600, it was {mode:04o}): it holds pod specs")

    def _read_session_columns(self) -> set[str]:
        return {r[1] for r in self.db.execute("PRAGMA table_info(sessions)")}

    def _reap(self) -> None:
        """Sessions left open by a process that is gone (killed, the machine restarted) are interrupted."""
        for sid, writer in self.db.execute("SELECT id, writer FROM sessions WHERE status='open'").fetchall():
            w = parse_writer(writer)
            if writer_state(w) == "dead":
                with self.db:
                    self.db.execute("UPDATE sessions SET status='interrupted', note=? WHERE id=? AND status='open'",
                                    (dead_note(w), sid))

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
