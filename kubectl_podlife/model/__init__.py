"""The lifecycle model: observations in, one explained timeline per pod out (a pure function)."""

from __future__ import annotations

from typing import Iterable

from kubectl_podlife.model.timeline import Timeline
from kubectl_podlife.observation import Observation


def build_timeline(observations: Iterable[Observation], warnings: Iterable[str] = ()) -> Timeline:
    from kubectl_podlife.model.pod import build_pod

    groups: dict = {}
    for o in observations:
        groups.setdefault(o.pod, []).append(o)
    pods = [build_pod(key, obs) for key, obs in groups.items()]
    return Timeline(pods=tuple(pods), warnings=tuple(warnings))
