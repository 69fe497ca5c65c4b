"""One pod's timeline: its transitions merged and completed by inference, each explained, then
kubectl's view, the diagnosis and the lanes put together into a PodTimeline."""

from __future__ import annotations

import dataclasses

from kubectl_podlife.model import ending, ending_job, jobtiming, logtail, rules, stuck
from kubectl_podlife.model.build import PodInput, T, assemble
from kubectl_podlife.model.build_events import event_transitions
from kubectl_podlife.model.build_merge import absorb, merge
from kubectl_podlife.model.build_rows import row_transitions
from kubectl_podlife.model.build_states import state_transitions
from kubectl_podlife.model.diagnose import diagnose, restart_count_shown, simulate_command
from kubectl_podlife.model.explain.backoff import explain_backoff
from kubectl_podlife.model.explain.context import PodContext, occurrences
from kubectl_podlife.model.explain.probes import explain_probe_failed
from kubectl_podlife.model.explain.readiness import explain_ready
from kubectl_podlife.model.explain.restart import explain_restarts
from kubectl_podlife.model.explain.simple import explain_simple
from kubectl_podlife.model.explain.termination import explain_killing, explain_terminated
from kubectl_podlife.model.facts import EventFact
from kubectl_podlife.model.lanes import container_lanes
from kubectl_podlife.model.timeline import Evidence, KubectlView, PodTimeline, Transition
from kubectl_podlife.model.view import kubectl_views, pod_states
from kubectl_podlife.observation import Observation, UNNAMED


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
    ctx = PodContext(inp, trs)
    explain_restarts(ctx)
    for tr in trs:
        if tr.kind == "restart":
            continue
        if tr.kind == "back-off":
            explain_backoff(ctx, tr)
        elif tr.kind in ("ready", "not-ready"):
            explain_ready(ctx, tr)
        elif tr.kind == "probe-failed":
            explain_probe_failed(ctx, tr)
        elif tr.kind == "killing":
            explain_killing(ctx, tr)
        elif tr.kind == "terminated":
            explain_terminated(ctx, tr)
        elif not stuck.explain(tr) and not ending.explain(tr):
            explain_simple(ctx, tr)
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
    job = ending_job.job_view(inp)
    if job is not None and job.is_self:
        jobtiming.annotate(trs, list(job.gaps))
    trs.sort(key=_order_key)
    kubectl_views(inp, trs)
    pod_states(inp, ctx, trs)
    if job is not None and job.is_self:
        for t in trs:  # a Job has no READY / STATUS / RESTARTS row of its own: `get pods` never printed one
            t.view = ()
    diagnosis, restarts, final = diagnose(ctx, inp, trs)
    if job is not None and job.is_self and final is None and (job.failed is not None
                                                                or diagnosis.cause == "deadline-exceeded"):
        # its status block's Failed condition, or the event the job controller sends as it fails the Job
        # (BackoffLimitExceeded, DeadlineExceeded): what `kubectl get jobs` shows
        final = "Failed"
    times = [t.t for t in trs if t.t is not None]
    lanes = container_lanes(inp, trs, max(times) if times else 0.0)
    notes = _notes(inp, trs)
    name = key.name
    transitions = logtail.attach(_frozen(trs), obs, inp.containers)
    diagnosis, transitions = logtail.explain_exits(diagnosis, transitions)
    return PodTimeline(
        name=name, namespace=key.namespace, uid=key.uid, incarnation=key.incarnation,
        transitions=transitions, diagnosis=diagnosis, restarts=restarts, final_status=final,
        restarts_shown=not restarts or restart_count_shown(inp),
        lanes=lanes, start=min(times) if times else 0.0, end=max(times) if times else 0.0,
        created_time=inp.created, anchor=inp.created_how, notes=tuple(notes),
        sources=tuple(dict.fromkeys(o.origin.rsplit(":", 1)[0] for o in obs)),
        kind="Job" if job is not None and job.is_self else "Pod")


def _frozen(trs: list[T]) -> tuple[Transition, ...]:
    evidence: dict = {}
    views: dict = {}
    texts: dict = {}
    return tuple([_freeze(t, evidence, views, texts) for t in trs])


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
            total = occurrences(mine)
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


def _freeze(t: T, evidence: dict, views: dict, texts: dict) -> Transition:
    """The finished Transition of t. `evidence` (by observation), `views` and `texts` (by value) hold
    the pod's Evidence and KubectlView objects and detail, rule and missing texts made so far: a row
    that is evidence of several transitions, or a view or sentence several share, is one object (the
    pickled cache stores it once)."""
    ev = []
    seen = set()
    for o in t.evidence:
        if o.origin in seen:
            continue
        seen.add(o.origin)
        e = evidence.get(id(o))
        if e is None:
            text = o.raw if len(o.raw) <= _MAX_EVIDENCE_TEXT else o.raw[:_MAX_EVIDENCE_TEXT] + " …"
            e = evidence[id(o)] = Evidence(origin=o.origin, text=text)
        ev.append(e)
    time = t.time
    if not time:
        time = next((o.time for o in t.evidence if o.time), None)
    same = texts.setdefault
    view = views.get(t.view)
    if view is None:
        view = views[t.view] = KubectlView(*t.view)
    return _make_transition((
        round(t.t, 3) if t.t is not None else None,
        (round(t.lo, 3), round(t.hi, 3)) if t.lo is not None and t.hi is not None else None,
        time, t.kind, t.summary or t.kind, t.container, t.from_state, t.to_state, t.restart_count, t.cause,
        t.probe, t.grace, t.backoff, t.expected, t.confidence,
        tuple([same(d, d) for d in t.detail if d]) if t.detail else (), same(t.rule, t.rule),
        tuple([same(m, m) for m in dict.fromkeys(t.missing)]) if t.missing else (), tuple(ev), view, None))


# _freeze passes Transition's fields in this order; a field added, removed or moved fails here, at import.
if tuple(f.name for f in dataclasses.fields(Transition)) != (
    "t", "t_range", "time", "kind", "summary", "container", "from_state", "to_state", "restart_count", "cause",
    "probe", "grace_period_seconds", "backoff_seconds", "expected", "confidence", "detail", "rule", "missing",
    "evidence", "view", "log_tail"):
    raise ImportError("model/pod.py: update _freeze to Transition's fields")
_make_transition = Transition._make  # type: ignore[attr-defined]


def _notes(inp: PodInput, trs: list[T]) -> list[str]:
    notes = []
    is_job = any(o.kind != "spec" and o.data.get("job") for o in inp.obs)
    if inp.key.name.startswith(UNNAMED):
        notes.append("the input never names this pod; it is shown under its file's name")
    notes += list(dict.fromkeys(str(o.data["pod_inferred"]) for o in inp.obs if o.data.get("pod_inferred")))
    if is_job:
        notes.append(f"this entry is the Job {inp.key.name} (its events, status and settings), not a pod")
    anchors = {o.data.get("anchor") for o in inp.obs if o.data.get("anchor")}
    for a in sorted(a for a in anchors if a):
        if a.startswith("assumed"):
            notes.append(f"times are relative: {a.replace('the pod', 'the Job') if is_job else a}")
    if inp.created_how and inp.created_how not in ("creationTimestamp",):
        notes.append(f"creation time estimated from {inp.created_how}")
    if not any(t.t is not None for t in trs) and trs:
        notes.append("no timestamps: transitions are in the order printed")
    if not trs and is_job:
        notes.append(f"only the Job's settings and status were seen: no events (`kubectl describe job "
                     f"{inp.key.name}` shows them, and its pods' `Created pod:` events)")
    elif not trs and inp.spec:
        notes.append(f"only the spec was seen: no status or events for this pod (try `{simulate_command(inp)}`)")
    elif not trs:
        seen = ("its log was" if any(o.kind == "log" or o.data.get("what") == "logs" for o in inp.obs) else
                "commands naming it were")
        notes.append(f"only {seen} seen: no status, events or spec for this pod (`kubectl describe pod "
                     f"{inp.key.name}` shows them)")
    if any(o.recovered for o in inp.obs):
        notes.append("the manifest was damaged (indentation or line breaks lost) and rebuilt along the Pod schema")
    return notes
