"""The model on what a live watch records: every update of an Event object is its own observation,
with a count that keeps growing, and all times are absolute until anchored."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kubectl_podlife.ingest.objects import event_observation, pod_observations
from kubectl_podlife.pipeline import timeline_for_observations

_spec = importlib.util.spec_from_file_location("podlife_live_scenarios",
                                               Path(__file__).parent / "live" / "live_scenarios.py")
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)


def recorded() -> list:
    obs = []
    for i, (resource, _type, obj) in enumerate(scenarios.story()):
        if resource == "pods":
            obs.extend(pod_observations(obj, f"api:pods/rv={i}", seq_start=i * 10))
        else:
            o = event_observation(obj, f"api:events/rv={i}", seq=i * 10)
            if o is not None:
                obs.append(o)
    return obs


def test_watch_updates_of_one_event_are_counted_once():
    tl = timeline_for_observations(recorded())
    pod = next(p for p in tl.pods if p.name == "liveness-exec-pod")
    restarts = [t for t in pod.transitions if t.kind == "restart"]
    assert [round(t.t) for t in restarts][:5] == [43, 85, 127, 169, 211]
    assert all(t.probe.failures_seen == 3 for t in restarts)
    assert all(t.cause == "liveness-probe" for t in restarts)
    # Only three failures had happened when the first Killing came: no kill inferred earlier.
    kills = [t for t in pod.transitions if t.kind == "killing"]
    assert round(kills[0].t) == 13
    assert all(t.t is not None for t in pod.transitions)
    backoff = next(t for t in pod.transitions if t.kind == "back-off")
    assert round(backoff.t) == 253 and backoff.backoff_seconds == 80
