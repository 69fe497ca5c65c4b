"""The event store: sessions of observations in one SQLite file (WAL mode, batched commits).

A session is one import or one live recording. Appends are committed in batches, so a process
killed mid-import leaves a valid database that holds everything up to the last batch.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.observation import Observation, PodKey

SCHEMA_VERSION = 1
BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    kind TEXT NOT NULL,              -- import | live | simulate
    sources TEXT NOT NULL,           -- JSON list: files read, or the cluster/context watched
    status TEXT NOT NULL,            -- open | closed | interrupted
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS pods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    namespace TEXT, name TEXT NOT NULL, uid TEXT, incarnation INTEGER NOT NULL DEFAULT 1,
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
    recovered INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, dedup)
);
CREATE INDEX IF NOT EXISTS obs_session ON observations (session_id, id);
CREATE TABLE IF NOT EXISTS warnings (
    session_id INTEGER NOT NULL REFERENCES sessions(id), origin TEXT NOT NULL, message TEXT NOT NULL
);
"""


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


def default_path() -> Path:
    if os.environ.get("PODLIFE_DB"):
        return Path(os.environ["PODLIFE_DB"]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "kubectl-podlife" / "podlife.db"


class Store:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise PodlifeError(f"{self.path}: not a podlife database ({exc}); set PODLIFE_DB to another file") from None
        except OSError as exc:
            raise PodlifeError(f"{self.path}: cannot open the store ({exc.strerror}); set PODLIFE_DB to a writable path") from None
        self._pod_ids: dict[tuple, int] = {}

    def _migrate(self) -> None:
        have = self.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if have:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise PodlifeError(
                    f"{self.path}: written by a newer kubectl-podlife (store schema {version}, this one reads "
                    f"{SCHEMA_VERSION}); upgrade kubectl-podlife or set PODLIFE_DB to another file")
        with self.db:
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sessions ---------------------------------------------------------------------------

    def create_session(self, kind: str, sources: Iterable[str], note: str = "") -> int:
        created = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        with self.db:
            cur = self.db.execute(
                "INSERT INTO sessions (created, kind, sources, status, note) VALUES (?, ?, ?, 'open', ?)",
                (created, kind, json.dumps(list(sources)), note))
        return int(cur.lastrowid)

    def close_session(self, session_id: int, status: str = "closed") -> None:
        with self.db:
            self.db.execute("UPDATE sessions SET status=? WHERE id=?", (status, session_id))

    def sessions(self) -> list[SessionInfo]:
        rows = self.db.execute(
            "SELECT s.id, s.created, s.kind, s.sources, s.status, s.note,"
            " (SELECT COUNT(*) FROM observations o WHERE o.session_id=s.id),"
            " (SELECT COUNT(*) FROM pods p WHERE p.session_id=s.id)"
            " FROM sessions s ORDER BY s.id").fetchall()
        return [SessionInfo(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6], r[7]) for r in rows]

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

    def append(self, session_id: int, observations: Iterable[Observation], dedup: Iterable[str | None] | None = None,
               batch: int = BATCH) -> int:
        """Append observations, committing every `batch` rows; returns how many were new."""
        added = 0
        keys: Iterator[str | None] = iter(dedup) if dedup is not None else iter(())
        pending = 0
        try:
            for obs in observations:
                key = next(keys, None)
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO observations (session_id, pod_id, dedup, kind, container, t, t_lo, t_hi,"
                    " time, clock, snapshot, origin, raw, data, seq, recovered)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (session_id, self._pod_id(session_id, obs.pod), key, obs.kind, obs.container, obs.t, obs.t_lo,
                     obs.t_hi, obs.time, obs.clock, obs.snapshot, obs.origin, obs.raw,
                     json.dumps(dict(obs.data), separators=(",", ":"), default=str), obs.seq, int(obs.recovered)))
                added += cur.rowcount
                pending += 1
                if pending >= batch:
                    self.db.commit()
                    pending = 0
        finally:
            self.db.commit()
        return added

    def add_warnings(self, session_id: int, warnings: Iterable[tuple[str, str]]) -> None:
        with self.db:
            self.db.executemany("INSERT INTO warnings VALUES (?, ?, ?)",
                                [(session_id, origin, msg) for origin, msg in warnings])

    def warnings(self, session_id: int) -> list[str]:
        return [f"{o}: {m}" for o, m in self.db.execute(
            "SELECT origin, message FROM warnings WHERE session_id=? ORDER BY rowid", (session_id,))]

    def observations(self, session_id: int, after_id: int = 0) -> tuple[int, list[Observation]]:
        """Observations with id > after_id, in insertion order, and the last id read (for following)."""
        rows = self.db.execute(
            "SELECT o.id, p.namespace, p.name, p.uid, p.incarnation, o.kind, o.container, o.t, o.t_lo, o.t_hi,"
            " o.time, o.clock, o.snapshot, o.origin, o.raw, o.data, o.seq, o.recovered"
            " FROM observations o JOIN pods p ON p.id=o.pod_id WHERE o.session_id=? AND o.id>? ORDER BY o.id",
            (session_id, after_id)).fetchall()
        out = [Observation(kind=r[5], pod=PodKey(name=r[2], namespace=r[1], uid=r[3], incarnation=r[4]),
                           container=r[6], t=r[7], t_lo=r[8], t_hi=r[9], time=r[10], clock=r[11], snapshot=r[12],
                           origin=r[13], raw=r[14], data=json.loads(r[15]), seq=r[16], recovered=bool(r[17]))
               for r in rows]
        return (rows[-1][0] if rows else after_id), out
