"""Transitions from kubectl's rows: one row diffed against the one before (RESTARTS, READY, STATUS)."""

from __future__ import annotations

import re

from kubectl_podlife.model.build import PodInput, T, ready_counts
from kubectl_podlife.observation import Observation

_TERMINATED_STATUSES = {"Completed", "Error", "OOMKilled", "ContainerCannotRun", "StartError",
                        "ContainerStatusUnknown", "DeadlineExceeded"}
_PULL_STATUSES = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
_CONFIG_STATUSES = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError",
                    "PostStartHookError", "PreStartHookError"}
# Restarts a watch missed (RESTARTS jumped between two rows) listed one by one; more are summarised.
MISSED_RESTARTS_LISTED = 20


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
