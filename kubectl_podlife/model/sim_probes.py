"""The simulator's probe workers: ticks on a fixed phase, thresholds, results, and what a failing
probe prints. A mixin of the engine's PodSim (model/sim_engine.py), which owns the clock and the kills.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kubectl_podlife.model import rules
from kubectl_podlife.model.sim_plan import EPS

if TYPE_CHECKING:
    from kubectl_podlife.model.sim_engine import SimContainer

class ProbeWorker:
    """One probe of one container: its settings, its tick generation and its run of equal results."""

    def __init__(self, c: SimContainer, ptype: str, probe: dict):
        s = rules.probe_settings(probe)
        self.c, self.ptype, self.probe = c, ptype, probe
        self.period = float(s["periodSeconds"])
        self.delay = s["initialDelaySeconds"]
        self.timeout = float(s["timeoutSeconds"])
        self.failure_threshold = s["failureThreshold"]
        self.success_threshold = s["successThreshold"] if ptype == "readiness" else 1
        self.gen = 0
        self.asleep: tuple | None = None  # (gen, base, last k) while nothing can change until a new container
        self.cid = 0
        self.on_hold = False
        self.run = 0
        self.last: bool | None = None
        self.stopped = False


class ProbeSteps:
    """The probe half of PodSim: scheduled ticks and what their results make the kubelet do."""

    def tick(self, w: ProbeWorker, gen: int, k: int, base: float) -> None:
        if gen != w.gen or w.stopped:
            return
        self._do_probe(w)
        if w.stopped:
            return
        # Ticks that cannot change anything are skipped (the grid stays the same): while the container
        # is not running or the worker is on hold (until _create wakes it), and while a published
        # success cannot turn until the behaviour's next change point.
        c = w.c
        if not c.running or w.on_hold or (w.ptype == "startup" and c.started):
            w.asleep = (gen, base, k)
            return
        nk = k + 1
        if w.last is True and w.run >= w.success_threshold and c.started_at is not None:
            p = c.plan
            points = [c.started_at + x for x in (p.fails_from.get(w.ptype), p.times_out_from.get(w.ptype))
                      if x is not None and c.started_at + x >= self.now - EPS]
            if not points:
                w.asleep = (gen, base, k)
                return
            nk = max(nk, math.floor((min(points) - base) / w.period + 1e-9))
        self.at(base + nk * w.period, self.tick, w, gen, nk, base)

    def wake_probes(self, c: SimContainer) -> None:
        for w in c.workers.values():
            if w.asleep is not None and not w.stopped:
                gen, base, last = w.asleep
                w.asleep = None
                k = max(last + 1, math.ceil((self.now - base) / w.period - 1e-9))
                self.at(base + k * w.period, self.tick, w, gen, k, base)

    def trigger_readiness(self, c: SimContainer) -> None:
        # prober_manager UpdatePodStatus: an immediate readiness run when the container becomes started
        # and has no readiness result yet; the manual run resets that worker's ticker.
        w = c.workers.get("readiness")
        if w is None or w.stopped:
            return
        w.gen += 1
        self._do_probe(w)
        self.at(self.now + w.period, self.tick, w, w.gen, 1, self.now)

    def _do_probe(self, w: ProbeWorker) -> None:
        c = w.c
        if self.phase in ("Succeeded", "Failed"):
            w.stopped = True
            return
        if not c.running:
            return
        if w.cid != c.instance:
            w.cid, w.on_hold, w.run, w.last = c.instance, False, 0, None
        if w.on_hold:
            return
        elapsed = round(self.now - (c.started_at or 0.0), 6)
        if int(elapsed) < w.delay:
            return
        if w.ptype == "startup":
            if c.started:
                return
        elif not c.started:
            return
        p = c.plan
        to = p.times_out_from.get(w.ptype)
        if to is not None and elapsed > to:
            self.at(self.now + w.timeout, self._result, w, c.instance, False, self._failure_output(w, True))
            return
        s, f = p.succeeds_from.get(w.ptype), p.fails_from.get(w.ptype)
        ok = not ((s is not None and elapsed < s - EPS) or (f is not None and elapsed > f + EPS))
        self._result(w, c.instance, ok, "" if ok else self._failure_output(w, False))

    def _failure_output(self, w: ProbeWorker, timeout: bool) -> str:
        probe, c = w.probe, w.c
        handler = rules.probe_handler(probe)
        if handler == "exec":
            cmd = [str(x) for x in ((probe.get("exec") or {}).get("command") or [])]
            if timeout:
                return f'command "{" ".join(cmd)}" timed out'
            if cmd and cmd[0] in ("cat", "ls") and len(cmd) > 1:
                return f"{cmd[0]}: can't open '{cmd[-1]}': No such file or directory"
            return ""
        if handler == "httpGet":
            h = probe.get("httpGet") or {}
            port = resolve_port(c.spec, h.get("port"))
            url = f"{str(h.get('scheme') or 'HTTP').lower()}://{h.get('host') or self.ip}:{port}{h.get('path') or '/'}"
            if timeout:
                return f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            return f"HTTP probe failed with statuscode: {c.plan.http_status}"
        if handler == "tcpSocket":
            h = probe.get("tcpSocket") or {}
            port = resolve_port(c.spec, h.get("port"))
            return f"dial tcp {h.get('host') or self.ip}:{port}: " + ("i/o timeout" if timeout else
                                                                      "connect: connection refused")
        if handler == "grpc":
            if timeout:
                return f"timeout: health rpc did not complete within {w.timeout:g}s"
            return 'service unhealthy (responded with "NOT_SERVING")'
        return "probe failed"

    def _result(self, w: ProbeWorker, cid: int, ok: bool, output: str) -> None:
        c = w.c
        if c.instance != cid or not c.running or w.stopped:
            return
        if not ok:
            self.event(self.now, "Warning", "Unhealthy",
                        f"{w.ptype.capitalize()} probe failed: {output}".rstrip(), c)
        if w.last == ok:
            w.run += 1
        else:
            w.last, w.run = ok, 1
        if w.run < (w.success_threshold if ok else w.failure_threshold):
            return  # below threshold: the published result stays as it was
        if w.ptype == "readiness":
            if c.ready != ok:
                c.ready = ok
                self.mark(c)
            return
        if w.ptype == "startup":
            if ok:
                c.started = True
                if "readiness" not in c.workers:
                    c.ready = True
                self.mark(c)
                self.trigger_readiness(c)
                if c.sidecar:
                    self.advance()
                return
        if not ok:  # liveness or startup failure: on hold until a new container, and the kubelet kills
            w.on_hold, w.run = True, 0
            self.kill(c, w.ptype)


def resolve_port(cspec: dict, port: Any) -> Any:
    """A named port resolved through the container's ports (probes may name them)."""
    if isinstance(port, str) and not port.isdigit():
        for p in cspec.get("ports") or []:
            if isinstance(p, dict) and p.get("name") == port:
                return p.get("containerPort", port)
    return port
