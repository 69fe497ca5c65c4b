"""Every corpus file imports, and the diagnosis agrees with the cause its header states.

One case per file. Where a transcript cannot support its header, the case says so and asserts what
the text does support.
"""

from __future__ import annotations

import pytest

from podlife_testkit import CORPUS, corpus_files, explain_json, pod, shared_file

# file prefix -> (pod, expected diagnosis cause, extra checks)
EXPECTED = {
    "001": ("goldpinger-hvww9", "unknown", {"restarts": 7, "final_status": "Running", "kinds": {"back-off"}}),
    "002": ("my-nginx-kn1zy", "unknown", {"restarts": 3, "note": "RESTARTS went back from 3 to 2"}),
    "004": ("gadget-nzg7r", "liveness-probe", {"handler": "exec", "container": "gadget", "restarts": 1}),
    "005": ("005-nginx", "liveness-probe", {"handler": "exec", "container": "web", "threshold": 4, "period": 30}),
    "006": ("init-container-demo", "init-container", {"container": "helper", "restarts": 6,
                                                       "final_status": "Init:CrashLoopBackOff"}),
    "007": ("basic-sti-1-p7jnr", "readiness-probe", {"handler": "exec", "summary": "no longer running"}),
    # 008: the 2015 kubelet recorded kills without a reason, so the liveness probe of the header cannot be
    # read from this text; the tool reports the kill and re-creation with an unknown cause.
    "008": ("008-liveness", "unknown", {"restarts": 1, "kinds": {"killing", "restart"}}),
    # 009: this 2015 describe shows no termination reason at all (that is the point), so OOM cannot
    # be read from it; the restarts are reported with an unknown cause.
    "009": ("simmemleak-hra99", "unknown", {"restarts": 5}),
    "011": ("nginx-ingress-1657122468-controller-69668f8fd6-m69bv", "liveness-probe",
            {"container": "nginx-ingress-controller", "restarts": 2, "kinds": {"back-off"}}),
    "012": ("nginx-ingress-controller-67y4y", "liveness-probe", {"container": "nginx-ingress-lb",
                                                                 "backoff": 160.0}),
    "013": ("013-ingress", "liveness-probe", {"handler": "httpGet", "restarts": 47}),
    "015": ("015-oomkilled", "oom-killed", {"restarts": 1}),
    "016": ("tax-tribunals-application-base-74464f6b98-2kj6g", "oom-killed", {"restarts": 4,
                                                                              "final_status": "OOMKilled"}),
    "017": ("017-oomkilled", "oom-killed", {"restarts": 0, "final_status": "OOMKilled"}),
    "018": ("018-exit137", "error-exit", {"restarts": 1, "summary": "SIGKILL"}),
    "022": ("xxx-controller-manager-7c8fcd5fff-4fprb", "unknown", {"final_status": "CrashLoopBackOff",
                                                                   "summary": "exiting on its own"}),
    "023": ("docker-registry-1-df7qm", "unknown", {"final_status": "CrashLoopBackOff", "backoff": 10.0}),
    # 024: readiness failed, but readiness never restarts; the back-off means the container exited itself.
    "024": ("024-knative", "unknown", {"summary": "readiness failures never restart"}),
    "026": ("wordpress-5bbd7fd785-p4s9r", "error-exit", {"restarts": 1, "final_status": "Running", "exit_code": 1}),
    "031": ("hitter", "deleted", {}),
    "032": ("nginx-2738591398-5f9kl", "deleted", {"final_status": "Terminating"}),
    "033": ("pret-1-nwz64", "deleted", {"final_status": "Terminating"}),
    "036": ("prometheus-k8s-0", "startup-probe", {"handler": "httpGet", "restarts": 29}),
    "038": ("038-image", "image-pull", {}),
    "039": ("039-mariadb", "readiness-probe", {"handler": "exec", "restarts": 0}),
    "040": ("liveness-exec", "liveness-probe", {"handler": "exec", "restarts": 8}),
    "041": ("liveness-exec", "liveness-probe", {"handler": "exec", "restarts": 1, "period": 5}),
    "043": ("myapp-pod", "init-container", {"container": "init-myservice", "final_status": "Running"}),
    "044": ("test-1730497541-cq1d2", "post-start-hook", {"container": "main"}),
    "046": ("busybox-95444875c-ljfs7", "unknown", {"restarts": 5, "final_status": "CrashLoopBackOff",
                                                   "summary": "exiting on its own"}),
    "047": ("busybox", "unknown", {"restarts": 6, "final_status": "CrashLoopBackOff"}),
    "048": ("coredns-78fcdf6894-gdj9r", "unknown", {"restarts": 8, "final_status": "CrashLoopBackOff"}),
    "050": ("coredns-d5dd54cbf-jxzhc", "unknown", {"restarts": 5, "final_status": "Running"}),
    "051": ("051-bind", "startup-probe", {"handler": "tcpSocket", "restarts": 859,
                                          "final_status": "CrashLoopBackOff"}),
    # 052: the captured output ends at 44 s, before demo1's `sleep 60` ends, so no restart is in the text.
    "052": ("test-restartpolicy", "none", {"restarts": 0, "final_status": "Running",
                                           "summary": "predicted: demo1 runs `sleep 60` and will exit 0"}),
    "053": ("busybox-deployment-7c5cfcf9b8-kp5d6", "error-exit", {"restarts": 2, "final_status": "Error"}),
    "055": ("nginx-678cbdbf9b-9m994", "deleted", {"summary": "PreStop"}),
    "058": ("curl", "image-pull", {"final_status": "ErrImagePull"}),
    "059": ("059-imagepull", "image-pull", {}),
    "060": ("060-imagepull", "image-pull", {}),
    "065": ("065-readiness", "readiness-probe", {"handler": "httpGet", "restarts": 0}),
    "067": ("backofflimit-646jx", "error-exit", {"restarts": 0, "final_status": "Terminating"}),
    "070": ("posit-workbench-postgresql-0", "unknown", {"restarts": 1, "final_status": "Running"}),
    "071": ("mysqlpod-5957645967-fj95t", "startup-probe", {"restarts": 0, "summary": "below failureThreshold"}),
    "072": ("octarine-guardrails-enforcer-5888cf98bf-xzklp", "image-pull", {"final_status": "ImagePullBackOff"}),
    "073": ("foo-965512844-9j46w", "none", {"restarts": 0, "final_status": "Running"}),
    # 074-097: stuck and ended pods (issue 10, "The whole pod lifecycle"). "fact" is the key fact the
    # diagnosis summary must name: the blocking constraint, the missing object, the deadline, the grace.
    "074": ("pt-4c12g-2", "unschedulable", {"final_status": "Pending", "fact": "Insufficient memory",
                                            "kinds": {"unschedulable"}}),
    "075": ("mysql", "unschedulable", {"final_status": "Pending", "fact": "PodFitsResources"}),
    "076": ("sample-mysql-0", "unschedulable", {"fact": "unbound", "kinds": {"unschedulable", "scheduled"}}),
    "077": ("demo-677cfb9d49-s4h9j", "unschedulable", {"fact": "untolerated taint", "kinds": {"unschedulable"}}),
    "078": ("mysql-1-hook-post", "volume", {"fact": "mysql-1-h5xbc", "kinds": {"mount-failed"}}),
    "079": ("topolvm-controller-79d8cdd765-8xnss", "volume", {"final_status": "ContainerCreating",
                                                              "fact": "topolvm-mutatingwebhook"}),
    "080": ("catalogservice-deploy-79c898bdcd-b4qtz", "volume", {"fact": "tenantId is not set"}),
    "081": ("nfs-client-provisioner-59c5f46f5-d4nds", "sandbox", {"final_status": "ContainerCreating",
                                                                  "fact": "Unauthorized"}),
    "082": ("kube-dns-86f4d74b45-kgjbk", "sandbox", {"fact": "/var/lib/calico/nodename"}),
    "083": ("mysql-0", "node-lost", {"final_status": "Terminating", "fact": "10.0.240.5"}),
    "084": ("kube-flannel-ds-h9dcc", "node-lost", {"final_status": "NodeLost", "fact": "k8s-node2"}),
    "085": ("nginx-ingress-controller-5bc859ff4c-strxt", "node-lost", {"final_status": "Terminating"}),
    "086": ("nginx", "preempted", {"fact": "apache"}),
    "087": ("pause1", "preempted", {"final_status": "Terminating", "fact": "pause2"}),
    "088": ("hello-6mk4q", "deadline-exceeded", {"fact": "60"}),
    "089": ("docker-registry-1-deploy", "deadline-exceeded", {"final_status": "DeadlineExceeded", "restarts": 0}),
    "090": ("demo", "deadline-exceeded", {"fact": "backoff limit"}),
    "091": ("curator-1505433660-7422p", "cannot-run", {"container": "curator",
                                                       "fact": "executable file not found"}),
    "092": ("initpod", "cannot-run", {"container": "web-ctr", "fact": "exec format error"}),
    "093": ("kube-apiserver-kiv-cp-v48fw", "cannot-run", {"final_status": "CreateContainerError",
                                                          "fact": "CreateContainerError"}),
    "094": ("cronjob-update-trigger-production-28194180-0-hgdzc", "deleted", {"final_status": "Terminating",
                                                                              "fact": "90d"}),
    "095": ("sharespine-cloud-6b78cbfb8d-xcbh5", "deleted", {"final_status": "Terminating", "fact": "60 s"}),
    "096": ("logging-kibana-1-rsjx9", "unknown", {"restarts": 15, "final_status": "CrashLoopBackOff",
                                                  "fact": "1/2"}),
    # 097: the header names istio-proxy, but the transcript never names a container: only the `1/2 Running`
    # row, a describe cut after Namespace and prose ("the proxy container doesn't become ready"). So the fact
    # is what the text supports: one of the two containers is not ready and the input does not say which.
    "097": ("httpbin-65fd5c4c54-498nm", "unknown", {"final_status": "Running",
                                                    "fact": "1 of its 2 containers not ready "
                                                            "(the input does not say which)"}),
}

# Cases the model does not pass yet: each is a strict xfail, so one that starts passing fails until its marker
# goes and the table always says what works. A case whose row asks for more than the transcript holds gets its
# row changed to what the text supports (with a comment why), not an xfail. Every corpus case passes today.
XFAIL: set = set()
XFAIL_REASONS: dict = {}


def _prefixes() -> list:
    files = corpus_files()
    prefixes = [f.name[:3] for f in files] if files else list(EXPECTED)
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=XFAIL_REASONS[p]))
            if p in XFAIL else p for p in prefixes]


def test_the_lifecycle_cases_are_not_xfail():
    # Issue 10 is done for 074-097: none of them may hide behind an xfail, and any xfail says why.
    assert not {p for p in XFAIL if "074" <= p <= "097"}
    assert set(XFAIL) == set(XFAIL_REASONS)


def test_every_corpus_file_has_an_expectation():
    files = corpus_files()
    if not files:
        pytest.skip("../shared/corpus is not here")
    missing = [f.name for f in files if f.name[:3] not in EXPECTED]
    assert not missing, f"add an expectation for {missing}"


@pytest.mark.parametrize("prefix", _prefixes())
def test_corpus_diagnosis_agrees_with_header(prefix):
    path = shared_file(CORPUS, prefix)
    header = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    assert "cause:" in header
    doc = explain_json(path)
    name, cause, extra = EXPECTED[prefix]
    p = pod(doc, name)
    diag = p["diagnosis"]
    assert diag["cause"] == cause, diag["summary"]
    if "restarts" in extra:
        assert p["restarts"] == extra["restarts"]
    if "final_status" in extra:
        assert p["final_status"] == extra["final_status"]
    if "container" in extra:
        assert diag["container"] == extra["container"]
    if "handler" in extra:
        assert diag["probe"]["handler"] == extra["handler"]
    if "threshold" in extra:
        assert diag["probe"]["failure_threshold"] == extra["threshold"]
    if "period" in extra:
        assert diag["probe"]["period_seconds"] == extra["period"]
    if "summary" in extra:
        assert extra["summary"] in diag["summary"] or any(extra["summary"] in t["summary"]
                                                          for t in p["transitions"])
    kinds = {t["kind"] for t in p["transitions"]}
    assert extra.get("kinds", set()) <= kinds
    if "note" in extra:
        assert any(extra["note"] in t["summary"] for t in p["transitions"])
    if "backoff" in extra:
        assert extra["backoff"] in [t["backoff_seconds"] for t in p["transitions"] if t["kind"] == "back-off"]
    if "fact" in extra:
        assert extra["fact"] in diag["summary"], diag["summary"]
    if "exit_code" in extra:
        assert any(f"code {extra['exit_code']}" in t["summary"] for t in p["transitions"])
    # Every transition is explained and carries its evidence.
    for t in p["transitions"]:
        assert t["summary"] and t["evidence"], t


def test_other_pods_in_multi_pod_files():
    doc = explain_json(shared_file(CORPUS, "002"))
    assert pod(doc, "my-nginx-msjcr")["restarts"] == 0
    doc = explain_json(shared_file(CORPUS, "048"))
    assert pod(doc, "etcd-192-168-43-131.master")["diagnosis"]["cause"] == "none"
    assert pod(doc, "coredns-78fcdf6894-qwrjj")["restarts"] == 8
    doc = explain_json(shared_file(CORPUS, "033"))
    assert pod(doc, "pret-1-build")["diagnosis"]["cause"] == "completed-exit"
    assert pod(doc, "pret-2-j6gxm")["final_status"] == "Running"
    doc = explain_json(shared_file(CORPUS, "046"))
    assert pod(doc, "alpaca-web-5d5fffbc5-mqwqf")["restarts"] == 7
    doc = explain_json(shared_file(CORPUS, "040"))
    # liveness-http: its last termination was exit code 2 and no event says why, so the text supports an
    # error exit (the header's liveness failure is only in the prose of the source).
    http = pod(doc, "liveness-http")
    assert http["diagnosis"]["cause"] == "error-exit"
    assert "2" in http["diagnosis"]["summary"]


def test_events_of_several_layouts_are_read():
    """Concrete event values from the old layouts (tabs, dates, {kubelet host}, series counts)."""
    doc = explain_json(shared_file(CORPUS, "013"))
    p = pod(doc, "013-ingress")
    fails = [t for t in p["transitions"] if t["kind"] == "probe-failed"]
    assert any("×300" in t["summary"] for t in fails)
    assert any("×289" in t["summary"] for t in fails)
    doc = explain_json(shared_file(CORPUS, "043"))
    p = pod(doc, "myapp-pod")
    kinds = [t["kind"] for t in p["transitions"]]
    assert "scheduled" in kinds and "pulled" in kinds
    doc = explain_json(shared_file(CORPUS, "038"))
    p = pod(doc, "038-image")
    pulls = [t for t in p["transitions"] if t["kind"] == "pulling"]
    assert any("×3" in t["summary"] for t in pulls)


def test_unhealthy_message_alone_gives_the_handler():
    """No manifest: the handler comes from the message, and the explanation says so."""
    doc = explain_json(shared_file(CORPUS, "036"))
    d = pod(doc, "prometheus-k8s-0")["diagnosis"]
    assert d["probe"]["handler"] == "httpGet"
    t = next(t for t in pod(doc, "prometheus-k8s-0")["transitions"] if t["kind"] == "probe-failed")
    assert any("handler from the event message" in m for m in t["missing"])
    assert t["confidence"] == "observed"
    doc = explain_json(shared_file(CORPUS, "004"))
    k = next(t for t in pod(doc, "gadget-nzg7r")["transitions"] if t["kind"] == "killing")
    assert k["probe"]["handler"] == "exec"
    assert any("empty message" in m for m in k["missing"])
