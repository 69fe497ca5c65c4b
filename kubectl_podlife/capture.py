"""Live capture: list + watch pods and their Events, record every change as observations.

The only module that imports `kubernetes`, and only inside functions, so that `replay` and
`explain` of a saved file never pay for it. Watch streams are decoded here (JSON per line) and
turned into observations by `ingest.objects`; the store keeps them in a `live` session.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import queue
import random
import signal
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping, TextIO

from kubectl_podlife.arguments import add_watch_arguments
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.ingest.objects import deleted_mark, event_observation, pod_observations, spec_digest
from kubectl_podlife.observation import Observation, PodKey
from kubectl_podlife.store import Store
from kubectl_podlife.textsafe import visible

LIST_PAGE = 500  # items per list page (limit/continue), as kubectl and client-go reflectors page
WATCH_TIMEOUT = (300, 600)  # seconds the server may hold a watch open; client-go asks 5-10 min
BACKOFF_BASE = 1.0  # reconnect back-off: 1 s doubling ...
BACKOFF_MAX = 30.0  # ... to 30 s
CONNECT_TIMEOUT = 30.0  # kubectl's default dial timeout when --request-timeout is 0
QUEUE_MAX = 2000  # watch items waiting to be recorded; streams block (back-pressure) beyond this
PENDING_EVENTS_MAX = 5000  # events held back until their pod is known (label/field-selector mode)
SEEN_PODS_MAX = 100_000  # uids remembered for event filtering (LRU)


# --- command line ------------------------------------------------------------------------------



def parse_request_timeout(text: str | None) -> float | None:
    """kubectl's --request-timeout: `30s`, `1m`, `1h30m`, a bare number of seconds; 0 = no timeout."""
    from kubectl_podlife.timefmt import parse_go_duration

    s = (text or "0").strip()
    seconds: float | None
    try:
        seconds = float(s)
    except ValueError:
        seconds = parse_go_duration(s)
    if seconds is None or seconds < 0:
        raise PodlifeError(f'--request-timeout "{text}": expected a duration like 30s, 1m or 0 (no timeout)')
    return seconds or None


# --- kubeconfig ----------------------------------------------------------------------------------

@dataclass
class Target:
    """Where to watch: an API client for one cluster/user, and the namespace to use."""

    api_client: Any
    server: str
    context: str | None
    namespace: str
    source: str  # the kubeconfig file(s) read, or "in-cluster"

    def describe(self) -> str:
        ctx = f"context {self.context}" if self.context else "in-cluster config"
        return f"{ctx} ({self.server})"


def _kubeconfig_paths(flag: str | None, environ: Mapping[str, str]) -> tuple[list[str] | None, str]:
    """kubectl's loading order: --kubeconfig (that file only), $KUBECONFIG (merged list), ~/.kube/config."""
    if flag:
        path = os.path.expanduser(flag)
        if not os.path.isfile(path):
            raise PodlifeError(f"{flag}: no such kubeconfig file; pass an existing file to --kubeconfig")
        return [path], flag
    env = environ.get("KUBECONFIG", "")
    if env:
        listed = [os.path.expanduser(p) for p in env.split(os.pathsep) if p]
        existing = [p for p in listed if os.path.isfile(p)]
        if not existing:
            raise PodlifeError(f"KUBECONFIG={env}: none of these kubeconfig files exists; "
                               "fix $KUBECONFIG or pass --kubeconfig FILE")
        return existing, "$KUBECONFIG (" + os.pathsep.join(existing) + ")"
    home = os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".kube", "config")
    if os.path.isfile(home):
        return [home], home
    return None, home


def _read_kubeconfig(path: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except OSError as exc:
        raise PodlifeError(f"{path}: cannot read kubeconfig ({exc.strerror}); fix the permissions or pass "
                           "another file with --kubeconfig") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise PodlifeError(f"{path}{where}: not a valid kubeconfig (YAML error: {getattr(exc, 'problem', exc)}); "
                           "fix the file or pass another with --kubeconfig") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise PodlifeError(f"{path}: not a valid kubeconfig (expected a mapping with clusters, contexts, users); "
                           "fix the file or pass another with --kubeconfig")
    return doc


def _named(items: Any) -> Iterator[tuple[str, dict]]:
    for item in items or []:
        if isinstance(item, dict) and item.get("name"):
            yield str(item["name"]), item


def load_target(kubeconfig: str | None = None, context: str | None = None, namespace: str | None = None,
                request_timeout: float | None = None, environ: Mapping[str, str] | None = None) -> Target:
    """Resolve the cluster as kubectl would, and build an API client for it. Prints nothing."""
    environ = os.environ if environ is None else environ
    from kubernetes import client, config

    paths, label = _kubeconfig_paths(kubeconfig, environ)
    cfg = client.Configuration()
    if paths is None:
        if not environ.get("KUBERNETES_SERVICE_HOST"):
            raise PodlifeError(f"no kubeconfig: {label} does not exist and $KUBECONFIG is not set; "
                               "pass --kubeconfig FILE or set KUBECONFIG")
        try:
            config.load_incluster_config(client_configuration=cfg)
        except Exception as exc:  # ConfigException: missing service account token
            raise PodlifeError(f"in-cluster config: {exc}; pass --kubeconfig FILE") from None
        ns = namespace
        if not ns:
            with contextlib.suppress(OSError):
                with open("/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding="utf-8") as f:
                    ns = f.read().strip()
        _no_proxy_for_loopback(cfg)
        return _finish_target(client, cfg, None, ns or "default", "in-cluster")

    # Merge as kubectl does: the first file to define a name wins, and so does the first
    # current-context (the Python client would take the last one).
    contexts: dict[str, dict] = {}
    clusters: dict[str, dict] = {}
    current = None
    for path in paths:
        doc = _read_kubeconfig(path)
        for name, item in _named(doc.get("contexts")):
            contexts.setdefault(name, item)
        for name, item in _named(doc.get("clusters")):
            clusters.setdefault(name, item)
        if not current and doc.get("current-context"):
            current = str(doc["current-context"])
    ctx_name = context or current
    if not ctx_name:
        raise PodlifeError(f"{label}: no current context; pass --context NAME or run `kubectl config use-context NAME`")
    if ctx_name not in contexts:
        raise PodlifeError(f'{label}: context "{ctx_name}" not found; `kubectl config get-contexts` lists the contexts')
    ctx = contexts[ctx_name].get("context") or {}
    cluster = (clusters.get(str(ctx.get("cluster"))) or {}).get("cluster") or {}
    if not cluster.get("server"):
        raise PodlifeError(f'{label}: context "{ctx_name}" names cluster "{ctx.get("cluster")}", which has no server; '
                           "fix the kubeconfig")
    try:
        with contextlib.redirect_stdout(sys.stderr):  # nothing on stdout, whatever a plugin does
            config.load_kube_config(config_file=os.pathsep.join(paths), context=ctx_name,
                                    client_configuration=cfg, persist_config=False)
    except PodlifeError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())
        raise PodlifeError(f"{label}: cannot use context \"{ctx_name}\": {reason}; fix the kubeconfig or pick "
                           "another context with --context") from None
    ns = namespace or ctx.get("namespace") or "default"
    if not cluster.get("proxy-url"):
        _no_proxy_for_loopback(cfg)
    return _finish_target(client, cfg, ctx_name, ns, label)


def _no_proxy_for_loopback(cfg: Any) -> None:
    """A proxy from $HTTPS_PROXY/$HTTP_PROXY is never used for localhost or a loopback address, whatever
    $NO_PROXY says: Go's ProxyFromEnvironment, which kubectl uses, has that default. (A kubeconfig
    `proxy-url` is used for every server, as kubectl does.)"""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(cfg.host).hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback and cfg.proxy:
        cfg.proxy = None


def _finish_target(client: Any, cfg: Any, ctx: str | None, ns: str, source: str) -> Target:
    from kubectl_podlife import __version__

    cfg.retries = 0  # we reconnect with our own back-off; urllib3's retries would only delay the error
    api = client.ApiClient(configuration=cfg)
    api.user_agent = f"kubectl-podlife/{__version__}"
    return Target(api_client=api, server=cfg.host, context=ctx, namespace=ns, source=source)


# --- errors --------------------------------------------------------------------------------------

class _Gone(Exception):
    """410 Gone / Expired: the resourceVersion is out of the server's history; relist."""


class _WatchError(Exception):
    """An ERROR watch event other than 410."""


def _reason(exc: BaseException) -> str:
    """A few words for a connection failure (`connection refused`, `timed out`, HTTP 503 ...)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status:
        msg = _status_message(getattr(exc, "body", None))
        return f"HTTP {status} {getattr(exc, 'reason', '') or ''}".strip() + (f": {msg}" if msg else "")
    # urllib3 wraps the cause: MaxRetryError.reason -> ProtocolError(msg, RemoteDisconnected(...)) ...
    chain: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(chain) < 20:
        cur = todo.pop(0)
        if any(cur is c for c in chain):
            continue
        chain.append(cur)
        nxt = getattr(cur, "reason", None)
        for cand in (nxt, cur.__cause__, cur.__context__, *getattr(cur, "args", ())):
            if isinstance(cand, BaseException):
                todo.append(cand)
    names = " ".join(type(c).__name__ for c in chain)
    texts = " ".join(str(c) for c in chain).lower()
    if "ConnectionRefusedError" in names or "refused" in texts:
        return "connection refused"
    if "RemoteDisconnected" in names or "IncompleteRead" in names or "connection aborted" in texts \
            or "connection broken" in texts:
        return "the connection was closed"
    if "ConnectionResetError" in names or "reset by peer" in texts:
        return "connection reset"
    if "timeout" in names.lower() or "timed out" in texts:
        return "timed out"
    if "name or service not known" in texts or "nodename nor servname" in texts or "NameResolutionError" in names:
        return "host name not found"
    if "SSLError" in names or "certificate" in texts:
        return "TLS error: " + " ".join(str(chain[-1]).split())[:120]
    text = " ".join(str(chain[-1]).split())
    return text[:160] if text else type(chain[-1]).__name__


def _status_message(body: Any) -> str | None:
    if not body:
        return None
    try:
        st = json.loads(body)
    except (TypeError, ValueError):
        return None
    return st.get("message") if isinstance(st, dict) else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


# --- streams -------------------------------------------------------------------------------------

Item = tuple[str, str, dict, str]  # (resource "pods"|"events", type ADDED|MODIFIED|DELETED|LIST, object, arrival)


class _Stream:
    """One list+watch loop for one resource and selector, in its own thread."""

    def __init__(self, cap: "Capture", resource: str, namespace: str | None, field_selector: str | None = None,
                 label_selector: str | None = None, events_api: str = "v1"):
        self.cap = cap
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

        api = self.cap.target.api_client
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
        timeout = self.cap.request_timeout or None
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
            arrival = _now()
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
        timeout = random.randint(*self.cap.watch_timeout)
        connect = self.cap.request_timeout or CONNECT_TIMEOUT
        self.watch_requests += 1
        resp = self._call(watch=True, resource_version=self.rv or None, allow_watch_bookmarks=True,
                          timeout_seconds=timeout, _request_timeout=(connect, timeout + 30))
        self._resp = resp
        self._established = True
        self._back_online()
        finished = False  # read to the server's end of stream: the connection can be reused
        try:
            if self.cap.stopping.is_set():  # closed while the request was on its way
                return
            for line in _lines(resp):
                if self.cap.stopping.is_set():
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
                        raise _Gone(obj.get("message") or "resource version expired")
                    raise _WatchError(f"watch error {code}: {obj.get('message') or obj.get('reason')}")
                rv = (obj.get("metadata") or {}).get("resourceVersion")
                if etype == "BOOKMARK":
                    self._received += 1
                    if rv:
                        self.rv = rv
                        self.cap.stats.bookmarks += 1
                    continue
                self._received += 1
                if etype in ("ADDED", "MODIFIED", "DELETED"):
                    sink([(self.resource, etype, obj, _now())])
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
        self.cap._enqueue(items)

    def _report_vanished(self) -> None:
        """Pods the relist no longer returns were deleted during the gap: say so (client-go does too)."""
        seen, self._relisted = self._relisted or set(), None
        gone = [uid for uid in self.known if uid not in seen]
        if gone:
            arrival = _now()
            self.cap._enqueue([("pods", "VANISHED", self.known.pop(uid), arrival) for uid in gone])

    def _back_online(self) -> None:
        if self._down_since is not None:
            self.cap._reachable(self, time.monotonic() - self._down_since)
            self._down_since = None

    def run(self) -> None:
        """The stream's thread: watch, resume after drops, relist after 410, back off when unreachable."""
        failures = 0
        while not self.cap.stopping.is_set():
            self._established = False
            self._received = 0
            started = time.monotonic()
            try:
                if not self.rv:
                    relist = bool(self.known)
                    self._relisted = set() if relist else None
                    self.rv = self.list(self._sink)
                    if relist:
                        self._report_vanished()
                    self.cap.stats.relists += 1
                    self._back_online()
                self.watch(self._sink)
                failures = 0
                if not self._received and time.monotonic() - started < 1:
                    # the server ended an empty watch at once; do not spin
                    self.cap.stopping.wait(self.cap.backoff_base)
            except _Gone as exc:
                self.cap.stats.gone += 1
                self.cap._gap(f"{self.label}: {exc}; listed again (changes in between were missed)")
                self.rv = None
                failures = 0
            except Exception as exc:
                if self.cap.stopping.is_set():
                    break
                if getattr(exc, "status", None) == 410:
                    self.cap.stats.gone += 1
                    self.cap._gap(f"{self.label}: resource version {self.rv} expired (410 Gone); listed again")
                    self.rv = None
                    continue
                if self._established:
                    # a dropped stream: resume from the last resourceVersion (at once if it was carrying
                    # events; a stream cut while idle waits a little, so a flaky proxy cannot make us spin)
                    self.cap.stats.reconnects += 1
                    failures = 0
                    if not self._received:
                        self.cap.stopping.wait(self.cap.backoff_base)
                    continue
                failures += 1
                delay = min(self.cap.backoff_base * 2 ** (failures - 1), self.cap.backoff_max)
                if self._down_since is None:
                    self._down_since = time.monotonic()
                self.cap.stats.retries += 1
                self.cap._unreachable(_reason(exc), delay)
                self.cap.stopping.wait(delay)

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


# --- recording -----------------------------------------------------------------------------------

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


class Capture:
    """Records one cluster's pods (and their Events) into a store session while it runs."""

    def __init__(self, target: Target, store: Store, pods: Iterable[str] = (), all_namespaces: bool = False,
                 namespace: str | None = None, label_selector: str | None = None, field_selector: str | None = None,
                 request_timeout: float | None = None, notify: Callable[[str], None] | None = None,
                 on_observations: Callable[[list[Observation]], None] | None = None,
                 backoff_base: float = BACKOFF_BASE, backoff_max: float = BACKOFF_MAX,
                 watch_timeout: tuple[int, int] = WATCH_TIMEOUT):
        self.target = target
        self.store = store
        self.pods = list(dict.fromkeys(pods))
        if self.pods and all_namespaces:
            raise PodlifeError("a pod cannot be watched by name across all namespaces; drop -A or pass -n NAMESPACE")
        self.namespace = None if all_namespaces else (namespace or target.namespace)
        self.label_selector = label_selector or None
        self.field_selector = field_selector or None
        self.request_timeout = request_timeout
        self.notify = notify or (lambda msg: print(f"podlife: {visible(msg)}", file=sys.stderr, flush=True))
        self.on_observations = on_observations
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.watch_timeout = watch_timeout
        self.stopping = threading.Event()
        self.stats = Stats()
        self.session_id: int | None = None
        self.queue: queue.Queue[Item] = queue.Queue(maxsize=QUEUE_MAX)
        self.streams: list[_Stream] = []
        # memory stays bounded: the last resourceVersion per uid, a spec digest per live pod
        self._pod_rv: dict[str, str] = {}
        self._pod_spec: dict[str, str] = {}
        self._event_rv: dict[str, str] = {}
        self._seen_pods: OrderedDict[str, None] = OrderedDict()
        self._pending: OrderedDict[str, list[tuple[dict, str]]] = OrderedDict()
        self._pending_count = 0
        self._filter_events = bool(self.label_selector or self.field_selector) and not self.pods
        self._seq = 0
        self._lock = threading.Lock()  # one writer at a time (initial list vs recorder loop)
        self._note_lock = threading.Lock()
        self._last_unreachable: tuple[str, float, float] | None = None  # (reason, when, delay) last said
        self._down_reported = False

    # -- description --
    def describe(self) -> str:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        bits = [f"live: {self.target.describe()}, {where}"]
        if self.pods:
            bits.append("pods " + " ".join(self.pods))
        if self.label_selector:
            bits.append(f"-l {self.label_selector}")
        if self.field_selector:
            bits.append(f"--field-selector {self.field_selector}")
        return ", ".join(bits)

    # -- streams --
    def _make_streams(self, events_api: str) -> list[_Stream]:
        pods: list[_Stream] = []
        events: list[_Stream] = []
        prefix = "involvedObject" if events_api == "v1" else "regarding"
        if self.pods:
            for name in self.pods:
                fs = ",".join(s for s in (f"metadata.name={name}", self.field_selector) if s)
                pods.append(_Stream(self, "pods", self.namespace, fs, self.label_selector))
                events.append(_Stream(self, "events", self.namespace, f"{prefix}.kind=Pod,{prefix}.name={name}",
                                      events_api=events_api))
        else:
            pods.append(_Stream(self, "pods", self.namespace, self.field_selector, self.label_selector))
            events.append(_Stream(self, "events", self.namespace, f"{prefix}.kind=Pod", events_api=events_api))
        return pods + events

    def open(self) -> int:
        """Check the connection with the first lists, create the session, and start watching.

        Raises PodlifeError (one line, naming the server) when the API cannot be used at all; no
        session is created then. List pages are recorded as they arrive, so a large list never sits
        in memory whole.
        """
        def recorder_for(stream: _Stream) -> Callable[[list[Item]], None]:
            def record_now(batch: list[Item]) -> None:
                stream.remember(batch)
                self._ensure_session()
                self._record(batch)
            return record_now

        streams = self._make_streams("v1")
        pod_streams = [s for s in streams if s.resource == "pods"]
        event_streams = [s for s in streams if s.resource == "events"]
        for s in pod_streams:
            try:
                s.rv = s.list(recorder_for(s))
                if self.pods and not s.listed:
                    name = (s.field_selector or "").split(",")[0].split("=", 1)[-1]
                    self.notify(f'pod "{name}" is not in namespace {self.namespace} (yet); waiting for it')
            except Exception as exc:
                if self.session_id is not None:
                    self.store.close_session(self.session_id, "interrupted")
                raise self._start_error(exc, "pods") from None
        self._ensure_session()
        events_ok = True
        try:
            for s in event_streams:
                s.rv = s.list(recorder_for(s))
        except Exception as exc:
            status = getattr(exc, "status", None)
            if status == 404:  # no core/v1 events here: use events.k8s.io/v1
                event_streams = [s for s in self._make_streams("events.k8s.io/v1") if s.resource == "events"]
                try:
                    for s in event_streams:
                        s.rv = s.list(recorder_for(s))
                except Exception as exc2:
                    events_ok = False
                    self.notify(f"cannot list events ({_reason(exc2)}); recording pods only")
            elif status in (401, 403):
                events_ok = False
                self.notify(f"cannot list events ({_reason(exc)}); recording pods only")
            else:
                self.store.close_session(self.session_id, "interrupted")
                raise self._start_error(exc, "events") from None
        self.streams = pod_streams + (event_streams if events_ok else [])
        for s in self.streams:
            s.thread = threading.Thread(target=s.run, name=f"podlife-watch-{s.label}", daemon=True)
            s.thread.start()
        assert self.session_id is not None
        return self.session_id

    def _ensure_session(self) -> None:
        if self.session_id is None:
            self.session_id = self.store.create_session("live", [self.describe()])

    def _start_error(self, exc: BaseException, what: str) -> PodlifeError:
        server = self.target.server
        status = getattr(exc, "status", None)
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        if status == 401:
            return PodlifeError(f"the API server at {server} rejected the credentials of {self.target.describe()} "
                                f"(401 Unauthorized); log in again or fix the user in {self.target.source}")
        if status == 403:
            msg = _status_message(getattr(exc, "body", None)) or "Forbidden"
            return PodlifeError(f"not allowed to list {what} in {where} at {server}: {msg}; "
                                "ask for list/watch rights or pick another namespace/context")
        if isinstance(status, int) and status:
            return PodlifeError(f"the API server at {server} answered {_reason(exc)} when listing {what}; "
                                "check --context/--namespace")
        return PodlifeError(f"cannot reach the API server at {server}: {_reason(exc)}; check that the cluster is "
                            "up and that --context/--kubeconfig point at it")

    def _enqueue(self, items: list[Item]) -> None:
        for item in items:
            while not self.stopping.is_set():
                try:
                    self.queue.put(item, timeout=0.2)
                    break
                except queue.Full:
                    continue

    def _unreachable(self, reason: str, delay: float) -> None:
        """One line per retry round, however many streams failed (they back off in step)."""
        now = time.monotonic()
        with self._note_lock:
            last = self._last_unreachable
            if last is not None and last[0] == reason and now - last[1] < 0.9 * last[2]:
                return
            self._last_unreachable = (reason, now, delay)
            self._down_reported = True
        if reason.startswith("HTTP "):  # it answers, but not with what we asked for (401, 403, 5xx)
            self.notify(f"the API server at {self.target.server} answered {reason}; retrying in {delay:g}s")
        else:
            self.notify(f"cannot reach the API server at {self.target.server} ({reason}); retrying in {delay:g}s")

    def _reachable(self, stream: "_Stream", down_for: float) -> None:
        with self._note_lock:
            if not self._down_reported:
                return
            self._down_reported = False
            self._last_unreachable = None
        self.notify(f"reconnected to {self.target.server} after {down_for:.0f}s; resuming from the last "
                    "resourceVersion")

    def _gap(self, msg: str) -> None:
        """A stretch the recording may have missed: tell the user and keep it with the session."""
        self.notify(msg)
        if self.session_id is not None:
            with self._lock, contextlib.suppress(Exception):
                self.store.add_warnings(self.session_id, [(f"api:{_now()}", msg)])

    # -- the recorder --
    def run(self, stop: threading.Event | None = None) -> None:
        """Record what the streams receive until `stop` (or self.stopping) is set."""
        stop = stop or self.stopping
        while not stop.is_set() and not self.stopping.is_set():
            items = self._drain(0.2)
            if items:
                self._record(items)
        self.stopping.set()  # streams stop queueing; record what they already handed over
        while items := self._drain(0):
            self._record(items)

    def _drain(self, timeout: float) -> list[Item]:
        items: list[Item] = []
        try:
            items.append(self.queue.get(timeout=timeout) if timeout else self.queue.get_nowait())
        except queue.Empty:
            return items
        while len(items) < 500:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _record(self, items: list[Item]) -> list[Observation]:
        obs: list[Observation] = []
        keys: list[str] = []
        for resource, etype, obj, arrival in items:
            if resource == "pods":
                self._pod_item(etype, obj, arrival, obs, keys)
            else:
                self._event_item(etype, obj, arrival, obs, keys)
        if obs:
            with self._lock:
                added = self.store.append(self.session_id, obs, dedup=keys)
            self.stats.observations += added
            self.stats.duplicates += len(obs) - added
        # counted once committed, so "every object received is recorded" can be waited on
        self.stats.items += sum(1 for item in items if item[1] != "VANISHED")
        if not obs:
            return obs
        if self.on_observations is not None:
            self.on_observations(obs)
        return obs

    def _add(self, new: list[Observation], rv: str | None, obs: list[Observation], keys: list[str]) -> None:
        for o in new:
            uid = o.pod.uid or o.pod.name
            key = f"{o.kind}/{uid}/{rv}" + (f"/{o.container}" if o.container else "")
            obs.append(o)
            keys.append(key)
        self._seq += len(new)

    def _pod_item(self, etype: str, pod: dict, arrival: str, obs: list[Observation], keys: list[str]) -> None:
        meta = pod.get("metadata") or {}
        uid = meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"
        rv = meta.get("resourceVersion")
        if self._pod_rv.get(uid) != rv:
            digest = spec_digest(pod)
            fresh = self._pod_spec.get(uid) != digest
            self._add(pod_observations(pod, f"api:pods/rv={rv}", self._seq, arrival, include_spec=fresh), rv, obs, keys)
            self._pod_rv[uid] = rv
            self._pod_spec[uid] = digest
        else:
            self.stats.duplicates += 1
        if etype in ("DELETED", "VANISHED"):
            mark = deleted_mark(pod, f"api:pods/rv={rv}", self._seq, arrival)
            if etype == "VANISHED":
                mark = replace(mark, data={**mark.data, "unobserved": True},
                               raw=f"{mark.raw} (missing from the list after the watch fell behind)")
            obs.append(mark)
            keys.append(f"mark/{uid}/deleted")
            self._seq += 1
            self._pod_rv.pop(uid, None)
            self._pod_spec.pop(uid, None)
        if self._filter_events:
            self._seen_pods[uid] = None
            self._seen_pods.move_to_end(uid)
            while len(self._seen_pods) > SEEN_PODS_MAX:
                self._seen_pods.popitem(last=False)
            held = self._pending.pop(uid, None)
            if held:
                self._pending_count -= len(held)
                for ev, ev_arrival in held:
                    self._event_item("HELD", ev, ev_arrival, obs, keys)

    def _event_item(self, etype: str, ev: dict, arrival: str, obs: list[Observation], keys: list[str]) -> None:
        meta = ev.get("metadata") or {}
        uid = meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"
        rv = meta.get("resourceVersion")
        if etype == "DELETED":  # the Event expired (event-ttl); not a fact about the pod
            self._event_rv.pop(uid, None)
            return
        if self._event_rv.get(uid) == rv:
            self.stats.duplicates += 1
            return
        ob = event_observation(ev, f"api:events/rv={rv}", self._seq, arrival)
        if ob is None:
            return
        if self._filter_events and ob.pod.uid not in self._seen_pods:
            # the pod may not have arrived yet (another stream); hold the event a while
            if ob.pod.uid:
                self._pending.setdefault(ob.pod.uid, []).append((ev, arrival))
                self._pending_count += 1
                self.stats.held_events += 1
                while self._pending_count > PENDING_EVENTS_MAX:
                    _, dropped = self._pending.popitem(last=False)
                    self._pending_count -= len(dropped)
            return
        self._event_rv[uid] = rv
        obs.append(ob)
        keys.append(f"event/{uid}/{rv}")
        self._seq += 1

    # -- the end --
    def close(self, status: str = "closed") -> None:
        """Stop the streams and close the session; what was recorded stays committed."""
        self.stopping.set()
        for s in self.streams:
            s.close()
        for s in self.streams:
            if s.thread is not None:
                s.thread.join(timeout=2)
        if self.session_id is not None:
            with self._lock:
                self.store.close_session(self.session_id, status)


# --- printing transitions as they become known --------------------------------------------------

def transition_key(pt: Any, tr: Any) -> tuple:
    """What makes a transition "the same one" across rebuilds: pod, kind, container, restart count,
    and its second (a transition known only by clock time counts at that clock time's second)."""
    from kubectl_podlife.timefmt import seconds_between

    t = tr.t
    if t is None and tr.time:
        t = seconds_between(getattr(pt, "created_time", None), tr.time)
    return (pt.namespace, pt.name, pt.uid, tr.kind, tr.container, tr.restart_count,
            None if t is None else round(t), None if t is not None else tr.time)


class TransitionPrinter:
    """Rebuilds the timeline of each pod that got new observations and prints unseen transitions."""

    KEEP_ENDED = 256  # deleted pods whose history is kept for events that arrive after the deletion

    def __init__(self, output: str = "text", out: TextIO | None = None,
                 timeline_for: Callable[[list[Observation]], Any] | None = None,
                 notify: Callable[[str], None] | None = None):
        self.output = output
        self.out = out or sys.stdout
        self.notify = notify or (lambda msg: print(f"podlife: {visible(msg)}", file=sys.stderr, flush=True))
        if timeline_for is None:
            from kubectl_podlife.pipeline import timeline_for_observations
            timeline_for = timeline_for_observations
        self.timeline_for = timeline_for
        self.per_pod: dict[PodKey, list[Observation]] = {}
        self.ended: collections.OrderedDict[PodKey, None] = collections.OrderedDict()  # deleted, oldest first
        self.printed: set[tuple] = set()
        self.failed = False

    def feed(self, observations: list[Observation]) -> None:
        touched: list[PodKey] = []
        for o in observations:
            lst = self.per_pod.setdefault(o.pod, [])
            if not lst or o.pod not in touched:
                touched.append(o.pod)
            lst.append(o)
        for key in dict.fromkeys(touched):
            self._print_pod(key)
            if any(o.kind == "mark" and o.data.get("what") == "deleted" for o in self.per_pod.get(key, ())[-8:]):
                # Gone from the API, but its last events (Killing, ...) come on another stream and may come
                # after the deletion: keep its history for them, forgetting the oldest ended pods first.
                self.ended[key] = None
                self.ended.move_to_end(key)
                while len(self.ended) > self.KEEP_ENDED:
                    self.per_pod.pop(self.ended.popitem(last=False)[0], None)

    def _print_pod(self, key: PodKey) -> None:
        try:
            tl = self.timeline_for(self.per_pod[key])
        except Exception as exc:  # the model must never stop the recording
            if not self.failed:
                self.failed = True
                self.notify(f"cannot explain {key.display} yet ({type(exc).__name__}: {exc}); still recording")
            return
        for pt in tl.pods:
            for tr in pt.transitions:
                k = transition_key(pt, tr)
                if k in self.printed:
                    continue
                self.printed.add(k)
                self.out.write(self.format(pt, tr) + "\n")
        self.out.flush()

    def format(self, pt: Any, tr: Any) -> str:
        if self.output == "json":
            d = tr.to_json()
            d["namespace"] = pt.namespace
            d["pod"] = pt.name
            return json.dumps(d, separators=(",", ":"), default=str)
        from kubectl_podlife.timefmt import clock
        when = tr.time or (f"+{clock(tr.t)}" if tr.t is not None else "?")
        ns = f"{pt.namespace}/" if pt.namespace else ""
        # Names, reasons and messages come from the API server: control characters shown as \xNN.
        return visible(f"{when} {ns}{pt.name} {tr.container or '-'} {tr.kind}: {tr.summary}")


# --- the command ---------------------------------------------------------------------------------

def run_watch(args: argparse.Namespace) -> int:
    """`kubectl podlife watch`: record until Ctrl-C / SIGTERM / the TUI quits; returns the exit code."""
    return watch(args)


def watch(args: argparse.Namespace, stop: threading.Event | None = None, out: TextIO | None = None,
          err: TextIO | None = None, store: Store | None = None,
          capture_options: Mapping[str, Any] | None = None) -> int:
    """The watch command with its streams injectable (tests drive it through `stop`, `out`, `err`)."""
    out = out or sys.stdout
    err = err or sys.stderr
    lock = threading.Lock()
    held: list[str] | None = None  # while the TUI owns the terminal, notices wait here

    def notify(msg: str) -> None:  # streams and the recorder speak from several threads
        msg = visible(msg)  # notices quote API server replies and exceptions: never raw control characters
        with lock:
            if held is not None:
                held.append(msg)
                del held[:-50]
                return
            err.write(f"podlife: {msg}\n")
            err.flush()

    request_timeout = parse_request_timeout(getattr(args, "request_timeout", "0"))
    target = load_target(kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace,
                         request_timeout=request_timeout)
    use_tui = not args.no_tui and bool(getattr(out, "isatty", lambda: False)())
    run_tui = None
    if use_tui:
        try:
            from kubectl_podlife.tui.app import run_tui  # noqa: F811
        except Exception as exc:
            notify(f"the TUI is not available ({type(exc).__name__}: {exc}); printing transitions instead")
            use_tui = False
    printer = None
    if not use_tui:
        try:
            printer = TransitionPrinter(args.output, out, notify=notify)
        except Exception as exc:
            notify(f"cannot explain transitions ({type(exc).__name__}: {exc}); recording only")
    own_store = store is None
    store = store or Store()
    cap = Capture(target, store, pods=args.pods, all_namespaces=args.all_namespaces, namespace=args.namespace,
                  label_selector=args.selector, field_selector=args.field_selector,
                  request_timeout=request_timeout, notify=notify,
                  on_observations=printer.feed if printer else None, **dict(capture_options or {}))
    stop = stop or threading.Event()
    restore = _install_signals(stop, raise_interrupt=True)  # the first lists: Ctrl-C stops at once
    status = "closed"
    rc = 0
    broken_pipe = False
    try:
        try:
            sid = cap.open()
        finally:
            restore()
        # from now on a signal asks the recorder to finish its batch and close the session
        restore = _install_signals(stop, raise_interrupt=use_tui)
        notify(f"recording session {sid}: {cap.describe()} (Ctrl-C to stop)")
        if use_tui and run_tui is not None:
            failed: list[BaseException] = []

            def record() -> None:
                try:
                    cap.run(stop)
                except BaseException as exc:  # shown after the TUI, never as a traceback over it
                    failed.append(exc)
                    notify(f"recording stopped: {type(exc).__name__}: {exc}")

            worker = threading.Thread(target=record, name="podlife-recorder", daemon=True)
            held = []
            worker.start()
            try:
                rc = run_tui(store_path=str(store.path), session_id=sid, follow=True) or 0
            finally:
                stop.set()
                worker.join(timeout=5)
                with lock:
                    notices, held = held, None
                for msg in notices:
                    notify(msg)
            if failed:
                status = "interrupted"
        else:
            cap.run(stop)
    except KeyboardInterrupt:
        stop.set()
    except BrokenPipeError:  # `... | head`: the reader has gone; what was recorded stays
        stop.set()
        broken_pipe = True
    except BaseException:
        status = "interrupted"
        raise
    finally:
        restore()
        cap.close(status)
        if cap.session_id is not None:
            s = cap.stats
            notify(f"session {cap.session_id} {status}: {s.observations} observations from {s.items} objects "
                   f"({s.reconnects} reconnects, {s.relists} relists)"
                   if status == "closed" else f"session {cap.session_id} {status}")
        if own_store:
            store.close()
    if broken_pipe and out is sys.stdout:
        with contextlib.suppress(OSError, ValueError):  # no second BrokenPipeError when Python flushes at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return rc if isinstance(rc, int) else 0


def _install_signals(stop: threading.Event, raise_interrupt: bool) -> Callable[[], None]:
    """Ctrl-C, SIGTERM and SIGHUP (the SSH session went away) stop the recording cleanly."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    saved: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        stop.set()
        if raise_interrupt:
            raise KeyboardInterrupt

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        with contextlib.suppress(ValueError, OSError):
            saved[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in saved.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, old)
    return restore


def main(argv: list[str] | None = None) -> int:
    """`python -m kubectl_podlife.capture [watch flags]`: the watch command on its own."""
    p = argparse.ArgumentParser(prog="kubectl podlife watch",
                                description="Record pods' lifecycles live and explain every transition.")
    add_watch_arguments(p)
    args = p.parse_args(argv)
    try:
        return run_watch(args)
    except PodlifeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
