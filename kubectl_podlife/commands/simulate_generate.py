"""`simulate --pods N --out FILE`: large realistic sessions (a deterministic mix of the seed scenarios)
written as podlife's JSONL export or as a `kubectl get pods -w` table, for tests and benchmarks.
"""

from __future__ import annotations

import heapq
import json
import os
import random
import sys
import time as _time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Callable

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.model.simulate import ALWAYS, Behaviour, SimOptions, simulate_observations
from kubectl_podlife.observation import ROW, Observation
from kubectl_podlife.timefmt import human_duration


def _scenarios() -> list[tuple[str, Callable[[random.Random], tuple[dict, dict]]]]:
    def liveness_exec(r):
        period, remove = r.choice((2, 3, 5, 10)), r.choice((3, 5, 10, 30))
        probe = {"exec": {"command": ["test", "-e", "/tmp/healthy"]}, "initialDelaySeconds": r.choice((0, 1, 5)),
                 "periodSeconds": period}
        if r.random() < 0.5:
            probe["failureThreshold"] = r.choice((1, 2, 3, 5))
        c = {"name": "liveness", "image": "busybox", "imagePullPolicy": r.choice(("IfNotPresent", "Always")),
             "command": ["/bin/sh", "-c", f"touch /tmp/healthy; sleep {remove}; rm -f /tmp/healthy; sleep 3600"],
             "livenessProbe": probe}
        spec = {"containers": [c]}
        if r.random() < 0.3:
            spec["terminationGracePeriodSeconds"] = r.choice((5, 10, 60))
        return spec, {}

    def liveness_http(r):
        c = {"name": "web", "image": "registry.example/app:v1", "ports": [{"name": "http", "containerPort": 8080}],
             "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "initialDelaySeconds": 3,
                               "periodSeconds": r.choice((3, 5, 10))}}
        return {"containers": [c]}, {"web": Behaviour(liveness_fails_from=float(r.randint(5, 120)),
                                                      sigterm=r.choice(("handled", "ignored")))}

    def liveness_tcp(r):
        c = {"name": "nginx", "image": "nginx:1.25", "livenessProbe": {
            "tcpSocket": {"port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 10,
            "failureThreshold": r.choice((1, 2, 3))}}
        return {"containers": [c]}, {"nginx": Behaviour(liveness_fails_from=0.0)}

    def readiness(r):
        c = {"name": "api", "image": "registry.example/api:v2", "readinessProbe": {
            "httpGet": {"path": "/ready", "port": 80}, "initialDelaySeconds": r.choice((1, 5, 15)),
            "periodSeconds": r.choice((3, 5, 10))}}
        ok = float(r.randint(5, 60))
        beh = Behaviour(readiness_succeeds_from=ok)
        if r.random() < 0.5:
            beh = replace(beh, readiness_fails_from=ok + r.randint(30, 300))
        return {"containers": [c]}, {"api": beh}

    def init_containers(r):
        inits = [{"name": f"init-{k}", "image": "busybox:1.36", "command": ["sh", "-c", f"sleep {r.randint(1, 10)}"]}
                 for k in range(r.choice((1, 2, 3)))]
        beh = {}
        if r.random() < 0.3:
            beh[inits[0]["name"]] = Behaviour(exits_after=float(r.randint(1, 5)), exit_code=1)
        return {"initContainers": inits, "containers": [
            {"name": "app", "image": "registry.example/app:v1"}]}, beh

    def crash_loop(r):
        c = {"name": "worker", "image": "busybox:1.36",
             "command": ["sh", "-c", f"sleep {r.randint(1, 40)}; exit {r.choice((1, 2, 3, 137))}"]}
        spec = {"containers": [c]}
        if r.random() < 0.3:
            spec["restartPolicy"] = "OnFailure"
        return spec, {}

    def image_pull(r):
        return {"containers": [{"name": "app", "image": r.choice(("tutum/curl", "registry.example/missing:v9",
                                                                     "nginx:no-such-tag"))}]}, \
            {"app": Behaviour(image_pull_fails=ALWAYS)}

    def oom(r):
        c = {"name": "hog", "image": "polinux/stress:1.0", "resources": {"limits": {"memory": "100Mi"}}}
        return {"containers": [c]}, {"hog": Behaviour(oom_at=float(r.randint(3, 60)))}

    def startup(r):
        c = {"name": "slow", "image": "registry.example/slow:v3", "startupProbe": {
            "httpGet": {"path": "/started", "port": 8080}, "periodSeconds": 5, "failureThreshold": r.choice((3, 6, 30))},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10}}
        return {"containers": [c]}, {"slow": Behaviour(startup_succeeds_from=float(r.randint(5, 200)),
                                                       sigterm="handled")}

    return [("liveness-exec", liveness_exec), ("liveness-http", liveness_http), ("liveness-tcp", liveness_tcp),
            ("readiness", readiness), ("init", init_containers), ("crashloop", crash_loop),
            ("imagepull", image_pull), ("oom", oom), ("startup", startup)]


@dataclass(frozen=True)
class GenerateResult:
    path: str
    fmt: str
    pods: int
    observations: int
    lines: int
    seconds: float


def generate(pods: int, out: str, fmt: str = "jsonl", seed: int | None = None,
             duration: tuple[float, float] = (300.0, 1800.0)) -> GenerateResult:
    """Write `pods` simulated pods (a deterministic mix of the seed scenarios) as one session file."""
    if pods < 1:
        raise PodlifeError(f"--pods {pods}: give at least 1")
    if fmt not in ("jsonl", "get-w"):
        raise PodlifeError(f"--format {fmt}: expected jsonl or get-w")
    t0 = _time.perf_counter()
    r = random.Random(seed if seed is not None else 0)
    scenarios = _scenarios()
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    per_pod: list[tuple[float, list[Observation]]] = []
    start = 0.0
    for i in range(pods):
        label, make = scenarios[i % len(scenarios)] if i < len(scenarios) else r.choice(scenarios)
        spec, beh = make(r)
        name = f"{label}-{i:05d}"
        opts = SimOptions(duration=float(r.randint(int(duration[0]), int(duration[1]))),
                          tick_phase=round(r.uniform(0.0, 3.0), 3), behaviours=beh)
        created = base + timedelta(seconds=start)
        uid = f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-4{r.getrandbits(12):03x}-8{r.getrandbits(12):03x}-" \
              f"{r.getrandbits(48):012x}"
        obs = simulate_observations(name, spec, opts, namespace="default", source="generated", created=created,
                                    uid=uid)
        if fmt != "jsonl":
            obs = obs[1:]  # a get -w table has no place for the spec
        per_pod.append((start, obs))
        start += r.uniform(0.0, 2.0)
    # One stream in clock order, as a live recording (or a watch over the namespace) would have it.
    merged = heapq.merge(*[[(s + (o.t or 0.0), n, j, o) for j, o in enumerate(obs)]
                           for n, (s, obs) in enumerate(per_pod)])
    name_out = os.path.basename(out)
    count = lines = 0
    try:
        fh = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")
    except OSError as exc:
        raise PodlifeError(f"{out}: cannot write ({exc.strerror})") from None
    try:
        if fmt == "jsonl":
            fh.write(json.dumps({"podlife": "session", "version": 1, "kind": "simulate",
                                 "created": base.isoformat().replace("+00:00", "Z"),
                                 "sources": [f"simulate --pods {pods} --seed {seed if seed is not None else 0}"]})
                     + "\n")
            lines = 1
            dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
            buf = []
            for _, _, _, o in merged:
                lines += 1
                d = o.to_json()
                d["origin"] = f"{name_out}:{lines}"
                d["seq"] = count
                buf.append(dumps(d))
                count += 1
                if len(buf) >= 2000:
                    fh.write("\n".join(buf) + "\n")
                    buf.clear()
            if buf:
                fh.write("\n".join(buf) + "\n")
        else:
            rows = [(o.pod.name, o.data) for _, _, _, o in merged if o.kind == ROW]
            w = max(len("NAME"), max((len(n) for n, _ in rows), default=4)) + 3
            sw = max(len("STATUS"), max((len(str(d.get("status"))) for _, d in rows), default=6)) + 3
            out_lines = [f"{'NAME':<{w}}{'READY':<8}{'STATUS':<{sw}}{'RESTARTS':<15}AGE"]
            for n, d in rows:
                rc = d.get("restarts") or 0
                ago = d.get("last_restart_ago")
                rtext = f"{rc} ({human_duration(ago[0])} ago)" if ago else str(rc)
                out_lines.append(f"{n:<{w}}{d.get('ready'):<8}{str(d.get('status')):<{sw}}{rtext:<15}{d.get('age')}")
            fh.write("\n".join(out_lines) + "\n")
            count = len(rows)
            lines = len(out_lines)
    finally:
        if fh is not sys.stdout:
            fh.close()
    return GenerateResult(out, fmt, pods, count, lines, _time.perf_counter() - t0)
