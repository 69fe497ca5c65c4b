"""Kubernetes API objects (Pods, Events, watch events, Lists) as JSON/YAML -> Observations.

Pure functions of dicts and text: used by live capture and for `kubectl get -o json|yaml` files.
The API gives absolute server timestamps, so observations carry `time` with CLOCK_ABS; the model
turns them into pod-relative seconds through the pod's `creation_time`.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from kubectl_podlife.observation import (CLOCK_ABS, CLOCK_NONE, CONTAINER, EVENT, KINDS, MARK, POD, SPEC,
                                         Observation, PodKey, UNNAMED)
from kubectl_podlife.timefmt import is_unset_time, iso, parse_timestamp

WATCH_TYPES = ("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR")

_FIELD_PATH = re.compile(r"spec\.(initContainers|containers|ephemeralContainers)\{([^}]*)\}")


# --- small helpers ----------------------------------------------------------------------------

_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?!000000)\d{6})?Z")


def _ts(value: Any) -> str | None:
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
    spec = pod.get("spec") or {}
    return hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def pod_key(pod: Mapping[str, Any]) -> PodKey:
    meta = pod.get("metadata") or {}
    return PodKey(name=str(meta.get("name") or UNNAMED), namespace=meta.get("namespace"), uid=meta.get("uid"))


def _arrival(data: dict[str, Any], arrival: str | None) -> dict[str, Any]:
    if arrival:
        data["arrival"] = arrival
    return data


# --- Pods -------------------------------------------------------------------------------------

def container_state(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """core/v1 ContainerState -> {status, reason, message, exit_code, signal, started_at, finished_at}."""
    if not state:
        return None
    if state.get("running") is not None:
        r = state.get("running") or {}
        return _drop_none({"status": "running", "started_at": _ts(r.get("startedAt"))})
    if state.get("terminated") is not None:
        t = state.get("terminated") or {}
        started = _ts(t.get("startedAt"))
        unset = started is not None and is_unset_time(parse_timestamp(started))
        return _drop_none({"status": "terminated", "reason": t.get("reason"), "message": t.get("message"),
                           "exit_code": t.get("exitCode"), "signal": t.get("signal") or None,
                           "started_at": None if unset else started, "started_unset": True if unset else None,
                           "finished_at": _ts(t.get("finishedAt"))})
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
    times = [_ts(c.get("lastTransitionTime")) for c in status.get("conditions") or []]
    times.append(_ts(status.get("startTime")))
    deletion = _ts(meta.get("deletionTimestamp"))
    grace = meta.get("deletionGracePeriodSeconds")
    if deletion and isinstance(grace, (int, float)):
        dt = parse_timestamp(deletion)
        if dt is not None:
            times.append(iso(dt - timedelta(seconds=grace)))
    return _newest(*times) or _ts(meta.get("creationTimestamp"))


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
                                            "message": c.get("message"), "time": _ts(c.get("lastTransitionTime"))})
    when = pod_time(pod)
    pod_data = _drop_none({
        "phase": status.get("phase"), "reason": status.get("reason"), "message": status.get("message"),
        "start_time": _ts(status.get("startTime")), "creation_time": _ts(meta.get("creationTimestamp")),
        "deletion_time": _ts(meta.get("deletionTimestamp")),
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
    deadline = _ts(meta.get("deletionTimestamp"))
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


# --- Events -----------------------------------------------------------------------------------

def is_event(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "Event" or "involvedObject" in obj or "regarding" in obj


def event_observation(ev: Mapping[str, Any], origin: str, seq: int = 0,
                      arrival: str | None = None) -> Observation | None:
    """A core/v1 or events.k8s.io/v1 Event about a Pod -> EVENT observation; None for other objects."""
    new_api = "regarding" in ev or str(ev.get("apiVersion", "")).startswith("events.k8s.io")
    obj = (ev.get("regarding") if new_api else ev.get("involvedObject")) or {}
    if obj.get("kind") != "Pod" or not obj.get("name"):
        return None
    meta = ev.get("metadata") or {}
    series = ev.get("series") or {}
    if new_api:
        src = ev.get("deprecatedSource") or {}
        message = ev.get("note")
        count = series.get("count") or ev.get("deprecatedCount") or 1
        first = _ts(ev.get("deprecatedFirstTimestamp"))
        last_ts = _ts(ev.get("deprecatedLastTimestamp"))
    else:
        src = ev.get("source") or {}
        message = ev.get("message")
        count = series.get("count") or ev.get("count") or 1
        first = _ts(ev.get("firstTimestamp"))
        last_ts = _ts(ev.get("lastTimestamp"))
    event_time = _ts(ev.get("eventTime"))
    last = _newest(last_ts, _ts(series.get("lastObservedTime"))) or event_time or first
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
                       "object": f"pod/{obj['name']}", "field_path": field_path})
    key = PodKey(name=str(obj["name"]), namespace=obj.get("namespace") or meta.get("namespace"), uid=obj.get("uid"))
    return Observation(
        kind=EVENT, pod=key, container=container, origin=origin, time=last, clock=CLOCK_ABS if last else CLOCK_NONE,
        seq=seq,
        raw=_compact({"event": meta.get("name"), "rv": meta.get("resourceVersion"), "type": ev.get("type"),
                      "reason": ev.get("reason"), "object": f"pod/{obj['name']}", "fieldPath": field_path,
                      "count": int(count), "last": last, "from": source, "message": message}),
        data=_arrival(data, arrival))


# --- files: JSON streams and YAML ------------------------------------------------------------

def _is_observation_json(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") in KINDS and isinstance(obj.get("pod"), Mapping) and "origin" in obj


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
                                         "message": c.get("message"), "time": _ts(c.get("lastTransitionTime"))})
                  for c in conds}
    return Observation(kind=POD, pod=pod, origin=origin, clock=CLOCK_NONE, seq=seq,
                       raw=_compact({"pod": pod.name, "conditions": ",".join(
                           f"{t}={c.get('status')}" + (f" ({c['reason']})" if c.get("reason") else "")
                           for t, c in conditions.items())}),
                       data={"conditions": conditions, "fragment": "conditions"})


class _Decoder:
    """Turns decoded objects (whatever shape kubectl printed) into observations, in file order.

    `pod` is the pod the command before the output named, when it named one: fragments that do not say
    which pod they are about (bare conditions filtered by jq) belong to it.
    """

    def __init__(self, origin_name: str, pod: PodKey | None = None):
        self.origin_name = origin_name
        self.pod = pod
        self.observations: list[Observation] = []
        self.warnings: list[tuple[int, str]] = []
        self.seq = 0
        self._specs: dict[Any, str] = {}  # uid (or name) -> digest of the last spec recorded
        self._skipped_kinds: set[str] = set()

    def add(self, obj: Any, line: int, item_lines: list[int] | None = None) -> None:
        if is_condition(obj) or (isinstance(obj, list) and obj and all(is_condition(c) for c in obj)):
            self._conditions(obj if isinstance(obj, list) else [obj], line)
            return
        if not isinstance(obj, Mapping):
            self.warnings.append((line, f"skipped a JSON {type(obj).__name__}; expected a Kubernetes object"))
            return
        origin = f"{self.origin_name}:{line}"
        if "podlife" in obj and "metadata" not in obj:
            return  # the header line of a podlife export
        if _is_observation_json(obj):
            self.observations.append(Observation.from_json(obj))
            self.seq += 1
            return
        etype = obj.get("type")
        if etype in WATCH_TYPES and isinstance(obj.get("object"), Mapping):
            inner = obj["object"]
            if etype in ("BOOKMARK", "ERROR"):
                return
            self._object(inner, origin, line)
            if etype == "DELETED" and _is_pod(inner):
                self.observations.append(deleted_mark(inner, origin, self.seq))
                self.seq += 1
            return
        kind = str(obj.get("kind") or "")
        if isinstance(obj.get("items"), list) and (kind.endswith("List") or not kind):
            for i, item in enumerate(obj["items"]):
                sub = item_lines[i] if item_lines and i < len(item_lines) else line
                if isinstance(item, Mapping):
                    self._object(item, f"{self.origin_name}:{sub}", sub)
            return
        self._object(obj, origin, line)

    def _conditions(self, conds: list, line: int) -> None:
        if self.pod is None:
            self.warnings.append((line, "skipped pod conditions printed on their own: the command before them "
                                        "does not name the pod (expected `kubectl get pod NAME -o json | jq ...`)"))
            return
        self.observations.append(condition_observation(conds, self.pod, f"{self.origin_name}:{line}", self.seq))
        self.seq += 1

    def _object(self, obj: Mapping[str, Any], origin: str, line: int) -> None:
        if _is_pod(obj):
            ident = (obj.get("metadata") or {}).get("uid") or pod_key(obj)
            digest = spec_digest(obj)
            fresh = self._specs.get(ident) != digest
            self._specs[ident] = digest
            obs = pod_observations(obj, origin, self.seq, include_spec=fresh)
            self.observations.extend(obs)
            self.seq += len(obs)
        elif is_event(obj):
            ob = event_observation(obj, origin, self.seq)
            if ob is not None:
                self.observations.append(ob)
                self.seq += 1
        else:
            kind = str(obj.get("kind") or "object without kind")
            if kind not in self._skipped_kinds:
                self._skipped_kinds.add(kind)
                self.warnings.append((line, f"skipped {kind}; podlife reads Pods and Events"))


def _is_pod(obj: Mapping[str, Any]) -> bool:
    if obj.get("kind") == "Pod":
        return True
    if obj.get("kind"):
        return False
    spec, status = obj.get("spec"), obj.get("status")
    return isinstance(spec, Mapping) and "containers" in spec and isinstance(obj.get("metadata"), Mapping) \
        and (status is None or isinstance(status, Mapping))


class _BadNumber(ValueError):
    """A JSON number no Kubernetes object holds (out of range, or too many digits)."""


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:  # int64 has 19 digits
        raise _BadNumber(f"the number {text[:24]}... has {len(text)} digits, more than any Kubernetes field")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise _BadNumber(f"the number {text[:24]} is out of range")
    return value


def _json_constant(text: str) -> float:
    raise _BadNumber(f"{text} is not a JSON number")


def decode_json_stream(text: str, origin_name: str, pod: PodKey | None = None,
                       ) -> tuple[list[Observation], list[tuple[int, str]]]:
    """Every JSON object in `text`, one after another, as observations.

    Reads one object, a List, the concatenated objects of `kubectl get -w -o json`, the
    `--output-watch-events` envelopes, and podlife's own JSONL export. Stops at the first object it
    cannot read (a truncated capture) and says where, keeping everything before it.
    """
    dec = _Decoder(origin_name, pod)
    decoder = json.JSONDecoder(parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    pos, line, n = 0, 1, len(text)
    if text.startswith("\ufeff"):
        pos = 1
    while True:
        # skip whitespace, counting lines
        while pos < n and text[pos] in " \t\r\n":
            if text[pos] == "\n":
                line += 1
            pos += 1
        if pos >= n:
            break
        try:
            obj, end = decoder.raw_decode(text, pos)
        except _BadNumber as exc:
            dec.warnings.append((line, f"cannot read JSON object: {exc}"))
            break
        except RecursionError:
            dec.warnings.append((line, f"cannot read JSON object: nested deeper than any Kubernetes object"))
            break
        except json.JSONDecodeError as exc:
            reason = exc.msg
            if exc.pos >= n:
                reason = "the text ends inside it (truncated?)"
            elif exc.pos > pos:
                err_line = line + text.count("\n", pos, exc.pos)
                reason = f"{exc.msg} at line {err_line}"
            dec.warnings.append((line, f"cannot read JSON object: {reason}"))
            break
        dec.add(obj, line)
        line += text.count("\n", pos, end)
        pos = end
    return dec.observations, dec.warnings


def _plain(value: Any) -> Any:
    """YAML values as JSON would have them (unquoted timestamps become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return _ts(value)
    return value


def decode_yaml_objects(text: str, origin_name: str, pod: PodKey | None = None,
                        ) -> tuple[list[Observation], list[tuple[int, str]]]:
    """`kubectl get pod -o yaml` output: one document, `---` separated documents, or a List."""
    import yaml  # here for start-up cost: JSON input and the live capture never need PyYAML

    dec = _Decoder(origin_name, pod)
    loader = yaml.SafeLoader(text)
    try:
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
            except RecursionError:
                dec.warnings.append((1, "cannot read YAML document: nested deeper than any Kubernetes object"))
                break
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
                where = mark.line + 1 if mark is not None else 1
                dec.warnings.append((where, f"cannot read YAML document: {getattr(exc, 'problem', None) or exc}"))
                break
            if node is None:
                continue
            line = node.start_mark.line + 1
            problem = yaml_node_problem(node)
            if problem:
                dec.warnings.append((line, f"YAML document skipped: {problem}"))
                continue
            item_lines = _yaml_item_lines(node)
            try:
                obj = _plain(loader.construct_document(node))
            except yaml.YAMLError as exc:
                dec.warnings.append((line, f"cannot read YAML document: {exc}"))
                break
            if obj is None:
                continue
            dec.add(obj, line, item_lines)
    finally:
        loader.dispose()
    return dec.observations, dec.warnings


def _yaml_item_lines(node: Any) -> list[int] | None:
    """1-based start lines of the entries of a List document's `items`, for per-item origins."""
    import yaml  # start-up cost, as in decode_yaml_objects

    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "items" and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return None


# A Kubernetes object has a few thousand nodes; aliases are expanded when objects are flattened, so a
# 400-byte "billion laughs" document would become 10**9 of them.
MAX_YAML_NODES = 200_000
MAX_YAML_DEPTH = 100


def yaml_node_problem(root: Any) -> str | None:
    """Why a composed YAML node graph is not loaded (too many nodes once aliases are expanded, too
    deep, or recursive), or None. Shared nodes (aliases) are sized once, so this is linear."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    # iterative post-order walk: (node, depth, children visited?)
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        value = node.value
        if not isinstance(value, list):  # a scalar
            sizes[nid] = 1
            continue
        children = [c for pair in value for c in pair] if value and isinstance(value[0], tuple) else value
        if done:
            active.discard(nid)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_YAML_NODES:
                return f"it expands to more than {MAX_YAML_NODES} values (YAML aliases used as a bomb?)"
            sizes[nid] = total
            continue
        if nid in sizes:
            continue
        if nid in active:
            return "a YAML alias refers to the node that contains it"
        if depth > MAX_YAML_DEPTH:
            return f"nested more than {MAX_YAML_DEPTH} levels deep"
        active.add(nid)
        stack.append((node, depth, True))
        for c in children:
            if id(c) in active:
                return "a YAML alias refers to the node that contains it"
            if id(c) not in sizes:
                stack.append((c, depth + 1, False))
    return None


def expanded_size_problem(obj: Any) -> str | None:
    """The same bounds for loaded Python values (shared lists/dicts are what aliases become)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(obj, 1, False)]
    while stack:
        value, depth, done = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        vid = id(value)
        children = [c for kv in value.items() for c in kv] if isinstance(value, dict) else value
        if done:
            active.discard(vid)
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            if total > MAX_YAML_NODES:
                return f"it expands to more than {MAX_YAML_NODES} values (YAML aliases used as a bomb?)"
            sizes[vid] = total
            continue
        if vid in sizes:
            continue
        if depth > MAX_YAML_DEPTH:
            return f"nested more than {MAX_YAML_DEPTH} levels deep"
        active.add(vid)
        stack.append((value, depth, True))
        for c in children:
            if isinstance(c, (dict, list)):
                if id(c) in active:
                    return "a YAML alias refers to the value that contains it"
                if id(c) not in sizes:
                    stack.append((c, depth + 1, False))
    return None
