"""Files of API objects: `kubectl get -o json|yaml` output (one object, a List, the concatenated
objects of `get -w -o json`, `--output-watch-events` envelopes, `---` separated YAML documents) and
podlife's own JSONL export, read object by object into observations (see `objects`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Mapping

from kubectl_podlife.ingest.objects import (JOB_CONDITION_TYPES, WATCH_TYPES, api_time, condition_observation,
                                            deleted_mark, event_observation, is_condition, is_event, pod_key,
                                            pod_observations, spec_digest, status_fragment, status_pod)
from kubectl_podlife.ingest.jobs import object_marks as job_marks
from kubectl_podlife.ingest.yamlbounds import yaml_node_problem
from kubectl_podlife.observation import KINDS, POD, Observation, PodKey


def _is_observation_json(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") in KINDS and isinstance(obj.get("pod"), Mapping) and "origin" in obj


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
        if isinstance(obj, list) and status_fragment(obj) is not None:
            self.status(status_fragment(obj), f"{self.origin_name}:{line}")
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
        status = status_fragment(obj)
        if status is not None:
            self.status(status, origin)
            return
        kind = str(obj.get("kind") or "")
        if isinstance(obj.get("items"), list) and (kind.endswith("List") or not kind):
            for i, item in enumerate(obj["items"]):
                sub = item_lines[i] if item_lines and i < len(item_lines) else line
                if isinstance(item, Mapping):
                    self._object(item, f"{self.origin_name}:{sub}", sub)
            return
        self._object(obj, origin, line)

    def status(self, status: dict, origin: str) -> None:
        """A pod's status without its object (see objects.status_pod for which pod it is)."""
        obs = pod_observations(status_pod(status, self.pod), origin, self.seq)
        obs = [replace(o, data={**o.data, "fragment": "status"}) if o.kind == POD else o for o in obs]
        self.observations.extend(obs)
        self.seq += len(obs)

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
        elif obj.get("kind") == "Job" and job_marks(dict(obj), origin, self.seq):
            marks = job_marks(dict(obj), origin, self.seq)  # the Job's entry (ingest/jobs.py, model/ending_job.py)
            self.observations.extend(marks)
            self.seq += len(marks)
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
        return api_time(value)
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


def decode_fragment(text: str, fmt: str, origin: str, pod: PodKey | None = None,
                    ) -> tuple[list[Observation], str | None] | None:
    """A pasted piece of a pod object (ingest/fragments.py cut it out): its observations, or (nothing, why) when
    it cannot be used; None when it is not a status at all (a `state:` key of something else, a Job's status,
    which ingest/jobs.py reads)."""
    try:
        if fmt == "json":
            obj = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
        else:
            import yaml

            obj = _plain(yaml.safe_load(text))
    except (ValueError, RecursionError) as exc:
        return [], f"cannot read it as {fmt.upper()}: {str(exc).splitlines()[0][:160]}"
    except Exception as exc:  # yaml.YAMLError, without importing yaml for the JSON case
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], f"cannot read it as YAML: {problem}"[:200]
    status = status_fragment(obj)
    if status is None:
        other = obj.get("status") if isinstance(obj, Mapping) and set(obj) == {"status"} else None
        if not isinstance(other, Mapping):
            return None
        types = {c.get("type") for c in other.get("conditions") or [] if isinstance(c, Mapping)}
        if types & JOB_CONDITION_TYPES:
            return None
        return [], ("not a pod's status (no phase, containerStatuses or pod conditions; keys: "
                    + ", ".join(sorted(map(str, other))[:6]) + ")")
    dec = _Decoder(origin.rsplit(":", 1)[0], pod)
    dec.status(status, origin)
    return dec.observations, None


def _yaml_item_lines(node: Any) -> list[int] | None:
    """1-based start lines of the entries of a List document's `items`, for per-item origins."""
    import yaml  # start-up cost, as in decode_yaml_objects

    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "items" and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return None
