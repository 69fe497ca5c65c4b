"""Transitions from events: scheduling, pulls, starts, probe failures, kills, back-offs (what rows cannot show)."""

from __future__ import annotations

from kubectl_podlife.model import stuck
from kubectl_podlife.model.build import PodInput, T

_EVENT_KINDS = {"scheduled": "scheduled", "failed-scheduling": "phase", "pulling": "pulling", "pulled": "pulled",
                "pull-failed": "pull-failed", "pull-backoff": "back-off", "started": "started", "created": "started",
                "probe-failed": "probe-failed", "probe-errored": "probe-failed", "probe-warning": "note",
                "killing": "killing", "back-off": "back-off", "hook-failed": "hook-failed",
                "config-error": "terminated", "cannot-run": "terminated", "sandbox": "note", "evicted": "phase",
                "oom": "terminated", "grace-exceeded": "note", "note": "note"}


def event_transitions(inp: PodInput, start_order: int) -> list[T]:
    out: list[T] = []
    single = inp.containers[0] if len(inp.containers) == 1 else None
    order = start_order
    owners = _image_owners(inp)
    pulling: str | None = None  # the container whose image the last pull event named
    for o, f in inp.events:
        reason = str(o.data.get("reason") or "")
        if f.what == "mount" and reason not in stuck.REASON_KIND:
            continue  # a successful mount is not a transition
        order += 1
        kind = stuck.event_kind(reason, o.data.get("type"), _EVENT_KINDS.get(f.what, "note"), f.what)
        container = f.container or o.container
        several = len(inp.containers) + len(inp.init_containers) > 1
        if container is None and several and f.what in ("pulling", "pulled", "pull-failed", "pull-backoff"):
            # Several containers and an event that names none (describe, plain get events): the image it
            # names says whose pull it is; `Error: ErrImagePull` names no image and follows its pull.
            container = owners.get(_bare_image(f.image)) if f.image else pulling
            pulling = container if f.image else pulling
        container = container or (single if f.what not in ("scheduled",) else None)
        first = o.data.get("first_t")
        count = int(o.data.get("count") or 1)
        t, lo, hi = o.t, o.t_lo, o.t_hi
        if t is None and f.what == "scheduled":
            t, lo, hi = 0.0, 0.0, 1.0  # an unprinted time (`<nil>`): scheduling is at the pod's start
        tr = T(kind, t, lo, hi, container=container, time=o.data.get("last_time"), evidence=[o], facts=[f],
               count=count, first_t=first[0] if first else None, order=order)
        if f.what == "pull-backoff":
            tr.reason = "ImagePullBackOff"
        if f.what == "back-off":
            tr.reason = "CrashLoopBackOff"
        if f.what in ("oom",):
            tr.reason = "OOMKilled"
        if f.what == "config-error":
            tr.reason = "CreateContainerConfigError"  # the waiting reason kubectl shows while it lasts
        if f.what == "created":
            tr.note = "created"
        out.append(tr)
    return out


def _bare_image(image: str | None) -> str:
    """An image reference without the implied registry and tag: `docker.io/library/busybox:latest` -> busybox."""
    ref = (image or "").strip().strip('"')
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
    if "@" not in ref and ref.rsplit("/", 1)[-1].count(":") == 0:
        ref += ":latest"
    return ref


def _image_owners(inp: PodInput) -> dict[str, str]:
    """image -> the one container (init or app) whose spec names it; images two containers share are left out."""
    seen: dict[str, set[str]] = {}
    for c in (inp.spec.get("initContainers") or []) + (inp.spec.get("containers") or []):
        if isinstance(c, dict) and c.get("name") and c.get("image"):
            seen.setdefault(_bare_image(c["image"]), set()).add(c["name"])
    for o in inp.cstates:  # container statuses name their image too
        if o.container and o.data.get("image"):
            seen.setdefault(_bare_image(o.data["image"]), set()).add(o.container)
    return {img: next(iter(names)) for img, names in seen.items() if len(names) == 1}
