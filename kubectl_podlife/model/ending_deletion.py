"""A pod being deleted or deleted: Terminating within or past its grace period, time left, what the exit
codes say about how the deletion stopped the containers, and a deletion that ran its course."""

from __future__ import annotations

from kubectl_podlife.model import deletion
from kubectl_podlife.model.ending_signs import last_conditions, node_name
from kubectl_podlife.model.timeline import Diagnosis
from kubectl_podlife.timefmt import clock

DEFAULT_GRACE_SECONDS = 30  # terminationGracePeriodSeconds default


def _grace(inp) -> float | None:
    g = deletion.deletion_grace(inp)
    return g.seconds if g is not None else None


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


def deletion_diagnosis(inp, final, restarts) -> Diagnosis | None:
    if final != "Terminating":
        if final is None or final in _ENDED or final.startswith(("Signal:", "ExitCode:")):
            return _deletion_done(inp, final)
        return None
    grace = _grace(inp)
    g = deletion.deletion_grace(inp)
    if g is not None and g.seconds == 0 and "forced" in g.source:
        node = node_name(inp)
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
    node = node_name(inp)
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
    dt = last_conditions(inp).get("DisruptionTarget") or {}
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
