"""The one place that wires the layers together: sources -> observations -> timeline.

The CLI, the TUI and live capture all call these, so every view explains the same way.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from kubectl_podlife.ingest import IngestResult, read_paths
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.model import build_timeline
from kubectl_podlife.model.timeline import Timeline
from kubectl_podlife.observation import Observation
from kubectl_podlife.store import Store


def timeline_for_files(paths: Sequence[str]) -> tuple[Timeline, IngestResult]:
    """Read saved kubectl text (`-` is stdin) and explain it; raises PodlifeError on unusable input."""
    result = read_paths(paths)
    return build_timeline(result.observations, warnings=[str(w) for w in result.warnings]), result


def timeline_for_observations(observations: Iterable[Observation], warnings: Iterable[str] = (),
                              progress: Callable[[int, int, int], None] | None = None) -> Timeline:
    """Observations from the store or a live capture: anchored on pod clocks (a no-op for those already
    anchored at import), then explained."""
    return build_timeline(anchor(list(observations)), warnings=list(warnings), progress=progress)


def timeline_for_session(store: Store, session_id: int) -> Timeline:
    _, observations = store.observations(session_id)
    return timeline_for_observations(observations, warnings=store.warnings(session_id))
