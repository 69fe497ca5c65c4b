"""Real kubectl prints scripted pods; podlife must explain what it printed as the script happened.

Each case is one scenario x kubectl version x format (tests/oracle/matrix.py prints the whole
matrix and keeps the transcripts). Cases podlife still gets wrong are strict xfails naming the
defect, so fixing one turns its case green and the xfail must go.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone

import pytest

import checks
import harness
import matrix
import scenarios

BINARIES = harness.kubectl_binaries()
VERSIONS = [v for v in ("1.27", "1.30", "1.33") if v in BINARIES]
SCENARIOS = {make(datetime(2023, 3, 19, tzinfo=timezone.utc)).name: make
             for make in scenarios.ALL}

# (scenario, format) -> the defect podlife still has there (the same on every kubectl version)
KNOWN: dict[tuple[str, str], str] = {}

pytestmark = pytest.mark.skipif(not BINARIES, reason="no kubectl binary on this machine (PATH or kubectl.1.NN)")


@functools.cache
def _explained(version: str, scenario: str, workdir: str) -> dict[str, tuple[scenarios.Scenario, dict]]:
    from pathlib import Path

    make = SCENARIOS[scenario]
    k = harness.Kubectl(BINARIES[version], Path(workdir) / "home", version)
    files = matrix.transcripts(k, make, Path(workdir) / version / scenario)
    return {fmt: (matrix.truth(make, fmt, k.minor), matrix.explain(paths)) for fmt, paths in files.items()}


@pytest.fixture(scope="session")
def oracle_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("oracle"))


def _cases():
    for v in VERSIONS or ["none"]:
        for name in SCENARIOS:
            for fmt in matrix.ALL_FORMATS:
                marks = []
                if (name, fmt) in KNOWN:
                    marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[(name, fmt)]))
                yield pytest.param(v, name, fmt, id=f"{v}-{name}-{fmt}", marks=marks)


@pytest.mark.parametrize(("version", "scenario", "fmt"), list(_cases()))
def test_podlife_explains_what_kubectl_printed(version, scenario, fmt, oracle_dir):
    got = _explained(version, scenario, oracle_dir)
    if fmt not in got:
        pytest.skip(f"{scenario}'s pod is gone when kubectl runs: `{fmt}` prints NotFound, not a transcript")
    sc, doc = got[fmt]
    wrong = {name: msg for name, msg in checks.check(sc, fmt, doc).items() if msg}
    assert not wrong, f"kubectl {version} {fmt} of {scenario}: {wrong}"


@pytest.mark.parametrize("version", VERSIONS or ["none"])
def test_the_harness_prints_what_a_cluster_prints(version, oracle_dir):
    """The server's Tables are kubectl's: the last watch row of the OOM pod is its CrashLoopBackOff."""
    sc, _ = _explained(version, "oom-killed", oracle_dir)["get-w"]
    from pathlib import Path

    rows = (Path(oracle_dir) / version / "oom-killed" / "get-w.txt").read_text().splitlines()
    assert rows[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows[-1].split() == ["memory-demo", "0/1", "CrashLoopBackOff", "3", "(1s", "ago)", "44s"]
    assert sc.final_status == "CrashLoopBackOff" and sc.restarts == 3 and sc.restart_times == [4, 17, 40]
