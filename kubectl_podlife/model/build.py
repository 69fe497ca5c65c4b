"""One pod's observations assembled for the transition builders, and the transition they build.

PodInput is everything known about one pod, sorted and grouped; T is a transition being assembled. The
transitions come from three sources, each in its own module: rows (build_rows.py), events
(build_events.py) and container and pod states (build_states.py); build_merge.py folds the same fact
seen in several sources into one transition that carries all of them as evidence.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from kubectl_podlife.ingest.anchor import creation_time
from kubectl_podlife.model.facts import EventFact, classify
from kubectl_podlife.model.spec import clean_spec
from kubectl_podlife.observation import CONTAINER, EVENT, POD, ROW, SPEC, Observation
from kubectl_podlife.timefmt import seconds_between


@dataclass
class T:
    """A transition being assembled (mutable until explained)."""

    kind: str
    t: float | None
    lo: float | None
    hi: float | None
    container: str | None = None
    time: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    restart_count: int | None = None
    evidence: list[Observation] = field(default_factory=list)
    facts: list[EventFact] = field(default_factory=list)
    count: int = 1  # aggregated events: how many occurrences
    first_t: float | None = None  # aggregated events: first occurrence
    exit_code: int | None = None
    reason: str | None = None  # terminated / waiting reason
    note: str = ""
    order: int = 0
    # filled by the explainer
    cause: str | None = None
    probe: object = None
    grace: float | None = None
    backoff: float | None = None
    expected: object = None
    confidence: str = "observed"
    summary: str = ""
    detail: list[str] = field(default_factory=list)
    rule: str | None = None
    missing: list[str] = field(default_factory=list)
    view: tuple = (None, None, None)


@dataclass
class PodInput:
    """Everything known about one pod, sorted and grouped for the explainer."""

    key: object
    obs: list[Observation]
    spec: dict
    spec_sources: list[str]
    containers: list[str]
    init_containers: list[str]
    rows: list[Observation]
    events: list[tuple[Observation, EventFact]]
    cstates: list[Observation]
    pstates: list[Observation]
    created: str | None
    created_how: str | None
    # What the explainers derive from these inputs alone and ask for again and again (deletion.requested_at).
    derived: dict = field(default_factory=dict, repr=False, compare=False)


# --- assembling -----------------------------------------------------------------------------

def merge_spec(specs: list[Observation]) -> tuple[dict, list[str]]:
    """One PodSpec from manifests, describe and fragments: manifests win, others fill gaps."""
    rank = {"api": 0, "manifest": 1, "describe": 2, "fragment": 3}
    specs = sorted(specs, key=lambda o: (rank.get(o.data.get("source"), 4), o.seq))
    merged: dict = {}
    sources: list[str] = []
    for o in specs:
        s = clean_spec(o.data.get("spec"))
        sources.append(o.data.get("source") or "?")
        for k, v in s.items():
            if k in ("containers", "initContainers"):
                have = merged.setdefault(k, [])
                for c in v or []:
                    if not isinstance(c, dict):
                        continue
                    name = c.get("name")
                    target = next((h for h in have if h.get("name") == name), None)
                    if target is None and name is None and len(have) == 1:
                        target = have[0]  # a probe fragment belongs to the only container
                    if target is None and name is not None:
                        unnamed = next((h for h in have if h.get("name") is None), None)
                        if unnamed is not None:
                            unnamed["name"] = name
                            target = unnamed
                    if target is None:
                        have.append(dict(c))
                    else:
                        for ck, cv in c.items():
                            target.setdefault(ck, cv)
            else:
                merged.setdefault(k, v)
    return merged, sources


def assemble(key, obs: list[Observation]) -> PodInput:
    specs = [o for o in obs if o.kind == SPEC]
    spec, sources = merge_spec(specs)
    containers: list[str] = []
    inits: list[str] = []
    for c in spec.get("initContainers", []) or []:
        if c.get("name") and c["name"] not in inits:
            inits.append(c["name"])
    for c in spec.get("containers", []) or []:
        if c.get("name") and c["name"] not in containers:
            containers.append(c["name"])
    events = [(o, classify(o)) for o in obs if o.kind == EVENT]
    for o in obs:
        if o.kind == CONTAINER and o.container:
            lst = inits if o.data.get("init") else containers
            if o.container not in inits + containers:
                lst.append(o.container)
    for o, f in events:
        name = f.container or o.container
        if name and name not in inits + containers:
            path = o.data.get("field_path") or ""
            (inits if "initContainers" in path else containers).append(name)
    # A fragment's unnamed container takes the one name the pod is known by.
    for c in spec.get("containers") or []:
        if c.get("name") is None and len(containers) == 1:
            c["name"] = containers[0]
    created, how = creation_time(obs)
    rows = [o for o in obs if o.kind == ROW]
    return PodInput(key=key, obs=obs, spec=spec, spec_sources=sources, containers=containers, init_containers=inits,
                    rows=_printed_order(rows), events=sorted(events, key=lambda e: _sort_key(e[0])),
                    cstates=[o for o in obs if o.kind == CONTAINER], pstates=[o for o in obs if o.kind == POD],
                    created=created, created_how=how)


def _sort_key(o: Observation) -> tuple:
    return (o.t is None, o.t if o.t is not None else 0.0, o.seq)


def _printed_order(rows: list[Observation]) -> list[Observation]:
    # Rows keep their printed order: a watch prints them in time order, and rounding of AGE may
    # make two rows look simultaneous.
    return sorted(rows, key=lambda o: o.seq)


def pod_t(inp: PodInput, ts: str | None) -> float | None:
    """An absolute timestamp on the pod's clock."""
    if not ts or not inp.created:
        return None
    return seconds_between(inp.created, ts)


@functools.lru_cache(maxsize=256)
def ready_counts(ready: str | None) -> tuple[int, int] | None:
    """kubectl's READY `n/m` as (n, m); None when it is not that."""
    if not ready or "/" not in ready:
        return None
    a, b = ready.split("/", 1)
    return (int(a), int(b)) if a.isdigit() and b.isdigit() else None
