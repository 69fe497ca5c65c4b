"""The kubelet's and kubectl's rules as data: constants with where Kubernetes defines them.

The explainer and the simulator both read this module; one rule, one place. See
../shared/k8s-lifecycle.md for the long form of each rule.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass

# --- probes: k8s.io/api core/v1 Probe; SetDefaults_Probe (pkg/apis/core/v1/defaults.go) ---------
PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                  "failureThreshold": 3}
MAX_PROBE_RETRIES = 3  # prober.go maxProbeRetries (errors only, not failures)
HTTP_SUCCESS = range(200, 400)  # pkg/probe/http: 200-399

# --- termination: core/v1 PodSpec; kuberuntime_container.go ------------------------------------
DEFAULT_GRACE_SECONDS = 30  # PodSpec.terminationGracePeriodSeconds default
MIN_GRACE_AFTER_PRESTOP = 2  # kuberuntime minimumGracePeriodInSeconds
EXIT_SIGKILL = 137  # 128 + 9
EXIT_SIGTERM = 143  # 128 + 15
EXIT_START_ERROR = 128  # containerd StartError

# --- crash-loop back-off: pkg/kubelet/kubelet.go newCrashLoopBackOff; kuberuntime doBackOff ----
BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0  # HasExpiredFunc: an instance that ran > 10 min resets the entry
# Feature-gated variants, named in explanations when assumed (KEP-4603 / KEP-5593).
BACKOFF_REDUCED = (1.0, 60.0)  # ReduceDefaultCrashLoopBackOffDecay (alpha 1.33)
POD_WORKER_REQUEUE = (10.0, 15.0)  # kubelet backOffPeriod 10 s with jitter 0.5 (pod_workers.go)

# --- images: kubelet.go imageBackOffPeriod / MaxImageBackOff -----------------------------------
IMAGE_BACKOFF_INITIAL = 10.0
IMAGE_BACKOFF_MAX = 300.0

# --- kubelet loop: pkg/kubelet/kubelet.go plegRelistPeriod ----------------------------------------
PLEG_RELIST_PERIOD = 1.0  # the kubelet notices a container that exited on its own within this long

# --- events: kube-apiserver --event-ttl; client-go events_cache.go ------------------------------
EVENT_TTL_SECONDS = 3600
EVENT_SPAM_BURST = 25


def backoff_delays(n: int, initial: float = BACKOFF_INITIAL, cap: float = BACKOFF_MAX) -> list[float]:
    """The first n entries of the doubling sequence: 10, 20, 40, 80, 160, 300, 300 ..."""
    out, d = [], initial
    for _ in range(n):
        out.append(min(d, cap))
        d *= 2
    return out


def backoff_in_force(doubling_steps: int) -> float | None:
    """The delay after `doubling_steps` calls of Backoff.Next (0 steps: no entry yet)."""
    if doubling_steps <= 0:
        return None
    if doubling_steps > 16:  # long past the cap; 2**n would only grow
        return BACKOFF_MAX
    return min(BACKOFF_INITIAL * 2 ** (doubling_steps - 1), BACKOFF_MAX)


def probe_settings(probe: dict | None) -> dict:
    """A probe's effective settings: the defaults replace absent values and zeros (SetDefaults_Probe)."""
    out = dict(PROBE_DEFAULTS)
    for k in PROBE_DEFAULTS:
        v = (probe or {}).get(k)
        if isinstance(v, int) and (v > 0 or k == "initialDelaySeconds"):
            out[k] = v
    return out


def probe_handler(probe: dict | None) -> str:
    for h in ("exec", "httpGet", "tcpSocket", "grpc"):
        if probe and h in probe:
            return h
    return "unknown"


def probe_target(probe: dict | None) -> str | None:
    """The probe's target as a person writes it: the command, the URL, the port."""
    if not probe:
        return None
    if "exec" in probe:
        cmd = (probe["exec"] or {}).get("command") or []
        return " ".join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd)
    if "httpGet" in probe:
        h = probe["httpGet"] or {}
        scheme = str(h.get("scheme", "HTTP")).lower()
        return f"{scheme}://{h.get('host', '')}:{h.get('port', '')}{h.get('path', '/')}"
    if "tcpSocket" in probe:
        h = probe["tcpSocket"] or {}
        return f"{h.get('host', '')}:{h.get('port', '')}"
    if "grpc" in probe:
        h = probe["grpc"] or {}
        return f":{h.get('port', '')}" + (f" {h['service']}" if h.get("service") else "")
    return None


def handler_from_message(message: str) -> tuple[str, str]:
    """(handler, reason) guessed from an Unhealthy message when no spec is known (k8s-lifecycle 1.6)."""
    m = message.strip()
    if "HTTP probe failed with statuscode" in m or re.search(r"\bGet \"?https?://", m):
        return "httpGet", "the message is an HTTP GET result"
    if "health rpc" in m or "grpc.health" in m or "NOT_SERVING" in m:
        return "grpc", "the message is a gRPC health check result"
    if re.match(r"^dial tcp ", m):
        return "tcpSocket", "a bare dial error is what a tcpSocket probe reports (an httpGet probe would say Get ...)"
    if m == "" or "Exec setup failed" in m or re.search(r"\bcommand .* timed out\b", m) or re.match(r"^[\w./-]+: ", m) or "OCI runtime exec" in m:
        return "exec", ("an empty message is what an exec probe whose command prints nothing reports"
                        if m == "" else "the message is a command's output")
    return "unknown", "the message does not say which handler ran"


# --- images and restarts: SetDefaults_Container (pkg/apis/core/v1/defaults.go); kubelet getPhase ---

def image_pull_policy(container: dict | None) -> str:
    """The effective imagePullPolicy: set, else Always for `:latest` or no tag, else IfNotPresent."""
    c = container or {}
    if c.get("imagePullPolicy") in ("Always", "IfNotPresent", "Never"):
        return c["imagePullPolicy"]
    image = str(c.get("image") or "")
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def restart_allowed(restart_policy: str | None, exit_code: int | None, sidecar: bool = False) -> bool:
    """Whether an exited container is started again (k8s-lifecycle 2.1); sidecars always are."""
    if sidecar:
        return True
    policy = restart_policy or "Always"
    if policy == "Always":
        return True
    if policy == "OnFailure":
        return exit_code != 0
    return False


# --- termination grace: kuberuntime_container.go setTerminationGracePeriod ----------------------

def grace_for_kill(spec: dict, container: dict | None, probe_type: str | None) -> tuple[int, str]:
    """(seconds, which setting) for a kill caused by a liveness/startup failure (or a plain stop)."""
    if probe_type in ("liveness", "startup") and container:
        probe = container.get(f"{probe_type}Probe") or {}
        if isinstance(probe.get("terminationGracePeriodSeconds"), int):
            return probe["terminationGracePeriodSeconds"], "the probe's terminationGracePeriodSeconds"
    if isinstance(spec.get("terminationGracePeriodSeconds"), int):
        return spec["terminationGracePeriodSeconds"], "the pod's terminationGracePeriodSeconds"
    return DEFAULT_GRACE_SECONDS, "the default terminationGracePeriodSeconds (30 s)"


# --- what the container's command does (for expected timing and SIGTERM handling) ----------------

_SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash")
_HANDLES_SIGTERM_IMAGES = ("nginx", "httpd", "apache", "redis", "postgres", "mysql", "mariadb", "mongo", "tomcat",
                           "java", "node", "golang", "envoy", "traefik", "haproxy", "prometheus", "coredns",
                           "etcd", "myapp")


@dataclass(frozen=True)
class CommandBehaviour:
    """What a container's command line tells about its run."""

    script: str | None  # the shell script or command line
    removes: dict  # path -> seconds after start at which it is removed (`rm -f /tmp/healthy` after sleeps)
    creates: dict  # path -> seconds after start at which it exists
    exits_after: float | None  # the process ends after this many seconds (None: runs on)
    exit_code: int | None  # and with this code
    pid1_ignores_sigterm: bool | None  # a shell or sleep as PID 1 drops SIGTERM (pid_namespaces(7))
    why_sigterm: str


def command_behaviour(container: dict | None) -> CommandBehaviour:
    c = container or {}
    argv = [str(x) for x in (c.get("command") or [])] + [str(x) for x in (c.get("args") or [])]
    image = str(c.get("image") or "")
    script = None
    if len(argv) >= 3 and argv[0].split("/")[-1] in ("sh", "bash", "ash") and argv[1] == "-c":
        script = " ".join(argv[2:])
    elif argv:
        script = " ".join(argv)
    removes: dict = {}
    creates: dict = {}
    elapsed = 0.0
    exits_after = None
    exit_code = None
    long_running = False
    if script:
        for part in re.split(r"\s*(?:;|&&|\n)\s*", script):
            try:
                words = shlex.split(part)
            except ValueError:
                words = part.split()
            if not words:
                continue
            if words[0] == "sleep" and len(words) > 1 and re.fullmatch(r"\d+(\.\d+)?", words[1]):
                elapsed += float(words[1])
                if float(words[1]) >= 600:
                    long_running = True
            elif words[0] == "touch":
                for p in words[1:]:
                    creates[p] = elapsed
            elif words[0] == "rm":
                for p in words[1:]:
                    if not p.startswith("-"):
                        removes[p] = elapsed
            elif words[0] == "exit":
                exit_code = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
                exits_after = elapsed
                break
            elif words[0] in ("while", "until", "for", "tail", "nginx", "python", "python3", "java", "node"):
                long_running = True
        if exits_after is None and not long_running and script and not re.search(r"\b(while|until|for)\b", script):
            # A script that runs only short commands ends when they do, with exit 0.
            if all(re.match(r"^\s*(sleep|touch|rm|echo|cat|ls|printf|date|true)\b", p) or not p.strip()
                   for p in re.split(r"\s*(?:;|&&|\n)\s*", script)):
                exits_after, exit_code = elapsed, 0
    shell_pid1 = bool(argv) and argv[0].split("/")[-1] in ("sh", "bash", "ash", "sleep")
    base = image.split("/")[-1].split(":")[0].split("@")[0]
    if shell_pid1:
        ignores, why = True, (f"`{argv[0]}` runs as PID 1 and installs no SIGTERM handler, so the runtime's "
                              f"SIGTERM is dropped and only SIGKILL ends it (pid_namespaces(7))")
    elif not argv and base in ("busybox", "alpine", "ubuntu", "debian", "centos"):
        ignores, why = True, f"the {base} image's default shell as PID 1 ignores SIGTERM"
    elif any(k in base for k in _HANDLES_SIGTERM_IMAGES):
        ignores, why = False, f"{base} handles SIGTERM and exits promptly"
    else:
        ignores, why = None, "unknown whether the process handles SIGTERM"
    if not argv and base in ("busybox", "alpine") and exits_after is None:
        exits_after, exit_code = 0.0, 0  # the image's default `sh` exits at once without a terminal
    return CommandBehaviour(script, removes, creates, exits_after, exit_code, ignores, why)


def probe_failure_onset(probe: dict | None, behaviour: CommandBehaviour) -> tuple[float, str]:
    """Seconds after container start from which the probe target fails (0: from the start)."""
    if probe and "exec" in probe:
        cmd = [str(x) for x in ((probe.get("exec") or {}).get("command") or [])]
        paths = [p for p in cmd[1:] if p.startswith("/")]
        for p in paths:
            if p in behaviour.removes:
                return behaviour.removes[p], f"the container's command removes {p} after {behaviour.removes[p]:g} s"
            if p not in behaviour.creates and behaviour.script is not None:
                return 0.0, f"nothing in the container's command creates {p}"
    return 0.0, "the probe target is assumed to fail from the container's start"


def liveness_cycle(period: int, threshold: int, onset: float, kill_seconds: float,
                   delay: int = 0) -> tuple[float, float]:
    """Seconds from a container's start to its restart under a failing liveness/startup probe: (lo, hi].

    Probes run on ticks of `period` whose phase was fixed at pod admission, so the first failing
    probe is the first tick after both the initial delay and the failure onset D: somewhere in the
    following period. Then failureThreshold-1 more periods, then the kill. With the tick aligned to
    the start this is k8s-lifecycle.md 3.5's G + P*(ceil((D+eps)/P) + F - 1) (42 s for the seed).
    """
    first = max(onset, float(delay))
    lo = first + period * (threshold - 1) + kill_seconds
    return lo, lo + period


# --- kubectl's STATUS column: printPod (pkg/printers/internalversion/printers.go) ------------------

def pod_status(phase: str | None, init_statuses: list[dict], statuses: list[dict], terminating: bool = False,
               pod_reason: str | None = None, ready_condition: bool | None = None) -> str:
    """STATUS as kubectl prints it, from container statuses shaped like the API's (state dicts)."""
    reason = pod_reason or phase or "Pending"
    initializing = False
    for i, c in enumerate(init_statuses):
        st = c.get("state") or {}
        if st.get("status") == "terminated" and st.get("exit_code") == 0:
            continue
        if c.get("sidecar") and c.get("started"):
            continue
        if st.get("status") == "terminated":
            reason = "Init:" + (st.get("reason") or (f"Signal:{st['signal']}" if st.get("signal")
                                                     else f"ExitCode:{st.get('exit_code')}"))
        elif st.get("status") == "waiting" and st.get("reason") and st.get("reason") != "PodInitializing":
            reason = "Init:" + st["reason"]
        else:
            reason = f"Init:{i}/{len(init_statuses)}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for c in reversed(statuses):
            st = c.get("state") or {}
            if st.get("status") == "waiting" and st.get("reason"):
                reason = st["reason"]
            elif st.get("status") == "terminated":
                reason = st.get("reason") or (f"Signal:{st['signal']}" if st.get("signal")
                                              else f"ExitCode:{st.get('exit_code')}")
            elif st.get("status") == "running":
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if ready_condition else "NotReady"
    if terminating and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason
