"""How a container stops: the kubelet's kill (probe, deletion, eviction, hook, changed spec) with its
grace period, and the container's exit (reason, exit code, its command's own end)."""

from __future__ import annotations

from kubectl_podlife.model import deletion, ending_deletion, ending_job, rules
from kubectl_podlife.model.build import T
from kubectl_podlife.model.explain.context import INF, PodContext, difference, range_difference
from kubectl_podlife.model.explain.probes import probe_info, probe_settings_line
from kubectl_podlife.model.timeline import Expected
from kubectl_podlife.timefmt import clock


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
        tr.detail = [probe_settings_line(info), f"Grace period {grace} s from {which}."]
        tr.rule = (f"{reason} failure at failureThreshold → Killing event, then StopContainer with the grace period "
                   f"(SIGTERM, SIGKILL when it runs out); the restart follows in the same sync")
        start = ctx.last_start(c, tr.t)
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
                diff = 0.0 if rng[0] - 1 <= first <= rng[1] + 1 else difference(first, rng)
                tr.expected = Expected(rng, rule + f", for the first of its {tr.count} occurrences",
                                       observed=first, difference=diff)
            else:
                tr.expected = Expected(rng, rule, observed=tr.t, difference=range_difference(tr, rng))
        elif spec and start is not None and tr.t is not None:
            s = rules.probe_settings(spec)
            beh = ctx.behaviour(c)
            onset, why = rules.probe_failure_onset(spec, beh)
            c_lo, c_hi = rules.liveness_cycle(s["periodSeconds"], s["failureThreshold"], onset, 0,
                                              s["initialDelaySeconds"])
            rng = (round(start[0] + c_lo, 1), round(start[1] + c_hi, 1))
            tr.expected = Expected(rng, f"kill decision at start {clock(start[0])} + {clock(c_lo)}..{clock(c_hi)} ({why}; "
                                        f"{s['failureThreshold']} failures, period {s['periodSeconds']} s)",
                                   observed=tr.t, difference=range_difference(tr, rng))
    elif reason == "stop" and _deadline_before(ctx, tr.t) is not None:
        tr.cause = "deadline-exceeded"
        grace, which = rules.grace_for_kill(ctx.spec, ctx.cspec(c), None)
        tr.grace = float(grace)
        tr.summary = (f"Stopping {c or 'the container'}{times}: the pod ran past its activeDeadlineSeconds, so the "
                      f"kubelet fails it and stops its containers (grace period {grace} s)")
        tr.rule = ("activeDeadlineSeconds (from status.startTime): the kubelet sets phase Failed, reason "
                   "DeadlineExceeded, and kills the containers; never restarted")
    elif reason == "stop" and ctx.evicted:
        tr.cause = "evicted"
        grace, which = rules.grace_for_kill(ctx.spec, ctx.cspec(c), None)
        tr.grace = float(grace)
        tr.summary = f"Stopping {c or 'the container'}{times}: the kubelet evicts the pod ({ctx.evicted[:80]})"
        tr.rule = ("node-pressure eviction: the kubelet stops the pod's containers and fails the pod (phase Failed, "
                   "reason Evicted); a controller creates a replacement elsewhere")
    elif reason == "stop":
        tr.cause = "deleted"
        grace, which, assumed = deletion.grace_for_deletion(ctx.inp)
        tr.grace = grace
        tr.summary = f"Stopping {c or 'the container'}{times}: the pod is being deleted (grace period {grace:g} s)"
        tr.detail.append(f"Grace period {grace:g} s from {which}.")
        if assumed:
            tr.missing.append(f"grace period assumed from {which}; `kubectl delete --grace-period` may have "
                              "set another")
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


def _deadline_before(ctx: PodContext, t: float | None):
    """The observation of the pod's DeadlineExceeded when it came at or before `t` (+1 s of printing)."""
    o = ending_job.deadline_exceeded(ctx.inp)
    if o is None or t is None or o.t is None or o.t > t + 1:
        return None
    return o


def _probe_kill_before(ctx: PodContext, tr: T) -> T | None:
    """The liveness/startup Killing of this container that this exit ends: within its grace period (+2 s,
    +1 s of printing) before the exit, and no start of the container in between."""
    if tr.t is None:
        return None
    for kill in reversed(ctx.within("killing", tr.container, tr.t - rules.DEFAULT_GRACE_SECONDS * 10, tr.t + 1)):
        f = kill.facts[0] if kill.facts else None
        if f is None or f.kill_reason not in ("liveness", "startup") or kill.t is None:
            continue
        grace, _ = rules.grace_for_kill(ctx.spec, ctx.cspec(tr.container), f.kill_reason)
        first = kill.first_t if kill.first_t is not None else kill.t
        if not (first - 1 <= tr.t <= kill.t + grace + 3):
            continue
        start = ctx.last_start(tr.container, tr.t)
        if kill.count == 1 and start is not None and start[0] > kill.t + 1:
            continue  # a later instance exited, not the one killed
        return kill
    return None


def _probe_kill_by_restarts(ctx: PodContext, tr: T) -> str | None:
    """liveness/startup when no Killing event is shown but the restart this signal exit leads to (or, for the
    last exit, the restarts before it) was explained by that probe's kill: the exit is the kill's end."""
    if tr.t is None or tr.exit_code not in (rules.EXIT_SIGKILL, rules.EXIT_SIGTERM):
        return None
    restarts = [r for r in ctx.of("restart", tr.container) if r.t is not None]
    after = [r for r in restarts if r.t >= tr.t - 1]
    pick = min(after, key=lambda r: r.t) if after else (max(restarts, key=lambda r: r.t) if restarts else None)
    if pick is not None and pick.cause in ("liveness-probe", "startup-probe"):
        return pick.cause.split("-")[0]
    return None


def explain_terminated(ctx: PodContext, tr: T) -> None:
    c = tr.container
    reason = tr.reason or (tr.to_state if tr.to_state in ("Completed", "Error", "OOMKilled") else None)
    code = tr.exit_code
    init = c in ctx.inp.init_containers or (tr.to_state or "").startswith("Init:")
    who = (f"init container {c}" if c else "an init container") if init else (c or "the container")
    lived = (tr.t - tr.first_t) if tr.t is not None and tr.first_t is not None else None
    ran = f" after {clock(lived)}" if lived is not None else ""
    fired = _deadline_before(ctx, tr.t) if not init else None
    if fired is not None and reason not in ("OOMKilled",):
        tr.cause = "deadline-exceeded"
        tr.summary = (f"{who} stopped because the pod ran past its activeDeadlineSeconds (DeadlineExceeded at "
                      f"{clock(fired.t)})" + (f": exit {code}" if code is not None else "")
                      + ("; SIGTERM, the kubelet's stop, not an application error" if code == rules.EXIT_SIGTERM else
                         "; SIGKILL at the end of the grace period" if code == rules.EXIT_SIGKILL else ""))
        tr.rule = ("activeDeadlineSeconds: the kubelet fails the pod (DeadlineExceeded) and stops its containers with "
                   "the pod's grace period")
        return
    if reason not in ("OOMKilled", "ContainerStatusUnknown") and not init and not ctx.evicted and \
            deletion.exit_during_deletion(ctx.inp, tr.t):
        # The pod was being deleted: SIGTERM (and SIGKILL at the end of the grace period) stopped it, not a crash.
        grace, which, _ = deletion.grace_for_deletion(ctx.inp)
        req = deletion.requested_at(ctx.inp)
        took = tr.t - req[0] if req is not None and tr.t is not None else None
        how = ending_deletion.deletion_exit(code, grace)
        g = deletion.deletion_grace(ctx.inp)
        if how is None and g is not None and g.inferred:
            how = ("SIGKILL at the end of the grace period, or a slow shutdown on SIGTERM within a longer one (the "
                   "input does not show the exit code); the deletion, not an application error")
        elif how is None and took is not None and took >= grace - 1:
            how = (f"it ran until the end of the {grace:g} s grace period, so the kubelet SIGKILLed it (it did not "
                   "stop on SIGTERM); the deletion, not an application error")
        elif how is None:
            how = "stopped after SIGTERM, within the grace period"
        tr.cause = "deleted"
        tr.grace = grace
        tr.summary = (f"{who} stopped by the pod's deletion" + (f" {clock(took)} after it began" if took is not None
                                                              else "") + f": {how}")
        tr.detail.append(f"Grace period {grace:g} s from {which}.")
        tr.rule = ("deletion: SIGTERM (after preStop), then SIGKILL when the grace period ends (exit 137); a "
                   "container that handles SIGTERM exits 0 or 143 before that")
        return
    kill = _probe_kill_before(ctx, tr) if reason not in ("OOMKilled", "Completed") and not init else None
    ptype = kill.facts[0].kill_reason if kill is not None else (
        _probe_kill_by_restarts(ctx, tr) if reason not in ("OOMKilled", "Completed") and not init else None)
    if ptype is not None:
        # The exit of a container the kubelet was killing: SIGTERM, then SIGKILL at the end of the grace period.
        grace, which = rules.grace_for_kill(ctx.spec, ctx.cspec(c), ptype)
        took = tr.t - kill.t if kill is not None and tr.t is not None and kill.t is not None and kill.count == 1 \
            else None
        tr.cause, tr.grace = f"{ptype}-probe", float(grace)
        how = (f"exit 137 = SIGKILL at the end of the {grace} s grace period (it did not stop on SIGTERM)"
               if code == rules.EXIT_SIGKILL else f"exit 143: it stopped on SIGTERM" if code == rules.EXIT_SIGTERM
               else f"exit {code}" if code is not None else "it stopped")
        tr.summary = (f"{who} stopped by the {ptype} probe kill" + (f" {clock(took)} after the Killing event"
                                                                     if took is not None else "") + f": {how}")
        if kill is None:
            tr.confidence = "inferred"
            tr.detail.append(f"No Killing event in the input: the restarts of {c or 'the container'} are explained by "
                             f"its failing {ptype} probe, and a signal exit ({code}) is how such a kill ends.")
        tr.detail.append(f"Grace period {grace} s from {which}.")
        tr.rule = ("a failed liveness/startup probe kills the container: SIGTERM, then SIGKILL when the grace period "
                   "ends; the exit code is the kill's, not the application's")
        return
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
    beh = ctx.behaviour(c)
    if beh.exits_after is not None and tr.cause in ("error-exit", "completed-exit", "unknown"):
        tr.detail.append(f"The command `{beh.script or '(image default)'}` ends by itself after ~{beh.exits_after:g} s "
                         f"with exit code {beh.exit_code}.")
        if code is None and beh.exit_code is not None:
            tr.summary += f" (exit {beh.exit_code} by its command)"
        start = ctx.last_start(c, tr.t)
        if start is not None and tr.t is not None:
            rng = (round(start[0] + beh.exits_after, 1), round(start[1] + beh.exits_after + 1, 1))
            tr.expected = Expected(rng, f"start {clock(start[0])} + {beh.exits_after:g} s of the command",
                                   observed=tr.t, difference=range_difference(tr, rng))
    pol = ctx.policy
    if init and tr.cause in ("error-exit",):
        tr.detail.append("A failed init container is retried with crash-loop back-off (restartPolicy "
                         f"{pol or 'Always'}); with Never the pod fails.")
    elif pol == "Never":
        tr.detail.append("restartPolicy Never: no restart; the pod ends Failed (or Succeeded if all exited 0).")
    elif pol == "OnFailure" and tr.cause == "completed-exit":
        tr.detail.append("restartPolicy OnFailure: exit 0 is not restarted.")
