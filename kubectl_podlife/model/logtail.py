"""The last log lines before an exit: each `log` observation is attached to the transition of the container
instance whose log it is, as the kubelet picks that instance for `kubectl logs` (kubelet
validateContainerLogStatus): `--previous` is the last terminated instance; otherwise the running instance,
or, when none runs (back-off, Completed, Error), the last terminated one.
"""

from __future__ import annotations

from dataclasses import replace

from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.model.timeline import Diagnosis, LogTail, Transition
from kubectl_podlife.observation import LOG, Observation

# What the last lines before an exit say the program died of (the first match, oldest line first).
_CRASHES = (
    (lazy_compile(r"^panic: \S"), "a Go panic"),
    (lazy_compile(r"^fatal error: \S"), "a Go runtime fatal error"),
    (lazy_compile(r"JavaScript heap out of memory"), "Node.js running out of heap (the program's own limit, not the "
                                                     "kernel's OOM kill)"),
    (lazy_compile(r"java\.lang\.OutOfMemoryError"), "the JVM running out of heap (the program's own limit, not the "
                                                    "kernel's OOM kill)"),
    (lazy_compile(r"^Exception in thread \S+ \S|^Caused by: \S+(?:Exception|Error)\b"), "a Java exception"),
    (lazy_compile(r"^Traceback \(most recent call last\):"), "a Python exception"),
    (lazy_compile(r"\bSegmentation fault\b|\bSIGSEGV\b"), "a segmentation fault"),
    (lazy_compile(r"^(?:Error|FATAL|Fatal|fatal|CRITICAL|panic)\b.{3,}"), "a fatal error"),
)
_PY_LAST = lazy_compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b")
_NO_LOGS = "kubectl logs --previous"

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
        if container is None and any(t.container is not None for t in out):
            continue  # which of the pod's containers logged it is not said
        idx, running = _target(out, container, o)
        if idx is not None:
            placed.append((idx, running, o, container))
    # An exit's log first: a restart both ends an instance and starts the next, and the log of the exit is
    # what explains it; the running instance's log goes there only when no exit log does.
    exits = {idx for idx, running, _, _ in placed if not running}
    for idx, running, o, container in placed:
        if running and idx in exits:
            continue
        tail = LogTail(origin=o.origin, container=container or "the container", lines=tuple(str(x) for x in o.data["lines"]),
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


def crash_line(lines) -> tuple[str, str] | None:
    """(what the program died of, the line that says it) from the last log lines before an exit, or None."""
    lines = [str(x).rstrip() for x in lines]
    for i, line in enumerate(lines):
        text = line.strip()
        for pattern, what in _CRASHES:
            if pattern.search(text):
                if what == "a Python exception":  # the exception itself is the traceback's last unindented line
                    last = next((x.strip() for x in reversed(lines[i + 1:]) if _PY_LAST.match(x)), None)
                    text = last or text
                return what, text[:160]
    return None


def explain_exits(diagnosis: Diagnosis, transitions: tuple[Transition, ...]) -> tuple[Diagnosis, tuple]:
    """A crash the exit log shows (a panic, an exception, a segfault) is the evidence of why the container exited:
    the restart or termination it is attached to says so, and a diagnosis that had no reason says it too."""
    found = None
    out = list(transitions)
    for i, t in enumerate(out):
        if t.log_tail is None or t.log_tail.running:
            continue
        crash = crash_line(t.log_tail.lines)
        if crash is None:
            continue
        what, line = crash
        missing = tuple(m for m in t.missing if _NO_LOGS not in m)
        summary = t.summary.replace("the input does not show why it stopped", f"its log before the exit shows {what}")
        out[i] = replace(t, summary=summary, detail=(*t.detail, f"Its log before the exit shows {what}: `{line}`"),
                         missing=missing)
        found = (what, line, t.log_tail.origin, t.container)
    if found is None:
        return diagnosis, transitions
    what, line, origin, container = found
    evidence = f"its log before the exit shows {what}: `{line}` ({origin})"
    d = diagnosis
    if d.cause == "unknown" and d.summary.startswith(("Restarted", "Crash loop")):
        head = d.summary.split(";")[0].split(": the container keeps")[0]
        tail = d.summary.rsplit(": now ", 1)[1] if ": now " in d.summary else None
        tail = tail.split("; now in ", 1)[1] if tail and "; now in " in tail else tail
        return replace(d, cause="error-exit", confidence="inferred", container=d.container or container,
                       summary=f"{head}: the application crashes: {evidence}; the exit code is not in the input"
                               + (f"; now {tail}" if tail else "")), tuple(out)
    if d.cause == "error-exit" and _NO_LOGS in d.summary:
        return replace(d, summary=d.summary.replace(f"see `{_NO_LOGS}`", evidence)), tuple(out)
    return d, tuple(out)
