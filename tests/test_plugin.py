"""The plugin surface: the krew manifest, and kubectl finding `kubectl-podlife` on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from podlife_testkit import REPO


def test_krew_manifest_is_valid():
    doc = yaml.safe_load((REPO / "plugin.yaml").read_text())
    assert doc["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2"
    assert doc["kind"] == "Plugin" and doc["metadata"]["name"] == "podlife"
    spec = doc["spec"]
    assert spec["shortDescription"] and spec["version"].startswith("v")
    from kubectl_podlife import __version__
    assert spec["version"] == f"v{__version__}"
    for platform in spec["platforms"]:
        assert platform["bin"] == "kubectl-podlife"
        assert platform["uri"].startswith("https://") and len(platform["sha256"]) == 64
        assert platform["selector"]["matchExpressions"]


def _installed_script() -> Path:
    script = Path(sys.executable).parent / "kubectl-podlife"
    if not script.exists():
        pytest.skip("kubectl-podlife is not installed next to this Python (pip install . first)")
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not on PATH")
    return script


def test_kubectl_plugin_list_sees_podlife():
    script = _installed_script()
    env = {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    r = subprocess.run(["kubectl", "plugin", "list"], capture_output=True, text=True, env=env, timeout=60)
    assert str(script) in r.stdout


def test_kubectl_podlife_watch_help_runs_through_kubectl():
    script = _installed_script()
    env = {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    r = subprocess.run(["kubectl", "podlife", "watch", "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0
    assert r.stdout.startswith("usage: kubectl podlife watch")
    for flag in ("--namespace", "--all-namespaces", "--selector", "--field-selector", "--context", "--kubeconfig",
                 "--request-timeout", "--no-tui", "--output"):
        assert flag in r.stdout


HEAVY = ("kubectl_podlife.capture", "kubectl_podlife.commands", "kubectl_podlife.model", "kubectl_podlife.ingest",
         "kubectl_podlife.store", "textual", "kubernetes", "yaml")


@pytest.mark.parametrize("argv", [["--help"], ["watch", "--help"], ["simulate", "--help"]])
def test_help_answers_without_loading_capture_simulate_the_model_or_textual(argv):
    """`kubectl podlife --help` is instant: the flag definitions import none of the heavy layers (issue 12)."""
    code = ("import sys\nfrom kubectl_podlife.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in sys.modules if m.startswith({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout
    assert "usage: kubectl podlife" in out
    assert out.strip().splitlines()[-1] == "LOADED []"
