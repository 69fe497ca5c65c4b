"""`m`: the selected pod's explanation as a markdown file, written by the shared renderer."""

from __future__ import annotations

import os
import re
from pathlib import Path

from kubectl_podlife.model.timeline import PodTimeline, Timeline
from kubectl_podlife.render import markdown


def export_path(pod_name: str) -> Path:
    base = Path(os.environ.get("PODLIFE_EXPORT_DIR") or os.getcwd()).expanduser()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", pod_name).strip("._") or "pod"
    return base / f"{safe}-podlife.md"


def write_export(timeline: Timeline, pod: PodTimeline) -> Path:
    path = export_path(pod.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(timeline, pod=pod.name), encoding="utf-8")
    return path
