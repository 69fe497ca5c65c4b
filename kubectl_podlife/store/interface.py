"""What the layers above see of a store: the `SessionStore` protocol and the records it returns
(`SessionInfo`, `PodSummary`), so a recorder writing to a shared server database is a second
implementation of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from kubectl_podlife.observation import Observation, PodKey


BATCH = 500  # observations `append` commits in one transaction


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
