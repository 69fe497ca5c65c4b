"""Why each transition happened, by the kubelet's rules: cause, probe, grace, back-off, timing.

Every explanation says how sure it is: `observed` (an event or state says so), `inferred` (the
spec and the timing agree with only this cause), `assumed-default` (it rests on a default because
an input is missing, e.g. no manifest so failureThreshold=3 is assumed); and which inputs were
missing.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re

from kubectl_podlife.model import rules
from kubectl_podlife.model.build import PodInput, T
from kubectl_podlife.model.timeline import Expected, ProbeInfo
from kubectl_podlife.timefmt import clock, go_duration

INF = float("inf")


class PodContext:
    """What the explainer needs to know about one pod, computed once."""

    def __init__(self, inp: PodInput, trs: list[T]):
        self.inp = inp
        self.trs = trs
        self.spec = inp.spec
        self.policy = inp.spec.get("restartPolicy")
        self.cspecs = {c.get("name"): c for c in (inp.spec.get("containers") or []) + (
            inp.spec.get("initContainers") or []) if isinstance(c, dict)}
        self.single = inp.containers[0] if len(inp.containers) == 1 else None
        self.has_manifest = any(s in ("manifest", "api") for s in inp.spec_sources)
        # Why the pod was evicted, when anything says it was (event, pod reason, STATUS Evicted).
        self.evicted = next((str(o.data.get("message") or "evicted") for o in inp.obs if
                             (o.kind == "event" and str(o.data.get("reason")).lower() == "evicted") or
                             (o.kind == "pod" and o.data.get("reason") == "Evicted")), None) or (
            "evicted" if any(o.data.get("status") == "Evicted" for o in inp.rows) else None)
        self.has_spec = bool(inp.spec_sources)

        # Per kind, timed transitions sorted by t (for window queries) and the rest; built once.
        self._by_kind: dict[str, list[T]] = {}
        for t in trs:
            self._by_kind.setdefault(t.kind, []).append(t)
        self._timed: dict[str, tuple[list[float], list[T]]] = {}
        self._spans: dict[str, list[T]] = {}  # aggregated events, whose first..last may cover any window
        for kind, items in self._by_kind.items():
            timed = sorted((t for t in items if t.t is not None), key=lambda t: t.t)
            self._timed[kind] = ([t.t for t in timed], timed)
            self._spans[kind] = [t for t in timed if t.first_t is not None and t.first_t < t.t - 2]

    def of(self, kind: str, container: str | None) -> list[T]:
        return [t for t in self._by_kind.get(kind, ()) if container is None or t.container in (container, None)]

    def within(self, kind: str, container: str | None, lo: float, hi: float) -> list[T]:
        """Transitions of a kind whose time (or, aggregated, whose first..last span) meets [lo, hi]."""
        times, items = self._timed.get(kind, ([], []))
        a = bisect.bisect_left(times, lo)
        b = bisect.bisect_right(times, hi)
        found = items[a:b] + [t for t in self._spans.get(kind, ()) if t.first_t <= hi and t.t >= lo and not (
            lo <= t.t <= hi)]
        return [t for t in found if container is None or t.container in (container, None)]

    def last_before(self, kind: str, containers: tuple, t: float | None) -> T | None:
        """The latest transition of a kind at or before t (the last one at all when t is None)."""
        times, items = self._timed.get(kind, ([], []))
        i = bisect.bisect_right(times, t) if t is not None else len(items)
        while i > 0:
            i -= 1
            if items[i].container in containers:
                return items[i]
        if t is None:
            untimed = [x for x in self._by_kind.get(kind, ()) if x.t is None and x.container in containers]
            return untimed[-1] if untimed else None
        return None


    def cspec(self, container: str | None) -> dict | None:
        if container in self.cspecs:
            return self.cspecs[container]
        if self.single is not None and len(self.cspecs) == 1:
            return next(iter(self.cspecs.values()))
        return None

    def probe(self, container: str | None, ptype: str) -> dict | None:
        c = self.cspec(container)
        p = (c or {}).get(f"{ptype}Probe")
        return p if isinstance(p, dict) else None


def occurrences(events: list[T]) -> int:
    """How many times the events happened, counting an Event object once however often it was seen.

    One Event object is printed or watched several times as its count grows (describe run twice, a
    live watch of every update); its occurrences are the growth of its count, not the sum.
    """
    groups: dict[tuple, list[int]] = {}
    for e in events:
        msg = e.evidence[0].data.get("message") if e.evidence else e.summary
        first = round(e.first_t) if e.first_t is not None else (round(e.t) if e.t is not None else None)
        groups.setdefault((msg, first), []).append(e.count)
    total = 0
    for counts in groups.values():
        total += max(counts) - min(counts) + 1 if len(counts) > 1 else counts[0]
    return total


# --- probes -------------------------------------------------------------------------------------

def probe_info(ctx: PodContext, container: str | None, ptype: str, fails: list[T]) -> tuple[ProbeInfo, list[str]]:
    """ProbeInfo from the spec when there is one, else from the failure messages; plus what was assumed."""
    spec = ctx.probe(container, ptype)
    missing: list[str] = []
    seen = occurrences(fails) if fails else None
    if spec:
        s = rules.probe_settings(spec)
        defaulted = [k for k in ("periodSeconds", "failureThreshold", "timeoutSeconds") if k not in spec]
        info = ProbeInfo(type=ptype, handler=rules.probe_handler(spec), target=rules.probe_target(spec),
                         period_seconds=s["periodSeconds"], failure_threshold=s["failureThreshold"],
                         initial_delay_seconds=s["initialDelaySeconds"], timeout_seconds=s["timeoutSeconds"],
                         success_threshold=s["successThreshold"],
                         termination_grace_period_seconds=spec.get("terminationGracePeriodSeconds"),
                         failures_seen=seen, from_spec=True)
        if defaulted:
            missing.append("not set in the spec, defaults used: " + ", ".join(
                f"{k}={rules.PROBE_DEFAULTS[k]}" for k in defaulted))
        return info, missing
    handler, why = "unknown", "no probe failure message"
    outputs = [f.facts[0].output for f in fails if f.facts and f.facts[0].what == "probe-failed"] or [
        f.facts[0].output for f in fails if f.facts]
    if outputs:
        handler, why = rules.handler_from_message(outputs[-1])
    missing.append(f"no {ptype} probe spec (manifest or describe): handler from the event message ({why}); "
                   f"assumed failureThreshold={rules.PROBE_DEFAULTS['failureThreshold']} and "
                   f"periodSeconds={rules.PROBE_DEFAULTS['periodSeconds']}")
    return ProbeInfo(type=ptype, handler=handler, target=None, failures_seen=seen), missing


def _probe_words(p: ProbeInfo) -> str:
    target = f" `{p.target}`" if p.target else ""
    return f"{p.handler} {p.type} probe{target}"


def _probe_settings_line(p: ProbeInfo) -> str:
    if not p.from_spec:
        return f"{p.type.capitalize()} probe: {p.handler}; settings unknown (no spec in the input)."
    extra = f", terminationGracePeriodSeconds {p.termination_grace_period_seconds}" if \
        p.termination_grace_period_seconds else ""
    return (f"{p.type.capitalize()} probe: {p.handler}{' ' + p.target if p.target else ''}; initialDelaySeconds "
            f"{p.initial_delay_seconds}, periodSeconds {p.period_seconds}, timeoutSeconds {p.timeout_seconds}, "
            f"failureThreshold {p.failure_threshold}{extra}.")


# --- the restart explainer ----------------------------------------------------------------------

def explain_restarts(ctx: PodContext) -> None:
    containers = list(dict.fromkeys([t.container for t in ctx.trs if t.kind == "restart"]))
    for c in containers:
        restarts = sorted((t for t in ctx.trs if t.kind == "restart" and t.container == c),
                          key=lambda t: (t.restart_count or 0, t.t if t.t is not None else INF))
        starts = sorted((t for t in ctx.trs if t.kind == "started" and t.container in (c, None) and t.t is not None),
                        key=lambda t: t.t)
        prev_start = starts[0] if starts else None
        prev_t = None
        cycle_seen: list[float] = []
        for r in restarts:
            _explain_restart(ctx, c, r, prev_start, prev_t, cycle_seen)
            if r.t is not None:
                if prev_t is not None and r.restart_count and r.note != "missed by the watch":
                    cycle_seen.append(r.t - prev_t)
                prev_t = r.t
                prev_start = r


def _explain_restart(ctx: PodContext, c: str | None, r: T, prev_start: T | None, prev_t: float | None,
                     cycles: list[float]) -> None:
    lo = prev_t if prev_t is not None else -INF
    hi = r.t if r.t is not None else (r.hi if r.hi is not None else INF)
    if r.note == "before-first-row" or (r.note == "from-state" and prev_t is None):
        lo = -INF  # a restart known only from a count or a state: anything before it may be its cause
    kills = ctx.within("killing", c, lo - 2, hi + 3)
    # The instance that ended at this restart: its finish lies in the window (its start may not).
    terms = [x for x in ctx.of("terminated", c) if x.t is None and x.note != "current-state"] + [
        x for x in ctx.within("terminated", c, lo - 2, hi + 2) if lo - 2 <= x.t <= hi + 2
        and not (x.first_t is not None and r.t is not None and x.first_t >= r.t - 1)]  # not one it started
    prev_status = r.from_state
    in_window = ctx.within("probe-failed", c, lo - 2, hi + 3)
    fails = {p: [f for f in in_window if f.facts and f.facts[0].probe_type == p] for p in ("liveness", "startup",
                                                                                          "readiness")}
    cspec = ctx.cspec(c)
    beh = rules.command_behaviour(cspec)
    r.detail = []
    n = r.restart_count
    who = f"{c}" if c else ("the init container" if _unprefixed(prev_status) != prev_status else "the container")
    lived = (r.t - prev_start.t) if (prev_start is not None and prev_start.t is not None and r.t is not None) else None
    probe_kills = [k for k in kills if k.facts and k.facts[0].kill_reason in ("liveness", "startup")]
    # This restart's own kill is the latest one at or before it; an aggregated one (x6 over 4m, or a live
    # Event whose count keeps growing) also covers it.
    own = [k for k in probe_kills if k.t is not None and r.t is not None and k.t <= r.t + 1]
    kill = max(own, key=lambda k: k.t) if own else (probe_kills[0] if probe_kills else None)
    # An aggregated Killing (x6 over 4m) names the cause of every restart in its span, but its time is
    # only its last occurrence: use it for timing only when it is this restart's own kill.
    timed_kill = kill if kill is not None and kill.t is not None and r.t is not None and (
        kill.count == 1 or r.t - 35 <= kill.t <= r.t) and kill.t <= r.t + 1 else None
    borrowed = False
    if not terms and r.note == "from-state" and r.t is not None:
        # The exit of the instance this restart started (a describe of a container waiting in back-off
        # shows only that one): the crash loop repeats it, so it stands for the earlier exits too.
        terms = [x for x in ctx.of("terminated", c) if x.first_t is not None and abs(x.first_t - r.t) <= 2]
        borrowed = bool(terms)
    term = terms[-1] if terms else None
    if term is not None and term.first_t is not None and term.t is not None:
        lived = term.t - term.first_t  # the instance's own startedAt..finishedAt
        if prev_start is None:
            prev_start = T("started", term.first_t, term.first_t, term.first_t + 1, container=c)
    elif term is not None and term.t is not None and prev_start is not None and prev_start.t is not None:
        lived = term.t - prev_start.t  # from its start to the exit the rows show
    waited = (r.t - term.t) if term is not None and term.t is not None and r.t is not None else None
    exit_code = term.exit_code if term else None
    treason = _unprefixed((term.reason if term else None) or (prev_status if _unprefixed(prev_status) in (
        "Completed", "Error", "OOMKilled", "ContainerCannotRun", "StartError") else None))
    r.exit_code = exit_code if r.exit_code is None else r.exit_code
    cause, conf = None, "observed"
    ptype = None
    likely = None
    if kill is not None:
        ptype = kill.facts[0].kill_reason
        cause = f"{ptype}-probe"
        r.evidence.extend(e for e in kill.evidence if e not in r.evidence)
    elif treason == "OOMKilled":
        cause = "oom-killed"
    elif any(k.facts and k.facts[0].kill_reason == "post-start-hook" for k in kills) or any(
            h.facts and h.facts[0].detail == "post-start" for h in ctx.of("hook-failed", c)):
        cause = "post-start-hook"
    elif treason in ("ContainerCannotRun", "StartError") or exit_code == rules.EXIT_START_ERROR:
        cause = "cannot-run"
    elif treason == "Completed" or exit_code == 0:
        cause = "completed-exit"
    else:
        for p in ("liveness", "startup"):
            spec_p = ctx.probe(c, p)
            thr = rules.probe_settings(spec_p)["failureThreshold"]
            if fails[p] and occurrences(fails[p]) >= thr:
                cause, conf, ptype = f"{p}-probe", "inferred", p
                r.detail.append(f"No Killing event is shown, but {occurrences(fails[p])} {p} probe failures "
                                f"reached failureThreshold {thr}: the kubelet kills the container at that point.")
                break
        if cause is None and exit_code in (rules.EXIT_SIGKILL, rules.EXIT_SIGTERM):
            for p in ("liveness", "startup"):
                if ctx.probe(c, p) and (treason in (None, "Error")):
                    match = _timing_matches(ctx, c, p, beh, lived, exit_code)
                    if match is not False:
                        cause, conf, ptype = f"{p}-probe", "inferred", p
                        r.detail.append(f"Exit code {exit_code} is a kill by signal and the container has a {p} "
                                        f"probe" + (f"; it lived {clock(lived)}, matching the probe's failure window"
                                                    if match else "") + ".")
                        break
        if cause is None and exit_code is not None:
            cause = "error-exit"
        if cause is None and treason == "Error":
            cause = "error-exit"
        if cause is None:
            for p in ("liveness", "startup"):
                if ctx.probe(c, p):
                    match = _timing_matches(ctx, c, p, beh, lived if lived is not None else (
                        cycles[-1] if cycles else None), None, r=r, prev_start=prev_start)
                    if match:
                        cause, conf, ptype = f"{p}-probe", "inferred", p
                        r.detail.append(f"No events or exit codes are shown; the timing matches the {p} probe "
                                        f"failing from the container's start (see expected timing).")
                        break
        if cause is None:
            likely = _only_restarting_probe(ctx, c, lived)
            if likely is not None:
                cause, conf, ptype = f"{likely}-probe", "inferred", likely
                r.missing.append(f"no exit code, reason, kill or probe event for this restart: the {likely} probe "
                                 f"is inferred from the spec, not shown by the input")
        if cause is None and beh.exits_after is not None and (lived is None or lived < beh.exits_after + 60):
            cause = "completed-exit" if beh.exit_code == 0 else "error-exit"
            conf = "inferred"
            r.detail.append(f"The container's command ends by itself after ~{beh.exits_after:g} s "
                            f"(exit {beh.exit_code}): `{beh.script or '(image default)'}`.")
        if cause is None:
            cause, conf = "unknown", "inferred"
    if borrowed and cause not in (None, "unknown"):
        conf = "inferred"
        r.detail.append(f"The exit before this restart is not shown; the instance it started ended the same way "
                        f"(exit {term.exit_code if term.exit_code is not None else '?'}"
                        f"{', ' + term.reason if term.reason else ''} after {clock(term.t - term.first_t)}), and a "
                        f"crash loop repeats itself.")
    r.cause = cause
    r.confidence = conf
    # probe details, grace and expected timing
    if ptype:
        info, missing = probe_info(ctx, c, ptype, fails.get(ptype) or [])
        spans = [f for f in fails.get(ptype) or [] if f.count > 1 and f.first_t is not None and f.t is not None
                 and (f.first_t < lo - 2 or f.t > hi + 2)]
        if spans and info.failures_seen:
            # One aggregated Unhealthy event covers several cycles; each kill needed threshold failures.
            thr = info.failure_threshold or rules.PROBE_DEFAULTS["failureThreshold"]
            info = dataclasses.replace(info, failures_seen=thr)
            r.detail.append(f"The Unhealthy event is aggregated (×{spans[0].count} over "
                            f"{clock(spans[0].t - spans[0].first_t)}) across restarts; each kill follows "
                            f"{thr} consecutive failures.")
        r.probe = info
        r.missing.extend(missing)
        r.detail.insert(0, _probe_settings_line(info))
        grace, which = rules.grace_for_kill(ctx.spec, cspec, ptype)
        r.grace = float(grace)
        precise = r.lo is not None and r.hi is not None and r.hi - r.lo <= 3
        kill_dur = (r.t - timed_kill.t) if (timed_kill is not None and precise) else None
        r.detail.append(_grace_line(grace, which, kill_dur, exit_code, beh))
        if "terminationGracePeriodSeconds" not in ctx.spec and not (info.termination_grace_period_seconds):
            if not ctx.has_manifest:
                r.missing.append("no manifest: assumed the default 30 s terminationGracePeriodSeconds")
        if ctx.probe(c, ptype) or timed_kill is not None:
            r.expected = _expected_probe_restart(ctx, c, ptype, beh, prev_start, r, kill_dur, timed_kill)
        r.rule = (f"{ptype} probe: the kubelet kills the container after failureThreshold consecutive failures "
                  f"(one probe every periodSeconds), with the grace period of the probe, else the pod, else 30 s; "
                  f"the restart follows at once unless crash-loop back-off applies")
        r.summary = (f"Restart {n if n is not None else ''} of {who}: the {_probe_words(info)} failed"
                     f"{' ' + str(info.failures_seen) + ' times' if info.failures_seen else ''}"
                     + (f" (threshold {info.failure_threshold}, period {info.period_seconds} s)" if info.from_spec
                        else "") + f"; killed with a {grace} s grace period" + _grace_outcome(kill_dur, exit_code, beh,
                                                                                            grace)).replace("  ", " ")
        if likely is not None:
            r.summary = (f"Restart {n if n is not None else ''} of {who}: most likely its {_probe_words(info)} "
                         f"(threshold {info.failure_threshold}, period {info.period_seconds} s), the only probe in "
                         f"its spec that restarts a container; the input shows no exit, kill or probe event"
                         ).replace("  ", " ")
    else:
        r.summary = _restart_summary(cause, n, who, exit_code, treason, lived)
        if cause == "oom-killed":
            r.rule = "the kernel OOM killer ends the container when it exceeds its memory limit (exit 137, reason OOMKilled)"
            lim = ((cspec or {}).get("resources") or {}).get("limits", {}).get("memory")
            if lim:
                r.detail.append(f"Memory limit: {lim}.")
        elif cause in ("error-exit", "completed-exit"):
            pol = ctx.policy or "Always"
            r.rule = (f"restartPolicy {pol}: " + ("every exit is restarted" if pol == "Always" else
                                                  "only non-zero exits are restarted"))
            if exit_code == rules.EXIT_SIGKILL:
                r.detail.append("Exit 137 = SIGKILL (128+9) with reason Error, not OOMKilled: something killed the "
                                "process; a liveness/startup kill whose SIGTERM was ignored also ends this way, but "
                                "no probe failure is shown here.")
            elif exit_code == rules.EXIT_SIGTERM:
                r.detail.append("Exit 143 = SIGTERM (128+15): the process was asked to stop (by the kubelet or "
                                "another process) and handled it.")
            elif exit_code is not None:
                r.detail.append(f"Exit code {exit_code}: the process ended on its own with "
                                f"{'success' if exit_code == 0 else 'an error'}.")
        elif cause == "unknown":
            r.missing.append("no exit code, reason, kill event or probe spec for this restart: the cause is not in "
                             "the input (look at `kubectl logs --previous` and the events)")
            if any(b.kind == "back-off" for b in ctx.trs) and not ctx.of("killing", c):
                r.detail.append("No Killing event is shown, so the kubelet did not kill it: the container exited "
                                "on its own and crash-loop back-off followed.")
        if cause == "post-start-hook":
            r.rule = "a failing PostStart hook makes the kubelet kill the container (FailedPostStartHook)"
    _backoff_for_restart(ctx, c, r, lived, waited)
    held = ctx.last_before("back-off", (c, None, ctx.single), r.t) if r.t is not None else None
    if held is not None and prev_t is not None and held.t is not None and held.t > prev_t and r.backoff and (
            held.reason == "CrashLoopBackOff"):
        # This start waited out a crash-loop back-off: it was due at the exit plus the delay in force.
        # A terminated STATUS on the very row whose RESTARTS went up is the exit of the instance this restart
        # started (a StartError dies at once), not the exit it waited after; that one is the row's "(Xs ago)"
        # (lastState's finishedAt), else the back-off's start.
        row = next((e for e in r.evidence if e.kind == "row"), None)
        own_row = term is not None and row is not None and any(e is row for e in term.evidence)
        ago = row.data.get("last_restart_ago") if own_row else None
        exit_t = (round(row.t - ago[0], 1) if ago and row.t is not None else
                  term.t if term is not None and term.t is not None and not own_row else held.t)
        rng = (round(exit_t + r.backoff, 1), round(exit_t + r.backoff + rules.POD_WORKER_REQUEUE[1], 1))
        r.expected = Expected(rng, f"held in CrashLoopBackOff from {clock(held.t)}: due {go_duration(r.backoff)} "
                                   f"after the exit at {clock(exit_t)}, plus up to 15 s of the pod worker's requeue",
                              observed=r.t, difference=_diff_range(r, rng))
    if r.confidence == "observed" and not r.evidence:
        r.confidence = "inferred"


def _timing_matches(ctx: PodContext, c, ptype, beh, lived, exit_code, r: T | None = None,
                    prev_start: T | None = None) -> bool | None:
    """Does a lifetime fit the probe's failure window? None when it cannot be told."""
    spec = ctx.probe(c, ptype)
    if spec is None or lived is None:
        return None
    s = rules.probe_settings(spec)
    onset, _ = rules.probe_failure_onset(spec, beh)
    grace, _ = rules.grace_for_kill(ctx.spec, ctx.cspec(c), ptype)
    kills = [0.0, float(grace)] if exit_code is None else ([float(grace)] if exit_code == rules.EXIT_SIGKILL else [0.0])
    for k in kills:
        lo, hi = rules.liveness_cycle(s["periodSeconds"], s["failureThreshold"], onset, k, s["initialDelaySeconds"])
        if lo - 2 <= lived <= hi + 2:
            return True
    return False


def _grace_line(grace: int, which: str, kill_dur: float | None, exit_code: int | None,
                beh: rules.CommandBehaviour) -> str:
    line = f"Grace period: {grace} s from {which}."
    if kill_dur is not None:
        line += f" The restart came {clock(kill_dur)} after the Killing event"
        line += (", so the process did not exit on SIGTERM and was SIGKILLed at the end (exit 137)."
                 if kill_dur >= grace - 2 else ", so the process exited on SIGTERM before the grace period ran out.")
    elif exit_code == rules.EXIT_SIGKILL:
        line += " Exit 137: the full grace period passed and SIGKILL ended it."
    elif exit_code in (rules.EXIT_SIGTERM, 0):
        line += f" Exit {exit_code}: the process handled SIGTERM and ended early."
    elif beh.pid1_ignores_sigterm is not None:
        line += " " + beh.why_sigterm + "."
    return line


def _grace_outcome(kill_dur, exit_code, beh, grace) -> str:
    """What the grace period came to: the strongest evidence first (timing, exit code, then the command)."""
    if kill_dur is not None:
        return " that SIGTERM could not shorten" if kill_dur >= grace - 2 else " (it exited on SIGTERM)"
    if exit_code == rules.EXIT_SIGKILL:
        return " that SIGTERM could not shorten (exit 137)"
    if exit_code in (rules.EXIT_SIGTERM, 0):
        return f" (it exited on SIGTERM: exit {exit_code})"
    if beh.pid1_ignores_sigterm:
        return " that SIGTERM could not shorten"
    if beh.pid1_ignores_sigterm is False:
        return " (it exited on SIGTERM)"
    return ""


def _expected_probe_restart(ctx: PodContext, c, ptype, beh, prev_start: T | None, r: T,
                            kill_dur: float | None, kill: T | None = None) -> Expected | None:
    grace, _ = rules.grace_for_kill(ctx.spec, ctx.cspec(c), ptype)
    if kill is not None and kill.t is not None:
        # The kill decision is observed: the restart follows it by the stop time.
        if beh.pid1_ignores_sigterm is True or r.exit_code == rules.EXIT_SIGKILL:
            hyps = [(float(grace), float(grace) + 2, "SIGTERM ignored: the full grace period")]
        elif beh.pid1_ignores_sigterm is False or r.exit_code in (rules.EXIT_SIGTERM, 0):
            hyps = [(0.0, 3.0, "SIGTERM handled: a prompt stop")]
        else:
            hyps = [(float(grace), float(grace) + 2, "SIGTERM ignored: the full grace period"),
                    (0.0, 3.0, "SIGTERM handled: a prompt stop")]
        k_lo = kill.lo if kill.lo is not None else kill.t
        k_hi = kill.hi if kill.hi is not None else kill.t
        best = None
        for a, b, why in hyps:
            rng = (round(k_lo + a, 1), round(k_hi + b, 1))
            diff = _diff_range(r, rng)
            if best is None or abs(diff if diff is not None else INF) < abs(best[2] if best[2] is not None else INF):
                best = (rng, f"Killing at {clock(kill.t)} + stop time ({why}, grace {grace} s)", diff)
        return Expected(best[0], best[1], observed=r.t, difference=best[2])
    spec = ctx.probe(c, ptype)
    if spec is None:
        return None
    s = rules.probe_settings(spec)
    P, F, delay = s["periodSeconds"], s["failureThreshold"], s["initialDelaySeconds"]
    onset, onset_why = rules.probe_failure_onset(spec, beh)
    grace, _ = rules.grace_for_kill(ctx.spec, ctx.cspec(c), ptype)
    if prev_start is None or prev_start.t is None:
        return Expected(None, f"no container start time in the input; one cycle is "
                              f"{clock(rules.liveness_cycle(P, F, onset, grace, delay)[1])} with SIGTERM ignored")
    if r.t is not None and prev_start.t >= r.t - 1:
        # The latest start the input shows is this restart's own (an aggregated Started event is
        # timed by its last occurrence): when the instance before it started is not shown.
        return Expected(None, f"the start of the instance before this restart is not in the input; one cycle is "
                              f"{clock(rules.liveness_cycle(P, F, onset, grace, delay)[1])} with SIGTERM ignored")
    if kill_dur is not None:
        hyps = [(kill_dur, "the observed kill duration")]
    elif r.exit_code == rules.EXIT_SIGKILL:
        hyps = [(float(grace), "exit 137: SIGKILL after the full grace period")]
    elif r.exit_code in (rules.EXIT_SIGTERM, 0):
        hyps = [(0.0, f"exit {r.exit_code}: the process handled SIGTERM, no grace wait")]
    elif beh.pid1_ignores_sigterm is True:
        hyps = [(float(grace), "SIGTERM ignored, so the full grace period")]
    elif beh.pid1_ignores_sigterm is False:
        hyps = [(0.0, "SIGTERM handled, so no grace wait")]
    else:
        hyps = [(float(grace), "SIGTERM ignored (full grace period)"), (0.0, "SIGTERM handled (no grace wait)")]
    # A restart seen in a row started at most a second before the row.
    s_lo = max(prev_start.lo if prev_start.lo is not None else prev_start.t, prev_start.t - 1)
    s_hi = prev_start.hi if prev_start.hi is not None else prev_start.t
    best = None
    for k, why in hyps:
        c_lo, c_hi = rules.liveness_cycle(P, F, onset, k, delay)
        rng = (round(s_lo + c_lo, 1), round(s_hi + c_hi, 1))
        diff = _diff_range(r, rng)
        if best is None or (diff is not None and abs(diff) < abs(best[2] if best[2] is not None else INF)):
            first = max(onset, float(delay))
            best = (rng, f"{why}: restart {clock(c_lo)}..{clock(c_hi)} after the start at {clock(prev_start.t)} = "
                         f"first failing probe {first:g}..{first + P:g} s in ({onset_why}; initialDelaySeconds "
                         f"{delay}; the tick phase is unknown within one period {P} s) + {F - 1}×{P} s more "
                         f"failures + {clock(k)} to stop", diff)
    rng, rule, diff = best
    return Expected(rng, rule, observed=r.t, difference=diff)


def _diff_range(tr: T, rng: tuple[float, float]) -> float | None:
    """Observed minus expected, 0 when the observed interval and the expected one overlap."""
    if tr.t is None:
        return None
    lo = tr.lo if tr.lo is not None else tr.t
    hi = tr.hi if tr.hi is not None else tr.t
    if lo <= rng[1] and hi >= rng[0]:
        return 0.0
    return _diff(tr.t, rng)


def _diff(obs: float | None, rng: tuple[float, float]) -> float | None:
    if obs is None:
        return None
    if rng[0] <= obs <= rng[1]:
        return 0.0
    return round(obs - rng[1], 1) if obs > rng[1] else round(obs - rng[0], 1)


def _only_restarting_probe(ctx: PodContext, c, lived: float | None) -> str | None:
    """The spec's one probe that can restart this container (liveness, or startup without liveness), when the
    instance lived long enough for it to fail failureThreshold times; None when there are two or none."""
    found = [p for p in ("liveness", "startup") if ctx.probe(c, p)]
    if len(found) != 1:
        return None
    st = rules.probe_settings(ctx.probe(c, found[0]))
    if lived is not None and lived < st["initialDelaySeconds"] + st["failureThreshold"] * st["periodSeconds"]:
        return None
    return found[0]


def _unprefixed(status: str | None) -> str | None:
    """An init container's status as get -w prints it (Init:Error) read as the container's reason (Error)."""
    return status[len("Init:"):] if status and status.startswith("Init:") else status


def _restart_summary(cause, n, who, exit_code, treason, lived) -> str:
    num = f" {n}" if n is not None else ""
    lived_s = f" after running {clock(lived)}" if lived is not None and lived >= 0 else ""
    if cause == "oom-killed":
        return f"Restart{num} of {who}: OOMKilled (memory limit exceeded{', exit ' + str(exit_code) if exit_code is not None else ''}){lived_s}"
    if cause == "completed-exit":
        return f"Restart{num} of {who}: it exited with code 0{lived_s} and restartPolicy restarts it"
    if cause == "error-exit":
        code = f" with exit code {exit_code}" if exit_code is not None else " with an error"
        return f"Restart{num} of {who}: it exited{code}{lived_s}"
    if cause == "post-start-hook":
        return f"Restart{num} of {who}: its PostStart hook failed, so the kubelet killed it"
    if cause == "cannot-run":
        return f"Restart{num} of {who}: the runtime could not start it"
    return f"Restart{num} of {who}: the input does not show why it stopped{lived_s}"


def _backoff_for_restart(ctx: PodContext, c, r: T, lived: float | None = None,
                         waited: float | None = None) -> None:
    """The crash-loop back-off delay in force at this restart (the first restart is free)."""
    n = r.restart_count
    if n is None:
        return
    kill_style = r.cause in ("liveness-probe", "startup-probe")
    steps = n - 2 if kill_style else n - 1
    if lived is not None and lived > rules.BACKOFF_RESET:
        # An instance that ran more than 10 minutes expires the back-off entry (kubelet HasExpiredFunc).
        steps = 0
        r.detail.append(f"Back-off reset: the previous instance ran {clock(lived)} (> 10 min), so the kubelet's "
                        f"back-off entry had expired and this restart is not delayed.")
        r.backoff = None
        return
    d = rules.backoff_in_force(steps)
    r.backoff = d
    after = rules.backoff_in_force(steps + 1)
    if n == 1:
        r.detail.append("Back-off: the first restart is free (the kubelet has no back-off entry yet); "
                        + ("the next exit arms 10 s." if kill_style else "this one arms 10 s."))
    elif d is None:
        r.detail.append(f"Back-off: none in force; this restart arms {go_duration(after or 10)} "
                        f"(10 s doubling to 300 s, measured from the previous instance's finish).")
    else:
        if not kill_style:
            why = ("the container exited by itself, so the restart waited the delay after its exit"
                   + (f" (it came {clock(waited)} after the exit)" if waited is not None else "") + " (CrashLoopBackOff)")
        elif lived is not None and lived < d:
            why = f"it had lived {clock(lived)}, less than that, so the restart waited (CrashLoopBackOff)"
        else:
            why = (f"the previous instance had lived {clock(lived) if lived is not None else 'long enough'}, "
                   f"so no wait")
        r.detail.append(f"Back-off: {go_duration(d)} in force (10 s doubling to 300 s, from the previous finish); "
                        f"{why}; next delay {go_duration(after or rules.BACKOFF_MAX)}.")


# --- back-off, readiness, pulls, init containers, terminations ---------------------------------------

def explain_backoff(ctx: PodContext, b: T) -> None:
    c = b.container
    if b.reason == "ImagePullBackOff" or (b.facts and b.facts[0].what == "pull-backoff") or (
            b.to_state or "").endswith("ImagePullBackOff"):
        b.cause = "image-pull"
        img = next((f.image for f in b.facts if f.image), None) or (ctx.cspec(c) or {}).get("image")
        b.summary = f"ImagePullBackOff{' for ' + img if img else ''}: the pull failed, the kubelet waits before retrying"
        b.rule = "image pull back-off: 10 s doubling to 300 s per pod and image (kubelet imageBackOffPeriod)"
        b.detail = [_pull_error(ctx, c)] if _pull_error(ctx, c) else []
        return
    prev = ctx.last_before("restart", (c, None, ctx.single), None if b.t is None else b.t + 1)
    n = (prev.restart_count or 0) if prev is not None else 0
    row_rc = next((e.data.get("restarts") for e in b.evidence if e.kind == "row" and e.data.get("restarts") is not None),
                  None)
    if row_rc is not None:
        n = max(n, row_rc)
    kill_style = prev is not None and prev.cause in ("liveness-probe", "startup-probe")
    exits = n + 1
    stated = next((f.delay for f in b.facts if f.delay), None)
    d = stated if stated is not None else rules.backoff_in_force(exits - 2 if kill_style else exits - 1)
    b.backoff = d
    b.cause = prev.cause if prev is not None else None
    lived = (b.t - prev.t) if prev is not None and prev.t is not None and b.t is not None else None
    init = (b.to_state or "").startswith("Init:") or c in ctx.inp.init_containers
    who = f"init container {c}" if init and c else (c or "the container")
    if d is None:
        b.summary = f"CrashLoopBackOff: the kubelet delays restarting {who} after it failed again"
    elif kill_style:
        b.summary = (f"CrashLoopBackOff: the back-off had reached {go_duration(d)}"
                     + (f", longer than the {clock(lived)} the container had lived" if lived is not None else "")
                     + f", so the kubelet waits before restarting {who}")
    else:
        b.summary = (f"CrashLoopBackOff: {who} exited again; the kubelet waits {go_duration(d)} after the exit "
                     f"before restarting it (the delay doubles with each restart)")
    b.rule = ("crash-loop back-off (kubelet doBackOff): the first restart is free, then 10 s doubling to 300 s, "
              "measured from the previous instance's finish, reset after 10 minutes of running; the kubelet retries "
              "every 10-15 s (pod-worker requeue) while it waits")
    b.detail = []
    if stated is not None:
        b.detail.append(f"The event states the delay: back-off {go_duration(stated)}.")
    if n:
        b.detail.append(f"After {n} restart{'s' if n != 1 else ''} the delays so far were "
                        f"{_delay_sequence(max(1, exits - (2 if kill_style else 1)))}"
                        + (" (liveness kills and the restart happen in one sync, so the first two restarts are free)"
                           if kill_style else "") + ".")
    if d is not None and b.t is not None:
        b.expected = Expected((round(b.t + d, 1), round(b.t + d + rules.POD_WORKER_REQUEUE[1], 1)),
                              f"next start ≈ exit + {go_duration(d)} (up to 15 s later with the pod worker's requeue)")
    if d is not None and lived is not None and kill_style and b.cause:
        b.detail.append(f"Each instance ran {clock(lived)}; back-off shows only once the delay ({go_duration(d)}) "
                        f"exceeds that.")
    if b.count > 1:
        b.detail.append(f"BackOff event repeated {b.count} times: the kubelet re-emits it on every sync while waiting.")
    b.missing.append("assumed the default crash-loop back-off (10 s doubling to 300 s); the feature-gated variants "
                     "(ReduceDefaultCrashLoopBackOffDecay 1 s..60 s, KubeletCrashLoopBackOffMax) change it")


def _delay_sequence(n: int) -> str:
    """10s, 20s, 40s, ... written out, with a long run at the cap summarised."""
    delays = rules.backoff_delays(min(n, 12))
    head = [go_duration(d) for d in delays if d < rules.BACKOFF_MAX]
    capped = n - len(head)
    if capped > 2:
        return ", ".join(head + [f"then {go_duration(rules.BACKOFF_MAX)} (the cap) {capped} times"])
    return ", ".join(head + [go_duration(rules.BACKOFF_MAX)] * capped)


def _pull_error(ctx: PodContext, c) -> str:
    msgs = [f.facts[0].output for f in ctx.of("pull-failed", c) if f.facts and "Failed to pull" in f.facts[0].output]
    if msgs:
        return "Pull error: " + msgs[-1].split(": ", 1)[-1][:300]
    return ""


def explain_ready(ctx: PodContext, tr: T) -> None:
    c = tr.container
    spec = ctx.probe(c, "readiness")
    if tr.kind == "ready":
        tr.summary = f"{c or 'The container'} became ready ({tr.to_state or 'READY'})"
        if spec:
            info, missing = probe_info(ctx, c, "readiness", [])
            tr.probe = info
            tr.missing.extend(missing)
            tr.cause = "readiness-probe"
            tr.detail = [_probe_settings_line(info),
                         "Ready is set once successThreshold consecutive readiness probes succeed; until then the pod "
                         "is left out of Service endpoints."]
            start = _last_start(ctx, c, tr.t)
            again = start is not None and tr.t is not None and any(
                x.t is not None and start[0] <= x.t < tr.t for x in ctx.of("not-ready", c))
            if again:
                tr.detail.append("Ready again: the readiness probe succeeded successThreshold times after failing; "
                                 "probes keep running every periodSeconds, so this is not timed from the start.")
            elif start is not None and tr.t is not None:
                P, delay = info.period_seconds or 10, info.initial_delay_seconds or 0
                rng = (round(start[0] + delay, 1), round(start[1] + delay + P, 1))
                diff = _diff(tr.t, rng)
                rule = (f"first readiness probe at the first tick ≥ initialDelaySeconds {delay} s after the start at "
                        f"{clock(start[0])} (tick phase unknown: within one period {P} s)")
                if diff and diff > 0:
                    k_hi = round((tr.t - rng[0]) / P)
                    k_lo = max(1, math.ceil(diff / P))
                    ks = f"{k_lo}" if k_lo == k_hi else f"{k_lo}-{k_hi}"
                    on_grid = abs((tr.t - rng[0]) / P - k_hi) < 0.2
                    shown = any(x.t is not None and start[0] <= x.t <= tr.t + 1 and x.facts
                                and x.facts[0].probe_type == "readiness" for x in ctx.of("probe-failed", c))
                    rule += (f"; observed {clock(tr.t - rng[0])} after the earliest tick"
                             + (f" = {k_hi} periods, on the tick grid" if on_grid else "")
                             + f": {ks} probes failed before the first success"
                             + (" (the failures are in the input)" if shown else " (failures are not in the input)"))
                    if on_grid or shown:
                        diff = 0.0  # later first successes are what failed probes before them look like
                tr.expected = Expected(rng, rule, observed=tr.t, difference=diff)
            tr.rule = "readiness probe: ready after successThreshold successes; failures mark it unready, never restart"
        else:
            tr.detail = ["No readiness probe in the input: a container is ready as soon as it runs."
                         if ctx.has_spec else "No spec in the input: readiness settings unknown."]
            tr.cause = "none"
        return
    # not-ready
    fails = [f for f in ctx.of("probe-failed", c) if f.facts and f.facts[0].probe_type == "readiness"]
    if fails or spec:
        info, missing = probe_info(ctx, c, "readiness", fails)
        tr.probe, tr.cause = info, "readiness-probe"
        tr.missing.extend(missing)
        tr.summary = f"{c or 'The container'} is not ready: the readiness probe fails; the pod leaves Service endpoints, no restart"
        tr.rule = ("readiness failure: Ready=False, ContainersReady=False (ContainersNotReady), the endpoint is "
                   "marked not ready; the container keeps running")
        tr.confidence = "observed" if fails else "inferred"
    else:
        tr.cause = "unknown"
        tr.summary = f"{c or 'The container'} stopped being ready ({tr.from_state} → {tr.to_state})"
        tr.detail = ["Without a readiness probe or events the reason is not in the input; a container that exits "
                     "also turns unready before its restart."]
        tr.confidence = "inferred"


def _last_start(ctx: PodContext, c, t: float | None) -> tuple[float, float] | None:
    """The latest container start before t (an aggregated Started event also started at its first time)."""
    cands = []
    for s in ctx.trs:
        if s.kind not in ("started", "restart") or s.container not in (c, None) or s.t is None:
            continue
        cands.append((s.t, s.lo if s.lo is not None else s.t, s.hi if s.hi is not None else s.t))
        if s.count > 1 and s.first_t is not None:
            cands.append((s.first_t, s.first_t, s.first_t + 1))
    cands = [x for x in cands if t is None or x[0] <= t - 0.5]
    if not cands:
        return None
    best = max(cands)
    return best[1], best[2]


def explain_probe_failed(ctx: PodContext, tr: T) -> None:
    f = tr.facts[0] if tr.facts else None
    ptype = (f.probe_type if f else None) or "unknown"
    info, missing = probe_info(ctx, tr.container, ptype, [tr]) if ptype != "unknown" else (None, [])
    tr.probe = info
    tr.missing.extend(missing)
    tr.cause = f"{ptype}-probe" if ptype in ("liveness", "readiness", "startup") else "unknown"
    errored = f is not None and f.what == "probe-errored"
    out = (f.output if f else "").strip()
    times = f" ×{tr.count}" + (f" over {clock(tr.t - tr.first_t)}" if tr.first_t is not None and tr.t is not None
                                and tr.count > 1 else "") if tr.count > 1 else ""
    tr.summary = (f"{ptype.capitalize()} probe {'errored' if errored else 'failed'}{times}"
                  + (f": {out.splitlines()[0][:120]}" if out else " (empty output: an exec command that prints nothing)"))
    tr.detail = []
    thr = info.failure_threshold if info and info.failure_threshold else rules.PROBE_DEFAULTS["failureThreshold"]
    if ptype == "readiness":
        tr.detail.append("A readiness failure marks the container unready and removes the pod from endpoints; it "
                         "never restarts the container.")
    elif ptype in ("liveness", "startup"):
        tr.detail.append(f"Each failure is its own event; the kubelet acts only when {thr} consecutive failures "
                         f"(failureThreshold) are reached" + ("." if tr.count >= thr else
                                                             f": {tr.count} < {thr}, so no kill from this alone."))
    if errored:
        tr.detail.append("'errored' means the probe could not run (not a failed check): the result is unknown, "
                         "not a failure; typically the container was no longer running.")
    tr.rule = "probe results count toward failureThreshold/successThreshold only when consecutive"
    tr.confidence = "observed"


def explain_killing(ctx: PodContext, tr: T) -> None:
    f = tr.facts[0] if tr.facts else None
    reason = f.kill_reason if f else "unknown"
    c = tr.container
    times = f" (×{tr.count})" if tr.count > 1 else ""
    if reason in ("liveness", "startup"):
        fails = [x for x in ctx.of("probe-failed", c) if x.facts and x.facts[0].probe_type == reason]
        info, missing = probe_info(ctx, c, reason, [x for x in fails if tr.t is None or x.t is None or x.t <= tr.t + 1])
        tr.probe, tr.cause = info, f"{reason}-probe"
        tr.missing.extend(missing)
        grace, which = rules.grace_for_kill(ctx.spec, ctx.cspec(c), reason)
        tr.grace = float(grace)
        tr.summary = (f"Killing {c or 'the container'}{times}: {reason} probe failed {info.failure_threshold or 3} "
                      f"times in a row; stop with a {grace} s grace period")
        tr.detail = [_probe_settings_line(info), f"Grace period {grace} s from {which}."]
        tr.rule = (f"{reason} failure at failureThreshold → Killing event, then StopContainer with the grace period "
                   f"(SIGTERM, SIGKILL when it runs out); the restart follows in the same sync")
        start = _last_start(ctx, c, tr.t)
        spec = ctx.probe(c, reason)
        first_fail = min([x.first_t if x.first_t is not None else x.t for x in fails
                          if x.t is not None and tr.t is not None and x.t <= tr.t + 1
                          and (start is None or x.t >= start[0] - 1)] or [None],  # this instance's failures
                         key=lambda v: v if v is not None else INF)
        s_set = rules.probe_settings(spec)
        if first_fail is not None and tr.t is not None and (info.failures_seen or 0) >= s_set["failureThreshold"]:
            P, F = s_set["periodSeconds"], s_set["failureThreshold"]
            rng = (round(first_fail + P * (F - 1) - 1, 1), round(first_fail + P * (F - 1) + 2, 1))
            rule = f"first failure at {clock(first_fail)} + ({F} − 1)×{P} s" + ("" if spec else " (defaults assumed)")
            if not spec:
                # periodSeconds and failureThreshold are assumed: a range to show, not one to measure by.
                tr.expected = Expected(rng, rule + "; not compared: the probe's settings are not in the input")
            elif tr.count > 1 and tr.first_t is not None:
                # An aggregated Killing (×6 over 4m) is timed by its last occurrence; the failures it is
                # measured from lead to its first one.
                first = tr.first_t
                diff = 0.0 if rng[0] - 1 <= first <= rng[1] + 1 else _diff(first, rng)
                tr.expected = Expected(rng, rule + f", for the first of its {tr.count} occurrences",
                                       observed=first, difference=diff)
            else:
                tr.expected = Expected(rng, rule, observed=tr.t, difference=_diff_range(tr, rng))
        elif spec and start is not None and tr.t is not None:
            s = rules.probe_settings(spec)
            beh = rules.command_behaviour(ctx.cspec(c))
            onset, why = rules.probe_failure_onset(spec, beh)
            c_lo, c_hi = rules.liveness_cycle(s["periodSeconds"], s["failureThreshold"], onset, 0,
                                              s["initialDelaySeconds"])
            rng = (round(start[0] + c_lo, 1), round(start[1] + c_hi, 1))
            tr.expected = Expected(rng, f"kill decision at start {clock(start[0])} + {clock(c_lo)}..{clock(c_hi)} ({why}; "
                                        f"{s['failureThreshold']} failures, period {s['periodSeconds']} s)",
                                   observed=tr.t, difference=_diff_range(tr, rng))
    elif reason == "stop" and ctx.evicted:
        tr.cause = "evicted"
        grace, which = rules.grace_for_kill(ctx.spec, ctx.cspec(c), None)
        tr.grace = float(grace)
        tr.summary = f"Stopping {c or 'the container'}{times}: the kubelet evicts the pod ({ctx.evicted[:80]})"
        tr.rule = ("node-pressure eviction: the kubelet stops the pod's containers and fails the pod (phase Failed, "
                   "reason Evicted); a controller creates a replacement elsewhere")
    elif reason == "stop":
        tr.cause = "deleted"
        grace, which = rules.grace_for_kill(ctx.spec, ctx.cspec(c), None)
        tr.grace = float(grace)
        tr.summary = f"Stopping {c or 'the container'}{times}: the pod is being deleted (grace period {grace} s)"
        tr.rule = "deletion: Killing 'Stopping container', preStop hook, SIGTERM, SIGKILL after the grace period"
    elif reason == "post-start-hook":
        tr.cause = "post-start-hook"
        tr.summary = f"Killing {c or 'the container'}{times}: its PostStart hook failed"
        tr.rule = "a failed PostStart hook kills the container; restartPolicy decides whether it restarts"
    elif reason == "spec-change":
        tr.cause = "none"
        tr.summary = f"Killing {c or 'the container'}: its definition changed, it will be re-created"
    else:
        tr.cause = "unknown"
        tr.summary = f"Killing {c or 'the container'}{times}: the event gives no reason (old kubelet wording)"
        tr.detail = ["Kubelets before ~1.2 recorded kills without a reason; a kill followed at once by a new "
                     "container is the kubelet's doing (a failed liveness probe or a changed spec), not a deletion."]
        tr.confidence = "observed"


def explain_terminated(ctx: PodContext, tr: T) -> None:
    c = tr.container
    reason = tr.reason or (tr.to_state if tr.to_state in ("Completed", "Error", "OOMKilled") else None)
    code = tr.exit_code
    init = c in ctx.inp.init_containers or (tr.to_state or "").startswith("Init:")
    who = (f"init container {c}" if c else "an init container") if init else (c or "the container")
    lived = (tr.t - tr.first_t) if tr.t is not None and tr.first_t is not None else None
    ran = f" after {clock(lived)}" if lived is not None else ""
    if reason == "OOMKilled":
        tr.cause = "oom-killed"
        tr.summary = f"{who} was OOMKilled{ran}" + (f" (exit {code})" if code is not None else "")
        tr.rule = "cgroup memory limit exceeded: the kernel kills the process; reason OOMKilled, usually exit 137"
        if code == 0:
            tr.detail.append("Exit code 0 with OOMKilled: the OOM kill hit a child process or the runtime reported "
                             "the cgroup's OOM event while the main process exited 0; with exit 0 and no restart the "
                             "pod can reach Succeeded.")
    elif reason in ("CreateContainerConfigError",):
        tr.cause = "config-error"
        tr.summary = f"{who} cannot be created: {reason} (a missing ConfigMap/Secret or key)"
    elif reason in ("ContainerCannotRun", "StartError", "RunContainerError", "CreateContainerError") or (
            tr.facts and tr.facts[0].what == "cannot-run"):
        tr.cause = "cannot-run"
        tr.summary = f"{who} could not be started: {reason or 'runtime error'}"
    elif reason == "ContainerStatusUnknown":
        tr.cause = "evicted" if ctx.evicted else "unknown"
        tr.summary = f"{who}: ContainerStatusUnknown (exit {code if code is not None else 137})"
        tr.detail.append("The kubelet reports this when a container it had running is gone and it cannot tell how "
                         "it ended (node restart, eviction, runtime loss); 137 is synthesized, not a real SIGKILL.")
    elif reason == "Completed" or code == 0:
        tr.cause = "completed-exit"
        tr.summary = f"{who} exited with code 0{ran}"
    elif code is not None or reason in ("Error",) or (reason or "").startswith(("Signal:", "ExitCode:", "Init:Error")):
        tr.cause = "error-exit"
        tr.summary = f"{who} exited" + (f" with code {code}" if code is not None else " with an error") + ran
        if code == rules.EXIT_SIGKILL:
            tr.detail.append("137 = 128 + SIGKILL(9).")
        elif code == rules.EXIT_SIGTERM:
            tr.detail.append("143 = 128 + SIGTERM(15): it handled the stop signal.")
    else:
        tr.cause = "unknown"
        tr.summary = f"{who} stopped ({tr.to_state or reason or 'terminated'})"
    beh = rules.command_behaviour(ctx.cspec(c))
    if beh.exits_after is not None and tr.cause in ("error-exit", "completed-exit", "unknown"):
        tr.detail.append(f"The command `{beh.script or '(image default)'}` ends by itself after ~{beh.exits_after:g} s "
                         f"with exit code {beh.exit_code}.")
        if code is None and beh.exit_code is not None:
            tr.summary += f" (exit {beh.exit_code} by its command)"
        start = _last_start(ctx, c, tr.t)
        if start is not None and tr.t is not None:
            rng = (round(start[0] + beh.exits_after, 1), round(start[1] + beh.exits_after + 1, 1))
            tr.expected = Expected(rng, f"start {clock(start[0])} + {beh.exits_after:g} s of the command",
                                   observed=tr.t, difference=_diff_range(tr, rng))
    pol = ctx.policy
    if init and tr.cause in ("error-exit",):
        tr.detail.append("A failed init container is retried with crash-loop back-off (restartPolicy "
                         f"{pol or 'Always'}); with Never the pod fails.")
    elif pol == "Never":
        tr.detail.append("restartPolicy Never: no restart; the pod ends Failed (or Succeeded if all exited 0).")
    elif pol == "OnFailure" and tr.cause == "completed-exit":
        tr.detail.append("restartPolicy OnFailure: exit 0 is not restarted.")


def explain_simple(ctx: PodContext, tr: T) -> None:
    c = tr.container
    k = tr.kind
    f = tr.facts[0] if tr.facts else None
    if k == "created":
        tr.summary = "Pod created" + (f" ({tr.to_state})" if tr.to_state else "")
        tr.cause = "none"
    elif k == "scheduled":
        node = ""
        if tr.evidence and " to " in tr.evidence[0].data.get("message", ""):
            node = " to " + tr.evidence[0].data["message"].rsplit(" to ", 1)[1]
        tr.summary = f"Scheduled{node}"
        tr.cause = "none"
    elif k == "pulling":
        img = f.image if f else None
        tr.summary = f"Pulling image {img or ''}".rstrip() + (f" (×{tr.count})" if tr.count > 1 else "")
        pol = (ctx.cspec(c) or {}).get("imagePullPolicy")
        image = img or (ctx.cspec(c) or {}).get("image") or ""
        if tr.count > 1 and not pol and image and (":" not in image.split("/")[-1] or image.endswith(":latest")):
            tr.detail.append("The image has no tag (or :latest), so imagePullPolicy defaults to Always: every "
                             "restart pulls again.")
        tr.cause = "none"
    elif k == "pulled":
        img = f.image if f else None
        cached = f is not None and f.detail == "cached"
        tr.summary = (f"Image {img or ''} already present" if cached else
                      f"Pulled image {img or ''}" + (f" in {f.detail}" if f and f.detail else "")) + (
            f" (×{tr.count})" if tr.count > 1 else "")
        tr.cause = "none"
    elif k == "pull-failed":
        img = (f.image if f else None) or (ctx.cspec(c) or {}).get("image")
        tr.cause = "image-pull"
        tr.summary = f"Image pull failed{' for ' + img if img else ''}" + (f" (×{tr.count})" if tr.count > 1 else "")
        err = (f.output if f else "") or ""
        if "Failed to pull" in err:
            tr.detail.append(err.split(": ", 1)[-1][:300])
            if "not found" in err or "does not exist" in err or "manifest unknown" in err:
                tr.detail.append("The registry has no such image or tag: fix the image name or tag.")
            elif "unauthorized" in err or "denied" in err or "authentication" in err:
                tr.detail.append("The registry refused the credentials: check imagePullSecrets.")
        tr.rule = "ErrImagePull, then ImagePullBackOff with 10 s doubling to 300 s between pulls"
        msgs = " ".join([err, tr.reason or ""] + [str(e.data.get("message") or e.data.get("status") or "")
                                                  for e in tr.evidence])
        bad = re.search(r"couldn't parse image (?:reference|name) \"([^\"]+)\"", msgs)
        img = img or (bad.group(1) if bad else None)
        if "pull policy of Never" in msgs or "ErrImageNeverPull" in msgs:
            tr.summary = (f"Image {img + ' ' if img else ''}not on the node, imagePullPolicy Never: not pulled "
                          f"(ErrImageNeverPull)" + (f" (×{tr.count})" if tr.count > 1 else ""))
            tr.rule = ("imagePullPolicy Never: the kubelet only uses an image already on the node and never pulls; "
                       "it checks again at every pod sync (no back-off)")
        elif "invalid reference format" in msgs or "InvalidImageName" in msgs:
            tr.summary = (f"Image name {img + ' ' if img else ''}is not a valid reference: not pulled "
                          f"(InvalidImageName)" + (f" (×{tr.count})" if tr.count > 1 else ""))
            tr.rule = "an image reference that cannot be parsed is never pulled; only a spec change fixes it"
    elif k == "started":
        who = c or "the container"
        init = c in ctx.inp.init_containers
        tr.summary = f"{'Init container ' if init else ''}{who} started" + (
            f" (×{tr.count})" if tr.count > 1 else "")
        if tr.count > 1:
            tr.detail.append(f"Started {tr.count} times: the container was re-created {tr.count - 1} times.")
        tr.cause = "none"
    elif k == "terminating":
        grace = ctx.spec.get("terminationGracePeriodSeconds", rules.DEFAULT_GRACE_SECONDS)
        tr.cause = "deleted"
        tr.grace = float(grace)
        tr.summary = f"Pod is terminating (deleted; grace period {grace} s)"
        tr.rule = ("deletion sets deletionTimestamp = now + grace; kubectl shows Terminating while the phase is not "
                   "terminal; containers get SIGTERM (after preStop), SIGKILL when the grace period ends")
        if "terminationGracePeriodSeconds" not in ctx.spec:
            tr.missing.append("no manifest: assumed the default 30 s grace period")
    elif k == "deleted":
        tr.cause = "deleted"
        tr.summary = "Pod deleted"
        if any(e.data.get("unobserved") for e in tr.evidence):
            tr.summary = "Pod deleted while the watch was away (missing when listed again after a 410)"
            tr.confidence = "inferred"
    elif k == "hook-failed":
        which = f.detail if f else ""
        if which == "pre-stop":
            tr.cause = "deleted"
            tr.summary = f"PreStop hook of {c or 'the container'} failed"
            tr.detail.append((f.output if f else "")[:300])
            tr.detail.append("A preStop hook runs inside the grace period; if the container's main process stops "
                             "while the hook is still running (e.g. the hook itself stops it), the hook's exec is "
                             "killed with the container and reports failure (exit 137).")
            tr.detail.append("If the hook is still running when the grace period ends, the kubelet grants a one-off "
                             "2 s extension (minimumGracePeriodInSeconds) before the runtime's SIGKILL.")
            tr.rule = ("deletion: Killing, then the preStop hook inside terminationGracePeriodSeconds, then SIGTERM; "
                       "SIGKILL when the grace period (+2 s if the hook overran) ends")
        else:
            tr.cause = "post-start-hook"
            tr.summary = f"PostStart hook of {c or 'the container'} failed" + (f" (×{tr.count})" if tr.count > 1 else "")
            tr.rule = "a failed PostStart hook kills the container (RunContainerError); restartPolicy applies"
    elif k == "init-done":
        tr.cause = "init-container"
        tr.summary = f"Init progress: {tr.from_state} → {tr.to_state}"
        tr.rule = "init containers run one at a time in order; Init:N/M counts the ones done; then PodInitializing"
    elif k == "phase":
        st = tr.to_state or ""
        if st.startswith("Init:"):
            tr.cause = "init-container"
            tr.summary = f"Initializing: {st}" + (" (first seen)" if tr.note == "first seen" else "")
        elif st == "Evicted":
            tr.cause = "evicted"
            tr.summary = "Pod evicted"
        elif f and f.what == "failed-scheduling":
            tr.cause = "unknown"
            tr.summary = "Scheduling failed: " + (f.output[:150] if f else "")
        elif f and f.what == "evicted":
            tr.cause = "evicted"
            tr.summary = "Evicted: " + f.output[:150]
        else:
            tr.cause = "none"
            tr.summary = (f"First seen: {st}" if tr.note == "first seen" else
                          f"Status {tr.from_state} → {st}" if tr.from_state else f"Status {st}")
    elif k == "note":
        out = tr.note or (f.output[:200] if f else "")
        if f and f.what == "sandbox":
            out = "Pod sandbox changed: the pod's sandbox (network namespace) is re-created and its containers with it"
        elif f and f.what == "probe-warning":
            out = "Probe warning (HTTP redirect to another host treated as success): " + f.output[:150]
        elif f:
            out = f"{tr.evidence[0].data.get('reason')}: {f.output[:200]}"
        tr.summary = out
        tr.cause = "none"
    if not tr.summary:
        tr.summary = k
