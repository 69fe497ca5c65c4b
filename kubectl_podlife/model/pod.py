"""One pod's timeline: transitions explained, kubectl's view at each moment, lanes, diagnosis."""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections import Counter

from kubectl_podlife.model import ending, logtail, rules, stuck
from kubectl_podlife.model import explain as ex
from kubectl_podlife.model.build import (PodInput, T, absorb, assemble, event_transitions, merge, ready_counts,
                                         row_transitions, state_transitions)
from kubectl_podlife.model.facts import EventFact
from kubectl_podlife.model.timeline import (Diagnosis, Evidence, KubectlView, Lane, Mark, PodTimeline, Segment,
                                            Transition)
from kubectl_podlife.observation import SPEC, Observation, UNNAMED
from kubectl_podlife.timefmt import clock, human_duration

# The order in which transitions at the same moment read naturally.
_KIND_ORDER = {"created": 0, "scheduled": 1, "pulling": 2, "pulled": 3, "started": 4, "probe-failed": 5,
               "killing": 6, "terminated": 7, "not-ready": 8, "restart": 9, "back-off": 10, "ready": 11,
               "init-done": 12, "phase": 13, "terminating": 14, "deleted": 15, "pull-failed": 5, "hook-failed": 6,
               "note": 16}
_MAX_EVIDENCE_TEXT = 500


def build_pod(key, obs: list[Observation]) -> PodTimeline:
    inp = assemble(key, obs)
    raw: list[T] = []
    raw += row_transitions(inp, 0)
    raw += event_transitions(inp, 10_000)
    raw += state_transitions(inp, 20_000)
    trs = merge(raw)
    trs = _drop_redundant(trs)
    trs += _infer_kills(inp, trs)
    trs += _infer_restarts(inp, trs)
    trs = _merge_backoff_episodes(trs)
    ctx = ex.PodContext(inp, trs)
    ex.explain_restarts(ctx)
    for tr in trs:
        if tr.kind == "restart":
            continue
        if tr.kind == "back-off":
            ex.explain_backoff(ctx, tr)
        elif tr.kind in ("ready", "not-ready"):
            ex.explain_ready(ctx, tr)
        elif tr.kind == "probe-failed":
            ex.explain_probe_failed(ctx, tr)
        elif tr.kind == "killing":
            ex.explain_killing(ctx, tr)
        elif tr.kind == "terminated":
            ex.explain_terminated(ctx, tr)
        elif not stuck.explain(tr) and not ending.explain(tr):
            ex.explain_simple(ctx, tr)
    for tr in trs:
        if tr.note == "inferred" and tr.kind in ("killing", "restart", "terminating"):
            tr.confidence = "inferred"
            if tr.kind == "killing":
                tr.detail.insert(0, f"No Killing event is shown: {tr.count_failures} consecutive failures reached "
                                    f"failureThreshold, at which the kubelet kills the container." if getattr(
                    tr, "count_failures", None) else "No Killing event is shown; inferred from the probe failures.")
            elif tr.kind == "terminating":
                tr.summary = ("Probably deleted: several updates in the same second at the end of the watch, with "
                              "no STATUS printed (typical of Terminating then DELETED)")
    trs.sort(key=_order_key)
    _views(inp, trs)
    _pod_states(inp, ctx, trs)
    diagnosis, restarts, final = _diagnose(ctx, inp, trs)
    times = [t.t for t in trs if t.t is not None]
    lanes = _lanes(inp, trs, max(times) if times else 0.0)
    notes = _notes(inp, trs)
    name = key.name
    return PodTimeline(
        name=name, namespace=key.namespace, uid=key.uid, incarnation=key.incarnation,
        transitions=logtail.attach(tuple(_freeze(t) for t in trs), obs, inp.containers), diagnosis=diagnosis, restarts=restarts, final_status=final,
        restarts_shown=not restarts or _count_shown(inp),
        lanes=lanes, start=min(times) if times else 0.0, end=max(times) if times else 0.0,
        created_time=inp.created, anchor=inp.created_how, notes=tuple(notes),
        sources=tuple(dict.fromkeys(o.origin.rsplit(":", 1)[0] for o in obs)))


def _order_key(t: T) -> tuple:
    # Container states read from successive objects of one stream (a -o json watch) at the same time:
    # the stream's order is the order they happened in, whatever their kinds.
    rank = _STATE_RANK if t.note == "current-state" else _KIND_ORDER.get(t.kind, 20)
    return (t.t is None, t.t if t.t is not None else 0.0, rank, t.order)


_STATE_RANK = _KIND_ORDER["back-off"]


def _drop_redundant(trs: list[T]) -> list[T]:
    """A restart inferred from a container state that a row-based restart already covers."""
    out = []
    counted = {(t.container, t.restart_count) for t in trs if t.kind == "restart" and t.note != "from-state"}
    for t in trs:
        if t.kind == "restart" and t.note == "from-state" and (
                (t.container, t.restart_count) in counted or (None, t.restart_count) in counted):
            continue
        out.append(t)
    return out


def _merge_backoff_episodes(trs: list[T]) -> list[T]:
    """A crash-loop back-off seen again (a later row, the describe state) before any restart is one episode."""
    ordered = sorted(trs, key=_order_key)
    out: list[T] = []
    open_: dict = {}
    for t in ordered:
        key = t.container
        if t.kind in ("restart", "started"):
            open_.pop(key, None)
            open_.pop(None, None)
        if t.kind == "back-off" and (t.reason or "").endswith("CrashLoopBackOff"):
            ep = open_.get(key) or (open_.get(None) if key is None or len(open_) == 1 else None)
            if ep is None and key is not None:
                ep = open_.get(None)
            if ep is not None and (ep.reason or "").endswith("CrashLoopBackOff"):
                t_first = ep.t
                absorb(ep, t)
                if t_first is not None:
                    ep.t, ep.lo, ep.hi = t_first, ep.lo if ep.lo is not None else t_first, ep.hi
                continue
            open_[key] = t
        out.append(t)
    return out


def _threshold(inp: PodInput, container: str | None, ptype: str) -> int:
    for c in (inp.spec.get("containers") or []) + (inp.spec.get("initContainers") or []):
        if isinstance(c, dict) and (c.get("name") in (container, None) or len(inp.containers) <= 1):
            p = c.get(f"{ptype}Probe")
            if isinstance(p, dict):
                return rules.probe_settings(p)["failureThreshold"]
    return rules.PROBE_DEFAULTS["failureThreshold"]


def _infer_kills(inp: PodInput, trs: list[T]) -> list[T]:
    """Liveness/startup failures that reached failureThreshold with no Killing shown: the kubelet killed it."""
    out: list[T] = []
    for ptype in ("liveness", "startup"):
        fails = [t for t in trs if t.kind == "probe-failed" and t.facts and t.facts[0].probe_type == ptype
                 and t.facts[0].what == "probe-failed"]
        for c in dict.fromkeys(f.container for f in fails):
            mine = [f for f in fails if f.container == c]
            if any(t.kind == "killing" and t.container in (c, None) and t.facts and t.facts[0].kill_reason == ptype
                   for t in trs):
                continue
            thr = _threshold(inp, c, ptype)
            total = ex.occurrences(mine)
            if total < thr:
                continue
            last = mine[-1]
            starts = [t for t in trs if t.kind == "started" and t.container in (c, None)]
            kills = max(1, max((t.count for t in starts), default=1) - 1)
            k = T("killing", last.t, last.lo, last.hi, container=c, evidence=list(last.evidence),
                  facts=[EventFact("killing", c, kill_reason=ptype)], count=kills, order=last.order + 1,
                  note="inferred")
            k.count_failures = total  # type: ignore[attr-defined]
            out.append(k)
    return out


def _infer_restarts(inp: PodInput, trs: list[T]) -> list[T]:
    """Events only (no RESTARTS column, no restart count): a kill followed by a new start is a restart."""
    if any(t.kind == "restart" for t in trs) or any(o.data.get("restarts") is not None for o in inp.rows):
        return []
    out: list[T] = []
    n = 0
    kills = sorted((t for t in trs if t.kind == "killing" and t.count == 1 and t.t is not None and t.facts and
                    t.facts[0].kill_reason in ("liveness", "startup", "unknown", "post-start-hook")),
                   key=lambda t: t.t)
    for k in kills:
        after = [t for t in trs if t.kind in ("started", "pulling", "pulled") and t.t is not None and t.t >= k.t
                 and t.container in (k.container, None, inp.containers[0] if len(inp.containers) == 1 else None)
                 and t.count == 1]
        if not after:
            continue
        nxt = min(after, key=lambda t: (t.t, 0 if t.kind == "started" else 1))
        n += 1
        out.append(T("restart", nxt.t, k.t, nxt.hi, container=k.container, restart_count=n,
                     evidence=[*nxt.evidence], order=nxt.order, note="inferred from events"))
    return out


def _freeze(t: T) -> Transition:
    ev = []
    seen = set()
    for o in t.evidence:
        if o.origin in seen:
            continue
        seen.add(o.origin)
        text = o.raw if len(o.raw) <= _MAX_EVIDENCE_TEXT else o.raw[:_MAX_EVIDENCE_TEXT] + " …"
        ev.append(Evidence(origin=o.origin, text=text))
    times = [o.time for o in t.evidence if o.time]
    return Transition(
        t=round(t.t, 3) if t.t is not None else None,
        t_range=(round(t.lo, 3), round(t.hi, 3)) if t.lo is not None and t.hi is not None else None,
        time=t.time or (times[0] if times else None), kind=t.kind, summary=t.summary or t.kind, container=t.container,
        from_state=t.from_state, to_state=t.to_state, restart_count=t.restart_count, cause=t.cause, probe=t.probe,
        grace_period_seconds=t.grace, backoff_seconds=t.backoff, expected=t.expected, confidence=t.confidence,
        detail=tuple(d for d in t.detail if d), rule=t.rule, missing=tuple(dict.fromkeys(t.missing)),
        evidence=tuple(ev), view=KubectlView(*t.view))


# --- what kubectl would show -----------------------------------------------------------------

_STATUS_AFTER = {"created": "ContainerCreating", "scheduled": "ContainerCreating", "pulling": "ContainerCreating",
                 "pulled": "ContainerCreating", "started": "Running", "restart": "Running",
                 "back-off": "CrashLoopBackOff", "terminating": "Terminating", "pull-failed": "ErrImagePull"}


def _views(inp: PodInput, trs: list[T]) -> None:
    rows = [r for r in inp.rows]
    total = max(1, len(inp.containers))
    status, ready, restarts = None, None, 0
    ready_n = 0
    for t in trs:
        row = next((e for e in t.evidence if e.kind == "row"), None)
        if row is None and rows:
            if t.t is None:
                row = rows[-1]
            else:
                before = [r for r in rows if r.t is not None and r.t <= t.t + 0.5]
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
        elif t.kind == "unschedulable" and status is None:
            status = "Pending"  # the scheduler has not placed it: printPod shows the phase
        elif t.kind in ("mount-failed", "sandbox-failed") and status in (None, "Pending"):
            status = "ContainerCreating"  # placed, waiting on volumes or sandbox: the waiting reason kubectl prints
        elif t.kind == "phase" and t.to_state:
            if not (t.note == "current-state" and (status or "").startswith("Init:")
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


def _pod_states(inp: PodInput, ctx: ex.PodContext, trs: list[T]) -> None:
    """Phase and conditions at each transition, from what kubectl showed (kubelet getPhase, generate.go)."""
    policy = ctx.policy or "Always"
    has_init = bool(inp.init_containers) or any((t.view[1] or "").startswith("Init:") for t in trs if t.view)
    phase, scheduled, initialized, started = None, False, not has_init, False
    for t in trs:
        ready, status, restarts = t.view[:3]
        st = status or ""
        explicit = next((e.data.get("phase") for e in t.evidence if e.kind == "pod" and e.data.get("phase")), None)
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


# --- diagnosis --------------------------------------------------------------------------------

_STATE_CAUSE = {"CrashLoopBackOff": None, "ImagePullBackOff": "image-pull", "ErrImagePull": "image-pull",
                "InvalidImageName": "image-pull", "ErrImageNeverPull": "image-pull",
                "CreateContainerConfigError": "config-error", "RunContainerError": "cannot-run",
                "ContainerCannotRun": "cannot-run", "StartError": "cannot-run", "OOMKilled": "oom-killed",
                "Error": "error-exit", "Completed": "completed-exit", "Terminating": "deleted", "Evicted": "evicted"}


def _kills_awaiting_restart(kills: list[T], trs: list[T]) -> int:
    """Each kill is followed by a restart, except a last one after which the container is still waiting
    in crash-loop back-off (a BackOff event after it and no start): 1 then, else 0."""
    last_kill = max((t.t for t in kills if t.t is not None), default=None)
    if last_kill is None:
        return 0
    after = [t for t in trs if t.t is not None and t.t > last_kill]
    waiting = any(t.kind == "back-off" and t.reason == "CrashLoopBackOff" for t in after)
    return 1 if waiting and not any(t.kind == "started" for t in after) else 0


def _count_shown(inp: PodInput) -> bool:
    """Whether the input states how often the pod restarted: a status does (RESTARTS, Restart Count), and
    so do events printed with their counts; plain `get events` drops the counts, so a restart count
    derived from it alone is only a lower bound."""
    return (any(o.data.get("restarts") is not None for o in inp.rows)
            or any(o.data.get("restart_count") is not None for o in inp.cstates)
            or not inp.events or any(o.data.get("count_shown", True) for o, _ in inp.events))


def _diagnose(ctx: ex.PodContext, inp: PodInput, trs: list[T]) -> tuple[Diagnosis, int, str | None]:
    restarts = max([t.restart_count or 0 for t in trs if t.kind == "restart"] +
                   [o.data.get("restarts") or 0 for o in inp.rows] +
                   [o.data.get("restart_count") or 0 for o in inp.cstates] + [0])
    # Every attempt to run a container emits Pulled (or Pulling) and, once it runs, Started: a counted
    # event of either says how many instances there were, the last perhaps still being created.
    # A container the kubelet could not even create (CreateContainerConfigError, CreateContainerError) is
    # pulled ("already present") again at every sync attempt: those Pulled counts are attempts, not instances.
    never_created = not any(t.kind == "started" for t in trs) and any(
        t.cause == "config-error" or (t.reason or "") in ("CreateContainerConfigError", "CreateContainerError")
        for t in trs)
    created = [t for t in trs if t.kind in ("started", "pulled") and t.count > 1
               and not (t.kind == "pulled" and never_created)]
    if created:
        restarts = max(restarts, max(t.count for t in created) - 1)
    kills = [t for t in trs if t.kind == "killing" and t.cause in ("liveness-probe", "startup-probe",
                                                                    "post-start-hook")]
    explicit = any(o.data.get("restarts") is not None for o in inp.rows) or any(
        o.data.get("restart_count") is not None for o in inp.cstates)
    if kills and not explicit:
        restarts = max(restarts, sum(t.count for t in kills) - _kills_awaiting_restart(kills, trs))
    if not restarts and (any(o.data.get("last_state") for o in inp.cstates) or any(
            t.kind == "back-off" and t.reason == "CrashLoopBackOff" for t in trs)):
        restarts = 1  # a previous instance (Last State) or a crash-loop back-off means it restarted at least once
    shown = not restarts or _count_shown(inp)
    final = _final_status(trs)
    rs = [t for t in trs if t.kind == "restart" and t.cause]
    causes = Counter(t.cause for t in rs if t.cause != "unknown")
    # Strong evidence that is not tied to a specific restart (aggregated events, states).
    side: list[T] = []
    for t in trs:
        if t.kind == "killing" and t.cause in ("liveness-probe", "startup-probe", "post-start-hook"):
            side.append(t)
        elif t.kind == "terminated" and t.cause in ("oom-killed", "error-exit", "completed-exit", "cannot-run",
                                                    "config-error"):
            side.append(t)
        elif t.kind == "hook-failed" and t.cause in ("post-start-hook", "deleted"):
            side.append(t)
    end = ending.detect(inp, final, restarts, bool(causes))
    if end is not None:
        # How the pod ended (preempted, node lost, deadline, deletion) outranks what its containers did.
        return (Diagnosis(cause=end.cause, summary=end.summary, container=ctx.single,
                          confidence=end.confidence), restarts, final)
    if set(causes) <= {"error-exit", "cannot-run"}:
        # The runtime's own words that the entrypoint cannot be executed outrank a bare exit code: the
        # restarts are the kubelet retrying a container that never ran, not an application crashing.
        found = stuck.cannot_run(inp, trs, final, restarts)
        if found is not None:
            return found, restarts, final
    if not causes and not (side and restarts):
        found = stuck.detect(inp, trs, final, restarts)
        if found is not None:
            if found.confidence == "observed" and any(o.data.get("pod_inferred") for o in inp.obs):
                # The event says why, but not that it is this pod's (see the note).
                found = dataclasses.replace(found, confidence="inferred")
            return found, restarts, final
    pick: T | None = None
    if ctx.evicted and not causes:
        # An eviction ends the pod whatever its containers did: that is the diagnosis.
        ev = next((t for t in trs if t.cause == "evicted"), None)
        summary = (f"Evicted by the kubelet: {ctx.evicted.rstrip('.')}" if ctx.evicted != "evicted" else
                   "Evicted by the kubelet (node pressure; the reason is not in the input)")
        return (Diagnosis(cause="evicted", summary=summary + f"; the pod is {final or 'Failed'} and is not restarted",
                          container=ev.container if ev else None, confidence="observed"), restarts, final)
    if causes:
        top = causes.most_common(1)[0][0]
        pick = next(t for t in reversed(rs) if t.cause == top)
    elif side and (restarts or any(s.kind == "killing" for s in side)):
        pick = next((s for s in side if s.kind == "killing"), side[-1])
    elif side:
        pick = side[-1]
    summary_bits: list[str] = []
    if pick is not None:
        cause = pick.cause
        container = pick.container
        probe = pick.probe
        confidence = pick.confidence
        summary_bits.append(_diag_sentence(pick, restarts, trs, shown))
        # get -w rows name no container, but an Init:Error / Init:CrashLoopBackOff status says whose exit it was.
        unnamed_init = container is None and (final or "").startswith("Init:") and any(
            t.kind == "terminated" and (t.to_state or "").startswith("Init:") for t in trs)
        if (container in inp.init_containers or unnamed_init) and cause not in ("init-container",):
            # A failing init container holds the whole pod: that is the diagnosis, its exit the detail.
            who = f"Init container {container}" if container else "An init container (the input does not name it)"
            summary_bits[-1] = (f"{who} keeps failing, so the pod cannot start "
                                f"({final or 'Init:...'}): " + summary_bits[-1].split(": ", 1)[-1])
            cause = "init-container"
        if ctx.policy == "Never" and cause in ("error-exit", "completed-exit", "oom-killed"):
            summary_bits.append("restartPolicy Never: not restarted, the pod ends "
                                + ("Succeeded" if cause == "completed-exit" else "Failed"))
    else:
        cause, container, probe, confidence = _state_cause(ctx, inp, trs, final, restarts)
        summary_bits.append(_state_sentence(cause, container, probe, final, restarts, trs, ctx, shown))
    backoffs = [t for t in trs if t.kind == "back-off" and t.backoff]
    if backoffs and cause not in ("image-pull",) and final in ("CrashLoopBackOff", "Init:CrashLoopBackOff"):
        summary_bits.append(f"now in CrashLoopBackOff (back-off {clock(backoffs[-1].backoff)})")
    if cause == "none" and not trs:
        # Only a manifest: no status to judge, so say so and predict the run from the spec.
        summary_bits = ["The input holds only the spec (no status or events for this pod)"]
        summary_bits.extend(_spec_only_predictions(ctx, inp))
        summary_bits.append(f"see `{simulate_command(inp)}` for the predicted timeline")
        confidence = "predicted"
    elif cause == "none":
        summary_bits.extend(_predictions(ctx, inp, trs))
    not_ready = _not_ready_part(inp, trs)
    summary_bits.append(not_ready)
    summary = "; ".join(b for b in summary_bits if b)
    diag = Diagnosis(cause=cause or "unknown", summary=summary, container=container, probe=probe,
                     confidence=confidence)
    kept = stuck.never_none(diag, trs, final)
    if kept is not diag and not_ready:
        kept = dataclasses.replace(kept, summary=f"{kept.summary}; {not_ready}")
    return kept, restarts, final


def simulate_command(inp: PodInput) -> str:
    """The `simulate` command line for this pod: the file its manifest came from, as the user named it
    (origins are `file:line`), and the pod's name, so it can be copied as it is."""
    specs = sorted((o for o in inp.obs if o.kind == SPEC and ":" in o.origin),
                   key=lambda o: (o.data.get("source") != "manifest", o.seq))
    where = shlex.quote(specs[0].origin.rsplit(":", 1)[0]) if specs else "FILE"
    return f"kubectl podlife simulate {where} --pod {shlex.quote(inp.key.name)}"


def _not_ready_part(inp: PodInput, trs: list[T]) -> str:
    """READY n/m of a multi-container pod with n < m: which containers are not ready, when the input says."""
    ready = next((t.view[0] for t in reversed(trs) if t.view and t.view[0]), None)
    parts = ready_counts(ready)
    if not parts or parts[1] < 2 or parts[0] >= parts[1]:
        return ""
    last: dict[str, bool] = {}
    for o in inp.cstates:
        if o.container and o.data.get("ready") is not None:
            last[o.container] = bool(o.data.get("ready"))
    names = [c for c, r in last.items() if not r]
    if names:
        return f"READY {ready}: not ready: {', '.join(names)}"
    return f"READY {ready}: {parts[1] - parts[0]} of its {parts[1]} containers not ready (the input does not say which)"


def _predictions(ctx: ex.PodContext, inp: PodInput, trs: list[T]) -> list[str]:
    """What the spec says will happen next, when nothing has gone wrong yet (marked as a prediction)."""
    end = max([t.t for t in trs if t.t is not None] + [0.0])
    out = []
    for name in inp.containers:
        beh = rules.command_behaviour(ctx.cspec(name))
        if beh.exits_after is None or beh.exits_after <= end or not beh.script:
            continue
        policy = ctx.policy or "Always"
        then = ("restartPolicy Always restarts it" if policy == "Always" else
                "restartPolicy OnFailure restarts it" if policy == "OnFailure" and beh.exit_code else
                f"restartPolicy {policy} leaves it terminated")
        out.append(f"predicted: {name} runs `{beh.script}` and will exit {beh.exit_code} about "
                   f"{beh.exits_after:g} s after its start; {then}")
    return out


def _spec_only_predictions(ctx: ex.PodContext, inp: PodInput) -> list[str]:
    """For a pod seen only as a manifest: how each container's command, the restartPolicy and the
    imagePullPolicy make it run (k8s-lifecycle 2.1: restarts and CrashLoopBackOff; SetDefaults_Container:
    the effective pull policy). Every sentence is marked predicted."""
    policy = ctx.policy or "Always"
    out = []
    for name in inp.containers:
        c = ctx.cspec(name)
        beh = rules.command_behaviour(c)
        run = f"`{beh.script}`" if beh.script else "the image's default command"
        pull = rules.image_pull_policy(c)
        if beh.exits_after is None:
            out.append(f"predicted: {name} runs {run}; nothing in the spec predicts an exit, so it keeps running; "
                       f"imagePullPolicy {pull}")
            continue
        when = "at once" if beh.exits_after == 0 else f"about {beh.exits_after:g} s after its start"
        code = beh.exit_code or 0
        restarts = rules.restart_allowed(policy, code)
        if restarts:
            then = f"restartPolicy {policy} restarts it, into CrashLoopBackOff"
            pulls = ("imagePullPolicy Always pulls the image again before every restart" if pull == "Always" else
                     f"imagePullPolicy {pull} pulls the image at most once and reuses it on every restart"
                     if pull == "IfNotPresent" else "imagePullPolicy Never uses only an image already on the node")
        else:
            ends = "Completed (the pod Succeeded)" if code == 0 else "Error (the pod Failed)"
            then = f"restartPolicy {policy} does not restart it: it ends {ends}"
            pulls = ("imagePullPolicy Always pulls the image before its one start" if pull == "Always" else
                     f"imagePullPolicy {pull}")
        out.append(f"predicted: {name} runs {run} and will exit {code} {when}; {then}; {pulls}")
    return out


def _restarted(restarts: int, shown: bool = True) -> str:
    """ "Restarted 5 times", or for a count the input does not print, "Restarted at least once"."""
    if shown:
        return f"Restarted {restarts} time{'s' if restarts != 1 else ''}"
    return "Restarted at least once" if restarts <= 1 else f"Restarted at least {restarts} times"


def _n_restarts(restarts: int, shown: bool = True) -> str:
    if shown:
        return f"{restarts} restarts"
    return f"at least {restarts} restart{'s' if restarts != 1 else ''} (the input prints no count)"


def _diag_sentence(t: T, restarts: int, trs: list[T] = (), shown: bool = True) -> str:
    times = _restarted(restarts, shown) if restarts else "Stopped"
    c = f" ({t.container})" if t.container else ""
    if t.cause in ("liveness-probe", "startup-probe"):
        p = t.probe
        what = f"the {p.handler} {p.type} probe" + (f" `{p.target}`" if p and p.target else "") if p else \
            f"the {t.cause.split('-')[0]} probe"
        settings = f" (period {p.period_seconds} s, threshold {p.failure_threshold})" if p and p.from_spec else ""
        if "the only probe in its spec" in t.summary:  # inferred from the spec alone (explain._only_restarting_probe)
            return (f"{times}{c}: most likely {what} failing{settings}, the only probe in its spec that restarts "
                    f"a container; the input shows no exit, kill or probe event")
        if t.exit_code in (143, 0):
            grace = f"; the process stops on SIGTERM (exit {t.exit_code})"
        elif t.exit_code == 137 or "could not shorten" in t.summary:
            grace = f"; each kill took the full {t.grace:g} s grace period (SIGTERM ignored)" if t.grace else ""
        elif "exited on SIGTERM" in t.summary:
            grace = "; the process stops on SIGTERM, so each restart follows the kill at once"
        else:
            grace = f"; killed with a {t.grace:g} s grace period" if t.grace else ""
        return f"{times}{c}: {what} kept failing{settings}{grace}"
    if t.cause == "oom-killed":
        limit = next((d.split(": ", 1)[1].rstrip(".") for d in t.detail if d.startswith("Memory limit:")), None)
        return f"{times}{c}: OOMKilled, the container exceeds its memory limit" + (f" ({limit})" if limit else "")
    how = _command_exit(t) or next((_command_exit(x) for x in trs if x.kind == "terminated" and x.container ==
                                    t.container and _command_exit(x)), None)
    if t.cause in ("error-exit", "completed-exit") and how:
        policy = " and restartPolicy restarts it" if restarts else ""
        return f"{times}{c}: {how}{policy}"
    if t.cause == "error-exit":
        if t.exit_code == 137:
            return (f"{times}{c}: killed by SIGKILL (exit 137, reason Error, not OOMKilled); no probe failure or "
                    f"event in the input says who sent it")
        if t.exit_code == 143:
            return f"{times}{c}: stopped by SIGTERM (exit 143); no event in the input says who sent it"
        code = f" with exit code {t.exit_code}" if t.exit_code is not None else ""
        return f"{times}{c}: the container exits{code} (an application error; see `kubectl logs --previous`)"
    if t.cause == "completed-exit":
        if not restarts:
            return f"Completed{c}: the container ran to completion (exit 0)"
        return f"{times}{c}: the container exits with code 0 and restartPolicy restarts it"
    if t.cause == "post-start-hook":
        return f"{times}{c}: its PostStart hook fails, so the kubelet kills it"
    if t.cause == "cannot-run":
        return f"{times}{c}: the runtime cannot start the container"
    if t.cause == "config-error":
        missing = next((x.facts[0].output for x in trs if x.facts and x.facts[0].what == "config-error"), "")
        text = (f"Cannot start{c}: CreateContainerConfigError" + (f" ({missing.replace('Error: ', '')})" if missing
                                                                   else " (a ConfigMap, Secret or key it needs is "
                                                                        "missing)"))
        if re.search(r'\b(?:secret|configmap)s? "[^"]+" not found|couldn\'t find key', missing, re.I):
            # A missing object for a volume fails the mount (FailedMount) before any container is created;
            # this error is the kubelet building the container's environment (env valueFrom / envFrom).
            text += ("; an env var (valueFrom) or envFrom of the container refers to it (a missing Secret or "
                     "ConfigMap volume would show FailedMount instead)")
        return text + "; the kubelet retries at every sync until it exists, and it never becomes CrashLoopBackOff"
    return f"{times}{c}: {t.summary}"


def _command_exit(t: T) -> str | None:
    """How the container's command ends, from an explanation's detail line, or None."""
    for d in t.detail:
        if d.startswith("The command `"):
            return d[4:].rstrip(".")
        if d.startswith("The container's command ends by itself"):
            return "the container's command ends by itself: " + d.split(": ", 1)[-1].rstrip(".")
    return None


def _final_status(trs: list[T]) -> str | None:
    for t in reversed(trs):
        if t.view and len(t.view) > 1 and t.view[1]:
            return t.view[1]
    return None


def _state_cause(ctx, inp: PodInput, trs: list[T], final: str | None, restarts: int):
    f = final or ""
    if f.startswith("Init:") or any(t.kind == "init-done" for t in trs) or (
            inp.init_containers and any((t.to_state or "").startswith("Init:") for t in trs)):
        held = _holding_init(inp, trs)
        return "init-container", held, None, "observed"
    cause = _STATE_CAUSE.get(f)
    if cause:
        c = next((t.container for t in reversed(trs) if t.cause == cause and t.container), ctx.single)
        return cause, c, None, "observed"
    pulls = [t for t in trs if t.cause == "image-pull"]
    if pulls:
        return "image-pull", pulls[-1].container, None, "observed"
    crash = [t for t in trs if t.kind == "back-off" and t.reason == "CrashLoopBackOff"]
    if crash or f == "CrashLoopBackOff":
        c = next((t.container for t in reversed(crash) if t.container), ctx.single)
        return "unknown", c, None, "inferred"
    rd = [t for t in trs if t.kind in ("not-ready", "probe-failed") and t.cause == "readiness-probe"]
    startup = [t for t in trs if t.kind == "probe-failed" and t.cause == "startup-probe"]
    if startup and not restarts:
        return "startup-probe", startup[-1].container, startup[-1].probe, "observed"
    if rd and not _ends_ready(trs):
        return "readiness-probe", rd[-1].container, rd[-1].probe, "observed"
    if any(t.kind in ("terminating", "deleted") for t in trs):
        return "deleted", None, None, "observed"
    if restarts:
        c = next((t.container for t in trs if t.kind == "restart" and t.container), ctx.single)
        return "unknown", c, None, "inferred"
    return "none", ctx.single, None, "observed"


def _init_holds(inp: PodInput, trs: list[T]) -> list[tuple[str, float, float | None]]:
    """(init container, from, until) from the Init:N/M statuses kubectl printed over time."""
    marks: list[tuple[float, int]] = []
    for t in trs:
        st = t.to_state or (t.view[1] if t.view else None) or ""
        if t.t is None:
            continue
        m = re.match(r"Init:(\d+)/(\d+)$", st)
        if m:
            marks.append((t.t, int(m.group(1))))
        elif st in ("PodInitializing", "Running") and inp.init_containers:
            marks.append((t.t, len(inp.init_containers)))
    holds = []
    for i, name in enumerate(inp.init_containers):
        begin = min([t for t, n in marks if n == i] or [0.0 if i == 0 else None] or [None], default=None)
        end = min([t for t, n in marks if n > i] or [None], key=lambda v: v if v is not None else 1e18)
        if begin is not None:
            holds.append((name, begin, end))
    return holds


def _ends_ready(trs: list[T]) -> bool:
    """READY is full at the last moment shown (readiness failures before it were transient)."""
    for t in reversed(trs):
        if t.view and t.view[0]:
            parts = ready_counts(t.view[0])
            return bool(parts and parts[1] and parts[0] == parts[1])
    return False


def _holding_init(inp: PodInput, trs: list[T]) -> str | None:
    holds = _init_holds(inp, trs)
    if holds:
        open_ = [h for h in holds if h[2] is None]
        if open_:
            return open_[0][0]
        return max(holds, key=lambda h: h[2] - h[1])[0]
    if not inp.init_containers:
        # STATUS says Init:... but nothing marked the container as an init container: the one the
        # events show starting and backing off is it.
        named = [t.container for t in trs if t.kind in ("started", "back-off", "terminated") and t.container]
        return named[-1] if named else None
    for t in reversed(trs):
        if t.container in inp.init_containers and t.kind in ("back-off", "terminated", "started"):
            return t.container
    m = [t.to_state for t in trs if (t.to_state or "").startswith("Init:")]
    if m and inp.init_containers:
        g = re.match(r"Init:(\d+)/(\d+)", m[-1])
        if g and int(g.group(1)) < len(inp.init_containers):
            return inp.init_containers[int(g.group(1))]
    return inp.init_containers[0] if inp.init_containers else None


# Image-pull failures that no pull can fix (k8s-stuck-pods.md 9.9): what the kubelet said, and what to change.
_NEVER_PULL = re.compile(r'Container image "([^"]+)" is not present with pull policy of Never')
_BAD_REFERENCE = re.compile(r'(?:couldn\'t parse image (?:reference|name) "([^"]+)"|Failed to apply default image tag '
                            r'"([^"]+)"|InvalidImageName)')


def _pull_sentence(final: str | None, c: str, trs: list[T]) -> str:
    msgs = [(t.facts[0].output, t.evidence[0].origin) for t in trs if t.kind == "pull-failed" and t.facts
            and t.evidence]
    never = next(((m, o) for m, o in msgs if _NEVER_PULL.search(m)), None)
    if never or final == "ErrImageNeverPull":
        img = _NEVER_PULL.search(never[0]).group(1) if never else None
        return (f"ErrImageNeverPull{c}: the image {img + ' ' if img else ''}is not on the node and its imagePullPolicy "
                f"is Never, so the kubelet will never pull it" + (f" ({never[1]})" if never else "")
                + "; load the image onto the node (`kind load docker-image`, `minikube image load`) or change "
                  "imagePullPolicy; the kubelet retries at every sync, with no back-off")
    bad = next(((m, o) for m, o in msgs if _BAD_REFERENCE.search(m) and "not found" not in m), None)
    if bad or final == "InvalidImageName":
        g = _BAD_REFERENCE.search(bad[0]) if bad else None
        img = (g.group(1) or g.group(2)) if g else None
        return (f"InvalidImageName{c}: the image name {img + ' ' if img else ''}is not a valid image reference "
                f"(invalid reference format)" + (f" ({bad[1]})" if bad else "")
                + ", so the kubelet cannot even try to pull it; fix the image in the spec (no retry can succeed)")
    return f"The image cannot be pulled{c}: {final or 'ErrImagePull/ImagePullBackOff'}"


def _state_sentence(cause, container, probe, final, restarts, trs, ctx, shown: bool = True) -> str:
    c = f" ({container})" if container else ""
    if cause == "init-container":
        waited = [t for t in trs if (t.to_state or "").startswith("Init:")]
        last = waited[-1].to_state if waited else final
        holds = _init_holds(ctx.inp, trs)
        if final and not final.startswith("Init:") and final not in ("PodInitializing",):
            spans = ", ".join(f"{n} {clock(a)}..{clock(b)}" for n, a, b in holds if b is not None)
            return (f"Init containers held the pod until it started (now {final})"
                    + (f": {spans}" if spans else f" (last {last})")
                    + (f"; {container} held it longest" if container and len(holds) > 1 else ""))
        return f"Held by init container {container or '?'}: {final}" + (
            f", {_n_restarts(restarts, shown)}" if restarts else "")
    if cause == "image-pull":
        return _pull_sentence(final, c, trs)
    if cause == "readiness-probe":
        text = (f"Not ready{c}: the readiness probe fails" + (f" ({probe.handler})" if probe else "") +
                "; readiness failures never restart a container" + (f"; {_n_restarts(restarts, shown)}" if restarts else ""))
        if any(t.facts and t.facts[0].what == "probe-errored" and "not running" in t.facts[0].output for t in trs):
            text += ("; the probes also errored because the container was no longer running: it had exited, and "
                     "the probe events are a symptom of that")
        return text
    if cause == "startup-probe":
        p = probe
        thr = p.failure_threshold if p and p.failure_threshold else 3
        seen = p.failures_seen if p and p.failures_seen else 1
        return (f"Startup probe failed {seen} time{'s' if seen != 1 else ''}{c}, below failureThreshold {thr}"
                f"{'' if p and p.from_spec else ' (default, assumed)'}: no restart")
    if cause == "deleted":
        return f"Deleted: {final or 'Terminating'}"
    if cause == "oom-killed":
        return f"OOMKilled{c}: the container exceeded its memory limit; {_n_restarts(restarts, shown)}"
    if cause == "error-exit":
        return f"The container exited with an error{c}; {_n_restarts(restarts, shown)}"
    if cause == "completed-exit":
        return f"The container completed{c} (exit 0); {_n_restarts(restarts, shown)}"
    if cause == "unknown":
        crash = any(t.kind == "back-off" and t.reason == "CrashLoopBackOff" for t in trs)
        no_kill = not any(t.kind == "killing" for t in trs)
        events = any(t.facts for t in trs)
        text = (f"{_restarted(restarts, shown)}{c}; the input does not show why "
                f"(no exit code, reason, kill or probe events): now {final or '?'}")
        if crash and events and no_kill:
            text = (f"Crash loop{c}: the container keeps exiting on its own ({restarts}+ restarts; no Killing event, "
                    f"so neither a liveness probe nor a deletion stopped it); the exit code is not in the input "
                    f"(see `kubectl logs --previous`)")
        if any(t.cause == "readiness-probe" for t in trs):
            text += "; the readiness probe failures seen do not explain it: readiness failures never restart a container"
        return text
    if cause == "none":
        transient = [t for t in trs if t.kind == "probe-failed" and t.cause == "readiness-probe"]
        return (f"No failure seen: {final or 'no status shown'}" + (f", {_n_restarts(restarts, shown)}" if restarts else "")
                + (f"; the readiness probe failed {ex.occurrences(transient)} time(s) before the container became "
                   f"ready" if transient else ""))
    return f"{cause}: {final}"


# --- lanes ------------------------------------------------------------------------------------

_LANE_KIND = {"started": "running", "restart": "running", "ready": "ready", "not-ready": "running",
              "back-off": "back-off", "terminated": "terminated", "pull-failed": "waiting", "pulling": "waiting",
              "created": "waiting", "killing": None}
_MARK_KINDS = {"probe-failed", "killing", "restart", "back-off", "pull-failed", "hook-failed", "terminated"}


def _lanes(inp: PodInput, trs: list[T], end: float) -> tuple[Lane, ...]:
    names = inp.init_containers + [c for c in inp.containers if c not in inp.init_containers]
    if not names:
        names = [None]
    lanes = []
    for name in names:
        segs: list[Segment] = []
        marks: list[Mark] = []
        state = "waiting"
        start = 0.0
        init_index = inp.init_containers.index(name) if name in inp.init_containers else None
        for t in trs:
            if init_index is not None and t.t is not None and state != "terminated" and _init_done_past(
                    t.to_state, init_index):
                # Init:N/M with N past this one (or PodInitializing): it completed.
                segs.append(Segment(start, t.t, state)) if t.t > start else None
                state, start = "terminated", t.t
                continue
            if t.t is None or (t.container is not None and name is not None and t.container != name):
                continue
            if t.container is None and len(names) > 1 and t.kind not in ("created", "scheduled", "terminating",
                                                                          "deleted"):
                continue
            if t.kind in _MARK_KINDS:
                marks.append(Mark(t.t, t.kind, t.summary[:60]))
            new = _LANE_KIND.get(t.kind)
            if t.kind == "terminating" or t.kind == "deleted":
                new = "terminated"
            if new and new != state:
                if t.t > start:
                    segs.append(Segment(start, t.t, state))
                state, start = new, t.t
        segs.append(Segment(start, None, state))
        lanes.append(Lane(container=name or "(pod)", init=name in inp.init_containers,
                          segments=tuple(segs), marks=tuple(marks)))
    return tuple(lanes)


def _init_done_past(status: str | None, index: int) -> bool:
    if not status:
        return False
    if status in ("PodInitializing", "Running"):
        return True
    m = re.match(r"Init:(\d+)/\d+$", status)
    return bool(m and int(m.group(1)) > index)


def _notes(inp: PodInput, trs: list[T]) -> list[str]:
    notes = []
    if inp.key.name.startswith(UNNAMED):
        notes.append("the input never names this pod; it is shown under its file's name")
    notes += list(dict.fromkeys(str(o.data["pod_inferred"]) for o in inp.obs if o.data.get("pod_inferred")))
    if any(o.kind != "spec" and o.data.get("job") for o in inp.obs):
        notes.append(f"this entry is the Job {inp.key.name} (its events, status and settings), not a pod")
    anchors = {o.data.get("anchor") for o in inp.obs if o.data.get("anchor")}
    for a in sorted(a for a in anchors if a):
        if a.startswith("assumed"):
            notes.append(f"times are relative: {a}")
    if inp.created_how and inp.created_how not in ("creationTimestamp",):
        notes.append(f"creation time estimated from {inp.created_how}")
    if not any(t.t is not None for t in trs) and trs:
        notes.append("no timestamps: transitions are in the order printed")
    if not trs:
        notes.append(f"only the spec was seen: no status or events for this pod (try `{simulate_command(inp)}`)")
    if any(o.recovered for o in inp.obs):
        notes.append("the manifest was damaged (indentation or line breaks lost) and rebuilt along the Pod schema")
    return notes
