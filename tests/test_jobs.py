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
