"""The event store: sessions of observations in one SQLite file (WAL mode, batched commits).

A session is one import or one live recording. Appends are committed in batches, so a process
killed mid-import leaves a valid database that holds everything up to the last batch; the session
records which process writes it, so one left `open` by a process that died reads as `interrupted`.

The store never fails with a traceback: a full disk, a read-only file or directory, a corrupt or
foreign file are each one line naming the path (`StoreError`). A read-only store still serves reads.

Everything above the store talks to it through the narrow interface of `SessionStore` (sessions,
appending a batch, the pods of a session with their summary, one pod's observations, a cached pod
timeline), so a recorder writing to a shared server database is a second implementation of it.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import socket
import sqlite3
import sys
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.observation import SPEC, Observation, PodKey
from kubectl_podlife.redact import redact_observation

SCHEMA_VERSION = 3
# Opening runs SQLite's quick_check over the whole file up to these sizes (it takes about 0.2 s for
# 50 MB): a writer must not add to a damaged file, a reader should not pay much for the check. Beyond
# them only the small tables are checked on open, and damage elsewhere is reported when a query meets it.
FULL_CHECK_READ_BYTES = 8 << 20
FULL_CHECK_WRITE_BYTES = 256 << 20
BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    kind TEXT NOT NULL,              -- import | live | simulate
    sources TEXT NOT NULL,           -- JSON list: files read, or the cluster/context watched
    status TEXT NOT NULL,            -- open | closed | interrupted
    note TEXT NOT NULL DEFAULT '',
    writer TEXT,                     -- JSON: pid, host, boot, pidns, start of the process that writes it
    keep_env INTEGER NOT NULL DEFAULT 0  -- env values and container args kept as given (--keep-env)
);
CREATE TABLE IF NOT EXISTS pods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    namespace TEXT, name TEXT NOT NULL, uid TEXT, incarnation INTEGER NOT NULL DEFAULT 1,
    -- the summary, kept up to date by append: what a pod list shows without building anything
    observations INTEGER NOT NULL DEFAULT 0,
    last_obs INTEGER NOT NULL DEFAULT 0,  -- the newest observation id of the pod
    first_t REAL, last_t REAL,
    ready TEXT, status TEXT, restarts INTEGER,
    UNIQUE (session_id, namespace, name, uid, incarnation)
);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    pod_id INTEGER NOT NULL REFERENCES pods(id),
    dedup TEXT,                      -- live capture: uid/resourceVersion, so a relist adds nothing twice
    kind TEXT NOT NULL, container TEXT,
    t REAL, t_lo REAL, t_hi REAL, time TEXT, clock TEXT NOT NULL, snapshot TEXT,
    origin TEXT NOT NULL, raw TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL,
    recovered INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS warnings (
    session_id INTEGER NOT NULL REFERENCES sessions(id), origin TEXT NOT NULL, message TEXT NOT NULL
);
-- a built pod timeline, valid while the pod has the same observations and the model the same version
CREATE TABLE IF NOT EXISTS timelines (
    pod_id INTEGER PRIMARY KEY REFERENCES pods(id),
    key TEXT NOT NULL,
    timeline BLOB NOT NULL
);
"""
# Created after the tables, and again after a bulk load that dropped them (see `bulk`).
_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS obs_dedup ON observations (session_id, dedup) WHERE dedup IS NOT NULL;
CREATE INDEX IF NOT EXISTS obs_session ON observations (session_id, id);
CREATE INDEX IF NOT EXISTS obs_pod ON observations (pod_id, id);
"""


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Statements one by one inside the caller's transaction (executescript would commit first)."""
    for stmt in sql.split(";"):
        if stmt.strip():
            db.execute(stmt)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """v1 kept a UNIQUE (session_id, dedup) constraint on observations and no pod summary."""
    _script(db, """
        ALTER TABLE pods ADD COLUMN observations INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pods ADD COLUMN last_obs INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pods ADD COLUMN first_t REAL;
        ALTER TABLE pods ADD COLUMN last_t REAL;
        ALTER TABLE pods ADD COLUMN ready TEXT;
        ALTER TABLE pods ADD COLUMN status TEXT;
        ALTER TABLE pods ADD COLUMN restarts INTEGER;
        CREATE TABLE observations_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            pod_id INTEGER NOT NULL REFERENCES pods(id),
            dedup TEXT, kind TEXT NOT NULL, container TEXT,
            t REAL, t_lo REAL, t_hi REAL, time TEXT, clock TEXT NOT NULL, snapshot TEXT,
            origin TEXT NOT NULL, raw TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL,
            recovered INTEGER NOT NULL DEFAULT 0);
        INSERT INTO observations_v2 SELECT id, session_id, pod_id, dedup, kind, container, t, t_lo, t_hi, time,
            clock, snapshot, origin, raw, data, seq, recovered FROM observations;
        DROP TABLE observations;
        ALTER TABLE observations_v2 RENAME TO observations;
    """)
    _script(db, _INDEXES)
    db.execute("""
        UPDATE pods SET observations = (SELECT COUNT(*) FROM observations o WHERE o.pod_id = pods.id),
                        last_obs = COALESCE((SELECT MAX(id) FROM observations o WHERE o.pod_id = pods.id), 0),
                        first_t = (SELECT MIN(t) FROM observations o WHERE o.pod_id = pods.id),
                        last_t = (SELECT MAX(t) FROM observations o WHERE o.pod_id = pods.id)""")
    for pod_id, data in db.execute(
            "SELECT o.pod_id, o.data FROM observations o JOIN (SELECT pod_id, MAX(id) AS id FROM observations"
            " WHERE kind='row' GROUP BY pod_id) last ON last.id = o.id").fetchall():
        d = json.loads(data)
        db.execute("UPDATE pods SET ready=?, status=?, restarts=? WHERE id=?",
                   (d.get("ready"), d.get("status"), d.get("restarts"), pod_id))


def _migrate_2_to_3(db: sqlite3.Connection) -> None:
    """v2 recorded no writer, so a session it left open cannot be checked: it was interrupted (a process
    still writing it closes it anyway). It also kept env values and args as given."""
    _script(db, """
        ALTER TABLE sessions ADD COLUMN writer TEXT;
        ALTER TABLE sessions ADD COLUMN keep_env INTEGER NOT NULL DEFAULT 0;
        UPDATE sessions SET keep_env = 1;
        UPDATE sessions SET status = 'interrupted',
            note = 'left open by a kubectl-podlife that recorded no writer (before store schema 3)'
            WHERE status = 'open';
    """)


_MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3}
_INSERT = ("INSERT OR IGNORE INTO observations (session_id, pod_id, dedup, kind, container, t, t_lo, t_hi, time, clock,"
           " snapshot, origin, raw, data, seq, recovered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_ENCODE = json.JSONEncoder(separators=(",", ":"), default=str, check_circular=False).encode


def _DUMPS(data: Any) -> str:
    return _ENCODE(data if type(data) is dict else dict(data))


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    created: str
    kind: str
    sources: tuple[str, ...]
    status: str
    note: str
    observations: int
    pods: int
    keep_env: bool = True
    writer: dict | None = None
    writer_state: str = "unknown"  # of an open session's writer: alive | dead | unknown

    def incomplete(self) -> str | None:
        """One line for a reader when the session may not hold everything, else None."""
        n = f"{self.observations} observation{'s' if self.observations != 1 else ''}"
        if self.status == "interrupted":
            why = self.note or "its import or recording was interrupted"
            return f"session {self.id} is incomplete: {why}; it holds the {n} committed before that"
        if self.status == "open":
            w = self.writer or {}
            if self.writer_state == "alive":
                return f"session {self.id} is still being written (pid {w.get('pid')}); this is the {n} committed so far"
            return (f"session {self.id} is open: pid {w.get('pid')} on {w.get('host')} writes it and cannot be checked "
                    f"from here; it may be incomplete ({n} so far)")
        return None


@dataclass(frozen=True, slots=True)
class PodSummary:
    """One pod of a session as a pod list shows it, known without building its timeline.

    `ready`, `status`, `restarts` are the newest `get pods` row's (or, for a live recording, the newest
    pod phase and the highest container restart count); `version` changes whenever the pod gets a new
    observation (it is the newest observation's id), so a follower rebuilds only pods whose version moved.
    """

    id: int
    session_id: int
    namespace: str | None
    name: str
    uid: str | None
    incarnation: int
    observations: int
    version: int
    first_t: float | None
    last_t: float | None
    ready: str | None
    status: str | None
    restarts: int | None

    @property
    def key(self) -> PodKey:
        return PodKey(name=self.name, namespace=self.namespace, uid=self.uid, incarnation=self.incarnation)

    @property
    def display(self) -> str:
        return self.key.display


class SessionStore(Protocol):
    """What the model, the views and live capture need from a store (SQLite here; a shared server later)."""

    def create_session(self, kind: str, sources: Iterable[str], note: str = "") -> int: ...
    def close_session(self, session_id: int, status: str = "closed") -> None: ...
    def append(self, session_id: int, observations: Iterable[Observation],
               dedup: Iterable[str | None] | None = None, batch: int = BATCH) -> int: ...
    def pods(self, session_id: int, changed_since: int = 0) -> list[PodSummary]: ...
    def pod_observations(self, pod_id: int) -> list[Observation]: ...
    def get_timeline(self, pod_id: int, key: str) -> Any | None: ...
    def put_timeline(self, pod_id: int, key: str, timeline: Any) -> None: ...


class StoreError(PodlifeError):
    """A store that cannot be used as asked: full, read-only, corrupt, foreign or locked (one line)."""


_SQLITE_MAGIC = b"SQLite format 3\x00"
_FULL, _READONLY, _CORRUPT, _NOTADB, _BUSY, _LOCKED, _CANTOPEN = 13, 8, 11, 26, 5, 6, 14


def default_path() -> Path:
    if os.environ.get("PODLIFE_DB"):
        return Path(os.environ["PODLIFE_DB"]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "kubectl-podlife" / "podlife.db"


# --- which process writes a session, and whether it still runs ------------------------------------

def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), so a reused pid
    is not taken for the writer; "" where /proc does not say."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return ""
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else ""


def _pidns() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def writer_identity() -> dict:
    """Who writes a session: pid, host, boot id, pid namespace and the process's start time."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "boot": _read("/proc/sys/kernel/random/boot_id"),
            "pidns": _pidns(), "start": _start_ticks(pid)}


def writer_state(writer: dict | None) -> str:
    """alive | dead | unknown: whether the process that opened a session still runs. Unknown when it ran
    on another host or in another pid namespace (a container sharing the volume)."""
    if not writer or not isinstance(writer.get("pid"), int):
        return "unknown"
    if writer.get("host") != socket.gethostname():
        return "unknown"
    boot = _read("/proc/sys/kernel/random/boot_id")
    if writer.get("boot") and boot and writer["boot"] != boot:
        return "dead"  # the machine has restarted since
    if writer.get("pidns") and writer["pidns"] != _pidns():
        return "unknown"
    pid = writer["pid"]
    start = _start_ticks(pid)
    if start:
        return "alive" if not writer.get("start") or writer["start"] == start else "dead"
    if os.path.isdir("/proc/self"):
        return "dead"  # /proc is there and has no such process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "dead"
    except OSError:
        return "alive"  # exists, owned by someone else
    return "alive"


def _guarded(fn):
    """SQLite errors leave the store as one line naming the path (disk full, read-only, corrupt...)."""
    @functools.wraps(fn)
    def wrapper(self: "Store", *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise self.error(exc) from None
    return wrapper


def _writer(text: str | None) -> dict | None:
    try:
        w = json.loads(text) if text else None
    except ValueError:
        return None
    return w if isinstance(w, dict) else None


def _dead_note(writer: dict | None) -> str:
    if not writer:
        return "left open by a kubectl-podlife that recorded no writer (before store schema 3)"
    return f"the process writing it (pid {writer.get('pid')} on {writer.get('host')}) ended without closing it"


class Store:
    """The SQLite store at `path` (default: `default_path()`).

    `create=False` (read commands) opens nothing new: a missing file reads as a store with no sessions.
    A file or directory that cannot be written is opened read-only: reads work, writes raise
    StoreError("read-only: PATH ..."). `keep_env` is recorded on the sessions created here: only then are
    env values and container args stored as given (see `redact`: `append` redacts every spec otherwise).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True, keep_env: bool = False,
                 notify=None):
        self.path = Path(path) if path is not None else default_path()
        self.keep_env = keep_env
        self.readonly = False
        self.readonly_why = ""
        self.missing = False
        self._notify = notify or (lambda msg: print(f"note: {msg}", file=sys.stderr))
        self._pod_ids: dict[tuple, int] = {}
        self._keep: dict[int, bool] = {}
        self._columns: set[str] = set()
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

    # --- opening ----------------------------------------------------------------------------

    def _open(self, create: bool) -> None:
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory; set PODLIFE_DB to a file in it, e.g. {self.path / 'podlife.db'}")
        if not self.path.exists():
            if not create:  # a read needs nothing on disk: an empty store in memory
                self.missing = True
                self.readonly, self.readonly_why = True, "there is no store there yet"
                self.db = sqlite3.connect(":memory:", check_same_thread=False)
                _script(self.db, _SCHEMA + _INDEXES)
                self._columns = self._session_columns()
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
        self._columns = self._session_columns()
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

    def _writable(self) -> None:
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
            while have and version in _MIGRATIONS:
                _MIGRATIONS[version](self.db)
                version += 1
            _script(self.db, _SCHEMA + _INDEXES)
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

    def _session_columns(self) -> set[str]:
        return {r[1] for r in self.db.execute("PRAGMA table_info(sessions)")}

    def _reap(self) -> None:
        """Sessions left open by a process that is gone (killed, the machine restarted) are interrupted."""
        for sid, writer in self.db.execute("SELECT id, writer FROM sessions WHERE status='open'").fetchall():
            w = _writer(writer)
            if writer_state(w) == "dead":
                with self.db:
                    self.db.execute("UPDATE sessions SET status='interrupted', note=? WHERE id=? AND status='open'",
                                    (_dead_note(w), sid))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sessions ---------------------------------------------------------------------------

    @_guarded
    def create_session(self, kind: str, sources: Iterable[str], note: str = "", keep_env: bool | None = None) -> int:
        self._writable()
        keep = self.keep_env if keep_env is None else keep_env
        created = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        with self.db:
            cur = self.db.execute(
                "INSERT INTO sessions (created, kind, sources, status, note, writer, keep_env)"
                " VALUES (?, ?, ?, 'open', ?, ?, ?)",
                (created, kind, json.dumps(list(sources)), note, json.dumps(writer_identity()), int(keep)))
        sid = int(cur.lastrowid)
        self._keep[sid] = keep
        return sid

    @_guarded
    def close_session(self, session_id: int, status: str = "closed", note: str | None = None) -> None:
        self._writable()
        with self.db:
            if note is None:
                self.db.execute("UPDATE sessions SET status=? WHERE id=?", (status, session_id))
            else:
                self.db.execute("UPDATE sessions SET status=?, note=? WHERE id=?", (status, note, session_id))

    @_guarded
    def sessions(self) -> list[SessionInfo]:
        extra = ", ".join(c if c in self._columns else "NULL" for c in ("keep_env", "writer"))
        rows = self.db.execute(
            "SELECT s.id, s.created, s.kind, s.sources, s.status, s.note,"
            " (SELECT COUNT(*) FROM observations o WHERE o.session_id=s.id),"
            " (SELECT COUNT(*) FROM pods p WHERE p.session_id=s.id), " + extra +
            " FROM sessions s ORDER BY s.id").fetchall()
        out = []
        for r in rows:
            status, note, writer = r[4], r[5], _writer(r[9])
            state = writer_state(writer) if status == "open" else "unknown"
            if status == "open" and (state == "dead" or writer is None):
                status, note = "interrupted", _dead_note(writer)
            out.append(SessionInfo(r[0], r[1], r[2], tuple(json.loads(r[3])), status, note, r[6], r[7],
                                   keep_env=True if r[8] is None else bool(r[8]), writer=writer, writer_state=state))
        return out

    @_guarded
    def resolve(self, ref: str | int) -> int:
        """A session id from `latest` or a number; a clear error for anything else."""
        if str(ref) == "latest":
            row = self.db.execute("SELECT MAX(id) FROM sessions").fetchone()
            if not row or row[0] is None:
                raise PodlifeError(f"{self.path}: no sessions stored yet; run `kubectl podlife import FILE` first")
            return int(row[0])
        try:
            sid = int(ref)
        except (TypeError, ValueError):
            raise PodlifeError(f'unknown session "{ref}"; use a number from `kubectl podlife sessions` or "latest"') from None
        if not self.db.execute("SELECT 1 FROM sessions WHERE id=?", (sid,)).fetchone():
            raise PodlifeError(f"unknown session {sid}; `kubectl podlife sessions` lists the stored ones")
        return sid

    def session(self, session_id: int) -> SessionInfo:
        for s in self.sessions():
            if s.id == session_id:
                return s
        raise PodlifeError(f"unknown session {session_id}")

    @_guarded
    def delete_sessions(self, session_ids: Iterable[int]) -> int:
        """Delete these sessions with their pods, observations, warnings and cached timelines, in one
        transaction (an interrupted delete leaves every one of them whole); how many were deleted."""
        ids = sorted({int(i) for i in session_ids})
        if not ids:
            return 0
        self._writable()
        deleted = 0
        with self.db:
            for sid in ids:
                self.db.execute("DELETE FROM timelines WHERE pod_id IN (SELECT id FROM pods WHERE session_id=?)", (sid,))
                for table in ("observations", "warnings", "pods"):
                    self.db.execute(f"DELETE FROM {table} WHERE session_id=?", (sid,))
                deleted += self.db.execute("DELETE FROM sessions WHERE id=?", (sid,)).rowcount
        gone = set(ids)
        self._pod_ids = {k: v for k, v in self._pod_ids.items() if k[0] not in gone}
        for sid in gone:
            self._keep.pop(sid, None)
        return deleted

    @_guarded
    def sessions_older_than(self, t: datetime) -> list[int]:
        """Ids of the sessions created before `t` (a timezone-aware datetime), oldest first."""
        out = []
        for sid, created in self.db.execute("SELECT id, created FROM sessions ORDER BY id"):
            try:
                when = datetime.fromisoformat(created.replace("Z", "+00:00"))
            except (AttributeError, ValueError):
                continue  # no readable creation time: never pruned by age
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            if when < t:
                out.append(int(sid))
        return out

    # --- observations -----------------------------------------------------------------------

    def _pod_id(self, session_id: int, pod: PodKey) -> int:
        key = (session_id, pod.namespace, pod.name, pod.uid, pod.incarnation)
        pid = self._pod_ids.get(key)
        if pid is not None:
            return pid
        row = self.db.execute(
            "SELECT id FROM pods WHERE session_id=? AND namespace IS ? AND name=? AND uid IS ? AND incarnation=?",
            key).fetchone()
        if row:
            pid = int(row[0])
        else:
            pid = int(self.db.execute(
                "INSERT INTO pods (session_id, namespace, name, uid, incarnation) VALUES (?, ?, ?, ?, ?)",
                key).lastrowid)
        self._pod_ids[key] = pid
        return pid

    @_guarded
    def append(self, session_id: int, observations: Iterable[Observation], dedup: Iterable[str | None] | None = None,
               batch: int = BATCH) -> int:
        """Append observations, committing every `batch` rows; returns how many were new."""
        self._writable()
        added = 0
        keys: Iterator[str | None] = iter(dedup) if dedup is not None else iter(())
        rows: list[tuple] = []
        dumps = _DUMPS
        keep_env = self._keeps_env(session_id)
        try:
            for obs in observations:
                if obs.kind == SPEC and not keep_env:  # every path into the store passes here
                    obs = redact_observation(obs)
                rows.append((session_id, self._pod_id(session_id, obs.pod), next(keys, None), obs.kind,
                             obs.container, obs.t, obs.t_lo, obs.t_hi, obs.time, obs.clock, obs.snapshot,
                             obs.origin, obs.raw, dumps(obs.data), obs.seq, int(obs.recovered)))
                if len(rows) >= batch:
                    full, rows = rows, []
                    added += self._insert(full)
        finally:
            if rows:  # what was read before an interruption is kept too
                full, rows = rows, []
                added += self._insert(full)
        return added

    def _keeps_env(self, session_id: int) -> bool:
        keep = self._keep.get(session_id)
        if keep is None:
            row = self.db.execute("SELECT keep_env FROM sessions WHERE id=?", (session_id,)).fetchone()
            keep = self._keep[session_id] = bool(row and row[0])
        return keep

    def _insert(self, rows: list[tuple]) -> int:
        """One batch: the observations (a relisted one is ignored by its dedup key) and the pod summaries."""
        with self.db:
            if any(r[2] is not None for r in rows):
                added = 0
                for r in rows:
                    added += self.db.execute(_INSERT, r).rowcount
            else:
                self.db.executemany(_INSERT, rows)
                added = len(rows)
            first = self.db.execute("SELECT last_insert_rowid()").fetchone()[0] - added + 1
            self._summarise(rows, first, added)
        return added

    def _summarise(self, rows: list[tuple], first_id: int, added: int) -> None:
        """Fold a batch into its pods' summaries (count, newest id, time span, newest READY/STATUS/RESTARTS)."""
        if not added:
            return
        if added != len(rows):  # some were duplicates: read back which were stored
            ids = {pid: (n, last) for pid, n, last in self.db.execute(
                "SELECT pod_id, COUNT(*), MAX(id) FROM observations WHERE id>=? GROUP BY pod_id", (first_id,))}
            for pid, (n, last) in ids.items():
                self.db.execute("UPDATE pods SET observations=observations+?, last_obs=MAX(last_obs, ?) WHERE id=?",
                                (n, last, pid))
            rows = [r for r in rows if r[1] in ids]
            first_id = None
        per: dict[int, list] = {}
        for i, r in enumerate(rows):
            s = per.get(r[1])
            if s is None:
                s = per[r[1]] = [0, 0, None, None, None]
            s[0] += 1
            if first_id is not None:
                s[1] = first_id + i
            t = r[5]
            if t is not None:
                s[2] = t if s[2] is None or t < s[2] else s[2]
                s[3] = t if s[3] is None or t > s[3] else s[3]
            if r[3] == "row" or r[3] == "pod" or r[3] == "container":
                s[4] = r  # the newest observation that says something about status
        counts = []
        status = []
        for pid, (n, last, lo, hi, newest) in per.items():
            counts.append((n if first_id is not None else 0, last, lo, lo, hi, hi, pid))
            if newest is not None:
                status.append((newest, pid))
        self.db.executemany(
            "UPDATE pods SET observations=observations+?, last_obs=MAX(last_obs, ?),"
            " first_t=MIN(COALESCE(first_t, ?), ?), last_t=MAX(COALESCE(last_t, ?), ?) WHERE id=?", counts)
        for r, pid in status:
            d = json.loads(r[13])
            if r[3] == "row":
                self.db.execute("UPDATE pods SET ready=?, status=?, restarts=? WHERE id=?",
                                (d.get("ready"), d.get("status"), d.get("restarts"), pid))
            elif r[3] == "pod" and d.get("phase"):
                self.db.execute("UPDATE pods SET status=COALESCE(?, status) WHERE id=?",
                                (d.get("reason") or d.get("phase"), pid))
            elif r[3] == "container" and d.get("restart_count") is not None:
                self.db.execute("UPDATE pods SET restarts=MAX(COALESCE(restarts, 0), ?) WHERE id=?",
                                (d["restart_count"], pid))

    @_guarded
    def add_warnings(self, session_id: int, warnings: Iterable[tuple[str, str]]) -> None:
        self._writable()
        with self.db:
            self.db.executemany("INSERT INTO warnings VALUES (?, ?, ?)",
                                [(session_id, origin, msg) for origin, msg in warnings])

    @_guarded
    def count(self, session_id: int) -> int:
        """How many observations of the session are committed."""
        return int(self.db.execute("SELECT COUNT(*) FROM observations WHERE session_id=?", (session_id,)).fetchone()[0])

    @_guarded
    def warnings(self, session_id: int) -> list[str]:
        return [f"{o}: {m}" for o, m in self.db.execute(
            "SELECT origin, message FROM warnings WHERE session_id=? ORDER BY rowid", (session_id,))]

    @_guarded
    def observations(self, session_id: int, after_id: int = 0) -> tuple[int, list[Observation]]:
        """Observations with id > after_id, in insertion order, and the last id read (for following)."""
        rows = self.db.execute(
            "SELECT o.id, p.namespace, p.name, p.uid, p.incarnation, " + _OBS_COLUMNS +
            " FROM observations o JOIN pods p ON p.id=o.pod_id WHERE o.session_id=? AND o.id>? ORDER BY o.id",
            (session_id, after_id)).fetchall()
        out = [_observation(PodKey(name=r[2], namespace=r[1], uid=r[3], incarnation=r[4]), r, 5) for r in rows]
        return (rows[-1][0] if rows else after_id), out

    # --- pods -------------------------------------------------------------------------------

    @_guarded
    def pods(self, session_id: int, changed_since: int = 0) -> list[PodSummary]:
        """The session's pods in order of first appearance, with their summaries; with `changed_since`
        only the pods that got an observation with a higher id (what a follower must rebuild)."""
        rows = self.db.execute(
            "SELECT id, session_id, namespace, name, uid, incarnation, observations, last_obs, first_t, last_t,"
            " ready, status, restarts FROM pods WHERE session_id=? AND last_obs>? AND observations>0 ORDER BY id",
            (session_id, changed_since)).fetchall()
        return [PodSummary(*r) for r in rows]

    @_guarded
    def pod_observations(self, pod_id: int) -> list[Observation]:
        """One pod's observations in insertion order (reads nothing of the other pods)."""
        p = self.db.execute("SELECT namespace, name, uid, incarnation FROM pods WHERE id=?", (pod_id,)).fetchone()
        if p is None:
            raise PodlifeError(f"unknown pod {pod_id}")
        key = PodKey(name=p[1], namespace=p[0], uid=p[2], incarnation=p[3])
        rows = self.db.execute("SELECT " + _OBS_COLUMNS + " FROM observations o WHERE o.pod_id=? ORDER BY o.id",
                               (pod_id,)).fetchall()
        return [_observation(key, r, 0) for r in rows]

    # --- cached pod timelines ---------------------------------------------------------------

    @_guarded
    def get_timeline(self, pod_id: int, key: str) -> Any | None:
        """The timeline put for this pod under this key (which names the observations and the model
        version it was built from), or None. The cache is this file's own: pickled, never shared."""
        row = self.db.execute("SELECT timeline FROM timelines WHERE pod_id=? AND key=?", (pod_id, key)).fetchone()
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:  # written by another version of the classes: build again
            return None

    def put_timeline(self, pod_id: int, key: str, timeline: Any) -> None:
        if self.readonly:
            return
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO timelines VALUES (?, ?, ?)",
                                (pod_id, key, pickle.dumps(timeline, protocol=pickle.HIGHEST_PROTOCOL)))
        except sqlite3.OperationalError:  # a full, read-only or busy store: the cache is only an optimisation
            pass


_OBS_COLUMNS = ("o.kind, o.container, o.t, o.t_lo, o.t_hi, o.time, o.clock, o.snapshot, o.origin, o.raw, o.data,"
                " o.seq, o.recovered")


def _observation(key: PodKey, r: tuple, i: int) -> Observation:
    return Observation(kind=r[i], pod=key, container=r[i + 1], t=r[i + 2], t_lo=r[i + 3], t_hi=r[i + 4],
                       time=r[i + 5], clock=r[i + 6], snapshot=r[i + 7], origin=r[i + 8], raw=r[i + 9],
                       data=json.loads(r[i + 10]), seq=r[i + 11], recovered=bool(r[i + 12]))
