"""A PodSpec the model can trust: keep only well-typed fields of the parts the rules read.

Recovered manifests and hand-pasted fragments can hold any shape (a probe handler that is a string,
a command that is a scalar); the model reads specs only after this, so no rule needs its own guards.
"""

from __future__ import annotations

from typing import Any

_INT_FIELDS = ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold",
               "terminationGracePeriodSeconds")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def _strings(v: Any) -> list[str] | None:
    if isinstance(v, list):
        return [str(x) for x in v if isinstance(x, (str, int, float))]
    if isinstance(v, (str, int, float)):
        return [str(v)]
    return None


def clean_probe(p: Any) -> dict | None:
    if not isinstance(p, dict):
        return None
    out: dict = {}
    for h in _HANDLERS:
        if h in p:
            action = p[h] if isinstance(p[h], dict) else {}
            if h == "exec":
                cmd = _strings(action.get("command"))
                out[h] = {"command": cmd} if cmd else {}
            else:
                out[h] = {k: v for k, v in action.items() if isinstance(v, (str, int, float, list))}
    for k in _INT_FIELDS:
        v = _int(p.get(k))
        if v is not None:
            out[k] = v
    return out


def clean_container(c: Any) -> dict | None:
    if not isinstance(c, dict):
        return None
    out: dict = {"name": str(c["name"]) if isinstance(c.get("name"), (str, int)) else None}
    for k in ("image", "imagePullPolicy", "restartPolicy"):
        if isinstance(c.get(k), str):
            out[k] = c[k]
    for k in ("command", "args"):
        v = _strings(c.get(k))
        if v is not None:
            out[k] = v
    for k in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = clean_probe(c.get(k))
        if p is not None:
            out[k] = p
    res = c.get("resources")
    if isinstance(res, dict):
        out["resources"] = {k: {str(a): str(b) for a, b in v.items()} for k, v in res.items()
                            if k in ("limits", "requests") and isinstance(v, dict)}
    if isinstance(c.get("lifecycle"), dict):
        out["lifecycle"] = {k: v for k, v in c["lifecycle"].items() if isinstance(v, dict)}
    return out


def clean_spec(spec: Any) -> dict:
    if not isinstance(spec, dict):
        return {}
    out: dict = {}
    for k in ("containers", "initContainers"):
        if isinstance(spec.get(k), list):
            out[k] = [c for c in (clean_container(x) for x in spec[k]) if c is not None]
    if isinstance(spec.get("restartPolicy"), str):
        out["restartPolicy"] = spec["restartPolicy"]
    for k in ("terminationGracePeriodSeconds", "activeDeadlineSeconds"):
        v = _int(spec.get(k))
        if v is not None:
            out[k] = v
    return out
