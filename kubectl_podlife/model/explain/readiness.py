"""Readiness: why a container became ready or stopped being ready, and when its first success was due."""

from __future__ import annotations

import math

from kubectl_podlife.model import deletion
from kubectl_podlife.model.build import T, ready_counts
from kubectl_podlife.model.explain.context import PodContext, difference
from kubectl_podlife.model.explain.probes import probe_info, probe_settings_line
from kubectl_podlife.model.timeline import Expected
from kubectl_podlife.timefmt import clock


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
            tr.detail = [probe_settings_line(info),
                         "Ready is set once successThreshold consecutive readiness probes succeed; until then the pod "
                         "is left out of Service endpoints."]
            start = ctx.last_start(c, tr.t)
            again = start is not None and tr.t is not None and any(
                x.t is not None and start[0] <= x.t < tr.t for x in ctx.of("not-ready", c))
            if again:
                tr.detail.append("Ready again: the readiness probe succeeded successThreshold times after failing; "
                                 "probes keep running every periodSeconds, so this is not timed from the start.")
            elif start is not None and tr.t is not None:
                P, delay = info.period_seconds or 10, info.initial_delay_seconds or 0
                rng = (round(start[0] + delay, 1), round(start[1] + delay + P, 1))
                diff = difference(tr.t, rng)
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
    req = deletion.requested_at(ctx.inp)
    now = ready_counts(tr.to_state)
    if req is not None and tr.t is not None and tr.t >= req[0] + 1 and now is not None and now[0] == 0 and not [
            f for f in fails if f.t is not None and f.t >= req[0]]:
        # READY falling to 0 while the pod is Terminating: its containers stopped (rows do not show the exit)
        grace, which, _ = deletion.grace_for_deletion(ctx.inp)
        g = deletion.deletion_grace(ctx.inp)
        took = tr.t - req[0]
        tr.cause, tr.grace = "deleted", grace
        how = ("SIGKILL at the end of the grace period, or a slow shutdown on SIGTERM (the rows do not show the exit "
               "code)" if g is not None and g.inferred else
               "at the end of the grace period, so SIGKILL (it did not stop on SIGTERM)" if took >= grace - 1 else
               "on SIGTERM, within the grace period")
        tr.summary = (f"{c or 'The container'} stopped {clock(took)} after the deletion began ({tr.from_state} → "
                      f"{tr.to_state}): {how}")
        tr.detail = [f"Grace period {grace:g} s from {which}."]
        tr.rule = "deletion: SIGTERM (after preStop), then SIGKILL when the grace period ends"
        return
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
