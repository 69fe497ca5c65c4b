"""Observations: one normalized fact about a pod, as it was seen.

This is the type that crosses from ingest (text, JSON, the live API) into the store and the model.
Nothing is invented here: parsers record what the text says, with where it said it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# Observation kinds.
ROW = "row"  # one `kubectl get pods` row (a snapshot of READY / STATUS / RESTARTS / AGE)
EVENT = "event"  # one Kubernetes Event (possibly aggregated: count, first and last seen)
CONTAINER = "container"  # a container's status: state, last state, ready, restart count
POD = "pod"  # pod-level status: phase, conditions, start time, deletion
SPEC = "spec"  # a pod spec (manifest, describe, API object)
MARK = "mark"  # a fact from the transcript itself: `pod/x created`, `kubectl delete pod x`
LOG = "log"  # the last lines a container instance logged (a `kubectl logs` block, or fetched live)

KINDS = (ROW, EVENT, CONTAINER, POD, SPEC, MARK, LOG)

# `data` by kind (keys absent when not shown; times ISO-8601 UTC strings; ranges [lo, hi] in seconds):
#   row:       ready "1/1", status "CrashLoopBackOff", restarts int, last_restart_ago [lo, hi]
#              (the "(27s ago)" suffix), age "4m13s", ip, node, nominated_node, readiness_gates,
#              watch_event "ADDED|MODIFIED|DELETED", columns [header names seen]
#   event:     type "Normal|Warning", reason, message, source "kubelet" / "kubelet, node",
#              count int >= 1, first_ago/last_ago [lo, hi] (CLOCK_AGO, before anchoring),
#              first_t [lo, hi] (after anchoring), first_time / last_time (absolute), object "pod/x",
#              field_path "spec.containers{x}"; the observation's own t/time is the LAST occurrence
#   container: init bool, sidecar bool, state {status: running|waiting|terminated, reason, message,
#              exit_code, signal, started_at, finished_at}, last_state {same}, ready bool,
#              started bool, restart_count int, image, image_id, container_id
#   pod:       phase, reason, message, start_time, creation_time, deletion_time,
#              deletion_grace_seconds, termination_grace_seconds, node, ip, qos,
#              conditions {Type: {status, reason, message, time}}, terminating bool
#   spec:      spec {PodSpec-shaped, Kubernetes camelCase keys}, source manifest|describe|api|fragment,
#              object_kind "Pod|Deployment|...", object_name
#   mark:      what "created|deleted|applied|describe|logs|node|kubelet-unreachable", command "kubectl ..."
#              (the transcript line); a logs mark: text (a log line where the runtime could not exec the
#              entrypoint), container; a node mark: node, status (NotReady|Unknown, the pod's node as `get
#              nodes` last showed it); a kubelet-unreachable mark: address, how, text (exec/logs could not
#              dial the pod's kubelet on port 10250)
#   log:       lines [str, oldest first, at most LOG_KEEP], previous bool (--previous / previous=true),
#              source transcript|api, command "kubectl logs ..." (transcript), and live: restart_count and
#              container_id / finished_at of the instance whose log it is, truncated bool (limitBytes hit);
#              `container` is the container named (-c, "Defaulted container"), None when the text does not say

LOG_KEEP = 200  # log lines kept per instance (the tail), each cut to LOG_LINE_MAX characters
LOG_LINE_MAX = 1000

# Clocks: what an observation's time is measured against before anchoring.
CLOCK_POD = "pod"  # t is seconds since the pod's creation (a get row's AGE, or anchored)
CLOCK_ABS = "abs"  # only an absolute time is known (`time`)
CLOCK_AGO = "ago"  # seconds before a snapshot was printed (describe / get events ages); see `snapshot`
CLOCK_NONE = "none"  # no time at all (a manifest, a describe field without timestamps)


@dataclass(frozen=True, slots=True)
class PodKey:
    """Which pod an observation is about.

    `incarnation` separates pods that reuse a name (delete + apply of the same manifest) within
    one source; it is 1 unless the transcript shows the name being created again.
    """

    name: str
    namespace: str | None = None
    uid: str | None = None
    incarnation: int = 1

    @property
    def display(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        inc = f" (#{self.incarnation})" if self.incarnation > 1 else ""
        return f"{ns}{self.name}{inc}"


UNNAMED = "(unnamed)"  # name used when the text never says which pod it shows


@dataclass(frozen=True, slots=True)
class Observation:
    kind: str
    pod: PodKey
    origin: str  # "file.txt:12", "-:3" for stdin, "api:pods/rv=1234" for live capture
    raw: str  # the text as seen (several lines joined by "\n" where a fact spans lines)
    data: Mapping[str, Any] = field(default_factory=dict)  # kind-specific, JSON-serializable
    container: str | None = None
    t: float | None = None  # seconds since the pod's creation
    t_lo: float | None = None
    t_hi: float | None = None
    time: str | None = None  # absolute time, ISO-8601 UTC, where one is printed or known
    clock: str = CLOCK_POD
    snapshot: str | None = None  # for CLOCK_AGO: the id of the output block the ages are relative to
    seq: int = 0  # order of appearance within its source
    recovered: bool = False  # True when re-assembled from damaged text (lost indentation etc.)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "pod": {
                "namespace": self.pod.namespace,
                "name": self.pod.name,
                "uid": self.pod.uid,
                "incarnation": self.pod.incarnation,
            },
            "container": self.container,
            "t": self.t,
            "t_range": [self.t_lo, self.t_hi] if self.t_lo is not None or self.t_hi is not None else None,
            "time": self.time,
            "clock": self.clock,
            "snapshot": self.snapshot,
            "origin": self.origin,
            "raw": self.raw,
            "data": dict(self.data),
            "seq": self.seq,
            "recovered": self.recovered,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Observation":
        pod = d.get("pod") or {}
        rng = d.get("t_range") or [None, None]
        return cls(
            kind=str(d["kind"]),
            pod=PodKey(
                name=str(pod.get("name") or UNNAMED),
                namespace=pod.get("namespace"),
                uid=pod.get("uid"),
                incarnation=int(pod.get("incarnation") or 1),
            ),
            origin=str(d.get("origin") or ""),
            raw=str(d.get("raw") or ""),
            data=dict(d.get("data") or {}),
            container=d.get("container"),
            t=d.get("t"),
            t_lo=rng[0],
            t_hi=rng[1],
            time=d.get("time"),
            clock=str(d.get("clock") or CLOCK_POD),
            snapshot=d.get("snapshot"),
            seq=int(d.get("seq") or 0),
            recovered=bool(d.get("recovered")),
        )


@dataclass(frozen=True, slots=True)
class Warning_:
    """A line that was skipped or a field that could not be read, with where it was."""

    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"
