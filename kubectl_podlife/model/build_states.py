"""Transitions from container and pod states (describe, API objects): starts, exits with their codes,
waiting reasons, conditions, deletion, and readiness flips between object versions."""

from __future__ import annotations

from kubectl_podlife.model.build import PodInput, T, pod_t
from kubectl_podlife.observation import MARK, Observation

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
