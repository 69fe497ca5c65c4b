"""The store's SQLite schema (tables, indexes) and the migrations from each older version to the next."""

from __future__ import annotations

import json
import sqlite3


SCHEMA_VERSION = 3


SCHEMA = """
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
INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS obs_dedup ON observations (session_id, dedup) WHERE dedup IS NOT NULL;
CREATE INDEX IF NOT EXISTS obs_session ON observations (session_id, id);
CREATE INDEX IF NOT EXISTS obs_pod ON observations (pod_id, id);
"""


def run_script(db: sqlite3.Connection, sql: str) -> None:
    """Statements one by one inside the caller's transaction (executescript would commit first)."""
    for stmt in sql.split(";"):
        if stmt.strip():
            db.execute(stmt)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """v1 kept a UNIQUE (session_id, dedup) constraint on observations and no pod summary."""
    run_script(db, """
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
    run_script(db, INDEXES)
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
    run_script(db, """
        ALTER TABLE sessions ADD COLUMN writer TEXT;
        ALTER TABLE sessions ADD COLUMN keep_env INTEGER NOT NULL DEFAULT 0;
        UPDATE sessions SET keep_env = 1;
        UPDATE sessions SET status = 'interrupted',
            note = 'left open by a kubectl-podlife that recorded no writer (before store schema 3)'
            WHERE status = 'open';
    """)


MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3}
