"""The simulator: the kubelet's rules (model/rules.py) run forward in simulated time from a pod spec.

The engine (model/sim_engine.py, with model/sim_probes.py and the containers' plans in
model/sim_plan.py) emits the observations a `kubectl get pods -w` plus events transcript would hold;
`predict` explains them with `build_timeline`, so a prediction reads exactly like an explained
recording, every transition marked `predicted`. Pure: spec and options in, observations or a
timeline out. Reading manifests, what-if edits, the comparison with a recording and the generator
are the `simulate` command's (kubectl_podlife/commands/).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Sequence

from kubectl_podlife.model import build_timeline, rules
from kubectl_podlife.model.sim_engine import EPOCH, PodSim
from kubectl_podlife.model.sim_plan import (ADMIT_AT, ALWAYS, DEFAULT_DURATION, PULL_SECONDS, Behaviour, Plan,
                                            SimOptions, behaviour_from_mapping, parse_duration)
from kubectl_podlife.model.timeline import Timeline
from kubectl_podlife.observation import SPEC, Observation
from kubectl_podlife.timefmt import human_duration

__all__ = ["ALWAYS", "DEFAULT_DURATION", "PREDICTED_NOTE", "PULL_SECONDS", "Behaviour", "Plan", "SimOptions",
           "assumptions", "behaviour_from_mapping", "container_plans", "mark_predicted", "parse_duration", "predict",
           "simulate_observations"]

PREDICTED_NOTE = "predicted by simulate"


def simulate_observations(name: str, spec: dict, options: SimOptions | None = None, *, namespace: str | None = None,
                          source: str = "simulated", created: datetime = EPOCH, uid: str | None = None,
                          incarnation: int = 1) -> list[Observation]:
    """The observations a `get pods -w` + events transcript of this pod would hold, as predicted."""
    options = options or SimOptions()
    sim = PodSim(name, namespace, spec, options, source, created=created, uid=uid, incarnation=incarnation)
    spec_obs = Observation(kind=SPEC, pod=sim.key, origin=f"{source}:0", raw=f"(spec of {name})",
                           data={"spec": spec, "source": "manifest", "object_kind": "Pod", "object_name": name},
                           clock="none", seq=-1)
    return [spec_obs] + sim.run()


def container_plans(spec: dict, options: SimOptions) -> dict[str, Plan]:
    """What each container (init containers first) will do under `options`, by container name."""
    plans: dict[str, Plan] = {}
    for c in PodSim("x", None, spec, options, "x").all:
        plans.setdefault(c.name, c.plan)
    return plans


def assumptions(spec: dict, options: SimOptions) -> list[str]:
    """The assumptions a prediction rests on, one line each (shown as the pod's notes)."""
    sim = PodSim("x", None, spec, options, "x")
    out = [f"{PREDICTED_NOTE}: the kubelet's rules run forward for {human_duration(options.duration)}; "
           f"every transition is a prediction, not an observation",
           f"probe ticks at {sim.tick_phase:g} s + k x periodSeconds (the workers' phase is fixed at pod admission; "
           f"the real phase is unknown within one period, set --tick-phase to match a recording)",
           f"pod admitted at {ADMIT_AT:g} s; a pull takes {PULL_SECONDS:g} s; an exit is noticed within "
           f"{rules.PLEG_RELIST_PERIOD:g} s (PLEG); a back-off restart happens at its expiry (older kubelets add "
           f"a 10-15 s pod-worker requeue)"]
    for c in sim.all:
        p = c.plan
        bits = list(p.assumed)
        if c.workers or any(isinstance(c.spec.get(f"{t}Probe"), dict) for t in ("liveness", "startup")):
            bits.append(("SIGTERM ignored: a kill takes the full grace period, exit 137" if p.ignores_sigterm
                         else "SIGTERM handled: a kill ends at once, exit 143") + f" ({p.sigterm_why})")
        if p.pull_fails:
            bits.append("every image pull fails" if p.pull_fails >= ALWAYS else f"the first {p.pull_fails} pulls fail")
        if p.oom_at is not None:
            bits.append(f"OOM-killed {p.oom_at:g} s after each start")
        beh = options.behaviours.get(c.name)
        if sim.apps and c is sim.apps[0] and "" in options.behaviours:
            beh = options.behaviours[""].merged(beh or Behaviour())
        if beh is not None and beh.described():
            bits.insert(0, f"given: {beh.described()}")
        if bits:
            out.append(f"container {c.name}: " + "; ".join(bits))
    return out


def predict(name: str, spec: dict, options: SimOptions | None = None, *, namespace: str | None = None,
            source: str = "simulated", incarnation: int = 1) -> Timeline:
    """The predicted Timeline for one pod: simulate, explain with build_timeline, mark it predicted."""
    options = options or SimOptions()
    obs = simulate_observations(name, spec, options, namespace=namespace, source=source, incarnation=incarnation)
    timeline = build_timeline(obs)
    notes = assumptions(spec, options)
    return mark_predicted(timeline, notes)


def mark_predicted(timeline: Timeline, notes: Sequence[str] = ()) -> Timeline:
    """Every transition and the diagnosis marked `predicted`, with no clock time; `notes` first among the notes."""
    pods = []
    for p in timeline.pods:
        trs = tuple(replace(t, confidence="predicted", time=None) for t in p.transitions)
        diag = replace(p.diagnosis, confidence="predicted")
        pnotes = tuple(notes) or (PREDICTED_NOTE,)
        pods.append(replace(p, transitions=trs, diagnosis=diag, created_time=None,
                            notes=pnotes + tuple(n for n in p.notes if not n.startswith("creation time"))))
    return replace(timeline, pods=tuple(pods))
