"""The one place that wires the layers together: sources -> observations -> timeline.

The CLI, the TUI and live capture all call these, so every view explains the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from kubectl_podlife.ingest import IngestResult, read_paths
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.model import build_pod_timeline, build_timeline, model_version
from kubectl_podlife.model.timeline import PodTimeline, Timeline
from kubectl_podlife.observation import Observation
from kubectl_podlife.selection import PodSelector

if TYPE_CHECKING:  # for start-up cost: `explain FILE` reads no store and needs no sqlite3
    from kubectl_podlife.store import Store
    from kubectl_podlife.store.interface import PodSummary, SessionStore


def timeline_for_files(paths: Sequence[str]) -> tuple[Timeline, IngestResult]:
    """Read saved kubectl text (`-` is stdin) and explain it; raises PodlifeError on unusable input."""
    result = read_paths(paths)
    return build_timeline(result.observations, warnings=[str(w) for w in result.warnings]), result


def timeline_for_observations(observations: Iterable[Observation], warnings: Iterable[str] = (),
                              progress: Callable[[int, int, int], None] | None = None) -> Timeline:
    """Observations from the store or a live capture: anchored on pod clocks (a no-op for those already
    anchored at import), then explained."""
    return build_timeline(anchor(list(observations)), warnings=list(warnings), progress=progress)


def timeline_for_session(store: Store, session_id: int, pod: "str | PodSelector | None" = None) -> Timeline:
    """Every pod of a stored session (or the ones `pod` selects), each built from its own observations
    (cached)."""
    return Timeline(pods=tuple(session_pod_timelines(store, session_id, pod)), warnings=tuple(store.warnings(session_id)))


def select_pods(store: SessionStore, session_id: int, pod: "str | PodSelector | None" = None) -> list[PodSummary]:
    """The session's pods, or the ones a selector (-n, --pod NAME or glob) picks; a clear error for none."""
    pods = store.pods(session_id)
    selector = PodSelector(pod=pod) if isinstance(pod, str) else pod
    if selector is None or selector.everything:
        return pods
    chosen = [p for p in pods if selector.matches(p.namespace, p.name, p.display)]
    if not chosen:
        raise selector.none_matched((p.namespace, p.name) for p in pods)
    return chosen


def pod_timeline(store: SessionStore, pod: PodSummary, cache: bool = True) -> PodTimeline:
    """One pod's timeline: from the store's cache when it was built from these observations by this
    model, else built from that pod's observations alone (and cached). `cache=False` builds it without
    asking or filling the cache (a live follower: the pod will have changed again by the next poll)."""
    if not cache:
        return build_pod_timeline(pod.key, anchor(store.pod_observations(pod.id)))
    key = f"{model_version()}:{pod.observations}:{pod.version}"
    cached = store.get_timeline(pod.id, key)
    if cached is not None:
        return cached
    built = build_pod_timeline(pod.key, anchor(store.pod_observations(pod.id)))
    store.put_timeline(pod.id, key, built)
    return built


def session_pod_timelines(store: SessionStore, session_id: int,
                          pod: "str | PodSelector | None" = None) -> Iterator[PodTimeline]:
    """The session's pod timelines one by one, in order of first appearance (for streaming output)."""
    for p in select_pods(store, session_id, pod):
        yield pod_timeline(store, p)
