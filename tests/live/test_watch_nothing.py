"""A `watch` that recorded nothing (no pod matched) leaves no session behind (issue 13 §3)."""

from __future__ import annotations

import argparse
import io
import threading

import live_scenarios as sc
from kubectl_podlife import cli
from kubectl_podlife.arguments import add_watch_arguments
from kubectl_podlife.capture import watch
from kubectl_podlife.store import Store

FAST = {"backoff_base": 0.05, "backoff_max": 0.4, "watch_timeout": (20, 20)}
HUNG = 120.0  # only ends a test that hangs


def _watch(kube, kubeconfig, db: Store, *argv: str) -> tuple[list[int], str]:
    p = argparse.ArgumentParser()
    add_watch_arguments(p)
    args = p.parse_args(["--no-tui", "--kubeconfig", str(kubeconfig), *argv])
    out, err, stop, rc = io.StringIO(), io.StringIO(), threading.Event(), []
    t = threading.Thread(target=lambda: rc.append(watch(args, stop=stop, out=out, err=err, store=db,
                                                        capture_options=FAST)), daemon=True)
    t.start()
    kube.wait_for_watchers({"pods": 1, "events": 1})
    stop.set()
    t.join(HUNG)
    return rc, err.getvalue()


def test_a_watch_that_recorded_nothing_leaves_no_session(kube, kubeconfig, tmp_path, capsys):
    for step in sc.background():  # pods in default; the watch looks at an empty namespace
        kube.apply(*step)
    db = Store(tmp_path / "podlife.db")
    rc, err = _watch(kube, kubeconfig, db, "-n", "empty")
    assert rc == [0]
    assert db.sessions() == []
    assert "nothing was recorded in namespace empty; session 1 was not kept" in err
    db.close()
    assert cli.main(["sessions", "-o", "name"]) == 0
    assert capsys.readouterr().out == ""

