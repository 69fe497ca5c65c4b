"""Capture figures (not a test; run by hand): recording throughput and memory for a large list.

    PYTHONPATH=. python tests/live/bench_capture.py [pods] [versions]

1. the recorder alone (objects -> observations -> SQLite), on prepared watch items;
2. end to end through the fake API server (HTTP chunked watch -> JSON -> recorder);
3. a large initial list (-A): peak Python heap (tracemalloc) and RSS growth while listing + recording.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from fake_apiserver import FakeKube, simple_kubeconfig  # noqa: E402

from kubectl_podlife.capture import Capture, load_target  # noqa: E402
from kubectl_podlife.store import Store  # noqa: E402


def make_pod(i: int, restarts: int = 0) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"web-{i:05d}", "namespace": f"ns{i % 20}", "uid": f"uid-{i:05d}",
                         "creationTimestamp": "2024-01-01T00:00:00Z", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25",
                                     "livenessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 10}},
                                    {"name": "sidecar", "image": "busybox"}],
                     "nodeName": f"node{i % 50}", "restartPolicy": "Always"},
            "status": {"phase": "Running", "podIP": f"10.0.{i // 250}.{i % 250}", "startTime": "2024-01-01T00:00:01Z",
                       "qosClass": "BestEffort",
                       "conditions": [{"type": t, "status": "True", "lastTransitionTime": "2024-01-01T00:00:05Z"}
                                      for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
                       "containerStatuses": [
                           {"name": n, "ready": True, "started": True, "restartCount": restarts, "image": "nginx:1.25",
                            "imageID": "nginx@sha256:abc", "containerID": f"containerd://{i:05d}{n}",
                            "state": {"running": {"startedAt": f"2024-01-01T00:{restarts % 60:02d}:05Z"}},
                            "lastState": {} if not restarts else {"terminated": {
                                "exitCode": 137, "reason": "Error", "startedAt": "2024-01-01T00:00:05Z",
                                "finishedAt": f"2024-01-01T00:{restarts % 60:02d}:05Z"}}}
                           for n in ("app", "sidecar")]}}


def watch_items(pods: int, versions: int) -> list[tuple]:
    """pods x versions MODIFIED pod events, as a reflector hands them to the recorder."""
    items = []
    rv = 10_000
    for v in range(1, versions + 1):
        for i in range(pods):
            p = make_pod(i, v)
            rv += 1
            p["metadata"]["resourceVersion"] = str(rv)
            items.append(("pods", "MODIFIED", p, "2024-01-01T00:00:00Z"))
    return items


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_recorder(tmp: Path, pods: int, versions: int) -> None:
    kube = FakeKube().start()
    cfg = simple_kubeconfig(tmp / "cfg1", kube.url)
    store = Store(tmp / "rec.db")
    cap = Capture(load_target(kubeconfig=str(cfg)), store, all_namespaces=True)
    cap.open()
    cap.close()
    items = watch_items(pods, versions)
    t = time.perf_counter()
    for k in range(0, len(items), 500):
        cap._record(items[k:k + 500])
    dt = time.perf_counter() - t
    print(f"recorder alone: {len(items)} pod versions -> {cap.stats.observations} observations in {dt:.2f}s "
          f"= {cap.stats.observations / dt:,.0f} obs/s ({len(items) / dt:,.0f} object versions/s)")
    store.close()
    kube.stop()


def bench_end_to_end(tmp: Path, pods: int, versions: int) -> None:
    kube = FakeKube().start()
    cfg = simple_kubeconfig(tmp / "cfg2", kube.url)
    store = Store(tmp / "e2e.db")
    cap = Capture(load_target(kubeconfig=str(cfg)), store, all_namespaces=True, notify=lambda m: None)
    cap.open()
    th = threading.Thread(target=cap.run, daemon=True)
    th.start()
    kube.wait_for_watchers({"pods": 1, "events": 1})
    changes = [make_pod(i, v) for v in range(1, versions + 1) for i in range(pods)]
    t = time.perf_counter()
    for p in changes:
        kube.apply("pods", "MODIFIED" if p["status"]["containerStatuses"][0]["restartCount"] > 1 else "ADDED", p)
    applied = time.perf_counter() - t
    want = len(changes)
    while cap.stats.items < want:
        time.sleep(0.01)
    while not cap.queue.empty():
        time.sleep(0.01)
    time.sleep(0.05)
    dt = time.perf_counter() - t
    cap.stopping.set()
    th.join()
    cap.close()
    print(f"end to end (fake API server, one process): {want} watch events -> {cap.stats.observations} observations "
          f"in {dt:.2f}s = {cap.stats.observations / dt:,.0f} obs/s ({want / dt:,.0f} watch events/s); "
          f"the server needed {applied:.2f}s just to apply them")
    store.close()
    kube.stop()


def bench_large_list(tmp: Path, pods: int) -> None:
    kube = FakeKube().start()
    for i in range(pods):
        kube.apply("pods", "ADDED", make_pod(i))
    cfg = simple_kubeconfig(tmp / "cfg3", kube.url)
    target = load_target(kubeconfig=str(cfg))
    store = Store(tmp / "list.db")
    t = time.perf_counter()
    cap = Capture(target, store, all_namespaces=True, notify=lambda m: None)
    cap.open()
    dt = time.perf_counter() - t  # timed without tracemalloc, which slows everything down
    cap.close()
    store.close()
    store = Store(tmp / "list2.db")
    rss0 = rss_mb()
    tracemalloc.start()
    cap = Capture(target, store, all_namespaces=True, notify=lambda m: None)
    cap.open()
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = rss_mb()
    pages = len([r for r in kube.requests if r.path == '/api/v1/pods']) // 2
    print(f"large list: {pods} pods listed in {pages} pages, "
          f"{cap.stats.observations} observations recorded in {dt:.2f}s; "
          f"heap peak during list+record {peak / 2**20:.1f} MiB, kept afterwards {cur / 2**20:.1f} MiB "
          f"(~{cur / pods:.0f} B per pod: last resourceVersion + spec digest); RSS {rss0:.0f} -> {rss1:.0f} MiB "
          "(the fake server holding every pod shares this process)")
    cap.close()
    store.close()
    kube.stop()


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    v = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_recorder(tmp, n, v)
        bench_end_to_end(tmp, n, v)
        bench_large_list(tmp, n * 5)
