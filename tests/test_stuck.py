"""Stuck before running: FailedScheduling, FailedMount, FailedCreatePodSandBox grammars of each era, the
Warning-event transitions, and the never-none rule over every corpus file and seed."""

from __future__ import annotations

import pytest

from kubectl_podlife.model import stuck
from kubectl_podlife.model.timeline import Diagnosis
from podlife_testkit import corpus_files, explain_json, seed_files


@pytest.mark.parametrize("msg,total,parts", [
    # 1.8+ aggregate, one line
    ("0/12 nodes are available: 3 Insufficient memory, 9 node(s) didn't match node selector.", 12,
     [(3, "Insufficient memory"), (9, "node(s) didn't match node selector")]),
    # 1.24+ with the preemption: suffix
    ("0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are "
     "available: 3 Preemption is not helpful for scheduling.", 3, [(3, "pod has unbound immediate PersistentVolumeClaims")]),
    # 1.26+ untolerated taint, wrapped over two lines by describe
    ("0/1 nodes are available: 1 node(s) had untolerated taint\n   {node.cloudprovider.kubernetes.io/uninitialized: "
     "true}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..", 1,
     [(1, "node(s) had untolerated taint {node.cloudprovider.kubernetes.io/uninitialized: true}")]),
    # pre-1.8 predicate list
    ("No nodes are available that match all of the following predicates:: Insufficient cpu (2), "
     "MatchNodeSelector (1).", None, [(2, "Insufficient cpu"), (1, "MatchNodeSelector")]),
])
def test_failed_scheduling_grammars(msg, total, parts):
    assert stuck.parse_failed_scheduling(msg) == (total, parts)


def test_failed_scheduling_2015_predicate_reason():
    total, parts = stuck.parse_failed_scheduling("Failed for reason PodFitsResources and possibly others")
    assert total is None and "PodFitsResources" in parts[0][1] and "possibly others" in parts[0][1]


@pytest.mark.parametrize("text,words", [
    ("Insufficient memory", "lack memory"),
    ("node(s) didn't match node selector", "do not match its node selector"),
    ("node(s) had taint {dedicated: gpu}, that the pod didn't tolerate", "untolerated taint dedicated=gpu"),
    ("node(s) had untolerated taint {node.kubernetes.io/not-ready: }", "untolerated taint node.kubernetes.io/not-ready"),
    ("pod has unbound immediate PersistentVolumeClaims", "unbound PersistentVolumeClaims"),
])
def test_constraints_in_plain_words(text, words):
    assert words in stuck.constraint_words(text)


@pytest.mark.parametrize("msg,want", [
    ('MountVolume.SetUp failed for volume "certs" : secret "topolvm-mutatingwebhook" not found',
     'secret "topolvm-mutatingwebhook", which does not exist'),
    ('MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found', 'configmap "app-config"'),
    ('Multi-Attach error for volume "pvc-bc01" Volume is already used by pod(s) mysql-1-h5xbc',
     "already used by mysql-1-h5xbc"),
    ('MountVolume.SetUp failed for volume "s" : rpc error: code = Unknown desc = failed to mount secrets sto\nre '
     'objects for pod a/b, err: rpc error: code = Unknown desc = failed to mount objects, error: tenantId is not set',
     "tenantId is not set"),
    ("Unable to attach or mount volumes: unmounted volumes=[certs], unattached volumes=[certs tok]: timed out "
     "waiting for the condition", "unmounted volumes: certs"),
    ('Unable to mount volumes for pod "p_ns(uid)": timeout expired waiting for volumes to attach or mount for pod',
     "mount timed out"),
])
def test_volume_grammars(msg, want):
    assert want in stuck.volume_cause(msg)


@pytest.mark.parametrize("msg,want", [
    # containerd / calico 3.x
    ('Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "ab12": '
     'plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized',
     "error getting ClusterInformation: connection is unauthorized: Unauthorized"),
    # 2018 dockershim, wrapped
    ('Failed create pod sandbox: rpc error: code = Unknown desc = NetworkPlugin cni failed to set up pod\n'
     '"kube-dns_kube-system" network: stat /var/lib/calico/nodename: no such file or directory',
     "stat /var/lib/calico/nodename: no such file or directory"),
])
def test_sandbox_grammars(msg, want):
    assert stuck.sandbox_cause(msg) == want


def test_unknown_warning_reason_becomes_a_warning_transition():
    assert stuck.event_kind("FailedCreate", "Warning", "note", "note") == "warning"
    assert stuck.event_kind("SomethingNormal", "Normal", "note", "note") == "note"
    assert stuck.event_kind("FailedScheduling", "Warning", "phase", "failed-scheduling") == "unschedulable"
    assert stuck.event_kind("FailedMount", "Warning", "note", "mount") == "mount-failed"


@pytest.mark.parametrize("final,ready,stuck_in", [
    ("Pending", "0/1", "Pending"), ("ContainerCreating", None, "ContainerCreating"), ("Init:0/2", "0/1", "Init:0/2"),
    ("Terminating", "1/1", "Terminating"), ("Unknown", None, "Unknown"), ("NodeLost", "1/1", "NodeLost"), ("Running", "1/2", "Running, not ready (1/2)"),
    ("Running", "2/2", None), ("Completed", "0/1", None),
])
def test_unhealthy_states(final, ready, stuck_in):
    assert stuck.unhealthy_state(final, ready) == stuck_in


def test_never_none_keeps_a_real_cause():
    d = Diagnosis(cause="image-pull", summary="x")
    assert stuck.never_none(d, [], "Pending") is d


def _all_pods():
    from kubectl_podlife.errors import NothingReadError

    for f in corpus_files() + seed_files():
        try:
            doc = explain_json(f)
        except NothingReadError:  # a seed that holds no kubectl output at all (a blog's prose); anything else fails
            continue
        for p in doc["pods"]:
            yield f, p


def _last_ready(p: dict) -> str | None:
    """READY as kubectl last showed it (the JSON's "kubectl" view of the latest transition that has one)."""
    return next((t["kubectl"]["ready"] for t in reversed(p["transitions"]) if (t.get("kubectl") or {}).get("ready")),
                None)


def _stuck_in(final: str | None, ready: str | None) -> str | None:
    """The issue's list, written here independently of the model's own rule (stuck.unhealthy_state)."""
    final = final or ""
    if final in ("Pending", "ContainerCreating", "Terminating", "Unknown", "NodeLost") or final.startswith("Init:"):
        return final
    n, _, m = (ready or "").partition("/")
    if final == "Running" and n.isdigit() and m.isdigit() and int(n) < int(m):
        return f"Running, not ready ({ready})"
    return None


def test_no_false_all_clear_over_corpus_and_seeds():
    """No pod whose last state is Pending, ContainerCreating, Init:*, Terminating, Unknown or not ready is
    ever `none` ("No failure seen"), over every corpus file and seed."""
    files = corpus_files() + seed_files()
    if not files:
        pytest.skip("../shared is not here")
    bad, checked, sources = [], [], set()
    for f, p in _all_pods():
        sources.add(f.parent.name)
        stuck_in = _stuck_in(p["final_status"], _last_ready(p))
        if stuck_in is None:
            continue
        checked.append(stuck_in)
        if p["diagnosis"]["cause"] == "none" or p["diagnosis"]["summary"].startswith("No failure seen"):
            bad.append((f.name, p["name"], stuck_in))
    assert not bad
    # the check saw what it is about: stuck pods of every kind the rule names, from the corpus and the seeds
    kinds = {k.split(" ")[0].split(":")[0].rstrip(",") for k in checked}
    assert {"Pending", "ContainerCreating", "Init", "Terminating", "Running"} <= kinds, kinds
    assert kinds & {"Unknown", "NodeLost"}, kinds  # an unreachable node's pod (NodeLost is older kubectl's Unknown)
    assert any(k.startswith("Running, not ready") for k in checked)
    if seed_files():
        assert "seeds" in sources


_DESCRIBE_START_ERROR = """\
$ kubectl describe pod web-7d4b9c-x2x9q
Name:             web-7d4b9c-x2x9q
Namespace:        default
Status:           Running
Containers:
  web:
    Image:          example/web:1.2
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       StartError
      Message:      {message}
      Exit Code:    128
      Started:      Thu, 01 Jan 1970 00:00:00 +0000
      Finished:     Tue, 02 Dec 2025 10:00:09 +0000
    Ready:          False
    Restart Count:  3
Events:
  Type     Reason   Age                From     Message
  ----     ------   ----               ----     -------
  Normal   Pulled   60s (x4 over 2m)   kubelet  Container image "example/web:1.2" already present on machine
  Normal   Created  60s (x4 over 2m)   kubelet  Created container: web
  Warning  Failed   60s (x4 over 2m)   kubelet  Error: {message}
  Warning  BackOff  5s (x8 over 110s)  kubelet  Back-off restarting failed container web in pod web-7d4b9c-x2x9q_default(1f0e)
"""


@pytest.mark.parametrize("message,phrase,meaning", [
    # containerd / runc >= 1.1: the command is not on the image's PATH
    ('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: '
     'unable to start container process: exec: "curl": executable file not found in $PATH: unknown',
     'exec: "curl": executable file not found in $PATH', "no executable `curl`"),
    # the entrypoint is a path that does not exist in the image
    ('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: '
     'unable to start container process: exec: "/app/run.sh": stat /app/run.sh: no such file or directory: unknown',
     "no such file or directory", "does not exist in the image"),
])
def test_cannot_run_from_describe(tmp_path, message, phrase, meaning):
    f = tmp_path / "describe.txt"
    f.write_text(_DESCRIBE_START_ERROR.format(message=message), encoding="utf-8")
    p = next(p for p in explain_json(f)["pods"] if p["name"] == "web-7d4b9c-x2x9q")
    d = p["diagnosis"]
    assert d["cause"] == "cannot-run", d["summary"]
    assert d["container"] == "web"
    assert phrase in d["summary"] and meaning in d["summary"]
    assert "not an application crash" in d["summary"]
    assert "restarted 3 times" in d["summary"]
    # The evidence is the Failed event's own line (line 23 of the fragment).
    assert "describe.txt:23" in d["summary"], d["summary"]


@pytest.mark.parametrize("line,phrase", [
    ("exec /app/server: exec format error", "exec /app/server: exec format error"),  # runc >= 1.1 log
    ("standard_init_linux.go:228: exec user process caused: exec format error", "exec format error"),  # older runc
    # Docker era: JSON-escaped quotes inside a FailedSync message
    ('runContainer: Error response from daemon: {\\"message\\":\\"oci runtime error: container_linux.go:247: '
     'starting container process caused \\\\\\"exec: \\\\\\\\\\\\\\"--config\\\\\\\\\\\\\\": executable file not '
     'found in $PATH\\\\\\"\\\\n\\"}', 'exec: "--config": executable file not found in $PATH'),
])
def test_exec_failure_phrases(line, phrase):
    got = stuck.exec_failure(line)
    assert got is not None and got[0] == phrase


def test_exec_failure_ignores_an_application_error():
    assert stuck.exec_failure("panic: runtime error: index out of range [3] with length 3") is None


def test_cannot_run_from_the_last_state_alone(tmp_path):
    """No events pasted: the StartError message in describe's Last State is the evidence."""
    f = tmp_path / "describe.txt"
    f.write_text(_DESCRIBE_START_ERROR.format(message='exec: "bash": executable file not found in $PATH: unknown')
                 .split("Events:")[0], encoding="utf-8")
    d = next(p for p in explain_json(f)["pods"] if p["name"] == "web-7d4b9c-x2x9q")["diagnosis"]
    assert d["cause"] == "cannot-run" and d["container"] == "web"
    assert "(StartError)" in d["summary"] and 'exec: "bash": executable file not found' in d["summary"]
    assert "its last state says" in d["summary"]


_TWO_CONTAINERS = """\
$ kubectl get pods
NAME                        READY   STATUS    RESTARTS   AGE
httpbin-65fd5c4c54-498nm    1/2     Running   0          15m
$ kubectl describe pod httpbin-65fd5c4c54-498nm
Name:         httpbin-65fd5c4c54-498nm
Namespace:    default
Status:       Running
Containers:
  httpbin:
    Image:          docker.io/kennethreitz/httpbin
    State:          Running
      Started:      Tue, 02 Dec 2025 10:00:00 +0000
    Ready:          True
    Restart Count:  0
  istio-proxy:
    Image:          docker.io/istio/proxyv2:1.6.3
    State:          Running
      Started:      Tue, 02 Dec 2025 10:00:01 +0000
    Ready:          False
    Restart Count:  0
"""


def test_not_ready_container_is_named(tmp_path):
    f = tmp_path / "pod.txt"
    f.write_text(_TWO_CONTAINERS, encoding="utf-8")
    d = next(p for p in explain_json(f)["pods"] if p["name"] == "httpbin-65fd5c4c54-498nm")["diagnosis"]
    assert d["cause"] != "none"
    assert "READY 1/2: not ready: istio-proxy" in d["summary"], d["summary"]
    assert "httpbin," not in d["summary"]


START_ERROR_WATCH = """\
$ kubectl get pods -w
NAME   READY   STATUS              RESTARTS      AGE
web    0/1     ContainerCreating   0             0s
web    0/1     StartError          0             2s
web    0/1     StartError          1 (1s ago)    3s
web    0/1     CrashLoopBackOff    1 (2s ago)    4s
web    0/1     StartError          2 (15s ago)   18s
web    0/1     CrashLoopBackOff    2 (16s ago)   19s
"""


def test_start_error_rows_time_the_back_off_from_the_previous_exit(tmp_path):
    """A StartError instance dies as it starts, so the row whose RESTARTS goes up already shows its exit: the
    back-off that restart waited is measured from the previous exit ("(15s ago)"), and no false alarm follows."""
    from podlife_testkit import explain_json, pod

    f = tmp_path / "w.txt"
    f.write_text(START_ERROR_WATCH, encoding="utf-8")
    p = pod(explain_json(f), "web")
    assert p["diagnosis"]["cause"] == "cannot-run" and "StartError" in p["diagnosis"]["summary"]
    r2 = next(t for t in p["transitions"] if t["kind"] == "restart" and t["restart_count"] == 2)
    lo, hi = r2["expected"]["t_range"]
    assert lo <= r2["t"] <= hi, r2["expected"]


def test_a_never_started_instance_has_no_1970_start(tmp_path):
    """The runtime reports a StartError's Started as the Unix epoch: it is "never started", not 1970, in
    describe and in -o json alike (no 56-year-long instance, no back-off reset because of it)."""
    from podlife_testkit import explain_json, pod

    f = tmp_path / "d.txt"
    f.write_text("$ kubectl describe pod probe\nName:         probe\nNamespace:    default\nStatus:       Running\n"
                 "Containers:\n  web:\n    Image:          nginx\n    State:          Waiting\n"
                 "      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n"
                 "      Reason:       StartError\n      Exit Code:    128\n"
                 "      Started:      Thu, 01 Jan 1970 00:00:00 +0000\n"
                 "      Finished:     Tue, 02 Dec 2025 10:00:05 +0000\n    Ready:          False\n"
                 "    Restart Count:  4\n", encoding="utf-8")
    j = tmp_path / "p.json"
    j.write_text('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe", "namespace": "default", '
                 '"creationTimestamp": "2025-12-02T09:58:00Z"}, "spec": {"containers": [{"name": "web"}]}, '
                 '"status": {"phase": "Running", "containerStatuses": [{"name": "web", "ready": false, '
                 '"restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": '
                 '{"terminated": {"exitCode": 128, "reason": "StartError", "startedAt": "1970-01-01T00:00:00Z", '
                 '"finishedAt": "2025-12-02T10:00:05Z"}}}]}}', encoding="utf-8")
    for path in (f, j):
        p = pod(explain_json(path), "probe")
        text = " ".join(t["summary"] + " ".join(t["detail"]) for t in p["transitions"])
        assert "490186h" not in text and "Back-off reset" not in text, path
        assert all(t["t"] is None or t["t"] >= 0 for t in p["transitions"]), path


def test_image_never_pulled_and_invalid_image_name_say_what_to_change(tmp_path):
    """ErrImageNeverPull and InvalidImageName are not registry failures: no pull happens, so the diagnosis
    names the image and the fix, and the transitions do not claim the image-pull back-off."""
    from podlife_testkit import explain_json, pod

    never = tmp_path / "never.txt"
    never.write_text("$ kubectl get events\n"
                     "LAST SEEN   TYPE      REASON              OBJECT      MESSAGE\n"
                     "5s          Warning   ErrImageNeverPull   pod/local   Container image \"myapp:dev\" is not "
                     "present with pull policy of Never\n"
                     "5s          Warning   Failed              pod/local   Error: ErrImageNeverPull\n",
                     encoding="utf-8")
    p = pod(explain_json(never), "local")
    assert p["diagnosis"]["cause"] == "image-pull"
    assert "myapp:dev" in p["diagnosis"]["summary"] and "imagePullPolicy is Never" in p["diagnosis"]["summary"]
    assert all("ImagePullBackOff" not in (t["rule"] or "") for t in p["transitions"] if t["kind"] == "pull-failed")
    bad = tmp_path / "bad.txt"
    bad.write_text("$ kubectl get events\n"
                   "LAST SEEN   TYPE      REASON          OBJECT    MESSAGE\n"
                   "3s          Warning   InspectFailed   pod/bad   Failed to apply default image tag "
                   "\"nginx:1.25:latest\": couldn't parse image reference \"nginx:1.25:latest\": invalid reference "
                   "format\n"
                   "3s          Warning   Failed          pod/bad   Error: InvalidImageName\n", encoding="utf-8")
    p = pod(explain_json(bad), "bad")
    assert p["diagnosis"]["cause"] == "image-pull"
    assert "nginx:1.25:latest" in p["diagnosis"]["summary"] and "not a valid image reference" in p["diagnosis"]["summary"]
    assert not any(t["kind"] == "warning" for t in p["transitions"])  # InspectFailed is understood


ENV_SECRET = """\
$ kubectl describe pod api-7d9f8b6c5d-x2x7c
Name:         api-7d9f8b6c5d-x2x7c
Namespace:    default
Status:       Pending
Containers:
  api:
    Image:          api:1.4
    State:          Waiting
      Reason:       CreateContainerConfigError
    Ready:          False
    Restart Count:  0
Events:
  Type     Reason     Age                 From               Message
  ----     ------     ----                ----               -------
  Normal   Scheduled  3m                  default-scheduler  Successfully assigned default/api-7d9f8b6c5d-x2x7c to n1
  Normal   Pulled     10s (x15 over 3m)   kubelet            Container image "api:1.4" already present on machine
  Warning  Failed     10s (x15 over 3m)   kubelet            Error: secret "db-creds" not found
"""


def test_env_secret_missing_is_a_config_error_with_no_restarts(tmp_path):
    """A Secret an env var needs is missing: CreateContainerConfigError, never a crash loop; the 15 Pulled
    events are sync attempts of a container never created, not 14 restarts."""
    from podlife_testkit import explain_json, pod

    f = tmp_path / "d.txt"
    f.write_text(ENV_SECRET, encoding="utf-8")
    p = pod(explain_json(f), "api-7d9f8b6c5d-x2x7c")
    d = p["diagnosis"]
    assert d["cause"] == "config-error" and p["restarts"] == 0
    assert 'secret "db-creds" not found' in d["summary"] and "env" in d["summary"] and "FailedMount" in d["summary"]


def test_readme_lists_every_lifecycle_cause_with_an_example_podlife_prints():
    from pathlib import Path

    from podlife_testkit import REPO, shared_file, CORPUS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What it reads"):readme.index("## How explanations work")]
    flat = " ".join(section.split())
    for cause in ("unschedulable", "volume", "sandbox", "cannot-run", "post-start-hook", "preempted", "node-lost",
                  "evicted", "deadline-exceeded", "deleted", "unknown"):
        assert f"`{cause}`" in flat, cause
    # the examples quoted are what podlife prints
    evicted = explain_json(Path(__file__).parent / "data" / "evicted.txt")["pods"][0]["diagnosis"]["summary"]
    assert evicted in flat
    lost = next(p for p in explain_json(shared_file(CORPUS, "083"))["pods"] if p["name"] == "mysql-0")
    quoted = lost["diagnosis"]["summary"].replace(str(shared_file(CORPUS, "083")), "file")
    assert quoted in flat
