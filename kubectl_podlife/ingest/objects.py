"""Kubernetes API objects (a Pod, an Event, a watch's DELETED, bare pod conditions) -> Observations.

Pure functions of dicts: used by live capture and, through `objectfiles`, for `kubectl get -o json|yaml`
files.
The API gives absolute server timestamps, so observations carry `time` with CLOCK_ABS; the model
turns them into pod-relative seconds through the pod's `creation_time`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.observation import (CLOCK_ABS, CLOCK_NONE, CONTAINER, EVENT, MARK, POD, SPEC,
                                         Observation, PodKey, UNNAMED)
from kubectl_podlife.timefmt import is_unset_time, iso, parse_timestamp

WATCH_TYPES = ("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR")


_FIELD_PATH = lazy_compile(r"spec\.(initContainers|containers|ephemeralContainers)\{([^}]*)\}")


_CANONICAL = lazy_compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?!000000)\d{6})?Z")


def api_time(value: Any) -> str | None:
    """An API timestamp (RFC3339 / MicroTime, or a datetime from unquoted YAML) as ISO UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return iso(datetime(value.year, value.month, value.day, tzinfo=timezone.utc))
    return _ts_text(str(value))


@lru_cache(maxsize=8192)
def _ts_text(text: str) -> str | None:
    if _CANONICAL.fullmatch(text):  # what the API server writes; already in our form
        return text
    return iso(parse_timestamp(text))


def _newest(*times: str | None) -> str | None:
    """The latest of some ISO UTC strings (same format, so they compare as text after parsing)."""
    best: tuple[datetime, str] | None = None
    for t in times:
        if not t:
            continue
        dt = parse_timestamp(t)
        if dt is None:
            continue
        if best is None or dt > best[0]:
            best = (dt, t)
    return best[1] if best else None


def _compact(d: Mapping[str, Any]) -> str:
    """One line of JSON with the None values left out: the `raw` of an API observation."""
    return json.dumps({k: v for k, v in d.items() if v is not None and v != {} and v != []},
                      separators=(",", ":"), ensure_ascii=False, default=str)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def spec_digest(pod: Mapping[str, Any]) -> str:
    """A short digest of a Pod's spec, to notice when a new version actually changed it."""
    import hashlib  # here for start-up cost: only API objects need it

    spec = pod.get("spec") or {}
    return hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def pod_key(pod: Mapping[str, Any]) -> PodKey:
    meta = pod.get("metadata") or {}
    return PodKey(name=str(meta.get("name") or UNNAMED), namespace=meta.get("namespace"), uid=meta.get("uid"))


def _arrival(data: dict[str, Any], arrival: str | None) -> dict[str, Any]:
    if arrival:
        data["arrival"] = arrival
    return data


def container_state(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """core/v1 ContainerState -> {status, reason, message, exit_code, signal, started_at, finished_at}."""
    if not state:
        return None
    if state.get("running") is not None:
        r = state.get("running") or {}
        return _drop_none({"status": "running", "started_at": api_time(r.get("startedAt"))})
    if state.get("terminated") is not None:
        t = state.get("terminated") or {}
        started = api_time(t.get("startedAt"))
        unset = started is not None and is_unset_time(parse_timestamp(started))
        return _drop_none({"status": "terminated", "reason": t.get("reason"), "message": t.get("message"),
                           "exit_code": t.get("exitCode"), "signal": t.get("signal") or None,
                           "started_at": None if unset else started, "started_unset": True if unset else None,
                           "finished_at": api_time(t.get("finishedAt"))})
    if state.get("waiting") is not None:
        w = state.get("waiting") or {}
        return _drop_none({"status": "waiting", "reason": w.get("reason"), "message": w.get("message")})
    return None


def _state_word(s: dict[str, Any] | None) -> str | None:
    if not s:
        return None
    bits = [s["status"]] + [str(s[k]) for k in ("reason", "exit_code") if s.get(k) is not None]
    return " ".join(bits)


def pod_time(pod: Mapping[str, Any]) -> str | None:
    """The newest server timestamp a Pod object carries about its own status.

    Conditions' lastTransitionTime and startTime; for a pod being deleted also the moment the
    delete was accepted (the API server sets deletionTimestamp = that moment + grace).
    Falls back to creationTimestamp.
    """
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    times = [api_time(c.get("lastTransitionTime")) for c in status.get("conditions") or []]
    times.append(api_time(status.get("startTime")))
    deletion = api_time(meta.get("deletionTimestamp"))
    grace = meta.get("deletionGracePeriodSeconds")
    if deletion and isinstance(grace, (int, float)):
        dt = parse_timestamp(deletion)
        if dt is not None:
            times.append(iso(dt - timedelta(seconds=grace)))
    return _newest(*times) or api_time(meta.get("creationTimestamp"))


def pod_observations(pod: Mapping[str, Any], origin: str, seq_start: int = 0, arrival: str | None = None,
                     include_spec: bool = True) -> list[Observation]:
    """A Pod object -> [SPEC, POD, CONTAINER...] observations for that version of the object.

    `include_spec=False` leaves out the SPEC observation (callers that already recorded an identical
    spec for this pod, see `spec_digest`).
    """
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    key = pod_key(pod)
    rv = meta.get("resourceVersion")
    seq = seq_start
    out: list[Observation] = []

    if include_spec and spec:
        out.append(Observation(
            kind=SPEC, pod=key, origin=origin, clock=CLOCK_NONE, seq=seq,
            raw=_compact({"kind": "Pod", "name": key.name, "namespace": key.namespace, "rv": rv,
                          "containers": [c.get("name") for c in spec.get("containers") or []],
                          "initContainers": [c.get("name") for c in spec.get("initContainers") or []] or None,
                          "restartPolicy": spec.get("restartPolicy"), "nodeName": spec.get("nodeName")}),
            data=_arrival({"spec": dict(spec), "source": "api", "object_kind": "Pod", "object_name": key.name},
                          arrival)))
        seq += 1

    conditions: dict[str, dict[str, Any]] = {}
    for c in status.get("conditions") or []:
        if not c.get("type"):
            continue
        conditions[c["type"]] = _drop_none({"status": c.get("status"), "reason": c.get("reason"),
                                            "message": c.get("message"), "time": api_time(c.get("lastTransitionTime"))})
    when = pod_time(pod)
    pod_data = _drop_none({
        "phase": status.get("phase"), "reason": status.get("reason"), "message": status.get("message"),
        "start_time": api_time(status.get("startTime")), "creation_time": api_time(meta.get("creationTimestamp")),
        "deletion_time": api_time(meta.get("deletionTimestamp")),
        "deletion_grace_seconds": meta.get("deletionGracePeriodSeconds"),
        "termination_grace_seconds": spec.get("terminationGracePeriodSeconds"),
        "node": spec.get("nodeName"), "ip": status.get("podIP"), "qos": status.get("qosClass"),
    })
    pod_data["conditions"] = conditions
    pod_data["terminating"] = bool(meta.get("deletionTimestamp"))
    out.append(Observation(
        kind=POD, pod=key, origin=origin, time=when, clock=CLOCK_ABS if when else CLOCK_NONE, seq=seq,
        raw=_compact({"pod": f"{key.namespace}/{key.name}" if key.namespace else key.name, "rv": rv,
                      "phase": status.get("phase"), "reason": status.get("reason"),
                      "conditions": ",".join(f"{t}={c.get('status')}" for t, c in conditions.items()) or None,
                      "deletionTimestamp": pod_data.get("deletion_time")}),
        data=_arrival(pod_data, arrival)))
    seq += 1

    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    groups = (("initContainerStatuses", True, False), ("containerStatuses", False, False),
              ("ephemeralContainerStatuses", False, True))
    for field, init, ephemeral in groups:
        for cs in status.get(field) or []:
            name = cs.get("name")
            state = container_state(cs.get("state"))
            last = container_state(cs.get("lastState"))
            ctime = _newest((state or {}).get("started_at") if (state or {}).get("status") == "running" else None,
                            (state or {}).get("finished_at"), (last or {}).get("finished_at")) or when
            data: dict[str, Any] = {
                "init": init,
                "sidecar": bool(init and (init_specs.get(name) or {}).get("restartPolicy") == "Always"),
            }
            if ephemeral:
                data["ephemeral"] = True
            if state:
                data["state"] = state
            if last:
                data["last_state"] = last
            data.update(_drop_none({"ready": cs.get("ready"), "started": cs.get("started"),
                                    "restart_count": cs.get("restartCount"), "image": cs.get("image"),
                                    "image_id": cs.get("imageID") or None,
                                    "container_id": cs.get("containerID") or None}))
            out.append(Observation(
                kind=CONTAINER, pod=key, container=name, origin=origin, time=ctime,
                clock=CLOCK_ABS if ctime else CLOCK_NONE, seq=seq,
                raw=_compact({"pod": key.name, "container": name, "rv": rv, "init": init or None,
                              "state": _state_word(state), "lastState": _state_word(last), "ready": cs.get("ready"),
                              "restartCount": cs.get("restartCount")}),
                data=_arrival(data, arrival)))
            seq += 1
    return out


def deleted_mark(pod: Mapping[str, Any], origin: str, seq: int = 0, arrival: str | None = None) -> Observation:
    """The MARK for a watch DELETED event: the object is gone from the API.

    The API does not say when the object was removed. It happened between the delete request
    (deletionTimestamp - deletionGracePeriodSeconds) and the deadline (deletionTimestamp); live
    capture knows when it heard of it (`arrival`, the local clock), kept inside that window so a
    skewed local clock cannot put the deletion before the request. A saved stream only has the
    deadline.
    """
    meta = pod.get("metadata") or {}
    key = pod_key(pod)
    deadline = api_time(meta.get("deletionTimestamp"))
    when = arrival or deadline
    if arrival and deadline:
        grace = meta.get("deletionGracePeriodSeconds")
        hi = parse_timestamp(deadline)
        at = parse_timestamp(arrival)
        lo = hi - timedelta(seconds=grace) if hi is not None and isinstance(grace, (int, float)) else None
        if at is not None and hi is not None:
            if at > hi:
                when = deadline
            elif lo is not None and at < lo:
                when = iso(lo)
    data: dict[str, Any] = {"what": "deleted"}
    return Observation(kind=MARK, pod=key, origin=origin, time=when, clock=CLOCK_ABS if when else CLOCK_NONE,
                       seq=seq, raw=_compact({"type": "DELETED", "pod": key.name, "rv": meta.get("resourceVersion")}),
                       data=_arrival(data, arrival))


def is_event(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "Event" or "involvedObject" in obj or "regarding" in obj


def event_observation(ev: Mapping[str, Any], origin: str, seq: int = 0,
                      arrival: str | None = None) -> Observation | None:
    """A core/v1 or events.k8s.io/v1 Event about a Pod -> EVENT observation; None for other objects."""
    new_api = "regarding" in ev or str(ev.get("apiVersion", "")).startswith("events.k8s.io")
    obj = (ev.get("regarding") if new_api else ev.get("involvedObject")) or {}
    if obj.get("kind") not in ("Pod", "Job") or not obj.get("name"):
        return None
    what = "job" if obj["kind"] == "Job" else "pod"  # a Job's events make the Job's entry (ingest/jobs.py)
    meta = ev.get("metadata") or {}
    series = ev.get("series") or {}
    if new_api:
        src = ev.get("deprecatedSource") or {}
        message = ev.get("note")
        count = series.get("count") or ev.get("deprecatedCount") or 1
        first = api_time(ev.get("deprecatedFirstTimestamp"))
        last_ts = api_time(ev.get("deprecatedLastTimestamp"))
    else:
        src = ev.get("source") or {}
        message = ev.get("message")
        count = series.get("count") or ev.get("count") or 1
        first = api_time(ev.get("firstTimestamp"))
        last_ts = api_time(ev.get("lastTimestamp"))
    event_time = api_time(ev.get("eventTime"))
    last = _newest(last_ts, api_time(series.get("lastObservedTime"))) or event_time or first
    first = first or event_time or last
    component = src.get("component")
    if component:
        source = f"{component}, {src['host']}" if src.get("host") else component
    else:
        source = ev.get("reportingController") or ev.get("reportingComponent") or None
    field_path = obj.get("fieldPath") or None
    container = None
    if field_path:
        m = _FIELD_PATH.search(field_path)
        if m:
            container = m.group(2)
    data = _drop_none({"type": ev.get("type"), "reason": ev.get("reason"), "message": message, "source": source,
                       "count": int(count), "first_time": first, "last_time": last,
                       "object": f"{what}/{obj['name']}", "field_path": field_path,
                       "job": obj["name"] if what == "job" else None})
    key = PodKey(name=str(obj["name"]), namespace=obj.get("namespace") or meta.get("namespace"), uid=obj.get("uid"))
    return Observation(
        kind=EVENT, pod=key, container=container, origin=origin, time=last, clock=CLOCK_ABS if last else CLOCK_NONE,
        seq=seq,
        raw=_compact({"event": meta.get("name"), "rv": meta.get("resourceVersion"), "type": ev.get("type"),
                      "reason": ev.get("reason"), "object": f"{what}/{obj['name']}", "fieldPath": field_path,
                      "count": int(count), "last": last, "from": source, "message": message}),
        data=_arrival(data, arrival))


# A pod condition printed on its own (`-o json | jq '.status.conditions[]'`, `-o jsonpath`): the fields of
# PodCondition and nothing else.
_CONDITION_FIELDS = frozenset({"type", "status", "reason", "message", "lastTransitionTime", "lastProbeTime",
                               "observedGeneration"})


def is_condition(obj: Any) -> bool:
    return (isinstance(obj, Mapping) and isinstance(obj.get("type"), str) and obj.get("status") in
            ("True", "False", "Unknown") and set(obj) <= _CONDITION_FIELDS)


def condition_observation(conds: list, pod: PodKey, origin: str, seq: int = 0) -> Observation:
    """Bare pod conditions -> a POD observation holding only those conditions (no phase, no time of its own)."""
    conditions = {c["type"]: _drop_none({"status": c.get("status"), "reason": c.get("reason"),
                                         "message": c.get("message"), "time": api_time(c.get("lastTransitionTime"))})
                  for c in conds}
    return Observation(kind=POD, pod=pod, origin=origin, clock=CLOCK_NONE, seq=seq,
                       raw=_compact({"pod": pod.name, "conditions": ",".join(
                           f"{t}={c.get('status')}" + (f" ({c['reason']})" if c.get("reason") else "")
                           for t, c in conditions.items())}),
                       data={"conditions": conditions, "fragment": "conditions"})


# --- A pod's status without its object ---------------------------------------------------------
# The `status:` of `-o yaml`, `jq .status`, `.status.containerStatuses`, a `lastState` fragment (issue 10 §12):
# what tells a pod's status from another object's (a Job's, a Deployment's).
_POD_STATUS_KEYS = frozenset({"phase", "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses",
                              "podIP", "podIPs", "hostIP", "qosClass", "nominatedNodeName"})
_POD_CONDITION_TYPES = frozenset({"PodScheduled", "Initialized", "Ready", "ContainersReady",
                                  "PodReadyToStartContainers", "PodHasNetwork", "DisruptionTarget"})
JOB_CONDITION_TYPES = frozenset({"Failed", "Complete", "FailureTarget", "SuccessCriteriaMet", "Suspended"})
_CONTAINER_STATUS_KEYS = frozenset({"state", "lastState", "restartCount", "ready", "started", "containerID",
                                    "imageID", "image", "name", "allocatedResources", "resources", "volumeMounts",
                                    "user", "stopSignal"})
_STATE_KEYS = frozenset({"running", "waiting", "terminated"})
# The kubelet names the pod in a back-off message: `back-off 1m20s restarting failed container=api pod=NAME_NS(UID)`.
_POD_IN_MESSAGE = lazy_compile(r"\bpod=([a-z0-9][-a-z0-9.]*)_([a-z0-9][-a-z0-9]*)\(")


def _pod_status(s: Any) -> bool:
    if not isinstance(s, Mapping):
        return False
    types = {c.get("type") for c in s.get("conditions") or [] if isinstance(c, Mapping)}
    return bool(set(s) & _POD_STATUS_KEYS) or bool(types & _POD_CONDITION_TYPES)


def _container_status(c: Any) -> bool:
    return (isinstance(c, Mapping) and bool(c) and set(c) <= _CONTAINER_STATUS_KEYS
            and any(isinstance(c.get(k), Mapping) and set(c[k]) & _STATE_KEYS for k in ("state", "lastState")))


def status_fragment(obj: Any) -> dict | None:
    """A pod status (core/v1 PodStatus-shaped) from a pasted piece of one, or None when `obj` is not one."""
    if isinstance(obj, list):
        return {"containerStatuses": list(obj)} if obj and all(_container_status(c) for c in obj) else None
    if not isinstance(obj, Mapping) or obj.get("kind") or "metadata" in obj or "spec" in obj:
        return None
    if set(obj) == {"status"}:
        return dict(obj["status"]) if _pod_status(obj["status"]) else None
    if _pod_status(obj):
        return dict(obj)
    if _container_status(obj):
        return {"containerStatuses": [dict(obj)]}
    return None


def status_pod(status: Mapping[str, Any], pod: PodKey | None) -> dict:
    """A Pod object around a status: the pod the command named, else the one its back-off messages name, else
    none (pod_key makes it unnamed)."""
    if pod is not None:
        return {"metadata": {"name": pod.name, "namespace": pod.namespace}, "status": dict(status)}
    for field in ("initContainerStatuses", "containerStatuses"):
        for cs in status.get(field) or []:
            for st in ("state", "lastState"):
                w = ((cs.get(st) or {}).get("waiting") or {}) if isinstance(cs, Mapping) else {}
                m = _POD_IN_MESSAGE.search(str(w.get("message") or "")) if isinstance(w, Mapping) else None
                if m:
                      return {"metadata": {"name": m.group(1), "namespace": m.group(2)}, "status": dict(status)}
    return {"metadata": {}, "status": dict(status)}
