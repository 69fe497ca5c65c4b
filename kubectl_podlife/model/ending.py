"""How a pod ended or why it is stuck ending: the detectors in order, and the ending transitions explained.

Each detector reads what the input shows (row STATUS, events, conditions, describe fields) and returns a
one-line diagnosis a maintainer would give first, or None: preemption here, Jobs and deadlines in
ending_job.py, node loss in ending_node.py, deletion in ending_deletion.py; the message grammars they
share are in ending_signs.py. Rules and constants: ../shared/k8s-stuck-pods.md sections 9.2 (preemption),
9.5 (node loss), 9.7 (deadlines and Jobs) and the deletion notes.
"""

from __future__ import annotations

from kubectl_podlife.model import stuck
from kubectl_podlife.model.ending_deletion import deletion_diagnosis
from kubectl_podlife.model.ending_job import deadline_diagnosis
from kubectl_podlife.model.ending_node import node_loss_diagnosis
from kubectl_podlife.model.ending_signs import (DISRUPTION_REASONS, DT_PREEMPT, Preemption, event_texts, flat_message,
                                                last_conditions, origin_of, parse_deadline, parse_preempted)
from kubectl_podlife.model.timeline import Diagnosis

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
    reason, msg = tr.reason or "", flat_message(str(dt.get("message") or ""))
    cause, what = DISRUPTION_REASONS.get(reason, (None, None))
    if cause is None and reason.startswith("Preemption") or DT_PREEMPT.search(msg):
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
    msg = flat_message(str(o.data.get("message") or "")) if o is not None else ""
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

def detect(inp, final: str | None, restarts: int, restart_causes: bool) -> Diagnosis | None:
    """The ending of this pod when the input shows one, else None (the caller's rules apply)."""
    for fn in (_preempted, deadline_diagnosis, node_loss_diagnosis):
        d = fn(inp, final, restarts)
        if d is not None:
            return d
    if not restart_causes:
        return deletion_diagnosis(inp, final, restarts)
    return None


def _preempted(inp, final, restarts) -> Diagnosis | None:
    for o, reason, msg in event_texts(inp):
        if reason in ("Preempted", "Preempting"):
            p = parse_preempted(msg)
            if p is None:
                continue
            return Diagnosis(cause="preempted", summary=_preempt_sentence(p, final, o), confidence="observed")
    dt = last_conditions(inp).get("DisruptionTarget") or {}
    if str(dt.get("reason") or "").startswith("Preemption") or DT_PREEMPT.search(flat_message(dt.get("message", ""))):
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
    at = f" ({o if isinstance(o, str) else origin_of(o)})" if o is not None else ""
    return f"Preempted by the scheduler for {who}{where}{at}{state}"
