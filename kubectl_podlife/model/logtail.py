"""The last log lines before an exit: each `log` observation is attached to the transition of the container
instance whose log it is, as the kubelet picks that instance for `kubectl logs` (kubelet
validateContainerLogStatus): `--previous` is the last terminated instance; otherwise the running instance,
or, when none runs (back-off, Completed, Error), the last terminated one.
"""

from __future__ import annotations

from dataclasses import replace

from kubectl_podlife.model.timeline import LogTail, Transition
from kubectl_podlife.observation import LOG, Observation

_ENDS = ("terminated", "restart")  # transitions that end an instance (a restart explains the exit before it)
_STARTS = ("started", "restart")  # ... and that start one


def attach(transitions: tuple[Transition, ...], observations: list[Observation],
           containers: list[str]) -> tuple[Transition, ...]:
    """`transitions` (in timeline order) with each log tail on the transition it belongs to; the later
    log of the same instance wins (a transcript that ran `kubectl logs` twice)."""
    logs = sorted((o for o in observations if o.kind == LOG and o.data.get("lines")), key=lambda o: o.seq)
    if not logs:
        return transitions
    out = list(transitions)
    placed: list[tuple[int, bool, Observation, str]] = []
    for o in logs:
        container = o.container or (containers[0] if containers else None)
        if container is None:
            continue
        idx, running = _target(out, container, o)
        if idx is not None:
            placed.append((idx, running, o, container))
    # An exit's log first: a restart both ends an instance and starts the next, and the log of the exit is
    # what explains it; the running instance's log goes there only when no exit log does.
    exits = {idx for idx, running, _, _ in placed if not running}
    for idx, running, o, container in placed:
        if running and idx in exits:
            continue
        tail = LogTail(origin=o.origin, container=container, lines=tuple(str(x) for x in o.data["lines"]),
                       previous=bool(o.data.get("previous")), source=str(o.data.get("source") or "transcript"),
                       running=running)
        out[idx] = replace(out[idx], log_tail=tail)
    return tuple(out)


def _target(trs: list[Transition], container: str, o: Observation) -> tuple[int | None, bool]:
    mine = [(i, t) for i, t in enumerate(trs) if t.container == container and t.kind in _ENDS + _STARTS]
    ends = [(i, t) for i, t in mine if t.kind in _ENDS]
    if o.t is not None and o.data.get("source") == "api":
        # fetched live when the instance ended: the first end at or after its finish (the restart that
        # follows an exit explains the same exit)
        after = [(i, t) for i, t in ends if t.t is not None and t.t >= o.t - 1.0]
        if after:
            return after[0][0], False
        return (ends[-1][0], False) if ends else (None, False)
    if o.data.get("previous"):
        return (ends[-1][0], False) if ends else (None, False)
    if not mine:
        return None, False
    last_i, last = mine[-1]
    waiting = any(t.container == container and t.kind == "back-off" for t in trs[last_i + 1:])
    if last.kind == "terminated" or (waiting and last.kind == "restart"):
        return last_i, False  # none running: the kubelet serves the last terminated instance's log
    # the last thing seen started an instance: it was running when `kubectl logs` printed its log
    return last_i, True
