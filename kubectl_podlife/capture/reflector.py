"""The reflector: one list+watch loop for one resource and selector, in its own thread, as client-go's
reflector does. It pages the list, watches from its resourceVersion, follows bookmarks, resumes a dropped
watch where it stopped, relists after 410 Gone (reporting the pods that vanished in the gap), and backs off
while the API server does not answer. It hands what it receives to its owner (the recorder) through the
`StreamOwner` interface below, and records nothing itself.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Protocol

from kubectl_podlife.capture.connection import ConnectionState
from kubectl_podlife.capture.errors import Gone, WatchError, connection_reason

LIST_PAGE = 500  # items per list page (limit/continue), as kubectl and client-go reflectors page
WATCH_TIMEOUT = (300, 600)  # seconds the server may hold a watch open; client-go asks 5-10 min
BACKOFF_BASE = 1.0  # reconnect back-off: 1 s doubling ...
BACKOFF_MAX = 30.0  # ... to 30 s
CONNECT_TIMEOUT = 30.0  # kubectl's default dial timeout when --request-timeout is 0

Item = tuple[str, str, dict, str]  # (resource "pods"|"events", type ADDED|MODIFIED|DELETED|LIST, object, arrival)


def arrival_time() -> str:
    """The local clock, as an API timestamp: when an object was received."""
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class Stats:
    items: int = 0  # objects received and recorded (list items and watch events), counted once committed
    observations: int = 0  # observations added to the store
    duplicates: int = 0  # object versions seen before (relist, reconnect) and not added again
    bookmarks: int = 0
    reconnects: int = 0
    relists: int = 0
    gone: int = 0
    retries: int = 0
    held_events: int = 0


@dataclass(frozen=True)
class WatchSettings:
    """How long requests may take and how reconnecting backs off (tests shorten them)."""

    request_timeout: float | None = None  # --request-timeout for a list; None = no limit
    watch_timeout: tuple[int, int] = WATCH_TIMEOUT
    backoff_base: float = BACKOFF_BASE
    backoff_max: float = BACKOFF_MAX


class StreamOwner(Protocol):
    """What a reflector needs from whoever runs it; every method is called on the reflector's thread."""

    api_client: Any
    settings: WatchSettings
    stopping: threading.Event
    stats: Stats
    connection: ConnectionState  # told when the server does not answer, answers again, or a relist starts

    def deliver(self, items: list[Item]) -> None:
        """Take received objects, in order; may block while the recorder is behind (back-pressure)."""

    def gap(self, message: str) -> None:
        """A stretch of changes may have been missed (410 Gone): say so and keep it with the session."""



class Reflector:
    """One list+watch loop for one resource and selector, in its own thread."""

    def __init__(self, owner: StreamOwner, resource: str, namespace: str | None, field_selector: str | None = None,
                 label_selector: str | None = None, events_api: str = "v1"):
        self.owner = owner
        self.resource = resource
        self.namespace = namespace
        self.field_selector = field_selector or None
        self.label_selector = label_selector or None
        self.events_api = events_api  # "v1" (core) or "events.k8s.io/v1"
        self.rv: str | None = None
        self.thread: threading.Thread | None = None
        self._resp: Any = None
        self._established = False  # the current request got its response headers
        self._received = 0  # watch events received on the current request
        self._down_since: float | None = None  # when the API server stopped answering this stream
        self.watch_requests = 0
        self.listed = 0  # items in the last list
        # Pods this stream has seen and not seen deleted (name/namespace/uid/rv only): a relist after a
        # 410 that no longer has one means it was deleted while the watch was away.
        self.known: dict[str, dict] = {}
        self._relisted: set[str] | None = None

    @property
    def label(self) -> str:
        what = self.resource if self.resource == "pods" or self.events_api == "v1" else "events.k8s.io events"
        sel = ",".join(s for s in (self.field_selector, self.label_selector) if s)
        return f"{what}{f' ({sel})' if sel else ''}"

    def _fn(self) -> Callable[..., Any]:
        from kubernetes import client

        api = self.owner.api_client
        if self.resource == "pods":
            core = client.CoreV1Api(api)
            return core.list_namespaced_pod if self.namespace else core.list_pod_for_all_namespaces
        if self.events_api == "v1":
            core = client.CoreV1Api(api)
            return core.list_namespaced_event if self.namespace else core.list_event_for_all_namespaces
        ev = client.EventsV1Api(api)
        return ev.list_namespaced_event if self.namespace else ev.list_event_for_all_namespaces

    def _call(self, **kw: Any) -> Any:
        args = (self.namespace,) if self.namespace else ()
        kw = {k: v for k, v in kw.items() if v is not None}
        return self._fn()(*args, field_selector=self.field_selector, label_selector=self.label_selector,
                          _preload_content=False, **kw)

    def list(self, sink: Callable[[list[Item]], None]) -> str:
        """List (in pages) into `sink`; returns the list's resourceVersion to watch from."""
        cont: str | None = None
        list_rv: str | None = None
        self.listed = 0
        timeout = self.owner.settings.request_timeout or None
        while True:
            try:
                resp = self._call(limit=LIST_PAGE, _continue=cont, _request_timeout=timeout)
            except Exception as exc:
                if getattr(exc, "status", None) == 410 and cont:  # the continue token expired: start over
                    cont, list_rv = None, None
                    continue
                raise
            try:
                body = json.loads(resp.data or b"{}")
            finally:
                resp.release_conn()
            arrival = arrival_time()
            meta = body.get("metadata") or {}
            list_rv = list_rv or meta.get("resourceVersion")
            items = [i for i in body.get("items") or [] if isinstance(i, dict)]
            self.listed += len(items)
            if items:
                sink([(self.resource, "LIST", i, arrival) for i in items])
            cont = meta.get("continue") or None
            if not cont:
                return str(list_rv or "")

    def watch(self, sink: Callable[[list[Item]], None]) -> None:
        """Watch from self.rv until the server ends the stream; updates self.rv as events arrive."""
        timeout = random.randint(*self.owner.settings.watch_timeout)
        connect = self.owner.settings.request_timeout or CONNECT_TIMEOUT
        self.watch_requests += 1
        resp = self._call(watch=True, resource_version=self.rv or None, allow_watch_bookmarks=True,
                          timeout_seconds=timeout, _request_timeout=(connect, timeout + 30))
        self._resp = resp
        self._established = True
        self._back_online()
        self.owner.connection.watching(self.label)
        finished = False  # read to the server's end of stream: the connection can be reused
        try:
            if self.owner.stopping.is_set():  # closed while the request was on its way
                return
            for line in _lines(resp):
                if self.owner.stopping.is_set():
                    return
                if not line.strip():
                    continue
                try:
                    ev = json.loads(line)
                except ValueError as exc:
                    raise ConnectionError(f"unreadable watch event ({exc})") from None
                etype = ev.get("type")
                obj = ev.get("object") or {}
                if etype == "ERROR":
                    code = obj.get("code")
                    if code == 410 or obj.get("reason") in ("Expired", "Gone"):
                        raise Gone(obj.get("message") or "resource version expired")
                    raise WatchError(f"watch error {code}: {obj.get('message') or obj.get('reason')}")
                rv = (obj.get("metadata") or {}).get("resourceVersion")
                if etype == "BOOKMARK":
                    self._received += 1
                    if rv:
                        self.rv = rv
                        self.owner.stats.bookmarks += 1
                    continue
                self._received += 1
                if etype in ("ADDED", "MODIFIED", "DELETED"):
                    sink([(self.resource, etype, obj, arrival_time())])
                    if rv:
                        self.rv = rv
            finished = True
        finally:
            self._resp = None
            with contextlib.suppress(Exception):
                if not finished:  # unread data on it: never hand this connection to the next request
                    resp.close()
                resp.release_conn()

    def remember(self, items: list[Item]) -> None:
        """Keep the pods this stream has been given, from a list (the first one too) or a watch event, so
        that a relist after a 410 can tell which of them were deleted while it was away."""
        if self.resource != "pods":
            return
        for _res, etype, obj, _arrival in items:
            meta = obj.get("metadata") or {}
            uid = meta.get("uid")
            if not uid:
                continue
            if etype == "DELETED":
                self.known.pop(uid, None)
            else:
                self.known[uid] = {"metadata": {k: meta.get(k) for k in ("name", "namespace", "uid",
                                                                         "resourceVersion")}}
                if self._relisted is not None:
                    self._relisted.add(uid)

    def _sink(self, items: list[Item]) -> None:
        self.remember(items)
        self.owner.deliver(items)

    def _report_vanished(self) -> None:
        """Pods the relist no longer returns were deleted during the gap: say so (client-go does too)."""
        seen, self._relisted = self._relisted or set(), None
        gone = [uid for uid in self.known if uid not in seen]
        if gone:
            arrival = arrival_time()
            self.owner.deliver([("pods", "VANISHED", self.known.pop(uid), arrival) for uid in gone])

    def _back_online(self) -> None:
        if self._down_since is not None:
            self.owner.connection.reachable(self.label, time.monotonic() - self._down_since)
            self._down_since = None

    def run(self) -> None:
        """The stream's thread: watch, resume after drops, relist after 410, back off when unreachable."""
        failures = 0
        while not self.owner.stopping.is_set():
            self._established = False
            self._received = 0
            started = time.monotonic()
            try:
                if not self.rv:
                    relist = bool(self.known)
                    self._relisted = set() if relist else None
                    self.owner.connection.relisting(self.label)  # the first list was Capture.open's
                    self.rv = self.list(self._sink)
                    if relist:
                        self._report_vanished()
                    self.owner.stats.relists += 1
                    self._back_online()
                self.watch(self._sink)
                failures = 0
                if not self._received and time.monotonic() - started < 1:
                    # the server ended an empty watch at once; do not spin
                    self.owner.stopping.wait(self.owner.settings.backoff_base)
            except Gone as exc:
                self.owner.stats.gone += 1
                self.owner.gap(f"{self.label}: {exc}; listed again (changes in between were missed)")
                self.rv = None
                failures = 0
            except Exception as exc:
                if self.owner.stopping.is_set():
                    break
                if getattr(exc, "status", None) == 410:
                    self.owner.stats.gone += 1
                    self.owner.gap(f"{self.label}: resource version {self.rv} expired (410 Gone); listed again")
                    self.rv = None
                    continue
                if self._established:
                    # a dropped stream: resume from the last resourceVersion (at once if it was carrying
                    # events; a stream cut while idle waits a little, so a flaky proxy cannot make us spin)
                    self.owner.stats.reconnects += 1
                    failures = 0
                    if not self._received:
                        self.owner.stopping.wait(self.owner.settings.backoff_base)
                    continue
                failures += 1
                delay = min(self.owner.settings.backoff_base * 2 ** (failures - 1), self.owner.settings.backoff_max)
                if self._down_since is None:
                    self._down_since = time.monotonic()
                self.owner.stats.retries += 1
                self.owner.connection.unreachable(self.label, connection_reason(exc), delay)
                self.owner.stopping.wait(delay)

    def close(self) -> None:
        resp = self._resp
        if resp is None:
            return
        with contextlib.suppress(Exception):
            if hasattr(resp, "shutdown"):
                resp.shutdown()
            else:  # older urllib3: unblock the reading thread through the socket
                import socket
                sock = getattr(getattr(resp, "connection", None), "sock", None)
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)


def _lines(resp: Any) -> Iterator[str]:
    """The lines of a chunked watch response as they arrive (one JSON watch event per line)."""
    buf = bytearray()
    for chunk in resp.stream(amt=None, decode_content=True):
        if isinstance(chunk, str):
            chunk = chunk.encode()
        buf.extend(chunk)
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                break
            line = bytes(buf[:nl]).decode("utf-8", errors="replace")
            del buf[:nl + 1]
            yield line
    if buf.strip():
        yield bytes(buf).decode("utf-8", errors="replace")
