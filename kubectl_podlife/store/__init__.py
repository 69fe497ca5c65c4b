"""The event store: sessions of observations in one SQLite file (WAL mode, batched commits).

A session is one import or one live recording. Appends are committed in batches, so a process
killed mid-import leaves a valid database that holds everything up to the last batch; the session
records which process writes it (`store/writer.py`), so one left `open` by a process that died reads
as `interrupted`.

`Store` here holds the queries: sessions, appending observations with their pods' summaries, reading
them back, cached pod timelines. Opening the file and turning SQLite's errors into one line is
`store/file.py`; the schema and its migrations `store/schema.py`; what the layers above see of a store
(`SessionStore`, `SessionInfo`, `PodSummary`) `store/interface.py`.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
from datetime import datetime, timezone
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, Iterable, Iterator

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.observation import SPEC, Observation, PodKey
from kubectl_podlife.redact import redact_observation
from kubectl_podlife.store.file import StoreFile, guarded
from kubectl_podlife.store.interface import BATCH, PodSummary, SessionInfo
from kubectl_podlife.store.writer import dead_note, parse_writer, writer_identity, writer_state


_INSERT = ("INSERT OR IGNORE INTO observations (session_id, pod_id, dedup, kind, container, t, t_lo, t_hi, time, clock,"
           " snapshot, origin, raw, data, seq, recovered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


_ENCODE = json.JSONEncoder(separators=(",", ":"), default=str, check_circular=False).encode
# The C encoder that JSONEncoder.encode makes anew for every call, made once (as encode makes it for
# these settings): a tenth of storing a row went to making it.
_C_ENCODE = c_make_encoder(None, str, encode_basestring_ascii, None, ":", ",", False, False, True) \
    if c_make_encoder is not None else None


def _DUMPS(data: Any) -> str:
    d = data if type(data) is dict else dict(data)
    return "".join(_C_ENCODE(d, 0)) if _C_ENCODE is not None else _ENCODE(d)


# The stored `data` column is this module's own compact JSON object: the C scanner reads it without
# json.loads' two Python-level frames and whitespace regex per observation (a tenth of explaining a
# session, issue 12); anything it does not read whole goes through json.loads for its error.
_SCAN = json.JSONDecoder().scan_once


def _LOADS(text: str) -> Any:
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


_PUT_BATCH = 64  # cached timelines written per transaction (a commit per pod was a tenth of building them)


class Store(StoreFile):
    """The SQLite store at `path` (default: `default_path()`), opened as `StoreFile` says.

    `create=False` (read commands) opens nothing new: a missing file reads as a store with no sessions.
    A file or directory that cannot be written is opened read-only: reads work, writes raise
    StoreError("read-only: PATH ..."). `keep_env` is recorded on the sessions created here: only then are
    env values and container args stored as given (see `redact`: `append` redacts every spec otherwise).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True, keep_env: bool = False,
                 notify=None):
        self.keep_env = keep_env
        self._pod_ids: dict[tuple, int] = {}
        self._keep: dict[int, bool] = {}
        self._puts: dict[int, tuple[int, str, bytes]] = {}  # timelines put, not yet written
        super().__init__(path, create=create, notify=notify)

    @guarded
    def create_session(self, kind: str, sources: Iterable[str], note: str = "", keep_env: bool | None = None) -> int:
        self.check_writable()
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

    @guarded
    def close_session(self, session_id: int, status: str = "closed", note: str | None = None) -> None:
        self.check_writable()
        with self.db:
            if note is None:
                self.db.execute("UPDATE sessions SET status=? WHERE id=?", (status, session_id))
            else:
                self.db.execute("UPDATE sessions SET status=?, note=? WHERE id=?", (status, note, session_id))

    @guarded
    def sessions(self) -> list[SessionInfo]:
        extra = ", ".join(c if c in self.session_columns else "NULL" for c in ("keep_env", "writer"))
        rows = self.db.execute(
            "SELECT s.id, s.created, s.kind, s.sources, s.status, s.note,"
            " (SELECT COUNT(*) FROM observations o WHERE o.session_id=s.id),"
            " (SELECT COUNT(*) FROM pods p WHERE p.session_id=s.id), " + extra +
            " FROM sessions s ORDER BY s.id").fetchall()
        out = []
        for r in rows:
            status, note, writer = r[4], r[5], parse_writer(r[9])
            state = writer_state(writer) if status == "open" else "unknown"
            if status == "open" and (state == "dead" or writer is None):
                status, note = "interrupted", dead_note(writer)
            out.append(SessionInfo(r[0], r[1], r[2], tuple(json.loads(r[3])), status, note, r[6], r[7],
                                   keep_env=True if r[8] is None else bool(r[8]), writer=writer, writer_state=state))
        return out

    @guarded
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

    @guarded
    def delete_sessions(self, session_ids: Iterable[int]) -> int:
        """Delete these sessions with their pods, observations, warnings and cached timelines, in one
        transaction (an interrupted delete leaves every one of them whole); how many were deleted."""
        ids = sorted({int(i) for i in session_ids})
        if not ids:
            return 0
        self.check_writable()
        self.flush_timelines()
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

    @guarded
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

    @guarded
    def append(self, session_id: int, observations: Iterable[Observation], dedup: Iterable[str | None] | None = None,
               batch: int = BATCH) -> int:
        """Append observations, committing every `batch` rows; returns how many were new."""
        self.check_writable()
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
        rows_seen, phases, counts_seen = [], [], []  # a pod is in one of them at most (its newest)
        for r, pid in status:
            d = _LOADS(r[13])
            if r[3] == "row":
                rows_seen.append((d.get("ready"), d.get("status"), d.get("restarts"), pid))
            elif r[3] == "pod" and d.get("phase"):
                phases.append((d.get("reason") or d.get("phase"), pid))
            elif r[3] == "container" and d.get("restart_count") is not None:
                counts_seen.append((d["restart_count"], pid))
        self.db.executemany("UPDATE pods SET ready=?, status=?, restarts=? WHERE id=?", rows_seen)
        self.db.executemany("UPDATE pods SET status=COALESCE(?, status) WHERE id=?", phases)
        self.db.executemany("UPDATE pods SET restarts=MAX(COALESCE(restarts, 0), ?) WHERE id=?", counts_seen)

    @guarded
    def add_warnings(self, session_id: int, warnings: Iterable[tuple[str, str]]) -> None:
        self.check_writable()
        with self.db:
            self.db.executemany("INSERT INTO warnings VALUES (?, ?, ?)",
                                [(session_id, origin, msg) for origin, msg in warnings])

    @guarded
    def count(self, session_id: int) -> int:
        """How many observations of the session are committed."""
        return int(self.db.execute("SELECT COUNT(*) FROM observations WHERE session_id=?", (session_id,)).fetchone()[0])

    @guarded
    def warnings(self, session_id: int) -> list[str]:
        return [f"{o}: {m}" for o, m in self.db.execute(
            "SELECT origin, message FROM warnings WHERE session_id=? ORDER BY rowid", (session_id,))]

    @guarded
    def observations(self, session_id: int, after_id: int = 0) -> tuple[int, list[Observation]]:
        """Observations with id > after_id, in insertion order, and the last id read (for following)."""
        rows = self.db.execute(
            "SELECT o.id, p.namespace, p.name, p.uid, p.incarnation, " + _OBS_COLUMNS +
            " FROM observations o JOIN pods p ON p.id=o.pod_id WHERE o.session_id=? AND o.id>? ORDER BY o.id",
            (session_id, after_id)).fetchall()
        out = [_observation(PodKey(name=r[2], namespace=r[1], uid=r[3], incarnation=r[4]), r, 5) for r in rows]
        return (rows[-1][0] if rows else after_id), out

    @guarded
    def pods(self, session_id: int, changed_since: int = 0) -> list[PodSummary]:
        """The session's pods in order of first appearance, with their summaries; with `changed_since`
        only the pods that got an observation with a higher id (what a follower must rebuild)."""
        rows = self.db.execute(
            "SELECT id, session_id, namespace, name, uid, incarnation, observations, last_obs, first_t, last_t,"
            " ready, status, restarts FROM pods WHERE session_id=? AND last_obs>? AND observations>0 ORDER BY id",
            (session_id, changed_since)).fetchall()
        return [PodSummary(*r) for r in rows]

    @guarded
    def pod_observations(self, pod_id: int) -> list[Observation]:
        """One pod's observations in insertion order (reads nothing of the other pods)."""
        p = self.db.execute("SELECT namespace, name, uid, incarnation FROM pods WHERE id=?", (pod_id,)).fetchone()
        if p is None:
            raise PodlifeError(f"unknown pod {pod_id}")
        key = PodKey(name=p[1], namespace=p[0], uid=p[2], incarnation=p[3])
        rows = self.db.execute("SELECT " + _OBS_COLUMNS + " FROM observations o WHERE o.pod_id=? ORDER BY o.id",
                               (pod_id,)).fetchall()
        return [_observation(key, r, 0) for r in rows]

    @guarded
    def get_timeline(self, pod_id: int, key: str) -> Any | None:
        """The timeline put for this pod under this key (which names the observations and the model
        version it was built from), or None. The cache is this file's own: pickled, never shared."""
        put = self._puts.get(pod_id)
        if put is not None and put[1] == key:
            blob = put[2]
        else:
            row = self.db.execute("SELECT timeline FROM timelines WHERE pod_id=? AND key=?", (pod_id, key)).fetchone()
            if row is None:
                return None
            blob = row[0]
        try:
            return pickle.loads(blob)
        except Exception:  # written by another version of the classes: build again
            return None

    def put_timeline(self, pod_id: int, key: str, timeline: Any) -> None:
        """Cache a pod's timeline under `key`. Written in batches of _PUT_BATCH (and by close()), so a
        session explained pod by pod commits once per batch; get_timeline sees it at once."""
        if self.readonly:
            return
        self._puts[pod_id] = (pod_id, key, pickle.dumps(timeline, protocol=pickle.HIGHEST_PROTOCOL))
        if len(self._puts) >= _PUT_BATCH:
            self.flush_timelines()

    def flush_timelines(self) -> None:
        """Write the timelines put since the last flush, in one transaction."""
        puts, self._puts = self._puts, {}
        if not puts:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO timelines VALUES (?, ?, ?)", list(puts.values()))
        except sqlite3.Error:  # a full, read-only, busy or closed store: the cache is only an optimisation
            pass

    def close(self) -> None:
        self.flush_timelines()
        super().close()


_OBS_COLUMNS = ("o.kind, o.container, o.t, o.t_lo, o.t_hi, o.time, o.clock, o.snapshot, o.origin, o.raw, o.data,"
                " o.seq, o.recovered")


def _observation(key: PodKey, r: tuple, i: int) -> Observation:
    return Observation(kind=r[i], pod=key, container=r[i + 1], t=r[i + 2], t_lo=r[i + 3], t_hi=r[i + 4],
                       time=r[i + 5], clock=r[i + 6], snapshot=r[i + 7], origin=r[i + 8], raw=r[i + 9],
                       data=_LOADS(r[i + 10]), seq=r[i + 11], recovered=bool(r[i + 12]))
