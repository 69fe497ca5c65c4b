"""Tests for ingest/manifest.py: finding Pod manifests in saved text and reading them, damaged
or not.

The seed and corpus files are read from the shared folder (never copied into the repo); tests that
need them skip when it is absent.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from podlife_testkit import pods_list_yaml

from kubectl_podlife.ingest.manifest import (
    ManifestDoc,
    ManifestScan,
    looks_like_manifest_start,
    parse_manifest_text,
    scan_manifest,
)

SHARED = Path(os.environ.get("PODLIFE_SHARED", "/work/shared"))
SEED_001 = "seeds/001_f6d19055cec0fea3.txt"
SEED_004 = "seeds/004_e0c6d7697ee95ff1.txt"


def shared_lines(rel: str) -> list[str]:
    path = SHARED / rel
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path.read_text(encoding="utf-8").splitlines()


def scan_all(
    lines: list[str],
) -> tuple[list[ManifestDoc], list[tuple[int, str]], list[ManifestScan]]:
    """Walk the lines the way the transcript scanner does."""
    docs: list[ManifestDoc] = []
    warnings: list[tuple[int, str]] = []
    scans: list[ManifestScan] = []
    i = 0
    while i < len(lines):
        if looks_like_manifest_start(lines[i]):
            scan = scan_manifest(lines, i)
            if scan is not None:
                assert scan.end > i
                scans.append(scan)
                docs += scan.docs
                warnings += scan.warnings
                i = scan.end
                continue
        i += 1
    return docs, warnings, scans


def scan_text(text: str, start: int = 0) -> ManifestScan | None:
    return scan_manifest(text.split("\n"), start)


def named(docs: list[ManifestDoc], name: str) -> list[ManifestDoc]:
    return [d for d in docs if d.name == name]


def only(docs: list[ManifestDoc], name: str) -> ManifestDoc:
    found = named(docs, name)
    assert len(found) == 1, [d.name for d in docs]
    return found[0]


# ------------------------------------------------------------------------------------------
# Seed 001: heredocs whose YAML lost all indentation.


@pytest.fixture(scope="module")
def seed001():
    lines = shared_lines(SEED_001)
    return lines, *scan_all(lines)


def test_seed001_finds_every_manifest(seed001):
    _, docs, _, _ = seed001
    assert [d.name for d in docs] == [
        "liveness-exec-pod", "liveness-exec-demo", "liveness-httpget-pod",
        "liveness-httpget-demo", "liveness-tcpsocket-demo", "liveness-tcpsocket-demo",
        "readiness-httpget-pod", "readiness-httpget-demo", "readiness-tcpsocket-pod",
        "readiness-tcpsocket-pod",
    ]
    assert all(d.kind == "Pod" and d.recovered and not d.fragment for d in docs)


def test_seed001_liveness_exec_pod(seed001):
    lines, docs, _, _ = seed001
    doc = only(docs, "liveness-exec-pod")
    assert doc.namespace == "default"
    assert lines[doc.line] == "apiVersion: v1"
    assert lines[doc.end_line] == "periodSeconds: 3"
    assert "restartPolicy" not in doc.spec
    (c,) = doc.spec["containers"]
    assert c["name"] == "liveness-exec-container"
    assert c["image"] == "busybox"
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["command"] == [
        "/bin/sh", "-c", "touch /tmp/healthy; sleep 3; rm -rf /tmp/healthy;sleep 3600"]
    assert c["livenessProbe"] == {
        "exec": {"command": ["test", "-e", "/tmp/healthy"]},
        "initialDelaySeconds": 1,
        "periodSeconds": 3,
    }


def test_seed001_heredoc_region_ends_after_terminator(seed001):
    lines, _, _, scans = seed001
    first = scans[0]
    assert lines[first.end - 1] == "EOF"
    assert lines[first.docs[0].line - 1].startswith("cat >pod-health-cmd.yml<<'EOF'")


def test_seed001_restart_policy_and_http_probe(seed001):
    _, docs, _, _ = seed001
    demo = only(docs, "liveness-exec-demo")
    assert demo.spec["restartPolicy"] == "OnFailure"
    assert demo.spec["containers"][0]["livenessProbe"]["timeoutSeconds"] == 1
    http = only(docs, "liveness-httpget-pod")
    c = http.spec["containers"][0]
    assert c["ports"] == [{"name": "http", "containerPort": 80}]
    assert c["livenessProbe"]["httpGet"] == {"port": "http", "path": "/index.html"}
    quoted = only(docs, "liveness-httpget-demo")
    assert quoted.spec["containers"][0]["livenessProbe"]["httpGet"] == {
        "path": "/hostname", "port": 80, "scheme": "HTTP"}


def test_seed001_restart_policy_after_probe_belongs_to_the_pod(seed001):
    # `restartPolicy: Always` follows the probe at column 0; a regular container has no
    # restartPolicy (only sidecar init containers do), so it is the Pod's.
    _, docs, _, _ = seed001
    doc = only(docs, "readiness-httpget-demo")
    assert doc.spec["restartPolicy"] == "Always"
    c = doc.spec["containers"][0]
    assert "restartPolicy" not in c
    probe = c["readinessProbe"]
    assert probe["httpGet"] == {"path": "/readyz", "port": 80, "scheme": "HTTP"}
    assert (probe["initialDelaySeconds"], probe["timeoutSeconds"], probe["periodSeconds"],
            probe["failureThreshold"]) == (15, 2, 5, 3)


def test_seed001_two_probes_on_one_container(seed001):
    _, docs, _, _ = seed001
    doc = named(docs, "readiness-tcpsocket-pod")[0]
    c = doc.spec["containers"][0]
    assert c["readinessProbe"] == {"tcpSocket": {"port": 801}, "initialDelaySeconds": 5,
                                   "periodSeconds": 10}
    assert c["livenessProbe"] == {"tcpSocket": {"port": 801}, "initialDelaySeconds": 15,
                                  "periodSeconds": 20}


def test_seed001_python_heredoc_is_not_a_manifest(seed001):
    lines, _, _, _ = seed001
    i = next(k for k, s in enumerate(lines) if s.startswith("cat >/usr/local/bin/demo.py"))
    assert looks_like_manifest_start(lines[i])
    scan = scan_manifest(lines, i)
    # Nothing to read, but the caller may skip the script: the scan ends past its EOF.
    assert scan is None or scan.docs == []
    if scan is not None:
        assert lines[scan.end - 1] == "EOF" and scan.end > i + 50


def test_seed001_probe_outline_is_not_a_fragment(seed001):
    # `livenessProbe:` followed by `exec <Object> # ...` is `kubectl explain` prose.
    lines, _, _, _ = seed001
    i = lines.index("livenessProbe:")
    assert lines[i + 1].startswith("exec <Object>")
    assert scan_manifest(lines, i) is None


# ------------------------------------------------------------------------------------------
# Seed 004: a blog whose newlines were partly lost, keys glued to the previous value.


@pytest.fixture(scope="module")
def seed004():
    lines = shared_lines(SEED_004)
    return lines, *scan_all(lines)


def test_seed004_finds_every_manifest(seed004):
    _, docs, _, _ = seed004
    assert [(d.kind, d.name) for d in docs] == [
        ("Service", "myservice"), ("Service", "mydb"), ("Pod", "pod-test1"), ("Pod", "pod-test1"),
        ("Pod", "foo"), ("Pod", "foo"), ("Pod", "frontend"), ("Pod", "liveness-exec"),
        ("Pod", "liveness-exec"), ("Pod", "liveness-http"), ("Pod", "liveness-httpget"),
        ("Pod", "goproxy"), ("Pod", "probe-tcp"), ("Pod", "readiness-httpget"),
    ]
    assert all(d.recovered for d in docs)
    services = [d for d in docs if d.kind == "Service"]
    assert all(d.spec == {} for d in services)


def test_seed004_probe_tcp(seed004):
    lines, docs, warnings, scans = seed004
    doc = only(docs, "probe-tcp")
    (c,) = doc.spec["containers"]
    assert c["name"] == "nginx"
    assert c["image"] == "soscscs/myapp:v1"
    assert c["livenessProbe"] == {"initialDelaySeconds": 5, "timeoutSeconds": 1,
                                  "tcpSocket": {"port": 8080}, "periodSeconds": 10,
                                  "failureThreshold": 2}
    # The glued `kubectl create ...` is cut off with a warning, and the region ends on that line,
    # leaving the `kubectl get pods -w` table to the caller.
    assert any(ln == doc.end_line and "kubectl create -f tcpsocket.yaml" in msg
               for ln, msg in warnings)
    scan = next(s for s in scans if doc in s.docs)
    assert lines[scan.end].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]


def test_seed004_liveness_exec_with_labels(seed004):
    _, docs, _, _ = seed004
    first, second = named(docs, "liveness-exec")
    assert first.labels == {"test": "liveness"}
    assert first.namespace is None
    c = first.spec["containers"][0]
    assert (c["name"], c["image"]) == ("liveness", "k8s.gcr.io/busybox")
    assert c["args"] == [
        "/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy; sleep 60"]
    assert c["livenessProbe"] == {"exec": {"command": ["cat", "/tmp/healthy"]},
                                  "failureThreshold": 1, "initialDelaySeconds": 5,
                                  "periodSeconds": 5}
    assert second.namespace == "default"
    c = second.spec["containers"][0]
    assert c["name"] == "liveness-exec-container"
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["command"] == [
        "/bin/sh", "-c", "touch /tmp/live ; sleep 30; rm -rf /tmp/live; sleep 3600"]
    assert c["livenessProbe"] == {"exec": {"command": ["test", "-e", "/tmp/live"]},
                                  "initialDelaySeconds": 1, "periodSeconds": 3}


def test_seed004_http_probes(seed004):
    _, docs, _, _ = seed004
    http = only(docs, "liveness-http")
    c = http.spec["containers"][0]
    assert c["args"] == ["/server"]
    assert c["livenessProbe"]["httpGet"] == {
        "path": "/healthz", "port": 8080,
        "httpHeaders": [{"name": "Custom-Header", "value": "Awesome"}]}
    assert c["livenessProbe"]["initialDelaySeconds"] == 3
    get = only(docs, "liveness-httpget")
    c = get.spec["containers"][0]
    assert c["ports"] == [{"name": "http", "containerPort": 80}]
    assert c["livenessProbe"]["httpGet"] == {"port": "http", "path": "/index.html"}
    assert c["livenessProbe"]["timeoutSeconds"] == 10
    ready = only(docs, "readiness-httpget")
    c = ready.spec["containers"][0]
    assert c["readinessProbe"] == {"httpGet": {"port": 80, "path": "/index1.html"},
                                   "initialDelaySeconds": 1, "periodSeconds": 3}
    assert c["livenessProbe"] == {"httpGet": {"port": "http", "path": "/index.html"},
                                  "initialDelaySeconds": 1, "periodSeconds": 3,
                                  "timeoutSeconds": 10}


def test_seed004_goproxy_prose_after_last_value(seed004):
    _, docs, warnings, _ = seed004
    doc = only(docs, "goproxy")
    assert doc.labels == {"app": "goproxy"}
    c = doc.spec["containers"][0]
    assert c["image"] == "k8s.gcr.io/goproxy:0.1"
    assert c["ports"] == [{"containerPort": 8080}]
    assert c["readinessProbe"] == {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5,
                                   "periodSeconds": 10}
    assert c["livenessProbe"] == {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 15,
                                  "periodSeconds": 20}
    assert any(ln == doc.end_line and "这个例子" in msg for ln, msg in warnings)


def test_seed004_restart_policy_versions(seed004):
    _, docs, _, _ = seed004
    first, second = named(docs, "foo")
    for doc in (first, second):
        (c,) = doc.spec["containers"]
        assert (c["name"], c["image"]) == ("busybox", "busybox")
        assert c["args"] == ["/bin/sh", "-c", "sleep 30; exit 3"]
        assert "restartPolicy" not in c
    assert "restartPolicy" not in first.spec
    assert second.spec["restartPolicy"] == "Never"


def test_seed004_pull_policy_and_commented_out_command(seed004):
    _, docs, _, _ = seed004
    first, second = named(docs, "pod-test1")
    c = first.spec["containers"][0]
    assert c == {"name": "nginx", "image": "nginx", "imagePullPolicy": "Always",
                 "command": ["echo", "SUCCESS"]}
    # `image: nginx:1.14 #修改 nginx 镜像版本imagePullPolicy: Always#command: [ echo, SUCCESS ]`:
    # the remark ends at the glued key, and the `#command` was commented out.
    c = second.spec["containers"][0]
    assert c == {"name": "nginx", "image": "nginx:1.14", "imagePullPolicy": "Always"}


def test_seed004_two_containers_with_resources(seed004):
    _, docs, _, _ = seed004
    web, db = only(docs, "frontend").spec["containers"]
    assert (web["name"], web["image"], db["name"], db["image"]) == ("web", "nginx", "db", "mysql")
    assert web["env"] == [{"name": "WEB_ROOT_PASSWORD", "value": "password"}]
    assert db["env"] == [{"name": "MYSQL_ROOT_PASSWORD", "value": "abc123"}]
    assert web["resources"] == {"requests": {"memory": "64Mi", "cpu": "250m"},
                                "limits": {"memory": "128Mi", "cpu": "500m"}}
    assert db["resources"]["limits"]["memory"] == "1Gi"
    assert db["resources"]["requests"] == {"memory": "512Mi", "cpu": "500m"}


def test_seed004_services_are_not_pods(seed004):
    lines, docs, _, scans = seed004
    svc = only(docs, "myservice")
    assert (svc.kind, svc.spec, svc.fragment) == ("Service", {}, False)
    # The glued second Service starts on the `#...vim mydb.yamlapiVersion: v1` line.
    mydb_scan = next(s for s in scans if s.docs and s.docs[0].name == "mydb")
    assert "vim mydb.yamlapiVersion: v1" in lines[mydb_scan.docs[0].line]


# ------------------------------------------------------------------------------------------
# Corpus files.


def test_corpus_052_one_line_manifest():
    lines = shared_lines("corpus/052-restartpolicy-demo-collapsed-whitespace-zh.txt")
    docs, _, scans = scan_all(lines)
    (doc,) = docs
    assert (doc.kind, doc.name, doc.namespace) == (
        "Pod", "test-restartpolicy", "test-restartpolicy")
    assert doc.recovered and doc.line == doc.end_line
    assert doc.spec["restartPolicy"] == "Always"
    demo1, demo2 = doc.spec["containers"]
    assert demo1 == {"name": "demo1", "image": "busybox:1.31.1",
                     "command": ["/bin/sh", "-c", "sleep 60"]}
    assert demo2 == {"name": "demo2", "image": "tomcat:9.0.37"}
    # The prompt + command + collapsed table line is left for the caller.
    prompt = next(i for i, s in enumerate(lines) if s.startswith("[root@node1 test]#"))
    assert scans[0].end <= prompt
    assert "[root@node1" not in doc.raw


def test_corpus_041_intact_docs_manifest():
    lines = shared_lines("corpus/041-k8s-docs-liveness-exec-cat-tmp-healthy.txt")
    docs, warnings, scans = scan_all(lines)
    (doc,) = docs
    assert (doc.kind, doc.name, doc.recovered, doc.labels) == ("Pod", "liveness-exec", False,
                                                              {"test": "liveness"})
    c = doc.spec["containers"][0]
    assert c["args"] == [
        "/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]
    assert c["livenessProbe"] == {"exec": {"command": ["cat", "/tmp/healthy"]},
                                  "initialDelaySeconds": 5, "periodSeconds": 5}
    assert lines[scans[0].end] == ""  # stops at the blank line before `kubectl apply`
    assert warnings == []


def test_corpus_043_init_containers_intact():
    lines = shared_lines("corpus/043-k8s-docs-init-myapp-pod-init-0-2-podinitializing.txt")
    docs, _, _ = scan_all(lines)
    (doc,) = docs
    assert (doc.name, doc.recovered, doc.labels) == ("myapp-pod", False, {"app": "myapp"})
    assert [c["name"] for c in doc.spec["initContainers"]] == ["init-myservice", "init-mydb"]
    assert doc.spec["containers"][0]["command"] == [
        "sh", "-c", "echo The app is running! && sleep 3600"]
    assert doc.spec["initContainers"][1]["command"][2].startswith("until nslookup mydb.")


def test_corpus_055_deployment_gives_template_spec():
    lines = shared_lines(
        "corpus/055-nginx-prestop-quit-failedprestophook-get-events-kind-column.txt")
    docs, _, _ = scan_all(lines)
    (doc,) = docs
    assert (doc.kind, doc.name, doc.recovered, doc.labels) == ("Deployment", "nginx", False,
                                                              {"app": "nginx"})
    assert doc.spec["restartPolicy"] == "Always"
    c = doc.spec["containers"][0]
    assert c["lifecycle"]["preStop"]["exec"]["command"] == [
        "bash", "-c", "/usr/sbin/nginx -s quit ; sleep 29"]


def test_corpus_005_one_fragment_with_two_probes():
    lines = shared_lines("corpus/005-nginx-liveness-exec-ls-missing-file.txt")
    docs, _, _ = scan_all(lines)
    (doc,) = docs
    assert (doc.kind, doc.name, doc.fragment, doc.recovered) == (None, None, True, False)
    (c,) = doc.spec["containers"]
    assert c["name"] is None
    assert c["readinessProbe"]["exec"]["command"] == ["ls", "/var/opt/podinstalled"]
    assert c["livenessProbe"] == {
        "exec": {"command": ["ls", "/var/opt/liveness"]}, "initialDelaySeconds": 120,
        "timeoutSeconds": 20, "periodSeconds": 30, "failureThreshold": 4, "successThreshold": 1}


def test_corpus_040_two_fragments():
    lines = shared_lines("corpus/040-liveness-exec-http-pre1.0-get-pods-2015.txt")
    docs, _, _ = scan_all(lines)
    assert len(docs) == 2 and all(d.fragment for d in docs)
    exec_probe = docs[0].spec["containers"][0]["livenessProbe"]
    http_probe = docs[1].spec["containers"][0]["livenessProbe"]
    assert exec_probe == {"exec": {"command": ["cat", "/tmp/health"]},
                          "initialDelaySeconds": 15, "timeoutSeconds": 1}
    assert http_probe == {"httpGet": {"path": "/healthz", "port": 8080},
                          "initialDelaySeconds": 15, "timeoutSeconds": 1}


def test_no_false_manifests_in_other_corpus_files():
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is not available")
    # 078 ends with the start of the pod's YAML from the web console; 090 quotes the Job's manifest.
    with_manifests = {"005", "040", "041", "043", "052", "055", "078", "090"}
    for path in sorted(corpus.glob("*.txt")):
        docs, _, _ = scan_all(path.read_text(encoding="utf-8").splitlines())
        assert bool(docs) == (path.name[:3] in with_manifests), path.name


# ------------------------------------------------------------------------------------------
# Start markers.


@pytest.mark.parametrize("line", [
    "apiVersion: v1",
    "vim pod3.yamlapiVersion: v1",
    "- apiVersion: v1",
    "kind: Pod",
    "kind: Deployment",
    "cat > f.yml <<'EOF'",
    "cat >f.yml<<EOF",
    "$ cat <<EOF | kubectl apply -f -",
    "kubectl apply -f - <<EOF",
    "livenessProbe:",
    "    readinessProbe:",
    "startupProbe:  # slow app",
])
def test_start_markers(line):
    assert looks_like_manifest_start(line)


@pytest.mark.parametrize("line", [
    "kind: get-w",
    "NAME READY STATUS RESTARTS AGE",
    '{"apiVersion": "v1", "kind": "Pod"}',
    "The livenessProbe: field tells the kubelet ...",
    "readinessProbe 就绪性探针",
    "echo hi << done",
    "",
])
def test_not_start_markers(line):
    assert not looks_like_manifest_start(line)


# ------------------------------------------------------------------------------------------
# Damage on small inline texts.

INTACT = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  terminationGracePeriodSeconds: 45
  containers:
  - name: web
    image: nginx:1.25
    ports:
    - containerPort: 8080
      name: http
    livenessProbe:
      httpGet:
        path: /healthz
        port: http
      periodSeconds: 5
      failureThreshold: 2
    env:
    - name: GREETING
      value: hello 13#13  # a remark
  restartPolicy: Always"""


def test_intact_yaml():
    scan = scan_text(INTACT + "\n$ kubectl get pods")
    (doc,) = scan.docs
    assert (doc.kind, doc.name, doc.namespace, doc.labels) == ("Pod", "web", "shop", {"app": "web"})
    assert not doc.recovered
    assert (doc.line, doc.end_line, scan.end) == (0, 24, 25)
    c = doc.spec["containers"][0]
    assert c["ports"] == [{"containerPort": 8080, "name": "http"}]
    assert c["livenessProbe"]["httpGet"]["port"] == "http"
    assert c["env"] == [{"name": "GREETING", "value": "hello 13#13"}]
    assert doc.spec["terminationGracePeriodSeconds"] == 45


def test_lost_indentation_gives_the_same_spec():
    flat = "\n".join(line.strip() for line in INTACT.split("\n"))
    (doc,) = scan_text(flat).docs
    (intact,) = scan_text(INTACT).docs
    assert doc.recovered
    assert (doc.name, doc.namespace, doc.labels) == ("web", "shop", {"app": "web"})
    assert doc.spec == intact.spec


def test_glued_newlines_give_the_same_spec():
    glued = ("apiVersion: v1\nkind: Pod\nmetadata:name: webnamespace: shoplabels:app: web\n"
             "spec:terminationGracePeriodSeconds: 45containers:- name: webimage: nginx:1.25"
             "ports:- containerPort: 8080name: httplivenessProbe:httpGet:path: /healthzport: http"
             "periodSeconds: 5failureThreshold: 2env:- name: GREETINGvalue: hello 13#13"
             " # a remark\n"
             "restartPolicy: Always")
    (doc,) = scan_text(glued).docs
    (intact,) = scan_text(INTACT).docs
    assert doc.recovered
    assert (doc.name, doc.namespace, doc.labels) == ("web", "shop", {"app": "web"})
    assert doc.spec == intact.spec


def test_one_line_with_single_spaces():
    one = " ".join(line.strip() for line in INTACT.split("\n") if "#" not in line)
    (doc,) = scan_text(one).docs
    assert (doc.name, doc.namespace, doc.labels) == ("web", "shop", {"app": "web"})
    c = doc.spec["containers"][0]
    assert c["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": "http"},
                                  "periodSeconds": 5, "failureThreshold": 2}
    assert c["env"] == [{"name": "GREETING"}]  # its value was the line dropped above
    assert doc.spec["restartPolicy"] == "Always"


def test_one_line_with_several_arbitrary_labels():
    one = ("apiVersion: v1 kind: Pod metadata: name: x labels: app: web tier: db spec: "
           "containers: - name: c image: nginx")
    (doc,) = scan_text(one).docs
    assert doc.labels == {"app": "web", "tier": "db"}
    assert doc.spec["containers"] == [{"name": "c", "image": "nginx"}]


def test_glued_integer_keeps_leading_digits_and_warns():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:name: q\n"
            "spec:containers:- name: qimage: busybox:1.36livenessProbe:exec:command:- cat- /tmp/x"
            "periodSeconds: 3kubectl apply -f q.yaml#这是注释\nNAME READY STATUS RESTARTS AGE")
    scan = scan_text(text)
    probe = scan.docs[0].spec["containers"][0]["livenessProbe"]
    assert probe == {"exec": {"command": ["cat", "/tmp/x"]}, "periodSeconds": 3}
    ((line, msg),) = scan.warnings
    assert line == 3 and "kubectl apply -f q.yaml" in msg and "这是注释" not in msg
    assert scan.end == 4


def test_unreadable_integer_warns():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\nname: q\nspec:\ncontainers:\n- name: c\n" \
           "livenessProbe:\nperiodSeconds: 7s\nfailureThreshold: often"
    scan = scan_text(text)
    probe = scan.docs[0].spec["containers"][0]["livenessProbe"]
    assert probe == {"periodSeconds": 7, "failureThreshold": "often"}
    messages = [m for _, m in scan.warnings]
    assert any("periodSeconds" in m and '"s"' in m for m in messages)
    assert any("failureThreshold" in m and "cannot read" in m for m in messages)


def test_flow_and_glued_block_sequences():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:name: s\nspec:containers:"
            "- name: aimage: busyboxcommand: [/bin/sh,-c,touch /tmp/live ; sleep 30]"
            "- name: bimage: busyboxcommand: [\"/bin/sh\",\"-c\",\"touch /tmp/x, y\"]"
            "- name: cimage: busyboxargs:- /bin/sh- -c- sleep 30; exit 3")
    a, b, c = scan_text(text).docs[0].spec["containers"]
    assert a["command"] == ["/bin/sh", "-c", "touch /tmp/live ; sleep 30"]
    assert b["command"] == ["/bin/sh", "-c", "touch /tmp/x, y"]
    assert c["args"] == ["/bin/sh", "-c", "sleep 30; exit 3"]


def test_list_item_goes_to_the_list_whose_items_know_its_keys():
    text = """apiVersion: v1
kind: Pod
metadata:
name: two
spec:
containers:
- name: app
image: app:1
ports:
- name: http
containerPort: 80
- name: sidecar
image: envoy:1
env:
- name: MODE
value: proxy
- name: IP
valueFrom:
fieldRef:
fieldPath: status.podIP
volumeMounts:
- name: data
mountPath: /data
volumes:
- name: data
emptyDir: {}"""
    spec = scan_text(text).docs[0].spec
    app, sidecar = spec["containers"]
    assert app == {"name": "app", "image": "app:1",
                   "ports": [{"name": "http", "containerPort": 80}]}
    assert sidecar["env"] == [
        {"name": "MODE", "value": "proxy"},
        {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]
    assert sidecar["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    assert spec["volumes"] == [{"name": "data", "emptyDir": {}}]


def test_repeated_key_starts_the_next_list_item():
    # Both indentation and the "- " of the second container were lost.
    text = "apiVersion: v1\nkind: Pod\nmetadata:\nname: r\nspec:\ncontainers:\n- name: a\n" \
           "image: one\nname: b\nimage: two"
    assert scan_text(text).docs[0].spec["containers"] == [{"name": "a", "image": "one"},
                                                         {"name": "b", "image": "two"}]


def test_restart_policy_of_sidecar_init_container_stays_with_it():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\nname: s\nspec:\ninitContainers:\n" \
           "- name: shipper\nimage: alpine\nrestartPolicy: Always\n" \
           "- name: setup\nimage: busybox\n" \
           "restartPolicy: OnFailure\ncontainers:\n- name: app\nimage: app"
    spec = scan_text(text).docs[0].spec
    assert spec["initContainers"][0]["restartPolicy"] == "Always"
    assert "restartPolicy" not in spec["initContainers"][1]
    assert spec["restartPolicy"] == "OnFailure"
    assert spec["containers"] == [{"name": "app", "image": "app"}]


def test_free_form_map_takes_the_key_after_its_opener():
    text = "apiVersion: v1\nkind: Pod\nmetadata:labels:test: livenessname: liveness-exec\n" \
           "spec:nodeSelector:disktype: ssdcontainers:- name: cimage: x"
    doc = scan_text(text).docs[0]
    assert doc.labels == {"test": "liveness"}
    assert doc.name == "liveness-exec"
    assert doc.spec["nodeSelector"] == {"disktype": "ssd"}
    assert doc.spec["containers"] == [{"name": "c", "image": "x"}]


def test_image_tags_are_not_keys():
    text = "apiVersion: v1\nkind: Pod\nmetadata:name: t\nspec:containers:- name: a" \
           "image: soscscs/myapp:v1imagePullPolicy: Always" \
           "- name: bimage: registry:5000/data:latest" \
           "- name: cimage: 192.168.10.33:80/k8s/pod_test:v0.1"
    a, b, c = scan_text(text).docs[0].spec["containers"]
    assert a == {"name": "a", "image": "soscscs/myapp:v1", "imagePullPolicy": "Always"}
    assert b["image"] == "registry:5000/data:latest"
    assert c["image"] == "192.168.10.33:80/k8s/pod_test:v0.1"


def test_deployment_with_lost_indentation():
    text = """apiVersion: apps/v1
kind: Deployment
metadata:
name: web
namespace: prod
spec:
replicas: 3
selector:
matchLabels:
app: web
template:
metadata:
labels:
app: web
spec:
containers:
- name: web
image: nginx
readinessProbe:
grpc:
port: 9090
terminationGracePeriodSeconds: 60"""
    (doc,) = scan_text(text).docs
    assert (doc.kind, doc.name, doc.namespace, doc.labels) == ("Deployment", "web", "prod",
                                                              {"app": "web"})
    assert doc.spec == {"containers": [{"name": "web", "image": "nginx",
                                        "readinessProbe": {"grpc": {"port": 9090}}}],
                        "terminationGracePeriodSeconds": 60}


def test_cronjob_template_spec():
    text = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        metadata:
          labels: {job: hello}
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            args: [/bin/sh, -c, date; echo Hello]
          restartPolicy: OnFailure
Name:         hello
Namespace:    default"""
    scan = scan_text(text)
    (doc,) = scan.docs
    assert (doc.kind, doc.name, doc.labels) == ("CronJob", "hello", {"job": "hello"})
    assert doc.spec["restartPolicy"] == "OnFailure"
    assert doc.spec["containers"][0]["args"] == ["/bin/sh", "-c", "date; echo Hello"]
    assert scan.end == 18  # `Name:` starts describe output


def test_multi_document_region_and_its_end():
    text = """kind: Pod
apiVersion: v1
metadata:
  name: a
spec:
  containers:
  - {name: c, image: x}
---
# Source: chart/templates/b.yaml
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
  - name: c
    image: y
---------
NAME READY"""
    scan = scan_text(text)
    assert [(d.name, d.line, d.end_line) for d in scan.docs] == [("a", 0, 6), ("b", 9, 16)]
    assert scan.end == 17


def test_kubectl_get_list_output():
    text = """apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p1
    managedFields:
    - manager: kubelet
      fieldsV1:
        f:status:
          f:conditions:
            k:{"type":"Ready"}:
              .: {}
  spec:
    containers:
    - name: c
      image: x
  status:
    phase: Running
    containerStatuses:
    - name: c
      restartCount: 4
- apiVersion: v1
  kind: Pod
  metadata:
    name: p2
  spec:
    containers:
    - name: c
      image: y
kind: List
metadata:
  resourceVersion: ""
$ kubectl describe pod p1"""
    scan = scan_text(text)
    assert [d.name for d in scan.docs] == ["p1", "p2"]
    assert scan.docs[0].spec == {"containers": [{"name": "c", "image": "x"}]}
    assert scan.end == 33


def test_heredoc_with_continuation_prompts():
    text = """$ cat <<EOF | kubectl apply -f -
> apiVersion: v1
> kind: Pod
> metadata:
>   name: p
> spec:
>   containers:
>   - name: c
>     image: busybox
>     startupProbe:
>       exec:
>         command: ["true"]
>       failureThreshold: 30
> EOF
pod/p created"""
    scan = scan_text(text)
    (doc,) = scan.docs
    assert doc.name == "p" and (doc.line, doc.end_line) == (1, 12)
    assert doc.spec["containers"][0]["startupProbe"] == {"exec": {"command": ["true"]},
                                                        "failureThreshold": 30}
    assert scan.end == 14


def test_describe_output_right_after_yaml_ends_the_region():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n" \
           "    image: x\nName:         a\nEvents:\n  Type    Reason  Age"
    scan = scan_text(text)
    assert scan.end == 8 and scan.docs[0].spec == {"containers": [{"name": "c", "image": "x"}]}


def test_lost_indentation_fragment():
    text = "readinessProbe:\nhttpGet:\npath: /ready\nport: 8080\nperiodSeconds: 2\n" \
           "livenessProbe:\ntcpSocket:\nport: 8080\n\nkubectl get pods"
    scan = scan_text(text)
    (doc,) = scan.docs
    assert doc.fragment and doc.recovered and scan.end == 8
    assert doc.spec == {"containers": [{
        "name": None,
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 2},
        "livenessProbe": {"tcpSocket": {"port": 8080}}}]}


def test_crlf_line_endings():
    for text in (INTACT, "\n".join(line.strip() for line in INTACT.split("\n"))):
        (doc,) = scan_text(text.replace("\n", "\r\n")).docs
        (intact,) = scan_text(INTACT).docs
        assert doc.spec == intact.spec and doc.name == "web"


BLOCK = """apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
  - name: c
    image: busybox
    args:
    - /bin/sh
    - -c
    - |
      echo hi
      kubectl get pods
    command: >-
      sh
  restartPolicy: Never"""


def test_block_scalars_intact_and_flat():
    scan = scan_text(BLOCK + "\n$ kubectl apply -f b.yaml")
    assert scan.end == 17
    c = scan.docs[0].spec["containers"][0]
    assert c["args"] == ["/bin/sh", "-c", "echo hi\nkubectl get pods\n"]
    assert c["command"] == "sh"
    # Without indentation the block's text is the lines up to the next YAML line; a `kubectl`
    # line ends it, since without indentation it cannot be told from the next command.
    flat = "\n".join(line.strip() for line in BLOCK.split("\n"))
    flat = flat.replace("kubectl get pods", "sleep 5")
    scan = scan_text(flat + "\nkubectl apply -f b.yaml")
    (doc,) = scan.docs
    assert doc.recovered and scan.end == 17
    assert doc.spec["containers"][0]["args"] == ["/bin/sh", "-c", "echo hi\nsleep 5\n"]
    assert doc.spec["restartPolicy"] == "Never"


GET_POD_YAML = """apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels:
    app: web
  managedFields:
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:labels:
          .: {}
          f:app: {}
      f:spec:
        f:containers:
          k:{"name":"web"}:
            f:image: {}
    manager: kubectl-client-side-apply
    operation: Update
  name: web-1
  namespace: default
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: web-7d4b9c
    uid: 0b7c6f1e
spec:
  containers:
  - image: nginx:1.25
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
      periodSeconds: 10
    name: web
  restartPolicy: Always
status:
  conditions:
  - status: "True"
    type: Ready
  containerStatuses:
  - name: web
    lastState:
      terminated:
        exitCode: 137
    restartCount: 3
  phase: Running"""


def test_get_pod_yaml_with_lost_indentation():
    (intact,) = scan_text(GET_POD_YAML).docs
    flat = "\n".join(line.strip() for line in GET_POD_YAML.split("\n"))
    scan = scan_text(flat)
    (doc,) = scan.docs  # `apiVersion` in managedFields and ownerReferences is no new manifest
    assert not intact.recovered and doc.recovered
    assert (doc.name, doc.namespace, doc.labels) == ("web-1", "default", {"app": "web"})
    assert doc.spec == intact.spec == {
        "containers": [{"image": "nginx:1.25", "name": "web",
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                                          "periodSeconds": 10}}],
        "restartPolicy": "Always"}
    assert scan.warnings == []


def test_text_after_a_rebuilt_manifest_is_not_yaml():
    # kubectl's own `error:` line, describe output glued to a one-liner; but a value that is
    # itself a kubectl command (an annotation) stays.
    flat = "apiVersion: v1\nkind: Pod\nmetadata:\nname: r\nannotations:\n" \
           "kubernetes.io/change-cause: kubectl apply -f r.yaml\nspec:\ncontainers:\n" \
           "- name: c\nimage: nginx\nerror: error validating \"r.yaml\": unknown field"
    scan = scan_text(flat)
    assert scan.end == 10 and scan.warnings == []
    assert scan.docs[0].spec == {"containers": [{"name": "c", "image": "nginx"}]}
    one = "apiVersion: v1 kind: Pod metadata: name: d spec: containers: - name: c image: nginx " \
          "Name: d Namespace: default"
    scan = scan_text(one)
    assert scan.docs[0].spec == {"containers": [{"name": "c", "image": "nginx"}]}
    ((_, msg),) = scan.warnings
    assert "Name: d Namespace: default" in msg


def test_glued_command_inside_intact_yaml_is_cut():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n" \
           "  - name: c\n    image: busyboxkubectl apply -f a.yaml"
    scan = scan_text(text)
    assert scan.docs[0].spec["containers"][0]["image"] == "busybox"
    assert any("kubectl apply -f a.yaml" in m for _, m in scan.warnings)


def test_parse_manifest_text():
    api = INTACT.replace("name: web\n  namespace", "name: api\n  namespace")
    scan = parse_manifest_text(INTACT + "\n---\n" + api)
    assert [d.name for d in scan.docs] == ["web", "api"]
    assert scan.end == len((INTACT + "\n---\n" + INTACT).split("\n"))
    fragment = parse_manifest_text("livenessProbe:\n  exec:\n    command: [cat, /tmp/ok]\n")
    assert fragment.docs[0].fragment
    assert parse_manifest_text("").docs == []
    assert parse_manifest_text("just: [some, yaml]").docs == []


def test_not_a_pod():
    # An ownerReference found on its own, and prose mentioning the field, are not manifests.
    owner = "- apiVersion: apps/v1\n  kind: ReplicaSet\n  name: web-7d4b9c\n  uid: 1"
    assert scan_text(owner) is None
    assert scan_text("Set apiVersion: apps/v1 in the file, then run it.") is None


# ------------------------------------------------------------------------------------------
# Robustness and speed.


@pytest.mark.parametrize("text", [
    "",
    "apiVersion:",
    "apiVersion: \x00\x01 ::: - - [[[[ {{{ '''",
    "apiVersion: v1\nkind: Pod\nspec: " + "[" * 20000,
    "apiVersion: v1\nx:\n" + "\n".join(" " * (2 * i) + "a:" for i in range(250)),
    "kind: Pod\n" + "- " * 5000,
    "livenessProbe:\n" + "exec:" * 3000,
    "cat <<EOF\n" + "cat <<EOF\n" * 500,
], ids=["empty", "bare-key", "control-chars", "deep-flow", "deep-block", "many-dashes",
        "glued-openers", "open-heredocs"])
def test_garbage_does_not_raise(text):
    lines = text.split("\n")
    for i in range(min(len(lines), 50)):
        scan = scan_manifest(lines, i)
        assert scan is None or (scan.end > i and isinstance(scan.docs, list))
    parse_manifest_text(text)


def test_random_text_does_not_raise():
    rnd = random.Random(20240501)
    atoms = ["apiVersion: v1", "kind: Pod", "metadata:", "name: x", "spec:", "containers:",
             "- ", "-", ":", ": ", "#", " #", "[", "]", "{", "}", "'", '"', "\n", "\n", "  ",
             "livenessProbe:", "exec:", "command:", "port: 80", "cat <<EOF", "EOF", "---",
             "3kubectl apply -f x", "中文", "|", ">", "\t", "&a", "*a", "!!python/object", "image"]
    for _ in range(300):
        text = "".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 120)))
        lines = text.split("\n")
        for i, line in enumerate(lines):
            looks_like_manifest_start(line)
            scan = scan_manifest(lines, i)
            assert scan is None or scan.end > i
        parse_manifest_text(text)


def test_mutated_seed_text_does_not_raise():
    text = "\n".join(shared_lines(SEED_004))
    rnd = random.Random(7)
    for _ in range(60):
        a = rnd.randrange(len(text))
        chunk = list(text[a: a + 1500])
        for _ in range(15):
            if chunk:
                chunk[rnd.randrange(len(chunk))] = rnd.choice(" :-#\n[]{}'\"")
        lines = "".join(chunk).split("\n")
        for i in range(len(lines)):
            scan = scan_manifest(lines, i)
            assert scan is None or scan.end > i


def test_one_megabyte_of_yaml_is_read_whole():
    """How fast is benchmarks/manifest_bench.py's business; here, that all of it is read."""
    text = pods_list_yaml(1000)
    assert len(text) > 1_000_000
    lines = ["$ kubectl get pods -o yaml"] + text.split("\n") + ["$ kubectl get pods"]
    scan = scan_manifest(lines, 1)
    assert len(scan.docs) == 1000 and scan.end == len(lines) - 2
    assert scan.docs[999].spec["containers"][0]["livenessProbe"]["periodSeconds"] == 10
