"""Hand-built Timelines for the TUI tests: the seed liveness story, a second pod with an init
container and a readiness probe, and a large synthetic session. Deterministic: no clocks, no randomness.
"""

from __future__ import annotations

import time

from pathlib import Path

from kubectl_podlife.model.timeline import (
    Diagnosis, Evidence, Expected, KubectlView, Lane, Mark, PodTimeline, ProbeInfo, Segment, Timeline, Transition,
)

POD = "liveness-exec-pod"
CONTAINER = "liveness-exec-container"
RESTARTS = (43.0, 85.0, 127.0, 169.0, 211.0)
BACKOFF = 253.0
SOURCE = "liveness.txt"

PROBE = ProbeInfo(type="liveness", handler="exec", target="test -e /tmp/healthy", period_seconds=3,
                  failure_threshold=3, initial_delay_seconds=1, failures_seen=3, from_spec=True)


def _view(ready: str, status: str, restarts: int, ago: str | None = None) -> KubectlView:
    return KubectlView(ready=ready, status=status, restarts=f"{restarts}" + (f" ({ago} ago)" if ago else ""))


def liveness_pod() -> PodTimeline:
    trs: list[Transition] = []
    line = 1

    def ev(text: str) -> tuple[Evidence, ...]:
        nonlocal line
        line += 1
        return (Evidence(f"{SOURCE}:{line}", text),)

    trs.append(Transition(t=0.0, t_range=(0.0, 1.0), time=None, kind="created", container=None,
                          summary="pod created", confidence="observed",
                          evidence=ev(f"{POD}   0/1     Pending   0          0s"), view=_view("0/1", "Pending", 0)))
    trs.append(Transition(t=0.0, t_range=(0.0, 1.0), time=None, kind="scheduled", summary="assigned to node-1",
                          evidence=ev("Normal  Scheduled  4m13s  default-scheduler  Successfully assigned "
                                      f"default/{POD} to node-1"), view=_view("0/1", "Pending", 0)))
    trs.append(Transition(t=1.0, t_range=(0.0, 2.0), time=None, kind="pulling", container=CONTAINER,
                          summary='pulling image "busybox"', evidence=ev('Normal  Pulling  4m12s  kubelet  '
                                                                         'Pulling image "busybox"'),
                          view=_view("0/1", "ContainerCreating", 0)))
    starts = (2.0, *RESTARTS)
    for n, start in enumerate(starts):
        if n == 0:
            trs.append(Transition(t=start, t_range=(1.0, 3.0), time=None, kind="started", container=CONTAINER,
                                  from_state="Waiting", to_state="Running", restart_count=0,
                                  summary=f"{CONTAINER} started", confidence="observed",
                                  evidence=ev(f"{POD}   1/1     Running   0          2s"),
                                  view=_view("1/1", "Running", 0)))
        else:
            trs.append(Transition(
                t=start, t_range=(start - 1, start + 1), time=None, kind="restart", container=CONTAINER,
                from_state="Running", to_state="Running", restart_count=n, cause="liveness-probe", probe=PROBE,
                grace_period_seconds=30.0,
                expected=Expected(t_range=(start - 3, start + 3), rule="3 failures x period 3s after the "
                                  "probe starts failing, then kill and restart", observed=start, difference=0.0),
                confidence="inferred",
                summary=f"restarted ({n}): liveness probe `test -e /tmp/healthy` failed 3 times",
                detail=(f"The kubelet killed {CONTAINER} after failureThreshold=3 consecutive failures",
                        "and started it again under restartPolicy Always."),
                rule="liveness: kill after failureThreshold consecutive failures, one every periodSeconds",
                evidence=ev(f"{POD}   1/1     Running   {n} (1s ago)   {int(start)}s"),
                view=_view("1/1", "Running", n, "1s")))
        cycle_end = (starts[n + 1] if n + 1 < len(starts) else BACKOFF)
        for k, dt in enumerate((-9.0, -6.0, -3.0)):
            t = cycle_end + dt
            trs.append(Transition(
                t=t, t_range=(t - 1, t + 1), time=None, kind="probe-failed", container=CONTAINER,
                cause="liveness-probe", probe=PROBE, confidence="observed",
                summary=f"liveness probe failed ({k + 1}/3): test -e /tmp/healthy exited 1",
                evidence=ev("Warning  Unhealthy  3s (x3 over 9s)  kubelet  Liveness probe failed:"),
                view=_view("1/1", "Running", n)))
        trs.append(Transition(
            t=cycle_end - 3.0, t_range=(cycle_end - 4, cycle_end - 2), time=None, kind="killing",
            container=CONTAINER, cause="liveness-probe", grace_period_seconds=30.0, confidence="observed",
            summary=f"killing {CONTAINER}: failed liveness probe, will be restarted",
            evidence=ev(f"Normal  Killing  3s  kubelet  Container {CONTAINER} failed liveness probe, "
                        "will be restarted"), view=_view("1/1", "Running", n)))
    trs.append(Transition(
        t=BACKOFF, t_range=(BACKOFF - 1, BACKOFF + 1), time=None, kind="back-off", container=CONTAINER,
        cause="liveness-probe", backoff_seconds=80.0, confidence="inferred",
        expected=Expected(t_range=(BACKOFF, BACKOFF + 1), rule="back-off 10s doubling per restart, max 300s"),
        summary="CrashLoopBackOff: waiting 80s before restart 6",
        missing=("no kubelet log: back-off delay computed from the restart count",),
        rule="back-off: 10s x 2^(restarts-1), at most 300s, reset after 10 min running",
        evidence=ev(f"{POD}   0/1     CrashLoopBackOff   5 (1s ago)   4m13s"),
        view=_view("0/1", "CrashLoopBackOff", 5, "1s")))
    trs.sort(key=lambda tr: (tr.t, tr.kind != "created"))

    segments: list[Segment] = [Segment(0.0, 2.0, "waiting", "ContainerCreating")]
    marks: list[Mark] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else BACKOFF
        segments.append(Segment(start, end - 3.0, "running"))
        segments.append(Segment(end - 3.0, end, "terminated", "Error 137"))
        marks += [Mark(end + dt, "probe-failed") for dt in (-9.0, -6.0, -3.0)]
        marks.append(Mark(end - 3.0, "killing"))
        if n + 1 < len(starts):
            marks.append(Mark(end, "restart", f"restart {n + 1}"))
    segments.append(Segment(BACKOFF, None, "back-off", "CrashLoopBackOff"))
    marks.append(Mark(BACKOFF, "back-off"))
    lane = Lane(container=CONTAINER, segments=tuple(segments), marks=tuple(marks))
    return PodTimeline(
        name=POD, namespace="default", transitions=tuple(trs),
        diagnosis=Diagnosis(cause="liveness-probe", container=CONTAINER, probe=PROBE, confidence="inferred",
                            summary="the liveness probe `test -e /tmp/healthy` fails ~30s after each start; "
                                    "5 restarts, now in CrashLoopBackOff"),
        restarts=5, final_status="CrashLoopBackOff", lanes=(lane,), start=0.0, end=260.0,
        anchor="AGE column", sources=(SOURCE,))


WEB = "web-7f9c4d"


def web_pod() -> PodTimeline:
    def at(s: int) -> str:
        return f"2024-05-01T10:{s // 60:02d}:{s % 60:02d}Z"

    readiness = ProbeInfo(type="readiness", handler="httpGet", target="http://:8080/healthz", period_seconds=10,
                          failure_threshold=3)
    trs = (
        Transition(t=0.0, t_range=(0.0, 0.0), time=at(0), kind="created", summary="pod created",
                   view=KubectlView("0/1", "Pending", "0")),
        Transition(t=1.0, t_range=(1.0, 1.0), time=at(1), kind="started", container="init-db",
                   summary="init container init-db started", view=KubectlView("0/1", "Init:0/1", "0")),
        Transition(t=12.0, t_range=(12.0, 12.0), time=at(12), kind="init-done", container="init-db",
                   summary="init-db completed (exit 0) after 11s", cause="completed-exit",
                   evidence=(Evidence("web.json:40", '"reason": "Completed", "exitCode": 0'),),
                   view=KubectlView("0/1", "PodInitializing", "0")),
        Transition(t=14.0, t_range=(14.0, 14.0), time=at(14), kind="started", container="web",
                   summary="web started", view=KubectlView("0/1", "Running", "0")),
        Transition(t=34.0, t_range=(34.0, 34.0), time=at(34), kind="ready", container="web",
                   summary="web ready: readiness probe passed", probe=readiness,
                   view=KubectlView("1/1", "Running", "0")),
        Transition(t=95.0, t_range=(95.0, 95.0), time=at(95), kind="not-ready", container="web",
                   cause="readiness-probe", probe=readiness, confidence="observed",
                   summary="web not ready: readiness probe failed 3 times (HTTP 503)",
                   expected=Expected(t_range=(90.0, 100.0), rule="3 failures x period 10s",
                                     observed=95.0, difference=0.0),
                   evidence=(Evidence("web.json:88", "Readiness probe failed: HTTP probe failed with statuscode: 503"),),
                   view=KubectlView("0/1", "Running", "0")),
        Transition(t=125.0, t_range=(125.0, 125.0), time=at(125), kind="ready", container="web",
                   summary="web ready again", view=KubectlView("1/1", "Running", "0")),
    )
    lanes = (
        Lane("init-db", init=True, segments=(Segment(1.0, 12.0, "running"), Segment(12.0, None, "terminated",
                                                                                     "Completed"))),
        Lane("web", segments=(Segment(0.0, 14.0, "waiting", "PodInitializing"), Segment(14.0, 34.0, "running"),
                              Segment(34.0, 95.0, "ready"), Segment(95.0, 125.0, "running"),
                              Segment(125.0, None, "ready")),
             marks=(Mark(75.0, "probe-failed"), Mark(85.0, "probe-failed"), Mark(95.0, "probe-failed"))),
    )
    return PodTimeline(
        name=WEB, namespace="shop", transitions=trs,
        diagnosis=Diagnosis(cause="readiness-probe", container="web", probe=readiness,
                            summary="web was out of service for 30s after its readiness probe failed"),
        restarts=0, final_status="Running", lanes=lanes, start=0.0, end=140.0, created_time=at(0),
        anchor="API timestamps", sources=("web.json",))


def liveness_timeline() -> Timeline:
    return Timeline(pods=(liveness_pod(),))


def two_pod_timeline() -> Timeline:
    return Timeline(pods=(liveness_pod(), web_pod()))


def big_timeline(n: int = 100_000) -> Timeline:
    """One pod with n transitions over n seconds: a long flapping readiness story."""
    kinds = ("probe-failed", "not-ready", "probe-failed", "ready")
    trs = []
    for i in range(n):
        kind = kinds[i % 4]
        trs.append(Transition(
            t=float(i), t_range=(float(i), float(i)), time=None, kind=kind, container="app",
            summary=f"{kind} #{i}", evidence=(Evidence(f"big.txt:{i + 1}", f"line {i}"),),
            view=KubectlView("1/1" if kind == "ready" else "0/1", "Running", "0")))
    segs = tuple(Segment(float(i), float(i + 2), "ready" if i % 4 == 0 else "running") for i in range(0, n, 2))
    lane = Lane("app", segments=segs, marks=tuple(Mark(float(i), "probe-failed") for i in range(0, n, 4)))
    pod = PodTimeline(name="big", namespace="default", transitions=tuple(trs),
                      diagnosis=Diagnosis(cause="readiness-probe", summary="flapping readiness"),
                      restarts=0, final_status="Running", lanes=(lane,), start=0.0, end=float(n))
    return Timeline(pods=(pod,))


REPLAYS = Path(__file__).resolve().parents[2] / "replays"
SEED = REPLAYS / "liveness-exec.log"


def small_pod(name: str, namespace: str, cause: str, restarts: int, status: str, last: int,
              summary: str | None = None) -> PodTimeline:
    """A pod with two transitions, its last at 10:00:00 + `last` seconds (wall clock)."""
    def at(s: int) -> str:
        return f"2024-05-01T10:{s // 60:02d}:{s % 60:02d}Z"

    ready = "1/1" if cause == "none" else "0/1"
    trs = (
        Transition(t=0.0, t_range=(0.0, 0.0), time=at(0), kind="created", summary="pod created",
                   evidence=(Evidence(f"{name}.json:1", f"{name} created"),), view=KubectlView("0/1", "Pending", "0")),
        Transition(t=float(last), t_range=(float(last), float(last)), time=at(last), kind="started", container="app",
                   summary=f"app started ({status})", evidence=(Evidence(f"{name}.json:2", f"status {status}"),),
                   view=KubectlView(ready, status, str(restarts))),
    )
    return PodTimeline(name=name, namespace=namespace, transitions=trs,
                       diagnosis=Diagnosis(cause=cause, summary=summary or f"{name}: {cause}"),
                       restarts=restarts, final_status=status,
                       lanes=(Lane("app", segments=(Segment(0.0, None, "running"),)),),
                       start=0.0, end=float(last), created_time=at(0), sources=(f"{name}.json",))


# Input order is not the worst-first order: healthy pods come first here, as they often do.
FLEET = (
    ("api-healthy", "shop", "none", 0, "Running", 50),
    ("cache-ok", "infra", "none", 0, "Running", 55),
    ("worker-oom", "batch", "oom-killed", 3, "CrashLoopBackOff", 40),
    ("web-crash-old", "shop", "error-exit", 7, "CrashLoopBackOff", 20),
    ("web-crash-new", "shop", "error-exit", 7, "CrashLoopBackOff", 58),
    ("db-pending", "infra", "unknown", 0, "Pending", 30),
)
# Not healthy first, then more restarts, then the most recent.
FLEET_WORST_FIRST = ("web-crash-new", "web-crash-old", "worker-oom", "db-pending", "cache-ok", "api-healthy")


def fleet_timeline() -> Timeline:
    return Timeline(pods=tuple(small_pod(*row) for row in FLEET))


async def until(pilot, condition, what: str = "the condition", timeout: float = 60.0) -> None:
    """Let the app run (timers, workers, messages) until `condition()` holds; the timeout only ends a hung
    test (the real clock: `clock` only replaces the app's)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)
