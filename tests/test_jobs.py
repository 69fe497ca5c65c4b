"""A Job's own output (describe job events, a pasted `status:` block, its settings) and the pods it names
(k8s-stuck-pods.md 9.7.2)."""

from podlife_testkit import explain_json, pod

from kubectl_podlife.ingest.source import clean_lines

JOB_DESCRIBE = """\
$ kubectl describe job nightly
Events:
  Type     Reason            Age                From            Message
  ----     ------            ----               ----            -------
  Normal   SuccessfulCreate  20m                job-controller  Created pod: nightly-x7k2p
  Normal   SuccessfulDelete  15m                job-controller  Deleted pod: nightly-x7k2p
  Warning  DeadlineExceeded  15m                job-controller  Job was active longer than specified deadline
"""


def test_output_pasted_as_shell_comments_is_read():
    lines = clean_lines("# kubectl get pods\nprose\n# Events:\n#   Type    Reason   Age   From   Message\n"
                        "#   ----    ------   ----  ----   -------\n# just a comment\n# another one\n")
    # a lone `# kubectl ...` (a root prompt) and a run of comments without kubectl output stay as they are
    assert lines[0] == "# kubectl get pods"
    assert lines[2:5] == ["Events:", "  Type    Reason   Age   From   Message", "  ----    ------   ----  ----   -------"]
    assert lines[5] == "just a comment"  # part of the same `# ` run as the header


def test_job_deadline_explains_the_job_and_the_pod_it_deleted(tmp_path):
    f = tmp_path / "job.txt"
    # course-notes style: the setting quoted on its own line, the describe output pasted as `# ` comments
    command, *output = JOB_DESCRIBE.splitlines()
    f.write_text("activeDeadlineSeconds: 300\n\n" + command + "\n" + "".join(f"# {line}\n" for line in output),
                 encoding="utf-8")
    doc = explain_json(f)
    job = pod(doc, "nightly")
    assert job["diagnosis"]["cause"] == "deadline-exceeded"
    assert "Job nightly" in job["diagnosis"]["summary"] and "300 s" in job["diagnosis"]["summary"]
    p = pod(doc, "nightly-x7k2p")
    assert p["diagnosis"]["cause"] == "deadline-exceeded"
    assert "Deleted by the job controller" in p["diagnosis"]["summary"] and "300 s" in p["diagnosis"]["summary"]
    assert "job.txt:8" in p["diagnosis"]["summary"]  # the SuccessfulDelete line
    assert any(t["kind"] == "deadline-exceeded" and t["rule"] for t in job["transitions"])


STATUS_AND_EVENTS = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: etl
spec:
  backoffLimit: 2
  template:
    spec:
      containers:
      - name: main
        image: busybox
        command: ["false"]
      restartPolicy: Never

status:
  conditions:
  - type: Failed
    status: "True"
    reason: BackoffLimitExceeded
    message: Job has reached the specified backoff limit
  failed: 3

Events:
  Type    Reason            Age   From            Message
  ----    ------            ----  ----            -------
  Normal  SuccessfulCreate  5m    job-controller  Created pod: etl-4hq9z
  Normal  SuccessfulCreate  4m    job-controller  Created pod: etl-b7t2m
"""


def test_job_status_block_and_events_without_a_command_are_the_jobs(tmp_path):
    f = tmp_path / "etl.txt"
    f.write_text(STATUS_AND_EVENTS, encoding="utf-8")
    doc = explain_json(f)
    job = pod(doc, "etl")
    d = job["diagnosis"]
    assert d["cause"] == "deadline-exceeded"
    assert "backoff limit" in d["summary"] and "backoffLimit 2" in d["summary"] and "3 failed" in d["summary"]
    # its pods: only their creation is shown, so their own failure is not claimed, and never a false all-clear
    p = pod(doc, "etl-4hq9z")
    assert p["diagnosis"]["cause"] == "unknown"
    assert "not in the input" in p["diagnosis"]["summary"]


def test_a_job_pod_with_its_own_error_keeps_its_own_cause(tmp_path):
    f = tmp_path / "etl.txt"
    f.write_text(STATUS_AND_EVENTS + "\n$ kubectl get pods\nNAME        READY   STATUS   RESTARTS   AGE\n"
                                     "etl-4hq9z   0/1     Error    0          5m\n", encoding="utf-8")
    p = pod(explain_json(f), "etl-4hq9z")
    assert p["diagnosis"]["cause"] == "error-exit"


# `kubectl describe job` of a Job whose pods all exit 1, then its pods listed once (k8s-stuck-pods.md 9.7.2:
# measured gaps in one lab 11 s, 23 s, 43 s).
DESCRIBE_PI = """\
$ kubectl describe job pi
Name:             pi
Namespace:        default
Parallelism:      1
Completions:      1
Backoff Limit:    4
Events:
  Type     Reason                Age    From            Message
  ----     ------                ----   ----            -------
  Normal   SuccessfulCreate      5m10s  job-controller  Created pod: pi-7xk2m
  Normal   SuccessfulCreate      4m58s  job-controller  Created pod: pi-q9w8d
  Normal   SuccessfulCreate      4m35s  job-controller  Created pod: pi-z4r6t
  Normal   SuccessfulCreate      3m52s  job-controller  Created pod: pi-m2b7c
  Normal   SuccessfulCreate      2m29s  job-controller  Created pod: pi-k8d3s
  Warning  BackoffLimitExceeded  2m25s  job-controller  Job has reached the specified backoff limit
"""
LIST_PI = """\
$ kubectl get pods
NAME       READY   STATUS   RESTARTS   AGE
pi-7xk2m   0/1     Error    0          5m10s
pi-q9w8d   0/1     Error    0          4m58s
pi-z4r6t   0/1     Error    0          4m35s
pi-m2b7c   0/1     Error    0          3m52s
pi-k8d3s   0/1     Error    0          2m29s
"""


def _job(tmp_path, text, name="pi"):
    f = tmp_path / "job.txt"
    f.write_text(text, encoding="utf-8")
    return pod(explain_json(f), name)


def test_the_back_off_between_a_jobs_pods_is_expected_vs_observed_from_its_events(tmp_path):
    job = _job(tmp_path, DESCRIBE_PI)
    s = job["diagnosis"]["summary"]
    assert "backoffLimit 4 (" in s  # describe job's `Backoff Limit:` line
    assert "expected 10 s, 20 s, 40 s, 80 s" in s
    assert "observed between creations 12 s, 23 s, 43 s, 83 s (SuccessfulCreate events)" in s
    assert "came early" not in s
    made = {t["summary"].rsplit(" ", 1)[-1]: t for t in job["transitions"] if "SuccessfulCreate" in t["summary"]}
    assert made["pi-7xk2m"]["expected"] is None  # the first pod follows no failure
    e = made["pi-z4r6t"]["expected"]
    assert "back-off after failure 2 (20 s" in e["rule"] and e["observed"] == made["pi-z4r6t"]["t"]
    assert e["t_range"][0] == made["pi-q9w8d"]["t"] + 20 and e["difference"] is None


def test_the_back_off_between_a_jobs_pods_from_one_listing_of_their_ages(tmp_path):
    events = "\n".join(line for line in DESCRIBE_PI.splitlines() if "SuccessfulCreate" not in line) + "\n"
    s = _job(tmp_path, events + LIST_PI)["diagnosis"]["summary"]
    assert "observed between creations 12 s, 23 s, 43 s, 83 s (the pods' AGE in one listing)" in s
    # a watch prints its rows at different times: their AGEs are not one listing's
    watched = LIST_PI.replace("get pods", "get pods -w")
    s = _job(tmp_path, events + watched)["diagnosis"]["summary"]
    assert "expected" not in s and "observed between" not in s and "back-off (10 s, doubling" in s


def test_a_replacement_earlier_than_the_back_off_is_said_and_coarse_ages_are_not_compared(tmp_path):
    early = DESCRIBE_PI.replace("4m58s", "5m9s ")
    s = _job(tmp_path, early)["diagnosis"]["summary"]
    assert "observed between creations 1 s, 34 s" in s and "shorter than the back-off after pi-7xk2m" in s
    coarse = DESCRIBE_PI
    for a, b in (("5m10s", "39m  "), ("4m58s", "39m  "), ("4m35s", "38m  "), ("3m52s", "38m  "), ("2m29s", "37m  "),
                 ("2m25s", "37m  ")):
        coarse = coarse.replace(a, b)
    s = _job(tmp_path, coarse)["diagnosis"]["summary"]
    assert "not compared: the creation times (SuccessfulCreate events) are too coarse" in s
    assert "came early" not in s


def test_no_back_off_is_compared_for_pods_that_may_run_side_by_side(tmp_path):
    s = _job(tmp_path, DESCRIBE_PI.replace("Parallelism:      1", "Parallelism:      3"))["diagnosis"]["summary"]
    assert "observed between" not in s


def test_job_back_off_doubles_from_10_s_capped_at_6_min_or_10_min():
    from kubectl_podlife.model import jobtiming

    assert [jobtiming.backoff(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 320, 360]
    assert jobtiming.backoff(7, jobtiming.CAP_NEW_SECONDS) == 600


def test_a_job_is_labelled_a_job_not_a_pod(tmp_path):
    from kubectl_podlife.pipeline import timeline_for_files
    from kubectl_podlife.render import markdown, text

    f = tmp_path / "job.txt"
    f.write_text(DESCRIBE_PI + LIST_PI, encoding="utf-8")
    doc = explain_json(f)
    assert pod(doc, "pi")["kind"] == "Job" and pod(doc, "pi")["final_status"] == "Failed"
    assert {pod(doc, p)["kind"] for p in ("pi-7xk2m", "pi-k8d3s")} == {"Pod"}
    timeline, _ = timeline_for_files([str(f)])
    out = text(timeline)
    assert "Job default/pi: Failed\n" in out and "Pod default/pi:" not in out
    assert "Pod default/pi-7xk2m: Error, 0 restarts" in out
    assert "## Job `default/pi`" in markdown(timeline)
    # a Job seen only through its events (corpus 088/090 style: no command names it) is a Job too
    f.write_text(STATUS_AND_EVENTS, encoding="utf-8")
    assert pod(explain_json(f), "etl")["kind"] == "Job"


def test_a_jobs_entry_has_no_pod_row_its_manifests_namespace_and_says_the_jobs_start(tmp_path):
    from kubectl_podlife.pipeline import timeline_for_files
    from kubectl_podlife.render import text

    manifest = STATUS_AND_EVENTS.replace("  name: etl\n", "  name: etl\n  namespace: batch\n")
    f = tmp_path / "etl.txt"
    f.write_text(manifest, encoding="utf-8")
    job = pod(explain_json(f), "etl")
    assert job["namespace"] == "batch"
    assert all(t["kubectl"] == {"ready": None, "status": None, "restarts": None} for t in job["transitions"])
    assert not any("pod's start" in n for n in job["notes"])
    timeline, _ = timeline_for_files([str(f)])
    out = text(timeline)
    assert "Job batch/etl: Failed\n" in out and "[0/1" not in out.split("Job batch/etl")[1].split("\nPod ")[0]


GET_EVENTS = """\
$ kubectl get events
LAST SEEN   TYPE      REASON                 OBJECT         MESSAGE
5m10s       Normal    SuccessfulCreate       job/pi         Created pod: pi-7xk2m
5m9s        Normal    Scheduled              pod/pi-7xk2m   Successfully assigned default/pi-7xk2m to node-1
4m58s       Normal    SuccessfulCreate       job/pi         Created pod: pi-q9w8d
2m25s       Warning   BackoffLimitExceeded   job/pi         Job has reached the specified backoff limit
"""

JOB_YAML = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  namespace: default
spec:
  backoffLimit: 4
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
      restartPolicy: Never
status:
  conditions:
  - lastTransitionTime: "2024-05-02T10:05:12Z"
    message: Job has reached the specified backoff limit
    reason: BackoffLimitExceeded
    status: "True"
    type: Failed
  failed: 5
"""


def test_events_for_job_x_make_the_jobs_entry(tmp_path):
    f = tmp_path / "ev.txt"
    f.write_text(GET_EVENTS, encoding="utf-8")
    doc = explain_json(f)
    job = pod(doc, "pi")
    assert job["kind"] == "Job" and job["final_status"] == "Failed"
    assert "observed between creations 12 s (SuccessfulCreate events)" in job["diagnosis"]["summary"]
    assert pod(doc, "pi-q9w8d")["kind"] == "Pod" and "Pod of Job pi" in pod(doc, "pi-q9w8d")["diagnosis"]["summary"]


def test_get_job_o_yaml_is_the_jobs_entry(tmp_path):
    for name, text in (("get.txt", "$ kubectl get job pi -o yaml\n" + JOB_YAML), ("pi.yaml", JOB_YAML)):
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        job = pod(explain_json(f), "pi")
        d = job["diagnosis"]
        assert job["kind"] == "Job" and job["namespace"] == "default" and job["final_status"] == "Failed"
        assert d["cause"] == "deadline-exceeded" and "backoffLimit 4" in d["summary"] and "5 failed" in d["summary"]
        assert f"backoffLimit 4 ({f}:" in d["summary"]  # where it was read, in the file's own lines
        assert any(n.startswith("only the Job's settings and status were seen") for n in job["notes"])


def test_job_events_as_api_objects_are_the_jobs(tmp_path):
    import json

    ev = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "pi.1", "namespace": "default"},
          "involvedObject": {"kind": "Job", "name": "pi", "namespace": "default"}, "reason": "BackoffLimitExceeded",
          "type": "Warning", "message": "Job has reached the specified backoff limit", "count": 1,
          "source": {"component": "job-controller"}, "lastTimestamp": "2024-05-02T10:05:12Z",
          "firstTimestamp": "2024-05-02T10:05:12Z"}
    f = tmp_path / "events.json"
    f.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [ev]}), encoding="utf-8")
    job = pod(explain_json(f), "pi")
    assert job["kind"] == "Job" and job["diagnosis"]["cause"] == "deadline-exceeded"
