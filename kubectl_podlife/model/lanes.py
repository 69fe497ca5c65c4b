"""One lane per container for the timeline chart: its state segments over time and the marks on them."""

from __future__ import annotations

import re

from kubectl_podlife.model.build import PodInput, T
from kubectl_podlife.model.timeline import Lane, Mark, Segment


_LANE_KIND = {"started": "running", "restart": "running", "ready": "ready", "not-ready": "running",
              "back-off": "back-off", "terminated": "terminated", "pull-failed": "waiting", "pulling": "waiting",
              "created": "waiting", "killing": None}
_MARK_KINDS = {"probe-failed", "killing", "restart", "back-off", "pull-failed", "hook-failed", "terminated"}


def container_lanes(inp: PodInput, trs: list[T], end: float) -> tuple[Lane, ...]:
    """Init containers first, then the others; a lane for the pod itself when no container is named."""
    names = inp.init_containers + [c for c in inp.containers if c not in inp.init_containers]
    if not names:
        names = [None]
    lanes = []
    for name in names:
        segs: list[Segment] = []
        marks: list[Mark] = []
        state = "waiting"
        start = 0.0
        init_index = inp.init_containers.index(name) if name in inp.init_containers else None
        for t in trs:
            if init_index is not None and t.t is not None and state != "terminated" and _init_done_past(
                    t.to_state, init_index):
                # Init:N/M with N past this one (or PodInitializing): it completed.
                segs.append(Segment(start, t.t, state)) if t.t > start else None
                state, start = "terminated", t.t
                continue
            if t.t is None or (t.container is not None and name is not None and t.container != name):
                continue
            if t.container is None and len(names) > 1 and t.kind not in ("created", "scheduled", "terminating",
                                                                          "deleted"):
                continue
            if t.kind in _MARK_KINDS:
                marks.append(Mark(t.t, t.kind, t.summary[:60]))
            new = _LANE_KIND.get(t.kind)
            if t.kind == "terminating" or t.kind == "deleted":
                new = "terminated"
            if new and new != state:
                if t.t > start:
                    segs.append(Segment(start, t.t, state))
                state, start = new, t.t
        segs.append(Segment(start, None, state))
        lanes.append(Lane(container=name or "(pod)", init=name in inp.init_containers,
                          segments=tuple(segs), marks=tuple(marks)))
    return tuple(lanes)


def _init_done_past(status: str | None, index: int) -> bool:
    if not status:
        return False
    if status in ("PodInitializing", "Running"):
        return True
    m = re.match(r"Init:(\d+)/\d+$", status)
    return bool(m and int(m.group(1)) > index)
