"""Why each restart happened: the kill or exit that ended the instance before it (probe, OOM, hook,
exit code, or the spec's timing when nothing else is shown), its grace period and its expected time."""

from __future__ import annotations

import dataclasses

from kubectl_podlife.model import rules
from kubectl_podlife.model.build import T
from kubectl_podlife.model.explain.backoff import backoff_for_restart
from kubectl_podlife.model.explain.context import INF, PodContext, occurrences, range_difference
from kubectl_podlife.model.explain.probes import probe_info, probe_settings_line, probe_words
from kubectl_podlife.model.timeline import Expected
from kubectl_podlife.timefmt import clock, go_duration


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
    beh = ctx.behaviour(c)
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
    if borrowed or (waited is not None and waited < 0):
        waited = None  # that exit ended the instance this restart started, not the one it waited after
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
            h.facts and h.facts[0].detail == "post-start" for h in ctx.of("hook-failed", c)) or (
            # the waiting reason the kubelet gives a container its PostStart hook failed (the kill's exit follows)
            _unprefixed(prev_status) == "PostStartHookError" or any(
                o.container == c and (o.data.get("state") or {}).get("reason") == "PostStartHookError"
                for o in ctx.inp.cstates)):
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
        r.detail.insert(0, probe_settings_line(info))
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
        r.summary = (f"Restart {n if n is not None else ''} of {who}: the {probe_words(info)} failed"
                     f"{' ' + str(info.failures_seen) + ' times' if info.failures_seen else ''}"
                     + (f" (threshold {info.failure_threshold}, period {info.period_seconds} s)" if info.from_spec
                        else "") + f"; killed with a {grace} s grace period" + _grace_outcome(kill_dur, exit_code, beh,
                                                                                            grace)).replace("  ", " ")
        if likely is not None:
            r.summary = (f"Restart {n if n is not None else ''} of {who}: most likely its {probe_words(info)} "
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
    backoff_for_restart(ctx, c, r, lived, waited)
    # the back-off this start waited out began before it (an instance that dies at once, StartError, is
    # in back-off again at the very time it was started)
    held = ctx.last_before("back-off", (c, None, ctx.single), r.t - 0.5) if r.t is not None else None
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
        if r.t is not None and exit_t >= r.t - 0.5:
            exit_t = held.t  # that exit is the started instance's own: the wait began at the back-off
        rng = (round(exit_t + r.backoff, 1), round(exit_t + r.backoff + rules.POD_WORKER_REQUEUE[1], 1))
        r.expected = Expected(rng, f"held in CrashLoopBackOff from {clock(held.t)}: due {go_duration(r.backoff)} "
                                   f"after the exit at {clock(exit_t)}, plus up to 15 s of the pod worker's requeue",
                              observed=r.t, difference=range_difference(r, rng))
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
            diff = range_difference(r, rng)
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
        diff = range_difference(r, rng)
        if best is None or (diff is not None and abs(diff) < abs(best[2] if best[2] is not None else INF)):
            first = max(onset, float(delay))
            best = (rng, f"{why}: restart {clock(c_lo)}..{clock(c_hi)} after the start at {clock(prev_start.t)} = "
                         f"first failing probe {first:g}..{first + P:g} s in ({onset_why}; initialDelaySeconds "
                         f"{delay}; the tick phase is unknown within one period {P} s) + {F - 1}×{P} s more "
                         f"failures + {clock(k)} to stop", diff)
    rng, rule, diff = best
    return Expected(rng, rule, observed=r.t, difference=diff)


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
