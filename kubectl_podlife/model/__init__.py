"""The lifecycle model: observations in, one explained timeline per pod out (a pure function)."""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterable

from kubectl_podlife.model.timeline import PodTimeline, Timeline
from kubectl_podlife.observation import Observation, PodKey


def build_timeline(observations: Iterable[Observation], warnings: Iterable[str] = (),
                   progress: Callable[[int, int, int], None] | None = None) -> Timeline:
    """One PodTimeline per pod; `progress(pods_done, pods_total, observations_done)` after each pod."""
    # Imported here for start-up cost, not for a cycle: the TUI and the renderers import
    # `model.timeline` for its dataclasses and should not pay for the rule engine (~120 ms) until
    # a timeline is built (the TUI builds it in a worker, after its screen is up).
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


def build_pod_timeline(key: PodKey, observations: list[Observation]) -> PodTimeline:
    """One pod's explained timeline from that pod's (anchored) observations alone."""
    from kubectl_podlife.model.pod import build_pod  # start-up cost: see build_timeline

    return build_pod(key, observations)


def model_sources() -> list[str]:
    """The files a timeline's content depends on: every module below model/ (its subpackages too),
    anchoring, the observation and timeline types, and the time formats."""
    here = os.path.dirname(os.path.abspath(__file__))
    pkg = os.path.dirname(here)
    files = sorted(os.path.join(d, f) for d, _, names in os.walk(here) for f in names if f.endswith(".py"))
    return files + [os.path.join(pkg, "ingest", "anchor.py"), os.path.join(pkg, "observation.py"),
                    os.path.join(pkg, "timefmt.py")]


@functools.lru_cache(maxsize=1)
def model_version() -> str:
    """Names the code a timeline was built with (model_sources), so a cached timeline is used only by
    the same code: any edit to the rules builds again."""
    import hashlib  # here for start-up cost: only a stored session's cache key needs it

    h = hashlib.sha1()
    for f in model_sources():
        try:
            with open(f, "rb") as fh:
                h.update(fh.read())
        except OSError:
            h.update(f.encode())
    return h.hexdigest()[:16]
