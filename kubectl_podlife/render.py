"""Plain renderers of a Timeline: readable text for terminals and pipes, markdown for tickets.

One line per transition (time, what changed, why), the details indented below it.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable, Iterator

from kubectl_podlife import jsonout
from kubectl_podlife.model.timeline import PodTimeline, Timeline, Transition
from kubectl_podlife.textsafe import visible
from kubectl_podlife.timefmt import clock, human_duration

_COLORS = {"restart": "31", "back-off": "33", "killing": "31", "probe-failed": "33", "terminated": "35",
           "ready": "32", "not-ready": "33", "pull-failed": "31", "deleted": "90", "terminating": "90"}


def _time(t: Transition) -> str:
    if t.t is None:
        return "      ?"
    return f"{clock(t.t):>7}"


def _view(t: Transition) -> str:
    v = t.view
    if not (v.ready or v.status):
        return ""
    return f"[{v.ready or '-'} {v.status or '-'} {v.restarts or '-'}]"


def restart_count(p: PodTimeline) -> str:
    """ "5 restarts", "1 restart", or "at least 1 restart (count not shown)" when the input prints none."""
    words = f"{p.restarts} restart{'s' if p.restarts != 1 else ''}"
    return words if p.restarts_shown else f"at least {words} (the input shows no count)"


def pod_header(p: PodTimeline) -> list[str]:
    counts = f", {restart_count(p)}" if p.kind == "Pod" else ""  # a Job's pods restart, not the Job
    lines = [f"{p.kind} {p.display}: {p.final_status or 'status not shown'}{counts}",
             f"  Diagnosis: {p.diagnosis.summary}",
             f"  Cause: {p.diagnosis.cause}" + (f", container {p.diagnosis.container}" if p.diagnosis.container else "")
             + (f", {p.diagnosis.probe.type} probe ({p.diagnosis.probe.handler})" if p.diagnosis.probe else "")
             + f", confidence {p.diagnosis.confidence}"]
    for n in p.notes:
        lines.append(f"  Note: {n}")
    return [visible(line) for line in lines]


def transition_lines(t: Transition, verbose: bool = True, color: bool = False) -> list[str]:
    head = f"{_time(t)}  {t.kind:<12} {t.summary}"
    view = _view(t)
    if view:
        head += f"  {view}"
    head = visible(head)
    if color and t.kind in _COLORS:
        head = f"\x1b[{_COLORS[t.kind]}m{head}\x1b[0m"
    out = [head]
    if not verbose:
        return out
    return out + [visible(line) for line in _detail_lines(t)]


def _transition_text(t: Transition, verbose: bool, color: bool) -> str:
    """"\n".join(transition_lines(t, verbose, color)), with one visible() for all the detail lines (a
    control character is escaped alone, and a newline is none, so joining first is the same)."""
    head = transition_lines(t, verbose=False, color=color)[0]
    details = _detail_lines(t) if verbose else None
    return head + "\n" + visible("\n".join(details)) if details else head


def _detail_lines(t: Transition) -> list[str]:
    out: list[str] = []
    pad = " " * 11
    for d in t.detail:
        out.append(f"{pad}{d}")
    if t.log_tail:
        out.append(f"{pad}{t.log_tail.heading()}:")
        out.extend(f"{pad}  | {line}" for line in t.log_tail.shown)
    if t.expected:
        e = t.expected
        rng = f"{clock(e.t_range[0])}..{clock(e.t_range[1])}" if e.t_range else "?"
        obs = f", observed {clock(e.observed)}" if e.observed is not None else ""
        diff = f" (off by {e.difference:+g} s)" if e.difference else (" (within)" if e.difference == 0 else "")
        out.append(f"{pad}Expected: {rng}{obs}{diff}: {e.rule}")
    if t.rule:
        out.append(f"{pad}Rule: {t.rule}")
    if t.confidence != "observed":
        out.append(f"{pad}Confidence: {t.confidence}")
    for m in t.missing:
        out.append(f"{pad}Missing: {m}")
    for e in t.evidence[:4]:
        first = e.text.splitlines()[0] if e.text else ""
        out.append(f"{pad}<- {e.origin}: {first[:150]}")
    if len(t.evidence) > 4:
        out.append(f"{pad}<- ... {len(t.evidence) - 4} more")
    return out


def text(timeline: Timeline, color: bool = False, verbose: bool = True) -> str:
    return "".join(text_chunks(timeline.pods, color=color, verbose=verbose))


def _pod_text(p: PodTimeline, color: bool, verbose: bool) -> str:
    out = pod_header(p)
    out.append("")
    for t in p.transitions:
        out.append(_transition_text(t, verbose, color))
    out.append("")
    return "\n".join(out)


def text_chunks(pods: Iterable[PodTimeline], color: bool = False, verbose: bool = True) -> Iterator[str]:
    """`text` of these pods piece by piece, one pod at a time, so a session's output streams as each pod
    is built (the pieces joined are exactly `text`: the last pod's trailing blank lines are dropped)."""
    prev = None
    for p in pods:
        chunk = _pod_text(p, color, verbose)
        if prev is not None:
            yield prev + "\n"
        prev = chunk
    yield (prev.rstrip() if prev is not None else "") + "\n"


def json_chunks(pods: Iterable[PodTimeline], warnings: Callable[[], Iterable[str]],
                indent: int | None = 2) -> Iterator[str]:
    """`json.dumps(Timeline.to_json(), indent=indent)` piece by piece, one pod at a time; `warnings` is
    called after the last pod (a session's warnings are known up front, a file's after reading)."""
    enc = json.JSONEncoder(indent=indent, ensure_ascii=False, allow_nan=False,
                           separators=(",", ": ") if indent is not None else (", ", ": ")).encode
    if indent is None:
        yield '{"pods": ['
        first = True
        for p in pods:
            yield ("" if first else ", ") + enc(p.to_json())
            first = False
        yield '], "warnings": ' + enc(list(warnings())) + "}"
        return
    pad1, pad2 = " " * indent, " " * (2 * indent)
    first = True
    for p in pods:
        body = jsonout.dumps(p.to_json(), indent, 2)
        yield ("{\n" + pad1 + '"pods": [\n' + pad2 if first else ",\n" + pad2) + body
        first = False
    yield ("{\n" + pad1 + '"pods": [],\n' if first else "\n" + pad1 + "],\n")
    yield pad1 + '"warnings": ' + enc(list(warnings())).replace("\n", "\n" + pad1) + "\n}"


WIDE_COLUMNS = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "DIAGNOSIS")


def wide_row(p: PodTimeline) -> tuple[str, ...]:
    """One pod as `kubectl get pods` shows it at the end of the input, plus the model's diagnosis."""
    ready = next((t.view.ready for t in reversed(p.transitions) if t.view.ready), None)
    name = p.name + (f" (#{p.incarnation})" if p.incarnation > 1 else "")
    diagnosis = " ".join(p.diagnosis.summary.split())
    return tuple(visible(c) for c in (p.namespace or "default", name, ready or "-", p.final_status or "-",
                                      p.restarts_text, human_duration(max(0.0, p.end)), diagnosis))


def wide(pods: Iterable[PodTimeline]) -> str:
    """`explain -o wide`: one line per pod, columns aligned as kubectl's tabwriter aligns them."""
    rows = [WIDE_COLUMNS, *(wide_row(p) for p in pods)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(WIDE_COLUMNS) - 1)]
    return "".join("   ".join(c.ljust(w) for c, w in zip(r, widths)) + "   " + r[-1] + "\n" for r in rows)


def markdown(timeline: Timeline, pod: str | None = None) -> str:
    out: list[str] = []
    for p in timeline.pods:
        if pod and pod not in (p.name, p.display):
            continue
        out.append(f"## {p.kind} `{p.display}`")
        out.append("")
        counts = f", {restart_count(p)}" if p.kind == "Pod" else ""
        out.append(f"**{p.final_status or 'status not shown'}**{counts}. "
                   f"**Diagnosis** ({p.diagnosis.cause}, {p.diagnosis.confidence}): {p.diagnosis.summary}")
        out.append("")
        for n in p.notes:
            out.append(f"> {n}")
        if p.notes:
            out.append("")
        out.append("| t | kind | what happened | kubectl |")
        out.append("|---|---|---|---|")
        for t in p.transitions:
            out.append(f"| {clock(t.t) if t.t is not None else '?'} | {t.kind} | {_md(t.summary)} | {_md(_view(t))} |")
        out.append("")
        explained = [t for t in p.transitions if t.kind in ("restart", "back-off", "killing") or t.expected
                     or t.log_tail]
        if explained:
            out.append("### Why")
            out.append("")
            for t in explained:
                out.append(f"- **{clock(t.t) if t.t is not None else '?'} {t.kind}**: {_md(t.summary)}")
                for d in t.detail:
                    out.append(f"  - {_md(d)}")
                if t.log_tail:
                    out.append(f"  - {_md(t.log_tail.heading())}:")
                    out.extend(f"    - `{_md(line).replace('`', chr(39))}`" for line in t.log_tail.shown)
                if t.expected and t.expected.t_range:
                    e = t.expected
                    out.append(f"  - expected {clock(e.t_range[0])}..{clock(e.t_range[1])}, observed "
                               f"{clock(e.observed) if e.observed is not None else '?'}: {_md(e.rule)}")
                if t.rule:
                    out.append(f"  - rule: {_md(t.rule)}")
                for m in t.missing:
                    out.append(f"  - missing: {_md(m)}")
                if t.evidence:
                    out.append(f"  - evidence: " + ", ".join(f"`{e.origin}`" for e in t.evidence[:6]))
            out.append("")
    return visible("\n".join(out).rstrip()) + "\n"


def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")
