"""Message grammars of pod endings (k8s-stuck-pods.md 9.2, 9.5, 9.7) in each era, wrapped and collapsed."""

import pytest

from kubectl_podlife.model import ending_deletion, ending_signs


@pytest.mark.parametrize("msg, preemptor, node, era", [
    ("Preempted by default/apache on node worker1", "default/apache", "worker1", "<=1.26"),
    ("Preempted by a pod on node lab-g2-vm2", None, "lab-g2-vm2", "1.27-1.28"),
    ("Preempted by pod 64d6df7b-1106-4f83-9e78-0d8aad437582 on node lab-g2-vm2",
     "64d6df7b-1106-4f83-9e78-0d8aad437582", "lab-g2-vm2", "1.29+"),
    # a describe Message column wrapped onto the next line, and collapsed spacing
    ("Preempted by default/apache\n                on node worker1", "default/apache", "worker1", "<=1.26"),
    ("Preempted  by  kube-system/critical-1 on node n1", "kube-system/critical-1", "n1", "<=1.26"),
    ("Preempted in order to admit critical pod", None, None, "kubelet"),
    ("Kube-scheduler: preempting to accommodate a higher priority pod: default/pause2", "default/pause2", None,
     "condition"),
    ("default-scheduler: preempting to accommodate a higher priority pod", None, None, "condition"),
])
def test_preempted_messages_of_every_era(msg, preemptor, node, era):
    p = ending_signs.parse_preempted(msg)
    assert p == ending_signs.Preemption(preemptor, node, era)


def test_other_messages_are_not_preemptions():
    assert ending_signs.parse_preempted("Successfully assigned default/nginx to worker1") is None


@pytest.mark.parametrize("reason, msg, what", [
    ("DeadlineExceeded", "Pod was active on the node longer than the specified deadline", "pod-deadline"),
    ("DeadlineExceeded", "Pod was active on the node longer\n   than the specified deadline", "pod-deadline"),
    ("DeadlineExceeded", "Job was active longer than specified deadline", "job-deadline"),
    ("BackoffLimitExceeded", "Job has reached the specified backoff limit", "job-backoff-limit"),
    ("BackoffLimitExceeded", "", "job-backoff-limit"),
    ("Failed", "Error: ImagePullBackOff", None),
])
def test_deadline_and_job_messages(reason, msg, what):
    assert ending_signs.parse_deadline(reason, msg) == what


@pytest.mark.parametrize("reason, msg, want", [
    ("NodeLost", "Node k8s-node2 which was running pod kube-flannel-ds-h9dcc is unresponsive",
     ("unresponsive", "k8s-node2")),
    ("NodeNotReady", "Node is not ready", ("not-ready", None)),
    ("TaintManagerEviction", "Marking for deletion Pod default/web-0", ("taint-eviction", None)),
    ("Terminated", "Pod was terminated in response to imminent node shutdown.", ("shutdown", None)),
    ("Terminated", "Pod was terminated in response\n to imminent node  shutdown.", ("shutdown", None)),
    ("Killing", "Stopping container web", None),
])
def test_node_loss_messages(reason, msg, want):
    assert ending_signs.parse_node_loss(reason, msg) == want


def test_preempted_pod_is_diagnosed_from_its_event(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "events.txt"
    f.write_text("$ kubectl get events\n"
                 "LAST SEEN   TYPE     REASON      OBJECT      MESSAGE\n"
                 "27s         Normal   Preempted   pod/nginx   Preempted by pod "
                 "64d6df7b-1106-4f83-9e78-0d8aad437582 on node w1\n", encoding="utf-8")
    d = pod(explain_json(f), "nginx")["diagnosis"]
    assert d["cause"] == "preempted"
    assert "w1" in d["summary"] and "64d6df7b" in d["summary"]


def test_nodelost_status_names_the_node(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "get.txt"
    f.write_text("$ kubectl get pods -o wide\n"
                 "NAME    READY   STATUS     RESTARTS   AGE   IP          NODE\n"
                 "web-1   1/1     NodeLost   0          2h    10.0.0.14   node-b\n", encoding="utf-8")
    p = pod(explain_json(f), "web-1")
    assert p["diagnosis"]["cause"] == "node-lost"
    assert p["final_status"] == "NodeLost"
    assert "node-b" in p["diagnosis"]["summary"]


def test_jq_filtered_condition_after_a_themed_prompt_belongs_to_the_named_pod(tmp_path):
    """A DisruptionTarget condition printed alone (jq) after a zsh-theme prompt: the pod the command names
    was preempted, and the diagnosis cites the condition's line; the timeline shows the condition."""
    from podlife_testkit import explain_json, pod

    f = tmp_path / "victim.txt"
    f.write_text("➜  ~ kubectl get pods\n"
                 "NAME   READY   STATUS        RESTARTS   AGE\n"
                 "low    1/1     Terminating   0          9m\n"
                 "high   0/1     Pending       0          1m\n"
                 "\n"
                 "⇒  k get po low -o json | jq '.status.conditions[] | select(.type==\"DisruptionTarget\")'\n"
                 "{\n"
                 '  "lastProbeTime": null,\n'
                 '  "lastTransitionTime": "2025-01-02T03:04:05Z",\n'
                 '  "message": "default-scheduler: preempting to accommodate a higher priority pod",\n'
                 '  "reason": "PreemptionByScheduler",\n'
                 '  "status": "True",\n'
                 '  "type": "DisruptionTarget"\n'
                 "}\n", encoding="utf-8")
    p = pod(explain_json(f), "low")
    assert p["diagnosis"]["cause"] == "preempted"
    assert p["final_status"] == "Terminating"
    assert "victim.txt:7" in p["diagnosis"]["summary"]
    dt = [t for t in p["transitions"] if t["kind"] == "disruption-target"]
    assert dt and dt[0]["cause"] == "preempted" and "PreemptionByScheduler" in dt[0]["summary"]
    assert pod(explain_json(f), "high")["diagnosis"]["cause"] != "preempted"


def test_a_disruption_target_without_reason_is_shown_but_not_guessed(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "d.txt"
    f.write_text("$ kubectl describe pod web-0\n"
                 "Name:         web-0\n"
                 "Status:       Terminating (lasts 2m)\n"
                 "Conditions:\n"
                 "  Type               Status\n"
                 "  DisruptionTarget   True\n"
                 "  Ready              False\n", encoding="utf-8")
    p = pod(explain_json(f), "web-0")
    dt = [t for t in p["transitions"] if t["kind"] == "disruption-target"]
    assert dt and dt[0]["cause"] == "unknown" and dt[0]["missing"]
    assert p["diagnosis"]["cause"] != "preempted"


_NODE_DOWN = """$ kubectl get nodes -w
NAME     STATUS   ROLES    AGE    VERSION
node-a   Ready    <none>   300d   v1.18.4
node-b   Ready    <none>   300d   v1.18.4
=====
node-b   NotReady   <none>   300d   v1.18.4
Some prose between the blocks.
$ kubectl get pods -o wide
NAME    READY   STATUS        RESTARTS   AGE   IP          NODE     NOMINATED NODE   READINESS GATES
web-0   1/1     Terminating   0          20m   10.4.0.1    node-b   <none>           <none>
web-1   1/1     Running       0          20m   10.4.0.2    node-a   <none>           <none>
"""


def test_terminating_pod_on_a_node_that_get_nodes_shows_notready(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "nodes.txt"
    f.write_text(_NODE_DOWN, encoding="utf-8")
    doc = explain_json(f)
    d = pod(doc, "web-0")["diagnosis"]
    assert d["cause"] == "node-lost" and d["confidence"] == "inferred"
    assert "Node node-b is NotReady" in d["summary"] and "nodes.txt:6" in d["summary"]
    assert "Terminating" in d["summary"]
    assert pod(doc, "web-1")["diagnosis"]["cause"] == "none"  # its node is Ready


def test_a_node_that_recovered_tells_nothing(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "nodes.txt"
    f.write_text(_NODE_DOWN.replace("Some prose", "node-b   Ready   <none>   300d   v1.18.4\nSome prose"),
                 encoding="utf-8")
    assert pod(explain_json(f), "web-0")["diagnosis"]["cause"] == "deleted"


def test_exec_that_cannot_dial_the_kubelet_says_the_node_is_unreachable(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "exec.txt"
    f.write_text("k get po -owide\n"
                 "NAME    READY   STATUS        RESTARTS   AGE   IP          NODE\n"
                 "db-0    2/2     Terminating   2          43m   10.4.0.130  10.0.240.5\n"
                 "\n"
                 "k exec -it db-0 -- bash\n"
                 "Error from server: error dialing backend: dial tcp 10.0.240.5:10250: i/o timeout\n",
                 encoding="utf-8")
    d = pod(explain_json(f), "db-0")["diagnosis"]
    assert d["cause"] == "node-lost"
    assert "kubelet at 10.0.240.5:10250 (i/o timeout, " in d["summary"] and "exec.txt:6" in d["summary"]


_STALLED = """me@jump:~> kubectl get pods -A -o wide | grep node-7
apps    web-5d9-abcde    0/1   Terminating   0   3h    10.2.0.4   node--7   <none>   <none>
kube    agent-x1         0/1   Pending       0   {age}   <none>     node-7    <none>   <none>
apps    api-6c8-fghij    0/1   Terminating   0   90m   10.2.0.5   node-7    <none>   <none>
"""


def test_a_node_whose_kubelet_neither_starts_nor_finishes_pods(tmp_path):
    """One table: a pod bound to node-7 for 16m is still Pending with no IP and others there stay
    Terminating: the kubelet on node-7 is not acting (inferred). The row whose NODE was edited after the
    grep (node--7) is still in the output of `grep node-7`."""
    from podlife_testkit import explain_json, pod

    f = tmp_path / "grep.txt"
    f.write_text(_STALLED.format(age="16m"), encoding="utf-8")
    doc = explain_json(f)
    for name in ("web-5d9-abcde", "agent-x1", "api-6c8-fghij"):
        d = pod(doc, name)["diagnosis"]
        assert d["cause"] == "node-lost" and d["confidence"] == "inferred", (name, d)
        assert "node node-7" in d["summary"] and "the input shows no node status" in d["summary"]
    assert "grep node-7" in pod(doc, "web-5d9-abcde")["diagnosis"]["summary"]
    assert "Pending with no IP after 16m" in pod(doc, "agent-x1")["diagnosis"]["summary"]
    assert pod(doc, "web-5d9-abcde")["final_status"] == "Terminating"


@pytest.mark.parametrize("change", [
    lambda t: t.format(age="30s"),  # just bound: the kubelet may not have seen it yet
    lambda t: t.format(age="16m").replace("Terminating", "Running "),  # nothing on the node is stuck ending
])
def test_no_node_verdict_without_both_signs(tmp_path, change):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "grep.txt"
    f.write_text(change(_STALLED), encoding="utf-8")
    assert pod(explain_json(f), "agent-x1")["diagnosis"]["cause"] != "node-lost"


TRIMMED_DESCRIBE = """\
$ kubectl describe pod batch-28194180-x2x7c

Status:                    Terminating (lasts {lasts})
Termination Grace Period:  30s

Init Containers:

    State:          Terminated
      Reason:       Completed
      Exit Code:    0

Containers:

    State:          Terminated
      Reason:       Error
      Exit Code:    {code}
"""


def test_a_trimmed_describe_terminating_long_past_its_deadline(tmp_path):
    """A describe cut above its Name, containers' names removed: the pod is the command's, both containers are
    kept apart, and the diagnosis says how long past the deadline it is and what the exit code means."""
    from podlife_testkit import explain_json, pod

    f = tmp_path / "d.txt"
    f.write_text(TRIMMED_DESCRIBE.format(lasts="3d", code=137), encoding="utf-8")
    p = pod(explain_json(f), "batch-28194180-x2x7c")
    d = p["diagnosis"]
    assert d["cause"] == "deleted" and p["final_status"] == "Terminating"
    assert "3d past its deletion deadline" in d["summary"] and "d.txt:3" in d["summary"]
    assert "did not stop on SIGTERM within the 30 s grace period" in d["summary"]
    codes = sorted(t["summary"] for t in p["transitions"] if t["kind"] == "terminated")
    assert len(codes) == 2 and "137" in codes[0] + codes[1] and "code 0" in codes[0] + codes[1]


def test_terminating_lasts_invalid_is_within_the_grace_period(tmp_path):
    from podlife_testkit import explain_json, pod

    f = tmp_path / "d.txt"
    f.write_text(TRIMMED_DESCRIBE.format(lasts="<invalid>", code=143), encoding="utf-8")
    d = pod(explain_json(f), "batch-28194180-x2x7c")["diagnosis"]
    assert d["cause"] == "deleted"
    assert "still within its grace period" in d["summary"] and "past" not in d["summary"]
    assert "exit 143 = SIGTERM" in d["summary"]


@pytest.mark.parametrize("code, grace, words", [
    (137, 0, "kills at once"), (137, 30, "did not stop on SIGTERM within the 30 s grace period"),
    (143, 30, "SIGTERM's default action"), (0, 30, "handled SIGTERM"), (1, 30, None),
])
def test_what_an_exit_code_says_about_a_deletion(code, grace, words):
    said = ending_deletion.deletion_exit(code, grace)
    assert (said is None) if words is None else (words in said)
