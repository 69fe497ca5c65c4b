"""What each container does in a simulation, and the simulator's own assumed latencies.

The user's behaviour (flags or a behaviour file, as a `Behaviour`) on top of what the container's
command says (rules.command_behaviour) becomes one `Plan` per container, which the engine
(model/sim_engine.py) follows. Pure: no files, no command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from kubectl_podlife.behaviour import SIGTERM_CHOICES
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.model import rules
from kubectl_podlife.timefmt import parse_age, parse_go_duration

# --- the simulator's own assumptions (not kubelet constants: typical latencies, stated in the notes) --
STATUS_AT = 0.5  # the kubelet's first status for the pod (containers waiting: ContainerCreating / Init:0/N)
ADMIT_AT = 1.0  # the pod worker's first sync: probe workers created, pulls/starts begin
PULL_SECONDS = 2.0  # a successful image pull
PULL_FAIL_SECONDS = 1.0  # a failed pull (not found / unauthorized come back fast)
IMAGE_BACKOFF_SYNC = 1.0  # after a failed pull, the next sync shows ImagePullBackOff this much later
SIGTERM_EXIT_SECONDS = 0.0  # a process that handles SIGTERM exits at once (143)
DEFAULT_DURATION = 600.0  # --for 10m
EPS = 1e-6  # times are compared with this slack (they are rounded to the microsecond)
PROBE_TYPES = ("liveness", "readiness", "startup")
ALWAYS = 10 ** 9  # image_pull_fails: every pull fails

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
            kw[key] = ALWAYS if v is True else (0 if v is False else int(v))
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
class Plan:
    """What one container will do: probe failure onsets, its exit, OOM, pulls, SIGTERM handling, and the
    assumptions they rest on (shown in the prediction's notes)."""

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


def container_plan(cspec: dict, beh: Behaviour, default_sigterm: str) -> Plan:
    """The plan for one container spec: the user's behaviour where given, else what its command says."""
    cb = rules.command_behaviour(cspec)
    assumed: list[str] = []
    fails: dict = {}
    succeeds: dict = {}
    timeouts: dict = {}
    for ptype in PROBE_TYPES:
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
    return Plan(fails, succeeds, timeouts, exits_after, exit_code if exit_code is not None else 0, beh.oom_at,
                 beh.image_pull_fails or 0,
                 beh.image_present if beh.image_present is not None else policy != "Always",
                 beh.pull_seconds if beh.pull_seconds is not None else PULL_SECONDS,
                 beh.http_status or 500, ignores, why, assumed)


