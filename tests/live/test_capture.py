"""Live capture against the fake API server: what is recorded, and how it survives the network."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

import live_scenarios as sc
from fake_apiserver import FakeKube, simple_kubeconfig, write_kubeconfig

from kubectl_podlife.arguments import add_watch_arguments
from kubectl_podlife.capture import (Capture, TransitionPrinter, load_target,
                                     parse_request_timeout, transition_key, watch)
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.ingest.objects import deleted_mark, event_observation, pod_observations, spec_digest
from kubectl_podlife.store import Store

REPO = Path(__file__).resolve().parents[2]
FAST = {"backoff_base": 0.05, "backoff_max": 0.4, "watch_timeout": (20, 20)}


def _entry() -> tuple[str, ...]:
    """What users run (`kubectl podlife watch` = the package's CLI), or capture's own main without it."""
    try:
        from kubectl_podlife.cli import build_parser
        build_parser().parse_args(["watch", "--no-tui"])
        return ("kubectl_podlife", "watch")
    except Exception:
        return ("kubectl_podlife.capture",)


ENTRY = _entry()


# --- helpers -------------------------------------------------------------------------------------

HUNG = 120.0  # a wait ends on its condition; this only ends a test that hangs, however loaded the machine


def wait_until(pred, timeout: float = HUNG, what: str = "condition"):
    deadline = time.monotonic() + max(timeout, HUNG)
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def scripted(kube: FakeKube, listed_at: int):
    """What a client that listed at resourceVersion `listed_at` and then watched must see: the state at
    that point (one version per live object) and every change after it."""
    state: dict = {}
    after = []
    for ch in kube.history:
        if ch.rv <= listed_at:
            key = (ch.resource, ch.obj["metadata"]["uid"])
            if ch.type == "DELETED":
                state.pop(key, None)
            else:
                state[key] = ch
        else:
            after.append(ch)
    return [(ch.resource, "list" if ch.rv <= listed_at else ch.type, ch.obj["metadata"]["uid"],
             ch.obj["metadata"]["resourceVersion"]) for ch in list(state.values()) + after]


def truth(kube: FakeKube, delivered=None, resources=("pods", "events"), listed_at: int = 0):
    """The observations a faithful recording of `delivered` object versions holds (default: the script)."""
    versions = {(ch.resource, ch.obj["metadata"]["uid"], ch.obj["metadata"]["resourceVersion"]): ch
                for ch in kube.history}
    if delivered is None:
        delivered = scripted(kube, listed_at)
    seen: set = set()
    specs: dict[str, str] = {}
    out = []
    for res, _how, uid, rv in delivered:
        key = (res, uid, rv)
        if key in seen or res not in resources:
            continue
        seen.add(key)
        ch = versions[key]
        if res == "pods":
            digest = spec_digest(ch.obj)
            out += pod_observations(ch.obj, f"api:pods/rv={rv}", include_spec=specs.get(uid) != digest)
            specs[uid] = digest
            if ch.type == "DELETED":
                out.append(deleted_mark(ch.obj, f"api:pods/rv={rv}"))
                specs.pop(uid, None)
        elif ch.type != "DELETED":
            ob = event_observation(ch.obj, f"api:events/rv={rv}")
            if ob is not None:
                out.append(ob)
    return out


def norm(obs):
    """Comparable form: everything but the capture's running seq and the arrival clock."""
    rows = []
    for o in obs:
        data = {k: v for k, v in o.data.items() if k != "arrival"}
        rows.append(json.dumps([o.kind, o.pod.namespace, o.pod.name, o.pod.uid, o.container, o.origin,
                                o.time, o.clock, data, o.raw], sort_keys=True))
    return Counter(rows)


def stored(store: Store, sid: int):
    return store.observations(sid)[1]


def dedup_keys(store: Store, sid: int) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT dedup FROM observations WHERE session_id=?", (sid,))]


@contextlib.contextmanager
def capturing(kube: FakeKube, kubeconfig: Path, store: Store, notes: list | None = None, **opts):
    """Open a Capture (initial list), record in a thread, and close it at the end of the block."""
    target = load_target(kubeconfig=str(kubeconfig), namespace=opts.pop("namespace", None))
    notes = notes if notes is not None else []
    options = {**FAST, **opts}
    cap = Capture(target, store, notify=notes.append, **options)
    cap.listed_at = kube.rv  # the test changes nothing while the capture lists
    cap.open()
    t = threading.Thread(target=cap.run, daemon=True)
    t.start()
    try:
        yield cap
    finally:
        cap.stopping.set()
        t.join(timeout=5)
        cap.close()
        assert not t.is_alive()


def play(kube: FakeKube, steps):
    for st in steps:
        kube.apply(*st)


def wait_recorded(kube: FakeKube, cap: Capture, expected, timeout=HUNG):
    """Wait until the store holds `expected` and the capture has recorded every object the server wrote to
    it: anything more (a duplicate) would be in the store by then."""
    n = len(expected)
    wait_until(lambda: cap.stats.items >= len(kube.delivered) and len(stored(cap.store, cap.session_id)) >= n,
               timeout, f"{n} observations and {len(kube.delivered)} objects recorded")


def wait_delivered(kube: FakeKube, changes, timeout=HUNG, what="the changes delivered"):
    """Wait until the server has written and flushed each of these changes to a client (by a watch event or
    in a list), whatever the client has made of them yet."""
    want = {(ch.resource, ch.obj["metadata"]["uid"], ch.obj["metadata"]["resourceVersion"]) for ch in changes}
    assert want, "nothing to wait for"
    wait_until(lambda: want <= {(res, uid, rv) for res, _how, uid, rv in list(kube.delivered)}, timeout, what)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "capture.db")
    yield s
    s.close()


# --- the recording is the scripted truth -----------------------------------------------------------

def test_records_the_seed_story_exactly(kube, kubeconfig, store):
    play(kube, sc.background())
    with capturing(kube, kubeconfig, store) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, sc.story())
        expected = truth(kube, listed_at=cap.listed_at)
        expected = [o for o in expected if o.pod.namespace == "default"]
        wait_recorded(kube, cap, expected)
    got = stored(store, cap.session_id)
    assert norm(got) == norm(expected)
    assert len(got) == len(expected)
    kinds = Counter(o.kind for o in got)
    # 3 pods; the liveness pod: 6 kills -> Unhealthy counted to 18, BackOff x7, restarts to 6
    unhealthy = [o for o in got if o.kind == "event" and o.data["reason"] == "Unhealthy"
                 and o.pod.name == "liveness-exec-pod"]
    assert [o.data["count"] for o in unhealthy] == list(range(1, 19))
    restarts = [o.data["restart_count"] for o in got if o.kind == "container" and o.pod.name == "liveness-exec-pod"]
    assert max(restarts) == 6 and sorted(set(restarts)) == [0, 1, 2, 3, 4, 5, 6]
    assert kinds["mark"] == 1  # the readiness pod was deleted
    assert kinds["spec"] == 2 + 2 + 1  # seed pods: created, then nodeName set by the binding; nginx: listed once
    # server timestamps drive the timeline, the arrival is kept
    crash = [o for o in got if o.kind == "container" and o.data.get("state", {}).get("reason") == "CrashLoopBackOff"]
    assert crash and crash[0].time == "2023-03-19T09:49:13Z"  # 4m13s after creation
    assert all(o.data.get("arrival") for o in got)
    keys = dedup_keys(store, cap.session_id)
    assert len(keys) == len(set(keys)) == len(got)
    # the JSONL interchange form reads back as the same observations
    from kubectl_podlife.ingest.objectfiles import decode_json_stream
    text = "\n".join(json.dumps(o.to_json()) for o in got)
    again, warnings = decode_json_stream(text, "export.jsonl")
    assert warnings == [] and again == got
    info = store.session(cap.session_id)
    assert info.status == "closed" and info.kind == "live"
    assert "namespace default" in info.sources[0] and kube.url in info.sources[0]
    # bounded memory: only live pods and live events are remembered, by resourceVersion
    assert set(cap._pod_rv) == {sc.LIVENESS_UID, "1c1d7f0e-aaaa-4bbb-8ccc-0123456789ab"}
    assert all(isinstance(v, str) for v in cap._pod_rv.values())


def test_events_k8s_io_when_the_server_has_no_core_events(tmp_path, store):
    kube = FakeKube(core_events=False).start()
    try:
        cfg = simple_kubeconfig(tmp_path / "cfg", kube.url)
        with capturing(kube, cfg, store) as cap:
            kube.wait_for_watchers({"pods": 1, "events": 1})
            play(kube, sc.readiness_httpget(delete_at=None))
            expected = truth(kube, listed_at=cap.listed_at)
            wait_recorded(kube, cap, expected)
        assert norm(stored(store, cap.session_id)) == norm(expected)
        ev_watch = [r for r in kube.watch_requests("events")]
        assert ev_watch and all(r.path.startswith("/apis/events.k8s.io/v1/namespaces/default/") for r in ev_watch)
        assert ev_watch[0].params["fieldSelector"] == "regarding.kind=Pod"
    finally:
        kube.stop()


def test_named_pods_use_server_side_field_selectors(kube, kubeconfig, store):
    play(kube, sc.background())
    with capturing(kube, kubeconfig, store, pods=["liveness-exec-pod"]) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, sc.story())
        expected = [o for o in truth(kube, listed_at=cap.listed_at) if o.pod.name == "liveness-exec-pod"]
        wait_recorded(kube, cap, expected)
    assert norm(stored(store, cap.session_id)) == norm(expected)
    pod_watches = kube.watch_requests("pods")
    assert {r.params["fieldSelector"] for r in pod_watches} == {"metadata.name=liveness-exec-pod"}
    ev = kube.watch_requests("events")
    assert {r.params["fieldSelector"] for r in ev} == {"involvedObject.kind=Pod,involvedObject.name=liveness-exec-pod"}
    # the server sent nothing about the other pods
    assert {uid for res, _, uid, _ in kube.delivered if res == "pods"} == {sc.LIVENESS_UID}


def test_label_selector_on_the_server_events_matched_to_its_pods(kube, kubeconfig, store):
    with capturing(kube, kubeconfig, store, label_selector="app=readiness") as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        steps = sc.story()
        # an event may arrive before its pod: send the readiness pod's first event ahead of the pod
        first_ev = next(i for i, s in enumerate(steps) if s[0] == "events" and "readiness" in s[2]["metadata"]["name"])
        steps.insert(0, steps.pop(first_ev))
        play(kube, steps)
        expected = [o for o in truth(kube, listed_at=cap.listed_at) if o.pod.name == "readiness-httpget-demo"]
        wait_recorded(kube, cap, expected)
    got = stored(store, cap.session_id)
    assert norm(got) == norm(expected)
    assert {r.params.get("labelSelector") for r in kube.watch_requests("pods")} == {"app=readiness"}
    assert cap.stats.held_events >= 1


def test_all_namespaces_and_paged_lists(kube, tmp_path, store):
    play(kube, sc.background())
    for i in range(1100):  # more than two list pages of 500
        kube.apply("pods", "ADDED", {"apiVersion": "v1", "kind": "Pod",
                                     "metadata": {"name": f"batch-{i:04d}", "namespace": f"ns{i % 7}",
                                                  "uid": f"batch-uid-{i}", "creationTimestamp": "2024-01-01T00:00:00Z"},
                                     "spec": {"containers": [{"name": "c", "image": "busybox"}]},
                                     "status": {"phase": "Pending"}})
    cfg = simple_kubeconfig(tmp_path / "cfg", kube.url)
    with capturing(kube, cfg, store, all_namespaces=True) as cap:
        expected = truth(kube, listed_at=cap.listed_at)
        wait_recorded(kube, cap, expected)
    got = stored(store, cap.session_id)
    assert norm(got) == norm(expected)
    assert {o.pod.namespace for o in got} >= {"default", "kube-system", "ns0", "ns6"}
    lists = [r for r in kube.requests if not r.watch and r.path == "/api/v1/pods"]
    assert len(lists) == 3 and lists[0].params["limit"] == "500" and "continue" in lists[1].params
    assert "all namespaces" in store.session(cap.session_id).sources[0]


# --- reliability -------------------------------------------------------------------------------

def test_dropped_connections_resume_from_the_last_resource_version(kube, kubeconfig, store):
    play(kube, sc.background())
    with capturing(kube, kubeconfig, store) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        kube.drop_after = {"pods": 4, "events": 9}
        play(kube, sc.story())
        expected = truth(kube, listed_at=cap.listed_at)
        expected = [o for o in expected if o.pod.namespace == "default"]
        wait_recorded(kube, cap, expected)
    got = stored(store, cap.session_id)
    assert kube.drops == 2 and cap.stats.reconnects == 2
    assert norm(got) == norm(expected)  # nothing lost, nothing twice
    pods = kube.watch_requests("pods")
    delivered_pod_rvs = [rv for res, how, _, rv in kube.delivered if res == "pods" and how != "list"]
    # the second pods watch starts at the 4th delivered version's resourceVersion
    assert pods[1].params["resourceVersion"] == delivered_pod_rvs[3]
    assert cap.stats.retries == 0  # a drop is resumed at once, not backed off


@pytest.mark.parametrize("as_event, event_delay", [(False, 0), (True, 0), (False, 0.05)],
                         ids=["http-410", "error-event-410", "http-410-slow-server"])
def test_410_gone_relists_and_loses_and_duplicates_nothing_it_was_sent(kube, kubeconfig, store, as_event,
                                                                       event_delay):
    kube.gone_as_event = as_event
    kube.event_delay = event_delay  # every watch event 50 ms late: what is played is not yet what was sent
    play(kube, sc.background())
    steps = sc.story()
    notes: list[str] = []
    with capturing(kube, kubeconfig, store, notes=notes) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, steps[:30])
        wait_delivered(kube, kube.history[-30:], what="the first part sent")
        wait_recorded(kube, cap, [o for o in truth(kube, kube.delivered) if o.pod.namespace == "default"])
        kube.stop()  # returns once no request it accepted is still being served
        play(kube, steps[30:60])  # while the client cannot see: these versions fall out of the history...
        kube.compact()  # ...which the server then forgets
        kube.restart()
        wait_until(lambda: cap.stats.gone >= 2, 10, "410 on both streams")
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, steps[60:])
        wait_delivered(kube, kube.history[-len(steps[60:]):], what="every change after the gap sent")
        expected = [o for o in truth(kube, kube.delivered) if o.pod.namespace == "default"]
        wait_recorded(kube, cap, expected)
    got = stored(store, cap.session_id)
    # Pods deleted inside the gap were never sent as DELETED; the relist's absence reports them.
    vanished = {o.pod.uid for o in got if o.kind == "mark" and o.data.get("unobserved")}
    deleted_unsent = {ch.obj["metadata"]["uid"] for ch in kube.history if ch.resource == "pods"
                      and ch.type == "DELETED" and ("pods", "DELETED", ch.obj["metadata"]["uid"],
                                                    ch.obj["metadata"]["resourceVersion"]) not in set(kube.delivered)}
    assert vanished == deleted_unsent and vanished  # the readiness pod goes during the gap
    assert norm([o for o in got if not o.data.get("unobserved")]) == norm(expected)
    keys = dedup_keys(store, cap.session_id)
    assert len(keys) == len(set(keys))
    # the relist re-sent objects already recorded; none was stored twice
    relisted = [d for d in kube.delivered if d[1] == "list"]
    assert len(relisted) > len({(r, u, v) for r, _, u, v in relisted if True}) - 1
    assert cap.stats.duplicates > 0
    # the gap is said, on stderr and with the session
    assert any("listed again" in n for n in notes)
    assert any("listed again" in w for w in store.warnings(cap.session_id))
    # lists, watches, resumes and the relist: capture only ever reads
    assert {r.method for r in kube.requests} == {"GET"}
    # and the final state of everything changed during the gap is there
    last_liveness = [ch for ch in kube.history if ch.resource == "pods" and ch.obj["metadata"]["uid"] == sc.LIVENESS_UID]
    assert any(o.origin == f"api:pods/rv={last_liveness[-1].obj['metadata']['resourceVersion']}" for o in got)


def test_bookmarks_move_the_resource_version_and_record_nothing(kube, kubeconfig, store):
    play(kube, sc.background())
    with capturing(kube, kubeconfig, store) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, sc.readiness_httpget(delete_at=None))
        expected = [o for o in truth(kube, listed_at=cap.listed_at) if o.pod.namespace == "default"]
        wait_recorded(kube, cap, expected)
        kube.bump(500)  # other objects changed in etcd: the watch idles, the server sends a bookmark
        wait_until(lambda: cap.stats.bookmarks >= 2, 5, "bookmarks")
        bookmark_rv = str(kube.rv)
        kube.close_watches_after_idle = 0.2  # now end the idle watches (as timeoutSeconds would)
        wait_until(lambda: any(r.params.get("resourceVersion") == bookmark_rv for r in kube.watch_requests("pods")),
                   5, "a watch from the bookmark's resourceVersion")
    assert norm(stored(store, cap.session_id)) == norm(expected)
    assert all(r.params.get("allowWatchBookmarks") == "true" for r in kube.watch_requests())
    assert cap.stats.relists == 0


def test_api_unreachable_mid_session_is_retried_with_back_off(kube, kubeconfig, store, tmp_path):
    play(kube, sc.background())
    notes: list[str] = []
    steps = sc.story()
    with capturing(kube, kubeconfig, store, notes=notes) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, steps[:20])
        before = truth(kube, listed_at=cap.listed_at)
        before = [o for o in before if o.pod.namespace == "default"]
        wait_recorded(kube, cap, before)
        kube.stop()
        wait_until(lambda: sum("cannot reach the API server" in n for n in notes) >= 8, 10, "retries")
        # what was recorded so far is committed: another connection sees it while the API is away
        with Store(store.path) as other:
            assert len(stored(other, cap.session_id)) == len(before)
        play(kube, steps[20:])  # still inside the server's history: nothing may be lost
        kube.restart()
        expected = [o for o in truth(kube, listed_at=cap.listed_at) if o.pod.namespace == "default"]
        wait_recorded(kube, cap, expected)
    assert norm(stored(store, cap.session_id)) == norm(expected)
    msgs = [n for n in notes if "cannot reach" in n]
    assert all(kube.url in m for m in msgs)
    assert any("connection refused" in m for m in msgs)
    delays = [float(m.rsplit("retrying in ", 1)[1].rstrip("s")) for m in msgs]
    assert delays[0] == 0.05 and {0.1, 0.2} <= set(delays) and max(delays) == 0.4  # doubling, capped
    assert delays == sorted(delays)
    # one line per retry round although two streams (pods, events) retry
    assert len(msgs) <= cap.stats.retries / 2 + 2
    assert sum("reconnected" in n for n in notes) == 1
    assert cap.stats.relists == 0


def test_server_errors_mid_session_are_retried(kube, kubeconfig, store):
    notes: list[str] = []
    steps = sc.story()
    with capturing(kube, kubeconfig, store, notes=notes) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, steps[:10])
        kube.fail_with = 503
        kube.drop_after = {"pods": 0, "events": 0}  # cut the current streams; reconnects get 503s
        play(kube, steps[10:40])
        wait_until(lambda: sum("answered HTTP 503" in n for n in notes) >= 3, 10, "503 retries")
        kube.fail_with = None
        play(kube, steps[40:])
        expected = truth(kube, listed_at=cap.listed_at)
        wait_recorded(kube, cap, expected)
    assert norm(stored(store, cap.session_id)) == norm(expected)
    assert any("etcdserver: leader changed" in n for n in notes)


def test_unreachable_at_start_is_one_line_error(tmp_path, store):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    cfg = simple_kubeconfig(tmp_path / "cfg", f"http://127.0.0.1:{port}")
    target = load_target(kubeconfig=str(cfg))
    with pytest.raises(PodlifeError) as err:
        Capture(target, store).open()
    msg = str(err.value)
    assert f"http://127.0.0.1:{port}" in msg and "connection refused" in msg and "\n" not in msg
    assert store.sessions() == []  # no empty session left behind

    for entry in {ENTRY, ("kubectl_podlife.capture",)}:
        out = subprocess.run([sys.executable, "-m", *entry, "--no-tui", "--kubeconfig", str(cfg)],
                             capture_output=True, text=True, timeout=60, cwd=REPO, env=_env(tmp_path))
        assert out.returncode != 0
        assert out.stdout == ""
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and f"127.0.0.1:{port}" in lines[0], lines


def test_wrong_token_is_a_clear_error(kube, tmp_path, store):
    cfg = simple_kubeconfig(tmp_path / "cfg", kube.url, token="expired")
    with pytest.raises(PodlifeError, match=r"401 Unauthorized.*cfg"):
        Capture(load_target(kubeconfig=str(cfg)), store).open()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and k != "KUBECONFIG"}
    env.update(HOME=str(tmp_path / "home"), PODLIFE_DB=str(tmp_path / "sub.db"), PYTHONPATH=str(REPO),
               NO_PROXY="127.0.0.1,localhost", PYTHONUNBUFFERED="1", **extra)
    return env


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_signal_closes_the_session_and_leaves_a_valid_db(kube, kubeconfig, tmp_path, sig):
    play(kube, sc.background())
    listed = kube.rv
    env = _env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", *ENTRY, "--no-tui", "--kubeconfig", str(kubeconfig)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, sc.story())
        expected = [o for o in truth(kube, listed_at=listed) if o.pod.namespace == "default"]
        db = env["PODLIFE_DB"]

        def count():
            with contextlib.closing(sqlite3.connect(db)) as c:
                return c.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
        wait_until(lambda: count() >= len(expected), 15, "the subprocess to record the story")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    with Store(db) as s:
        (info,) = s.sessions()
        assert info.status == "closed" and info.observations == len(expected)
        assert norm(stored(s, info.id)) == norm(expected)
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "Traceback" not in err
    assert f"session {info.id} closed" in err


def test_ctrl_c_during_a_slow_first_list_stops_at_once(kube, kubeconfig, tmp_path):
    kube.list_delay = 300  # the list is answered only when the server goes away at the end of the test
    env = _env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", *ENTRY, "--no-tui", "--kubeconfig", str(kubeconfig)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: any(not r.watch for r in kube.requests), 30, "the first list request")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert kube.lists_answered == 0  # it stopped without waiting for the list
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, 130) and "Traceback" not in err, err
    with contextlib.closing(sqlite3.connect(env["PODLIFE_DB"])) as c:  # no session was started
        assert c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_a_nohup_watch_goes_on_recording_after_a_hangup(kube, kubeconfig, tmp_path):
    """`nohup kubectl podlife watch ... &`, then the SSH session ends: the SIGHUP nohup ignores stays ignored."""
    play(kube, sc.background())
    listed = kube.rv
    env = _env(tmp_path)
    argv = ["kubectl-podlife", *ENTRY[1:], "--no-tui", "--kubeconfig", str(kubeconfig)]
    code = ("import runpy, signal, sys\n"
            "signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts it\n"
            f"sys.argv = {argv!r}\n"
            f"runpy.run_module({ENTRY[0]!r}, run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        kube.wait_for_watchers({"pods": 1, "events": 1})  # recording: its signal handlers are in place
        status = Path(f"/proc/{proc.pid}/status").read_text()
        ignored = int(re.search(r"^SigIgn:\s*([0-9a-f]+)", status, re.M).group(1), 16)
        assert ignored >> (signal.SIGHUP - 1) & 1, "SIGHUP is no longer ignored"
        proc.send_signal(signal.SIGHUP)  # an ignored signal is dropped as it is sent: nothing follows from it
        play(kube, sc.story())
        expected = [o for o in truth(kube, listed_at=listed) if o.pod.namespace == "default"]

        def count():
            with contextlib.closing(sqlite3.connect(env["PODLIFE_DB"])) as c:
                return c.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
        wait_until(lambda: proc.poll() is not None or count() >= len(expected), what="the story recorded")
        assert proc.poll() is None, proc.communicate()[1]  # still recording after the hangup
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert re.search(r"session \d+ closed", err), err


# --- kubeconfig resolution -------------------------------------------------------------------------

@pytest.fixture
def two_files(tmp_path):
    """Two kubeconfig files for one fake server, as $KUBECONFIG=a:b would merge them."""
    kube = FakeKube(tokens=("token-a", "token-b", "token-c")).start()
    a = write_kubeconfig(tmp_path / "a.yaml",
                         [{"name": "team-a", "context": {"cluster": "fake", "user": "alice", "namespace": "team-a"}},
                          {"name": "shared", "context": {"cluster": "fake", "user": "alice", "namespace": "from-a"}}],
                         "team-a", [{"name": "fake", "cluster": {"server": kube.url}}],
                         [{"name": "alice", "user": {"token": "token-a"}}])
    b = write_kubeconfig(tmp_path / "b.yaml",
                         [{"name": "team-b", "context": {"cluster": "fake", "user": "bob", "namespace": "team-b"}},
                          {"name": "shared", "context": {"cluster": "fake", "user": "bob", "namespace": "from-b"}}],
                         "team-b", [{"name": "fake", "cluster": {"server": "http://127.0.0.1:9"}}],
                         [{"name": "bob", "user": {"token": "token-b"}}])
    yield kube, a, b
    kube.stop()


def _list_once(target, store):
    cap = Capture(target, store)
    cap.open()
    cap.close()
    return cap


def test_kubeconfig_env_list_is_merged_first_file_wins(two_files, store, monkeypatch):
    kube, a, b = two_files
    monkeypatch.setenv("KUBECONFIG", f"{tmp_missing(a)}{os.pathsep}{a}{os.pathsep}{b}")
    t = load_target()
    assert t.context == "team-a" and t.namespace == "team-a"  # current-context of the first file
    assert t.server == kube.url  # cluster "fake" from the first file, not b's
    _list_once(t, store)
    assert kube.requests[0].path == "/api/v1/namespaces/team-a/pods"
    assert kube.requests[0].auth == "Bearer token-a"
    assert "a.yaml" in t.source and "b.yaml" in t.source

    t = load_target(context="team-b")  # a context only b defines, with b's user
    assert t.namespace == "team-b"
    _list_once(t, store)
    # which request came last is the streams' business (a watch may follow the lists): ask what was asked
    team_b = [r for r in list(kube.requests) if "/namespaces/team-b/" in r.path]
    assert any(r.path == "/api/v1/namespaces/team-b/events" and not r.watch for r in team_b)
    assert team_b and all(r.auth == "Bearer token-b" for r in team_b)

    t = load_target(context="shared")  # defined in both: the first file's wins
    assert t.namespace == "from-a"
    assert load_target(context="shared", namespace="explicit").namespace == "explicit"


def tmp_missing(p: Path) -> Path:
    return p.with_name("does-not-exist.yaml")  # missing files in $KUBECONFIG are skipped, as kubectl does


def test_kubeconfig_flag_means_that_file_only(two_files, store, monkeypatch):
    kube, a, b = two_files
    monkeypatch.setenv("KUBECONFIG", str(a))
    t = load_target(kubeconfig=str(b), context="team-b")
    assert t.server == "http://127.0.0.1:9" and t.source == str(b)
    with pytest.raises(PodlifeError, match='context "team-a" not found'):
        load_target(kubeconfig=str(b), context="team-a")
    t = load_target(kubeconfig=str(b))
    assert t.context == "team-b"


def test_home_kube_config_is_the_default(kube, tmp_path, store):
    home = Path(os.environ["HOME"])
    (home / ".kube").mkdir(parents=True)
    simple_kubeconfig(home / ".kube" / "config", kube.url, namespace="web")
    t = load_target()
    assert t.namespace == "web" and t.source == str(home / ".kube" / "config")
    _list_once(t, store)
    assert kube.requests[0].path == "/api/v1/namespaces/web/pods"


def test_kubeconfig_errors_are_one_line_and_name_the_fix(tmp_path, monkeypatch):
    with pytest.raises(PodlifeError) as e:
        load_target(kubeconfig=str(tmp_path / "nope"))
    assert "nope: no such kubeconfig file" in str(e.value) and "--kubeconfig" in str(e.value)

    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nclusters: [\n  - name: x\n")
    with pytest.raises(PodlifeError) as e:
        load_target(kubeconfig=str(bad))
    assert str(bad) in str(e.value) and "not a valid kubeconfig" in str(e.value) and "\n" not in str(e.value)

    nocur = write_kubeconfig(tmp_path / "nocur.yaml", [{"name": "x", "context": {"cluster": "c", "user": "u"}}], None,
                             [{"name": "c", "cluster": {"server": "http://127.0.0.1:9"}}], [{"name": "u", "user": {}}])
    with pytest.raises(PodlifeError, match="no current context; pass --context"):
        load_target(kubeconfig=str(nocur))

    noserver = write_kubeconfig(tmp_path / "ns.yaml", [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "x",
                                [{"name": "c", "cluster": {}}], [{"name": "u", "user": {}}])
    with pytest.raises(PodlifeError, match="has no server"):
        load_target(kubeconfig=str(noserver))

    with pytest.raises(PodlifeError, match=r"\.kube/config does not exist and \$KUBECONFIG is not set"):
        load_target()
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "x1") + os.pathsep + str(tmp_path / "x2"))
    with pytest.raises(PodlifeError, match="none of these kubeconfig files exists"):
        load_target()


def test_exec_credential_plugin(kube, tmp_path, store):
    plugin = tmp_path / "cred.py"
    plugin.write_text("import json\nprint(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', "
                      "'kind': 'ExecCredential', 'status': {'token': 'test-token'}}))\n")
    cfg = write_kubeconfig(tmp_path / "exec.yaml", [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "x",
                           [{"name": "c", "cluster": {"server": kube.url}}],
                           [{"name": "u", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                                                            "command": sys.executable, "args": [str(plugin)],
                                                            "interactiveMode": "Never"}}}])
    t = load_target(kubeconfig=str(cfg))
    _list_once(t, store)
    assert kube.requests[0].auth == "Bearer test-token"


def test_request_timeout_parsing():
    assert parse_request_timeout("0") is None
    assert parse_request_timeout("30s") == 30
    assert parse_request_timeout("1m") == 60
    assert parse_request_timeout("1h30m") == 5400
    assert parse_request_timeout("5") == 5
    with pytest.raises(PodlifeError, match="expected a duration like 30s"):
        parse_request_timeout("soon")


def test_watch_arguments_follow_kubectl():
    p = argparse.ArgumentParser()
    add_watch_arguments(p)
    a = p.parse_args(["a", "b", "-n", "ns", "-l", "app=x", "--field-selector", "status.phase=Running",
                      "--context", "c", "--kubeconfig", "k", "--request-timeout", "30s", "--no-tui", "-o", "json"])
    assert a.pods == ["a", "b"] and a.namespace == "ns" and a.selector == "app=x" and a.output == "json"
    assert a.field_selector == "status.phase=Running" and a.context == "c" and a.kubeconfig == "k"
    assert a.request_timeout == "30s" and a.no_tui is True and a.all_namespaces is False
    assert p.parse_args(["-A"]).all_namespaces is True
    with pytest.raises(SystemExit):
        p.parse_args(["-o", "yaml"])


def test_names_with_all_namespaces_is_refused(kube, kubeconfig, store):
    with pytest.raises(PodlifeError, match="across all namespaces"):
        Capture(load_target(kubeconfig=str(kubeconfig)), store, pods=["x"], all_namespaces=True)


# --- import hygiene ----------------------------------------------------------------------------

def test_importing_capture_does_not_import_kubernetes():
    code = ("import sys, kubectl_podlife.capture, kubectl_podlife.ingest.objects; "
            "print([m for m in ('kubernetes', 'textual', 'urllib3') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- printing transitions ------------------------------------------------------------------------

def _fake_timeline(observations):
    """A stand-in for the model: one transition per container observation, to test the printing itself."""
    from kubectl_podlife.model.timeline import Diagnosis, PodTimeline, Timeline, Transition
    trs = []
    for o in observations:
        if o.kind == "container":
            trs.append(Transition(t=float(o.data.get("restart_count", 0)), t_range=None, time=o.time, kind="restart",
                                  summary=f"restart {o.data.get('restart_count')}", container=o.container,
                                  restart_count=o.data.get("restart_count")))
    pod = observations[0].pod
    return Timeline(pods=(PodTimeline(name=pod.name, namespace=pod.namespace, transitions=tuple(trs),
                                      diagnosis=Diagnosis(cause="unknown", summary=""), restarts=0,
                                      final_status=None, uid=pod.uid),))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_printer_prints_each_transition_once(fmt):
    pytest.importorskip("kubectl_podlife.model.timeline")
    steps = sc.liveness_exec()
    out = io.StringIO()
    pr = TransitionPrinter(fmt, out, timeline_for=_fake_timeline)
    for _, _, obj in [s for s in steps if s[0] == "pods"]:
        pr.feed(pod_observations(obj, "x"))
    lines = out.getvalue().splitlines()
    assert len(lines) == 7  # restart counts 0..6, each once although the pod was seen many times
    if fmt == "text":
        assert lines[1] == "2023-03-19T09:45:43Z default/liveness-exec-pod liveness-exec-container restart: restart 1"
    else:
        d = json.loads(lines[1])
        assert d["namespace"] == "default" and d["pod"] == "liveness-exec-pod" and d["restart_count"] == 1
        assert d["kind"] == "restart" and "evidence" in d


def test_printed_transitions_match_the_stored_session(kube, kubeconfig, tmp_path):
    from kubectl_podlife.pipeline import timeline_for_session
    play(kube, sc.background())
    listed = kube.rv
    p = argparse.ArgumentParser()
    add_watch_arguments(p)
    args = p.parse_args(["--no-tui", "-o", "json", "--kubeconfig", str(kubeconfig)])
    out, err = io.StringIO(), io.StringIO()
    stop = threading.Event()
    db = Store(tmp_path / "print.db")
    rc: list[int] = []
    t = threading.Thread(target=lambda: rc.append(watch(args, stop=stop, out=out, err=err, store=db,
                                                        capture_options=FAST)), daemon=True)
    t.start()
    kube.wait_for_watchers({"pods": 1, "events": 1})
    play(kube, sc.story())
    expected = [o for o in truth(kube, listed_at=listed) if o.pod.namespace == "default"]
    wait_until(lambda: db.sessions() and db.sessions()[0].observations >= len(expected), 15, "recording")
    stop.set()  # the recorder records (and prints) everything it was handed before it returns
    t.join(timeout=10)
    assert rc == [0]
    sid = db.sessions()[0].id
    tl = timeline_for_session(db, sid)
    want = {transition_key(p, tr) for p in tl.pods for tr in p.transitions}
    pods = {(p.namespace, p.name): p for p in tl.pods}
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    got = set()
    for d in printed:
        tr = SimpleNamespace(t=d["t"], time=d["time"], kind=d["kind"], container=d["container"],
                             restart_count=d["restart_count"])
        got.add(transition_key(pods[(d["namespace"], d["pod"])], tr))
    # everything the stored session explains was printed live, each once
    assert want <= got
    assert len(printed) == len(got)
    db.close()


def test_a_slow_printer_never_holds_up_the_recorder(kube, kubeconfig, tmp_path, monkeypatch):
    """watch --no-tui: while the printer is stuck explaining its first pod, the recorder goes on storing
    everything the server sends; once the printer moves again it catches up and prints each transition once."""
    import kubectl_podlife.pipeline as pipeline
    moving = threading.Event()
    stuck = threading.Event()

    def slow_model(observations, *args, **kwargs):
        stuck.set()
        assert moving.wait(HUNG), "the test never let the printer go on"
        return _fake_timeline(observations)

    monkeypatch.setattr(pipeline, "timeline_for_observations", slow_model)
    play(kube, sc.background())
    listed = kube.rv
    out, err = io.StringIO(), io.StringIO()
    stop = threading.Event()
    db = Store(tmp_path / "slow.db")
    rc: list[int] = []
    t = threading.Thread(target=lambda: rc.append(watch(_args("--no-tui", "-o", "json", "--kubeconfig", str(kubeconfig)),
                                                        stop=stop, out=out, err=err, store=db,
                                                        capture_options=FAST)), daemon=True)
    t.start()
    wait_until(stuck.is_set, what="the printer to start on the listed pods")
    kube.wait_for_watchers({"pods": 1, "events": 1})
    play(kube, sc.story())
    expected = [o for o in truth(kube, listed_at=listed) if o.pod.namespace == "default"]
    with Store(db.path) as reader:  # what the recorder committed, read as the TUI would
        wait_until(lambda: len(stored(reader, reader.sessions()[0].id)) >= len(expected), what="the story recorded "
                   "while the printer is stuck")
        sid = reader.sessions()[0].id
        assert out.getvalue() == ""  # nothing printed yet: the printer is still on its first pod
        moving.set()
        stop.set()
        t.join(HUNG)
        assert rc == [0]
        want = {(o.pod.name, o.container, o.data.get("restart_count")) for o in stored(reader, sid)
                if o.kind == "container"}
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted((d["pod"], d["container"], d["restart_count"]) for d in printed) == sorted(want)
    db.close()


# --- the TUI wiring and connection reuse -------------------------------------------------------------

class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_watch_arguments(p)
    return p.parse_args(list(argv))


def test_tui_follows_the_session_while_capture_records_in_the_background(kube, kubeconfig, tmp_path, monkeypatch):
    calls = []

    def fake_run_tui(*, store_path, session_id, follow, connection):
        calls.append((store_path, session_id, follow))
        kube.wait_for_watchers({"pods": 1, "events": 1})
        wait_until(lambda: connection.describe() == "live", what="the connection state for the status line")
        play(kube, sc.readiness_httpget(delete_at=None))
        expected = truth(kube, listed_at=0)
        with Store(store_path) as s:  # the TUI reads the store on its own connection
            wait_until(lambda: len(s.observations(session_id)[1]) >= len(expected), 10, "background recording")
            assert s.session(session_id).status == "open"
        return 0

    monkeypatch.setitem(sys.modules, "kubectl_podlife.tui.app", SimpleNamespace(run_tui=fake_run_tui))
    db = Store(tmp_path / "tui.db")
    out, err = _TTY(), io.StringIO()
    rc = watch(_args("--kubeconfig", str(kubeconfig)), out=out, err=err, store=db, capture_options=FAST)
    assert rc == 0 and len(calls) == 1
    store_path, sid, follow = calls[0]
    assert store_path == str(db.path) and follow is True
    assert db.session(sid).status == "closed"
    assert out.getvalue() == ""  # nothing printed over the TUI
    db.close()


def test_without_a_tui_it_falls_back_to_printing(kube, kubeconfig, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kubectl_podlife.tui.app", None)  # not importable
    play(kube, sc.background())  # something to record: a watch that records nothing keeps no session
    db = Store(tmp_path / "fb.db")
    stop = threading.Event()
    stop.set()  # record the initial list, then stop at once
    err = io.StringIO()
    rc = watch(_args("--kubeconfig", str(kubeconfig)), stop=stop, out=_TTY(), err=err, store=db,
               capture_options=FAST)
    assert rc == 0
    assert "the TUI is not available" in err.getvalue() and "printing transitions instead" in err.getvalue()
    assert db.sessions()[0].status == "closed"
    db.close()


def test_a_target_can_be_used_again_after_a_capture_closed(kube, kubeconfig, store):
    play(kube, sc.background())
    target = load_target(kubeconfig=str(kubeconfig))
    for _ in range(3):  # closed watch connections must never go back to the pool half-read
        cap = Capture(target, store, **FAST)
        cap.open()
        kube.wait_for_watchers({"pods": 1, "events": 1})
        cap.close()
    assert [s.status for s in store.sessions()] == ["closed"] * 3


def test_named_pod_that_does_not_exist_yet_is_waited_for(kube, kubeconfig, store):
    notes: list[str] = []
    with capturing(kube, kubeconfig, store, notes=notes, pods=["readiness-httpget-demo"]) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        assert any('pod "readiness-httpget-demo" is not in namespace default (yet)' in n for n in notes)
        play(kube, sc.readiness_httpget())
        expected = truth(kube, listed_at=cap.listed_at)
        wait_recorded(kube, cap, expected)
    got = stored(store, cap.session_id)
    assert norm(got) == norm(expected)
    mark = [o for o in got if o.kind == "mark"]
    assert len(mark) == 1 and mark[0].time == "2023-03-19T09:46:50Z"  # inside the deletion window, not "now"


def test_connection_failures_are_said_in_a_few_words():
    import http.client

    from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

    from kubectl_podlife.capture.errors import connection_reason as _reason
    refused = MaxRetryError(None, "/api/v1/pods", reason=NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"))
    assert _reason(refused) == "connection refused"
    closed = MaxRetryError(None, "/api/v1/pods", reason=ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection without response")))
    assert _reason(closed) == "the connection was closed"
    assert _reason(ReadTimeoutError(None, "/api/v1/pods", "Read timed out. (read timeout=330)")) == "timed out"
    api = SimpleNamespace(status=503, reason="Service Unavailable",
                          body=json.dumps({"kind": "Status", "message": "etcdserver: leader changed"}))
    assert _reason(api) == "HTTP 503 Service Unavailable: etcdserver: leader changed"


def test_a_pod_deleted_during_a_410_gap_is_reported_deleted(kube, kubeconfig, store):
    """client-go's reflector turns "missing from the relist" into a delete; so does capture."""
    play(kube, sc.background())
    steps = sc.readiness_httpget(delete_at=None)
    with capturing(kube, kubeconfig, store) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        play(kube, steps)
        # the pods stream must have had the pod (an Event about it, from the other stream, is not enough:
        # only a pod the pods stream was given can be found missing from its relist)
        wait_until(lambda: any(o.kind == "pod" and o.pod.name == "readiness-httpget-demo"
                               for o in stored(store, cap.session_id)), what="the pod recorded from the pods watch")
        kube.stop()
        pod = kube.objects["pods"][next(k for k, v in kube.objects["pods"].items()
                                         if v["metadata"]["name"] == "readiness-httpget-demo")]
        kube.apply("pods", "DELETED", pod)  # gone while nobody watches...
        kube.compact()  # ...and out of the history
        kube.restart()
        wait_until(lambda: cap.stats.gone >= 1, 10, "410")
        wait_until(lambda: any(o.kind == "mark" and o.pod.name == "readiness-httpget-demo"
                               for o in stored(store, cap.session_id)), 10, "the deletion")
    marks = [o for o in stored(store, cap.session_id) if o.kind == "mark"]
    assert [(m.pod.name, m.data.get("unobserved")) for m in marks] == [("readiness-httpget-demo", True)]
    from kubectl_podlife.pipeline import timeline_for_session
    pod_tl = next(p for p in timeline_for_session(store, cap.session_id).pods if p.name == "readiness-httpget-demo")
    deleted = [t for t in pod_tl.transitions if t.kind == "deleted"]
    assert deleted and "while the watch was away" in deleted[0].summary


def test_a_pod_seen_only_in_the_first_list_and_deleted_during_a_410_gap_is_reported_deleted(kube, kubeconfig,
                                                                                              store):
    """The nginx pod is there before capture starts and never changes: only the first list shows it."""
    play(kube, sc.background())
    nginx = next(o for o in kube.objects["pods"].values() if o["metadata"]["name"].startswith("nginx-"))
    with capturing(kube, kubeconfig, store) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        assert any(o.pod.name == nginx["metadata"]["name"] for o in stored(store, cap.session_id))
        kube.stop()
        kube.apply("pods", "DELETED", nginx)  # gone while nobody watches...
        kube.compact()  # ...and out of the history
        kube.restart()
        wait_until(lambda: cap.stats.gone >= 1, 10, "410")
        wait_until(lambda: any(o.kind == "mark" for o in stored(store, cap.session_id)), 10, "the deletion")
    marks = [o for o in stored(store, cap.session_id) if o.kind == "mark"]
    assert [(m.pod.uid, m.data.get("unobserved")) for m in marks] == [(nginx["metadata"]["uid"], True)]
    assert not any(("pods", "DELETED", nginx["metadata"]["uid"]) == d[:3] for d in kube.delivered)  # never sent


def test_the_connection_state_follows_an_outage_and_the_relist_after_it(kube, kubeconfig, store):
    """What the TUI's status line shows: live, reconnecting in N s (why), relisting, live again."""
    play(kube, sc.background())
    nginx = next(o for o in kube.objects["pods"].values() if o["metadata"]["name"].startswith("nginx-"))
    with capturing(kube, kubeconfig, store) as cap:
        kube.wait_for_watchers({"pods": 1, "events": 1})
        wait_until(lambda: cap.connection.describe() == "live", what="live")
        kube.stop()
        wait_until(lambda: cap.connection.describe().startswith("reconnecting "), what="reconnecting")
        # why, in a few words: refused, or reset / closed for a request that the stop cut
        assert re.fullmatch(r"reconnecting (in \d+s|now) \((connection refused|connection reset|the connection was "
                            r"closed)\)", cap.connection.describe())
        kube.apply("pods", "DELETED", nginx)
        kube.compact()  # the watches' resourceVersion is gone: they will relist...
        kube.list_delay = HUNG  # ...and the relists wait until the test has seen the state
        kube.restart()
        wait_until(lambda: cap.connection.describe().startswith("relisting "), what="relisting")
        kube.answer_lists()
        wait_until(lambda: cap.connection.describe() == "live", what="live again")
        assert cap.stats.gone >= 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_server_is_reached_directly_whatever_the_proxy_variables_say(kube, tmp_path, store,
                                                                                  monkeypatch, host):
    """kubectl (Go's ProxyFromEnvironment) never proxies localhost or a loopback address; $NO_PROXY unset."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # a proxy nobody listens on: using it would fail
    s.close()
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(var, dead)
    cfg = simple_kubeconfig(tmp_path / "cfg", kube.url.replace("127.0.0.1", host))
    _list_once(load_target(kubeconfig=str(cfg)), store)
    assert kube.requests[0].path == "/api/v1/namespaces/default/pods"


def test_proxy_variables_still_apply_to_other_servers_and_proxy_url_to_every_server(kube, tmp_path, store,
                                                                                    monkeypatch):
    """The fake API server doubles as an HTTP proxy (it serves absolute-URI requests), so nothing leaves the
    machine: a server name that does not resolve can only be reached through it."""
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv("HTTP_PROXY", kube.url)
    cfg = simple_kubeconfig(tmp_path / "cfg", "http://podlife-test.invalid")
    _list_once(load_target(kubeconfig=str(cfg)), store)
    assert kube.requests[0].path == "/api/v1/namespaces/default/pods"
    assert kube.requests[0].proxied

    monkeypatch.delenv("HTTP_PROXY")
    kube.requests.clear()
    cfg = write_kubeconfig(tmp_path / "purl.yaml", [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "x",
                           [{"name": "c", "cluster": {"server": "http://127.0.0.1:9", "proxy-url": kube.url}}],
                           [{"name": "u", "user": {"token": "test-token"}}])
    _list_once(load_target(kubeconfig=str(cfg)), store)  # proxy-url is used even for a loopback server
    assert kube.requests[0].proxied and kube.requests[0].path == "/api/v1/namespaces/default/pods"


def _dead_proxy() -> str:
    """A proxy nobody listens on: a request sent through it fails."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    return url


def _outside_address() -> str | None:
    """This machine's address on its route out (not loopback), or None: nothing is sent to find it."""
    import ipaddress
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect only picks the route
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if ipaddress.ip_address(addr).is_loopback else addr


@pytest.fixture
def outside_kube():
    """The fake API server on a non-loopback address of this machine, where proxy rules apply."""
    addr = _outside_address()
    if addr is None:
        pytest.skip("this machine has no non-loopback address to serve the fake API server on")
    k = FakeKube(host=addr).start()
    yield k
    k.stop()


def _proxies(monkeypatch, proxy: str, no_proxy: str | None = None, var: str = "NO_PROXY") -> None:
    for v in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(v, raising=False)
    for v in ("HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.setenv(v, proxy)
    if no_proxy is not None:
        monkeypatch.setenv(var, no_proxy.format(host=_outside_address()))


@pytest.mark.parametrize(("var", "no_proxy"), [
    ("NO_PROXY", "{host}"), ("no_proxy", "{host}"), ("NO_PROXY", "example.com, {host}"), ("NO_PROXY", "*"),
    ("NO_PROXY", "{host}/24"), ("NO_PROXY", "{host}:PORT")])
def test_no_proxy_sends_a_server_it_names_direct_as_kubectl_does(outside_kube, tmp_path, store, monkeypatch,
                                                                  var, no_proxy):
    """HTTPS_PROXY/HTTP_PROXY point at a dead port: only a direct connection can list."""
    _proxies(monkeypatch, _dead_proxy(), no_proxy.replace("PORT", str(outside_kube.port)), var)
    cfg = simple_kubeconfig(tmp_path / "cfg", outside_kube.url)
    _list_once(load_target(kubeconfig=str(cfg)), store)
    assert outside_kube.requests[0].path == "/api/v1/namespaces/default/pods"
    assert not outside_kube.requests[0].proxied


@pytest.mark.parametrize("no_proxy", [None, "{host}:1", "other.example", "10.255.255.0/24"])
def test_a_server_no_proxy_does_not_name_goes_through_the_proxy(outside_kube, tmp_path, store, monkeypatch,
                                                                 no_proxy):
    """The fake API server doubles as the proxy: the request reaches it as an absolute URI."""
    _proxies(monkeypatch, outside_kube.url, no_proxy)
    cfg = simple_kubeconfig(tmp_path / "cfg", outside_kube.url)
    _list_once(load_target(kubeconfig=str(cfg)), store)
    assert outside_kube.requests[0].proxied


def test_all_proxy_is_not_used_as_kubectl_does_not_read_it(outside_kube, tmp_path, store, monkeypatch):
    _proxies(monkeypatch, "")
    for v in ("HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(v)
    monkeypatch.setenv("ALL_PROXY", _dead_proxy())
    monkeypatch.setenv("all_proxy", _dead_proxy())
    cfg = simple_kubeconfig(tmp_path / "cfg", outside_kube.url)
    _list_once(load_target(kubeconfig=str(cfg)), store)
    assert not outside_kube.requests[0].proxied


def test_a_leading_dot_in_no_proxy_matches_subdomains_only_and_upper_case_variables_win(kube, tmp_path, store,
                                                                                        monkeypatch):
    """Go's rules where Python's differ: `.api.podlife-test.invalid` does not name that host itself, and
    HTTP_PROXY wins over http_proxy. The name does not resolve: only the proxy (the fake server) reaches it."""
    monkeypatch.setenv("HTTP_PROXY", kube.url)
    monkeypatch.setenv("http_proxy", _dead_proxy())
    monkeypatch.setenv("NO_PROXY", ".api.podlife-test.invalid")
    cfg = simple_kubeconfig(tmp_path / "cfg", "http://api.podlife-test.invalid")
    _list_once(load_target(kubeconfig=str(cfg)), store)
    assert kube.requests[0].proxied and kube.requests[0].path == "/api/v1/namespaces/default/pods"


def test_printer_keeps_a_deleted_pods_history_for_events_that_come_after_the_deletion():
    """Events come on their own watch: a pod's Killing can arrive after its DELETED. The printer must explain
    it with the pod's whole history (as the stored session does), not as a pod it knows nothing of."""
    from kubectl_podlife.capture import TransitionPrinter
    from kubectl_podlife.observation import Observation, PodKey

    key = PodKey("web", "default")
    seen: list[int] = []

    def timeline_for(observations):
        seen.append(len(observations))
        return SimpleNamespace(pods=[])

    printer = TransitionPrinter("json", io.StringIO(), timeline_for=timeline_for)
    row = Observation("status", key, "api:pods/rv=1", "web 1/1 Running 0 5s")
    gone = Observation("mark", key, "api:pods/rv=2", "deleted", data={"what": "deleted"})
    killing = Observation("event", key, "api:events/rv=3", "Killing", data={"reason": "Killing"})
    printer.feed([row, gone])
    printer.feed([killing])
    assert seen[-1] == 3  # the late event is explained with the row and the deletion before it
    # and the history of ended pods is bounded
    for i in range(TransitionPrinter.KEEP_ENDED + 10):
        k = PodKey(f"p{i}", "default")
        printer.feed([Observation("mark", k, f"api:pods/rv={10 + i}", "deleted", data={"what": "deleted"})])
    assert len(printer.per_pod) <= TransitionPrinter.KEEP_ENDED
