"""The model's output: per pod, a timeline of explained transitions, container lanes and a diagnosis.

Views (text, markdown, JSON, the TUI) only read these; they never parse or re-derive. `to_json`
produces exactly the `explain -o json` contract of design.md.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from typing import Any

# Transition kinds (design.md).
KINDS = ("created", "scheduled", "pulling", "pulled", "started", "ready", "not-ready", "restart",
         "back-off", "terminated", "init-done", "terminating", "deleted", "phase", "probe-failed",
         "killing", "pull-failed", "hook-failed", "note")

# Causes (design.md vocabulary).
CAUSES = ("liveness-probe", "startup-probe", "readiness-probe", "oom-killed", "error-exit",
          "completed-exit", "init-container", "image-pull", "config-error", "cannot-run",
          "post-start-hook", "deleted", "evicted", "readiness-gate", "none", "unknown")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc", "unknown")
CONFIDENCES = ("observed", "inferred", "assumed-default", "predicted")


@dataclass(frozen=True, slots=True)
class Evidence:
    origin: str  # file:line or api:...
    text: str  # the raw line(s)


@dataclass(frozen=True, slots=True)
class ProbeInfo:
    type: str  # liveness | readiness | startup
    handler: str  # exec | httpGet | tcpSocket | grpc | unknown
    target: str | None = None  # "test -e /tmp/healthy", "http://:8080/healthz", ":53"
    period_seconds: int | None = None
    failure_threshold: int | None = None
    initial_delay_seconds: int | None = None
    timeout_seconds: int | None = None
    success_threshold: int | None = None
    termination_grace_period_seconds: int | None = None  # probe-level, liveness/startup only
    failures_seen: int | None = None
    from_spec: bool = False  # settings read from a manifest/describe/API (else from event text)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "handler": self.handler}
        for k in ("target", "period_seconds", "failure_threshold", "initial_delay_seconds",
                  "timeout_seconds", "success_threshold", "termination_grace_period_seconds",
                  "failures_seen"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        return d


@dataclass(frozen=True, slots=True)
class Expected:
    """Timing computed from the spec and the kubelet's rules, next to what was observed."""

    t_range: tuple[float, float] | None
    rule: str
    observed: float | None = None
    difference: float | None = None  # observed minus the nearest edge of t_range (0 inside it)

    def to_json(self) -> dict[str, Any]:
        return {"t_range": list(self.t_range) if self.t_range else None, "rule": self.rule,
                "observed": self.observed, "difference": self.difference}


LOG_SHOWN = 5  # log lines an explanation shows (the TUI's `l` shows the whole stored tail)


@dataclass(frozen=True, slots=True)
class LogTail:
    """The last lines a container instance logged, attached to the transition that ended it (or to its
    start when the instance was still running): from a `kubectl logs` block or fetched live."""

    origin: str  # file:line of the `kubectl logs` command, or api:pods/NAME/log?...
    container: str
    lines: tuple[str, ...]  # the whole stored tail, oldest first
    previous: bool  # `--previous` / previous=true: the instance before the current one
    source: str = "transcript"  # transcript | api
    running: bool = False  # the instance had not terminated (logs of the current, running container)

    @property
    def shown(self) -> tuple[str, ...]:
        return self.lines[-LOG_SHOWN:]

    def provenance(self) -> str:
        """"log before this exit, kubectl logs --previous at f.txt:37": which instance, read how, from where."""
        which = "running instance" if self.running else "log before this exit"
        how = ("kubectl logs --previous" if self.previous else "kubectl logs") if self.source == "transcript" \
            else "fetched live"
        return f"{which}, {how} at {self.origin}"

    def count_phrase(self, whole: bool = False) -> str:
        """"last 5 of 7 lines", "last 7 lines", "last 1 line"."""
        n = len(self.lines) if whole else len(self.shown)
        count = f"{n} of {len(self.lines)}" if n < len(self.lines) else str(n)
        return f"last {count} line{'s' if n != 1 else ''}"

    def heading(self, whole: bool = False) -> str:
        """"Container log of migrate (log before this exit, kubectl logs --previous at f.txt:37): last 3
        lines": what the lines below it are."""
        return f"Container log of {self.container} ({self.provenance()}): {self.count_phrase(whole)}"

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "container": self.container, "previous": self.previous,
                "source": self.source, "running": self.running, "lines": list(self.shown),
                "stored_lines": len(self.lines)}


@dataclass(frozen=True, slots=True)
class KubectlView:
    """What `kubectl get pods` would have printed at that moment."""

    ready: str | None = None
    status: str | None = None
    restarts: str | None = None
    phase: str | None = None  # the pod phase rebuilt at that moment (not printed by get, shown by describe)
    conditions: tuple[tuple[str, str], ...] = ()  # (type, True|False) in describe's order


@dataclass(frozen=True, slots=True)
class Transition:
    t: float | None
    t_range: tuple[float, float] | None
    time: str | None
    kind: str
    summary: str
    container: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    restart_count: int | None = None
    cause: str | None = None
    probe: ProbeInfo | None = None
    grace_period_seconds: float | None = None
    backoff_seconds: float | None = None
    expected: Expected | None = None
    confidence: str = "observed"
    detail: tuple[str, ...] = ()
    rule: str | None = None  # the kubelet/kubectl rule applied, with its constants
    missing: tuple[str, ...] = ()  # inputs that were missing and what was assumed instead
    evidence: tuple[Evidence, ...] = ()
    view: KubectlView = field(default_factory=KubectlView)
    log_tail: LogTail | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "t_range": list(self.t_range) if self.t_range else None,
            "time": self.time,
            "container": self.container,
            "kind": self.kind,
            "from": self.from_state,
            "to": self.to_state,
            "restart_count": self.restart_count,
            "cause": self.cause,
            "probe": self.probe.to_json() if self.probe else None,
            "grace_period_seconds": self.grace_period_seconds,
            "backoff_seconds": self.backoff_seconds,
            "expected": self.expected.to_json() if self.expected else None,
            "confidence": self.confidence,
            "summary": self.summary,
            "detail": "\n".join(self.detail),
            "rule": self.rule,
            "missing": list(self.missing),
            "kubectl": {"ready": self.view.ready, "status": self.view.status, "restarts": self.view.restarts},
            "state": {"phase": self.view.phase, "conditions": dict(self.view.conditions)},
            "evidence": [{"origin": e.origin, "text": e.text} for e in self.evidence],
            "log_tail": self.log_tail.to_json() if self.log_tail else None,
        }


@dataclass(frozen=True, slots=True)
class Diagnosis:
    cause: str
    summary: str
    container: str | None = None
    probe: ProbeInfo | None = None
    confidence: str = "observed"

    def to_json(self) -> dict[str, Any]:
        return {"cause": self.cause, "container": self.container,
                "probe": self.probe.to_json() if self.probe else None,
                "summary": self.summary, "confidence": self.confidence}


# Lane segment states.
LANE_STATES = ("waiting", "running", "ready", "terminated", "back-off", "unknown")


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float | None  # None: until the end of the observed timeline
    state: str  # one of LANE_STATES
    label: str = ""  # e.g. "CrashLoopBackOff", "Error 137"


@dataclass(frozen=True, slots=True)
class Mark:
    t: float
    kind: str  # probe-failed | killing | restart | back-off | pull-failed | ...
    label: str = ""


@dataclass(frozen=True, slots=True)
class Lane:
    container: str
    init: bool = False
    sidecar: bool = False
    segments: tuple[Segment, ...] = ()
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, slots=True)
class PodTimeline:
    name: str
    namespace: str | None
    transitions: tuple[Transition, ...]
    diagnosis: Diagnosis
    restarts: int  # when not restarts_shown, a lower bound: the input shows restarts but not how many
    final_status: str | None
    restarts_shown: bool = True
    uid: str | None = None
    incarnation: int = 1
    lanes: tuple[Lane, ...] = ()
    start: float = 0.0  # first and last t on the timeline
    end: float = 0.0
    created_time: str | None = None  # absolute creation time where known
    anchor: str | None = None  # how pod-relative time was established ("AGE column", "Scheduled event", ...)
    notes: tuple[str, ...] = ()  # pod-level remarks (spec only, unanchored times, ...)
    sources: tuple[str, ...] = ()
    kind: str = "Pod"  # "Job" for the entry a Job's own output (describe job, its events, its status) makes

    @property
    def display(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{ns}{self.name}" + (f" (#{self.incarnation})" if self.incarnation > 1 else "")

    @property
    def restarts_text(self) -> str:
        """The restart count as a column shows it: "5", or "≥1" when the input shows no count."""
        return str(self.restarts) if self.restarts_shown else f"≥{self.restarts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "namespace": self.namespace or "default",
            "name": self.name,
            "uid": self.uid,
            "incarnation": self.incarnation,
            "restarts": self.restarts if self.restarts_shown else None,
            **({} if self.restarts_shown else {"restarts_at_least": self.restarts}),
            "final_status": self.final_status,
            "diagnosis": self.diagnosis.to_json(),
            "transitions": [t.to_json() for t in self.transitions],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Timeline:
    pods: tuple[PodTimeline, ...]
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"pods": [p.to_json() for p in self.pods], "warnings": list(self.warnings)}


def _fast_pickle(cls: type) -> None:
    """Pickle state as a tuple of the fields read by one attrgetter, set back by one generated function
    of one slot store per field. A frozen slots dataclass's own __getstate__/__setstate__ call
    `dataclasses.fields()` for every object, which was a fifth of building a session's timelines for the
    store's cache (issue 12). Same state layout (the field values in order), so timelines cached before
    read back. `cls._make(values)` builds one from its field values in order the same way, in about
    half the time of the frozen __init__ (which sets each field through object.__setattr__)."""
    names = tuple(f.name for f in fields(cls))
    get = operator.attrgetter(*names)

    if len(names) == 1:
        def __getstate__(self):
            return (get(self),)
    else:
        def __getstate__(self):
            return get(self)

    slots = {f"_set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)}
    args = ", ".join(f"v{i}" for i in range(len(names)))
    body = "".join(f"    _set{i}(self, v{i})\n" for i in range(len(names)))
    exec(f"def __setstate__(self, state):\n    {args}, = state\n{body}", slots)
    __setstate__ = slots["__setstate__"]
    new = object.__new__

    def _make(values: tuple):
        obj = new(cls)
        __setstate__(obj, values)
        return obj

    cls.__getstate__ = __getstate__
    cls.__setstate__ = __setstate__
    cls._make = staticmethod(_make)


for _cls in (Evidence, ProbeInfo, Expected, KubectlView, Transition, Diagnosis, Segment, Mark, Lane, PodTimeline,
             Timeline):
    _fast_pickle(_cls)
