"""`simulate --set PATH=VALUE`: a what-if edit of a pod spec, checked against the Pod schema the
manifest reader uses, so a misspelt field is a one-line error naming it rather than a silent no-op.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.ingest.podschema import SCHEMA  # the one Pod schema the manifest reader uses

_SET_SEGMENT = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(?:\[([^\]]+)\])?$")


def apply_set(spec: dict, assignment: str) -> dict:
    """A copy of `spec` with one `PATH=VALUE` applied (kubectl-style path, YAML scalar value).

    PATH follows the PodSpec: `containers[0].livenessProbe.failureThreshold`, `initContainers[init]`
    (an index or a name), `restartPolicy`, `terminationGracePeriodSeconds`. An unknown path is a
    one-line PodlifeError naming it.
    """
    if "=" not in assignment:
        raise PodlifeError(f'--set {assignment}: expected PATH=VALUE, e.g. containers[0].livenessProbe.'
                           f'failureThreshold=5')
    path, raw_value = assignment.split("=", 1)
    path = path.strip()
    if path.startswith("spec."):
        path = path[5:]
    try:
        value = yaml.safe_load(raw_value) if raw_value.strip() else ""
    except yaml.YAMLError:
        value = raw_value
    out = copy.deepcopy(spec)
    node: Any = out
    type_name = "PodSpec"
    segments = path.split(".")
    done = ""
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        m = _SET_SEGMENT.match(seg)
        here = f"{done}.{seg}" if done else seg
        if not m:
            raise PodlifeError(f"--set {path}: cannot read path segment \"{seg}\"; expected name or name[index]")
        key, index = m.group(1), m.group(2)
        fields = SCHEMA.get(type_name)
        ftype = fields.get(key) if fields is not None else "any"
        if fields is not None and ftype is None:
            raise PodlifeError(f"--set {path}: unknown field \"{here}\" ({type_name} has no field {key})")
        if ftype.startswith("list:"):
            if index is None:
                if last:
                    node[key] = value
                    return out
                raise PodlifeError(f"--set {path}: \"{here}\" is a list; say which item, e.g. {key}[0]")
            items = node.get(key)
            if not isinstance(items, list) or not items:
                raise PodlifeError(f"--set {path}: the spec has no {key}")
            item = None
            if index.lstrip("-").isdigit():
                k = int(index)
                if not -len(items) <= k < len(items):
                    raise PodlifeError(f"--set {path}: {key}[{k}] does not exist (the spec has {len(items)} "
                                       f"{key})")
                item = items[k]
            else:
                item = next((x for x in items if isinstance(x, dict) and x.get("name") == index), None)
                if item is None:
                    names = ", ".join(str(x.get("name")) for x in items if isinstance(x, dict))
                    raise PodlifeError(f"--set {path}: no {key} named \"{index}\" (there are: {names})")
            if last:
                raise PodlifeError(f"--set {path}: \"{here}\" is a whole {key} item; set one of its fields")
            node = item
            type_name = ftype.split(":", 1)[1]
        elif index is not None:
            raise PodlifeError(f"--set {path}: \"{key}\" is not a list, so [{index}] does not apply")
        elif ftype.startswith("map:") or ftype in ("free", "any"):
            if last:
                node[key] = value
                return out
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
            type_name = ftype.split(":", 1)[1] if ftype.startswith("map:") else "*"
        else:
            if not last:
                raise PodlifeError(f"--set {path}: \"{here}\" is a {ftype} value, it has no field "
                                   f"{segments[i + 1]}")
            if ftype == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
                raise PodlifeError(f"--set {path}: expected an integer, got \"{raw_value}\"")
            node[key] = value
            return out
        done = here
    return out


# --------------------------------------------------------------------------------------------
