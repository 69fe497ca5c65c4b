"""A Job's ending and its pods' (k8s-stuck-pods.md 9.7.2): backoff limit, the Job's deadline, and the
pod's own activeDeadlineSeconds."""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.model import jobtiming
from kubectl_podlife.model.ending_signs import event_texts, flat_message, origin_of, parse_deadline
from kubectl_podlife.model.timeline import Diagnosis

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


_POD_NAMED = lazy_compile(r"^(Created|Deleted) pod: (\S+)")


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
            m = _POD_NAMED.match(flat_message(str(o.data.get("message") or "")))
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
    at = f" ({origin_of(o)})" if o is not None and not isinstance(o, str) else (f" ({o})" if o else "")
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
                + f" (DeadlineExceeded, {origin_of(o) if not isinstance(o, str) else o}); the deadline counts from "
                  "the Job's start, and the pod is not restarted")
        return Diagnosis(cause="deadline-exceeded", summary=text, confidence="observed")
    if what == "job-backoff-limit" and not _has_own_status(inp):
        made = next((orig for p, orig in job.created if p == inp.key.name), None)
        text = (f"Pod of Job {job.name}: the input shows only its creation"
                + (f" (SuccessfulCreate, {made})" if made else "") + f"; the Job then failed: it reached its backoff "
                f"limit (BackoffLimitExceeded, {origin_of(o) if not isinstance(o, str) else o}), so its pods failed, "
                "but this pod's own status and exit code are not in the input (`kubectl get pods -l job-name="
                f"{job.name}`)")
        return Diagnosis(cause="unknown", summary=text, confidence="inferred")
    return None


def deadline_diagnosis(inp, final, restarts) -> Diagnosis | None:
    hit = None
    for o, reason, msg in event_texts(inp):
        what = parse_deadline(reason, msg) if reason in ("DeadlineExceeded", "BackoffLimitExceeded") else None
        if what:
            hit = (what, o, flat_message(msg))
    job = job_view(inp)
    if job is not None and hit is None and job.failed is not None:
        what = parse_deadline(job.failed[0], job.failed[1])
        if what in ("job-deadline", "job-backoff-limit") or job.failed[0] == "DeadlineExceeded":
            hit = (what if what != "pod-deadline" else "job-deadline", job.failed[2], flat_message(job.failed[1]))
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
        text += f" ({origin_of(hit[1])})"
    return Diagnosis(cause="deadline-exceeded", summary=text, confidence="observed")


def deadline_exceeded(inp):
    """The first observation showing the pod failed by its activeDeadlineSeconds (the kubelet's
    DeadlineExceeded event, the pod's status.reason, or a STATUS row), or None."""
    found = [o for o, reason, msg in event_texts(inp) if reason == "DeadlineExceeded"
             and parse_deadline(reason, msg) == "pod-deadline"]
    found += [o for o in inp.pstates if o.data.get("reason") == "DeadlineExceeded"]
    found += [r for r in inp.rows if r.data.get("status") == "DeadlineExceeded"]
    timed = [o for o in found if o.t is not None]
    return min(timed, key=lambda o: o.t) if timed else (found[0] if found else None)
