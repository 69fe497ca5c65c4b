"""Last words, live: when `watch` sees a container instance end it fetches the tail of that instance's log
once (read-only, rate-limited), stores it as a `log` observation, and the explanation of that exit shows it.
Against the fake API server's pods/log endpoint, which picks the instance from the pod's status as the
kubelet does."""

from __future__ import annotations

import io
import threading

import live_scenarios as sc
from test_capture import FAST, _args, capturing, play, store, stored, wait_until  # noqa: F401 (store: a fixture)

from kubectl_podlife.capture import watch
from kubectl_podlife.capture.logs import LogSettings
from kubectl_podlife.pipeline import timeline_for_session
from kubectl_podlife.store import Store

C = "liveness-exec-container"


def _cid(run: int) -> str:
    return f"containerd://{sc.LIVENESS_UID[:8]}{run:02d}"


def _logged(kube, runs=range(7)) -> None:
    for run in runs:
        kube.logs[_cid(run)] = "".join(f"run {run} line {i}\n" for i in range(80))


def _logs(store, sid):
    return [o for o in stored(store, sid) if o.kind == "log"]


def _ended(step) -> str | None:
    """The containerID of the instance a pod version shows ended (its last state), if any."""
    resource, _type, obj = step
    if resource != "pods":
        return None
    for cs in (obj.get("status") or {}).get("containerStatuses") or []:
        last = (cs.get("lastState") or {}).get("terminated")
        if last:
            return last.get("containerID")
    return None


def _play_paced(kube, store, cap, steps) -> list[str]:
    """Apply the story, and after each exit wait until its log is stored: a real crash loop leaves the
    kubelet's previous instance in place for at least the back-off, which the script's instant replay does not."""
    ended: list[str] = []
    for step in steps:
        kube.apply(*step)
        cid = _ended(step)
        if cid and cid not in ended:
            ended.append(cid)
            n = len(ended)
            wait_until(lambda: len(_logs(store, cap.session_id)) >= n, what=f"the log of exit {n} stored")
    return ended


def test_each_exit_is_stored_with_the_last_lines_of_its_own_log(kube, kubeconfig, store):
    _logged(kube)
    with capturing(kube, kubeconfig, store, logs=True) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        ended = _play_paced(kube, store, cap, sc.liveness_exec())
        wait_until(lambda: cap.stats.items >= len(kube.delivered), what="every object recorded")
    assert ended == [_cid(run) for run in range(6)]
    # one read-only request per exit, for the previous instance, with a tail and a byte limit
    reqs = kube.log_requests
    assert len(reqs) == 6
    assert {r.method for r in kube.requests} == {"GET"}
    for r in reqs:
        assert r.path == "/api/v1/namespaces/default/pods/liveness-exec-pod/log"
        assert r.params["container"] == C and r.params["previous"] == "true"
        assert r.params["tailLines"] == "50" and int(r.params["limitBytes"]) > 0
    logs = _logs(store, cap.session_id)
    assert [o.data["lines"][-1] for o in logs] == [f"run {run} line 79" for run in range(6)]
    assert all(len(o.data["lines"]) == 50 and o.data["source"] == "api" and o.container == C for o in logs)
    assert [o.data["restart_count"] for o in logs] == list(range(6))
    # the explanation of each exit shows the log of the instance that ended there, in order
    pod = next(p for p in timeline_for_session(store, cap.session_id).pods if p.name == "liveness-exec-pod")
    exits = [t for t in pod.transitions if t.kind == "terminated"]
    assert [t.t for t in exits] == [43.0, 85.0, 127.0, 169.0, 211.0, 253.0]
    assert [t.log_tail.shown[-1] if t.log_tail else None for t in exits] == [f"run {n} line 79" for n in range(6)]
    assert all(len(t.log_tail.shown) == 5 and t.log_tail.source == "api" for t in exits)
    json_tails = [t.to_json()["log_tail"] for t in pod.transitions if t.log_tail]
    assert all(j["origin"].startswith("api:/api/v1/namespaces/default/pods/liveness-exec-pod/log?") for j in json_tails)


def test_no_pods_log_permission_is_one_notice_and_capture_goes_on(kube, kubeconfig, store):
    kube.log_forbidden = True
    notes: list[str] = []
    with capturing(kube, kubeconfig, store, notes=notes, logs=True) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, sc.liveness_exec())
        wait_until(lambda: cap.stats.items >= len(kube.delivered) and kube.log_requests, what="story recorded")
        wait_until(lambda: any("403" in n for n in notes), what="the 403 notice")
    forbidden = [n for n in notes if "pods/log" in n]
    assert len(forbidden) == 1 and "403" in forbidden[0] and "--no-logs" in forbidden[0]
    assert _logs(store, cap.session_id) == []
    # the rest of the story is recorded all the same
    restarts = [o.data["restart_count"] for o in stored(store, cap.session_id) if o.kind == "container"]
    assert max(restarts) == 6


def test_other_errors_are_one_notice_per_pod(kube, kubeconfig, store):
    # no such log (the pod is gone from the server by the time we ask): 404 each time
    notes: list[str] = []
    with capturing(kube, kubeconfig, store, notes=notes, logs=True) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        kube.log_fail_with = 404
        play(kube, sc.liveness_exec())
        wait_until(lambda: cap.stats.items >= len(kube.delivered) and len(kube.log_requests) >= 6,
                   what="a log request for each of the 6 exits")
    failed = [n for n in notes if "cannot fetch the log" in n]
    assert len(failed) == 1 and "liveness-exec-pod" in failed[0] and "404" in failed[0]
    assert _logs(store, cap.session_id) == []


def test_budget_per_second_holds_requests_back(kube, kubeconfig, store):
    """With the clock frozen, no more requests start than the per-second budget; a second later, more."""
    _logged(kube)
    now = [0.0]
    with capturing(kube, kubeconfig, store, logs=True,
                   log_settings=LogSettings(per_second=2, in_flight=2)) as cap:
        cap.logs.clock = lambda: now[0]
        cap.logs.refill_at(0.0)
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, sc.liveness_exec())
        wait_until(lambda: cap.stats.items >= len(kube.delivered), what="story recorded")
        wait_until(lambda: cap.logs.waiting_for_budget == 2 and len(kube.log_requests) == 2,
                   what="two requests made and both workers waiting for budget")
        assert len(kube.log_requests) == 2
        now[0] = 1.0
        wait_until(lambda: len(kube.log_requests) == 4 and cap.logs.waiting_for_budget == 2,
                   what="two more a second later")
        assert len(kube.log_requests) == 4


def test_no_logs_flag_asks_for_no_log(kube, kubeconfig, tmp_path):
    _logged(kube)
    play(kube, sc.liveness_exec(until_backoff_restart=False))  # listed: in back-off after an exit
    for argv, asked in ((["--no-logs"], 0), ([], 1)):
        kube.log_requests.clear()
        db = Store(tmp_path / f"w{len(argv)}.db")
        stop = threading.Event()
        out, err = io.StringIO(), io.StringIO()
        t = threading.Thread(target=watch, args=(_args("--no-tui", "--kubeconfig", str(kubeconfig), *argv),),
                             kwargs={"stop": stop, "out": out, "err": err, "store": db, "capture_options": FAST},
                             daemon=True)
        t.start()
        try:
            wait_until(lambda: db.sessions() and len(stored(db, db.sessions()[0].id)) > 0, what="the list recorded")
            if asked:
                wait_until(lambda: any(o.kind == "log" for o in stored(db, db.sessions()[0].id)), what="a log stored")
        finally:
            stop.set()
            t.join(timeout=30)
        assert len(kube.log_requests) == asked, argv
        db.close()

