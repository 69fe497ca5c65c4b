"""A pod's deletion as the input shows it: when it was requested, the grace period it was given, and
when its containers stopped (k8s-stuck-pods.md 9.8, k8s-lifecycle.md 3.1-3.4).

One helper for every reader of the grace period (the Killing and Terminating explanations, the
deletion diagnosis): `kubectl delete --grace-period=45` overrides the spec's
terminationGracePeriodSeconds, and the input says so in deletionGracePeriodSeconds (API objects),
describe's `Termination Grace Period:` (printed only while the pod is being deleted), or the time the
containers took to stop once the deletion began (rows, container states).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_podlife.model.build import PodInput, pod_t, ready_counts
from kubectl_podlife.observation import EVENT

DEFAULT_GRACE_SECONDS = 30  # terminationGracePeriodSeconds default
SIGKILL_SLACK = 2.0  # the kubelet's one-off extension for an overrunning preStop hook (minimumGracePeriodInSeconds)
_STOPPED = {"Error", "Completed", "OOMKilled", "ContainerStatusUnknown"}


@dataclass(frozen=True)
class Grace:
    seconds: float
    source: str  # where it was read, in words
    origin: str | None = None  # file:line
    observed: bool = True  # False: the spec's or the default, which a --grace-period may have overridden
    inferred: bool = False  # a lower bound from the time the containers took to stop


def requested_at(inp: PodInput) -> tuple[float, str] | None:
    """(pod time, origin) of the delete request: deletionTimestamp - deletionGracePeriodSeconds of the
    object, the first Terminating row, or the kubelet's `Killing ... Stopping container` event.
    Worked out once per pod (several explainers ask; each answer reads every row)."""
    if "requested_at" not in inp.derived:
        inp.derived["requested_at"] = _requested_at(inp)
    return inp.derived["requested_at"]


def _requested_at(inp: PodInput) -> tuple[float, str] | None:
    found: list[tuple[float, str]] = []
    for o in inp.pstates:
        d = o.data
        g = d.get("deletion_grace_seconds")
        dt = pod_t(inp, d.get("deletion_time"))
        if dt is not None and isinstance(g, (int, float)):
            found.append((dt - g, o.origin))
    row = next((r for r in inp.rows if r.data.get("status") == "Terminating" and r.t is not None), None)
    if row is not None:
        found.append((row.t_lo if row.t_lo is not None else row.t, row.origin))
    for o, f in inp.events:
        if f.what == "killing" and f.kill_reason == "stop" and o.t is not None and not kubelet_stop(inp):
            first = o.data.get("first_t")
            found.append((first[0] if first else o.t, o.origin))
    return min(found) if found else None


_KUBELET_STOPS = ("Evicted", "DeadlineExceeded")


def kubelet_stop(inp: PodInput) -> str | None:
    """Evicted / DeadlineExceeded when the kubelet itself failed the pod: its `Killing ... Stopping container`
    is then that stop, not a deletion's."""
    for o, _f in inp.events:
        if o.data.get("reason") in _KUBELET_STOPS:
            return str(o.data["reason"])
    for o in inp.pstates:
        if o.data.get("reason") in _KUBELET_STOPS:
            return str(o.data["reason"])
    for r in inp.rows:
        if r.data.get("status") in _KUBELET_STOPS:
            return str(r.data["status"])
    return None


def stopped_at(inp: PodInput, after: float) -> tuple[float, str] | None:
    """When the containers stopped once the deletion began: a container's finishedAt, else the first row
    that no longer shows it running (STATUS left Terminating, or READY fell to 0)."""
    ends = []
    for o in inp.cstates:
        st = o.data.get("state") or {}
        if st.get("status") == "terminated":
            ft = pod_t(inp, st.get("finished_at"))
            if ft is not None and ft >= after - 1:
                ends.append((ft, o.origin))
    if ends:
        return max(ends)
    seen = False
    for r in inp.rows:
        status, t = r.data.get("status"), r.t
        if status == "Terminating":
            seen = True
        if not seen or t is None or t < after:
            continue
        rc = ready_counts(r.data.get("ready"))
        if status in _STOPPED or (status == "Terminating" and rc and rc[1] and rc[0] == 0):
            return t, r.origin
    return None


def deletion_grace(inp: PodInput) -> Grace | None:
    """The grace period the pod's deletion used, or None when the input shows none (30 s unless
    `kubectl delete --grace-period` said otherwise)."""
    positive = [(o.data["deletion_grace_seconds"], o.origin) for o in inp.pstates
                if isinstance(o.data.get("deletion_grace_seconds"), (int, float)) and o.data["deletion_grace_seconds"] > 0]
    if positive:
        # A second delete may only shorten it; the kubelet's final delete (grace 0, once every container has
        # stopped) is the confirmation, not the grace period.
        g, origin = min(positive)
        return Grace(float(g), "deletionGracePeriodSeconds", origin)
    printed = [(o.data["termination_grace_seconds"], o.origin) for o in inp.pstates
               if o.data.get("termination_grace_seconds") is not None and o.data.get("terminating")
               and "deletion_grace_seconds" not in o.data]  # (an API object's is its spec's)
    if printed:  # describe prints it from deletionGracePeriodSeconds, and only while the pod is being deleted
        return Grace(float(printed[-1][0]), "Termination Grace Period (describe)", printed[-1][1])
    zero = [o.origin for o in inp.pstates if o.data.get("deletion_grace_seconds") == 0]
    spec_g = inp.spec.get("terminationGracePeriodSeconds")
    assumed = float(spec_g) if isinstance(spec_g, (int, float)) else float(DEFAULT_GRACE_SECONDS)
    req = requested_at(inp)
    stop = stopped_at(inp, req[0]) if req else None
    if req and stop and stop[0] - req[0] > assumed + SIGKILL_SLACK:
        # The containers ran longer after the delete than the spec's grace allows: the delete gave more.
        took = round(stop[0] - req[0])
        return Grace(float(took), f"at least: the containers ran {took} s after the deletion "
                                  f"began, longer than {'the spec' if spec_g is not None else 'the default'}'s "
                                  f"{assumed:g} s allows)", stop[1], inferred=True)
    # The kubelet's confirming 0 comes once the pod has finished; a 0 on a pod still running is the request
    # itself: `kubectl delete --grace-period=0 --force`
    forced = [o.origin for o in inp.pstates if o.data.get("deletion_grace_seconds") == 0
              and o.data.get("phase") not in (None, "Succeeded", "Failed")]
    if zero and (not req or forced):
        return Grace(0.0, "deletionGracePeriodSeconds 0 (a forced deletion)", (forced or zero)[0])
    if isinstance(spec_g, (int, float)):
        return Grace(float(spec_g), "the pod's terminationGracePeriodSeconds", None, observed=False)
    return None


def ended_before(inp: PodInput, t: float) -> bool:
    """Whether the containers had already exited before `t` (a failed or completed pod deleted afterwards:
    its exit, not the deletion, is its story)."""
    for o in inp.cstates:
        st = o.data.get("state") or {}
        ft = pod_t(inp, st.get("finished_at")) if st.get("status") == "terminated" else None
        if ft is not None and ft < t - 1:
            return True
    return any(r.data.get("status") in _STOPPED and r.t is not None and r.t < t - 1 for r in inp.rows)


def deleting(inp: PodInput) -> bool:
    """Whether the input shows the pod being deleted at all."""
    return requested_at(inp) is not None or any(o.data.get("terminating") for o in inp.pstates) or any(
        o.kind != EVENT and o.data.get("what") == "deleted" for o in inp.obs)


def grace_for_deletion(inp: PodInput) -> tuple[float, str, bool]:
    """(seconds, where from, assumed) for explaining a deletion: the input's, else the 30 s default."""
    g = deletion_grace(inp)
    if g is None:
        return float(DEFAULT_GRACE_SECONDS), "the default 30 s (the input shows no grace period)", True
    where = g.source + (f", {g.origin}" if g.origin else "")
    return g.seconds, where, not g.observed


def exit_during_deletion(inp: PodInput, t: float | None) -> bool:
    """Whether a container exit at `t` came after the pod's deletion began (so the deletion stopped it)."""
    req = requested_at(inp)
    return req is not None and t is not None and t >= req[0] - 1
