"""The krew archive installs as krew installs it and runs with a bare python3, no pip.

scripts/release.py builds the archive from this checkout and the installed dependencies; the tests
unpack it, link its launcher into a bin directory as krew does (~/.krew/bin -> store), and run it
through real kubectl with a python3 that has no packages at all on PATH.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from kubectl_podlife import __version__

ROOT = Path(__file__).resolve().parent.parent
KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed")


def build(out: Path) -> tuple[Path, Path]:
    manifest = out / "plugin.yaml"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "release.py"), "--krew-only", "--out", str(out),
                    "--plugin-yaml", str(manifest)], check=True, capture_output=True, text=True)
    return out / f"kubectl-podlife-v{__version__}.tar.gz", manifest


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(release: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a user who installed the archive with krew and has only a bare python3."""
    archive, _ = release
    home = tmp_path_factory.mktemp("home")
    store = home / ".krew" / "store" / "podlife" / f"v{__version__}"
    store.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(store, filter="data")
    bin_dir = home / ".krew" / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl-podlife").symlink_to(store / "kubectl-podlife")
    bare = home / "python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    env = {"HOME": str(home), "PATH": os.pathsep.join([str(bin_dir), str(bare / "bin"), "/usr/bin", "/bin"]),
           "KUBECONFIG": str(home / "no-kubeconfig"), "PODLIFE_DB": str(home / "podlife.db")}
    probe = subprocess.run(["python3", "-c", "import textual"], env=env, capture_output=True, text=True)
    assert probe.returncode != 0, "the bare python3 must not see the development environment's packages"
    return env | {"STORE": str(store)}


def kubectl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, *args], env=env, cwd=env["STORE"], capture_output=True, text=True,
                          timeout=120)


def test_plugin_yaml_names_the_archive_and_its_real_sha256(release: tuple[Path, Path]) -> None:
    archive, manifest = release
    plugin = yaml.safe_load(manifest.read_text())
    (platform,) = plugin["spec"]["platforms"]
    assert plugin["spec"]["version"] == f"v{__version__}"
    assert platform["uri"].endswith(f"/v{__version__}/{archive.name}")
    assert platform["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert platform["bin"] == "kubectl-podlife"


def test_the_archive_is_reproducible(release: tuple[Path, Path], tmp_path: Path) -> None:
    archive, _ = release
    again, _ = build(tmp_path)
    assert again.read_bytes() == archive.read_bytes()


def test_kubectl_finds_the_plugin_and_it_runs_without_pip(installed: dict[str, str]) -> None:
    listed = kubectl(installed, "plugin", "list")
    assert str(Path(installed["PATH"].split(os.pathsep)[0]) / "kubectl-podlife") in listed.stdout
    version = kubectl(installed, "podlife", "--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"kubectl-podlife {__version__}")
    explained = kubectl(installed, "podlife", "explain", "replays/liveness-exec.log")
    assert explained.returncode == 0, explained.stderr
    assert "Restarted 5 times (liveness)" in explained.stdout
    assert "30 s grace period" in explained.stdout


def test_watch_without_a_kubernetes_client_says_how_to_get_one(installed: dict[str, str]) -> None:
    result = kubectl(installed, "podlife", "watch", "my-pod")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: watch needs the kubernetes Python client")
    assert "pip install --user kubernetes" in line
