"""The event store: sessions of observations in one SQLite file (WAL mode, batched commits).

A session is one import or one live recording. Appends are committed in batches, so a process
killed mid-import leaves a valid database that holds everything up to the last batch.

Everything above the store talks to it through the narrow interface of `SessionStore` (sessions,
appending a batch, the pods of a session with their summary, one pod's observations, a cached pod
timeline), so a recorder writing to a shared server database is a second implementation of it.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.observation import Observation, PodKey

SCHEMA_VERSION = 2
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


_MIGRATIONS = {1: _migrate_1_to_2}
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
        version = 0
        if have:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise PodlifeError(
                    f"{self.path}: written by a newer kubectl-podlife (store schema {version}, this one reads "
                    f"{SCHEMA_VERSION}); upgrade kubectl-podlife or set PODLIFE_DB to another file")
            if version == SCHEMA_VERSION:
                return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            while have and version in _MIGRATIONS:
                _MIGRATIONS[version](self.db)
                version += 1
            _script(self.db, _SCHEMA + _INDEXES)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise

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
        rows: list[tuple] = []
        dumps = _DUMPS
        try:
            for obs in observations:
                rows.append((session_id, self._pod_id(session_id, obs.pod), next(keys, None), obs.kind,
                             obs.container, obs.t, obs.t_lo, obs.t_hi, obs.time, obs.clock, obs.snapshot,
                             obs.origin, obs.raw, dumps(obs.data), obs.seq, int(obs.recovered)))
                if len(rows) >= batch:
                    added += self._insert(rows)
                    rows = []
        finally:
            if rows:
                added += self._insert(rows)
        return added

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
            "SELECT o.id, p.namespace, p.name, p.uid, p.incarnation, " + _OBS_COLUMNS +
            " FROM observations o JOIN pods p ON p.id=o.pod_id WHERE o.session_id=? AND o.id>? ORDER BY o.id",
            (session_id, after_id)).fetchall()
        out = [_observation(PodKey(name=r[2], namespace=r[1], uid=r[3], incarnation=r[4]), r, 5) for r in rows]
        return (rows[-1][0] if rows else after_id), out

    # --- pods -------------------------------------------------------------------------------

    def pods(self, session_id: int, changed_since: int = 0) -> list[PodSummary]:
        """The session's pods in order of first appearance, with their summaries; with `changed_since`
        only the pods that got an observation with a higher id (what a follower must rebuild)."""
        rows = self.db.execute(
            "SELECT id, session_id, namespace, name, uid, incarnation, observations, last_obs, first_t, last_t,"
            " ready, status, restarts FROM pods WHERE session_id=? AND last_obs>? AND observations>0 ORDER BY id",
            (session_id, changed_since)).fetchall()
        return [PodSummary(*r) for r in rows]

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
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO timelines VALUES (?, ?, ?)",
                                (pod_id, key, pickle.dumps(timeline, protocol=pickle.HIGHEST_PROTOCOL)))
        except sqlite3.OperationalError:  # a read-only or busy store: the cache is only an optimisation
            pass


_OBS_COLUMNS = ("o.kind, o.container, o.t, o.t_lo, o.t_hi, o.time, o.clock, o.snapshot, o.origin, o.raw, o.data,"
                " o.seq, o.recovered")


def _observation(key: PodKey, r: tuple, i: int) -> Observation:
    return Observation(kind=r[i], pod=key, container=r[i + 1], t=r[i + 2], t_lo=r[i + 3], t_hi=r[i + 4],
                       time=r[i + 5], clock=r[i + 6], snapshot=r[i + 7], origin=r[i + 8], raw=r[i + 9],
                       data=json.loads(r[i + 10]), seq=r[i + 11], recovered=bool(r[i + 12]))
