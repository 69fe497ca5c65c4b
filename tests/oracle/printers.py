"""Server-side Table rows for pods and events, as kube-apiserver prints them for kubectl.

A port of kubernetes/pkg/printers/internalversion/printers.go (printPod, printEvent) and
apimachinery's duration.HumanDuration, for releases 1.27-1.33: the STATUS reason chain (phase,
status.reason, SchedulingGated, Init:N/M, Init:<reason>, the last container's waiting/terminated
reason, Completed->Running/NotReady, Terminating, Unknown), READY counted as kubectl counts it,
RESTARTS with "(Xs ago)" from the newest lastState.terminated.finishedAt, and ages computed at the
server's "now" (here the scenario clock, so every row is what a server would have sent then).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dateutil.parser import isoparse


def human_duration(seconds: float) -> str:
    """apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        sec = s % 60
        return f"{minutes}m" if sec == 0 else f"{minutes}m{sec}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def since(stamp: str | None, now: datetime) -> str:
    """translateTimestampSince / translateMicroTimestampSince."""
    if not stamp:
        return "<unknown>"
    return human_duration((now - isoparse(stamp)).total_seconds())


def _col(name: str, type_: str = "string", fmt: str = "", priority: int = 0, description: str = "") -> dict:
    return {"name": name, "type": type_, "format": fmt, "description": description or name, "priority": priority}


POD_COLUMNS = [
    _col("Name", fmt="name"), _col("Ready"), _col("Status"), _col("Restarts", "string"), _col("Age"),
    _col("IP", priority=1), _col("Node", priority=1), _col("Nominated Node", priority=1),
    _col("Readiness Gates", priority=1)]

EVENT_COLUMNS = [
    _col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Subobject", priority=1),
    _col("Source", priority=1), _col("Message"), _col("First Seen", priority=1), _col("Count", "integer", priority=1),
    _col("Name", priority=1)]


def _restartable(c: dict) -> bool:
    return c.get("restartPolicy") == "Always"


LATEST = 33  # the newest release these rules follow


def pod_cells(pod: dict, now: datetime, minor: int = LATEST) -> list[Any]:
    """printPod of API server 1.`minor`: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    restarts = 0
    restartable_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart: str | None = None
    last_restartable: str | None = None

    def newer(a: str | None, b: str | None) -> str | None:
        if not b:
            return a
        if not a or isoparse(b) > isoparse(a):
            return b
        return a

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    inits = {c["name"]: c for c in spec.get("initContainers") or []}
    total += sum(1 for c in inits.values() if _restartable(c))
    initializing = False
    n_init = len(spec.get("initContainers") or [])
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(cs.get("restartCount") or 0)
        last_term = (cs.get("lastState") or {}).get("terminated")
        if last_term:
            last_restart = newer(last_restart, last_term.get("finishedAt"))
        state = cs.get("state") or {}
        if _restartable(inits.get(cs["name"], {})):
            restartable_restarts += int(cs.get("restartCount") or 0)
            if last_term:
                last_restartable = newer(last_restartable, last_term.get("finishedAt"))
            if cs.get("started") and cs.get("ready"):
                ready += 1
            continue
        term, wait = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode", 0) == 0:
            continue
        if term:
            if not term.get("reason"):
                reason = (f"Init:Signal:{term['signal']}" if term.get("signal")
                          else f"Init:ExitCode:{term.get('exitCode', 0)}")
            else:
                reason = "Init:" + term["reason"]
        elif wait and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break
    initialized = any(c.get("type") == "Initialized" and c.get("status") == "True"
                      for c in status.get("conditions") or [])
    if not initializing or initialized:
        restarts = restartable_restarts
        last_restart = last_restartable
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            last_term = (cs.get("lastState") or {}).get("terminated")
            if last_term:
                last_restart = newer(last_restart, last_term.get("finishedAt"))
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode', 0)}"
            elif cs.get("ready") and "running" in state:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            pod_ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                            for c in status.get("conditions") or [])
            reason = "Running" if pod_ready else "NotReady"
    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and (minor < 31 or phase not in ("Succeeded", "Failed")):
        # [1.31+] Terminating only while the phase is not terminal (k/k PR #122038); older servers always
        reason = "Terminating"
    restarts_s = str(restarts)
    if restarts and last_restart:
        restarts_s = f"{restarts} ({since(last_restart, now)} ago)"
    ips = status.get("podIPs") or []
    ip = (ips[0].get("ip") if ips else "") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_s = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        gates_s = f"{sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')}/{len(gates)}"
    return [meta.get("name"), f"{ready}/{total}", reason, restarts_s, since(meta.get("creationTimestamp"), now),
            ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gates_s]


def _event_source(ev: dict) -> str:
    src = ev.get("source") or {}
    if src.get("component"):
        return src["component"] + (f", {src['host']}" if src.get("host") else "")
    ctl, inst = ev.get("reportingComponent") or "", ev.get("reportingInstance") or ""
    return ctl + (f", {inst}" if inst else "")


def event_cells(ev: dict, now: datetime) -> list[Any]:
    """printEvent: LAST SEEN TYPE REASON OBJECT | SUBOBJECT SOURCE | MESSAGE | FIRST SEEN COUNT NAME."""
    first = since(ev.get("firstTimestamp"), now) if ev.get("firstTimestamp") else since(ev.get("eventTime"), now)
    last = since(ev.get("lastTimestamp"), now) if ev.get("lastTimestamp") else first
    count = ev.get("count") or 0
    series = ev.get("series")
    if series:
        last = since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1
    inv = ev.get("involvedObject") or {}
    kind = (inv.get("kind") or "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    return [last, ev.get("type"), ev.get("reason"), target, inv.get("fieldPath") or "", _event_source(ev),
            (ev.get("message") or "").strip(), first, int(count), (ev.get("metadata") or {}).get("name")]


def row_object(obj: dict, include: str) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def table(resource: str, objs: list[dict], now_of, include: str, rv: str, headers: bool = True,
          minor: int = LATEST) -> dict:
    """A meta.k8s.io/v1 Table; `now_of(obj)` is the server's clock when it printed that row."""
    rows = []
    for o in objs:
        cells = pod_cells(o, now_of(o), minor) if resource == "pods" else event_cells(o, now_of(o))
        row: dict[str, Any] = {"cells": cells}
        ro = row_object(o, include)
        if ro is not None:
            row["object"] = ro
        if resource == "pods" and (o.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            row["conditions"] = [{"type": "Completed", "status": "True", "reason": o["status"]["phase"],
                                  "message": "The pod has completed successfully." if o["status"]["phase"] == "Succeeded"
                                  else "The pod failed."}]
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
            "columnDefinitions": (POD_COLUMNS if resource == "pods" else EVENT_COLUMNS) if headers else [],
            "rows": rows}
