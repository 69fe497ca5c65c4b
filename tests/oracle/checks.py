"""What podlife's `explain -o json` must say about a transcript, given the scenario's truth.

Only what the format holds is asked of it: RESTARTS and STATUS from formats that print the pod's
status, the cause where the text names it (a probe in Events, OOMKilled or Init:Error in a
status), the probe handler where the spec or describe's probe line is printed, and restart counts
from Events only where they carry counts (`-o wide`, `kubectl events`, describe); plain `get
events` holds no count, so podlife must not state one.
"""

from __future__ import annotations

from scenarios import Scenario

STATUS_FORMATS = {"get-w", "get-w-wide", "get-w-events", "get-w-json", "get-json", "get-yaml", "describe",
                  "json+describe", "session"}
HISTORY_FORMATS = {"get-w", "get-w-wide", "get-w-events", "get-w-json", "session"}  # every version of the pod
EVENT_FORMATS = {"get-events", "get-events-wide", "get-events-sorted", "events-for", "describe", "json+describe",
                 "session"}
NAMED_FORMATS = {"get-w-json", "get-json", "get-yaml", "describe", "json+describe", "get-events-wide", "session"}
COUNTED_EVENTS = {"get-events-wide", "events-for", "describe", "json+describe", "session"}
SPEC_FORMATS = {"get-w-json", "get-json", "get-yaml", "describe", "json+describe"}
OBJECT_FORMATS = {"get-w-json", "get-json", "get-yaml", "json+describe"}  # the API object, every field
EVENTS_ONLY = EVENT_FORMATS - STATUS_FORMATS

# where each scenario's cause is written down: in its Events, in the pod's printed status, or only in
# fields of the API object (a condition's reason) that neither rows nor describe print, or only in the pod's
# history of STATUS (an earlier PostStartHookError that the final CrashLoopBackOff replaces)
CAUSE_IN = {"liveness-exec": {"events"}, "readiness-flap": {"events"}, "oom-killed": {"status"},
            "multi-container": {"status"}, "init-failure": {"status"}, "image-pull": {"events", "status"},
            "graceful-delete": {"events", "status"}, "delete-on-sigterm": {"events", "status"},
            "init-then-pull": {"events", "status"}, "config-error": {"events", "status"},
            "cannot-run": {"events", "object"}, "deadline-exceeded": {"events", "status"},
            "evicted": {"events", "object"}, "preempted": {"events", "object"}, "startup-probe": {"events"},
            "unschedulable": {"events", "object"}, "volume-missing": {"events"}, "sandbox-failure": {"events"},
            "node-lost": {"events", "object"}, "post-start-hook": {"events", "history"},
            "force-delete": {"events", "status"}}

TOLERANCE = 1.0  # kubectl prints whole seconds; describe's ages are computed a moment later


def _covers(tr: dict, truth: float) -> bool:
    lo, hi = tr.get("t_range") or (tr["t"], tr["t"])
    return lo - TOLERANCE <= truth <= hi + TOLERANCE


def check(sc: Scenario, fmt: str, doc: dict) -> dict[str, str | None]:
    """check name -> None when right, else what was wrong."""
    out: dict[str, str | None] = {}
    pods = doc.get("pods") or []
    names = [(p.get("namespace"), p.get("name")) for p in pods]
    out["one pod"] = None if len(pods) == 1 and pods[0].get("name") == sc.pod else f"pods {names}"
    if not pods:
        return out
    p = pods[0] if len(pods) == 1 else next((q for q in pods if q.get("name") == sc.pod), pods[0])
    trs = p.get("transitions") or []
    if fmt in STATUS_FORMATS or fmt in COUNTED_EVENTS:
        out["restarts"] = None if p.get("restarts") == sc.restarts else f"restarts {p.get('restarts')} != {sc.restarts}"
    elif p.get("restarts"):
        out["restarts"] = f"restarts {p.get('restarts')} stated; the input holds no count"
    if fmt in STATUS_FORMATS:
        fs = p.get("final_status")
        # An object alone does not say which server printed it: a Failed pod being deleted is Terminating on
        # a pre-1.31 server and shows its container's reason on a newer one; either is what kubectl showed.
        ok = sc.object_statuses if fmt in OBJECT_FORMATS else {sc.final_status}
        out["final status"] = None if fs in ok else f"final status {fs!r} != {sc.final_status!r}"
    elif fmt in EVENTS_ONLY and sc.event_status:
        fs = p.get("final_status")
        out["final status"] = None if fs == sc.event_status else f"final status {fs!r} != {sc.event_status!r}"
    kinds = CAUSE_IN[sc.name]
    diag = p.get("diagnosis") or {}
    if not sc.healthy:
        out["no false all-clear"] = (f"cause 'none' for a pod that ends {sc.final_status}"
                                     if diag.get("cause") in (None, "none") else None)
    if ((fmt in EVENT_FORMATS and "events" in kinds) or (fmt in STATUS_FORMATS and "status" in kinds)
            or (fmt in OBJECT_FORMATS and "object" in kinds) or (fmt in HISTORY_FORMATS and "history" in kinds)):
        out["cause"] = None if diag.get("cause") == sc.cause else f"cause {diag.get('cause')!r} != {sc.cause!r}"
        if sc.check_container and fmt in NAMED_FORMATS:
            got = diag.get("container")
            out["container"] = None if got == sc.container else f"container {got!r} != {sc.container!r}"
        if sc.handler and fmt in SPEC_FORMATS:
            h = (diag.get("probe") or {}).get("handler")
            out["handler"] = None if h == sc.handler else f"handler {h!r} != {sc.handler!r}"
    # a forced deletion leaves one Terminating row and then nothing: only the object's deletionGracePeriodSeconds
    # 0 holds its grace period
    if sc.grace is not None and fmt in (OBJECT_FORMATS if sc.grace == 0 else STATUS_FORMATS):
        graces = [tr.get("grace_period_seconds") for tr in trs
                  if tr.get("cause") == "deleted" and tr.get("grace_period_seconds") is not None]
        wrong = sorted({g for g in graces if g != sc.grace})
        out["grace"] = (f"no grace period on the deletion (truth {sc.grace:g} s)" if not graces else
                        f"grace {', '.join(f'{g:g}' for g in wrong)} s != {sc.grace:g} s" if wrong else None)
    if sc.grace == 0 and fmt in OBJECT_FORMATS:
        said = (diag.get("summary") or "").lower()
        out["forced"] = None if "force" in said else f"a forced deletion not said: {said[:80]!r}"
    if sc.sigkill_at is not None and fmt in HISTORY_FORMATS:
        # the exit itself (a state, a STATUS Error row), or READY falling to 0 where a pre-1.31 server prints
        # Terminating to the end
        ends = [tr for tr in trs if tr.get("kind") in ("terminated", "not-ready") and tr.get("t") is not None
                and _covers(tr, sc.sigkill_at)]
        blamed = [f"{tr['kind']} at {tr['t']}: {tr.get('cause')}" for tr in ends if tr.get("cause") != "deleted"]
        out["sigkill"] = ("no exit at the deletion's SIGKILL" if not ends else
                          "; ".join(blamed) + " (the deletion's SIGKILL)" if blamed else None)
    if sc.cause in ("liveness-probe", "startup-probe"):
        # every exit of this pod is the end of a probe kill (SIGTERM, then SIGKILL after the grace period)
        wrong = [f"{tr['kind']} at {tr['t']}: {tr.get('cause')}" for tr in trs
                 if tr.get("kind") == "terminated" and tr.get("cause") != sc.cause]
        out["kill exits"] = "; ".join(wrong) + f" (the {sc.cause} kill's)" if wrong else None
    truth = sc.restart_times
    bad = []
    for tr in trs:
        if tr.get("kind") == "restart" and tr.get("restart_count"):
            k = tr["restart_count"]
            if k > len(truth):
                bad.append(f"restart {k} at {tr['t']} (only {len(truth)} happened)")
            elif not _covers(tr, truth[k - 1]):
                bad.append(f"restart {k} at {tr['t']} {tr.get('t_range')} (truth {truth[k - 1]})")
    out["restart times"] = "; ".join(bad) or None
    if fmt in HISTORY_FORMATS and (sc.ready_times or sc.not_ready_times):
        miss = []
        for kind, times in (("ready", sc.ready_times), ("not-ready", sc.not_ready_times)):
            for t in times:
                if not any(tr.get("kind") == kind and _covers(tr, t) for tr in trs):
                    miss.append(f"no {kind} at {t}")
        out["readiness"] = "; ".join(miss) or None
    alarms = [f"{tr['kind']} at {tr['t']}: off by {tr['expected']['difference']:+g} s" for tr in trs
              if (tr.get("expected") or {}).get("difference") and abs(tr["expected"]["difference"]) > 2]
    out["no false alarm"] = "; ".join(alarms) or None
    return out
