"""How a pod ended or why it is stuck ending: preemption, node loss, deadlines, deletion.

Each detector reads what the input shows (row STATUS, events, conditions, describe fields) and returns a
one-line diagnosis a maintainer would give first, or None. Rules and constants: ../shared/k8s-stuck-pods.md
sections 9.2 (preemption), 9.5 (node loss), 9.7 (deadlines and Jobs) and the deletion notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_podlife.model import deletion, jobtiming, stuck
from kubectl_podlife.model.timeline import Diagnosis
from kubectl_podlife.timefmt import clock

# Constants the explanations cite.
DEFAULT_TOLERATION_SECONDS = 300  # DefaultTolerationSeconds admission plugin: unreachable / not-ready NoExecute
POD_EVICTION_TIMEOUT_SECONDS = 300  # --pod-eviction-timeout of the pre-taint (NodeLost) path, removed in 1.27
DEFAULT_GRACE_SECONDS = 30  # terminationGracePeriodSeconds default

# --- message grammars ------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _flat(msg: str) -> str:
    """A message as one line: wrapped describe columns and collapsed spacing read the same."""
    return _WS.sub(" ", msg or "").strip()


@dataclass(frozen=True)
class Preemption:
    preemptor: str | None  # "ns/name", a UID, or None when the era's message hides it
    node: str | None
    era: str  # "<=1.26" | "1.27-1.28" | "1.29+" | "kubelet" | "condition"


# [<=1.26] Preempted by <ns>/<name> on node <node>; [1.27-1.28] Preempted by a pod on node <node>;
# [1.29+] Preempted by pod <uid> on node <node>; kubelet critical-pod admission: Preempted in order to admit
# critical pod.
_PREEMPTED = re.compile(r"^Preempted by (?:(?P<a>a pod)|pod (?P<uid>[0-9a-f-]{36})|(?P<ns>[\w.-]+/[\w.-]+))"
                        r"(?: on node (?P<node>\S+?))?\.?$")
_PREEMPT_KUBELET = re.compile(r"^Preempted in order to admit critical pod")
# DisruptionTarget message: 1.26.0 "<scheduler>: preempting to accommodate a higher priority pod: ns/name",
# later without the preemptor.
_DT_PREEMPT = re.compile(r"preempting to accommodate a higher priority pod(?::\s*(?P<who>[\w.-]+/[\w.-]+))?")


def parse_preempted(msg: str) -> Preemption | None:
    m = _PREEMPTED.match(_flat(msg))
    if m:
        if m.group("a"):
            return Preemption(None, m.group("node"), "1.27-1.28")
        if m.group("uid"):
            return Preemption(m.group("uid"), m.group("node"), "1.29+")
        return Preemption(m.group("ns"), m.group("node"), "<=1.26")
    if _PREEMPT_KUBELET.match(_flat(msg)):
        return Preemption(None, None, "kubelet")
    m = _DT_PREEMPT.search(_flat(msg))
    if m:
        return Preemption(m.group("who"), None, "condition")
    return None


# Pod: "Pod was active on the node longer than the specified deadline" (kubelet, activeDeadlineSeconds).
# Job: "Job was active longer than specified deadline" (job controller, Job activeDeadlineSeconds).
# Job: "Job has reached the specified backoff limit" (BackoffLimitExceeded).
_POD_DEADLINE = re.compile(r"Pod was active on the node longer than (?:the )?specified deadline", re.I)
_JOB_DEADLINE = re.compile(r"Job was active longer than (?:the )?specified deadline", re.I)
_JOB_BACKOFF = re.compile(r"Job has reached the specified backoff limit", re.I)


def parse_deadline(reason: str, msg: str) -> str | None:
    """'pod-deadline' | 'job-deadline' | 'job-backoff-limit' or None."""
    f = _flat(msg)
    if _POD_DEADLINE.search(f):
        return "pod-deadline"
    if _JOB_DEADLINE.search(f):
        return "job-deadline"
    if _JOB_BACKOFF.search(f) or reason == "BackoffLimitExceeded":
        return "job-backoff-limit"
    if reason == "DeadlineExceeded":
        return "pod-deadline"
    return None


# Node controller (legacy, <=1.26): "Node <node> which was running pod <pod> is unresponsive";
# pod event "Node is not ready" (NodeNotReady); taint eviction "Marking for deletion Pod <ns>/<name>";
# graceful node shutdown "Pod was terminated in response to imminent node shutdown."
_NODE_UNRESPONSIVE = re.compile(r"Node (?P<node>\S+) which was running pod (?P<pod>\S+) is unresponsive")
_NODE_SHUTDOWN = re.compile(r"terminated in response to imminent node shutdown", re.I)
_TAINT_EVICTION = re.compile(r"Marking for deletion Pod (?P<pod>\S+)")


def parse_node_loss(reason: str, msg: str) -> tuple[str, str | None] | None:
    """(what, node) for a node-loss message: unresponsive | not-ready | taint-eviction | shutdown."""
    f = _flat(msg)
    m = _NODE_UNRESPONSIVE.search(f)
    if m:
        return "unresponsive", m.group("node")
    if _NODE_SHUTDOWN.search(f):
        return "shutdown", None
    if reason == "TaintManagerEviction" or _TAINT_EVICTION.search(f):
        return "taint-eviction", None
    if reason == "NodeNotReady" or f.startswith("Node is not ready"):
        return "not-ready", None
    return None


# DisruptionTarget condition reasons (k8s-stuck-pods.md 9.2.3): reason -> (cause, who set it and what follows).
# The condition is set just before the pod is deleted or killed; a plain DELETE sets none.
DISRUPTION_REASONS = {
    "PreemptionByScheduler": ("preempted", "the scheduler preempts it to make room for a higher-priority pod and "
                                           "deletes it with its grace period"),
    "PreemptionByKubeScheduler": ("preempted", "the scheduler preempts it to make room for a higher-priority pod "
                                               "and deletes it with its grace period (1.26 reason name)"),
    "DeletionByTaintManager": ("node-lost", "the taint-eviction controller deletes it: its node has a NoExecute "
                                            "taint (unreachable, not-ready) it tolerates no longer"),
    "EvictionByEvictionAPI": ("deleted", "evicted through the Eviction API (kubectl drain, an autoscaler): deleted "
                                         "with its grace period"),
    "DeletionByPodGC": ("node-lost", "the PodGC controller deletes it: its node no longer exists"),
    "TerminationByKubelet": ("evicted", "the kubelet terminates it: node-pressure eviction or graceful node "
                                        "shutdown"),
    "DeletionByDeviceTaintManager": ("deleted", "the device-taint controller deletes it: a device it uses has a "
                                                "NoExecute taint"),
}


stuck.REASON_KIND.setdefault("BackoffLimitExceeded", "deadline-exceeded")
stuck.REASON_KIND.setdefault("DeadlineExceeded", "deadline-exceeded")


def explain(tr) -> bool:
    """Explain a transition of one of this module's kinds; False when the kind is not ours."""
    if tr.kind == "deadline-exceeded":
        return _explain_deadline_event(tr)
    if tr.kind != "disruption-target":
        return False
    o = tr.evidence[0] if tr.evidence else None
    dt = ((o.data.get("conditions") or {}).get("DisruptionTarget") or {}) if o is not None else {}
    reason, msg = tr.reason or "", _flat(str(dt.get("message") or ""))
    cause, what = DISRUPTION_REASONS.get(reason, (None, None))
    if cause is None and reason.startswith("Preemption") or _DT_PREEMPT.search(msg):
        cause, what = DISRUPTION_REASONS["PreemptionByScheduler"]
    tr.cause = cause or "unknown"
    tr.summary = ("DisruptionTarget True" + (f" ({reason})" if reason else "") + (f": {msg[:200]}" if msg else ""))
    tr.detail.append(what[0].upper() + what[1:] + "." if what else
                     "The pod is marked to be deleted or killed by a disruption (preemption, taint eviction, Eviction "
                     "API, PodGC or the kubelet); the input does not show the condition's reason, so not which one.")
    tr.rule = ("DisruptionTarget=True is set just before a disruption deletes or kills the pod; a plain "
               "`kubectl delete` or a scale-down sets none")
    if not reason:
        tr.missing.append("the DisruptionTarget condition's reason and message (`kubectl get pod -o yaml`)")
    return True


def _explain_deadline_event(tr) -> bool:
    o = tr.evidence[0] if tr.evidence else None
    reason = str(o.data.get("reason") or "") if o is not None else ""
    msg = _flat(str(o.data.get("message") or "")) if o is not None else ""
    what = parse_deadline(reason, msg)
    times = f" (×{tr.count})" if tr.count > 1 else ""
    tr.cause = "deadline-exceeded"
    tr.summary = f"{reason}{times}: {msg[:200]}" if msg else f"{reason}{times}"
    if what == "job-backoff-limit":
        tr.rule = ("a Job fails once its pods have failed backoffLimit (default 6) times; each replacement is "
                   "created after a back-off of 10 s doubling")
    elif what == "job-deadline":
        tr.rule = ("a Job fails when it has been active activeDeadlineSeconds since its start; the job controller "
                   "then deletes its running pods")
    else:
        tr.rule = ("the kubelet fails a pod that has been active activeDeadlineSeconds since its start: its "
                   "containers are killed, phase Failed, never restarted")
    return True


# --- detectors ---------------------------------------------------------------------------------

def _node(inp) -> str | None:
    for o in reversed(inp.rows + inp.pstates):
        n = o.data.get("node")
        if n and n not in ("<none>", "<unknown>"):
            return n
    return None


def _grace(inp) -> float | None:
    g = deletion.deletion_grace(inp)
    return g.seconds if g is not None else None


def _conditions(inp) -> dict:
    """The last known value of each pod condition, with `origin` naming the line that showed it."""
    out: dict = {}
    for o in inp.pstates:
        for k, v in (o.data.get("conditions") or {}).items():
            out[k] = {**v, "origin": o.origin}
    return out


def _events(inp):
    for o, _fact in inp.events:
        yield o, str(o.data.get("reason") or ""), str(o.data.get("message") or "")


def _origin(o) -> str:
    return o.origin


def detect(inp, final: str | None, restarts: int, restart_causes: bool) -> Diagnosis | None:
    """The ending of this pod when the input shows one, else None (the caller's rules apply)."""
    for fn in (_preempted, _deadline, _node_lost):
        d = fn(inp, final, restarts)
        if d is not None:
            return d
    if not restart_causes:
        return _deleted(inp, final, restarts)
    return None


def _preempted(inp, final, restarts) -> Diagnosis | None:
    for o, reason, msg in _events(inp):
        if reason in ("Preempted", "Preempting"):
            p = parse_preempted(msg)
            if p is None:
                continue
            return Diagnosis(cause="preempted", summary=_preempt_sentence(p, final, o), confidence="observed")
    dt = _conditions(inp).get("DisruptionTarget") or {}
    if str(dt.get("reason") or "").startswith("Preemption") or _DT_PREEMPT.search(_flat(dt.get("message", ""))):
        p = parse_preempted(str(dt.get("message") or "")) or Preemption(None, None, "condition")
        return Diagnosis(cause="preempted", summary=_preempt_sentence(p, final, dt["origin"]), confidence="observed")
    return None


def _preempt_sentence(p: Preemption, final, o) -> str:
    if p.era == "kubelet":
        return (f"Preempted by the kubelet to admit a critical pod (node out of resources); the pod is "
                f"{final or 'Failed'} and is not restarted")
    who = (f"higher-priority pod {p.preemptor}" if p.preemptor and "/" in p.preemptor else
           f"higher-priority pod (uid {p.preemptor})" if p.preemptor else
           "a higher-priority pod (this release's message does not name it)")
    where = f" on node {p.node}" if p.node else ""
    state = (f"; still {final}: the scheduler deleted it with its grace period and the preemptor waits for it"
             if final == "Terminating" else
             "; the scheduler deleted it (a bare pod is gone; a controller would make a replacement)")
    at = f" ({o if isinstance(o, str) else _origin(o)})" if o is not None else ""
    return f"Preempted by the scheduler for {who}{where}{at}{state}"


# --- Jobs (k8s-stuck-pods.md 9.7.2): the Job's entry, and its pods' ------------------------------------

@dataclass(frozen=True)
class JobView:
    """What the input shows of the Job an entry is (or whose pod it is)."""
    name: str
    is_self: bool  # the entry is the Job itself, not one of its pods
    fields: dict  # backoffLimit, activeDeadlineSeconds, ... as shown
    origins: dict  # field -> file:line
    counts: dict  # status failed / succeeded / active
    failed: tuple | None  # (reason, message, origin) of a Failed/FailureTarget condition
    created: tuple  # ((pod, origin), ...) from SuccessfulCreate
    deleted: tuple  # ((pod, origin), ...) from SuccessfulDelete
    gaps: tuple = ()  # jobtiming.Gap between its pods' creations, when the input gives their times


_POD_NAMED = re.compile(r"^(Created|Deleted) pod: (\S+)")


def job_view(inp) -> JobView | None:
    marks = [o for o in inp.obs if o.kind != "spec" and (o.data.get("job") or o.data.get("via_job"))]
    if not marks:
        return None
    is_self = any(o.data.get("job") for o in marks)
    name = inp.key.name if is_self else str(next(o.data["via_job"] for o in marks if o.data.get("via_job")))
    fields: dict = {}
    origins: dict = {}
    counts: dict = {}
    failed = None
    created, deleted = [], []
    for o in marks:
        what = o.data.get("what")
        if what == "job-settings":
            fields.update(o.data.get("fields") or {})
            origins.update(o.data.get("origins") or {k: o.origin for k in o.data.get("fields") or {}})
        elif what == "job-status":
            counts.update(o.data.get("counts") or {})
            for ctype in ("Failed", "FailureTarget"):
                c = (o.data.get("conditions") or {}).get(ctype) or {}
                if c.get("status") == "True":
                    failed = (str(c.get("reason") or ""), str(c.get("message") or ""), o.origin)
        elif o.kind == "event":
            m = _POD_NAMED.match(_flat(str(o.data.get("message") or "")))
            if m:
                (created if m.group(1) == "Created" else deleted).append((m.group(2), o.origin))
    gaps = tuple(jobtiming.gaps(jobtiming.creations(inp.obs), fields.get("parallelism"))) if is_self else ()
    return JobView(name, is_self, fields, origins, counts, failed, tuple(dict.fromkeys(created)),
                   tuple(dict.fromkeys(deleted)), gaps)


def _has_own_status(inp) -> bool:
    return bool(inp.rows or inp.cstates or inp.pstates)


def _pods_list(items) -> str:
    names = [p for p, _ in items]
    return ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def _job_sentence(job: JobView, what: str, o, msg: str) -> str:
    at = f" ({_origin(o)})" if o is not None and not isinstance(o, str) else (f" ({o})" if o else "")
    f, where = job.fields, job.origins
    if what == "job-backoff-limit":
        limit = f.get("backoffLimit")
        text = (f"Job {job.name} failed: it reached its backoff limit (BackoffLimitExceeded"
                + (f': "{msg}"' if msg else "") + f"){at}; "
                + (f"backoffLimit {limit} ({where.get('backoffLimit')})" if limit is not None else
                   "backoffLimit not in the input (default 6)"))
        if job.counts.get("failed") is not None:
            text += f"; its status counts {job.counts['failed']} failed pod{'s' if job.counts['failed'] != 1 else ''}"
        if job.created:
            text += (f"; the input shows {len(job.created)} of its pods created ({_pods_list(job.created)}, "
                     f"job-controller SuccessfulCreate)")
        return text + jobtiming.sentence(list(job.gaps)) + ("; it now creates no more; each pod's own exit code "
                                                            "is in that pod's status, not in this input")
    deadline = f.get("activeDeadlineSeconds")
    text = (f"Job {job.name} failed: it ran longer than its activeDeadlineSeconds"
            + (f" ({deadline} s, {where.get('activeDeadlineSeconds')})" if deadline is not None else
               " (the value is not in the input)") + f"; DeadlineExceeded{at}")
    if job.deleted:
        text += f"; the job controller deleted its running pods: {_pods_list(job.deleted)} (SuccessfulDelete)"
    else:
        text += "; the job controller deletes its running pods"
    return text + "; a Job's deadline counts from the Job's start and outranks its backoffLimit"


def _job_deadline(inp, job: JobView, hit) -> Diagnosis | None:
    what, o, msg = hit
    if job.is_self:
        return Diagnosis(cause="deadline-exceeded", summary=_job_sentence(job, what, o, msg), confidence="observed")
    mine = [orig for p, orig in job.deleted if p == inp.key.name]
    if what == "job-deadline" and (mine or not _has_own_status(inp)):
        deadline = job.fields.get("activeDeadlineSeconds")
        text = ((f"Deleted by the job controller (SuccessfulDelete, {mine[0]})" if mine else
                 "Its Job's deadline ended it") + f": its Job {job.name} ran longer than its activeDeadlineSeconds"
                + (f" ({deadline} s, {job.origins.get('activeDeadlineSeconds')})" if deadline is not None else
                   " (the value is not in the input)")
                + f" (DeadlineExceeded, {_origin(o) if not isinstance(o, str) else o}); the deadline counts from "
                  "the Job's start, and the pod is not restarted")
        return Diagnosis(cause="deadline-exceeded", summary=text, confidence="observed")
    if what == "job-backoff-limit" and not _has_own_status(inp):
        made = next((orig for p, orig in job.created if p == inp.key.name), None)
        text = (f"Pod of Job {job.name}: the input shows only its creation"
                + (f" (SuccessfulCreate, {made})" if made else "") + f"; the Job then failed: it reached its backoff "
                f"limit (BackoffLimitExceeded, {_origin(o) if not isinstance(o, str) else o}), so its pods failed, "
                "but this pod's own status and exit code are not in the input (`kubectl get pods -l job-name="
                f"{job.name}`)")
        return Diagnosis(cause="unknown", summary=text, confidence="inferred")
    return None


def _deadline(inp, final, restarts) -> Diagnosis | None:
    hit = None
    for o, reason, msg in _events(inp):
        what = parse_deadline(reason, msg) if reason in ("DeadlineExceeded", "BackoffLimitExceeded") else None
        if what:
            hit = (what, o, _flat(msg))
    job = job_view(inp)
    if job is not None and hit is None and job.failed is not None:
        what = parse_deadline(job.failed[0], job.failed[1])
        if what in ("job-deadline", "job-backoff-limit") or job.failed[0] == "DeadlineExceeded":
            hit = (what if what != "pod-deadline" else "job-deadline", job.failed[2], _flat(job.failed[1]))
    if job is not None and hit is not None and hit[0] in ("job-deadline", "job-backoff-limit"):
        return _job_deadline(inp, job, hit)
    status = final or ""
    if hit is None:
        # the pod's own status.reason (an API object, describe's Reason:) or a STATUS row said so, even when
        # the container's exit reason (Error) is what kubectl shows last
        o = deadline_exceeded(inp)
        if o is not None:
            hit = ("pod-deadline", o, "")
    if hit is None and status != "DeadlineExceeded":
        return None
    deadline = (inp.spec or {}).get("activeDeadlineSeconds")
    what = hit[0] if hit else "pod-deadline"
    if what == "job-backoff-limit":
        text = "Job failed: it reached its backoff limit (BackoffLimitExceeded); no more pods are created"
    elif what == "job-deadline":
        text = ("Job failed: it ran longer than its activeDeadlineSeconds"
                + (f" ({int(deadline)} s)" if deadline else "") + "; the job controller deleted its running pods")
    else:
        text = ("DeadlineExceeded: the pod ran longer than its activeDeadlineSeconds"
                + (f" ({int(deadline)} s)" if deadline else " (the value is not in the input)")
                + f"; the kubelet killed its containers and failed it (phase Failed), it is not restarted")
    if hit:
        text += f" ({_origin(hit[1])})"
    return Diagnosis(cause="deadline-exceeded", summary=text, confidence="observed")


def deadline_exceeded(inp):
    """The first observation showing the pod failed by its activeDeadlineSeconds (the kubelet's
    DeadlineExceeded event, the pod's status.reason, or a STATUS row), or None."""
    found = [o for o, reason, msg in _events(inp) if reason == "DeadlineExceeded"
             and parse_deadline(reason, msg) == "pod-deadline"]
    found += [o for o in inp.pstates if o.data.get("reason") == "DeadlineExceeded"]
    found += [r for r in inp.rows if r.data.get("status") == "DeadlineExceeded"]
    timed = [o for o in found if o.t is not None]
    return min(timed, key=lambda o: o.t) if timed else (found[0] if found else None)


def _node_lost(inp, final, restarts) -> Diagnosis | None:
    node = _node(inp)
    loss = None
    for o, reason, msg in _events(inp):
        got = parse_node_loss(reason, msg)
        if got:
            loss = (got, o)
    status = final or ""
    if status in ("NodeLost", "Unknown"):
        where = f"node {node}" if node else "its node"
        how = ("marked NodeLost by the node controller: the kubelet stopped reporting, so "
               f"{where} is NotReady and nobody can confirm the pod's state"
               if status == "NodeLost" else
               f"STATUS Unknown: deleted while {where} was unreachable (reason NodeLost); "
               "it stays until the node returns or the Node object is deleted")
        tail = ("; pods of a DaemonSet are not evicted from the lost node" if status == "NodeLost" else "")
        return Diagnosis(cause="node-lost", summary=f"{status}: {how}{tail}", confidence="observed")
    dt = _conditions(inp).get("DisruptionTarget") or {}
    by = str(dt.get("reason") or "")
    if loss is None and dt.get("status") == "True" and DISRUPTION_REASONS.get(by, ("",))[0] == "node-lost":
        # an API object names the controller that deleted the pod even where no event is shown
        where = f"node {node}" if node else "its node"
        text = (f"Evicted from {where} by the taint-eviction controller: {where} has a NoExecute taint "
                f"(unreachable or not-ready) its {DEFAULT_TOLERATION_SECONDS} s default toleration no longer covers"
                if by == "DeletionByTaintManager" else f"Deleted by the PodGC controller: {where} no longer exists")
        if status == "Terminating":
            text += "; still Terminating: the kubelet on the unreachable node cannot confirm the kill"
        return Diagnosis(cause="node-lost", summary=f"{text} ({dt['origin']}: DisruptionTarget {by})",
                         confidence="observed")
    if loss is None:
        return _node_down(inp, status, node)
    (what, lost_node), o = loss
    node = lost_node or node
    where = f"node {node}" if node else "its node"
    if what == "shutdown":
        text = (f"Terminated by graceful node shutdown: {where} was shutting down and the kubelet killed the pod "
                f"(phase Failed)")
    elif what == "taint-eviction":
        text = (f"Evicted from {where} by the taint-eviction controller after the NoExecute toleration "
                f"({DEFAULT_TOLERATION_SECONDS} s default) expired"
                + ("; still Terminating: the kubelet on the unreachable node cannot confirm the kill"
                   if status == "Terminating" else ""))
    else:
        text = f"{where[0].upper() + where[1:]} is NotReady: the pod's Ready condition is False"
        if status == "Terminating":
            text += "; still Terminating: the kubelet on the unreachable node cannot confirm the kill"
    return Diagnosis(cause="node-lost", summary=f"{text} ({_origin(o)})", confidence="observed")


def deletion_exit(exit_code: int | None, grace: float | None) -> str | None:
    """What a container's exit code says about how a deletion stopped it (k8s-stuck-pods.md 9.8.1 step 4)."""
    if exit_code == 137:
        if grace == 0:
            return "exit 137 = SIGKILL: a 0 s grace period kills at once, without SIGTERM first"
        return ("exit 137 = SIGKILL: it did not stop on SIGTERM within the "
                + (f"{int(grace)} s " if grace is not None else "") + "grace period (PID 1 ignoring SIGTERM, or "
                "shutting down too slowly), so the kubelet killed it; the deletion, not an application error")
    if exit_code == 143:
        return "exit 143 = SIGTERM: stopped by SIGTERM's default action, within the grace period"
    if exit_code == 0:
        return "exit 0: it handled SIGTERM and exited cleanly within the grace period"
    return None


_ENDED = {"Error", "Completed", "OOMKilled", "ContainerStatusUnknown", "Failed", "Succeeded"}


def _deleted(inp, final, restarts) -> Diagnosis | None:
    if final != "Terminating":
        if final is None or final in _ENDED or final.startswith(("Signal:", "ExitCode:")):
            return _deletion_done(inp, final)
        return None
    grace = _grace(inp)
    g = deletion.deletion_grace(inp)
    if g is not None and g.seconds == 0 and "forced" in g.source:
        node = _node(inp)
        return Diagnosis(cause="deleted", confidence="observed",
                         summary=(f"Force-deleted ({g.origin}: deletionGracePeriodSeconds 0 on a pod still running, "
                                  "`kubectl delete --grace-period=0 --force`): the API object is removed at once, "
                                  "without waiting for the kubelet; its containers may still run on "
                                  f"{node or 'the node'} until the kubelet kills them"))
    term = next((o for o in reversed(inp.pstates) if o.data.get("terminating")), None)
    lasts = term.data.get("terminating_lasts") if term is not None else None
    overdue = term.data.get("past_deletion_deadline") if term is not None else None
    req = deletion.requested_at(inp)
    if grace is None and not overdue and lasts != "<invalid>":
        if req is None or deletion.ended_before(inp, req[0]):
            return None
        return Diagnosis(cause="deleted", confidence="observed",
                         summary=(f"Terminating since {clock(req[0])} ({req[1]}): the pod is being deleted; the input "
                                  f"shows no grace period ({DEFAULT_GRACE_SECONDS} s unless `kubectl delete "
                                  "--grace-period` set another), after which the kubelet SIGKILLs what still runs"))
    left = _time_left(inp, term, req, grace)
    if left is not None:
        return Diagnosis(cause="deleted", confidence="observed", summary=left)
    if req is not None and not overdue and deletion.stopped_at(inp, req[0]) is not None:
        # the containers stopped (READY 0 in Terminating rows of a pre-1.31 server, an exit in a state): its end
        done = _deletion_done(inp, final)
        if done is not None:
            return done
    pending = False
    node = _node(inp)
    last: dict = {}
    for o in inp.cstates:  # the last state shown for each container (unnamed ones by their line)
        last[(o.container, o.data.get("init"), o.container or o.seq)] = o
    running = [o for o in last.values() if (o.data.get("state") or {}).get("status") == "running"]
    ended = [o for o in last.values() if (o.data.get("state") or {}).get("status") == "terminated"]
    if lasts == "<invalid>":  # kubectl's word for a deletionTimestamp still in the future
        text = (f"Terminating, still within its grace period ({term.origin}: `lasts <invalid>` means the deletion "
                "deadline is still ahead)" + (f"; deleted with a {int(grace)} s grace period, after which the kubelet "
                                              "SIGKILLs what is still running" if grace is not None else ""))
    elif overdue:
        text = (f"Terminating for {lasts} past its deletion deadline ({term.origin}"
                + (f"; deleted with a {int(grace)} s grace period" if grace is not None else "")
                + "): the kubelet should have killed the containers and the pod should be long gone")
    elif req is not None and not (term is not None and "last_ago" in term.data):
        # an API object or rows: when it was printed is not shown, so neither is whether the deadline passed
        text = (f"Terminating since {clock(req[0])}: deleted with a {int(grace)} s grace period, deadline "
                f"{clock(req[0] + grace)}; after it the kubelet SIGKILLs what still runs and the pod should be gone "
                "(the input does not show whether it has passed)")
        pending = True
    else:
        text = (f"Terminating past its grace period: deleted with a {int(grace)} s grace period, after which the "
                "kubelet SIGKILLs the containers and the pod should be gone")
    if running and pending:
        text += "; the container is still reported Running"
    elif running:
        text += "; the container is still reported Running, so the kubelet never finished the kill"
    elif ended and len(ended) == len(last):
        apps = [o for o in ended if not o.data.get("init")]
        codes = [(o.container, (o.data.get("state") or {}).get("exit_code")) for o in apps]
        said = [f"{c + ': ' if c else ''}{deletion_exit(code, grace)}" for c, code in codes
                if deletion_exit(code, grace)]
        text += "; every container has exited" + (f" ({'; '.join(said)})" if said else "")
        if lasts != "<invalid>":
            text += (", so only the API object is left: the kubelet never reported the pod finished (e.g. it "
                     "restarted during termination), or a finalizer holds it")
    dt = _conditions(inp).get("DisruptionTarget") or {}
    if dt.get("status") == "True" and not dt.get("reason"):
        text += "; DisruptionTarget is True: a disruption (not a plain delete) started it, the input does not say which"
    if not (ended and len(ended) == len(last)) and lasts != "<invalid>":
        text += (("; if it outlives the deadline, the usual reasons: " if pending else "; usual reasons: ")
                 + "finalizers, volumes not unmounted, or the kubelet"
                 + (f" on {node}" if node else "") + " not reporting")
    return Diagnosis(cause="deleted", summary=text, confidence="observed" if overdue else "inferred")



def _time_left(inp, term, req, grace) -> str | None:
    """"Being deleted since 40s with a 45 s grace period: 15 s left" when the input says when it was printed
    (describe's ages) and the deadline is still ahead; None otherwise."""
    if term is None or req is None or grace is None or term.t is None or "last_ago" not in term.data:
        return None
    deadline = req[0] + grace
    if term.t >= deadline:
        return None
    g = deletion.deletion_grace(inp)
    where = f"{g.source}, {g.origin}" if g is not None and g.origin else (g.source if g is not None else "")
    text = (f"Being deleted since {clock(req[0])} with a {int(grace)} s grace period ({where}): "
            f"{int(round(deadline - term.t))} s left at {clock(term.t)} before the kubelet SIGKILLs what still runs")
    if any((o.data.get("state") or {}).get("status") == "running" for o in _last_states(inp).values()):
        text += "; the container is still running (waiting for it to stop on SIGTERM)"
    return text


def _last_states(inp) -> dict:
    last: dict = {}
    for o in inp.cstates:  # the last state shown for each container (unnamed ones by their line)
        last[(o.container, o.data.get("init"), o.container or o.seq)] = o
    return last


def _deletion_done(inp, final) -> Diagnosis | None:
    """A deletion that ran its course: the containers stopped (on SIGTERM, or SIGKILLed at the end of the grace
    period) and the pod is gone or about to be; its exits are the deletion's, not the application's."""
    req = deletion.requested_at(inp)
    if req is None or deletion.ended_before(inp, req[0]):
        return None
    g = deletion.deletion_grace(inp)
    grace = g.seconds if g is not None else None
    said = (f"with a {int(grace)} s grace period ({g.source}" + (f", {g.origin}" if g.origin else "") + ")"
            if g is not None and g.observed else
            f"(grace period {int(grace) if grace is not None else DEFAULT_GRACE_SECONDS} s assumed: "
            + ("the spec's" if grace is not None else "the default") + "; `kubectl delete --grace-period` may "
            "have set another)")
    text = f"Deleted at {clock(req[0])} ({req[1]}) {said}"
    apps = [o for o in _last_states(inp).values() if not o.data.get("init")
            and (o.data.get("state") or {}).get("status") == "terminated"]
    exits = [(o.container, (o.data.get("state") or {}).get("exit_code")) for o in apps]
    words = [f"{c + ': ' if c else ''}{deletion_exit(code, grace)}" for c, code in exits if deletion_exit(code, grace)]
    stop = deletion.stopped_at(inp, req[0])
    if words:
        text += "; " + "; ".join(words)
    elif stop is not None:
        took = stop[0] - req[0]
        if g is not None and g.inferred:
            text += (f"; the containers stopped {clock(took)} later: SIGKILL at the end of a {int(grace)} s grace "
                     "period (`kubectl delete --grace-period`), or a slow shutdown on SIGTERM within a longer one "
                     "(the input does not show the exit code); either way the deletion's doing, not an application "
                     "error")
        elif grace is not None and took >= grace - 1:
            text += (f"; the containers stopped {clock(took)} later, at the end of the grace period: SIGKILL, because "
                     "they did not stop on SIGTERM (the deletion, not an application error)")
        else:
            text += f"; the containers stopped {clock(took)} later, on SIGTERM, within the grace period"
    gone = next((o for o in inp.obs if o.kind == "mark" and o.data.get("what") == "deleted"), None) or next(
        (r for r in inp.rows if r.data.get("deleted")), None)
    final_delete = next((o for o in reversed(inp.pstates) if o.data.get("deletion_grace_seconds") == 0), None)
    if gone is not None:
        text += f"; the pod is gone ({gone.origin})"
    elif final_delete is not None and g is not None and g.seconds > 0:
        text += (f"; the kubelet then deleted the object with grace 0 ({final_delete.origin}: "
                 "deletionGracePeriodSeconds 0), so it is gone")
    elif final:
        text += f"; kubectl shows {final} until the API object is removed"
    return Diagnosis(cause="deleted", summary=text, confidence="observed")


def _node_down(inp, status: str, node: str | None) -> Diagnosis | None:
    """No node event, but the input shows the pod's node NotReady (`get nodes`) or its kubelet unreachable
    (exec/logs cannot dial port 10250): the pod's own status there is what the node last reported."""
    down = [o for o in inp.obs if o.kind == "mark" and o.data.get("what") == "node"]
    dial = [o for o in inp.obs if o.kind == "mark" and o.data.get("what") == "kubelet-unreachable"]
    if not down and not dial:
        return None
    bits = []
    if down:
        d = down[-1]
        node = d.data.get("node") or node
        if d.data.get("status") == "not-reporting":
            bits.append(_not_reporting(inp, d))
        else:
            bits.append(f"node {node} is {d.data.get('status')} ({_origin(d)})")
    if dial:
        k = dial[-1]
        bits.append(f"the API server cannot reach the kubelet at {k.data.get('address')}:10250 "
                    f"({k.data.get('how')}, {_origin(k)})")
    where = " and ".join(bits)
    where = where[0].upper() + where[1:]
    if status == "Terminating":
        tail = ("; the pod is Terminating but nobody can finish it: the kubelet that would kill its containers and "
                "confirm the deletion is unreachable (the taint-eviction controller deletes pods of a NotReady node "
                f"after their {DEFAULT_TOLERATION_SECONDS} s toleration); it stays until the node returns, the Node "
                "object is deleted or the pod is force-deleted")
    elif down and down[-1].data.get("status") == "not-reporting":
        tail = ""  # a Pending pod the kubelet never reported: the sentence said it
    elif status in ("Running", ""):
        tail = (f"; its {status or 'last'} status is stale (the kubelet no longer reports), and after the "
                f"{DEFAULT_TOLERATION_SECONDS} s NoExecute toleration the taint-eviction controller deletes it")
    else:
        tail = f"; it is {status}, as the node last reported"
    return Diagnosis(cause="node-lost", summary=f"{where}{tail}", confidence="inferred")


def _not_reporting(inp, d) -> str:
    """A node whose kubelet acts on none of its pods, in the words of the rows that show it."""
    node, pend, ends = d.data.get("node"), d.data.get("pending") or {}, d.data.get("terminating") or []
    me = getattr(inp.key, "name", None)
    others = [e for e in ends if e.get("pod") != me]
    who = ", ".join(f"{e['pod']} ({e['origin']})" for e in others[:3])
    if pend.get("pod") == me:
        head = (f"the kubelet on node {node} never reported this pod: it is bound there but still Pending with no IP "
                f"after {pend.get('age')} (a pod the kubelet has seen is ContainerCreating at once)")
    else:
        head = (f"the kubelet on node {node} is not acting on its pods: {pend.get('pod')} is bound there but still "
                f"Pending with no IP after {pend.get('age')} ({pend.get('origin')})")
    if who:
        head += f", and {who} {'stays' if len(others) == 1 else 'stay'} Terminating there too"
    grep = d.data.get("via_grep")
    if grep:
        head += (f"; this pod's row prints node {grep.get('printed')}, but it is in the output of "
                 f"`grep {grep.get('grep')}`")
    return head + "; most likely the node is down or its kubelet stopped (the input shows no node status to confirm it)"
