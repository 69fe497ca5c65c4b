"""The explanation of one transition as styled lines, shared by the panel and the `y` copy (OSC 52).
Pure: reads the Timeline, knows nothing of Textual.
"""

from __future__ import annotations

from kubectl_podlife.model.timeline import Expected, PodTimeline, ProbeInfo, Transition
from kubectl_podlife.timefmt import clock

from .playback import segment_at
from .podtable import plural

# A line is (role, text); the panel maps roles to component styles, the clipboard drops them.
Line = tuple[str, str]


def short_time(iso: str | None) -> str:
    """`2024-05-01T10:02:03Z` -> `10:02:03`: enough for a row; the panel shows the full value."""
    if not iso:
        return ""
    tpos = iso.find("T")
    if tpos < 0:
        tpos = iso.find(" ")
    return iso[tpos + 1:tpos + 9] if tpos >= 0 else iso[:8]


def probe_line(p: ProbeInfo) -> str:
    bits = [f"{p.type} probe, {p.handler}"]
    if p.target:
        bits.append(f"`{p.target}`")
    for label, value, unit in (("period", p.period_seconds, "s"), ("failureThreshold", p.failure_threshold, ""),
                               ("initialDelay", p.initial_delay_seconds, "s"), ("timeout", p.timeout_seconds, "s"),
                               ("successThreshold", p.success_threshold, ""),
                               ("terminationGracePeriod", p.termination_grace_period_seconds, "s")):
        if value is not None:
            bits.append(f"{label} {value}{unit}")
    if p.failures_seen is not None:
        bits.append(f"{plural(p.failures_seen, 'failure')} seen")
    bits.append("(from the spec)" if p.from_spec else "(from event text)")
    return ", ".join(bits)


def expected_line(e: Expected, observed_t: float | None) -> str:
    if e.t_range:
        lo, hi = e.t_range
        want = clock(lo) if lo == hi else f"{clock(lo)}–{clock(hi)}"
    else:
        want = "no time predicted"
    observed = e.observed if e.observed is not None else observed_t
    text = f"expected {want}, observed {clock(observed) if observed is not None else 'nothing'}"
    if e.difference is not None:
        if abs(e.difference) < 0.5:
            text += " (as expected)"
        else:
            text += f" ({clock(abs(e.difference))} {'late' if e.difference > 0 else 'early'})"
    return text


def when(tr: Transition) -> str:
    rel = clock(tr.t) if tr.t is not None else "time unknown"
    if tr.t_range and tr.t is not None and tr.t_range[1] - tr.t_range[0] >= 1:
        rel += f" (between {clock(tr.t_range[0])} and {clock(tr.t_range[1])})"
    return rel + (f", {tr.time}" if tr.time else "")


def explanation(pod: PodTimeline, tr: Transition | None, playhead: float) -> list[Line]:
    """What the panel shows for the transition selected at `playhead` (None: before the first one)."""
    lines: list[Line] = []
    if tr is None:
        lines.append(("title", f"{pod.display} at {clock(playhead)}: before the first transition"))
        lines.append(("summary", pod.diagnosis.summary))
    else:
        head = f"{clock(tr.t)} {tr.kind}"
        if tr.container:
            head += f" · {tr.container}"
        lines.append(("title", head))
        lines.append((f"kind-{tr.kind}", tr.summary))
        lines.append(("text", f"When: {when(tr)}"))
        if tr.from_state or tr.to_state:
            lines.append(("text", f"State: {tr.from_state or '?'} → {tr.to_state or '?'}"
                          + (f", restart #{tr.restart_count}" if tr.restart_count else "")))
        if tr.cause:
            lines.append(("text", f"Cause: {tr.cause}"))
        for d in tr.detail:
            lines.append(("text", d))
        if tr.log_tail:
            lines.append(("label", tr.log_tail.heading() + (" (l: all)" if len(tr.log_tail.lines) > 1 else "")))
            lines.extend(("evidence", f"  | {line}") for line in tr.log_tail.shown)
        if tr.rule:
            lines.append(("label", "Rule"))
            lines.append(("text", f"  {tr.rule}"))
        if tr.probe:
            lines.append(("text", f"Probe: {probe_line(tr.probe)}"))
        if tr.grace_period_seconds is not None:
            lines.append(("text", f"Grace period: {clock(tr.grace_period_seconds)}"))
        if tr.backoff_seconds is not None:
            lines.append(("text", f"Back-off delay: {clock(tr.backoff_seconds)}"))
        if tr.expected:
            lines.append(("label", "Timing"))
            lines.append(("text", f"  {expected_line(tr.expected, tr.t)}"))
            if tr.expected.rule:
                lines.append(("dim", f"  {tr.expected.rule}"))
        lines.append(("text", f"Confidence: {tr.confidence}"))
        if tr.missing:
            lines.append(("label", "Missing inputs"))
            lines.extend(("warn", f"  {m}") for m in tr.missing)
        if tr.evidence:
            lines.append(("label", "Evidence"))
            for ev in tr.evidence:
                raw = ev.text.splitlines() or [""]
                lines.append(("evidence", f"  {ev.origin}  {raw[0]}"))
                lines.extend(("evidence", f"  {' ' * len(ev.origin)}  {more}") for more in raw[1:])
    lines.append(("label", f"State at {clock(playhead)}"))
    if tr is not None and (tr.view.ready or tr.view.status or tr.view.restarts):
        lines.append(("text", f"  kubectl: READY {tr.view.ready or '-'}  STATUS {tr.view.status or '-'}"
                              f"  RESTARTS {tr.view.restarts or '-'}"))
    if tr is not None:
        phase = getattr(tr.view, "phase", None)
        conditions = getattr(tr.view, "conditions", ())
        if phase or conditions:
            conds = ", ".join(f"{name} {value}" for name, value in conditions)
            lines.append(("text", "  " + " · ".join(x for x in (f"phase {phase}" if phase else "", conds) if x)))
    for lane in pod.lanes:
        seg = segment_at(lane, playhead)
        state = (seg.state + (f" ({seg.label})" if seg.label else "")) if seg else "not started"
        lines.append(("text", f"  {'init ' if lane.init else ''}{lane.container}: {state}"))
    return lines


def explanation_text(pod: PodTimeline, tr: Transition | None, playhead: float) -> str:
    return "\n".join(text for _, text in explanation(pod, tr, playhead)) + "\n"
