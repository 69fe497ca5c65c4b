"""Build a release: the wheel and sdist, and the krew archive with its regenerated plugin.yaml.

    python scripts/release.py              # dist/*.whl, dist/*.tar.gz (python -m build), krew archive, plugin.yaml
    python scripts/release.py --krew-only  # only the krew archive and plugin.yaml

The krew archive, ``dist/kubectl-podlife-vX.Y.Z.tar.gz``, is self-contained: it holds the podlife
package, the bundled replays and the pure-Python packages that replay, explain, simulate and the TUI
import (textual, rich, pyyaml without its C speed-up, python-dateutil and what they need), copied
from the environment this script runs in, plus a ``kubectl-podlife`` launcher that runs them with
whichever ``python3`` (3.11 or newer) is on PATH. Nothing is installed with pip.

The kubernetes client is not bundled: since kubernetes 34 it needs pydantic-core, a compiled module
built for one Python version and platform, which would tie the archive to both. ``watch`` therefore
uses a kubernetes client installed for that ``python3`` and says in one line how to get one if there
is none.

The archive is reproducible: members are sorted, owned by root, dated SOURCE_DATE_EPOCH (default:
the last commit that changed them) and the gzip header carries no time, so the same tree and the same installed
versions give the same sha256, which plugin.yaml records.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "kubectl-podlife"
HOMEPAGE = "https://github.com/kubectl-podlife/kubectl-podlife"
# The distributions the archive's commands import, by name as the project's metadata lists them.
# kubernetes is left out on purpose (see the module docstring).
BUNDLED_ROOTS = ("textual", "pyyaml", "python-dateutil")
# Compiled modules that have a pure-Python fallback the package uses when the module is absent.
OPTIONAL_COMPILED = {"pyyaml": "yaml falls back to its pure-Python parser when yaml._yaml is absent"}

LAUNCHER = '''#!/usr/bin/env python3
"""kubectl-podlife launcher from the krew archive: runs the bundled package with this python3."""
import os
import sys

if sys.version_info < (3, 11):
    sys.exit("error: kubectl-podlife needs Python 3.11 or newer; the python3 on PATH is "
             + sys.version.split()[0])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "lib"))
from kubectl_podlife.cli import main  # noqa: E402

sys.exit(main())
'''


class ReleaseError(Exception):
    """A release that cannot be built as asked; the message says why."""


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_closure(roots: tuple[str, ...]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``roots`` need at run time, with their extras, sorted by name."""
    found: dict[str, tuple[importlib.metadata.Distribution, frozenset[str]]] = {}
    todo = [(root, frozenset[str]()) for root in roots]
    while todo:
        name, extras = todo.pop()
        key = normalise(name)
        if key in found and extras <= found[key][1]:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise ReleaseError(f"{name} is not installed in {sys.prefix}; install the project first "
                               "(pip install .)") from None
        extras = extras | (found[key][1] if key in found else frozenset())
        found[key] = (dist, extras)
        for line in dist.requires or ():
            req = Requirement(line)
            markers = [{"extra": extra} for extra in sorted(extras) or [""]]
            if req.marker is None or any(req.marker.evaluate(env) for env in markers):
                todo.append((req.name, frozenset(req.extras)))
    return [found[key][0] for key in sorted(found)]


def distribution_files(dist: importlib.metadata.Distribution) -> list[tuple[str, Path]]:
    """(path inside lib/, file on disk) for a distribution's importable files and its metadata."""
    name = normalise(dist.metadata["Name"])
    out = []
    for rel in dist.files or ():
        posix = rel.as_posix()
        if posix.startswith("..") or "__pycache__" in rel.parts or posix.endswith(".pyc"):
            continue
        if posix.endswith((".so", ".pyd")):
            if name in OPTIONAL_COMPILED:
                continue
            raise ReleaseError(f"{name} {dist.version} ships a compiled module ({posix}); the krew archive "
                               "bundles only pure-Python packages")
        out.append((posix, Path(dist.locate_file(rel))))
    return out


# What the archive takes from this checkout (beside the dependencies).
CHECKOUT_PATHS = ("kubectl_podlife", "replays", "README.md")


def git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def checkout_files() -> list[tuple[str, Path]]:
    """The checkout's files for the archive: those git tracks (no stray local files), else all."""
    tracked = git("ls-files", "-z", "--", *CHECKOUT_PATHS)
    if tracked:
        names = [name for name in tracked.split("\0") if name]
    else:
        names = [p.relative_to(ROOT).as_posix() for top in CHECKOUT_PATHS for p in (ROOT / top).rglob("*")
                 if p.is_file()] + ["README.md"]
    return [(name, ROOT / name) for name in sorted(set(names))
            if "__pycache__" not in name and not name.endswith(".pyc") and (ROOT / name).is_file()]


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the time of the last commit that changed what the archive takes from
    the checkout, so that committing a regenerated plugin.yaml does not change the archive's sha256."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = git("log", "-1", "--format=%ct", "--", *CHECKOUT_PATHS)
    return int(out.strip()) if out and out.strip().isdigit() else 0


def build_krew_archive(out_dir: Path, version: str) -> Path:
    """Write dist/kubectl-podlife-vVERSION.tar.gz and return its path."""
    members: list[tuple[str, Path | bytes, int]] = [("kubectl-podlife", LAUNCHER.encode(), 0o755)]
    for path, src in checkout_files():
        members.append((f"lib/{path}" if path.startswith("kubectl_podlife/") else path, src, 0o644))
    for dist in dependency_closure(BUNDLED_ROOTS):
        members += [(f"lib/{path}", src, 0o644) for path, src in distribution_files(dist)]
    mtime = source_date_epoch()
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{PROJECT}-v{version}.tar.gz"
    partial = archive.with_name(archive.name + ".partial")
    with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, src, mode in sorted(members, key=lambda m: m[0]):
            data = src if isinstance(src, bytes) else src.read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, mtime
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    partial.replace(archive)
    return archive


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def plugin_manifest(version: str, archive: Path) -> str:
    """The krew Plugin manifest for this release's archive."""
    return f"""\
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: podlife
spec:
  version: v{version}
  homepage: {HOMEPAGE}
  shortDescription: Replay a pod's lifecycle and explain every restart
  description: |
    kubectl podlife replays a pod's lifecycle from saved kubectl output (get pods -w,
    describe, get events, manifests, -o json) or from a live watch, and explains every
    transition by the kubelet's rules: which probe failed and how often, which grace
    period applied, which crash-loop back-off delay was in force, which init container
    held the pod. It opens a keyboard-only terminal UI that works at 80x24 over SSH.
  caveats: |
    Runs with the python3 on your PATH (Python 3.11 or newer); nothing is installed
    with pip. Live capture (kubectl podlife watch) also needs the kubernetes Python
    client for that python3, which the archive does not bundle:
      python3 -m pip install --user kubernetes
    Or install everything with: pipx install kubectl-podlife
  platforms:
  - selector:
      matchExpressions:
      - key: os
        operator: In
        values: [linux, darwin]
    uri: {HOMEPAGE}/releases/download/v{version}/{archive.name}
    sha256: "{sha256(archive)}"
    bin: kubectl-podlife
    files:
    - from: "*"
      to: "."
"""


def build_python_dists(out_dir: Path) -> None:
    try:
        import build  # noqa: F401
    except ImportError:
        raise ReleaseError("the wheel and sdist need the 'build' package: pip install '.[release]' "
                           "(or pass --krew-only)") from None
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out_dir), str(ROOT)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory (default: dist/)")
    parser.add_argument("--plugin-yaml", type=Path, default=ROOT / "plugin.yaml",
                        help="where to write the krew manifest (default: plugin.yaml)")
    parser.add_argument("--krew-only", action="store_true", help="skip the wheel and sdist")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from kubectl_podlife import __version__ as version
    try:
        if not args.krew_only:
            build_python_dists(args.out)
        archive = build_krew_archive(args.out, version)
        args.plugin_yaml.write_text(plugin_manifest(version, archive))
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{archive} ({archive.stat().st_size / 1e6:.1f} MB) sha256 {sha256(archive)}")
    print(f"{args.plugin_yaml} names it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
