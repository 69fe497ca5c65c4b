"""Last words: when a container instance is seen terminated, fetch the tail of its log once (read-only
`GET .../pods/NAME/log`), rate-limited, and record it as a `log` observation of that instance.

The instance is named as the kubelet names it for logs (validateContainerLogStatus): a container whose
current state is terminated (not restarted yet, or restartPolicy Never) is served with previous=false; one
that has been restarted (or waits in back-off) has the ended instance as its last state, previous=true.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Protocol
from urllib.parse import urlencode

from kubectl_podlife.capture.errors import connection_reason, status_message
from kubectl_podlife.ingest.objects import pod_key
from kubectl_podlife.observation import CLOCK_ABS, LOG, LOG_KEEP, LOG_LINE_MAX, Observation

TAIL_LINES = 50  # lines asked for per instance (tailLines)
LIMIT_BYTES = 128 * 1024  # a guard against huge lines (limitBytes); the server cuts the END past it
PER_SECOND = 5.0  # log requests started per second at most (a token bucket) ...
IN_FLIGHT = 2  # ... and at most this many at once (worker threads)
BACKLOG = 500  # terminations waiting for a fetch; beyond it they are dropped, said once
SEEN_MAX = 100_000  # terminations remembered so that each is fetched once (LRU)


@dataclass(frozen=True)
class LogSettings:
    tail_lines: int = TAIL_LINES
    limit_bytes: int = LIMIT_BYTES
    per_second: float = PER_SECOND
    in_flight: int = IN_FLIGHT
    backlog: int = BACKLOG


@dataclass(frozen=True)
class Ended:
    """One terminated container instance to fetch the log of."""

    pod: dict  # the pod object's metadata (name, namespace, uid)
    container: str
    previous: bool
    restart_count: int | None
    container_id: str | None
    finished_at: str | None
    exit_code: Any
    reason: str | None

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{self.pod.get('namespace')}/pods/{self.pod.get('name')}/log"


class LogOwner(Protocol):
    """What the fetcher needs from the recorder (called on the fetcher's threads)."""

    api_client: Any
    stopping: threading.Event

    def notify(self, message: str) -> None: ...

    def record_log(self, observation: Observation, dedup: str) -> None: ...


def ended_instances(pod: dict) -> list[Ended]:
    """The terminated instances a pod object shows: each container's current state if terminated, else
    its last state."""
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    out = []
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        if not isinstance(cs, dict) or not cs.get("name"):
            continue
        now = ((cs.get("state") or {}).get("terminated"))
        last = ((cs.get("lastState") or {}).get("terminated"))
        term, previous = (now, False) if isinstance(now, dict) else (last, True)
        if not isinstance(term, dict):
            continue
        rc = cs.get("restartCount")
        if previous and isinstance(rc, int) and (cs.get("state") or {}).get("running"):
            rc -= 1  # the instance before the running one (while it waits in back-off, none newer exists)
        out.append(Ended(pod={"name": meta.get("name"), "namespace": meta.get("namespace"), "uid": meta.get("uid")},
                         container=str(cs["name"]), previous=previous, restart_count=rc if isinstance(rc, int) else None,
                         container_id=term.get("containerID") or None, finished_at=term.get("finishedAt") or None,
                         exit_code=term.get("exitCode"), reason=term.get("reason")))
    return out


def log_observation(e: Ended, text: str, truncated: bool, tail_lines: int, seq: int = 0) -> Observation | None:
    """The `log` observation of what the server returned; None when the instance logged nothing."""
    lines = [line[:LOG_LINE_MAX] for line in text.splitlines()][-LOG_KEEP:]
    if not lines:
        return None
    query = urlencode({"container": e.container, "previous": "true" if e.previous else "false",
                       "tailLines": tail_lines})
    data: dict[str, Any] = {"lines": lines, "previous": e.previous, "source": "api", "truncated": truncated,
                            "restart_count": e.restart_count, "container_id": e.container_id,
                            "finished_at": e.finished_at}
    return Observation(kind=LOG, pod=pod_key({"metadata": e.pod}), origin=f"api:{e.path}?{query}",
                       raw=f"log of {e.container} ({'previous' if e.previous else 'current'} instance, "
                           f"{len(lines)} lines)", data=data, container=e.container, time=e.finished_at,
                       clock=CLOCK_ABS, seq=seq)


class LogFetcher:
    """Fetches each terminated instance's log tail once, in a few threads, within a per-second budget."""

    def __init__(self, owner: LogOwner, settings: LogSettings | None = None,
                 request_timeout: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.owner = owner
        self.settings = settings or LogSettings()
        self.request_timeout = request_timeout or 30.0
        self.clock = clock
        self.todo: queue.Queue[Ended] = queue.Queue(maxsize=self.settings.backlog)
        self.seen: OrderedDict[tuple, None] = OrderedDict()
        self.threads: list[threading.Thread] = []
        self.forbidden = False  # a 403: no pods/log permission; said once, no more requests
        self.failed_pods: set[str] = set()  # pods whose log fetch failed once (said once each)
        self.dropped = 0
        self.requested = 0
        self.recorded = 0
        self._budget_lock = threading.Lock()
        self._tokens = self.settings.per_second
        self._refilled = clock()
        self._note_lock = threading.Lock()
        self.waiting_for_budget = 0  # workers holding a termination until the budget allows a request

    def refill_at(self, now: float) -> None:
        """Start the budget full at `now` (of `clock`)."""
        with self._budget_lock:
            self._tokens = self.settings.per_second
            self._refilled = now

    def start(self) -> None:
        for n in range(max(1, self.settings.in_flight)):
            t = threading.Thread(target=self._work, name=f"podlife-logs-{n}", daemon=True)
            t.start()
            self.threads.append(t)

    def saw_pod(self, pod: dict) -> None:
        """Called with every pod version recorded: queue each instance that ended and is not fetched yet."""
        if self.forbidden:
            return
        for e in ended_instances(pod):
            key = (e.pod.get("uid"), e.container, e.container_id or e.finished_at or e.restart_count)
            if key in self.seen:
                continue
            self.seen[key] = None
            while len(self.seen) > SEEN_MAX:
                self.seen.popitem(last=False)
            try:
                self.todo.put_nowait(e)
            except queue.Full:
                self.dropped += 1
                if self.dropped == 1:
                    self.owner.notify(f"more than {self.settings.backlog} container exits wait for their logs; "
                                      "the logs of further exits are not fetched until they catch up")

    def close(self) -> None:
        for t in self.threads:
            t.join(timeout=2)

    # -- the workers --
    def _work(self) -> None:
        while not self.owner.stopping.is_set():
            try:
                e = self.todo.get(timeout=0.2)
            except queue.Empty:
                continue
            if self.forbidden or not self._wait_for_budget():
                continue
            self._fetch(e)

    def _wait_for_budget(self) -> bool:
        """Take one request from the per-second budget (a token bucket), waiting for it; False when stopping."""
        waiting = False
        try:
            while not self.owner.stopping.is_set():
                with self._budget_lock:
                    now = self.clock()
                    rate = self.settings.per_second
                    self._tokens = min(rate, self._tokens + max(0.0, now - self._refilled) * rate)
                    self._refilled = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return True
                    wait = (1 - self._tokens) / rate
                    if not waiting:
                        waiting = True
                        self.waiting_for_budget += 1
                self.owner.stopping.wait(min(wait, 0.2))
            return False
        finally:
            if waiting:
                with self._budget_lock:
                    self.waiting_for_budget -= 1

    def _fetch(self, e: Ended) -> None:
        from kubernetes import client

        s = self.settings
        self.requested += 1
        try:
            resp = client.CoreV1Api(self.owner.api_client).read_namespaced_pod_log(
                e.pod.get("name"), e.pod.get("namespace"), container=e.container, previous=e.previous,
                tail_lines=s.tail_lines, limit_bytes=s.limit_bytes, _preload_content=False,
                _request_timeout=self.request_timeout)
            try:
                body = resp.data or b""
            finally:
                resp.release_conn()
        except Exception as exc:
            self._failed(e, exc)
            return
        ob = log_observation(e, body.decode("utf-8", errors="replace"), len(body) >= s.limit_bytes, s.tail_lines)
        if ob is None:
            return
        key = f"log/{e.pod.get('uid')}/{e.container}/{e.container_id or e.finished_at or e.restart_count}"
        with contextlib.suppress(Exception):
            self.owner.record_log(ob, key)
            self.recorded += 1

    def _failed(self, e: Ended, exc: BaseException) -> None:
        status = getattr(exc, "status", None)
        where = f"{e.pod.get('namespace')}/{e.pod.get('name')}"
        with self._note_lock:
            if status == 403:
                if self.forbidden:
                    return
                self.forbidden = True
                msg = status_message(getattr(exc, "body", None)) or "Forbidden"
                self.owner.notify(f"cannot read container logs (403: {msg}); recording goes on without the last "
                                  "log lines (needs get on pods/log; --no-logs stops asking)")
                return
            if where in self.failed_pods:
                return
            self.failed_pods.add(where)
        self.owner.notify(f"cannot fetch the log of {e.container} in pod {where} ({connection_reason(exc)}); "
                          "its exit is recorded without its last log lines")
