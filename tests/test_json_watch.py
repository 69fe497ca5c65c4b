"""`kubectl get pods -w -o json` streams of a container that exits by itself: each object's lastState
belongs to the previous instance (restartCount-1) while state is the current one, so a termination
of instance N comes before restart N+1 and the final status is what kubectl showed last."""

from __future__ import annotations

import json

from podlife_testkit import explain_json, pod

CREATED = "2026-11-20T10:00:00Z"


def _at(s: int) -> str:
    return f"2026-11-20T10:{s // 60:02d}:{s % 60:02d}Z"


def _exited(start: int, end: int) -> dict:
    return {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": _at(start), "finishedAt": _at(end)}}


def _pod(rv: int, state: dict, restarts: int, last: dict | None = None, ready: bool = False) -> dict:
    cs = {"name": "app", "image": "busybox", "ready": ready, "restartCount": restarts, "state": state,
          "lastState": last or {}}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "worker", "namespace": "jobs", "uid": "5f1d3c2a-0000-4000-8000-000000000001",
                         "resourceVersion": str(rv), "creationTimestamp": CREATED},
            "spec": {"restartPolicy": "Always", "nodeName": "node-1",
                     "containers": [{"name": "app", "image": "busybox", "command": ["sh", "-c", "sleep 10; exit 1"]}]},
            "status": {"phase": "Running" if restarts or "running" in state else "Pending", "startTime": _at(1),
                       "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": _at(1)}],
                       "containerStatuses": [cs]}}


def test_a_container_exiting_by_itself_restarts_after_its_exit_and_ends_in_back_off(tmp_path):
    first, second = _exited(2, 12), _exited(13, 23)
    stream = [
        _pod(1, {"waiting": {"reason": "ContainerCreating"}}, 0),
        _pod(2, {"running": {"startedAt": _at(2)}}, 0, ready=True),
        _pod(3, first, 0),
        _pod(4, {"running": {"startedAt": _at(13)}}, 1, last=first, ready=True),
        # instance 1 ended too: state is instance 1, lastState still instance 0
        _pod(5, second, 1, last=first),
        _pod(6, {"waiting": {"reason": "CrashLoopBackOff",
                             "message": "back-off 10s restarting failed container=app pod=worker_jobs"}}, 1,
             last=second),
    ]
    path = tmp_path / "watch.json"
    path.write_text("\n".join(json.dumps(o, indent=4) for o in stream) + "\n")  # as `get -w -o json` prints
    p = pod(explain_json(path), "worker")
    assert p["final_status"] == "CrashLoopBackOff"
    assert p["restarts"] == 1
    trs = [t for t in p["transitions"] if t["kind"] in ("terminated", "restart")]
    assert [(t["kind"], t["t"]) for t in trs] == [("terminated", 12.0), ("restart", 13.0), ("terminated", 23.0)]
    assert trs[1]["restart_count"] == 1
