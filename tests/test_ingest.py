"""Parsers per format, on small texts with each kind of damage the seeds and corpus show."""

from __future__ import annotations

import textwrap

import pytest

from kubectl_podlife.ingest import read_text
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.ingest.describe import parse_probe
from kubectl_podlife.ingest.events import match_row
from kubectl_podlife.timefmt import DurationError, human_duration, parse_age, parse_timestamp


def obs(text: str, kind: str | None = None):
    r = read_text(textwrap.dedent(text).strip("\n") + "\n", "t.txt")
    out = anchor(r.observations)
    return [o for o in out if kind is None or o.kind == kind], r.warnings


# --- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,lo,hi", [
    ("43s", 43, 44), ("119s", 119, 120), ("2m7s", 127, 128), ("4m13s", 253, 254), ("3m", 180, 181),
    ("10m", 600, 660), ("179m", 10740, 10800), ("3h5m", 11100, 11160), ("6h", 21600, 21660), ("12h", 43200, 46800),
    ("2d3h", 183600, 187200), ("72d", 72 * 86400, 73 * 86400), ("34 seconds", 34, 35),
])
def test_parse_age_interval(text, lo, hi):
    assert parse_age(text) == (lo, hi)


def test_old_single_unit_ages_cover_the_unit():
    assert parse_age("1m", modern=False) == (60, 120)
    assert parse_age("2m", modern=False) == (120, 180)


@pytest.mark.parametrize("bad", ["4x3m", "40", "", "m", "abc"])
def test_parse_age_rejects(bad):
    with pytest.raises(DurationError):
        parse_age(bad)


@pytest.mark.parametrize("seconds,text", [(43, "43s"), (127, "2m7s"), (180, "3m"), (253, "4m13s"), (700, "11m"),
                                          (4 * 3600 + 300, "4h5m"), (9 * 3600, "9h"), (3 * 86400, "3d")])
def test_human_duration_matches_kubectl(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize("text,iso", [
    ("Mon, 03 Dec 2026 10:00:00 +0000", "2026-12-03T10:00:00+00:00"),
    ("Tue, 7 Apr 2015 12:08:30 -0700", "2015-04-07T12:08:30-07:00"),
    ("Sat, 01 Jan 2022 00:00:00 +0530", "2022-01-01T00:00:00+05:30"),
    ("Tue, 07 Apr 2015 12:08:30 PDT", "2015-04-07T12:08:30+00:00"),  # a zone name is read as UTC, as before
    ("Mon, 31 Feb 2026 10:00:00 +0000", None), ("Mon, 03 Dec 2026 24:00:00 +0000", None),
    ("Mon, 03 Dec 2026 10:00:60 +0000", None),
])
def test_parse_timestamp_reads_describe_times(text, iso):
    dt = parse_timestamp(text)
    assert (dt.isoformat() if dt else None) == iso


# --- get pods ----------------------------------------------------------------------------------

def test_watch_rows_with_restart_suffix_and_comment():
    rows, warns = obs("""
        NAME READY STATUS RESTARTS AGE
        liveness-exec-pod 0/1 ContainerCreating 0 0s
        liveness-exec-pod 1/1 Running 5 (0s ago) 3m31s # 重试到第5次后,报循环错误
        liveness-exec-pod 0/1 CrashLoopBackOff 5 (0s ago) 4m13s
    """, "row")
    assert [r.data["status"] for r in rows] == ["ContainerCreating", "Running", "CrashLoopBackOff"]
    assert rows[1].data["restarts"] == 5 and rows[1].data["last_restart_ago"] == [0.0, 1.0]
    assert (rows[2].t, rows[2].t_lo, rows[2].t_hi) == (253.0, 253.0, 254.0)
    assert not warns


def test_wide_all_namespaces_and_watch_events_columns():
    rows, _ = obs("""
        EVENT      NAMESPACE   NAME     READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   READINESS GATES
        ADDED      prod        web-1    1/1     Running   0          5s    10.0.0.7     node1   <none>           <none>
        DELETED    prod        web-1    0/1     Terminating   0      40s   10.0.0.7     node1   <none>           <none>
    """, "row")
    assert rows[0].pod.namespace == "prod" and rows[0].data["ip"] == "10.0.0.7" and rows[0].data["node"] == "node1"
    assert rows[1].data["watch_event"] == "DELETED" and rows[1].data.get("deleted")


def test_header_repeated_and_columns_pushed_out_of_line():
    rows, _ = obs("""
        NAME             READY     STATUS    RESTARTS   AGE
        my-nginx-kn1zy   0/1       Running   0          6s
        NAME             READY     STATUS    RESTARTS   AGE
        my-nginx-kn1zy   0/1       Running   1         51s
        nginx-2738591398-5f9kl   0/1       Terminating   0         2m
    """, "row")
    assert [r.data["restarts"] for r in rows] == [0, 1, 0]
    assert rows[2].t_lo == 120 and rows[2].t_hi == 180  # no modern form in the table: "2m" covers a minute


def test_collapsed_whitespace_and_glued_heading():
    rows, warns = obs("""
        NAME READY STATUS RESTARTS AGE
        probe-tcp 1/1 Running 3 65s6.3.4 就绪检测
    """, "row")
    assert rows[0].data["restarts"] == 3 and rows[0].t == 65
    assert any('glued after AGE "65s"' in w.message for w in warns)


def test_rows_with_only_name_and_age():
    rows, _ = obs("""
        NAME                   READY   STATUS              RESTARTS   AGE
        hitter                 0/1     ContainerCreating   0          4s
        NAME                   AGE
        hitter                 6s
    """, "row")
    assert rows[1].data.get("status") is None and rows[1].t == 6


def test_unreadable_age_keeps_the_row_and_warns():
    rows, warns = obs("""
        NAME    READY   STATUS    RESTARTS   AGE
        web-1   1/1     Running   0          4x3m
        web-2   1/1     Running   0          5s
    """, "row")
    assert [r.pod.name for r in rows] == ["web-1", "web-2"]
    assert rows[0].t is None and rows[1].t == 5
    assert [w.origin for w in warns] == ["t.txt:2"]
    assert 'cannot read AGE "4x3m"' in warns[0].message


def test_headerless_rows_and_collapsed_command_line():
    rows, _ = obs("""
        init-container-demo            0/1     Init:CrashLoopBackOff   6          10m   10.44.0.3   node1.example.com   <none>           <none>
    """, "row")
    assert rows[0].data["status"] == "Init:CrashLoopBackOff" and rows[0].data["restarts"] == 6
    rows, _ = obs("""
        [root@node1 test]# kubectl get pods -n=test-restartpolicy NAME READY STATUS RESTARTS AGE test-restartpolicy 2/2 Running 0 44s
    """, "row")
    assert rows[0].pod.namespace == "test-restartpolicy" and rows[0].data["ready"] == "2/2"


def test_age_reset_starts_a_new_incarnation():
    rows, _ = obs("""
        NAME READY STATUS RESTARTS AGE
        demo 1/1 Running 1 (0s ago) 45s
        pod/demo created
        NAME READY STATUS RESTARTS AGE
        demo 0/1 ContainerCreating 0 0s
    """, "row")
    assert [r.pod.incarnation for r in rows] == [1, 2]


# --- describe ----------------------------------------------------------------------------------

def test_describe_probe_lines_both_forms():
    old = parse_probe("exec [test -e /tmp/healthy] delay=1s timeout=1s period=3s #success=1 #failure=3")
    new = parse_probe("exec [test -e /tmp/healthy] delay=1s timeout=1s period=3s successThreshold=1 failureThreshold=3")
    assert old == new == {"exec": {"command": ["test", "-e", "/tmp/healthy"]}, "initialDelaySeconds": 1,
                          "timeoutSeconds": 1, "periodSeconds": 3, "successThreshold": 1, "failureThreshold": 3}
    assert parse_probe("http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3")[
        "httpGet"] == {"scheme": "HTTP", "port": 8080, "path": "/healthz"}
    assert parse_probe("tcp-socket :53 delay=5s timeout=1s period=5s #success=1 #failure=3")["tcpSocket"] == {
        "port": 53}
    assert parse_probe("grpc <pod>:9090 health delay=0s timeout=1s period=10s #success=1 #failure=3")["grpc"][
        "service"] == "health"


def test_describe_states_with_collapsed_spacing():
    got, _ = obs("""
        Name: web-0
        Namespace: shop
        Containers:
          web:
            State: Running
              Started: Mon, 13 Nov 2023 03:50:57 +0100
            Last State: Terminated
              Reason: Error
              Exit Code: 137
              Started: Mon, 13 Nov 2023 03:48:52 +0100
              Finished: Mon, 13 Nov 2023 03:50:55 +0100
            Ready: True
            Restart Count: 1
            Liveness: exec [cat /tmp/ok] delay=5s timeout=1s period=5s #success=1 #failure=3
    """)
    c = next(o for o in got if o.kind == "container")
    assert c.pod.name == "web-0" and c.pod.namespace == "shop" and c.container == "web"
    assert c.data["state"] == {"status": "running", "started_at": "2023-11-13T02:50:57Z"}
    assert c.data["last_state"]["exit_code"] == 137 and c.data["last_state"]["reason"] == "Error"
    assert c.data["restart_count"] == 1 and c.data["ready"] is True
    spec = next(o for o in got if o.kind == "spec")
    assert spec.data["spec"]["containers"][0]["livenessProbe"]["periodSeconds"] == 5


def test_describe_fragment_reindented_to_column_zero():
    got, _ = obs("""
        Last State:     Terminated
          Reason:       OOMKilled
          Exit Code:    137
          Started:      Fri, 15 Sep 2023 09:56:14 +0200
          Finished:     Fri, 15 Sep 2023 09:56:17 +0200
    """, "container")
    assert got[0].data["last_state"]["reason"] == "OOMKilled"
    assert got[0].pod.name.startswith("(unnamed)")


def test_describe_events_wrapped_message_and_unknown_age():
    got, _ = obs("""
        kubectl describe pod web-0
        Events:
          Type     Reason     Age                From               Message
          ----     ------     ----               ----               -------
          Normal   Scheduled  57s                default-scheduler  Successfully assigned default/web-0 to node01
          Warning  Unhealthy  10s (x3 over 20s)  kubelet, node01    Liveness probe failed: cat: can't open
        '/tmp/healthy': No such file or directory
          Normal   Killing    <unknown>          kubelet            Container web failed liveness probe, will be restarted
    """, "event")
    unhealthy = got[1]
    assert unhealthy.data["count"] == 3 and unhealthy.data["source"] == "kubelet, node01"
    assert unhealthy.data["message"].endswith("No such file or directory")
    assert (unhealthy.t_lo, unhealthy.t_hi) == (46.0, 49.0)  # anchored on Scheduled at 57 s
    assert unhealthy.data["first_t"][0] == 36.0
    assert got[2].t is None and got[2].data["reason"] == "Killing"


def test_describe_event_field_path_prefix_of_kubectl_1_35():
    got, _ = obs("""
        Events:
          Type    Reason   Age   From     Message
          ----    ------   ----  ----     -------
          Normal  Started  5s    kubelet  spec.containers{web}: Container started
    """, "event")
    assert got[0].container == "web" and got[0].data["message"] == "Container started"


@pytest.mark.parametrize("line,layout,check", [
    ("  Normal   Killing    9m44s (x2 over 10m)   kubelet            Container c failed liveness probe, will be "
     "restarted", "describe", {"count": 2, "source": "kubelet"}),
    ("  Warning  Unhealthy  2m (x289 over 12d)  kubelet, foo-node  Readiness probe failed: Get http://x", "describe",
     {"count": 289, "source": "kubelet, foo-node"}),
    ("  23m\t\t23m\t\t1\t{kubelet 167.114.227.131}\tspec.containers{nginx-ingress-lb}\tNormal\t\tCreated\t\tCreated "
     "container with docker id a63873af72e2", "describe-old", {"source": "kubelet 167.114.227.131",
                                                                  "field_path": "spec.containers{nginx-ingress-lb}"}),
    ("  Tue, 07 Apr 2015 12:08:30 -0700\tTue, 07 Apr 2015 12:08:30 -0700\t1\t{kubelet 127.0.0.1}\t"
     "spec.containers{nginx}\t\t\tkilling\t\tKilling 0b77", "describe-old", {"reason": "killing"}),
    ("12s         Warning   BackOff                pod/init-container-demo             Back-off restarting failed "
     "container", "get-events", {"object_name": "init-container-demo"}),
    ("rkoubsky   1h        1h        2         basic-sti-1-p7jnr   Pod       spec.containers{basic-sti}   Warning   "
     "Unhealthy   {kubelet ip-XXXX}   Readiness probe failed: ", "get-events-1.5", {"count": 2, "namespace": "rkoubsky"}),
    ("12m         Warning   FailedPreStopHook         Pod    Exec lifecycle hook failed", "get-events-kind",
     {"object_kind": "Pod"}),
    ("3:05:26 PM  Normal  Pulling   pulling image \"a/b:c\"", "web-console", {"clocktime": "3:05:26 PM"}),
])
def test_event_row_layouts(line, layout, check):
    got = match_row(line)
    assert got is not None and got[0] == layout
    for k, v in check.items():
        assert got[1][k] == v


def test_get_events_without_header_attach_by_object_and_skip_nodes():
    got, _ = obs("""
        8m11s       Normal    Pulling                pod/init-container-demo             Pulling image "alpine/git"
        37m         Normal    NodeNotReady           node/node2.example.com              Node node2 status is now: NodeNotReady
    """, "event")
    assert len(got) == 1 and got[0].pod.name == "init-container-demo"


def test_custom_columns_events_with_nil_and_rfc3339():
    got, _ = obs("""
        TIME                   REASON      MSG
        <nil>                  Scheduled   Successfully assigned kube-system/gadget-nzg7r to blanquicet
        2021-07-01T13:53:17Z   Pulling     Pulling image "docker.io/blanquicet/gadget:issue-liveness"
        2021-07-01T13:58:33Z   Unhealthy   Liveness probe failed:
    """, "event")
    assert {o.pod.name for o in got} == {"gadget-nzg7r"}
    assert got[2].t == 316.0  # placed on the pod's clock through the earliest timestamp
    assert got[2].data["message"] == "Liveness probe failed:"


def test_k9s_frames_are_stripped():
    got, _ = obs("""
        │   Normal   Pulling    102s (x4 over 3m9s)  kubelet            Pulling image "pf/x:0.1.0"                 │
        │   Warning  Failed     101s (x4 over 3m7s)  kubelet            Failed to pull image "pf/x:0.1.0": rpc error │
        │  daemon: pull access denied for pf/x                                                                     │
    """, "event")
    assert len(got) == 2 and got[1].data["message"].endswith("pull access denied for pf/x")


def test_get_events_wide_layout_keeps_first_seen_and_count():
    got, _ = obs("""
        $ kubectl get events -o wide
        LAST SEEN   TYPE      REASON      OBJECT              SUBOBJECT                   SOURCE              MESSAGE                                   FIRST SEEN   COUNT   NAME
        2m          Normal    Scheduled   pod/liveness-exec                               default-scheduler   Successfully assigned default/liveness-exec to node01   2m   1   liveness-exec.17a3b2c1d0e9f8a7
        95s         Warning   Unhealthy   pod/liveness-exec   spec.containers{liveness}   kubelet, node01     Liveness probe failed: cat: can't open '/tmp/healthy'   115s   3   liveness-exec.17a3b2c1d0e9f8a8
    """, "event")
    unhealthy = got[1]
    assert unhealthy.container == "liveness" and unhealthy.data["count"] == 3
    assert unhealthy.data["source"] == "kubelet, node01"
    assert unhealthy.data["message"] == "Liveness probe failed: cat: can't open '/tmp/healthy'"
    assert unhealthy.data["first_t"] == [4.0, 7.0]  # a 120 s old pod, first seen 115 s ago (±rounding)


def test_a_saved_get_pod_o_yaml_is_read_as_an_api_object(tmp_path):
    """Not a manifest: its status (restarts, last state) must not be dropped."""
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata:
          creationTimestamp: "2026-11-20T10:00:00Z"
          name: api-5d8f7
          namespace: shop
          uid: 7f3c2a10-0000-4000-8000-000000000001
        spec:
          containers:
          - name: api
            image: registry.example.com/shop/api:1.4
        status:
          phase: Running
          containerStatuses:
          - name: api
            ready: true
            restartCount: 2
            lastState:
              terminated: {exitCode: 1, reason: Error, startedAt: "2026-11-20T10:03:10Z", finishedAt: "2026-11-20T10:04:12Z"}
            state:
              running: {startedAt: "2026-11-20T10:04:13Z"}
    """)
    r = read_text(text, "pod.yaml")
    kinds = {o.kind for o in r.observations}
    assert {"spec", "pod", "container"} <= kinds
    c = next(o for o in r.observations if o.kind == "container")
    assert c.data["restart_count"] == 2 and c.data["last_state"]["exit_code"] == 1


# --- events that do not name their pod -----------------------------------------------------------

_THREE_PODS = """
web-0    1/1     Running   0          10m     10.1.0.9    node1   <none>           <none>
web-1    1/1     Running   0          10m     10.1.0.10   node2   <none>           <none>
web-2    0/1     Pending   0          9m51s   <none>      <none>                   <none>           <none>
{extra}
Warning  FailedScheduling  48s (x7 over 9m)  default-scheduler  0/3 nodes are available: 3 Insufficient cpu.
"""


def test_unnamed_scheduling_event_goes_to_the_only_unscheduled_pod():
    got, _ = obs(_THREE_PODS.format(extra=""), "event")
    assert [o.pod.name for o in got] == ["web-2"]
    assert "does not name its pod" in got[0].data["pod_inferred"]
    from kubectl_podlife.model import build_timeline
    p = next(p for p in build_timeline(got).pods if p.name == "web-2")
    assert any("does not name its pod" in n for n in p.notes)


def test_unnamed_scheduling_event_is_not_guessed_between_two_pending_pods():
    got, _ = obs(_THREE_PODS.format(extra="web-3    0/1     Pending   0          9m   <none>      <none>   <none>   <none>"),
                 "event")
    assert got[0].pod.name.startswith("(unnamed)")


@pytest.mark.parametrize("message,name,namespace", [
    # Secrets Store CSI / MountVolume errors: "for pod ns/name"
    ("MountVolume.SetUp failed for volume \"kv\" : rpc error: code = Unknown desc = failed to mount secrets store "
     "objects for pod shop/cart-5d9f-abcde, err: tenantId is not set", "cart-5d9f-abcde", "shop"),
    # dockershim CNI: pod "name_namespace" without the uid
    ("Failed create pod sandbox: rpc error: code = Unknown desc = NetworkPlugin cni failed to set up pod "
     "\"dns-7f-x2_kube-system\" network: stat /var/lib/calico/nodename: no such file or directory", "dns-7f-x2",
     "kube-system"),
])
def test_event_message_names_its_pod(message, name, namespace):
    text = f"""
    a-0   1/1   Running   0   5m
    b-0   1/1   Running   0   5m

      Warning  FailedMount  1m (x3 over 5m)  kubelet  {message}
    """
    got, _ = obs(text, "event")
    assert (got[0].pod.name, got[0].pod.namespace) == (name, namespace)


def test_command_after_environment_assignment_names_the_described_pod():
    text = """
    KUBECONFIG=/etc/kubernetes/admin.conf kubectl -n kube-system describe pod dns-7f-x2

    ...
      Normal   SandboxChanged          6m (x11 over 6m)   kubelet, n1  Pod sandbox changed, it will be killed and re-created.
      Warning  FailedCreatePodSandBox  1m (x158 over 6m)  kubelet, n1  Failed create pod sandbox: network: boom
    """
    got, _ = obs(text, "event")
    assert {(o.pod.name, o.pod.namespace) for o in got} == {("dns-7f-x2", "kube-system")}


def test_openshift_console_event_blocks_read_the_reason_from_the_message():
    text = """
    Events

    Generated from kubelet on node-a.example.internal
    3 times in the last 6 minutes
    Unable to mount volumes for pod "db-hook_shop(f5e9cc7d-c686-11e9-9081-06b878036c23)": timeout expired waiting
    for volumes to attach or mount for pod "shop"/"db-hook". list of unmounted volumes=[data]

    Generated from attachdetach-controller
    Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) db-1-abcde

    Generated from some-operator
    Reconciled the thing
    """
    got, _ = obs(text, "event")
    assert [(o.data["reason"], o.data["type"], o.data["count"]) for o in got] == [
        ("FailedMount", "Warning", 3), ("FailedAttachVolume", "Warning", 1), ("", None, 1)]
    assert {(o.pod.name, o.pod.namespace) for o in got} == {("db-hook", "shop")}
    assert got[0].data["source"] == "kubelet, node-a.example.internal"
    assert "list of unmounted volumes=[data]" in got[0].data["message"]


def test_untimed_events_that_say_different_things_stay_two_transitions():
    from kubectl_podlife.model import build_timeline
    text = """
    Generated from kubelet
    Unable to mount volumes for pod "db-hook_shop(f5e9cc7d)": timeout expired waiting for volumes to attach or mount

    Generated from attachdetach-controller
    Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) db-1-abcde
    """
    got, _ = obs(text)
    p = build_timeline(got).pods[0]
    assert [t.kind for t in p.transitions] == ["mount-failed", "mount-failed"]
    assert "db-1-abcde" in p.diagnosis.summary


def test_a_pasted_yaml_ends_at_the_prose_after_it():
    text = """
    $ kubectl get pod web -o yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
      - name: c
        image: nginx
    After five minutes the pod shows Terminating, and a new one runs elsewhere.
    """
    got, warnings = obs(text)
    assert not warnings
    assert {o.pod.name for o in got} == {"web"}


# --- cancelling a read (the TUI quitting while a big file loads) ------------------------------------------

def _big_get_w(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("NAME      READY   STATUS    RESTARTS   AGE\n")
        for i in range(rows):
            fh.write(f"web-{i % 50:<5} 1/1     Running   0          {i // 50 + 1}s\n")


def test_a_cancelled_read_stops_at_the_next_checkpoint_and_returns_nothing(tmp_path):
    from kubectl_podlife.errors import LoadCancelled
    from kubectl_podlife.ingest import read_paths
    from kubectl_podlife.ingest.context import CHECKPOINT_EVERY

    path = tmp_path / "get-w.txt"
    _big_get_w(path, 10 * CHECKPOINT_EVERY)

    def asked_until_yes(after: int, asked: list):
        def cancelled() -> bool:
            asked.append(1)
            return len(asked) > after
        return cancelled

    never: list = []
    full = read_paths([str(path)], cancelled=asked_until_yes(10**9, never))  # the whole file, as without
    assert len(full.observations) == 10 * CHECKPOINT_EVERY
    assert [o.raw for o in full.observations] == [o.raw for o in read_paths([str(path)]).observations]
    assert len(never) >= 10  # asked all along the file, not once at the end
    asked: list = []
    with pytest.raises(LoadCancelled):
        read_paths([str(path)], cancelled=asked_until_yes(3, asked))
    assert len(asked) == 4  # asked at each checkpoint until it said yes, and not once more
