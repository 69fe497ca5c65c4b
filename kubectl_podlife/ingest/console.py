"""Events copied from the OpenShift web console: no table, no reason column.

Each event is a block: `Generated from <component>[ on <node>]`, an optional `N times in the last M
minutes` line, then the message (one or more lines), blocks separated by blank lines. The console hides
the reason, so it is read back from the message: the kubelet's and controllers' message formats are
distinct enough (k8s-lifecycle.md §7, k8s-stuck-pods.md §9) to name the reason each one comes with.
"""

from __future__ import annotations

import re

from kubectl_podlife.ingest.context import ParseContext
from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.observation import CLOCK_NONE, EVENT, Observation, PodKey

_GENERATED = re.compile(r"^\s*Generated from (?P<component>[\w.\-]+)(?: on (?P<node>\S+))?\s*$")
_TIMES = lazy_compile(r"^\s*(\d+) times? in the last (?:minute|hour|\d+ (?:minutes|hours))\s*$")

# Message start -> (reason, type). First match wins; the formats are the components' own (see the docs above).
_MESSAGE_REASON: tuple[tuple[re.Pattern, str, str], ...] = tuple((re.compile(p), r, t) for p, r, t in (
    (r"^Multi-Attach error for volume|^AttachVolume\.Attach failed", "FailedAttachVolume", "Warning"),
    (r"^Unable to (?:attach or )?mount volumes|^MountVolume\.\w+ failed", "FailedMount", "Warning"),
    (r"^\d+/\d+ nodes are available|^No nodes are available|^no nodes available to schedule", "FailedScheduling",
     "Warning"),
    (r"^Successfully assigned ", "Scheduled", "Normal"),
    (r"^Failed (?:to )?create pod sandbox", "FailedCreatePodSandBox", "Warning"),
    (r"^Pod sandbox changed", "SandboxChanged", "Normal"),
    (r"^(?:Liveness|Readiness|Startup) probe (?:failed|errored)", "Unhealthy", "Warning"),
    (r"^Back-off restarting failed container", "BackOff", "Warning"),
    (r"^Back-off pulling image", "BackOff", "Normal"),
    (r"^[Pp]ulling image", "Pulling", "Normal"),
    (r"^Successfully pulled image|^Container image .* already present", "Pulled", "Normal"),
    (r"^Failed to pull image|^Error: (?:ErrImagePull|ImagePullBackOff)", "Failed", "Warning"),
    (r"^(?:Created container|Container created)", "Created", "Normal"),
    (r"^(?:Started container|Container started)", "Started", "Normal"),
    (r"^Stopping container|^Container \S+ failed (?:liveness|startup) probe", "Killing", "Normal"),
    (r"^Error: ", "Failed", "Warning"),
    (r"^Preempted by ", "Preempted", "Normal"),
    (r"^Node is not ready", "NodeNotReady", "Warning"),
    (r"^Marking for deletion Pod", "TaintManagerEviction", "Normal"),
    (r"^Pod was active on the node longer than", "DeadlineExceeded", "Normal"),
))


def reason_for_message(message: str) -> tuple[str, str] | None:
    """(reason, type) of an event known by its message alone, else None."""
    m = message.strip()
    for pat, reason, etype in _MESSAGE_REASON:
        if pat.search(m):
            return reason, etype
    return None


def is_block_start(line: str) -> bool:
    return bool(_GENERATED.match(line))


def parse_blocks(lines: list[str], start: int, ctx: ParseContext) -> tuple[list[Observation], int]:
    """The console event blocks from `start` (a `Generated from` line) to the first line that is not one."""
    snapshot = ctx.new_snapshot(start)
    out: list[Observation] = []
    i = start
    n = len(lines)
    while i < n:
        g = _GENERATED.match(lines[i])
        if not g:
            if not lines[i].strip():
                i += 1
                continue
            break
        head = i
        i += 1
        count = 1
        raw = [lines[head].strip()]
        if i < n and _TIMES.match(lines[i]):
            count = int(_TIMES.match(lines[i]).group(1))
            raw.append(lines[i].strip())
            i += 1
        msg_lines = []
        while i < n and lines[i].strip() and not _GENERATED.match(lines[i]):
            msg_lines.append(lines[i].strip())
            i += 1
        if not msg_lines:
            ctx.warn(head, "console event without a message; skipped")
            continue
        message = " ".join(msg_lines)
        raw += msg_lines
        known = reason_for_message(message)
        source = g.group("component") + (f", {g.group('node')}" if g.group("node") else "")
        data = {"type": known[1] if known else None, "reason": known[0] if known else "", "message": message,
                "source": source, "count": count, "layout": "console-generated"}
        key = ctx.registry.current(ctx.target, ctx.namespace) if ctx.target else None
        out.append(Observation(kind=EVENT, pod=key or PodKey(name="", namespace=ctx.namespace),
                               origin=ctx.origin(head), raw="\n".join(raw), data=data,
                               clock=CLOCK_NONE, snapshot=snapshot, seq=ctx.next_seq()))
    return out, i
