"""`simulate --against`: the predicted timeline lined up with a recorded one, and where reality differs
beyond the rule's tolerance, with the reasons the input supports (SIGTERM handling, image pulls,
the pod worker's requeue after a back-off).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from kubectl_podlife.model import rules
from kubectl_podlife.model.simulate import PULL_SECONDS, SimOptions, container_plans
from kubectl_podlife.model.timeline import PodTimeline
from kubectl_podlife.timefmt import clock, parse_go_duration


@dataclass(frozen=True)
class Difference:
    """One predicted transition that reality did not match (or one of reality's that was not predicted)."""

    kind: str
    container: str | None
    index: int
    predicted: float | None
    observed: float | None
    delta: float | None  # observed - predicted
    step: float | None  # the part of delta that is new since the previous one of its kind
    tolerance: float
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "container": self.container, "index": self.index, "predicted_t": self.predicted,
                "observed_t": self.observed, "delta": self.delta, "step": self.step, "tolerance": self.tolerance,
                "reason": self.reason}

    def sentence(self) -> str:
        what = f"{self.kind} {self.index}" + (f" of {self.container}" if self.container else "")
        if self.observed is None:
            return f"{what}: predicted at {clock(self.predicted)}, not observed: {self.reason}"
        if self.predicted is None:
            return f"{what}: observed at {clock(self.observed)}, not predicted: {self.reason}"
        d = self.step if self.step is not None else self.delta
        when = f"{abs(d):g} s {'later' if d > 0 else 'earlier'} than predicted"
        total = "" if self.step is None or abs(self.step - self.delta) < 0.5 else \
            f" ({self.delta:+g} s in all)"
        return (f"{what} came {when}{total} (predicted {clock(self.predicted)}, observed {clock(self.observed)}, "
                f"tolerance ±{self.tolerance:g} s): {self.reason}")


_COMPARED = ("restart", "back-off", "ready", "not-ready")


def _series(pod, kind: str, single: str | None) -> dict[str | None, list]:
    out: dict[str | None, list] = {}
    for t in pod.transitions:
        if t.kind != kind or t.t is None:
            continue
        c = t.container or single
        out.setdefault(c, []).append(t)
    for v in out.values():
        v.sort(key=lambda x: (x.restart_count or 0, x.t) if kind == "restart" else x.t)
    return out


def _has_probe(spec: dict, container: str | None, ptype: str) -> bool:
    return any(isinstance(c, dict) and (container is None or c.get("name") == container)
               and isinstance(c.get(f"{ptype}Probe"), dict)
               for c in (spec.get("containers") or []) + (spec.get("initContainers") or []))


def _tolerance(spec: dict, container: str | None, kind: str) -> tuple[float, str]:
    """±(one probe period + 2 s): the tick phase is unknown within a period, plus timing slack."""
    cspec = next((c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                  if isinstance(c, dict) and c.get("name") == container), None)
    types = ("readiness",) if kind in ("ready", "not-ready") else ("liveness", "startup")
    periods = [rules.probe_settings(cspec.get(f"{p}Probe"))["periodSeconds"] for p in types
               if cspec and isinstance(cspec.get(f"{p}Probe"), dict)]
    if periods:
        return float(max(periods)) + 2.0, f"one probe period ({max(periods)} s) + 2 s"
    return 2.0, "2 s"


def compare(predicted, observed, spec: dict, options: SimOptions, observed_end: float | None = None
            ) -> list[Difference]:
    """Pair the predicted pod's restarts, back-offs and readiness changes with the observed ones (same
    kind and container, in order) and say where reality differs beyond the rule's tolerance, and why."""
    names = [c.get("name") for c in spec.get("containers") or [] if isinstance(c, dict)]
    single = names[0] if len(names) == 1 else None
    end = observed_end if observed_end is not None else max([t.t for t in observed.transitions if t.t is not None]
                                                             or [0.0])
    pend = max([t.t for t in predicted.transitions if t.t is not None] or [0.0])
    out: list[Difference] = []
    for kind in _COMPARED:
        ps, os_ = _series(predicted, kind, single), _series(observed, kind, single)
        for c in dict.fromkeys(list(ps) + list(os_)):
            if kind in ("ready", "not-ready") and not _has_probe(spec, c, "readiness"):
                continue  # READY follows the restarts there; nothing of its own to compare
            tol, _ = _tolerance(spec, c, kind)
            pl, ol = ps.get(c, []), os_.get(c, [])
            prev_delta = None
            for i in range(max(len(pl), len(ol))):
                p = pl[i] if i < len(pl) else None
                o = ol[i] if i < len(ol) else None
                if p is not None and o is not None:
                    lo, hi = _interval(o, observed)
                    # The observed time is an interval (AGE precision, a restart only bounded by the row
                    # that first showed it): the difference is to its nearest edge.
                    delta = 0.0 if lo <= p.t <= hi else round((lo if p.t < lo else hi) - p.t, 3)
                    step = None if prev_delta is None else round(delta - prev_delta, 3)
                    prev_delta = delta
                    new = delta if step is None else step
                    if abs(new) > tol:
                        out.append(Difference(kind, c, i + 1, p.t, o.t, delta, step, tol,
                                              _why(kind, c, i, p, o, new, predicted, observed, spec, options)))
                elif p is not None:
                    if p.t + tol < end:  # the recording went on long enough to have shown it
                        out.append(Difference(kind, c, i + 1, p.t, None, None, None, tol,
                                              f"the recording goes on to {clock(end)} without it"))
                elif o is not None and o.t > 0 and o.t - tol <= pend + tol:
                    out.append(Difference(kind, c, i + 1, None, o.t, None, None, tol,
                                          _why_extra(kind, c, o, predicted, observed, spec, options)))
    out.sort(key=lambda d: (d.observed if d.observed is not None else d.predicted or 0.0))
    return out


def _interval(o, pod) -> tuple[float, float]:
    """Where an observed transition can lie: from its t to the end of its t_range (a coarse AGE like `10m`
    stands for [600, 660)); a restart with no range was only seen by a later row, so at or before t."""
    if o.t_range:
        return float(o.t), max(float(o.t), float(o.t_range[1]))
    same = [x.t_range for x in pod.transitions if x.t_range and x is not o and
            {e.origin for e in x.evidence} & {e.origin for e in o.evidence}]
    hi = max([r[1] for r in same] + [o.t])
    return (-math.inf if o.kind == "restart" else o.t), hi


def _before(pod, kind: str, c: str | None, t: float, single: str | None, after: float = -1.0) -> list:
    return [x for x in pod.transitions if x.kind == kind and x.t is not None and after < x.t <= t + 0.5
            and (x.container or single) == c]


def _pull_seconds(tr) -> float | None:
    m = re.search(r" in ([\d.]+(?:ms|s|m\d*s?))", " ".join(e.text for e in tr.evidence))
    if not m:
        return None
    return parse_go_duration(m.group(1))


def _why(kind: str, c: str | None, i: int, p, o, new: float, predicted, observed, spec: dict,
         options: SimOptions) -> str:
    names = [x.get("name") for x in spec.get("containers") or [] if isinstance(x, dict)]
    single = names[0] if len(names) == 1 else None
    cspec = next((x for x in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                  if isinstance(x, dict) and x.get("name") == c), {}) or {}
    reasons: list[str] = []
    prev_o = [x for x in _series(observed, kind, single).get(c, []) if x.t is not None and x.t < o.t - 0.5]
    prev_p = [x for x in _series(predicted, kind, single).get(c, []) if x.t is not None and x.t < p.t - 0.5]
    o_from = prev_o[-1].t if prev_o else -1.0
    p_from = prev_p[-1].t if prev_p else -1.0
    if kind == "restart":
        # 1. The kill took the full grace period (SIGTERM ignored) or none of it (handled).
        okill = _before(observed, "killing", c, o.t, single, o_from)
        pkill = _before(predicted, "killing", c, p.t, single, p_from)
        grace, which = rules.grace_for_kill(spec, cspec, "liveness")
        plan = container_plans(spec, options).get(c)
        if okill and pkill and o.t_range:
            o_stop = o.t - okill[-1].t
            p_stop = p.t - pkill[-1].t
            if plan is not None and not plan.ignores_sigterm and abs(o_stop - grace) <= 3 and p_stop < grace - 3:
                reasons.append(f"the observed kill took the full grace period ({grace} s, {which}): the process "
                               f"ignored SIGTERM (simulate assumed it handles it; try --sigterm ignored)")
            elif plan is not None and plan.ignores_sigterm and o_stop < grace - 3 and abs(p_stop - grace) <= 3:
                reasons.append(f"the observed restart followed the Killing event after {o_stop:g} s, not the "
                               f"{grace} s grace period: the process handled SIGTERM (try --sigterm handled)")
            elif abs((okill[-1].t - o_from) - (pkill[-1].t - p_from)) > 2:
                reasons.append(f"the kill itself came {okill[-1].t - o_from - (pkill[-1].t - p_from):+g} s off the "
                               f"predicted cycle: the probe target failed at another time than assumed (set "
                               f"--liveness-fails-from) or the probe tick phase differs (--tick-phase)")
        elif plan is not None and abs(abs(new) - grace) <= 3:
            if new > 0 and not plan.ignores_sigterm:
                reasons.append(f"about one grace period ({grace} s) longer: the process probably ignored SIGTERM, so "
                               f"each kill waited for SIGKILL (try --sigterm ignored)")
            elif new < 0 and plan.ignores_sigterm:
                reasons.append(f"about one grace period ({grace} s) shorter: the process probably handled SIGTERM "
                               f"(try --sigterm handled)")
        # 2. Image pulls before the start: more of them, or slower, than predicted.
        opulls = _before(observed, "pulling", c, o.t, single, o_from)
        ppulls = _before(predicted, "pulling", c, p.t, single, p_from)
        if opulls and new > 0:
            policy = rules.image_pull_policy(cspec)
            why_policy = ("an untagged (or :latest) image defaults to imagePullPolicy Always"
                          if not cspec.get("imagePullPolicy") and policy == "Always" else
                          f"imagePullPolicy {policy}")
            took = [s for s in (_pull_seconds(x) for x in _before(observed, "pulled", c, o.t, single, o_from))
                    if s is not None]
            if len(opulls) > len(ppulls):
                reasons.append(f"the image was pulled again, since {why_policy}"
                               + (f" (the pull took {took[-1]:g} s)" if took else ""))
            elif took and took[-1] > PULL_SECONDS + 1:
                reasons.append(f"the image pull took {took[-1]:g} s (simulate assumed {PULL_SECONDS:g} s); "
                               f"{why_policy} pulls on every start")
    # 3. A start after a back-off waits for the pod worker's requeue on older kubelets.
    pback = _before(predicted, "back-off", c, p.t, single, p_from)
    oback = _before(observed, "back-off", c, o.t, single, o_from)
    if (pback or oback) and 0 < new <= rules.POD_WORKER_REQUEUE[1] + 3:
        reasons.append("after a back-off the pod worker's 10-15 s requeue: older kubelets retry a backed-off "
                       "container on their 10 s (+50% jitter) resync, not at the back-off's expiry (k/k#133066)")
    if kind in ("ready", "not-ready") and not reasons:
        reasons.append("the readiness target answered at another time than assumed (set --readiness-succeeds-from "
                       "or --readiness-fails-from)")
    if not reasons:
        reasons.append("no reason found in the input: the probe target may fail at another time than assumed, or "
                       "the recording missed events")
    return "; ".join(reasons)


def _why_extra(kind, c, o, predicted, observed, spec, options) -> str:
    if kind == "restart":
        return ("the prediction has no such restart: the container failed in a way the assumed behaviour does not "
                "have (set --liveness-fails-from, --exits-after or --oom-at)")
    if kind == "back-off":
        return "the prediction never backs off here: restarts came closer together than predicted"
    return "the prediction has no such readiness change"


def comparison_lines(p: PodTimeline, o: PodTimeline, spec: dict, diffs: list[Difference]) -> list[str]:
    """One pod's comparison as text: both outcomes, the paired transitions in a table, the differences."""
    names = [c.get("name") for c in spec.get("containers") or [] if isinstance(c, dict)]
    single = names[0] if len(names) == 1 else None
    out: list[str] = []
    out.append(f"Pod {p.display}: predicted {p.final_status or '?'} with {p.restarts} restarts by "
               f"{clock(p.end)}; observed {o.final_status or '?'} with {o.restarts} restarts by {clock(o.end)}")
    out.append(f"  Predicted: {p.diagnosis.summary}")
    out.append(f"  Observed:  {o.diagnosis.summary}")
    out.append("")
    out.append(f"  {'kind':<10} {'#':>3} {'container':<24} {'predicted':>9} {'observed':>9} {'diff':>7}")
    for kind in _COMPARED:
        ps, os_ = _series(p, kind, single), _series(o, kind, single)
        for c in dict.fromkeys(list(ps) + list(os_)):
            if kind in ("ready", "not-ready") and not _has_probe(spec, c, "readiness"):
                continue
            pl, ol = ps.get(c, []), os_.get(c, [])
            for i in range(max(len(pl), len(ol))):
                pt = pl[i].t if i < len(pl) else None
                ot = ol[i].t if i < len(ol) else None
                diff = f"{ot - pt:+.0f}s" if pt is not None and ot is not None else ""
                out.append(f"  {kind:<10} {i + 1:>3} {str(c or '-'):<24} {clock(pt) if pt is not None else '-':>9} "
                           f"{clock(ot) if ot is not None else '-':>9} {diff:>7}")
    out.append("")
    if diffs:
        out.append("  Differences beyond the rule's tolerance:")
        for d in diffs:
            out.append(f"  - {d.sentence()}")
    else:
        out.append("  No difference beyond the rule's tolerance (± one probe period + 2 s).")
    out.append("")
    return out
