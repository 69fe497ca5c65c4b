"""Putting every observation on its pod's clock: seconds since the pod was created.

get-w rows already carry pod age. Describe and `get events` ages are relative to when the command
ran, so each such block is anchored through its pod's Scheduled event (scheduling happens within
about a second of creation), or, lacking one, by assuming the oldest event there is the pod's start
(said in the observation's data). Absolute timestamps are placed through the creation time
(creationTimestamp, else the earliest timestamp seen for the pod).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Callable, Iterable

from kubectl_podlife.errors import LoadCancelled
from kubectl_podlife.observation import (CLOCK_ABS, CLOCK_AGO, CLOCK_NONE, CLOCK_POD, CONTAINER, EVENT, POD, ROW,
                                         Observation, PodKey)
from kubectl_podlife.timefmt import from_iso, seconds_between

_SCHEDULING_SLACK = 1.0  # seconds from creation to the Scheduled event when nothing says otherwise


def unify_namespaces(obs: list[Observation]) -> list[Observation]:
    """A pod seen without a namespace (get -w) and with one (describe) is one pod."""
    known: dict[str, set[str]] = defaultdict(set)
    for o in obs:
        if o.pod.namespace:
            known[o.pod.name].add(o.pod.namespace)
    out = []
    for o in obs:
        if o.pod.namespace is None and len(known.get(o.pod.name, ())) == 1:
            o = replace(o, pod=replace(o.pod, namespace=next(iter(known[o.pod.name]))))
        out.append(o)
    return out


# How much earlier than an API object's creationTimestamp a text pod's own start may appear and still be
# that pod: describe's Start Time and event times are printed to the second, and the kubelet's clock
# may run a little behind the API server's.
_CREATION_SLACK = 5.0


def unify_identities(obs: list[Observation]) -> list[Observation]:
    """Text (describe, get -w, get events) names a pod; JSON and YAML also give its uid. A pod is
    one pod whatever printed it: text observations join the pod with the uid when the input holds
    exactly one uid for that namespace/name, or, when it holds several (the name was reused), the
    newest of them created before the text's own earliest absolute time. A text pod whose times
    show it started before every such uid stays a pod of its own; so does one that cannot be placed."""
    by_name: dict[tuple[str | None, str], dict[str, tuple[PodKey, float | None]]] = defaultdict(dict)
    texts: dict[PodKey, list[Observation]] = defaultdict(list)
    for o in obs:
        if o.pod.uid:
            by_name[(o.pod.namespace, o.pod.name)].setdefault(o.pod.uid, (o.pod, None))
        else:
            texts[o.pod].append(o)
    if not by_name or not texts:
        return obs
    uid_obs: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        if o.pod.uid and (o.pod.namespace, o.pod.name) in by_name:
            uid_obs[o.pod.uid].append(o)
    for pods in by_name.values():
        for uid, (key, _) in list(pods.items()):
            created = creation_time(uid_obs[uid])[0]
            pods[uid] = (key, _epoch(created))
    mapping: dict[PodKey, PodKey] = {}
    for key, mine in texts.items():
        pods = by_name.get((key.namespace, key.name))
        if not pods:
            continue
        started = _epoch(creation_time(mine)[0])
        if started is None:
            if len(pods) == 1:
                mapping[key] = next(iter(pods.values()))[0]
            continue
        before = [(created, k) for k, created in pods.values()
                  if created is None or created <= started + _CREATION_SLACK]
        if len(pods) == 1 and before:
            mapping[key] = before[0][1]
        elif before and all(created is not None for created, _ in before):
            mapping[key] = max(before, key=lambda c: c[0])[1]
    if not mapping:
        return obs
    return [replace(o, pod=mapping[o.pod]) if o.pod in mapping else o for o in obs]


def _epoch(iso: str | None) -> float | None:
    when = from_iso(iso) if iso else None
    return when.timestamp() if when is not None else None


def creation_time(obs: Iterable[Observation]) -> tuple[str | None, str | None]:
    """(creation time ISO, how it was found) for one pod's observations."""
    cands: list[tuple[str, str]] = []
    for o in obs:
        d = o.data
        if o.kind == POD and d.get("creation_time"):
            return d["creation_time"], "creationTimestamp"
        if o.kind == EVENT and d.get("reason") in ("Scheduled", "scheduled", "FailedScheduling") and d.get("first_time"):
            cands.append((d["first_time"], "the Scheduled event"))
        elif o.kind == EVENT and d.get("first_time"):
            cands.append((d["first_time"], "the earliest event"))
        if o.kind == POD and d.get("start_time"):
            cands.append((d["start_time"], "Start Time"))
        if o.kind == CONTAINER:
            for st in (d.get("state") or {}, d.get("last_state") or {}):
                for k in ("started_at", "finished_at"):
                    if st.get(k):
                        cands.append((st[k], "a container's start time"))
        if o.clock == CLOCK_ABS and o.time and o.kind != EVENT:
            cands.append((o.time, "the earliest timestamp"))
    cands = [c for c in cands if from_iso(c[0]) is not None]
    if not cands:
        return None, None
    best = min(cands, key=lambda c: from_iso(c[0]))
    return best


def anchor(observations: list[Observation], cancelled: Callable[[], bool] | None = None) -> list[Observation]:
    """Every observation on its pod's clock; `cancelled` is asked every few hundred pods (see read_paths)."""
    obs = unify_identities(unify_namespaces(observations))
    by_pod: dict[PodKey, list[int]] = defaultdict(list)
    for idx, o in enumerate(obs):
        by_pod[o.pod].append(idx)
    out = list(obs)
    for n, (key, idxs) in enumerate(by_pod.items()):
        if cancelled is not None and not n % 256 and cancelled():
            raise LoadCancelled("reading was cancelled")
        mine = [obs[i] for i in idxs]
        created, how = creation_time(mine)
        snapshots = _snapshot_anchors([o for o in mine if o.clock == CLOCK_AGO],
                                      [o for o in mine if o.kind == ROW and o.t_lo is not None])
        for i in idxs:
            out[i] = _place(obs[i], created, how, snapshots)
    return out


def _position(origin_or_snapshot: str) -> tuple[str, int] | None:
    """(source, line) of an observation origin `file:12` or a snapshot id `file#3@12`."""
    if "#" in origin_or_snapshot and "@" in origin_or_snapshot:
        src, _, rest = origin_or_snapshot.rpartition("#")
        line = rest.rpartition("@")[2]
    else:
        src, _, line = origin_or_snapshot.rpartition(":")
    return (src, int(line)) if line.isascii() and line.isdigit() else None


def _row_before(snap: str, rows: list[Observation]) -> Observation | None:
    """The last get row of the pod printed before this block in the same source."""
    pos = _position(snap)
    if pos is None:
        return None
    best = None
    for r in rows:
        rp = _position(r.origin)
        if rp and rp[0] == pos[0] and rp[1] < pos[1] and (best is None or rp[1] > _position(best.origin)[1]):
            best = r
    return best


def _snapshot_anchors(obs: list[Observation], rows: list[Observation] = ()) -> dict[str, tuple[float, float, str]]:
    """For each snapshot of one pod: the pod's age range when it was printed, and how that is known."""
    groups: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        groups[o.snapshot or ""].append(o)
    anchors = {}
    for snap, items in groups.items():
        if not any(o.kind == EVENT and o.data.get("last_ago") for o in items):
            continue  # a describe with no events has no age to hang its states on
        oldest = max((o.data.get("first_ago") or o.data.get("last_ago") or [0, 0])[0] for o in items)
        sched = [o for o in items if o.kind == EVENT and o.data.get("reason") in ("Scheduled", "scheduled")
                 and o.data.get("last_ago")]
        if sched:
            lo, hi = sched[0].data["last_ago"]
            now_lo, now_hi = max(lo, oldest), max(hi + _SCHEDULING_SLACK, oldest + 1)
            how = "Scheduled event"
        else:
            row = _row_before(snap, list(rows))
            if row is not None and row.t_lo is not None and row.t_lo > oldest + 60:
                # The pod was already older than every event shown (events expire after an hour): the
                # get printed just before tells its age better than the oldest event does.
                now_lo, now_hi = row.t_lo, row.t_hi + 60
                how = f"assumed: printed right after the get row at {row.origin} (AGE {row.data.get('age')})"
            else:
                now_lo, now_hi = oldest, oldest + 1
                how = "assumed: the oldest event shown is taken as the pod's start"
        anchors[snap] = (now_lo, now_hi, how)
    return anchors


def _place(o: Observation, created: str | None, how: str | None,
           snapshots: dict[str, tuple[float, float, str]]) -> Observation:
    if o.clock == CLOCK_POD:
        return o
    if o.clock == CLOCK_AGO:
        anchor_ = snapshots.get(o.snapshot or "")
        ago = o.data.get("last_ago")
        if anchor_ is None or not ago:
            return replace(o, clock=CLOCK_NONE)
        now_lo, now_hi, how_ = anchor_
        # Nothing about a pod happens before it exists: clock skew between kubelet and apiserver can
        # otherwise print an event older than the pod.
        lo, hi = max(0.0, now_lo - ago[1]), max(0.0, now_hi - ago[0])
        data = dict(o.data)
        data["anchor"] = how_
        first = data.get("first_ago")
        if first:
            data["first_t"] = [round(max(0.0, now_lo - first[1]), 3), round(max(0.0, now_hi - first[0]), 3)]
        t = max(lo, min(hi, now_lo - ago[0]))
        return replace(o, t=round(t, 3), t_lo=round(lo, 3), t_hi=round(hi, 3), clock=CLOCK_POD, data=data)
    if o.clock == CLOCK_ABS and o.time and created:
        t = seconds_between(created, o.time)
        if t is None:
            return o
        data = dict(o.data)
        data["anchor"] = f"creation time from {how}"
        if data.get("first_time"):
            ft = seconds_between(created, data["first_time"])
            if ft is not None:
                data["first_t"] = [ft, ft + 1]
        return replace(o, t=t, t_lo=t, t_hi=t + 1, clock=CLOCK_POD, data=data)
    return o
