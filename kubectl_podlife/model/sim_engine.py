"""The simulator's engine: one pod, a heap of timed actions, and the kubelet's decisions at each.

`PodSim(...).run()` emits the observations a `kubectl get pods -w` plus events transcript of the
pod would hold (rows, events with counts, container states with exit codes). Containers follow
their `Plan` (model/sim_plan.py); the probe workers live in model/sim_probes.py. Pure: spec and
options in, observations out.
"""

from __future__ import annotations

import heapq
import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from kubectl_podlife.model import rules
from kubectl_podlife.model.sim_plan import (ADMIT_AT, EPS, IMAGE_BACKOFF_SYNC, PROBE_TYPES, PULL_FAIL_SECONDS,
                                            SIGTERM_EXIT_SECONDS, STATUS_AT, Behaviour, Plan, SimOptions, container_plan)
from kubectl_podlife.model.sim_probes import ProbeSteps, ProbeWorker
from kubectl_podlife.observation import CLOCK_POD, CONTAINER, EVENT, POD, ROW, Observation, PodKey
from kubectl_podlife.timefmt import go_duration, human_duration, parse_age

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # absolute clock of a prediction (never shown)


class SimContainer:
    """One container of the simulated pod: its plan and the kubelet's view of it (state, back-off, pulls)."""

    def __init__(self, name: str, spec: dict, init: bool, sidecar: bool, index: int, plan: Plan):
        self.name, self.spec, self.init, self.sidecar, self.index, self.plan = name, spec, init, sidecar, index, plan
        self.image = str(spec.get("image") or "")
        self.pull_policy = rules.image_pull_policy(spec)
        self.instance = 0  # container ids created so far
        self.restart_count = 0
        self.state: dict = {"status": "waiting", "reason": "PodInitializing" if init else "ContainerCreating"}
        self.last_state: dict | None = None
        self.ready = False
        self.started = False
        self.started_at: float | None = None
        self.exited: list[float] = []  # finishedAt of each exited instance, oldest first
        self.bo_steps = 0  # crash-loop Backoff.Next calls since the entry was (re)created
        self.bo_update: float | None = None
        self.img_steps = 0
        self.img_update: float | None = None
        self.pulls = 0
        self.pull_failures = 0
        self.token = 0  # bumps when an instance ends, so its scheduled exits go stale
        self.busy = False  # pulling / starting / waiting out a back-off
        self.killing = False
        self.done = False  # a regular init container that exited 0
        self.workers: dict[str, ProbeWorker] = {}
        self.field_path = f"spec.{'initContainers' if init else 'containers'}{{{name}}}"

    @property
    def running(self) -> bool:
        return self.state.get("status") == "running"

    def delay(self) -> float | None:
        return rules.backoff_in_force(self.bo_steps)


class PodSim(ProbeSteps):
    """One pod's simulation: `run()` returns its observations in emission order."""

    def __init__(self, name: str, namespace: str | None, spec: dict, options: SimOptions, source: str,
                 created: datetime = EPOCH, uid: str | None = None, node: str = "node-1", ip: str | None = None,
                 aggregate_events: bool = False, incarnation: int = 1):
        self.name, self.namespace, self.spec, self.options = name, namespace, spec, options
        self.key = PodKey(name=name, namespace=namespace, uid=uid, incarnation=incarnation)
        self.source = source
        self.created = created
        self.uid = uid or "00000000-0000-0000-0000-000000000000"
        self.node = node
        self.ip = ip or pod_ip(name)
        self.policy = spec.get("restartPolicy") or "Always"
        self.end = options.duration
        self.q: list = []
        self.qn = 0
        self.now = 0.0
        self.obs: list[Observation] = []
        self.events: dict = {}  # (reason, message, container) -> [count, first t]
        self.phase = "Pending"
        self.reported = False  # the kubelet has reported container statuses
        self.dirty = False
        self.phase_obs = None
        self.last_row: tuple | None = None
        self.rows = 0
        self.obj = f"pod/{name}"
        self._iso_cache: dict[int, str] = {}
        self.aggregate_events = aggregate_events
        self.app_queue: list[SimContainer] = []
        self.launching = False
        self.initialized = False
        self.failed_init = False
        beh_all = options.behaviours or {}
        inits = [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
        apps = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
        first = (apps[0].get("name") if apps else None)
        self.inits: list[SimContainer] = []
        self.apps: list[SimContainer] = []
        for i, cs in enumerate(inits):
            nm = str(cs.get("name") or f"init-{i}")
            beh = beh_all.get(nm, Behaviour())
            self.inits.append(SimContainer(nm, cs, True, cs.get("restartPolicy") == "Always", i,
                                         container_plan(cs, beh, options.sigterm)))
        for i, cs in enumerate(apps):
            nm = str(cs.get("name") or f"container-{i}")
            beh = beh_all.get(nm, Behaviour())
            if nm == first and "" in beh_all:
                beh = beh_all[""].merged(beh)
            self.apps.append(SimContainer(nm, cs, False, False, i, container_plan(cs, beh, options.sigterm)))
            if inits:  # app containers of a pod with init containers wait as PodInitializing (5.3)
                self.apps[-1].state = {"status": "waiting", "reason": "PodInitializing"}
        self.all = self.inits + self.apps
        self.tick_phase = ADMIT_AT if options.tick_phase is None else float(options.tick_phase)

    # --- the loop -------------------------------------------------------------------------

    def at(self, t: float, fn: Callable, *args: Any) -> None:
        self.qn += 1
        heapq.heappush(self.q, (round(t, 6), self.qn, fn, args))

    def run(self) -> list[Observation]:
        self._emit_pod()
        self.dirty = True
        self._flush()
        self.event(0.0, "Normal", "Scheduled", f"Successfully assigned {self.namespace or 'default'}/{self.name} "
                                                f"to {self.node}", None, source="default-scheduler")
        self.at(STATUS_AT, self._report)
        self.at(ADMIT_AT, self._admit)
        while self.q:
            t = self.q[0][0]
            if t > self.end + EPS:
                break
            self.now = t
            while self.q and self.q[0][0] <= t + EPS:
                _, _, fn, args = heapq.heappop(self.q)
                fn(*args)
            self._flush()
        return self.obs

    # --- observations ----------------------------------------------------------------------

    def _iso(self, t: float | None) -> str | None:
        if t is None:
            return None
        ms = round(t * 1000)
        s = self._iso_cache.get(ms)
        if s is None:
            dt = self.created + timedelta(milliseconds=ms)
            s = self._iso_cache[ms] = dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
        return s

    def _add(self, kind: str, raw: str, data: dict, container: str | None = None, t: float | None = None,
             time: str | None = None) -> None:
        t = round(self.now if t is None else t, 3)
        n = len(self.obs)
        self.obs.append(Observation(kind, self.key, f"{self.source}:{n + 1}", raw, data, container, t, t, t, time,
                                    CLOCK_POD, None, n))

    def _emit_pod(self) -> None:
        data = {"phase": self.phase, "creation_time": self._iso(0.0), "node": self.node, "ip": self.ip,
                "termination_grace_seconds": self.spec.get("terminationGracePeriodSeconds"),
                "conditions": {}, "terminating": False}
        self._add(POD, f'{{"pod": "{self.name}", "phase": "{self.phase}"}}', data, time=self._iso(self.now))

    def event(self, t: float, etype: str, reason: str, message: str, c: SimContainer | None,
               source: str = "kubelet") -> None:
        t = round(t, 3)
        count = first = None
        if self.aggregate_events:  # API-style: one Event object per message, its count and first time
            rec = self.events.setdefault((reason, message, c.name if c else None), [0, t])
            rec[0] += 1
            count, first = rec
        # Times stay on the pod clock (t, first_t): a `get events -w` line prints no absolute time.
        data = {"type": etype, "reason": reason, "message": message, "source": source, "count": count or 1,
                "first_t": [first if first is not None else t] * 2, "object": self.obj}
        if c is not None:
            data["field_path"] = c.field_path
        n = len(self.obs)
        self.obs.append(Observation(EVENT, self.key, f"{self.source}:{n + 1}",
                                    f"0s   {etype}   {reason}   {self.obj}   {message}", data,
                                    c.name if c else None, t, t, t, None, CLOCK_POD, None, n))

    def _row(self) -> tuple:
        inits, apps = [], []
        for c in self.inits:
            inits.append({"state": c.state, "sidecar": c.sidecar, "started": c.started})
        for c in self.apps:
            apps.append({"state": c.state})
        if not self.reported:
            inits, apps = [], []
        counted = self.apps + [c for c in self.inits if c.sidecar]
        total = len(counted)
        ready_n = sum(1 for c in counted if c.ready and c.running)
        ready_cond = ready_n == total and total > 0
        status = rules.pod_status(self.phase, inits, apps, ready_condition=ready_cond)
        if not self.initialized:
            cur = next((c for c in self.inits if not (c.done or (c.sidecar and c.started))), None)
            upto = self.inits[: (cur.index + 1) if cur else len(self.inits)]
            counted = upto
        restarts = sum(c.restart_count for c in counted)
        finishes = [c.last_state.get("finished_t") for c in counted if c.last_state]
        last = max(finishes) if finishes else None
        return f"{ready_n}/{total}", status, restarts, last

    def _flush(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        phase = self._phase()
        if phase != self.phase:
            self.phase = phase
            self._emit_pod()
            if phase in ("Succeeded", "Failed"):
                self._terminal()
        ready, status, restarts, last = self._row()
        ago = None
        rtext = str(restarts)
        if restarts and last is not None:
            hd = human_duration(round(self.now - last, 3))
            ago = _AGO_CACHE.get(hd)
            if ago is None:
                ago = _AGO_CACHE[hd] = list(parse_age(hd))
            ago = list(ago)
            rtext = f"{restarts} ({hd} ago)"
        row = (ready, status, rtext)
        if row == self.last_row and not self._status_changed:
            return
        self._status_changed = False
        self.last_row = row
        age = human_duration(round(self.now, 3))
        data: dict[str, Any] = {"ready": ready, "status": status, "restarts": restarts, "age": age}
        if ago is not None:
            data["last_restart_ago"] = ago
        data["watch_event"] = "MODIFIED" if self.rows else "ADDED"
        self.rows += 1
        self._add(ROW, f"{self.name}   {ready}   {status}   {rtext}   {age}", data)

    _status_changed = False

    def _emit_container(self, c: SimContainer) -> None:
        def shape(st: dict | None) -> dict | None:
            if not st:
                return None
            out = {k: v for k, v in st.items() if k in ("status", "reason", "message", "exit_code")}
            for k in ("started_t", "finished_t"):
                if st.get(k) is not None:
                    out[k.replace("_t", "_at")] = self._iso(st[k])
            return out
        data: dict[str, Any] = {"init": c.init, "sidecar": c.sidecar, "state": shape(c.state),
                                "ready": c.ready, "started": c.started, "restart_count": c.restart_count,
                                "image": c.image}
        if c.instance:
            data["container_id"] = f"containerd://{self.name}-{c.name}-{c.instance}"
        st = c.state
        word = " ".join(str(x) for x in (st.get("status"), st.get("reason"), st.get("exit_code")) if x is not None)
        raw = json.dumps({"container": c.name, "state": word, "ready": c.ready, "restartCount": c.restart_count})
        self._add(CONTAINER, raw, data, c.name, time=self._iso(self.now))

    def mark(self, c: SimContainer) -> None:
        self.dirty = True
        self._status_changed = True

    # --- phase ------------------------------------------------------------------------------

    def _phase(self) -> str:
        if self.phase in ("Succeeded", "Failed"):
            return self.phase
        if self.failed_init:
            return "Failed"
        if not self.initialized:
            return "Pending"
        if any(c.instance == 0 for c in self.apps):
            return "Pending"
        if all(c.state.get("status") == "terminated" and not rules.restart_allowed(
                self.policy, c.state.get("exit_code")) for c in self.apps):
            return "Succeeded" if all(c.state.get("exit_code") == 0 for c in self.apps) else "Failed"
        return "Running"

    def _terminal(self) -> None:
        """Succeeded/Failed: probe workers exit; sidecars are stopped (k8s-lifecycle 1.4, 4)."""
        for c in self.all:
            for w in c.workers.values():
                w.stopped = True
        for c in reversed(self.inits):
            if c.sidecar and c.running:
                self.event(self.now, "Normal", "Killing", f"Stopping container {c.name}", c)
                grace, _ = rules.grace_for_kill(self.spec, c.spec, None)
                c.busy = True
                code = rules.EXIT_SIGKILL if c.plan.ignores_sigterm else rules.EXIT_SIGTERM
                self.at(self.now + (grace if c.plan.ignores_sigterm else SIGTERM_EXIT_SECONDS), self._stopped, c,
                        c.token, code)

    def _stopped(self, c: SimContainer, token: int, code: int) -> None:
        if token == c.token:
            self._terminate(c, code, "Error")

    # --- kubelet: admission and starting containers -----------------------------------------

    def _report(self) -> None:
        self.reported = True
        self.dirty = True
        self._status_changed = True

    def _admit(self) -> None:
        # Probe workers are created at pod admission; their tick phase stays fixed across restarts.
        for c in self.all:
            if c.init and not c.sidecar:
                continue  # regular init containers cannot have probes
            for ptype in PROBE_TYPES:
                probe = c.spec.get(f"{ptype}Probe")
                if isinstance(probe, dict):
                    w = ProbeWorker(c, ptype, probe)
                    c.workers[ptype] = w
                    k = max(0, math.ceil((self.now - self.tick_phase) / w.period - 1e-9))
                    self.at(self.tick_phase + k * w.period, self.tick, w, w.gen, k, self.tick_phase)
        self.advance()

    def advance(self) -> None:
        """Start what should run next: init containers in order (sidecars once started), then the app."""
        if self.phase in ("Succeeded", "Failed") or self.failed_init:
            return
        for c in self.inits:
            if c.sidecar:
                if c.instance == 0 and not c.busy:
                    self._launch(c)
                    return
                if not c.started:
                    return
                continue
            if c.done:
                continue
            if c.instance == 0 and not c.busy:
                self._launch(c)
            return
        if not self.initialized:
            self.initialized = True
            self.dirty = True
            self._status_changed = True
        pending = [c for c in self.apps if c.instance == 0 and not c.busy and c not in self.app_queue]
        if pending:
            self.app_queue.extend(pending)
            self._next_app()

    def _next_app(self) -> None:
        # The kubelet starts a pod's containers one after another in one sync (pull, create, start).
        if self.launching or not self.app_queue:
            return
        c = self.app_queue.pop(0)
        self.launching = True
        self._launch(c)

    def _launched(self, c: SimContainer) -> None:
        if not c.init and self.launching:
            self.launching = False
            self._next_app()

    def _launch(self, c: SimContainer) -> None:
        c.busy = True
        t = self.now
        p = c.plan
        needs_pull = c.pull_policy == "Always" or (c.pull_policy == "IfNotPresent" and not p.image_present
                                                   and c.pulls == 0)
        if c.pull_policy == "Never" and not p.image_present:
            self.event(t, "Warning", "ErrImageNeverPull",
                        f'Container image "{c.image}" is not present with pull policy of Never', c)
            c.state = {"status": "waiting", "reason": "ErrImageNeverPull",
                       "message": f'Container image "{c.image}" is not present with pull policy of Never'}
            self.mark(c)
            self._launched(c)
            return
        if not needs_pull:
            self.event(t, "Normal", "Pulled", f'Container image "{c.image}" already present on machine', c)
            self._create(c)
            return
        c.pulls += 1
        self.event(t, "Normal", "Pulling", f'Pulling image "{c.image}"', c)
        if c.pull_failures < p.pull_fails:
            self.at(t + PULL_FAIL_SECONDS, self._pull_failed, c)
        else:
            self.at(t + p.pull_seconds, self._pulled, c, p.pull_seconds)

    def _pulled(self, c: SimContainer, secs: float) -> None:
        d = f"{secs:.3f}".rstrip("0").rstrip(".") + "s"
        self.event(self.now, "Normal", "Pulled", f'Successfully pulled image "{c.image}" in {d} ({d} including '
                                                  f'waiting). Image size: 4269120 bytes.', c)
        c.img_steps = 0
        self._create(c)

    def _pull_failed(self, c: SimContainer) -> None:
        t = self.now
        c.pull_failures += 1
        ref = c.image if "/" in c.image else f"docker.io/library/{c.image}"
        self.event(t, "Warning", "Failed", f'Failed to pull image "{c.image}": rpc error: code = NotFound desc = '
                                            f'failed to pull and unpack image "{ref}": failed to resolve reference '
                                            f'"{ref}": {ref}: not found', c)
        self.event(t, "Warning", "Failed", "Error: ErrImagePull", c)
        c.state = {"status": "waiting", "reason": "ErrImagePull",
                   "message": f'failed to pull and unpack image "{ref}": not found'}
        self.mark(c)
        # Image pull back-off (kubelet.go imageBackOffPeriod / MaxImageBackOff): Next on each failure.
        c.img_steps += 1
        c.img_update = t
        delay = rules.backoff_delays(c.img_steps, rules.IMAGE_BACKOFF_INITIAL, rules.IMAGE_BACKOFF_MAX)[-1]
        self.at(t + IMAGE_BACKOFF_SYNC, self._image_backoff, c, c.pull_failures)
        self.at(t + delay, self._retry_pull, c, c.pull_failures)
        self._launched(c)

    def _image_backoff(self, c: SimContainer, n: int) -> None:
        if c.pull_failures != n or c.state.get("reason") != "ErrImagePull":
            return
        self.event(self.now, "Normal", "BackOff", f'Back-off pulling image "{c.image}"', c)
        self.event(self.now, "Warning", "Failed", "Error: ImagePullBackOff", c)
        c.state = {"status": "waiting", "reason": "ImagePullBackOff", "message": f'Back-off pulling image "{c.image}"'}
        self.mark(c)

    def _retry_pull(self, c: SimContainer, n: int) -> None:
        if c.pull_failures != n or self.phase in ("Succeeded", "Failed"):
            return
        if not c.init and self.launching:
            self.at(self.now + 0.5, self._retry_pull, c, n)  # another container of this sync is starting
            return
        if not c.init:
            self.launching = True
        self._launch(c)

    def _create(self, c: SimContainer) -> None:
        t = self.now
        if c.instance:
            c.restart_count += 1
            c.last_state = dict(c.state) if c.state.get("status") == "terminated" else c.last_state
        c.instance += 1
        c.busy = False
        c.killing = False
        c.state = {"status": "running", "started_t": t}
        c.started_at = t
        self.wake_probes(c)
        has_startup = "startup" in c.workers
        c.started = not has_startup
        c.ready = c.started and "readiness" not in c.workers
        self.event(t, "Normal", "Created", f"Created container {c.name}", c)
        self.event(t, "Normal", "Started", f"Started container {c.name}", c)
        self.mark(c)
        p = c.plan
        ends = []
        if p.exits_after is not None:
            reason = "Completed" if p.exit_code == 0 else "Error"
            ends.append((p.exits_after, p.exit_code, reason))
        if p.oom_at is not None:
            ends.append((p.oom_at, rules.EXIT_SIGKILL, "OOMKilled"))
        if ends:
            after, code, reason = min(ends, key=lambda e: e[0])
            self.at(t + after, self._self_exit, c, c.token, code, reason)
        if c.started:
            self.trigger_readiness(c)
        self._launched(c)
        if c.sidecar and c.started:
            self.advance()

    # --- exits, kills, restarts -------------------------------------------------------------

    def _terminate(self, c: SimContainer, code: int, reason: str) -> None:
        t = self.now
        c.state = {"status": "terminated", "reason": reason, "exit_code": code, "started_t": c.started_at,
                   "finished_t": t}
        c.ready = False
        c.started = False
        c.killing = False
        c.exited.append(t)
        c.token += 1
        self.mark(c)
        if not (c.init and not c.sidecar and code == 0):
            self._emit_container(c)  # the exit code and reason, as an API status update shows them

    def _self_exit(self, c: SimContainer, token: int, code: int, reason: str) -> None:
        if token != c.token or not c.running:
            return
        self._terminate(c, code, reason)
        if reason == "OOMKilled":
            pass  # the OOM itself is only visible in the container state (reason OOMKilled, exit 137)
        # The kubelet notices on its next PLEG relist, then syncs the pod.
        self.at(self.now + rules.PLEG_RELIST_PERIOD, self._after_exit, c, c.token)

    def _restart_wanted(self, c: SimContainer, code: int | None) -> bool:
        if c.init and not c.sidecar:
            return code != 0 and self.policy != "Never"
        return rules.restart_allowed(self.policy, code, c.sidecar)

    def _after_exit(self, c: SimContainer, token: int) -> None:
        if token != c.token or self.phase in ("Succeeded", "Failed"):
            return
        code = c.state.get("exit_code")
        if c.init and not c.sidecar and code == 0:
            c.done = True
            self.dirty = True
            self.advance()
            return
        if not self._restart_wanted(c, code):
            if c.init and not c.sidecar:
                self.failed_init = True
            self.dirty = True
            return
        finish = c.exited[-1]
        if self._in_backoff(c, finish):
            self._wait_backoff(c, finish)
        else:
            self._next_backoff(c, finish)
            self._relaunch(c)

    def _in_backoff(self, c: SimContainer, finish: float) -> bool:
        # doBackOff: IsInBackOffSince(newest exited instance's FinishedAt); an entry expires once an
        # instance finished more than 600 s after the entry's last update.
        if c.bo_steps == 0 or c.bo_update is None:
            return False
        if finish - c.bo_update > rules.BACKOFF_RESET:
            return False
        return self.now - finish < (c.delay() or 0.0) - EPS

    def _next_backoff(self, c: SimContainer, finish: float) -> None:
        if c.bo_steps == 0 or c.bo_update is None or finish - c.bo_update > rules.BACKOFF_RESET:
            c.bo_steps = 1
        else:
            c.bo_steps += 1
        c.bo_update = self.now

    def _wait_backoff(self, c: SimContainer, finish: float) -> None:
        delay = c.delay() or rules.BACKOFF_INITIAL
        c.busy = True
        ns = self.namespace or "default"
        self.event(self.now, "Warning", "BackOff", f"Back-off restarting failed container {c.name} in pod "
                                                    f"{self.name}_{ns}({self.uid})", c)
        if c.state.get("status") == "terminated":
            c.last_state = dict(c.state)
        c.state = {"status": "waiting", "reason": "CrashLoopBackOff",
                   "message": f"back-off {go_duration(delay)} restarting failed container={c.name} "
                              f"pod={self.name}_{ns}({self.uid})"}
        self.mark(c)
        # Requeued at the back-off's expiry (k/k#133066); older kubelets retry every 10-15 s.
        self.at(finish + delay, self._retry, c, c.token)

    def _retry(self, c: SimContainer, token: int) -> None:
        if token != c.token or self.phase in ("Succeeded", "Failed"):
            return
        finish = c.exited[-1]
        if self._in_backoff(c, finish):
            self._wait_backoff(c, finish)
            return
        self._next_backoff(c, finish)
        self._relaunch(c)

    def _relaunch(self, c: SimContainer) -> None:
        if not c.init and self.launching:
            self.app_queue.append(c)
            c.busy = True
            return
        if not c.init:
            self.launching = True
        self._launch(c)

    def kill(self, c: SimContainer, ptype: str) -> None:
        t = self.now
        grace, _ = rules.grace_for_kill(self.spec, c.spec, ptype)
        restart = self._restart_wanted(c, rules.EXIT_SIGKILL)
        self.event(t, "Normal", "Killing", f"Container {c.name} failed {ptype} probe"
                                            + (", will be restarted" if restart else ""), c)
        c.killing = True
        ignores = c.plan.ignores_sigterm
        code = rules.EXIT_SIGKILL if ignores else rules.EXIT_SIGTERM
        self.at(t + (grace if ignores else SIGTERM_EXIT_SECONDS), self._kill_exit, c, c.token, code, restart)

    def _kill_exit(self, c: SimContainer, token: int, code: int, restart: bool) -> None:
        if token != c.token:
            return
        # The kill and the start happen in one sync that decided on the pre-kill snapshot: the newest
        # exited instance it saw is the one before the killed one (k8s-lifecycle 3.5).
        prev = c.exited[-1] if c.exited else None
        self._terminate(c, code, "Error")
        if not restart:
            self.dirty = True
            return
        if prev is None:
            self._relaunch(c)  # no exited instance seen: no back-off entry, the first restart is free
            return
        if self._in_backoff(c, prev):
            self._wait_backoff(c, self.now)
        else:
            self._next_backoff(c, prev)
            self._relaunch(c)


_AGO_CACHE: dict[str, list] = {}


def pod_ip(name: str) -> str:
    h = sum(ord(ch) * (i + 1) for i, ch in enumerate(name))
    return f"10.244.{h % 7}.{h % 250 + 2}"

