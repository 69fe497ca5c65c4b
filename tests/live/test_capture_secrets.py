"""`watch` keeps no env values or container args of the pods it records unless `--keep-env` (issue 9 §6)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

import live_scenarios as sc

REPO = Path(__file__).resolve().parents[2]
SPEC = {"containers": [{"name": "api", "image": "busybox", "command": ["sh", "-c", "sleep 30; exit 3"],
                        "args": ["--token=hunter2-arg"],
                        "env": [{"name": "DB_PASSWORD", "value": "hunter2-env"},
                                {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]}


def _spec_stored(db: str) -> bool:
    if not os.path.exists(db):
        return False
    with contextlib.closing(sqlite3.connect(db)) as c:
        with contextlib.suppress(sqlite3.OperationalError):  # not created yet
            return c.execute("SELECT COUNT(*) FROM observations WHERE kind='spec'").fetchone()[0] > 0
    return False


@pytest.mark.parametrize("keep", [False, True], ids=["default", "keep-env"])
def test_watch_stores_no_env_values_or_args_unless_kept(kube, kubeconfig, tmp_path, keep):
    p = sc.PodScript("api", "default", "9a9a9a9a-aaaa-4bbb-8ccc-0123456789ab", sc.T0 - timedelta(minutes=1), SPEC)
    p.create_and_start("api", 'Container image "busybox" already present on machine', started=1)
    for step in p.steps:
        kube.apply(*step)
    db = str(tmp_path / "watch.db")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and k != "KUBECONFIG"}
    env.update(HOME=str(tmp_path / "home"), PODLIFE_DB=db, PYTHONPATH=str(REPO), NO_PROXY="127.0.0.1,localhost")
    args = [sys.executable, "-m", "kubectl_podlife", "watch", "--no-tui", "--kubeconfig", str(kubeconfig)]
    proc = subprocess.Popen(args + (["--keep-env"] if keep else []), cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _spec_stored(db):  # wait on the condition: the pod's spec is committed
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else "timeout"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    data = b"".join(Path(f).read_bytes() for f in (db, db + "-wal") if os.path.exists(f))
    assert (b"hunter2" in data) is keep
    assert b"secretKeyRef" in data and b"DB_PASSWORD" in data and b"sleep 30; exit 3" in data
