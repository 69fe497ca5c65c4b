"""Partial input (issue 10 §12): pieces of a pod's object pasted on their own, and `kubectl logs` blocks after a
crash, are read for what they hold; what cannot be used is said in one line instead of refusing the file."""

from podlife_testkit import explain_json, pod, run_cli

STATUS = """\
status:
  conditions:
  - lastProbeTime: null
    lastTransitionTime: "2024-05-02T10:12:40Z"
    message: 'containers with unready status: [api]'
    reason: ContainersNotReady
    status: "False"
    type: Ready
  containerStatuses:
  - containerID: containerd://5c1e
    image: registry.example.com/api:1.4.2
    lastState:
      terminated:
        exitCode: 137
        finishedAt: "2024-05-02T10:12:39Z"
        reason: OOMKilled
        startedAt: "2024-05-02T10:10:02Z"
    name: api
    ready: false
    restartCount: 4
    started: false
    state:
      waiting:
        message: back-off 1m20s restarting failed container=api pod=api-7d9f8-xk2lp_default(8e1c)
        reason: CrashLoopBackOff
  phase: Running
  qosClass: Burstable
  startTime: "2024-05-02T10:00:05Z"
"""


def _write(tmp_path, text, name="in.txt"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_a_status_block_without_apiversion_kind_or_metadata_is_read_as_the_pods_status(tmp_path):
    doc = explain_json(_write(tmp_path, "The pod keeps restarting, here is its status:\n\n" + STATUS))
    # the pod is the one the kubelet's back-off message names
    p = pod(doc, "api-7d9f8-xk2lp")
    assert p["namespace"] == "default" and p["final_status"] == "CrashLoopBackOff" and p["restarts"] == 4
    assert p["diagnosis"]["cause"] == "oom-killed" and p["diagnosis"]["container"] == "api"
    assert not doc["warnings"]


def test_a_status_block_belongs_to_the_pod_its_command_or_the_listing_names(tmp_path):
    named = STATUS.replace("pod=api-7d9f8-xk2lp_default(8e1c)", "")
    doc = explain_json(_write(tmp_path, "$ kubectl get pod web-0 -o yaml\n" + named))
    assert pod(doc, "web-0")["diagnosis"]["cause"] == "oom-killed"
    listing = "NAME    READY   STATUS             RESTARTS   AGE\nweb-1   0/1     CrashLoopBackOff   4          20m\n\n"
    doc = explain_json(_write(tmp_path, listing + named))
    assert [p["name"] for p in doc["pods"]] == ["web-1"]
    assert pod(doc, "web-1")["diagnosis"]["cause"] == "oom-killed"


def test_a_laststate_json_member_and_a_yaml_laststate_block_are_a_containers_last_exit(tmp_path):
    member = ('"lastState": {\n    "terminated": {\n        "exitCode": 1,\n        "reason": "Error",\n'
              '        "startedAt": "2024-05-02T10:10:02Z",\n        "finishedAt": "2024-05-02T10:10:04Z"\n'
              '    }\n},\n')
    p = explain_json(_write(tmp_path, member, "member.json"))["pods"][0]
    assert p["diagnosis"]["cause"] == "error-exit"
    assert any("exit code 1" in t["summary"] for t in p["transitions"])
    block = ("    lastState:\n      terminated:\n        exitCode: 137\n        reason: OOMKilled\n"
             "        startedAt: \"2024-05-02T10:10:02Z\"\n        finishedAt: \"2024-05-02T10:12:39Z\"\n")
    p = explain_json(_write(tmp_path, "$ kubectl get pod db-0 -o yaml | grep -A6 lastState\n" + block))["pods"][0]
    assert p["name"] == "db-0" and p["diagnosis"]["cause"] == "oom-killed"


def test_jq_container_statuses_are_read(tmp_path):
    text = ('$ kubectl get pod api-1 -o json | jq .status.containerStatuses\n[\n  {"name": "api", "ready": false, '
            '"restartCount": 2, "lastState": {"terminated": {"exitCode": 2, "reason": "Error"}}, '
            '"state": {"waiting": {"reason": "CrashLoopBackOff"}}}\n]\n')
    p = pod(explain_json(_write(tmp_path, text)), "api-1")
    assert p["final_status"] == "CrashLoopBackOff" and p["restarts"] == 2 and p["diagnosis"]["cause"] == "error-exit"


def test_what_cannot_be_used_is_said_in_one_line(tmp_path):
    # another object's status: not a pod's, said with where it is; nothing else in the file, so exit non-zero
    f = _write(tmp_path, "status:\n  availableReplicas: 2\n  readyReplicas: 2\n", "deploy.txt")
    r = run_cli("explain", str(f))
    err = r.stderr.decode()
    assert r.returncode != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "deploy.txt:1" in err and "not a pod's status" in err
    # a damaged status block next to usable output: the rest is read, the block is named in one warning
    rows = "NAME    READY   STATUS    RESTARTS   AGE\nweb-2   0/1     Pending   0          3m\n"
    f = _write(tmp_path, rows + "status:\n  phase: Running\n  conditions: [unclosed\n", "mixed.txt")
    r = run_cli("explain", str(f))
    assert r.returncode == 0 and "Pod web-2: Pending" in r.stdout.decode()
    warns = [line for line in r.stderr.decode().splitlines() if "status:" in line]
    assert len(warns) == 1 and "mixed.txt:3" in warns[0] and "not used" in warns[0]


def test_a_jobs_status_block_is_not_taken_for_a_pods(tmp_path):
    text = ("$ kubectl describe job etl\nstatus:\n  conditions:\n  - type: Failed\n    status: \"True\"\n"
            "    reason: BackoffLimitExceeded\n    message: Job has reached the specified backoff limit\n  failed: 3\n"
            "Events:\n  Type     Reason                Age   From            Message\n"
            "  ----     ------                ----  ----            -------\n"
            "  Warning  BackoffLimitExceeded  1m    job-controller  Job has reached the specified backoff limit\n")
    doc = explain_json(_write(tmp_path, text))
    assert [p["name"] for p in doc["pods"]] == ["etl"] and pod(doc, "etl")["kind"] == "Job"
    assert "3 failed" in pod(doc, "etl")["diagnosis"]["summary"] and not doc["warnings"]


LOGS = """\
$ kubectl get pods
NAME                   READY   STATUS             RESTARTS      AGE
worker-6c9f5d7-abcde   0/1     CrashLoopBackOff   5 (40s ago)   4m
$ kubectl logs worker-6c9f5d7-abcde --previous
starting worker v2.3.1
{crash}
"""


def test_the_crash_in_a_logs_block_is_the_evidence_of_why_the_container_exited(tmp_path):
    go = "panic: runtime error: invalid memory address or nil pointer dereference\n\ngoroutine 1 [running]:\nmain.main()"
    p = pod(explain_json(_write(tmp_path, LOGS.format(crash=go))), "worker-6c9f5d7-abcde")
    d = p["diagnosis"]
    assert d["cause"] == "error-exit" and "a Go panic: `panic: runtime error: invalid memory address" in d["summary"]
    assert "in.txt:4" in d["summary"] and d["summary"].endswith("; now in CrashLoopBackOff (back-off 2m40s)")
    restart = [t for t in p["transitions"] if t["kind"] == "restart"][-1]
    assert restart["log_tail"] and "Go panic" in restart["summary"]
    assert not any("kubectl logs --previous" in m for m in restart["missing"])
    py = ('Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>\n    import redis\n'
          "ModuleNotFoundError: No module named 'redis'")
    d = pod(explain_json(_write(tmp_path, LOGS.format(crash=py))), "worker-6c9f5d7-abcde")["diagnosis"]
    assert "a Python exception: `ModuleNotFoundError: No module named 'redis'`" in d["summary"]


def test_a_log_that_shows_no_crash_leaves_the_cause_unknown(tmp_path):
    p = pod(explain_json(_write(tmp_path, LOGS.format(crash="listening on :8080"))), "worker-6c9f5d7-abcde")
    assert p["diagnosis"]["cause"] == "unknown"
    # the state is said once: "...: now in CrashLoopBackOff (back-off 2m40s)", not "now X; now in X"
    assert p["diagnosis"]["summary"].count("CrashLoopBackOff") == 1, p["diagnosis"]["summary"]
    assert [t for t in p["transitions"] if t["kind"] == "restart"][-1]["log_tail"]  # still shown as evidence


def test_a_pod_seen_only_through_its_log_says_so(tmp_path):
    f = _write(tmp_path, "$ kubectl logs web-5d8f7 --previous\nexec /app: exec format error\n")
    p = pod(explain_json(f), "web-5d8f7")
    assert p["diagnosis"]["cause"] == "cannot-run"
    assert any(n.startswith("only its log was seen") for n in p["notes"])
    assert not any("only the spec was seen" in n for n in p["notes"])


def test_a_last_state_fragment_does_not_time_the_back_off_against_its_own_exit(tmp_path):
    # only the last instance is shown: its exit is the one the restart started, not the one it waited after
    text = ('$ kubectl get pod api-1 -o json | jq .status.containerStatuses\n[{"name": "api", "restartCount": 4, '
            '"lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": '
            '"2024-05-02T10:10:02Z", "finishedAt": "2024-05-02T10:12:39Z"}}, '
            '"state": {"waiting": {"reason": "CrashLoopBackOff"}}}]\n')
    p = pod(explain_json(_write(tmp_path, text)), "api-1")
    assert p["diagnosis"]["cause"] == "oom-killed"
    details = " ".join(t["detail"] for t in p["transitions"])
    assert "Back-off: 40s in force" in details and "came -" not in details
