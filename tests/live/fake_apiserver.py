"""A small Kubernetes API server for tests: list + watch of pods and events on 127.0.0.1.

It speaks enough of the protocol for live capture: collection resourceVersions, chunked watch
streams (one JSON event per line), field and label selectors, bookmarks, timeoutSeconds, 410 Gone
for compacted history (as an HTTP status or an ERROR watch event), dropped connections, and going
away altogether. Changes are applied from scripts as fast as the test wants; timestamps inside the
objects are the scenario's, not the wall clock's.
"""

from __future__ import annotations

import bisect
import copy
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

RESOURCES = ("pods", "events")


@dataclass
class Change:
    rv: int
    resource: str  # pods | events
    type: str  # ADDED | MODIFIED | DELETED
    obj: dict


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    watch: bool
    auth: str | None
    proxied: bool = False  # asked for an absolute URI, as clients ask a proxy


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def _get(obj: dict, path: str) -> Any:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


# the field labels the real API server accepts for these resources (others -> 400)
POD_FIELDS = ("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
              "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName")
EVENT_FIELDS = ("metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
                "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent",
                "source", "type")
NEW_EVENT_FIELDS = {"regarding.kind": "involvedObject.kind", "regarding.namespace": "involvedObject.namespace",
                    "regarding.name": "involvedObject.name", "regarding.uid": "involvedObject.uid",
                    "reportingController": "reportingComponent", "metadata.name": "metadata.name",
                    "metadata.namespace": "metadata.namespace", "reason": "reason", "type": "type"}


class SelectorError(ValueError):
    pass


def parse_field_selector(text: str | None, resource: str, new_events: bool) -> list[tuple[str, str, bool]]:
    out = []
    for term in filter(None, (text or "").split(",")):
        neg = "!=" in term
        k, v = term.split("!=" if neg else ("==" if "==" in term else "="), 1)
        k = k.strip()
        if resource == "pods":
            ok = k in POD_FIELDS
        elif new_events:
            ok = k in NEW_EVENT_FIELDS
            k = NEW_EVENT_FIELDS.get(k, k)
        else:
            ok = k in EVENT_FIELDS
        if not ok:
            raise SelectorError(f'field label not supported: {k}')
        out.append((k, v.strip(), neg))
    return out


def parse_label_selector(text: str | None) -> list[tuple[str, str | None, bool]]:
    out = []
    for term in filter(None, (text or "").split(",")):
        if "!=" in term:
            k, v = term.split("!=", 1)
            out.append((k.strip(), v.strip(), True))
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            out.append((k.strip(), v.strip(), False))
        else:
            out.append((term.strip(), None, False))  # existence
    return out


def matches(obj: dict, fields: list, labels: list) -> bool:
    for k, v, neg in fields:
        val = _get(obj, k)
        if k == "source":
            val = _get(obj, "source.component")
        val = "" if val is None else str(val)
        if (val == v) == neg:
            return False
    lab = (obj.get("metadata") or {}).get("labels") or {}
    for k, v, neg in labels:
        if v is None:
            if k not in lab:
                return False
        elif (lab.get(k) == v) == neg:
            return False
    return True


def to_events_v1(ev: dict) -> dict:
    """core/v1 Event -> events.k8s.io/v1 shape (the API server converts between them)."""
    out = {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": copy.deepcopy(ev.get("metadata") or {}),
        "eventTime": ev.get("eventTime"), "series": ev.get("series"),
        "reportingController": ev.get("reportingComponent") or "",
        "reportingInstance": ev.get("reportingInstance") or "", "action": ev.get("action"),
        "reason": ev.get("reason"), "regarding": ev.get("involvedObject"), "related": ev.get("related"),
        "note": ev.get("message"), "type": ev.get("type"), "deprecatedSource": ev.get("source") or {},
        "deprecatedFirstTimestamp": ev.get("firstTimestamp"), "deprecatedLastTimestamp": ev.get("lastTimestamp"),
        "deprecatedCount": ev.get("count") or 0,
    }
    return {k: v for k, v in out.items() if v is not None}


class FakeKube:
    """State, history and behaviour switches; `url` once started."""

    def __init__(self, tokens: Iterable[str] = ("test-token",), core_events: bool = True,
                 new_events: bool = True, bookmarks: bool = True, max_watch_seconds: float = 30.0,
                 host: str = "127.0.0.1"):
        self.host = host  # the address it listens on (loopback unless a test needs another)
        self.cond = threading.Condition()
        self.rv = 1000
        self.objects: dict[str, dict[str, dict]] = {r: {} for r in RESOURCES}
        self.history: list[Change] = []
        self._history_rvs: list[int] = []
        self.tokens = set(tokens)
        self.core_events = core_events
        self.new_events = new_events
        self.bookmarks = bookmarks
        self.max_watch_seconds = max_watch_seconds
        self.compacted_rv = 0  # watches from an older resourceVersion get 410
        self.gone_as_event = False  # 410 as an ERROR watch event (200 + Status) instead of an HTTP 410
        self.drop_after: dict[str, int] = {}  # resource -> drop the next watch after N events (once)
        self.close_watches_after_idle: float | None = None  # end idle watches (like timeoutSeconds) sooner
        self.list_delay = 0.0  # seconds a list request takes (a slow or overloaded server)
        self.event_delay = 0.0  # seconds before each watch event is written (a slow server or network)
        self.fail_with: int | None = None  # answer every pods/events request with this HTTP status
        self.logs: dict[str, str] = {}  # containerID -> what that container instance logged
        self.log_forbidden = False  # pods/log answers 403, as for a user without `get pods/log`
        self.log_fail_with: int | None = None  # pods/log answers this HTTP status (404: the pod went away)
        self.log_requests: list[Request] = []  # pods/log requests, in the order they came
        self.requests: list[Request] = []
        self.delivered: list[tuple[str, str, str, str]] = []  # (resource, how, uid, rv): what clients were sent
        self.active_watches: dict[str, int] = {r: 0 for r in RESOURCES}
        self.lists_answered = 0  # list requests answered in full
        self.in_flight = 0  # connections accepted whose handler has not finished
        self.bookmarks_sent = 0
        self.drops = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._snapshots: dict[str, tuple[int, list[dict]]] = {}  # list continue tokens
        self.port = 0
        self.down = False

    # --- lifecycle ---
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, port: int = 0) -> "FakeKube":
        kube = self

        class Handler(self.handler_class):
            server_kube = kube

        class Server(ThreadingHTTPServer):
            # Counted here, in the serving thread, before the handler's thread exists: stop() can then
            # wait for every connection it accepted, including one accepted while it was stopping.
            def process_request(self, request: Any, client_address: Any) -> None:
                with kube.cond:
                    kube.in_flight += 1
                    kube._conns.add(request)
                super().process_request(request, client_address)

            def process_request_thread(self, request: Any, client_address: Any) -> None:
                try:
                    super().process_request_thread(request, client_address)
                finally:
                    with kube.cond:
                        kube.in_flight -= 1
                        kube._conns.discard(request)
                        kube.cond.notify_all()

        httpd = Server((self.host, port or self.port), Handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.down = False
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-kube", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 120) -> None:
        """Go away: stop listening (connection refused), cut every open connection, and return only once
        every request it accepted has finished, so nothing it served streams on after restart()."""
        with self.cond:
            self.down = True
            self.cond.notify_all()
        self._cut()
        if self._httpd is not None:
            self._httpd.shutdown()  # no more accepts once this returns
            self._httpd.server_close()
            self._httpd = None
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"{self.in_flight} requests still being served after stop()")
                self._cut()  # a connection accepted while stopping is cut as well
                self.cond.wait(min(left, 0.05))

    def _cut(self) -> None:
        for c in list(self._conns):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def answer_lists(self) -> None:
        """End `list_delay`: lists waiting for it are answered now, later ones at once."""
        with self.cond:
            self.list_delay = 0.0
            self.cond.notify_all()

    def restart(self) -> None:
        """Come back on the same port with the same history."""
        for _ in range(50):
            try:
                self.start(self.port)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"cannot listen on port {self.port} again")

    # --- changes ---
    def apply(self, resource: str, type_: str, obj: dict) -> dict:
        """Store a new version (assigning its resourceVersion) and wake the watchers."""
        obj = copy.deepcopy(obj)
        with self.cond:
            self.rv += 1
            obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
            uid = obj["metadata"]["uid"]
            if type_ == "DELETED":
                self.objects[resource].pop(uid, None)
            else:
                self.objects[resource][uid] = obj
            self.history.append(Change(self.rv, resource, type_, obj))
            self._history_rvs.append(self.rv)
            self.cond.notify_all()
        return obj

    def bump(self, n: int = 1) -> None:
        """Advance the resourceVersion (changes to other resources nobody here watches)."""
        with self.cond:
            self.rv += n
            self.cond.notify_all()

    def compact(self) -> None:
        """Forget the history so far: watches from any older resourceVersion get 410 Gone."""
        with self.cond:
            self.compacted_rv = self.rv

    def wait_for_watchers(self, counts: dict[str, int], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while any(self.active_watches[r] < n for r, n in counts.items()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"watchers: {self.active_watches}, wanted {counts}")
                self.cond.wait(left)

    def watch_requests(self, resource: str | None = None) -> list[Request]:
        return [r for r in self.requests if r.watch and (resource is None or f"/{resource}" in r.path)]

    # --- serving ---
    def _select(self, resource: str, ns: str | None, params: dict[str, str], new_events: bool):
        fields = parse_field_selector(params.get("fieldSelector"), resource, new_events)
        labels = parse_label_selector(params.get("labelSelector"))

        def ok(obj: dict) -> bool:
            if ns and (obj.get("metadata") or {}).get("namespace") != ns:
                return False
            return matches(obj, fields, labels)
        return ok

    def _shape(self, resource: str, obj: dict, new_events: bool) -> dict:
        return to_events_v1(obj) if resource == "events" and new_events else obj


class KubeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_kube: FakeKube

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _json(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _refuse(self) -> None:
        """Any method but GET: recorded (tests check that capture never writes) and refused."""
        kube = self.server_kube
        kube.requests.append(Request(self.command, urlsplit(self.path).path, {}, False,
                                     self.headers.get("Authorization")))
        self.close_connection = True
        self._json(405, _status(405, "MethodNotAllowed", f"{self.command} is not allowed here"))

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

    def do_GET(self) -> None:  # noqa: C901 - a router
        kube = self.server_kube
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        watch = params.get("watch") in ("1", "true", "True")
        auth = self.headers.get("Authorization")
        kube.requests.append(Request("GET", url.path, params, watch, auth, proxied=bool(url.netloc)))
        if kube.tokens and auth not in {f"Bearer {t}" for t in kube.tokens}:
            self._json(401, _status(401, "Unauthorized", "Unauthorized"))
            return
        parts = [p for p in url.path.split("/") if p]
        if url.path == "/version":
            self._json(200, {"major": "1", "minor": "30", "gitVersion": "v1.30.0", "platform": "linux/amd64"})
            return
        if url.path == "/api":
            self._json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
            return
        if url.path == "/apis":
            groups = []
            if kube.new_events:
                gv = {"groupVersion": "events.k8s.io/v1", "version": "v1"}
                groups.append({"name": "events.k8s.io", "versions": [gv], "preferredVersion": gv})
            self._json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
            return
        if url.path == "/api/v1":
            res = [{"name": "pods", "namespaced": True, "kind": "Pod", "verbs": ["get", "list", "watch"]}]
            if kube.core_events:
                res.append({"name": "events", "namespaced": True, "kind": "Event", "verbs": ["list", "watch"]})
            self._json(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": res})
            return
        if parts[:3] == ["api", "v1", "namespaces"] and len(parts) == 7 and parts[4] == "pods" and parts[6] == "log":
            self._log(parts[3], parts[5], params)
            return
        # /api/v1[/namespaces/{ns}]/{pods|events}  or  /apis/events.k8s.io/v1[/namespaces/{ns}]/events
        new_events = False
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
        elif parts[:3] == ["apis", "events.k8s.io", "v1"] and kube.new_events:
            rest = parts[3:]
            new_events = True
        else:
            self._json(404, _status(404, "NotFound", "the server could not find the requested resource"))
            return
        ns = None
        if len(rest) == 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if len(rest) != 1 or rest[0] not in RESOURCES or (new_events and rest[0] != "events") \
                or (rest[0] == "events" and not new_events and not kube.core_events):
            self._json(404, _status(404, "NotFound", "the server could not find the requested resource"))
            return
        resource = rest[0]
        if kube.fail_with:
            self._json(kube.fail_with, _status(kube.fail_with, "ServiceUnavailable", "etcdserver: leader changed"))
            return
        try:
            ok = kube._select(resource, ns, params, new_events)
        except SelectorError as exc:
            self._json(400, _status(400, "BadRequest", str(exc)))
            return
        if watch:
            self._watch(resource, ok, params, new_events)
        else:
            self._list(resource, ok, params, new_events)

    def _log(self, ns: str, name: str, params: dict[str, str]) -> None:
        """pods/log as the API server and kubelet answer it (validateContainerLogStatus): the instance is picked
        from the pod's current status, tailLines then limitBytes applied, plain text."""
        kube = self.server_kube
        with kube.cond:
            kube.log_requests.append(Request("GET", f"/api/v1/namespaces/{ns}/pods/{name}/log", params, False,
                                             self.headers.get("Authorization")))
            kube.cond.notify_all()
        if kube.log_forbidden:
            self._json(403, _status(403, "Forbidden", f'pods "{name}" is forbidden: User "system:serviceaccount:ops:'
                                    f'viewer" cannot get resource "pods/log" in API group "" in the namespace "{ns}"'))
            return
        if kube.log_fail_with:
            self._json(kube.log_fail_with, _status(kube.log_fail_with, "NotFound", f'pods "{name}" not found'))
            return
        with kube.cond:
            pod = next((copy.deepcopy(o) for o in kube.objects["pods"].values()
                        if o["metadata"].get("namespace") == ns and o["metadata"].get("name") == name), None)
        if pod is None:
            self._json(404, _status(404, "NotFound", f'pods "{name}" not found'))
            return
        status = pod.get("status") or {}
        statuses = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
        names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        container = params.get("container") or (names[0] if len(names) == 1 else None)
        if not container:
            self._json(400, _status(400, "BadRequest", f"a container name must be specified for pod {name}, choose "
                                    f"one of: [{' '.join(str(n) for n in names)}]"))
            return
        cs = next((c for c in statuses if c.get("name") == container), None)
        if cs is None:
            self._json(400, _status(400, "BadRequest", f"container {container} is not valid for pod {name}"))
            return
        state, last = cs.get("state") or {}, (cs.get("lastState") or {}).get("terminated")
        if params.get("previous") in ("true", "1", "True"):
            cid = (last or {}).get("containerID")
            if not cid:
                self._json(400, _status(400, "BadRequest", f'previous terminated container "{container}" in pod '
                                        f'"{name}" not found'))
                return
        elif state.get("running"):
            cid = cs.get("containerID")
        elif state.get("terminated"):
            cid = state["terminated"].get("containerID") or (last or {}).get("containerID")
        elif last:
            cid = last.get("containerID")
        else:
            reason = (state.get("waiting") or {}).get("reason", "ContainerCreating")
            self._json(400, _status(400, "BadRequest", f'container "{container}" in pod "{name}" is waiting to start: '
                                    f"{reason}"))
            return
        lines = kube.logs.get(str(cid), "").splitlines(keepends=True)
        if params.get("tailLines") not in (None, ""):
            n = int(params["tailLines"])
            lines = lines[-n:] if n > 0 else []
        data = "".join(lines).encode()
        if params.get("limitBytes") not in (None, ""):
            data = data[:int(params["limitBytes"])]  # the kubelet stops writing there: the END is cut
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _list(self, resource: str, ok, params: dict[str, str], new_events: bool) -> None:
        kube = self.server_kube
        if kube.list_delay:
            with kube.cond:  # slow, but not slower than the server going away
                kube.cond.wait_for(lambda: kube.down or not kube.list_delay, kube.list_delay)
                if kube.down:
                    self.close_connection = True
                    return
        cont = params.get("continue")
        if cont:  # later pages come from the first page's snapshot, as the real server does
            token, start_s = cont.rsplit(":", 1)
            rv, items = kube._snapshots[token]
            start = int(start_s)
        else:
            with kube.cond:  # stored objects are never mutated (apply stores copies), so no copy here
                items = [o for o in kube.objects[resource].values() if ok(o)]
                rv = kube.rv
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            token = f"{rv}-{id(items)}"
            start = 0
        limit = int(params.get("limit") or 0)
        page = items[start:start + limit] if limit else items[start:]
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if limit and start + limit < len(items):
            kube._snapshots[token] = (rv, items)
            meta["continue"] = f"{token}:{start + limit}"
        kind = "EventList" if resource == "events" else "PodList"
        self._json(200, {"kind": kind, "apiVersion": "events.k8s.io/v1" if new_events else "v1", "metadata": meta,
                         "items": [kube._shape(resource, o, new_events) for o in page]})
        with kube.cond:  # recorded once written and flushed, not before
            for o in page:
                kube.delivered.append((resource, "list", o["metadata"]["uid"], o["metadata"]["resourceVersion"]))
            kube.lists_answered += 1

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _watch(self, resource: str, ok, params: dict[str, str], new_events: bool) -> None:
        kube = self.server_kube
        rv_param = params.get("resourceVersion") or ""
        timeout = min(float(params.get("timeoutSeconds") or kube.max_watch_seconds), kube.max_watch_seconds)
        bookmarks = params.get("allowWatchBookmarks") in ("true", "1", "True") and kube.bookmarks
        with kube.cond:
            gone = rv_param not in ("", "0") and int(rv_param) < kube.compacted_rv
            if gone and not kube.gone_as_event:
                msg = f"too old resource version: {rv_param} ({kube.compacted_rv})"
                self._json(410, _status(410, "Expired", msg))
                return
            if rv_param in ("", "0"):
                initial = [o for o in kube.objects[resource].values() if ok(o)]
                cursor = kube.rv
            else:
                initial = []
                cursor = int(rv_param)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if gone:
            msg = f"too old resource version: {rv_param} ({kube.compacted_rv})"
            self._chunk((json.dumps({"type": "ERROR", "object": _status(410, "Expired", msg)}) + "\n").encode())
            self._chunk(b"")
            return
        with kube.cond:
            kube.active_watches[resource] += 1
            kube.cond.notify_all()
        deadline = time.monotonic() + timeout
        idle_since = time.monotonic()
        try:
            for o in initial:
                self._send(resource, "ADDED", o, new_events)
            while True:
                out: list[Change] = []
                bookmark = None
                with kube.cond:
                    if kube.down:  # the server "went away": cut the connection
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    i = bisect.bisect_right(kube._history_rvs, cursor)
                    for ch in kube.history[i:]:
                        cursor = ch.rv
                        if ch.resource == resource and ok(ch.obj):
                            out.append(ch)
                    if not out:
                        if bookmarks and kube.rv > cursor:
                            bookmark = kube.rv
                            cursor = kube.rv
                        else:
                            now = time.monotonic()
                            idle_end = (idle_since + kube.close_watches_after_idle
                                        if kube.close_watches_after_idle is not None else deadline)
                            if now >= min(deadline, idle_end):
                                break
                            kube.cond.wait(min(0.05, max(0.0, min(deadline, idle_end) - now)))
                            continue
                for ch in out:
                    if self._should_drop(resource):
                        kube.drops += 1
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)  # mid-stream, no final chunk
                        return
                    self._send(resource, ch.type, ch.obj, new_events)
                    idle_since = time.monotonic()
                if bookmark is not None:
                    kind = "Event" if resource == "events" else "Pod"
                    api = "events.k8s.io/v1" if new_events else "v1"
                    ev = {"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api,
                                                         "metadata": {"resourceVersion": str(bookmark)}}}
                    self._chunk((json.dumps(ev) + "\n").encode())
                    kube.bookmarks_sent += 1
            if bookmarks:  # the API server sends a last bookmark before closing on timeout
                with kube.cond:
                    cursor = max(cursor, kube.rv)
                ev = {"type": "BOOKMARK", "object": {"kind": "Pod" if resource == "pods" else "Event",
                                                     "apiVersion": "v1", "metadata": {"resourceVersion": str(cursor)}}}
                self._chunk((json.dumps(ev) + "\n").encode())
                kube.bookmarks_sent += 1
            self._chunk(b"")
        except OSError:
            self.close_connection = True
        finally:
            with kube.cond:
                kube.active_watches[resource] -= 1
                kube.cond.notify_all()

    def _should_drop(self, resource: str) -> bool:
        """`drop_after[resource] = N`: the watch carrying that resource drops after N more events."""
        kube = self.server_kube
        with kube.cond:
            n = kube.drop_after.get(resource)
            if n is None:
                return False
            if n <= 0:
                del kube.drop_after[resource]
                return True
            kube.drop_after[resource] = n - 1
            return False

    def _send(self, resource: str, type_: str, obj: dict, new_events: bool) -> None:
        kube = self.server_kube
        if kube.event_delay:
            time.sleep(kube.event_delay)
        body = {"type": type_, "object": kube._shape(resource, obj, new_events)}
        self._chunk((json.dumps(body) + "\n").encode())
        kube.delivered.append((resource, type_, obj["metadata"]["uid"], obj["metadata"]["resourceVersion"]))


# --- kubeconfig files pointing at it ---------------------------------------------------------------

def write_kubeconfig(path: Path, contexts: list[dict], current: str | None, clusters: list[dict],
                     users: list[dict]) -> Path:
    import yaml

    doc = {"apiVersion": "v1", "kind": "Config", "preferences": {}, "clusters": clusters, "users": users,
           "contexts": contexts}
    if current is not None:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def simple_kubeconfig(path: Path, server: str, token: str = "test-token", namespace: str | None = None,
                      name: str = "fake") -> Path:
    ctx: dict = {"cluster": f"{name}-cluster", "user": f"{name}-user"}
    if namespace:
        ctx["namespace"] = namespace
    return write_kubeconfig(path, [{"name": name, "context": ctx}], name,
                            [{"name": f"{name}-cluster", "cluster": {"server": server}}],
                            [{"name": f"{name}-user", "user": {"token": token}}])


FakeKube.handler_class = KubeHandler  # what answers requests; a subclass of FakeKube may serve another
