"""Crash-loop and image-pull back-off: the delay in force at a restart, and the BackOff events."""

from __future__ import annotations

from kubectl_podlife.model import rules
from kubectl_podlife.model.build import T
from kubectl_podlife.model.explain.context import PodContext
from kubectl_podlife.model.timeline import Expected
from kubectl_podlife.timefmt import clock, go_duration


def backoff_for_restart(ctx: PodContext, c, r: T, lived: float | None = None,
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
