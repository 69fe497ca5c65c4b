"""Real kubectl against the oracle API server: one transcript per scenario x kubectl version x format.

`kubectl_binaries()` finds `kubectl.1.NN` next to the `kubectl` on PATH (the google-cloud-sdk
layout) or a plain `kubectl`; `transcript()` plays a scenario into a fresh server and returns what
kubectl printed. Watches end when the scenario does (the server closes them and kubectl exits), so
nothing here waits on a clock: a `get -w` is started, the server waits for its watch request, the
rest of the scenario is played, and kubectl's output is read to its end.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import printers  # noqa: E402
from apiserver import OracleKube  # noqa: E402
from fake_apiserver import simple_kubeconfig  # noqa: E402
from scenarios import Scenario, build  # noqa: E402


def kubectl_binaries() -> dict[str, str]:
    """version ("1.27") -> path; empty when there is no kubectl on this machine."""
    found: dict[str, str] = {}
    main = shutil.which("kubectl")
    dirs = [Path(os.path.realpath(main)).parent] if main else []
    for d in dirs:
        for f in sorted(d.glob("kubectl.1.*")):
            m = re.fullmatch(r"kubectl\.(1\.\d+)", f.name)
            if m and os.access(f, os.X_OK):
                found[m.group(1)] = str(f)
    if main and not found:
        out = subprocess.run([main, "version", "--client", "-o", "json"], capture_output=True, text=True, timeout=30)
        m = re.search(r'"minor":\s*"(\d+)', out.stdout)
        if m:
            found[f"1.{m.group(1)}"] = main
    return found


@dataclass(frozen=True)
class Format:
    name: str
    args: tuple[str, ...]  # {pod} and {ns} are filled in
    watch: bool = False
    suffix: str = ".txt"

    @property
    def gets_pod(self) -> bool:
        """It GETs the pod by name: for a pod already gone, kubectl prints NotFound, not a transcript."""
        return self.args[:3] in (("get", "pod", "{pod}"), ("describe", "pod", "{pod}"))


FORMATS = (
    Format("get-w", ("get", "pods", "-n", "{ns}", "-w"), watch=True),
    Format("get-w-wide", ("get", "pods", "-n", "{ns}", "-w", "-o", "wide"), watch=True),
    Format("get-w-events", ("get", "pods", "-n", "{ns}", "-w", "--output-watch-events"), watch=True),
    Format("get-w-json", ("get", "pods", "-n", "{ns}", "-w", "-o", "json"), watch=True, suffix=".json"),
    Format("get-json", ("get", "pod", "{pod}", "-n", "{ns}", "-o", "json"), suffix=".json"),
    Format("get-yaml", ("get", "pod", "{pod}", "-n", "{ns}", "-o", "yaml"), suffix=".yaml"),
    Format("describe", ("describe", "pod", "{pod}", "-n", "{ns}")),
    Format("get-events", ("get", "events", "-n", "{ns}")),
    Format("get-events-wide", ("get", "events", "-n", "{ns}", "-o", "wide")),
    Format("get-events-sorted", ("get", "events", "-n", "{ns}", "--sort-by=.lastTimestamp")),
    Format("events-for", ("events", "-n", "{ns}", "--for", "pod/{pod}")),
)
BY_NAME = {f.name: f for f in FORMATS}


class Kubectl:
    """One kubectl binary with a throw-away kubeconfig and no proxy."""

    def __init__(self, binary: str, workdir: Path, version: str | None = None) -> None:
        self.binary = binary
        self.workdir = workdir
        m = re.fullmatch(r"1\.(\d+)", version or "") or re.search(r"kubectl\.1\.(\d+)$", binary)
        # the API server it talks to is its own release (kubectl's supported skew is one minor either way)
        self.minor = int(m.group(1)) if m else printers.LATEST

    def env(self, kube: OracleKube) -> dict[str, str]:
        home = self.workdir / f"home-{kube.port}"
        home.mkdir(parents=True, exist_ok=True)
        cfg = simple_kubeconfig(home / "config", kube.url, token="oracle-token")
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "KUBECONFIG": str(cfg),
                "NO_PROXY": "*", "no_proxy": "*", "KUBECTL_KUBERC": "false", "LANG": "C.UTF-8",
                "KUBE_EDITOR": "false"}

    def args(self, fmt: Format, sc: Scenario) -> list[str]:
        return [a.format(pod=sc.pod, ns=sc.namespace) for a in fmt.args]

    def run(self, kube: OracleKube, args: list[str]) -> str:
        p = subprocess.run([self.binary, *args], env=self.env(kube), capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"{self.binary} {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return p.stdout

    def transcript(self, make, fmt: Format) -> str:
        """What kubectl prints for `make`'s scenario, placed so that it ends as kubectl starts."""
        sc = build(make, snapshot=not fmt.watch, minor=self.minor)
        kube = OracleKube(base=sc.created, minor=self.minor).start()
        try:
            if not fmt.watch:
                for t, r, ty, o in sc.steps:
                    kube.play(t, r, ty, o)
                kube.finish(sc.end)
                return self.run(kube, self.args(fmt, sc))
            first = [s for s in sc.steps if s[0] <= 0 and s[1] == "pods"][:1] or sc.steps[:1]
            rest = [s for s in sc.steps if s is not first[0]]
            kube.play(*first[0])
            proc = subprocess.Popen([self.binary, *self.args(fmt, sc)], env=self.env(kube), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            try:
                kube.wait_for_watch("pods")
                for t, r, ty, o in rest:
                    kube.play(t, r, ty, o)
                kube.finish(sc.end)
                out, err = proc.communicate(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            return out
        finally:
            kube.stop()


def session(parts: list[tuple[str, str]]) -> str:
    """A terminal scroll-back: each command after a prompt, then what it printed."""
    out = []
    for cmd, text in parts:
        out.append(f"$ kubectl {cmd}\n{text}")
        if not text.endswith("\n"):
            out.append("\n")
    return "".join(out)


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="podlife-oracle-"))
