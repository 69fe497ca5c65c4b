"""Restart counts only as far as the input holds them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GET_EVENTS = """\
LAST SEEN   TYPE      REASON      OBJECT        MESSAGE
5m30s       Normal    Scheduled   pod/web-1     Successfully assigned default/web-1 to node1
2m          Normal    Pulled      pod/web-1     Container image "busybox" already present on machine
2m          Normal    Started     pod/web-1     Started container web
108s        Warning   Unhealthy   pod/web-1     Liveness probe failed:
108s        Normal    Killing     pod/web-1     Container web failed liveness probe, will be restarted
0s          Warning   BackOff     pod/web-1     Back-off restarting failed container web in pod web-1_default(5b0e7c7e)
"""

KUBECTL_EVENTS = """\
LAST SEEN               TYPE      REASON      OBJECT        MESSAGE
5m32s                   Normal    Scheduled   Pod/web-1     Successfully assigned default/web-1 to node1
2m1s (x6 over 5m31s)    Normal    Pulled      Pod/web-1     Container image "busybox" already present on machine
2m1s (x6 over 5m31s)    Normal    Started     Pod/web-1     Started container web
109s (x18 over 5m25s)   Warning   Unhealthy   Pod/web-1     Liveness probe failed:
109s (x6 over 5m19s)    Normal    Killing     Pod/web-1     Container web failed liveness probe, will be restarted
1s (x7 over 79s)        Warning   BackOff     Pod/web-1     Back-off restarting failed container web in pod web-1_default(5b0e7c7e)
"""


def explain(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "events.txt"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "kubectl_podlife", "explain", str(path), *args],
                          capture_output=True, text=True, check=True)


def test_plain_get_events_states_no_restart_count(tmp_path: Path) -> None:
    """`kubectl get events` prints one row per Event without its count: a kill and a back-off say the
    pod restarted, not how often."""
    (pod,) = json.loads(explain(tmp_path, GET_EVENTS, "-o", "json").stdout)["pods"]
    assert pod["restarts"] is None and pod["restarts_at_least"] == 1
    assert pod["diagnosis"]["cause"] == "liveness-probe"
    assert "Restarted at least once" in pod["diagnosis"]["summary"]
    header = explain(tmp_path, GET_EVENTS).stdout.splitlines()[0]
    assert header.endswith("at least 1 restart (the input shows no count)")


def test_the_last_kill_still_in_back_off_is_not_yet_a_restart(tmp_path: Path) -> None:
    """Six instances started and six were killed; the BackOff after the sixth kill means the kubelet is
    waiting to start the seventh, so the container has restarted five times (as RESTARTS would say)."""
    (pod,) = json.loads(explain(tmp_path, KUBECTL_EVENTS, "-o", "json").stdout)["pods"]
    assert pod["restarts"] == 5 and "restarts_at_least" not in pod
    assert pod["diagnosis"]["summary"].startswith("Restarted 5 times")


def test_kubectl_events_without_repeats_still_hold_counts(tmp_path: Path) -> None:
    """`kubectl events` prints "(xN over T)" only for N > 1: a row without it happened once."""
    once = "\n".join(line for line in KUBECTL_EVENTS.splitlines()
                     if "Pulled" not in line and "Started" not in line).replace("(x6 over 5m19s)", "")
    (pod,) = json.loads(explain(tmp_path, once + "\n", "-o", "json").stdout)["pods"]
    assert isinstance(pod["restarts"], int) and "restarts_at_least" not in pod


def test_a_pasted_describe_of_a_crash_loop_raises_no_timing_alarm(tmp_path: Path) -> None:
    """kubectl 1.33's describe of the liveness-exec pod (printed by real kubectl from the oracle's test
    server): the aggregated Killing (x6 over 5m18s) is checked against its first occurrence, and the
    restart whose previous instance's start is not shown gets no expected time, so nothing is "off"."""
    path = Path(__file__).parent / "data" / "kubectl-1.33" / "liveness-exec-describe.txt"
    (pod,) = json.loads(explain(tmp_path, path.read_text(), "-o", "json").stdout)["pods"]
    assert pod["restarts"] == 5 and pod["diagnosis"]["cause"] == "liveness-probe"
    off = [(t["kind"], t["expected"]["difference"]) for t in pod["transitions"]
           if (t.get("expected") or {}).get("difference")]
    assert off == []
    (killing,) = [t for t in pod["transitions"] if t["kind"] == "killing"]
    assert killing["expected"]["observed"] == 12.0  # 331 s since creation minus "over 5m18s"


def test_a_failing_init_container_in_get_w_rows_holds_the_pod(tmp_path: Path) -> None:
    """kubectl 1.33 `get pods -w` of a pod whose only init container exits 1: the rows name no
    container, but Init:Error and Init:CrashLoopBackOff say it is an init container that fails; its
    reruns (Init:CrashLoopBackOff -> Init:0/1) are not init progress."""
    path = Path(__file__).parent / "data" / "kubectl-1.33" / "init-failure-get-w.txt"
    (pod,) = json.loads(explain(tmp_path, path.read_text(), "-o", "json").stdout)["pods"]
    assert (pod["restarts"], pod["final_status"]) == (3, "Init:CrashLoopBackOff")
    assert pod["diagnosis"]["cause"] == "init-container"
    assert pod["diagnosis"]["summary"].startswith("An init container (the input does not name it) keeps failing")
    assert not [t for t in pod["transitions"] if t["kind"] == "init-done"]
    assert all("None" not in t["summary"] for t in pod["transitions"])
