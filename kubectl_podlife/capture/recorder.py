"""The recorder: what the reflectors receive goes through one bounded queue into the store session.

It keeps memory bounded (the last resourceVersion per object, a spec digest per live pod), adds nothing
twice after a reconnect or a relist (dedup keys), holds an Event back until its pod is known when a
selector filters the pods, and says what the connection is doing in one line per retry round.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Callable, Iterable

from kubectl_podlife.capture.connection import ConnectionState
from kubectl_podlife.capture.errors import connection_reason, status_message
from kubectl_podlife.capture.kubeconfig import Target
from kubectl_podlife.capture.logs import LogFetcher, LogSettings
from kubectl_podlife.capture.reflector import (BACKOFF_BASE, BACKOFF_MAX, WATCH_TIMEOUT, Item, Reflector, Stats,
                                               WatchSettings, arrival_time)
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.ingest.objects import deleted_mark, event_observation, pod_observations, spec_digest
from kubectl_podlife.observation import Observation
from kubectl_podlife.store import Store
from kubectl_podlife.textsafe import visible

QUEUE_MAX = 2000  # watch items waiting to be recorded; streams block (back-pressure) beyond this
PENDING_EVENTS_MAX = 5000  # events held back until their pod is known (label/field-selector mode)
SEEN_PODS_MAX = 100_000  # uids remembered for event filtering (LRU)


class Capture:
    """Records one cluster's pods (and their Events) into a store session while it runs."""

    def __init__(self, target: Target, store: Store, pods: Iterable[str] = (), all_namespaces: bool = False,
                 namespace: str | None = None, label_selector: str | None = None, field_selector: str | None = None,
                 request_timeout: float | None = None, notify: Callable[[str], None] | None = None,
                 on_observations: Callable[[list[Observation]], None] | None = None,
                 backoff_base: float = BACKOFF_BASE, backoff_max: float = BACKOFF_MAX,
                 watch_timeout: tuple[int, int] = WATCH_TIMEOUT, logs: bool = False,
                 log_settings: LogSettings | None = None):
        self.target = target
        self.store = store
        self.pods = list(dict.fromkeys(pods))
        if self.pods and all_namespaces:
            raise PodlifeError("a pod cannot be watched by name across all namespaces; drop -A or pass -n NAMESPACE")
        self.namespace = None if all_namespaces else (namespace or target.namespace)
        self.label_selector = label_selector or None
        self.field_selector = field_selector or None
        self.notify = notify or (lambda msg: print(f"podlife: {visible(msg)}", file=sys.stderr, flush=True))
        self.on_observations = on_observations
        self.api_client = target.api_client
        self.settings = WatchSettings(request_timeout=request_timeout, watch_timeout=watch_timeout,
                                      backoff_base=backoff_base, backoff_max=backoff_max)
        self.stopping = threading.Event()
        self.connection = ConnectionState(target.server, self.notify)  # live / reconnecting / relisting
        self.stats = Stats()
        self.session_id: int | None = None
        self.discarded: int | None = None  # the session close() deleted because nothing was recorded
        self.queue: queue.Queue[Item] = queue.Queue(maxsize=QUEUE_MAX)
        self.streams: list[Reflector] = []
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
        # the last log lines of each instance that ends (`watch` unless --no-logs)
        self.logs = LogFetcher(self, log_settings, request_timeout) if logs else None

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
    def _make_streams(self, events_api: str) -> list[Reflector]:
        pods: list[Reflector] = []
        events: list[Reflector] = []
        prefix = "involvedObject" if events_api == "v1" else "regarding"
        if self.pods:
            for name in self.pods:
                fs = ",".join(s for s in (f"metadata.name={name}", self.field_selector) if s)
                pods.append(Reflector(self, "pods", self.namespace, fs, self.label_selector))
                events.append(Reflector(self, "events", self.namespace, f"{prefix}.kind=Pod,{prefix}.name={name}",
                                      events_api=events_api))
        else:
            pods.append(Reflector(self, "pods", self.namespace, self.field_selector, self.label_selector))
            events.append(Reflector(self, "events", self.namespace, f"{prefix}.kind=Pod", events_api=events_api))
        return pods + events

    def open(self) -> int:
        """Check the connection with the first lists, create the session, and start watching.

        Raises PodlifeError (one line, naming the server) when the API cannot be used at all; no
        session is created then. List pages are recorded as they arrive, so a large list never sits
        in memory whole.
        """
        def recorder_for(stream: Reflector) -> Callable[[list[Item]], None]:
            def record_now(batch: list[Item]) -> None:
                stream.remember(batch)
                self._ensure_session()
                self._record(batch)
            return record_now

        if self.logs is not None:
            self.logs.start()
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
                    self.notify(f"cannot list events ({connection_reason(exc2)}); recording pods only")
            elif status in (401, 403):
                events_ok = False
                self.notify(f"cannot list events ({connection_reason(exc)}); recording pods only")
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
            msg = status_message(getattr(exc, "body", None)) or "Forbidden"
            return PodlifeError(f"not allowed to list {what} in {where} at {server}: {msg}; "
                                "ask for list/watch rights or pick another namespace/context")
        if isinstance(status, int) and status:
            return PodlifeError(f"the API server at {server} answered {connection_reason(exc)} when listing {what}; "
                                "check --context/--namespace")
        return PodlifeError(f"cannot reach the API server at {server}: {connection_reason(exc)}; check that the cluster is "
                            "up and that --context/--kubeconfig point at it")

    # -- what the reflectors report (StreamOwner), on their threads --
    def deliver(self, items: list[Item]) -> None:
        for item in items:
            while not self.stopping.is_set():
                try:
                    self.queue.put(item, timeout=0.2)
                    break
                except queue.Full:
                    continue

    def gap(self, msg: str) -> None:
        """A stretch the recording may have missed: tell the user and keep it with the session."""
        self.notify(msg)
        if self.session_id is not None:
            with self._lock, contextlib.suppress(Exception):
                self.store.add_warnings(self.session_id, [(f"api:{arrival_time()}", msg)])

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
            if self.logs is not None and etype != "VANISHED":
                self.logs.saw_pod(pod)
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

    def record_log(self, ob: Observation, dedup: str) -> None:
        """A fetched log tail (LogOwner, on a fetcher thread): into the session like any observation."""
        if self.session_id is None:
            return
        with self._lock:
            ob = replace(ob, seq=self._seq)
            self._seq += 1
            added = self.store.append(self.session_id, [ob], dedup=[dedup])
        self.stats.observations += added
        if added and self.on_observations is not None:
            self.on_observations([ob])

    # -- the end --
    def close(self, status: str = "closed") -> None:
        """Stop the streams and close the session; what was recorded stays committed."""
        self.stopping.set()
        for s in self.streams:
            s.close()
        for s in self.streams:
            if s.thread is not None:
                s.thread.join(timeout=2)
        if self.logs is not None:
            self.logs.close()
        if self.session_id is not None:
            with self._lock:
                self.store.close_session(self.session_id, status)
                # no pod matched: a session of nothing would only clutter `sessions` and `latest`
                with contextlib.suppress(PodlifeError):  # if it cannot be deleted, it stays, closed
                    if self.store.count(self.session_id) == 0:
                        self.store.delete_sessions([self.session_id])
                        self.discarded, self.session_id = self.session_id, None
