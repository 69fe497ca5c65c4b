"""What kubectl would show at each transition: READY, STATUS and RESTARTS (printPod), then the pod's
phase and conditions (kubelet getPhase)."""

from __future__ import annotations

import bisect

from kubectl_podlife.model.build import PodInput, T, ready_counts
from kubectl_podlife.model.explain.context import PodContext
from kubectl_podlife.timefmt import human_duration


_STATUS_AFTER = {"created": "ContainerCreating", "scheduled": "ContainerCreating", "pulling": "ContainerCreating",
                 "pulled": "ContainerCreating", "started": "Running", "restart": "Running",
                 "back-off": "CrashLoopBackOff", "terminating": "Terminating", "pull-failed": "ErrImagePull"}

_EXITED = {"Completed", "Error", "OOMKilled", "ContainerCannotRun", "StartError", "ContainerStatusUnknown",
           "DeadlineExceeded"}


def kubectl_views(inp: PodInput, trs: list[T]) -> None:
    """Each transition's (READY, STATUS, RESTARTS): the row it came with or the last before it, else what
    printPod would show after it."""
    rows = [r for r in inp.rows]
    timed = [r for r in rows if r.t is not None]
    times = [r.t for r in timed]
    # Rows in time order (the usual case): the last row at or before a time is found by bisection, not by
    # reading every row for every transition (a pod of thousands of rows).
    in_order = all(a <= b for a, b in zip(times, times[1:]))
    total = max(1, len(inp.containers))
    status, ready, restarts = None, None, 0
    ready_n = 0
    for t in trs:
        row = next((e for e in t.evidence if e.kind == "row"), None)
        if row is None and rows:
            if t.t is None:
                row = rows[-1]
            elif in_order:
                i = bisect.bisect_right(times, t.t + 0.5)
                row = timed[i - 1] if i else None
            else:
                before = [r for r in timed if r.t <= t.t + 0.5]
                row = before[-1] if before else None
        if row is not None:
            d = row.data
            rc = d.get("restarts")
            ago = d.get("last_restart_ago")
            rtxt = None
            if rc is not None:
                rtxt = str(rc) + (f" ({human_duration(ago[0])} ago)" if ago else "")
            t.view = (d.get("ready"), d.get("status"), rtxt)
            status, ready = d.get("status"), d.get("ready")
            restarts = rc if rc is not None else restarts
            continue
        # No row: reconstruct what printPod would show from the transition itself.
        if t.kind == "restart":
            restarts = max(restarts, t.restart_count) if t.restart_count is not None else restarts + 1
        if t.kind == "back-off":
            status = t.reason if t.reason else "CrashLoopBackOff"
            if (t.container or "") in inp.init_containers:
                status = "Init:" + status
            ready_n = 0
        elif t.kind == "terminated":
            status = t.reason or ("Completed" if t.exit_code == 0 else "Error")
            if t.container in inp.init_containers and not status.startswith("Init:"):
                status = "Init:" + status
            ready_n = 0
        elif t.kind in ("started", "restart"):
            status = "Running" if not (t.container in inp.init_containers) else f"Init:{inp.init_containers.index(t.container)}/{len(inp.init_containers)}"
            if not any(c.get("readinessProbe") for c in inp.spec.get("containers") or []):
                ready_n = total if status == "Running" else 0
        elif t.kind in ("probe-failed", "killing") and status in (None, "Pending", "ContainerCreating"):
            status = "Running"  # probes run only against a running container
            if t.cause == "readiness-probe":
                ready_n = 0
        elif t.kind == "ready":
            ready_n = total
        elif t.kind == "not-ready" or (t.kind == "probe-failed" and t.cause == "readiness-probe"):
            ready_n = 0  # a failing readiness probe keeps READY below full until a success
        elif t.kind == "killing" and t.cause == "deleted" and status in (None, "Running", "Pending",
                                                                          "ContainerCreating"):
            status = "Terminating"  # the kubelet stops the containers of a pod being deleted
        elif t.kind == "unschedulable" and status is None:
            status = "Pending"  # the scheduler has not placed it: printPod shows the phase
        elif t.kind in ("mount-failed", "sandbox-failed") and status in (None, "Pending"):
            status = "ContainerCreating"  # placed, waiting on volumes or sandbox: the waiting reason kubectl prints
        elif t.kind == "phase" and t.to_state:
            if t.to_state in ("Succeeded", "Failed") and (
                    status in _EXITED or (status or "").startswith(("Signal:", "ExitCode:", "Init:"))):
                pass  # printPod starts from the phase (or status.reason), then the last container's exit reason wins
            elif t.to_state in ("Succeeded", "Failed") and t.reason and any(e.kind == "pod" for e in t.evidence):
                status = t.reason  # printPod: status.reason (Evicted, DeadlineExceeded) replaces the phase
            elif not (t.note == "current-state" and (status or "").startswith("Init:")
                      and t.container not in inp.init_containers):
                # printPod looks at init containers first: while one has not completed, an app
                # container's own waiting reason (PodInitializing) is not what STATUS shows.
                status = t.to_state
        elif t.kind in ("pulling", "pulled") and status in ("Running", "CrashLoopBackOff"):
            pass  # a restart pulling again: printPod keeps showing the container's last state
        elif t.kind in _STATUS_AFTER:
            status = _STATUS_AFTER[t.kind]
            if t.kind == "pull-failed":  # printPod shows the waiting reason the kubelet set
                said = " ".join(str(e.data.get("message") or "") for e in t.evidence)
                status = ("ErrImageNeverPull" if "pull policy of Never" in said or "ErrImageNeverPull" in said else
                          "InvalidImageName" if "invalid reference format" in said or "InvalidImageName" in said
                          else status)
        ready = f"{ready_n}/{total}"
        t.view = (ready, status, str(restarts) if status else None)


_PENDING = ("Pending", "ContainerCreating", "PodInitializing", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "SchedulingGated")


def pod_states(inp: PodInput, ctx: PodContext, trs: list[T]) -> None:
    """Phase and conditions at each transition, from what kubectl showed (kubelet getPhase, generate.go)."""
    policy = ctx.policy or "Always"
    has_init = bool(inp.init_containers) or any((t.view[1] or "").startswith("Init:") for t in trs if t.view)
    phase, scheduled, initialized, started = None, False, not has_init, False
    for t in trs:
        ready, status, restarts = t.view[:3]
        st = status or ""
        explicit = None
        for e in t.evidence:
            if e.kind == "pod" and e.data.get("phase"):
                explicit = e.data["phase"]
                break
        if t.kind == "scheduled" or (st and st not in ("Pending", "SchedulingGated")):
            scheduled = True
        if t.kind == "restart" or st in ("Running", "CrashLoopBackOff", "NotReady", "Terminating") or (
                restarts and restarts != "0"):
            started = True
        if st and not st.startswith("Init:") and st not in ("Pending", "SchedulingGated"):
            initialized = True  # PodInitializing and later: every init container has completed
        if explicit:
            phase = explicit
        elif st in ("Completed",) and policy in ("Never", "OnFailure"):
            phase = "Succeeded"
        elif st in ("Error", "OOMKilled", "ContainerCannotRun", "StartError") and policy == "Never":
            phase = "Failed"
        elif st.startswith("Init:") or (st in _PENDING and not started):
            phase = "Pending"
        elif st and st != "Terminating":
            phase = "Running"
        parts = ready_counts(ready)
        cready = bool(parts and parts[1] and parts[0] == parts[1])
        conds = (("PodScheduled", "True" if scheduled else "False"),
                 ("Initialized", "True" if initialized else "False"),
                 ("ContainersReady", "True" if cready else "False"),
                 ("Ready", "True" if cready else "False"))
        t.view = (ready, status, restarts, phase, conds) if (ready or status) else (None, None, None, phase, conds)
