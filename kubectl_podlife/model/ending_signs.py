"""What the input says about an ending: the messages' grammars across Kubernetes versions (preemption,
deadlines, node loss, DisruptionTarget reasons) and the reads of the input every ending detector shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_podlife.lazyre import lazy_compile

# --- message grammars ------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def flat_message(msg: str) -> str:
    """A message as one line: wrapped describe columns and collapsed spacing read the same."""
    return _WS.sub(" ", msg or "").strip()


@dataclass(frozen=True)
class Preemption:
    preemptor: str | None  # "ns/name", a UID, or None when the era's message hides it
    node: str | None
    era: str  # "<=1.26" | "1.27-1.28" | "1.29+" | "kubelet" | "condition"


# [<=1.26] Preempted by <ns>/<name> on node <node>; [1.27-1.28] Preempted by a pod on node <node>;
# [1.29+] Preempted by pod <uid> on node <node>; kubelet critical-pod admission: Preempted in order to admit
# critical pod.
_PREEMPTED = lazy_compile(r"^Preempted by (?:(?P<a>a pod)|pod (?P<uid>[0-9a-f-]{36})|(?P<ns>[\w.-]+/[\w.-]+))"
                          r"(?: on node (?P<node>\S+?))?\.?$")
_PREEMPT_KUBELET = lazy_compile(r"^Preempted in order to admit critical pod")
# DisruptionTarget message: 1.26.0 "<scheduler>: preempting to accommodate a higher priority pod: ns/name",
# later without the preemptor.
DT_PREEMPT = re.compile(r"preempting to accommodate a higher priority pod(?::\s*(?P<who>[\w.-]+/[\w.-]+))?")


def parse_preempted(msg: str) -> Preemption | None:
    m = _PREEMPTED.match(flat_message(msg))
    if m:
        if m.group("a"):
            return Preemption(None, m.group("node"), "1.27-1.28")
        if m.group("uid"):
            return Preemption(m.group("uid"), m.group("node"), "1.29+")
        return Preemption(m.group("ns"), m.group("node"), "<=1.26")
    if _PREEMPT_KUBELET.match(flat_message(msg)):
        return Preemption(None, None, "kubelet")
    m = DT_PREEMPT.search(flat_message(msg))
    if m:
        return Preemption(m.group("who"), None, "condition")
    return None


# Pod: "Pod was active on the node longer than the specified deadline" (kubelet, activeDeadlineSeconds).
# Job: "Job was active longer than specified deadline" (job controller, Job activeDeadlineSeconds).
# Job: "Job has reached the specified backoff limit" (BackoffLimitExceeded).
_POD_DEADLINE = lazy_compile(r"Pod was active on the node longer than (?:the )?specified deadline", re.I)
_JOB_DEADLINE = lazy_compile(r"Job was active longer than (?:the )?specified deadline", re.I)
_JOB_BACKOFF = lazy_compile(r"Job has reached the specified backoff limit", re.I)


def parse_deadline(reason: str, msg: str) -> str | None:
    """'pod-deadline' | 'job-deadline' | 'job-backoff-limit' or None."""
    f = flat_message(msg)
    if _POD_DEADLINE.search(f):
        return "pod-deadline"
    if _JOB_DEADLINE.search(f):
        return "job-deadline"
    if _JOB_BACKOFF.search(f) or reason == "BackoffLimitExceeded":
        return "job-backoff-limit"
    if reason == "DeadlineExceeded":
        return "pod-deadline"
    return None


# Node controller (legacy, <=1.26): "Node <node> which was running pod <pod> is unresponsive";
# pod event "Node is not ready" (NodeNotReady); taint eviction "Marking for deletion Pod <ns>/<name>";
# graceful node shutdown "Pod was terminated in response to imminent node shutdown."
_NODE_UNRESPONSIVE = re.compile(r"Node (?P<node>\S+) which was running pod (?P<pod>\S+) is unresponsive")
_NODE_SHUTDOWN = re.compile(r"terminated in response to imminent node shutdown", re.I)
_TAINT_EVICTION = re.compile(r"Marking for deletion Pod (?P<pod>\S+)")


def parse_node_loss(reason: str, msg: str) -> tuple[str, str | None] | None:
    """(what, node) for a node-loss message: unresponsive | not-ready | taint-eviction | shutdown."""
    f = flat_message(msg)
    m = _NODE_UNRESPONSIVE.search(f)
    if m:
        return "unresponsive", m.group("node")
    if _NODE_SHUTDOWN.search(f):
        return "shutdown", None
    if reason == "TaintManagerEviction" or _TAINT_EVICTION.search(f):
        return "taint-eviction", None
    if reason == "NodeNotReady" or f.startswith("Node is not ready"):
        return "not-ready", None
    return None


# DisruptionTarget condition reasons (k8s-stuck-pods.md 9.2.3): reason -> (cause, who set it and what follows).
# The condition is set just before the pod is deleted or killed; a plain DELETE sets none.
DISRUPTION_REASONS = {
    "PreemptionByScheduler": ("preempted", "the scheduler preempts it to make room for a higher-priority pod and "
                                           "deletes it with its grace period"),
    "PreemptionByKubeScheduler": ("preempted", "the scheduler preempts it to make room for a higher-priority pod "
                                               "and deletes it with its grace period (1.26 reason name)"),
    "DeletionByTaintManager": ("node-lost", "the taint-eviction controller deletes it: its node has a NoExecute "
                                            "taint (unreachable, not-ready) it tolerates no longer"),
    "EvictionByEvictionAPI": ("deleted", "evicted through the Eviction API (kubectl drain, an autoscaler): deleted "
                                         "with its grace period"),
    "DeletionByPodGC": ("node-lost", "the PodGC controller deletes it: its node no longer exists"),
    "TerminationByKubelet": ("evicted", "the kubelet terminates it: node-pressure eviction or graceful node "
                                        "shutdown"),
    "DeletionByDeviceTaintManager": ("deleted", "the device-taint controller deletes it: a device it uses has a "
                                                "NoExecute taint"),
}


# --- reads the detectors share ------------------------------------------------------------------

def node_name(inp) -> str | None:
    for o in reversed(inp.rows + inp.pstates):
        n = o.data.get("node")
        if n and n not in ("<none>", "<unknown>"):
            return n
    return None


def last_conditions(inp) -> dict:
    """The last known value of each pod condition, with `origin` naming the line that showed it."""
    out: dict = {}
    for o in inp.pstates:
        for k, v in (o.data.get("conditions") or {}).items():
            out[k] = {**v, "origin": o.origin}
    return out


def event_texts(inp):
    for o, _fact in inp.events:
        yield o, str(o.data.get("reason") or ""), str(o.data.get("message") or "")


def origin_of(o) -> str:
    return o.origin
