"""Probes: their settings from the spec (or, without one, from the failure messages and the
defaults), the words that describe them, and the explanation of a probe failure event."""

from __future__ import annotations

from kubectl_podlife.model import rules
from kubectl_podlife.model.build import T
from kubectl_podlife.model.explain.context import PodContext, occurrences
from kubectl_podlife.model.timeline import ProbeInfo
from kubectl_podlife.timefmt import clock


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


def probe_words(p: ProbeInfo) -> str:
    target = f" `{p.target}`" if p.target else ""
    return f"{p.handler} {p.type} probe{target}"


def probe_settings_line(p: ProbeInfo) -> str:
    if not p.from_spec:
        return f"{p.type.capitalize()} probe: {p.handler}; settings unknown (no spec in the input)."
    extra = f", terminationGracePeriodSeconds {p.termination_grace_period_seconds}" if \
        p.termination_grace_period_seconds else ""
    return (f"{p.type.capitalize()} probe: {p.handler}{' ' + p.target if p.target else ''}; initialDelaySeconds "
            f"{p.initial_delay_seconds}, periodSeconds {p.period_seconds}, timeoutSeconds {p.timeout_seconds}, "
            f"failureThreshold {p.failure_threshold}{extra}.")


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
