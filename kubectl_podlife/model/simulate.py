"""The simulator: the kubelet's rules (model/rules.py) run forward in simulated time from a pod spec.

It emits the observations a `kubectl get pods -w` plus events transcript would hold (rows, events
with counts, container states with exit codes) and explains them with `build_timeline`, so a
prediction reads exactly like an explained recording, every transition marked `predicted`. Also
here: what-if edits (`--set`), predicted against observed (`--against`) and a generator of large
synthetic sessions (`--pods N --out FILE`).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import random
import re
import sys
import time as _time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Sequence

from kubectl_podlife.behaviour import BEHAVIOUR_FLAGS, SIGTERM_CHOICES
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.model import rules
from kubectl_podlife.observation import CLOCK_POD, CONTAINER, EVENT, POD, ROW, SPEC, Observation, PodKey
from kubectl_podlife.timefmt import go_duration, human_duration, parse_age, parse_go_duration

# --- the simulator's own assumptions (not kubelet constants: typical latencies, stated in the notes) --
STATUS_AT = 0.5  # the kubelet's first status for the pod (containers waiting: ContainerCreating / Init:0/N)
ADMIT_AT = 1.0  # the pod worker's first sync: probe workers created, pulls/starts begin
PULL_SECONDS = 2.0  # a successful image pull
PULL_FAIL_SECONDS = 1.0  # a failed pull (not found / unauthorized come back fast)
IMAGE_BACKOFF_SYNC = 1.0  # after a failed pull, the next sync shows ImagePullBackOff this much later
SIGTERM_EXIT_SECONDS = 0.0  # a process that handles SIGTERM exits at once (143)
DEFAULT_DURATION = 600.0  # --for 10m
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # absolute clock of a prediction (never shown)
_EPS = 1e-6
_TYPES = ("liveness", "readiness", "startup")
PREDICTED_NOTE = "predicted by simulate"


# --------------------------------------------------------------------------------------------
# Container behaviour: what the process and its probe targets do (flags, a YAML file, the command)

_BEHAVIOUR_KEYS = {
    "liveness_fails_from": "seconds after the container starts from which the liveness probe fails",
    "liveness_succeeds_from": "seconds after start before which the liveness probe fails",
    "liveness_times_out_from": "seconds after start from which the liveness target answers too late",
    "readiness_fails_from": "seconds after start from which the readiness probe fails",
    "readiness_succeeds_from": "seconds after start before which the readiness probe fails",
    "readiness_times_out_from": "seconds after start from which the readiness target answers too late",
    "startup_fails_from": "seconds after start from which the startup probe fails",
    "startup_succeeds_from": "seconds after start before which the startup probe fails",
    "startup_times_out_from": "seconds after start from which the startup target answers too late",
    "exits_after": "the process ends this many seconds after it starts",
    "exit_code": "with this exit code",
    "oom_at": "the kernel OOM-kills the container this many seconds after it starts",
    "image_pull_fails": "true (every pull fails) or a number of failing pulls",
    "image_present": "whether the image is already on the node (IfNotPresent)",
    "pull_seconds": "how long a successful pull takes",
    "http_status": "the status code a failing httpGet probe gets (default 500)",
    "sigterm": "handled | ignored | auto",
}


@dataclass(frozen=True)
class Behaviour:
    """What one container does, as given by the user; None means: infer from the command, else default."""

    liveness_fails_from: float | None = None
    liveness_succeeds_from: float | None = None
    liveness_times_out_from: float | None = None
    readiness_fails_from: float | None = None
    readiness_succeeds_from: float | None = None
    readiness_times_out_from: float | None = None
    startup_fails_from: float | None = None
    startup_succeeds_from: float | None = None
    startup_times_out_from: float | None = None
    exits_after: float | None = None
    exit_code: int | None = None
    oom_at: float | None = None
    image_pull_fails: int | None = None  # number of failing pulls; a large number for "always"
    image_present: bool | None = None
    pull_seconds: float | None = None
    http_status: int | None = None
    sigterm: str | None = None  # handled | ignored | auto

    def merged(self, other: "Behaviour") -> "Behaviour":
        """Self with other's set fields on top."""
        return replace(self, **{k: v for k, v in other.__dict__.items() if v is not None})

    def described(self) -> str:
        return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in self.__dict__.items()
                         if v is not None)


_ALWAYS = 10 ** 9


def parse_duration(text: Any, what: str = "duration") -> float:
    """Seconds from a kubectl/Go duration (`10m`, `1m20s`, `3s`, `1.5s`) or a plain number."""
    if isinstance(text, bool):
        raise PodlifeError(f'{what}: expected a duration like 30s or 10m, got "{text}"')
    if isinstance(text, (int, float)):
        if text < 0:
            raise PodlifeError(f"{what}: a duration cannot be negative ({text})")
        return float(text)
    s = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    v = parse_go_duration(s)
    if v is None:
        try:
            lo, _ = parse_age(s)
            return lo
        except ValueError:
            raise PodlifeError(f'{what}: cannot read "{text}"; expected a duration like 30s, 1m20s or 10m') from None
    return v


def behaviour_from_mapping(d: Any, where: str) -> Behaviour:
    if d is None:
        return Behaviour()
    if not isinstance(d, dict):
        raise PodlifeError(f"{where}: expected a mapping of behaviour keys ({', '.join(_BEHAVIOUR_KEYS)})")
    kw: dict[str, Any] = {}
    for k, v in d.items():
        key = str(k).replace("-", "_")
        if key not in _BEHAVIOUR_KEYS:
            raise PodlifeError(f'{where}: unknown behaviour key "{k}"; known: {", ".join(_BEHAVIOUR_KEYS)}')
        if v is None:
            continue
        if key == "image_pull_fails":
            kw[key] = _ALWAYS if v is True else (0 if v is False else int(v))
        elif key == "image_present":
            kw[key] = bool(v)
        elif key in ("exit_code", "http_status"):
            try:
                kw[key] = int(v)
            except (TypeError, ValueError):
                raise PodlifeError(f'{where}: {k} must be an integer, got "{v}"') from None
        elif key == "sigterm":
            if str(v) not in SIGTERM_CHOICES:
                raise PodlifeError(f'{where}: sigterm must be one of {", ".join(SIGTERM_CHOICES)}, got "{v}"')
            kw[key] = str(v)
        else:
            kw[key] = parse_duration(v, f"{where}: {k}")
    return Behaviour(**kw)


def load_behaviour_file(path: str) -> tuple[dict[str, Behaviour], dict[str, Any]]:
    """`{containers: {NAME: {...}}, sigterm: ..., tick_phase: ...}` -> per-container behaviours, pod options."""
    import yaml

    from kubectl_podlife.ingest.source import read_source

    name, text = read_source(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise PodlifeError(f"{where}: not YAML ({getattr(exc, 'problem', None) or exc}); expected "
                           f"{{containers: {{NAME: {{liveness_fails_from: 3, ...}}}}}}") from None
    if not isinstance(doc, dict):
        raise PodlifeError(f"{name}: expected a mapping like {{containers: {{NAME: {{exits_after: 5}}}}}}")
    extra = {k: v for k, v in doc.items() if k != "containers"}
    for k in extra:
        if k not in ("sigterm", "tick_phase"):
            raise PodlifeError(f'{name}: unknown key "{k}"; expected containers, sigterm or tick_phase')
    cs = doc.get("containers") or {}
    if not isinstance(cs, dict):
        raise PodlifeError(f"{name}: containers must map container names to behaviours")
    out = {str(c): behaviour_from_mapping(b, f"{name}: containers.{c}") for c, b in cs.items()}
    opts: dict[str, Any] = {}
    if "sigterm" in extra:
        if str(extra["sigterm"]) not in SIGTERM_CHOICES:
            raise PodlifeError(f'{name}: sigterm must be one of {", ".join(SIGTERM_CHOICES)}')
        opts["sigterm"] = str(extra["sigterm"])
    if "tick_phase" in extra:
        opts["tick_phase"] = parse_duration(extra["tick_phase"], f"{name}: tick_phase")
    return out, opts


@dataclass(frozen=True)
class SimOptions:
    """Everything besides the spec that decides a prediction."""

    duration: float = DEFAULT_DURATION
    tick_phase: float | None = None  # pod-clock time of the probe workers' first tick (default ADMIT_AT)
    sigterm: str = "auto"  # default for containers whose behaviour does not say
    behaviours: dict = field(default_factory=dict)  # container name -> Behaviour; "" = the first container


# --------------------------------------------------------------------------------------------
# What a container will do: the user's behaviour, else what its command says (rules.command_behaviour)

@dataclass
class _Plan:
    fails_from: dict
    succeeds_from: dict
    times_out_from: dict
    exits_after: float | None
    exit_code: int
    oom_at: float | None
    pull_fails: int
    image_present: bool
    pull_seconds: float
    http_status: int
    ignores_sigterm: bool
    sigterm_why: str
    assumed: list


def _exec_paths(probe: dict | None) -> list[str]:
    cmd = [str(x) for x in (((probe or {}).get("exec") or {}).get("command") or [])]
    return [p for p in cmd[1:] if p.startswith("/")]


_NO_COMMAND = rules.CommandBehaviour(None, {}, {}, None, None, None, "")


def _plan(cspec: dict, beh: Behaviour, default_sigterm: str) -> _Plan:
    cb = rules.command_behaviour(cspec)
    assumed: list[str] = []
    fails: dict = {}
    succeeds: dict = {}
    timeouts: dict = {}
    for ptype in _TYPES:
        probe = cspec.get(f"{ptype}Probe")
        if not isinstance(probe, dict):
            continue
        f = getattr(beh, f"{ptype}_fails_from")
        s = getattr(beh, f"{ptype}_succeeds_from")
        to = getattr(beh, f"{ptype}_times_out_from")
        if to is not None:
            timeouts[ptype] = to
        if f is None and s is None and to is None:
            # The command decides for exec probes on files it creates or removes; else the target is healthy.
            onset, why = rules.probe_failure_onset(probe, cb)
            _, generic = rules.probe_failure_onset(probe, _NO_COMMAND)
            created = [cb.creates[p] for p in _exec_paths(probe) if p in cb.creates and p not in cb.removes]
            if why != generic:
                f = onset
                if onset > 0:
                    assumed.append(f"{ptype} probe fails from {onset:g} s after each start: {why}")
                else:
                    assumed.append(f"{ptype} probe fails from the start: {why}")
            elif created and max(created) > 0:
                s = max(created)
                assumed.append(f"{ptype} probe succeeds from {s:g} s after each start (the command creates the file)")
            else:
                assumed.append(f"{ptype} probe target assumed healthy (nothing says otherwise; "
                               f"use --{ptype}-fails-from)")
        if f is not None:
            fails[ptype] = f
        if s is not None:
            succeeds[ptype] = s
    exits_after, exit_code = beh.exits_after, beh.exit_code
    if exits_after is None and beh.exit_code is None and cb.exits_after is not None:
        exits_after, exit_code = cb.exits_after, cb.exit_code
        assumed.append(f"the command ends by itself after {cb.exits_after:g} s with exit {cb.exit_code}: "
                       f"`{cb.script or '(image default)'}`")
    if exits_after is None and beh.exit_code is not None:
        exits_after = 0.0
    sig = beh.sigterm or default_sigterm
    if sig == "auto":
        if cb.pid1_ignores_sigterm is None:
            ignores, why = False, "unknown whether PID 1 handles SIGTERM: assumed it does (--sigterm ignored to change)"
        else:
            ignores, why = cb.pid1_ignores_sigterm, cb.why_sigterm
    else:
        ignores, why = sig == "ignored", f"--sigterm {sig}"
    policy = rules.image_pull_policy(cspec)
    return _Plan(fails, succeeds, timeouts, exits_after, exit_code if exit_code is not None else 0, beh.oom_at,
                 beh.image_pull_fails or 0,
                 beh.image_present if beh.image_present is not None else policy != "Always",
                 beh.pull_seconds if beh.pull_seconds is not None else PULL_SECONDS,
                 beh.http_status or 500, ignores, why, assumed)


# --------------------------------------------------------------------------------------------
# The engine: one pod, a heap of timed actions, the kubelet's decisions at each

class _Container:
    def __init__(self, name: str, spec: dict, init: bool, sidecar: bool, index: int, plan: _Plan):
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
        self.workers: dict[str, _Worker] = {}
        self.field_path = f"spec.{'initContainers' if init else 'containers'}{{{name}}}"


    @property
    def running(self) -> bool:
        return self.state.get("status") == "running"

    def delay(self) -> float | None:
        return rules.backoff_in_force(self.bo_steps)


class _Worker:
    def __init__(self, c: _Container, ptype: str, probe: dict):
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


class _Sim:
    def __init__(self, name: str, namespace: str | None, spec: dict, options: SimOptions, source: str,
                 created: datetime = EPOCH, uid: str | None = None, node: str = "node-1", ip: str | None = None,
                 aggregate_events: bool = False):
        self.name, self.namespace, self.spec, self.options = name, namespace, spec, options
        self.key = PodKey(name=name, namespace=namespace, uid=uid)
        self.source = source
        self.created = created
        self.uid = uid or "00000000-0000-0000-0000-000000000000"
        self.node = node
        self.ip = ip or _pod_ip(name)
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
        self.app_queue: list[_Container] = []
        self.launching = False
        self.initialized = False
        self.failed_init = False
        beh_all = options.behaviours or {}
        inits = [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
        apps = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
        first = (apps[0].get("name") if apps else None)
        self.inits: list[_Container] = []
        self.apps: list[_Container] = []
        for i, cs in enumerate(inits):
            nm = str(cs.get("name") or f"init-{i}")
            beh = beh_all.get(nm, Behaviour())
            self.inits.append(_Container(nm, cs, True, cs.get("restartPolicy") == "Always", i,
                                         _plan(cs, beh, options.sigterm)))
        for i, cs in enumerate(apps):
            nm = str(cs.get("name") or f"container-{i}")
            beh = beh_all.get(nm, Behaviour())
            if nm == first and "" in beh_all:
                beh = beh_all[""].merged(beh)
            self.apps.append(_Container(nm, cs, False, False, i, _plan(cs, beh, options.sigterm)))
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
        self._event(0.0, "Normal", "Scheduled", f"Successfully assigned {self.namespace or 'default'}/{self.name} "
                                                f"to {self.node}", None, source="default-scheduler")
        self.at(STATUS_AT, self._report)
        self.at(ADMIT_AT, self._admit)
        while self.q:
            t = self.q[0][0]
            if t > self.end + _EPS:
                break
            self.now = t
            while self.q and self.q[0][0] <= t + _EPS:
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

    def _event(self, t: float, etype: str, reason: str, message: str, c: _Container | None,
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

    def _emit_container(self, c: _Container) -> None:
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

    def _mark(self, c: _Container) -> None:
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
                self._event(self.now, "Normal", "Killing", f"Stopping container {c.name}", c)
                grace, _ = rules.grace_for_kill(self.spec, c.spec, None)
                c.busy = True
                code = rules.EXIT_SIGKILL if c.plan.ignores_sigterm else rules.EXIT_SIGTERM
                self.at(self.now + (grace if c.plan.ignores_sigterm else SIGTERM_EXIT_SECONDS), self._stopped, c,
                        c.token, code)

    def _stopped(self, c: _Container, token: int, code: int) -> None:
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
            for ptype in _TYPES:
                probe = c.spec.get(f"{ptype}Probe")
                if isinstance(probe, dict):
                    w = _Worker(c, ptype, probe)
                    c.workers[ptype] = w
                    k = max(0, math.ceil((self.now - self.tick_phase) / w.period - 1e-9))
                    self.at(self.tick_phase + k * w.period, self._tick, w, w.gen, k, self.tick_phase)
        self._advance()

    def _advance(self) -> None:
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

    def _launched(self, c: _Container) -> None:
        if not c.init and self.launching:
            self.launching = False
            self._next_app()

    def _launch(self, c: _Container) -> None:
        c.busy = True
        t = self.now
        p = c.plan
        needs_pull = c.pull_policy == "Always" or (c.pull_policy == "IfNotPresent" and not p.image_present
                                                   and c.pulls == 0)
        if c.pull_policy == "Never" and not p.image_present:
            self._event(t, "Warning", "ErrImageNeverPull",
                        f'Container image "{c.image}" is not present with pull policy of Never', c)
            c.state = {"status": "waiting", "reason": "ErrImageNeverPull",
                       "message": f'Container image "{c.image}" is not present with pull policy of Never'}
            self._mark(c)
            self._launched(c)
            return
        if not needs_pull:
            self._event(t, "Normal", "Pulled", f'Container image "{c.image}" already present on machine', c)
            self._create(c)
            return
        c.pulls += 1
        self._event(t, "Normal", "Pulling", f'Pulling image "{c.image}"', c)
        if c.pull_failures < p.pull_fails:
            self.at(t + PULL_FAIL_SECONDS, self._pull_failed, c)
        else:
            self.at(t + p.pull_seconds, self._pulled, c, p.pull_seconds)

    def _pulled(self, c: _Container, secs: float) -> None:
        d = f"{secs:.3f}".rstrip("0").rstrip(".") + "s"
        self._event(self.now, "Normal", "Pulled", f'Successfully pulled image "{c.image}" in {d} ({d} including '
                                                  f'waiting). Image size: 4269120 bytes.', c)
        c.img_steps = 0
        self._create(c)

    def _pull_failed(self, c: _Container) -> None:
        t = self.now
        c.pull_failures += 1
        ref = c.image if "/" in c.image else f"docker.io/library/{c.image}"
        self._event(t, "Warning", "Failed", f'Failed to pull image "{c.image}": rpc error: code = NotFound desc = '
                                            f'failed to pull and unpack image "{ref}": failed to resolve reference '
                                            f'"{ref}": {ref}: not found', c)
        self._event(t, "Warning", "Failed", "Error: ErrImagePull", c)
        c.state = {"status": "waiting", "reason": "ErrImagePull",
                   "message": f'failed to pull and unpack image "{ref}": not found'}
        self._mark(c)
        # Image pull back-off (kubelet.go imageBackOffPeriod / MaxImageBackOff): Next on each failure.
        c.img_steps += 1
        c.img_update = t
        delay = rules.backoff_delays(c.img_steps, rules.IMAGE_BACKOFF_INITIAL, rules.IMAGE_BACKOFF_MAX)[-1]
        self.at(t + IMAGE_BACKOFF_SYNC, self._image_backoff, c, c.pull_failures)
        self.at(t + delay, self._retry_pull, c, c.pull_failures)
        self._launched(c)

    def _image_backoff(self, c: _Container, n: int) -> None:
        if c.pull_failures != n or c.state.get("reason") != "ErrImagePull":
            return
        self._event(self.now, "Normal", "BackOff", f'Back-off pulling image "{c.image}"', c)
        self._event(self.now, "Warning", "Failed", "Error: ImagePullBackOff", c)
        c.state = {"status": "waiting", "reason": "ImagePullBackOff", "message": f'Back-off pulling image "{c.image}"'}
        self._mark(c)

    def _retry_pull(self, c: _Container, n: int) -> None:
        if c.pull_failures != n or self.phase in ("Succeeded", "Failed"):
            return
        if not c.init and self.launching:
            self.at(self.now + 0.5, self._retry_pull, c, n)  # another container of this sync is starting
            return
        if not c.init:
            self.launching = True
        self._launch(c)

    def _create(self, c: _Container) -> None:
        t = self.now
        if c.instance:
            c.restart_count += 1
            c.last_state = dict(c.state) if c.state.get("status") == "terminated" else c.last_state
        c.instance += 1
        c.busy = False
        c.killing = False
        c.state = {"status": "running", "started_t": t}
        c.started_at = t
        self._wake(c)
        has_startup = "startup" in c.workers
        c.started = not has_startup
        c.ready = c.started and "readiness" not in c.workers
        self._event(t, "Normal", "Created", f"Created container {c.name}", c)
        self._event(t, "Normal", "Started", f"Started container {c.name}", c)
        self._mark(c)
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
            self._trigger_readiness(c)
        self._launched(c)
        if c.sidecar and c.started:
            self._advance()

    # --- exits, kills, restarts -------------------------------------------------------------

    def _terminate(self, c: _Container, code: int, reason: str) -> None:
        t = self.now
        c.state = {"status": "terminated", "reason": reason, "exit_code": code, "started_t": c.started_at,
                   "finished_t": t}
        c.ready = False
        c.started = False
        c.killing = False
        c.exited.append(t)
        c.token += 1
        self._mark(c)
        if not (c.init and not c.sidecar and code == 0):
            self._emit_container(c)  # the exit code and reason, as an API status update shows them

    def _self_exit(self, c: _Container, token: int, code: int, reason: str) -> None:
        if token != c.token or not c.running:
            return
        self._terminate(c, code, reason)
        if reason == "OOMKilled":
            pass  # the OOM itself is only visible in the container state (reason OOMKilled, exit 137)
        # The kubelet notices on its next PLEG relist, then syncs the pod.
        self.at(self.now + rules.PLEG_RELIST_PERIOD, self._after_exit, c, c.token)

    def _restart_wanted(self, c: _Container, code: int | None) -> bool:
        if c.init and not c.sidecar:
            return code != 0 and self.policy != "Never"
        return rules.restart_allowed(self.policy, code, c.sidecar)

    def _after_exit(self, c: _Container, token: int) -> None:
        if token != c.token or self.phase in ("Succeeded", "Failed"):
            return
        code = c.state.get("exit_code")
        if c.init and not c.sidecar and code == 0:
            c.done = True
            self.dirty = True
            self._advance()
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

    def _in_backoff(self, c: _Container, finish: float) -> bool:
        # doBackOff: IsInBackOffSince(newest exited instance's FinishedAt); an entry expires once an
        # instance finished more than 600 s after the entry's last update.
        if c.bo_steps == 0 or c.bo_update is None:
            return False
        if finish - c.bo_update > rules.BACKOFF_RESET:
            return False
        return self.now - finish < (c.delay() or 0.0) - _EPS

    def _next_backoff(self, c: _Container, finish: float) -> None:
        if c.bo_steps == 0 or c.bo_update is None or finish - c.bo_update > rules.BACKOFF_RESET:
            c.bo_steps = 1
        else:
            c.bo_steps += 1
        c.bo_update = self.now

    def _wait_backoff(self, c: _Container, finish: float) -> None:
        delay = c.delay() or rules.BACKOFF_INITIAL
        c.busy = True
        ns = self.namespace or "default"
        self._event(self.now, "Warning", "BackOff", f"Back-off restarting failed container {c.name} in pod "
                                                    f"{self.name}_{ns}({self.uid})", c)
        if c.state.get("status") == "terminated":
            c.last_state = dict(c.state)
        c.state = {"status": "waiting", "reason": "CrashLoopBackOff",
                   "message": f"back-off {go_duration(delay)} restarting failed container={c.name} "
                              f"pod={self.name}_{ns}({self.uid})"}
        self._mark(c)
        # Requeued at the back-off's expiry (k/k#133066); older kubelets retry every 10-15 s.
        self.at(finish + delay, self._retry, c, c.token)

    def _retry(self, c: _Container, token: int) -> None:
        if token != c.token or self.phase in ("Succeeded", "Failed"):
            return
        finish = c.exited[-1]
        if self._in_backoff(c, finish):
            self._wait_backoff(c, finish)
            return
        self._next_backoff(c, finish)
        self._relaunch(c)

    def _relaunch(self, c: _Container) -> None:
        if not c.init and self.launching:
            self.app_queue.append(c)
            c.busy = True
            return
        if not c.init:
            self.launching = True
        self._launch(c)

    def _kill(self, c: _Container, ptype: str) -> None:
        t = self.now
        grace, _ = rules.grace_for_kill(self.spec, c.spec, ptype)
        restart = self._restart_wanted(c, rules.EXIT_SIGKILL)
        self._event(t, "Normal", "Killing", f"Container {c.name} failed {ptype} probe"
                                            + (", will be restarted" if restart else ""), c)
        c.killing = True
        ignores = c.plan.ignores_sigterm
        code = rules.EXIT_SIGKILL if ignores else rules.EXIT_SIGTERM
        self.at(t + (grace if ignores else SIGTERM_EXIT_SECONDS), self._kill_exit, c, c.token, code, restart)

    def _kill_exit(self, c: _Container, token: int, code: int, restart: bool) -> None:
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

    # --- probes -----------------------------------------------------------------------------

    def _tick(self, w: _Worker, gen: int, k: int, base: float) -> None:
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
                      if x is not None and c.started_at + x >= self.now - _EPS]
            if not points:
                w.asleep = (gen, base, k)
                return
            nk = max(nk, math.floor((min(points) - base) / w.period + 1e-9))
        self.at(base + nk * w.period, self._tick, w, gen, nk, base)

    def _wake(self, c: _Container) -> None:
        for w in c.workers.values():
            if w.asleep is not None and not w.stopped:
                gen, base, last = w.asleep
                w.asleep = None
                k = max(last + 1, math.ceil((self.now - base) / w.period - 1e-9))
                self.at(base + k * w.period, self._tick, w, gen, k, base)

    def _trigger_readiness(self, c: _Container) -> None:
        # prober_manager UpdatePodStatus: an immediate readiness run when the container becomes started
        # and has no readiness result yet; the manual run resets that worker's ticker.
        w = c.workers.get("readiness")
        if w is None or w.stopped:
            return
        w.gen += 1
        self._do_probe(w)
        self.at(self.now + w.period, self._tick, w, w.gen, 1, self.now)

    def _do_probe(self, w: _Worker) -> None:
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
        ok = not ((s is not None and elapsed < s - _EPS) or (f is not None and elapsed > f + _EPS))
        self._result(w, c.instance, ok, "" if ok else self._failure_output(w, False))

    def _failure_output(self, w: _Worker, timeout: bool) -> str:
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
            port = _port(c.spec, h.get("port"))
            url = f"{str(h.get('scheme') or 'HTTP').lower()}://{h.get('host') or self.ip}:{port}{h.get('path') or '/'}"
            if timeout:
                return f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            return f"HTTP probe failed with statuscode: {c.plan.http_status}"
        if handler == "tcpSocket":
            h = probe.get("tcpSocket") or {}
            port = _port(c.spec, h.get("port"))
            return f"dial tcp {h.get('host') or self.ip}:{port}: " + ("i/o timeout" if timeout else
                                                                      "connect: connection refused")
        if handler == "grpc":
            if timeout:
                return f"timeout: health rpc did not complete within {w.timeout:g}s"
            return 'service unhealthy (responded with "NOT_SERVING")'
        return "probe failed"

    def _result(self, w: _Worker, cid: int, ok: bool, output: str) -> None:
        c = w.c
        if c.instance != cid or not c.running or w.stopped:
            return
        if not ok:
            self._event(self.now, "Warning", "Unhealthy",
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
                self._mark(c)
            return
        if w.ptype == "startup":
            if ok:
                c.started = True
                if "readiness" not in c.workers:
                    c.ready = True
                self._mark(c)
                self._trigger_readiness(c)
                if c.sidecar:
                    self._advance()
                return
        if not ok:  # liveness or startup failure: on hold until a new container, and the kubelet kills
            w.on_hold, w.run = True, 0
            self._kill(c, w.ptype)


_AGO_CACHE: dict[str, list] = {}


def _port(cspec: dict, port: Any) -> Any:
    """A named port resolved through the container's ports (probes may name them)."""
    if isinstance(port, str) and not port.isdigit():
        for p in cspec.get("ports") or []:
            if isinstance(p, dict) and p.get("name") == port:
                return p.get("containerPort", port)
    return port


def _pod_ip(name: str) -> str:
    h = sum(ord(ch) * (i + 1) for i, ch in enumerate(name))
    return f"10.244.{h % 7}.{h % 250 + 2}"


# --------------------------------------------------------------------------------------------
# Public entry points: observations, the predicted timeline

def simulate_observations(name: str, spec: dict, options: SimOptions | None = None, *, namespace: str | None = None,
                          source: str = "simulated", created: datetime = EPOCH, uid: str | None = None
                          ) -> list[Observation]:
    """The observations a `get pods -w` + events transcript of this pod would hold, as predicted."""
    options = options or SimOptions()
    sim = _Sim(name, namespace, spec, options, source, created=created, uid=uid)
    spec_obs = Observation(kind=SPEC, pod=sim.key, origin=f"{source}:0", raw=f"(spec of {name})",
                           data={"spec": spec, "source": "manifest", "object_kind": "Pod", "object_name": name},
                           clock="none", seq=-1)
    return [spec_obs] + sim.run()


def assumptions(spec: dict, options: SimOptions) -> list[str]:
    """The assumptions a prediction rests on, one line each (shown as the pod's notes)."""
    sim = _Sim("x", None, spec, options, "x")
    out = [f"{PREDICTED_NOTE}: the kubelet's rules run forward for {human_duration(options.duration)}; "
           f"every transition is a prediction, not an observation",
           f"probe ticks at {sim.tick_phase:g} s + k x periodSeconds (the workers' phase is fixed at pod admission; "
           f"the real phase is unknown within one period, set --tick-phase to match a recording)",
           f"pod admitted at {ADMIT_AT:g} s; a pull takes {PULL_SECONDS:g} s; an exit is noticed within "
           f"{rules.PLEG_RELIST_PERIOD:g} s (PLEG); a back-off restart happens at its expiry (older kubelets add "
           f"a 10-15 s pod-worker requeue)"]
    for c in sim.all:
        p = c.plan
        bits = list(p.assumed)
        if c.workers or any(isinstance(c.spec.get(f"{t}Probe"), dict) for t in ("liveness", "startup")):
            bits.append(("SIGTERM ignored: a kill takes the full grace period, exit 137" if p.ignores_sigterm
                         else "SIGTERM handled: a kill ends at once, exit 143") + f" ({p.sigterm_why})")
        if p.pull_fails:
            bits.append("every image pull fails" if p.pull_fails >= _ALWAYS else f"the first {p.pull_fails} pulls fail")
        if p.oom_at is not None:
            bits.append(f"OOM-killed {p.oom_at:g} s after each start")
        beh = options.behaviours.get(c.name)
        if sim.apps and c is sim.apps[0] and "" in options.behaviours:
            beh = options.behaviours[""].merged(beh or Behaviour())
        if beh is not None and beh.described():
            bits.insert(0, f"given: {beh.described()}")
        if bits:
            out.append(f"container {c.name}: " + "; ".join(bits))
    return out


def predict(name: str, spec: dict, options: SimOptions | None = None, *, namespace: str | None = None,
            source: str = "simulated"):
    """The predicted Timeline for one pod: simulate, explain with build_timeline, mark it predicted."""
    from kubectl_podlife.model import build_timeline

    options = options or SimOptions()
    obs = simulate_observations(name, spec, options, namespace=namespace, source=source)
    timeline = build_timeline(obs)
    notes = assumptions(spec, options)
    return mark_predicted(timeline, notes)


def mark_predicted(timeline, notes: Sequence[str] = ()):
    pods = []
    for p in timeline.pods:
        trs = tuple(replace(t, confidence="predicted", time=None) for t in p.transitions)
        diag = replace(p.diagnosis, confidence="predicted")
        pnotes = tuple(notes) or (PREDICTED_NOTE,)
        pods.append(replace(p, transitions=trs, diagnosis=diag, created_time=None,
                            notes=pnotes + tuple(n for n in p.notes if not n.startswith("creation time"))))
    return replace(timeline, pods=tuple(pods))


# --------------------------------------------------------------------------------------------
# Manifests: the file the user gives, and what-if edits of its spec

@dataclass(frozen=True)
class PodManifest:
    name: str
    namespace: str | None
    spec: dict
    kind: str  # Pod, or the controller whose pod template this is
    line: int  # 1-based line of the manifest in its file


def load_manifests(path: str) -> list[PodManifest]:
    """The Pods (or controllers' pod templates) in a manifest file, a transcript or stdin (`-`).

    Raises a one-line PodlifeError naming the file when it is missing, not YAML, or holds no Pod.
    """
    from kubectl_podlife.ingest.manifest import looks_like_manifest_start, parse_manifest_text, scan_manifest
    from kubectl_podlife.ingest.source import read_source

    name, text = read_source(path)
    docs = [(d, d.line) for d in parse_manifest_text(text).docs]
    if not any(_usable(d) for d, _ in docs):
        lines = text.splitlines()
        i = 0
        docs = []
        while i < len(lines):
            if looks_like_manifest_start(lines[i]):
                scan = scan_manifest(lines, i)
                if scan is not None:
                    docs.extend((d, d.line) for d in scan.docs)
                    i = max(scan.end, i + 1)
                    continue
            i += 1
    pods = [PodManifest(d.name or f"pod-{n + 1}", d.namespace, d.spec, d.kind or "Pod", line + 1)
            for n, (d, line) in enumerate(docs) if _usable(d) and (d.kind or "Pod") == "Pod"]
    if not pods:  # a Deployment, StatefulSet, Job ...: simulate its pod template
        pods = [PodManifest(f"{d.name or 'pod'}-sim", d.namespace, d.spec, d.kind, line + 1)
                for d, line in docs if _usable(d)]
    if pods:
        seen: dict[tuple, PodManifest] = {}
        for p in pods:  # a name defined twice (an edited manifest re-applied): the first one
            seen.setdefault((p.namespace, p.name), p)
        return list(seen.values())
    import yaml

    try:
        found = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise PodlifeError(f"{where}: not a YAML manifest ({getattr(exc, 'problem', None) or 'cannot parse'}); "
                           f"expected a Pod (kind: Pod with spec.containers)") from None
    kinds = sorted({str(d.get("kind")) for d in found if isinstance(d, dict) and d.get("apiVersion")
                    and d.get("kind")})
    seen_kinds = f" (found kind {', '.join(kinds)})" if kinds else ""
    raise PodlifeError(f"{name}: no Pod manifest in it{seen_kinds}; expected kind: Pod with spec.containers")


def _usable(d) -> bool:
    return not d.fragment and bool(d.spec.get("containers")) and isinstance(d.spec.get("containers"), list)


_SET_SEGMENT = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(?:\[([^\]]+)\])?$")


def apply_set(spec: dict, assignment: str) -> dict:
    """A copy of `spec` with one `PATH=VALUE` applied (kubectl-style path, YAML scalar value).

    PATH follows the PodSpec: `containers[0].livenessProbe.failureThreshold`, `initContainers[init]`
    (an index or a name), `restartPolicy`, `terminationGracePeriodSeconds`. An unknown path is a
    one-line PodlifeError naming it.
    """
    import copy

    import yaml

    from kubectl_podlife.ingest.manifest import _SCHEMA  # the one Pod schema the manifest reader uses

    if "=" not in assignment:
        raise PodlifeError(f'--set {assignment}: expected PATH=VALUE, e.g. containers[0].livenessProbe.'
                           f'failureThreshold=5')
    path, raw_value = assignment.split("=", 1)
    path = path.strip()
    if path.startswith("spec."):
        path = path[5:]
    try:
        value = yaml.safe_load(raw_value) if raw_value.strip() else ""
    except yaml.YAMLError:
        value = raw_value
    out = copy.deepcopy(spec)
    node: Any = out
    type_name = "PodSpec"
    segments = path.split(".")
    done = ""
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        m = _SET_SEGMENT.match(seg)
        here = f"{done}.{seg}" if done else seg
        if not m:
            raise PodlifeError(f"--set {path}: cannot read path segment \"{seg}\"; expected name or name[index]")
        key, index = m.group(1), m.group(2)
        fields = _SCHEMA.get(type_name)
        ftype = fields.get(key) if fields is not None else "any"
        if fields is not None and ftype is None:
            raise PodlifeError(f"--set {path}: unknown field \"{here}\" ({type_name} has no field {key})")
        if ftype.startswith("list:"):
            if index is None:
                if last:
                    node[key] = value
                    return out
                raise PodlifeError(f"--set {path}: \"{here}\" is a list; say which item, e.g. {key}[0]")
            items = node.get(key)
            if not isinstance(items, list) or not items:
                raise PodlifeError(f"--set {path}: the spec has no {key}")
            item = None
            if index.lstrip("-").isdigit():
                k = int(index)
                if not -len(items) <= k < len(items):
                    raise PodlifeError(f"--set {path}: {key}[{k}] does not exist (the spec has {len(items)} "
                                       f"{key})")
                item = items[k]
            else:
                item = next((x for x in items if isinstance(x, dict) and x.get("name") == index), None)
                if item is None:
                    names = ", ".join(str(x.get("name")) for x in items if isinstance(x, dict))
                    raise PodlifeError(f"--set {path}: no {key} named \"{index}\" (there are: {names})")
            if last:
                raise PodlifeError(f"--set {path}: \"{here}\" is a whole {key} item; set one of its fields")
            node = item
            type_name = ftype.split(":", 1)[1]
        elif index is not None:
            raise PodlifeError(f"--set {path}: \"{key}\" is not a list, so [{index}] does not apply")
        elif ftype.startswith("map:") or ftype in ("free", "any"):
            if last:
                node[key] = value
                return out
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
            type_name = ftype.split(":", 1)[1] if ftype.startswith("map:") else "*"
        else:
            if not last:
                raise PodlifeError(f"--set {path}: \"{here}\" is a {ftype} value, it has no field "
                                   f"{segments[i + 1]}")
            if ftype == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
                raise PodlifeError(f"--set {path}: expected an integer, got \"{raw_value}\"")
            node[key] = value
            return out
        done = here
    return out


# --------------------------------------------------------------------------------------------
# Predicted against observed

@dataclass(frozen=True)
class Difference:
    kind: str
    container: str | None
    index: int
    predicted: float | None
    observed: float | None
    delta: float | None  # observed - predicted
    step: float | None  # the part of delta that is new since the previous one of its kind
    tolerance: float
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "container": self.container, "index": self.index, "predicted_t": self.predicted,
                "observed_t": self.observed, "delta": self.delta, "step": self.step, "tolerance": self.tolerance,
                "reason": self.reason}

    def sentence(self) -> str:
        what = f"{self.kind} {self.index}" + (f" of {self.container}" if self.container else "")
        if self.observed is None:
            return f"{what}: predicted at {_clock(self.predicted)}, not observed: {self.reason}"
        if self.predicted is None:
            return f"{what}: observed at {_clock(self.observed)}, not predicted: {self.reason}"
        d = self.step if self.step is not None else self.delta
        when = f"{abs(d):g} s {'later' if d > 0 else 'earlier'} than predicted"
        total = "" if self.step is None or abs(self.step - self.delta) < 0.5 else \
            f" ({self.delta:+g} s in all)"
        return (f"{what} came {when}{total} (predicted {_clock(self.predicted)}, observed {_clock(self.observed)}, "
                f"tolerance ±{self.tolerance:g} s): {self.reason}")


def _clock(t: float | None) -> str:
    from kubectl_podlife.timefmt import clock

    return clock(t)


_COMPARED = ("restart", "back-off", "ready", "not-ready")


def _series(pod, kind: str, single: str | None) -> dict[str | None, list]:
    out: dict[str | None, list] = {}
    for t in pod.transitions:
        if t.kind != kind or t.t is None:
            continue
        c = t.container or single
        out.setdefault(c, []).append(t)
    for v in out.values():
        v.sort(key=lambda x: (x.restart_count or 0, x.t) if kind == "restart" else x.t)
    return out


def _has_probe(spec: dict, container: str | None, ptype: str) -> bool:
    return any(isinstance(c, dict) and (container is None or c.get("name") == container)
               and isinstance(c.get(f"{ptype}Probe"), dict)
               for c in (spec.get("containers") or []) + (spec.get("initContainers") or []))


def _tolerance(spec: dict, container: str | None, kind: str) -> tuple[float, str]:
    """±(one probe period + 2 s): the tick phase is unknown within a period, plus timing slack."""
    cspec = next((c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                  if isinstance(c, dict) and c.get("name") == container), None)
    types = ("readiness",) if kind in ("ready", "not-ready") else ("liveness", "startup")
    periods = [rules.probe_settings(cspec.get(f"{p}Probe"))["periodSeconds"] for p in types
               if cspec and isinstance(cspec.get(f"{p}Probe"), dict)]
    if periods:
        return float(max(periods)) + 2.0, f"one probe period ({max(periods)} s) + 2 s"
    return 2.0, "2 s"


def compare(predicted, observed, spec: dict, options: SimOptions, observed_end: float | None = None
            ) -> list[Difference]:
    """Pair the predicted pod's restarts, back-offs and readiness changes with the observed ones (same
    kind and container, in order) and say where reality differs beyond the rule's tolerance, and why."""
    names = [c.get("name") for c in spec.get("containers") or [] if isinstance(c, dict)]
    single = names[0] if len(names) == 1 else None
    end = observed_end if observed_end is not None else max([t.t for t in observed.transitions if t.t is not None]
                                                             or [0.0])
    pend = max([t.t for t in predicted.transitions if t.t is not None] or [0.0])
    out: list[Difference] = []
    for kind in _COMPARED:
        ps, os_ = _series(predicted, kind, single), _series(observed, kind, single)
        for c in dict.fromkeys(list(ps) + list(os_)):
            if kind in ("ready", "not-ready") and not _has_probe(spec, c, "readiness"):
                continue  # READY follows the restarts there; nothing of its own to compare
            tol, _ = _tolerance(spec, c, kind)
            pl, ol = ps.get(c, []), os_.get(c, [])
            prev_delta = None
            for i in range(max(len(pl), len(ol))):
                p = pl[i] if i < len(pl) else None
                o = ol[i] if i < len(ol) else None
                if p is not None and o is not None:
                    lo, hi = _interval(o, observed)
                    # The observed time is an interval (AGE precision, a restart only bounded by the row
                    # that first showed it): the difference is to its nearest edge.
                    delta = 0.0 if lo <= p.t <= hi else round((lo if p.t < lo else hi) - p.t, 3)
                    step = None if prev_delta is None else round(delta - prev_delta, 3)
                    prev_delta = delta
                    new = delta if step is None else step
                    if abs(new) > tol:
                        out.append(Difference(kind, c, i + 1, p.t, o.t, delta, step, tol,
                                              _why(kind, c, i, p, o, new, predicted, observed, spec, options)))
                elif p is not None:
                    if p.t + tol < end:  # the recording went on long enough to have shown it
                        out.append(Difference(kind, c, i + 1, p.t, None, None, None, tol,
                                              f"the recording goes on to {_clock(end)} without it"))
                elif o is not None and o.t > 0 and o.t - tol <= pend + tol:
                    out.append(Difference(kind, c, i + 1, None, o.t, None, None, tol,
                                          _why_extra(kind, c, o, predicted, observed, spec, options)))
    out.sort(key=lambda d: (d.observed if d.observed is not None else d.predicted or 0.0))
    return out


def _interval(o, pod) -> tuple[float, float]:
    """Where an observed transition can lie: from its t to the end of its t_range (a coarse AGE like `10m`
    stands for [600, 660)); a restart with no range was only seen by a later row, so at or before t."""
    if o.t_range:
        return float(o.t), max(float(o.t), float(o.t_range[1]))
    same = [x.t_range for x in pod.transitions if x.t_range and x is not o and
            {e.origin for e in x.evidence} & {e.origin for e in o.evidence}]
    hi = max([r[1] for r in same] + [o.t])
    return (-math.inf if o.kind == "restart" else o.t), hi


def _before(pod, kind: str, c: str | None, t: float, single: str | None, after: float = -1.0) -> list:
    return [x for x in pod.transitions if x.kind == kind and x.t is not None and after < x.t <= t + 0.5
            and (x.container or single) == c]


def _pull_seconds(tr) -> float | None:
    m = re.search(r" in ([\d.]+(?:ms|s|m\d*s?))", " ".join(e.text for e in tr.evidence))
    if not m:
        return None
    return parse_go_duration(m.group(1))


def _why(kind: str, c: str | None, i: int, p, o, new: float, predicted, observed, spec: dict,
         options: SimOptions) -> str:
    names = [x.get("name") for x in spec.get("containers") or [] if isinstance(x, dict)]
    single = names[0] if len(names) == 1 else None
    cspec = next((x for x in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                  if isinstance(x, dict) and x.get("name") == c), {}) or {}
    reasons: list[str] = []
    prev_o = [x for x in _series(observed, kind, single).get(c, []) if x.t is not None and x.t < o.t - 0.5]
    prev_p = [x for x in _series(predicted, kind, single).get(c, []) if x.t is not None and x.t < p.t - 0.5]
    o_from = prev_o[-1].t if prev_o else -1.0
    p_from = prev_p[-1].t if prev_p else -1.0
    if kind == "restart":
        # 1. The kill took the full grace period (SIGTERM ignored) or none of it (handled).
        okill = _before(observed, "killing", c, o.t, single, o_from)
        pkill = _before(predicted, "killing", c, p.t, single, p_from)
        grace, which = rules.grace_for_kill(spec, cspec, "liveness")
        sim = _Sim("x", None, spec, options, "x")
        plan = next((x.plan for x in sim.all if x.name == c), None)
        if okill and pkill and o.t_range:
            o_stop = o.t - okill[-1].t
            p_stop = p.t - pkill[-1].t
            if plan is not None and not plan.ignores_sigterm and abs(o_stop - grace) <= 3 and p_stop < grace - 3:
                reasons.append(f"the observed kill took the full grace period ({grace} s, {which}): the process "
                               f"ignored SIGTERM (simulate assumed it handles it; try --sigterm ignored)")
            elif plan is not None and plan.ignores_sigterm and o_stop < grace - 3 and abs(p_stop - grace) <= 3:
                reasons.append(f"the observed restart followed the Killing event after {o_stop:g} s, not the "
                               f"{grace} s grace period: the process handled SIGTERM (try --sigterm handled)")
            elif abs((okill[-1].t - o_from) - (pkill[-1].t - p_from)) > 2:
                reasons.append(f"the kill itself came {okill[-1].t - o_from - (pkill[-1].t - p_from):+g} s off the "
                               f"predicted cycle: the probe target failed at another time than assumed (set "
                               f"--liveness-fails-from) or the probe tick phase differs (--tick-phase)")
        elif plan is not None and abs(abs(new) - grace) <= 3:
            if new > 0 and not plan.ignores_sigterm:
                reasons.append(f"about one grace period ({grace} s) longer: the process probably ignored SIGTERM, so "
                               f"each kill waited for SIGKILL (try --sigterm ignored)")
            elif new < 0 and plan.ignores_sigterm:
                reasons.append(f"about one grace period ({grace} s) shorter: the process probably handled SIGTERM "
                               f"(try --sigterm handled)")
        # 2. Image pulls before the start: more of them, or slower, than predicted.
        opulls = _before(observed, "pulling", c, o.t, single, o_from)
        ppulls = _before(predicted, "pulling", c, p.t, single, p_from)
        if opulls and new > 0:
            policy = rules.image_pull_policy(cspec)
            why_policy = ("an untagged (or :latest) image defaults to imagePullPolicy Always"
                          if not cspec.get("imagePullPolicy") and policy == "Always" else
                          f"imagePullPolicy {policy}")
            took = [s for s in (_pull_seconds(x) for x in _before(observed, "pulled", c, o.t, single, o_from))
                    if s is not None]
            if len(opulls) > len(ppulls):
                reasons.append(f"the image was pulled again, since {why_policy}"
                               + (f" (the pull took {took[-1]:g} s)" if took else ""))
            elif took and took[-1] > PULL_SECONDS + 1:
                reasons.append(f"the image pull took {took[-1]:g} s (simulate assumed {PULL_SECONDS:g} s); "
                               f"{why_policy} pulls on every start")
    # 3. A start after a back-off waits for the pod worker's requeue on older kubelets.
    pback = _before(predicted, "back-off", c, p.t, single, p_from)
    oback = _before(observed, "back-off", c, o.t, single, o_from)
    if (pback or oback) and 0 < new <= rules.POD_WORKER_REQUEUE[1] + 3:
        reasons.append("after a back-off the pod worker's 10-15 s requeue: older kubelets retry a backed-off "
                       "container on their 10 s (+50% jitter) resync, not at the back-off's expiry (k/k#133066)")
    if kind in ("ready", "not-ready") and not reasons:
        reasons.append("the readiness target answered at another time than assumed (set --readiness-succeeds-from "
                       "or --readiness-fails-from)")
    if not reasons:
        reasons.append("no reason found in the input: the probe target may fail at another time than assumed, or "
                       "the recording missed events")
    return "; ".join(reasons)


def _why_extra(kind, c, o, predicted, observed, spec, options) -> str:
    if kind == "restart":
        return ("the prediction has no such restart: the container failed in a way the assumed behaviour does not "
                "have (set --liveness-fails-from, --exits-after or --oom-at)")
    if kind == "back-off":
        return "the prediction never backs off here: restarts came closer together than predicted"
    return "the prediction has no such readiness change"


# --------------------------------------------------------------------------------------------
# The generator: large realistic sessions (a mix of the seed scenarios) for tests and benchmarks

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
            {"app": Behaviour(image_pull_fails=_ALWAYS)}

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
        sim = _Sim(name, "default", spec, opts, "generated", created=created, uid=uid)
        obs = sim.run()
        if fmt == "jsonl":
            obs.insert(0, Observation(kind=SPEC, pod=sim.key, origin="generated:0", raw=f"(spec of {name})",
                                      data={"spec": spec, "source": "manifest", "object_kind": "Pod",
                                            "object_name": name}, clock="none"))
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


# --------------------------------------------------------------------------------------------
# The command line: `kubectl podlife simulate`





def options_from_args(args: argparse.Namespace, containers: Sequence[str] = ()) -> SimOptions:
    behaviours: dict[str, Behaviour] = {}
    sigterm = "auto"
    tick = None
    if getattr(args, "behaviour", None):
        behaviours, extra = load_behaviour_file(args.behaviour)
        sigterm = extra.get("sigterm", sigterm)
        tick = extra.get("tick_phase")
    flags: dict[str, Any] = {}
    for flag, _ in BEHAVIOUR_FLAGS:
        v = getattr(args, flag.replace("-", "_"), None)
        if v is not None:
            flags[flag.replace("-", "_")] = parse_duration(v, f"--{flag}")
    if getattr(args, "exit_code", None) is not None:
        flags["exit_code"] = args.exit_code
    if getattr(args, "image_pull_fails", False):
        flags["image_pull_fails"] = _ALWAYS
    if flags:
        target = args.container or ""
        if args.container and containers and args.container not in containers:
            raise PodlifeError(f'--container {args.container}: no such container (there are: {", ".join(containers)})')
        behaviours[target] = behaviours.get(target, Behaviour()).merged(Behaviour(**flags))
    elif getattr(args, "container", None) and containers and args.container not in containers:
        raise PodlifeError(f'--container {args.container}: no such container (there are: {", ".join(containers)})')
    if args.sigterm:
        sigterm = args.sigterm
    if getattr(args, "tick_phase", None) is not None:
        tick = parse_duration(args.tick_phase, "--tick-phase")
    duration = parse_duration(args.duration, "--for") if args.duration else DEFAULT_DURATION
    if duration <= 0:
        raise PodlifeError("--for: give a positive duration like 10m")
    if duration > 7 * 86400:
        raise PodlifeError(f"--for {args.duration}: at most 7 days can be simulated")
    return SimOptions(duration=duration, tick_phase=tick, sigterm=sigterm, behaviours=behaviours)


def run_simulate(args: argparse.Namespace) -> int:
    if args.pods is not None:
        if not args.out:
            raise PodlifeError("--pods needs --out FILE (- for stdout)")
        res = generate(args.pods, args.out, args.format, args.seed)
        rate = res.observations / res.seconds if res.seconds > 0 else float("inf")
        print(f"wrote {res.observations} observations of {res.pods} pods to {res.path} ({res.fmt}, {res.lines} lines) "
              f"in {res.seconds:.2f} s ({rate:,.0f} observations/s)", file=sys.stderr if args.out == "-" else sys.stdout)
        return 0
    if not args.manifest:
        raise PodlifeError("nothing to simulate: give a Pod manifest (POD.yaml), or --pods N --out FILE to generate")
    manifests = load_manifests(args.manifest)
    if args.pod:
        manifests = [m for m in manifests if args.pod in (m.name, f"{m.namespace}/{m.name}")]
        if not manifests:
            names = ", ".join(m.name for m in load_manifests(args.manifest))
            raise PodlifeError(f'{args.manifest}: no Pod "{args.pod}" in it (there are: {names})')
    observed = None
    observed_end = None
    if args.against or args.session:
        observed = _observed_timeline(args)
    predicted_pods = []
    specs = {}
    opts_by_pod = {}
    for m in manifests:
        spec = m.spec
        for s in args.sets:
            spec = apply_set(spec, s)
        names = [c.get("name") for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                 if isinstance(c, dict)]
        options = options_from_args(args, names)
        if observed is not None and args.duration is None:  # as long as the recording, and a minute more
            o = _pick_observed(observed, m.name, m.namespace)
            options = replace(options, duration=max(60.0, math.ceil(o.end) + 60.0))
        tl = predict(m.name, spec, options, namespace=m.namespace, source=f"simulate({os.path.basename(args.manifest)})")
        if args.sets:
            tl = replace(tl, pods=tuple(replace(p, notes=p.notes + (f"what-if: {', '.join(args.sets)}",))
                                        for p in tl.pods))
        predicted_pods.extend(tl.pods)
        specs[m.name] = spec
        opts_by_pod[m.name] = options
    from kubectl_podlife.model.timeline import Timeline

    timeline = Timeline(pods=tuple(predicted_pods))
    if observed is not None:
        return _print_comparison(args, timeline, observed, specs, opts_by_pod, observed_end)
    if args.tui:
        try:
            from kubectl_podlife.tui.app import run_tui
        except Exception as exc:  # noqa: BLE001 - the TUI is optional here; say so in one line
            raise PodlifeError(f"the TUI is not available ({type(exc).__name__}: {exc}); use -o text|markdown|json"
                               ) from None
        return run_tui(timeline=timeline)
    _print_timeline(timeline, args.output)
    return 0


def _print_timeline(timeline, output: str) -> None:
    from kubectl_podlife import render

    if output == "json":
        print(json.dumps(timeline.to_json(), indent=2, ensure_ascii=False))
    elif output == "markdown":
        print(render.markdown(timeline), end="")
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(render.text(timeline, color=color), end="")


def _observed_timeline(args: argparse.Namespace):
    from kubectl_podlife import pipeline

    if args.against and args.session:
        raise PodlifeError("give either --against FILE... or --session ID, not both")
    if args.session:
        from kubectl_podlife.store import Store

        with Store() as store:
            return pipeline.timeline_for_session(store, store.resolve(args.session))
    timeline, result = pipeline.timeline_for_files(args.against)
    for w in list(result.warnings)[:5]:
        print(f"warning: {w}", file=sys.stderr)
    return timeline


def _pick_observed(observed, name: str, namespace: str | None):
    pods = [p for p in observed.pods if p.name == name and (namespace is None or p.namespace in (None, namespace))]
    if not pods and len(observed.pods) == 1:
        pods = list(observed.pods)
    if not pods:
        names = ", ".join(p.display for p in observed.pods[:10]) or "none"
        raise PodlifeError(f'the recording has no pod "{name}" to compare with (pods seen: {names})')
    return pods[0]


def _print_comparison(args, timeline, observed, specs: dict, opts_by_pod: dict, observed_end) -> int:
    from kubectl_podlife.timefmt import clock

    results = []
    for p in timeline.pods:
        o = _pick_observed(observed, p.name, p.namespace)
        diffs = compare(p, o, specs[p.name], opts_by_pod[p.name], o.end)
        results.append((p, o, diffs))
    if args.output == "json":
        doc = {"predicted": timeline.to_json(),
               "observed": {"pods": [o.to_json() for _, o, _ in results], "warnings": list(observed.warnings)},
               "differences": [dict(d.to_json(), pod=p.name) for p, _, ds in results for d in ds]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    out: list[str] = []
    for p, o, diffs in results:
        names = [c.get("name") for c in specs[p.name].get("containers") or [] if isinstance(c, dict)]
        single = names[0] if len(names) == 1 else None
        out.append(f"Pod {p.display}: predicted {p.final_status or '?'} with {p.restarts} restarts by "
                   f"{clock(p.end)}; observed {o.final_status or '?'} with {o.restarts} restarts by {clock(o.end)}")
        out.append(f"  Predicted: {p.diagnosis.summary}")
        out.append(f"  Observed:  {o.diagnosis.summary}")
        out.append("")
        out.append(f"  {'kind':<10} {'#':>3} {'container':<24} {'predicted':>9} {'observed':>9} {'diff':>7}")
        for kind in _COMPARED:
            ps, os_ = _series(p, kind, single), _series(o, kind, single)
            for c in dict.fromkeys(list(ps) + list(os_)):
                if kind in ("ready", "not-ready") and not _has_probe(specs[p.name], c, "readiness"):
                    continue
                pl, ol = ps.get(c, []), os_.get(c, [])
                for i in range(max(len(pl), len(ol))):
                    pt = pl[i].t if i < len(pl) else None
                    ot = ol[i].t if i < len(ol) else None
                    diff = f"{ot - pt:+.0f}s" if pt is not None and ot is not None else ""
                    out.append(f"  {kind:<10} {i + 1:>3} {str(c or '-'):<24} {clock(pt) if pt is not None else '-':>9} "
                               f"{clock(ot) if ot is not None else '-':>9} {diff:>7}")
        out.append("")
        if diffs:
            out.append(f"  Differences beyond the rule's tolerance:")
            for d in diffs:
                out.append(f"  - {d.sentence()}")
        else:
            out.append("  No difference beyond the rule's tolerance (± one probe period + 2 s).")
        out.append("")
    print("\n".join(out).rstrip() + "\n", end="")
    return 0
