"""From one pod's observations to its transitions: what changed, when, and the evidence for it.

Rows are diffed one after another (RESTARTS, READY, STATUS); events and container states add what
rows cannot show (scheduling, pulls, probe failures, kills, exit codes). The same fact seen in
several sources is merged into one transition that carries all of them as evidence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from kubectl_podlife.ingest.anchor import creation_time
from kubectl_podlife.model import stuck
from kubectl_podlife.model.facts import EventFact, classify
from kubectl_podlife.model.spec import clean_spec
from kubectl_podlife.observation import CONTAINER, EVENT, MARK, POD, ROW, SPEC, Observation
from kubectl_podlife.timefmt import seconds_between

_TERMINATED_STATUSES = {"Completed", "Error", "OOMKilled", "ContainerCannotRun", "StartError",
                        "ContainerStatusUnknown", "DeadlineExceeded"}
_PULL_STATUSES = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
_CONFIG_STATUSES = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError",
                    "PostStartHookError", "PreStartHookError"}
# Restarts a watch missed (RESTARTS jumped between two rows) listed one by one; more are summarised.
MISSED_RESTARTS_LISTED = 20


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


# --- transitions from rows --------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def ready_counts(ready: str | None) -> tuple[int, int] | None:
    """kubectl's READY `n/m` as (n, m); None when it is not that."""
    if not ready or "/" not in ready:
        return None
    a, b = ready.split("/", 1)
    return (int(a), int(b)) if a.isdigit() and b.isdigit() else None


def row_transitions(inp: PodInput, start_order: int) -> list[T]:
    out: list[T] = []
    prev: Observation | None = None
    order = start_order
    app_single = inp.containers[0] if len(inp.containers) == 1 else None
    for row in inp.rows:
        d = row.data
        order += 1
        # While STATUS says Init:..., RESTARTS and back-offs are the init containers' (printPod).
        single = _init_in_charge(inp, d.get("status")) if (d.get("status") or "").startswith("Init:") else app_single
        status = d.get("status")
        restarts = d.get("restarts")
        ready = d.get("ready")
        t, lo, hi = row.t, row.t_lo, row.t_hi
        if prev is None:
            early = lo is not None and lo <= 5 or status in ("Pending", "ContainerCreating") or (
                status or "").startswith("Init:0/")
            if early:
                out.append(T("created", 0.0, 0.0, hi if hi is not None and hi <= 5 else 1.0, evidence=[row],
                             to_state=status, order=order))
                if status == "Running":  # the watch began after the container had already started
                    out.append(T("started", t, 0.0, hi, container=single, evidence=[row], to_state=status,
                                 order=order))
            else:
                out.append(T("phase", t, lo, hi, evidence=[row], to_state=status, order=order,
                             note="first seen"))
            if restarts:
                # Restarts that happened before the first row: only an upper bound on their time (before
                # the last termination when RESTARTS says "(Xs ago)").
                ago = d.get("last_restart_ago")
                bound = (row.t_hi - ago[0]) if ago and row.t_hi is not None else row.t_hi
                out.append(T("restart", None, None, bound, container=single, restart_count=restarts, evidence=[row],
                             order=order, note="before-first-row", to_state=status))
            if not early:
                out.extend(_status_transition(None, row, single, order))
            prev = row
            continue
        pd = prev.data
        prev_restarts = pd.get("restarts")
        if restarts is not None and prev_restarts is not None:
            if restarts > prev_restarts:
                first = prev_restarts + 1
                if restarts - prev_restarts > MISSED_RESTARTS_LISTED:
                    # A RESTARTS that jumped (or a hostile 99999999) is summarised, not one transition each.
                    first = restarts - MISSED_RESTARTS_LISTED + 1
                    out.append(T("note", None, prev.t, row.t, container=single, evidence=[row], order=order,
                                 note=f"RESTARTS jumped from {prev_restarts} to {restarts}: "
                                      f"{first - prev_restarts - 1} restarts missed by the watch are not listed "
                                      f"one by one"))
                for k in range(first, restarts + 1):
                    last = k == restarts
                    rt, rlo, rhi = _restart_time(row, prev) if last else (
                        None, prev.t if prev.t is not None else None, row.t)
                    out.append(T("restart", rt if last else None, rlo, rhi, container=single, restart_count=k,
                                 evidence=[row], from_state=pd.get("status"), to_state=status, order=order,
                                 note="" if last else "missed by the watch"))
            elif restarts < prev_restarts:
                out.append(T("note", t, lo, hi, container=single, evidence=[row, prev], order=order,
                             note=f"RESTARTS went back from {prev_restarts} to {restarts}"))
        if status != pd.get("status") and status:
            out.extend(_status_transition(prev, row, single, order))
        rp, pp = ready_counts(ready), ready_counts(pd.get("ready"))
        if rp and pp and rp != pp and status == pd.get("status") and status in ("Running", "Terminating"):
            restarted = restarts is not None and prev_restarts is not None and restarts > prev_restarts
            if not restarted:
                kind = "ready" if rp[0] > pp[0] else "not-ready"
                out.append(T(kind, t, lo, hi, container=single, evidence=[row], from_state=pd.get("ready"),
                             to_state=ready, order=order))
        elif rp and pp and rp[0] > pp[0] and status == "Running" and pd.get("status") != "Running" and (
                _has_readiness(inp)):
            out.append(T("ready", t, lo, hi, container=single, evidence=[row], from_state=pd.get("ready"),
                         to_state=ready, order=order))
        if d.get("deleted"):
            out.append(T("deleted", t, lo, hi, evidence=[row], order=order))
        if "status" not in d:
            out.append(T("note", t, lo, hi, evidence=[row], order=order,
                         note="update with no STATUS printed (the watch rows only show NAME and AGE)"))
        prev = row
    tail = [r for r in inp.rows if r.data.get("status") is None]
    if len(tail) >= 3 and inp.rows[-1] is tail[-1] and len({r.data.get("age") for r in tail[-3:]}) == 1 \
            and tail[-1].t is not None:
        r = tail[-1]
        out.append(T("terminating", r.t, r.t_lo, r.t_hi, evidence=tail[-3:], order=order + 1, note="inferred",
                     to_state="Terminating"))
    return out


def _init_in_charge(inp: PodInput, status: str | None) -> str | None:
    """The init container a row's Init:... status is about: Init:N/M names the N-th; otherwise the one
    a container state shows failing, or the only one."""
    m = re.match(r"Init:(\d+)/\d+$", status or "")
    if m and int(m.group(1)) < len(inp.init_containers):
        return inp.init_containers[int(m.group(1))]
    for o in reversed(inp.cstates):
        st = o.data.get("state") or {}
        if o.data.get("init") and not (st.get("status") == "terminated" and st.get("exit_code") == 0):
            return o.container
    return inp.init_containers[0] if len(inp.init_containers) == 1 else None


def _has_readiness(inp: PodInput) -> bool:
    """Whether READY turning full needs its own transition (it does unless no readiness probe exists)."""
    cs = inp.spec.get("containers") or []
    return not cs or any(isinstance(c, dict) and c.get("readinessProbe") for c in cs)


def _restart_time(row: Observation, prev: Observation | None) -> tuple[float | None, float | None, float | None]:
    ago = row.data.get("last_restart_ago")
    if row.t is None:
        return None, prev.t if prev else None, None
    if ago:
        # RESTARTS "N (Xs ago)": X is since the previous instance finished; the restart is at the row.
        return row.t, round(row.t_lo - ago[1], 3), row.t_hi
    lo = prev.t if prev is not None and prev.t is not None else None
    return row.t, lo, row.t_hi


def _init_progress(before: str | None, status: str) -> bool:
    """Init:1/2 -> Init:2/2 or -> PodInitializing: an init container finished. Init:Error or
    Init:CrashLoopBackOff -> Init:0/1 is the failed one being run again, not progress."""
    if not before or not before.startswith("Init:") or before == status:
        return False
    done_before = re.match(r"Init:(\d+)/\d+$", before)
    if status == "PodInitializing":
        return True
    done_now = re.match(r"Init:(\d+)/\d+$", status)
    return bool(done_before and done_now and int(done_now.group(1)) > int(done_before.group(1)))


def _status_transition(prev: Observation | None, row: Observation, single: str | None, order: int) -> list[T]:
    status = row.data.get("status") or ""
    before = prev.data.get("status") if prev else None
    t, lo, hi = row.t, row.t_lo, row.t_hi
    kind = None
    if status == "Running" and before != "Running":
        kind = "started"
    elif status == "CrashLoopBackOff" or status == "Init:CrashLoopBackOff":
        kind = "back-off"
    elif status in _TERMINATED_STATUSES or status.startswith(("Signal:", "ExitCode:", "Init:Error", "Init:OOMKilled")):
        kind = "terminated"
    elif status in _PULL_STATUSES or status.startswith("Init:ErrImagePull") or status.startswith("Init:ImagePull"):
        kind = "pull-failed" if "ErrImage" in status or "Invalid" in status else "back-off"
    elif status in _CONFIG_STATUSES:
        kind = "terminated"
    elif status == "Terminating":
        kind = "terminating"
    elif status == "PodInitializing" or (status.startswith("Init:") and re.match(r"Init:\d+/\d+", status)):
        kind = "init-done" if _init_progress(before, status) else "phase"
    elif status in ("Evicted", "NodeLost", "Unknown", "Pending", "ContainerCreating", "NotReady", "SchedulingGated"):
        kind = "phase"
    if kind is None or (prev is None and kind in ("started",)):
        return []
    tr = T(kind, t, lo, hi, container=single, evidence=[row], from_state=before, to_state=status, order=order,
           reason=status)
    return [tr]


# --- transitions from events ------------------------------------------------------------------

_EVENT_KINDS = {"scheduled": "scheduled", "failed-scheduling": "phase", "pulling": "pulling", "pulled": "pulled",
                "pull-failed": "pull-failed", "pull-backoff": "back-off", "started": "started", "created": "started",
                "probe-failed": "probe-failed", "probe-errored": "probe-failed", "probe-warning": "note",
                "killing": "killing", "back-off": "back-off", "hook-failed": "hook-failed",
                "config-error": "terminated", "cannot-run": "terminated", "sandbox": "note", "evicted": "phase",
                "oom": "terminated", "grace-exceeded": "note", "note": "note"}


def event_transitions(inp: PodInput, start_order: int) -> list[T]:
    out: list[T] = []
    single = inp.containers[0] if len(inp.containers) == 1 else None
    order = start_order
    owners = _image_owners(inp)
    pulling: str | None = None  # the container whose image the last pull event named
    for o, f in inp.events:
        reason = str(o.data.get("reason") or "")
        if f.what == "mount" and reason not in stuck.REASON_KIND:
            continue  # a successful mount is not a transition
        order += 1
        kind = stuck.event_kind(reason, o.data.get("type"), _EVENT_KINDS.get(f.what, "note"), f.what)
        container = f.container or o.container
        several = len(inp.containers) + len(inp.init_containers) > 1
        if container is None and several and f.what in ("pulling", "pulled", "pull-failed", "pull-backoff"):
            # Several containers and an event that names none (describe, plain get events): the image it
            # names says whose pull it is; `Error: ErrImagePull` names no image and follows its pull.
            container = owners.get(_bare_image(f.image)) if f.image else pulling
            pulling = container if f.image else pulling
        container = container or (single if f.what not in ("scheduled",) else None)
        first = o.data.get("first_t")
        count = int(o.data.get("count") or 1)
        t, lo, hi = o.t, o.t_lo, o.t_hi
        if t is None and f.what == "scheduled":
            t, lo, hi = 0.0, 0.0, 1.0  # an unprinted time (`<nil>`): scheduling is at the pod's start
        tr = T(kind, t, lo, hi, container=container, time=o.data.get("last_time"), evidence=[o], facts=[f],
               count=count, first_t=first[0] if first else None, order=order)
        if f.what == "pull-backoff":
            tr.reason = "ImagePullBackOff"
        if f.what == "back-off":
            tr.reason = "CrashLoopBackOff"
        if f.what in ("oom",):
            tr.reason = "OOMKilled"
        if f.what == "config-error":
            tr.reason = "CreateContainerConfigError"  # the waiting reason kubectl shows while it lasts
        if f.what == "created":
            tr.note = "created"
        out.append(tr)
    return out


def _bare_image(image: str | None) -> str:
    """An image reference without the implied registry and tag: `docker.io/library/busybox:latest` -> busybox."""
    ref = (image or "").strip().strip('"')
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
    if "@" not in ref and ref.rsplit("/", 1)[-1].count(":") == 0:
        ref += ":latest"
    return ref


def _image_owners(inp: PodInput) -> dict[str, str]:
    """image -> the one container (init or app) whose spec names it; images two containers share are left out."""
    seen: dict[str, set[str]] = {}
    for c in (inp.spec.get("initContainers") or []) + (inp.spec.get("containers") or []):
        if isinstance(c, dict) and c.get("name") and c.get("image"):
            seen.setdefault(_bare_image(c["image"]), set()).add(c["name"])
    for o in inp.cstates:  # container statuses name their image too
        if o.container and o.data.get("image"):
            seen.setdefault(_bare_image(o.data["image"]), set()).add(o.container)
    return {img: next(iter(names)) for img, names in seen.items() if len(names) == 1}


# --- transitions from container and pod states (describe, API) ---------------------------------

def state_transitions(inp: PodInput, start_order: int) -> list[T]:
    out: list[T] = []
    order = start_order
    for o in inp.cstates:
        order += 1
        d = o.data
        c = o.container or (inp.containers[0] if len(inp.containers) == 1 else None)
        st = d.get("state") or {}
        last = d.get("last_state") or {}
        snap_t, snap_lo, snap_hi = o.t, o.t_lo, o.t_hi
        ended = pod_t(inp, last.get("finished_at")) if last.get("status") == "terminated" else None
        if ended is not None and snap_t is not None:
            # The current state is after the previous instance's finish, whatever the snapshot's anchoring (a
            # describe's "now" estimated from its ages) says.
            snap_t, snap_lo, snap_hi = max(snap_t, ended), max(ended, snap_lo if snap_lo is not None else ended), max(
                ended + 1, snap_hi if snap_hi is not None else ended + 1)
        rc = d.get("restart_count")
        if last.get("status") == "terminated":
            ft = pod_t(inp, last.get("finished_at"))
            if ft is None and st.get("status") == "running" and pod_t(inp, st.get("started_at")) is not None:
                ft = pod_t(inp, st.get("started_at"))  # it ended before the current instance started
            tr = T("terminated", ft, ft, ft + 1 if ft is not None else None, container=c,
                   time=last.get("finished_at"), evidence=[o], order=order, exit_code=last.get("exit_code"),
                   reason=last.get("reason"), note="last-state")
            st_t = pod_t(inp, last.get("started_at"))
            if st_t is not None and ft is not None:
                tr.first_t = st_t
            out.append(tr)
            if rc or rc is None:
                # Restart N started the current instance (state: running, or terminated by itself with
                # Last State holding instance N-1), or, when the container now waits in back-off, the
                # instance shown in Last State.
                current = st.get("status") in ("running", "terminated") and (
                    st.get("started_at") or st.get("started_unset"))
                # an instance the runtime never started (StartError, Started at the epoch) was attempted when it
                # finished
                started = pod_t(inp, (st.get("started_at") or st.get("finished_at")) if current else (
                    last.get("started_at") or (last.get("finished_at") if last.get("started_unset") else None)))
                out.append(T("restart", started if started is not None else ft,
                             started if started is not None else ft,
                             (started + 1) if started is not None else (snap_hi if ft is None else None),
                             container=c, restart_count=rc, evidence=[o], order=order, note="from-state",
                             time=st.get("started_at") if current else last.get("started_at")))
        if st.get("status") == "terminated":
            ft = pod_t(inp, st.get("finished_at"))
            tr = T("terminated", ft if ft is not None else snap_t, ft if ft is not None else snap_lo,
                   (ft + 1) if ft is not None else snap_hi, container=c, time=st.get("finished_at"), evidence=[o],
                   order=order, exit_code=st.get("exit_code"), reason=st.get("reason"), note="current-state")
            s0 = pod_t(inp, st.get("started_at"))
            if s0 is not None:
                tr.first_t = s0
            out.append(tr)
        elif st.get("status") == "waiting" and st.get("reason"):
            reason = st["reason"]
            kind = {"CrashLoopBackOff": "back-off", "ImagePullBackOff": "back-off", "ErrImagePull": "pull-failed",
                    "PodInitializing": "phase", "ContainerCreating": "phase"}.get(reason, "terminated")
            out.append(T(kind, snap_t, snap_lo, snap_hi, container=c, evidence=[o], order=order, reason=reason,
                         note="current-state", to_state=reason if kind == "phase" else None))
        elif st.get("status") == "running" and last.get("status") != "terminated":
            s0 = pod_t(inp, st.get("started_at"))
            if s0 is not None or d.get("init"):
                out.append(T("started", s0 if s0 is not None else snap_t, s0 if s0 is not None else snap_lo,
                             (s0 + 1) if s0 is not None else snap_hi, container=c, time=st.get("started_at"),
                             evidence=[o], order=order, note="current-state"))
    unplaced: tuple | None = None
    for o in inp.pstates:
        order += 1
        d = o.data
        ps = (d.get("conditions") or {}).get("PodScheduled") or {}
        if ps.get("status") == "False" and ps.get("reason") in ("Unschedulable", "SchedulingGated", "SchedulerError"):
            # the scheduler's verdict on the object itself (its message is the FailedScheduling text, untruncated)
            said = (ps.get("reason"), ps.get("message"))
            if said != unplaced:
                ct = pod_t(inp, ps.get("time"))
                out.append(T("unschedulable", ct if ct is not None else o.t, ct if ct is not None else o.t_lo,
                             ct + 1 if ct is not None else o.t_hi, evidence=[o], order=order, reason=ps.get("reason"),
                             time=ps.get("time"), note="condition"))
            unplaced = said
        elif ps.get("status") == "True":
            unplaced = None
        if d.get("terminating") and d.get("phase") not in ("Succeeded", "Failed"):
            # kubectl shows Terminating only while the phase is not terminal (printPod, 1.31+ API servers;
            # a 1.27+ kubelet sets Failed or Succeeded before the final delete)
            out.append(T("terminating", o.t, o.t_lo, o.t_hi, evidence=[o], order=order, to_state="Terminating"))
        elif d.get("phase") in ("Succeeded", "Failed"):
            out.append(T("phase", o.t, o.t_lo, o.t_hi, evidence=[o], order=order, to_state=d["phase"],
                         reason=d.get("reason")))
        if d.get("deletion_time") and not d.get("terminating"):
            out.append(T("terminating", o.t, o.t_lo, o.t_hi, evidence=[o], order=order, to_state="Terminating"))
        dt = (d.get("conditions") or {}).get("DisruptionTarget") or {}
        if dt.get("status") == "True":  # set just before a preemption, eviction or taint deletion (stuck-pods 9.2.3)
            out.append(T("disruption-target", o.t, o.t_lo, o.t_hi, evidence=[o], order=order, reason=dt.get("reason"),
                         time=dt.get("time")))
    for o in inp.obs:
        if o.kind == MARK and o.data.get("what") == "deleted":
            out.append(T("deleted", o.t, o.t_lo, o.t_hi, evidence=[o], order=order))
    out.extend(readiness_flips(inp, order))
    return out


def readiness_flips(inp: PodInput, start_order: int) -> list[T]:
    """ready / not-ready of a running container from successive versions of the pod object (a `get -w -o
    json` stream, API history): its containerStatuses[].ready changed while the same instance ran, i.e.
    the readiness probe's verdict (a restart's ready changes are the restart's). The time is the Ready or
    ContainersReady condition's lastTransitionTime when that condition turned the same way in this
    version; otherwise between the two versions."""
    out: list[T] = []
    order = start_order
    pods = {o.origin: o for o in inp.pstates}  # one object version per origin (file:line)
    shown: dict[str | None, list[bool]] = {}  # origin -> ready of each app container (and sidecar) in it
    for o in inp.cstates:
        if o.data.get("ready") is not None and not (o.data.get("init") and not o.data.get("sidecar")):
            shown.setdefault(o.origin, []).append(bool(o.data["ready"]))
    prev: dict[tuple, Observation] = {}
    for o in sorted(inp.cstates, key=lambda o: (_source_file(o), o.seq)):
        d = o.data
        if d.get("ready") is None or d.get("init") and not d.get("sidecar"):
            continue
        key = (_source_file(o), o.container)
        before = prev.get(key)
        prev[key] = o
        if before is None or bool(before.data["ready"]) == bool(d["ready"]):
            continue
        st, bst = d.get("state") or {}, before.data.get("state") or {}
        same_instance = (st.get("status") == "running" and bst.get("status") == "running"
                         and st.get("started_at") == bst.get("started_at")
                         and d.get("restart_count") == before.data.get("restart_count"))
        if not same_instance:
            continue
        order += 1
        kind = "ready" if d["ready"] else "not-ready"
        pod, pod_before = pods.get(o.origin), pods.get(before.origin)
        t = lo = hi = None
        conds = (pod.data.get("conditions") or {}) if pod is not None else {}
        old = (pod_before.data.get("conditions") or {}) if pod_before is not None else {}
        want = "True" if d["ready"] else "False"
        for name in ("ContainersReady", "Ready"):
            c = conds.get(name) or {}
            if c.get("status") == want and (old.get(name) or {}).get("status") != want and c.get("time"):
                t = pod_t(inp, c["time"])
                if t is not None:
                    lo, hi = t, t + 1
                    break
        if t is None:
            lo = pod_t(inp, pod_before.time) if pod_before is not None else None
            hi = pod_t(inp, pod.time) if pod is not None else None
            t = hi
        evidence = [o] + ([pod] if pod is not None else [])
        out.append(T(kind, t, lo, hi, container=o.container, evidence=evidence, order=order,
                     from_state=_ready_of(shown.get(before.origin)), to_state=_ready_of(shown.get(o.origin)),
                     note="from-state"))
    return out


def _ready_of(flags: list[bool] | None) -> str | None:
    """kubectl's READY n/m for one object version's containers."""
    return f"{sum(flags)}/{len(flags)}" if flags else None


def _source_file(o: Observation) -> str:
    """The file (or stream) an observation came from: its origin without the line."""
    origin = o.origin or ""
    head, sep, tail = origin.rpartition(":")
    return head if sep and tail.isdigit() else origin


# --- merging ----------------------------------------------------------------------------------

_MERGE_TOL = 2.0


def _overlap(a: T, b: T) -> bool:
    if a.t is None or b.t is None:
        return False
    alo = a.lo if a.lo is not None else a.t
    ahi = a.hi if a.hi is not None else a.t
    blo = b.lo if b.lo is not None else b.t
    bhi = b.hi if b.hi is not None else b.t
    return alo - _MERGE_TOL <= bhi and blo - _MERGE_TOL <= ahi


def merge(trs: list[T]) -> list[T]:
    """One transition per fact: the same kind, container and time (or restart count) seen twice."""
    out: list[T] = []
    for tr in sorted(trs, key=lambda x: (x.t is None, x.t if x.t is not None else 0, x.order)):
        target = None
        for ex in reversed(out[-12:]):
            if ex.kind != tr.kind or (ex.container and tr.container and ex.container != tr.container):
                continue
            if _other_container_of_snapshot(ex, tr):
                continue
            if _two_rows(ex, tr):
                continue
            if tr.kind in ("note", "probe-failed", "pulling", "pulled") and not (
                    ex.evidence and tr.evidence and ex.evidence[0].raw == tr.evidence[0].raw):
                # distinct repeated events stay distinct unless it is the same line seen twice
                if not (tr.kind != "note" and _same_event(ex, tr)):
                    continue
            if tr.kind == "restart" and ex.restart_count is not None and tr.restart_count is not None:
                if ex.restart_count != tr.restart_count:
                    continue
                target = ex
                break
            if _overlap(ex, tr) or (tr.t is None and ex.t is None and not _distinct_events(ex, tr)):
                target = ex
                break
        if target is None:
            out.append(tr)
            continue
        absorb(target, tr)
    return out


def _two_rows(a: T, b: T) -> bool:
    """Status changes printed by two different rows are two changes (DeadlineExceeded at 30s, then Error at
    31s), however close in time: a row is printed only when the object changed."""
    ra = next((e for e in a.evidence if e.kind == ROW), None)
    rb = next((e for e in b.evidence if e.kind == ROW), None)
    return ra is not None and rb is not None and ra is not rb and a.kind not in ("restart",) and (
        ra.data.get("status") != rb.data.get("status"))


def _distinct_events(a: T, b: T) -> bool:
    """Two events that say different things (reason or message): untimed, they are still two facts."""
    ea, eb = a.evidence[0] if a.evidence else None, b.evidence[0] if b.evidence else None
    if ea is None or eb is None or ea.kind != EVENT or eb.kind != EVENT:
        return False
    return ea.data.get("message") != eb.data.get("message") or ea.data.get("reason") != eb.data.get("reason")


def _other_container_of_snapshot(a: T, b: T) -> bool:
    """Two container states of one describe or object (a trimmed describe may have lost the names): one
    snapshot shows each container once, so they are two containers, never one fact seen twice."""
    ea = next((e for e in a.evidence if e.kind == CONTAINER), None)
    eb = next((e for e in b.evidence if e.kind == CONTAINER), None)
    return (ea is not None and eb is not None and ea is not eb and ea.snapshot is not None
            and ea.snapshot == eb.snapshot and (ea.container is None or eb.container is None))


def _same_event(a: T, b: T) -> bool:
    """The same aggregated event printed by two describe runs (ages differ, message and anchor agree)."""
    ea, eb = a.evidence[0], b.evidence[0]
    if ea.kind != EVENT or eb.kind != EVENT:
        return False
    if ea.data.get("message") != eb.data.get("message") or ea.data.get("reason") != eb.data.get("reason"):
        return False
    if ea.data.get("count") != eb.data.get("count"):
        return False
    return _overlap(a, b)


def absorb(target: T, tr: T) -> None:
    """Fold a second sighting of the same transition into `target`: its evidence and facts, the
    narrower time, the fields `target` lacks."""
    target.evidence.extend(e for e in tr.evidence if e not in target.evidence)
    target.facts.extend(tr.facts)
    if tr.t is not None and (target.t is None or _width(tr) < _width(target)):
        target.t, target.lo, target.hi = tr.t, tr.lo, tr.hi
    for attr in ("container", "time", "from_state", "to_state", "restart_count", "exit_code", "reason"):
        if getattr(target, attr) is None and getattr(tr, attr) is not None:
            setattr(target, attr, getattr(tr, attr))
    if tr.first_t is not None and (target.first_t is None or tr.first_t < target.first_t):
        # The same Event printed with its count (first seen 5m ago) and without (plain get events, which
        # shows only the last time): its first occurrence is the earliest either shows.
        target.first_t = tr.first_t
    target.count = max(target.count, tr.count)
    if tr.note and not target.note and target.kind != "restart":
        # A restart's note says where its time came from (a row, or only a container state); the
        # absorbed copy must not change that.
        target.note = tr.note


def _width(tr: T) -> float:
    if tr.lo is None or tr.hi is None:
        return 1e12
    return tr.hi - tr.lo
