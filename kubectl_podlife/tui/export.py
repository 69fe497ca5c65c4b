"""`m`: the selected pod's explanation as a markdown file, via the shared renderer.

`kubectl_podlife.render.markdown` is the one markdown renderer; until it exists this module carries a
small fallback so the key already works (FALLBACK says which one ran).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kubectl_podlife.model.timeline import PodTimeline, Timeline
from kubectl_podlife.timefmt import clock

from .explain import expected_line, probe_line, when


def export_path(pod_name: str) -> Path:
    base = Path(os.environ.get("PODLIFE_EXPORT_DIR") or os.getcwd()).expanduser()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", pod_name).strip("._") or "pod"
    return base / f"{safe}-podlife.md"


def render_markdown(timeline: Timeline, pod: PodTimeline) -> tuple[str, bool]:
    """(markdown, used_fallback)."""
    try:
        from kubectl_podlife.render import markdown  # type: ignore[attr-defined]
    except ImportError:
        return fallback_markdown(pod), True
    return markdown(timeline, pod=pod.name), False


def write_export(timeline: Timeline, pod: PodTimeline) -> tuple[Path, bool]:
    text, fallback = render_markdown(timeline, pod)
    path = export_path(pod.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, fallback


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def fallback_markdown(pod: PodTimeline) -> str:
    out = [f"# {pod.display}", ""]
    out.append(f"- restarts: {pod.restarts}")
    out.append(f"- final status: {pod.final_status or 'unknown'}")
    out.append(f"- diagnosis: **{pod.diagnosis.cause}**"
               + (f" in `{pod.diagnosis.container}`" if pod.diagnosis.container else "")
               + f" — {pod.diagnosis.summary}")
    if pod.anchor:
        out.append(f"- times are relative to pod creation, anchored by {pod.anchor}")
    out.extend(f"- note: {n}" for n in pod.notes)
    out += ["", "## Timeline", "", "| t | kind | container | READY | STATUS | RESTARTS | summary |",
            "|---|---|---|---|---|---|---|"]
    for tr in pod.transitions:
        out.append(f"| {clock(tr.t)} | {tr.kind} | {tr.container or ''} | {tr.view.ready or ''} | "
                   f"{tr.view.status or ''} | {tr.view.restarts or ''} | {_md(tr.summary)} |")
    out += ["", "## Transitions", ""]
    for tr in pod.transitions:
        out.append(f"### {clock(tr.t)} {tr.kind}" + (f" — {tr.container}" if tr.container else ""))
        out.append("")
        out.append(tr.summary)
        out.append("")
        out.append(f"- when: {when(tr)}")
        if tr.cause:
            out.append(f"- cause: {tr.cause}")
        if tr.rule:
            out.append(f"- rule: {tr.rule}")
        if tr.probe:
            out.append(f"- probe: {probe_line(tr.probe)}")
        if tr.expected:
            out.append(f"- timing: {expected_line(tr.expected, tr.t)}")
        out.append(f"- confidence: {tr.confidence}")
        out.extend(f"- missing: {m}" for m in tr.missing)
        out.extend(f"- {d}" for d in tr.detail)
        if tr.evidence:
            out += ["", "```"]
            out.extend(f"{ev.origin}: {ev.text}" for ev in tr.evidence)
            out.append("```")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
