"""The lifecycle model: observations in, one explained timeline per pod out (a pure function)."""

from __future__ import annotations

from typing import Callable, Iterable

from kubectl_podlife.model.timeline import Timeline
from kubectl_podlife.observation import Observation


def build_timeline(observations: Iterable[Observation], warnings: Iterable[str] = (),
                   progress: Callable[[int, int, int], None] | None = None) -> Timeline:
    """One PodTimeline per pod; `progress(pods_done, pods_total, observations_done)` after each pod."""
    from kubectl_podlife.model.pod import build_pod

    groups: dict = {}
    for o in observations:
        groups.setdefault(o.pod, []).append(o)
    pods = []
    done = 0
    for key, obs in groups.items():
        pods.append(build_pod(key, obs))
        done += len(obs)
        if progress is not None:
            progress(len(pods), len(groups), done)
    return Timeline(pods=tuple(pods), warnings=tuple(warnings))
