"""What a transcript shows about nodes, told to the pods on them.

`kubectl get nodes` / `get no -w` rows (NAME STATUS ROLES AGE VERSION, `-o wide` adds more) and the API
server's errors reaching a kubelet (`dial tcp <ip>:10250: i/o timeout` from `kubectl exec` / `logs`)
are not about one pod, but they are why pods on that node stay Terminating or Unknown
(k8s-stuck-pods.md §9.5). Each pod whose row names a node that the input last shows NotReady or
Unknown gets a `node` mark; the pod an exec/logs command named gets a `kubelet-unreachable` mark.

One `get pods -o wide` table can also show a node whose kubelet no longer acts: a pod bound to it for a
minute or more still `Pending` with no IP (the kubelet never reported it) while other pods on it stay
`Terminating` (nobody confirms their end). Its not-healthy pods get a `node` mark with status
`not-reporting` naming both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_podlife.ingest.context import ParseContext
from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.observation import CLOCK_NONE, MARK, ROW, Observation, PodKey

_HEADER = re.compile(r"^\s*NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\b")
# name, Ready|NotReady|Unknown[,SchedulingDisabled], roles, age, kubelet version
_ROW = lazy_compile(r"^\s*(?P<name>[a-z0-9][-a-z0-9.]*)\s+(?P<status>Ready|NotReady|Unknown)(?:,\S+)?\s+\S+\s+"
                    r"(?P<age>\S+)\s+(?P<version>v\d\S*)(?:\s|$)")
_SEPARATOR = lazy_compile(r"^\s*[=\-#*~]{3,}\s*$")
# The kubelet's port (10250) unreachable from the API server: exec, logs, attach and port-forward fail so.
_KUBELET_DIAL = lazy_compile(r"dial tcp (?P<addr>\[[0-9a-f:]+\]|[\w.-]+):10250: (?P<how>i/o timeout|connect: "
                             r"connection refused|connect: no route to host)")


@dataclass(frozen=True)
class NodeRow:
    name: str
    status: str
    origin: str
    raw: str


def is_header(line: str) -> bool:
    return bool(_HEADER.match(line))


def is_row(line: str) -> bool:
    return bool(_ROW.match(line))


def parse_nodes(lines: list[str], start: int, ctx: ParseContext) -> tuple[list[NodeRow], int]:
    """Node rows from `start` (a header or a first row); blank and `=====` lines between rows of one watch
    are skipped."""
    out: list[NodeRow] = []
    i = start
    if i < len(lines) and is_header(lines[i]):
        i += 1
    while i < len(lines):
        line = lines[i]
        m = _ROW.match(line)
        if m:
            out.append(NodeRow(m.group("name"), m.group("status"), ctx.origin(i), line.strip()))
            i += 1
            continue
        if not line.strip() or _SEPARATOR.match(line) or is_header(line):
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or _SEPARATOR.match(lines[j]) or is_header(lines[j])):
                j += 1
            if j < len(lines) and _ROW.match(lines[j]):
                i = j
                continue
        break
    return out, i


def kubelet_unreachable(line: str, pod: PodKey, index: int, ctx: ParseContext) -> Observation | None:
    """A `kubelet-unreachable` mark for `pod` when the line is the API server failing to reach its kubelet."""
    m = _KUBELET_DIAL.search(line)
    if not m:
        return None
    return Observation(kind=MARK, pod=pod, origin=ctx.origin(index), raw=line.strip(),
                       data={"what": "kubelet-unreachable", "address": m.group("addr").strip("[]"),
                             "how": m.group("how"), "text": line.strip()},
                       clock=CLOCK_NONE, seq=ctx.next_seq())


def node_marks(obs: list[Observation], nodes: list[NodeRow], ctx: ParseContext) -> list[Observation]:
    """A `node` mark for every pod whose last row names a node that the input last shows not Ready."""
    last: dict[str, NodeRow] = {}
    for n in nodes:
        last[n.name] = n
    down = {name: n for name, n in last.items() if n.status != "Ready"}
    if not down:
        return []
    pods: dict[PodKey, str] = {}
    for o in obs:
        if o.kind == ROW and o.data.get("node"):
            pods[o.pod] = str(o.data["node"])
    out = []
    for key, node in pods.items():
        n = down.get(node)
        if n is not None:
            out.append(Observation(kind=MARK, pod=key, origin=n.origin, raw=n.raw,
                                   data={"what": "node", "node": n.name, "status": n.status},
                                   clock=CLOCK_NONE, seq=ctx.next_seq()))
    return out


_BOUND_LONG_ENOUGH = 60.0  # s: a pod bound this long is normally ContainerCreating (the kubelet has seen it)


def _node_of(row: Observation, grep: str | None, grep_is_node: bool) -> tuple[str | None, bool]:
    """The row's node, and whether it comes from the `grep NODE` the row passed (the row text was edited
    after the grep, e.g. redacted, so its NODE cell no longer reads as the node grep'd for)."""
    node = row.data.get("node")
    if grep and grep_is_node and grep not in row.raw:
        return grep, True
    return (str(node) if node and node not in ("<none>", "<unknown>") else None), False


def stalled_node_marks(blocks: list[tuple[list[Observation], str | None]], ctx: ParseContext) -> list[Observation]:
    out: list[Observation] = []
    for rows, grep in blocks:
        last: dict[PodKey, Observation] = {}
        for o in rows:
            last[o.pod] = o
        grep_is_node = bool(grep) and any(o.data.get("node") == grep for o in last.values())
        by_node: dict[str, list[tuple[Observation, bool]]] = {}
        for o in last.values():
            node, via = _node_of(o, grep, grep_is_node)
            if node:
                by_node.setdefault(node, []).append((o, via))
        for node, items in by_node.items():
            unstarted = [o for o, _ in items if o.data.get("status") == "Pending"
                         and o.data.get("ip") in (None, "", "<none>") and (o.t_lo or 0) >= _BOUND_LONG_ENOUGH]
            ending = [o for o, _ in items if o.data.get("status") == "Terminating"]
            if not unstarted or not ending:
                continue
            p = unstarted[0]
            data = {"what": "node", "node": node, "status": "not-reporting",
                    "pending": {"pod": p.pod.name, "age": p.data.get("age"), "origin": p.origin},
                    "terminating": [{"pod": o.pod.name, "origin": o.origin} for o in ending]}
            for o, via in items:
                if o.data.get("status") not in ("Pending", "Terminating"):
                    continue
                mine = dict(data)
                if via:
                    mine["via_grep"] = {"grep": grep, "printed": o.data.get("node")}
                out.append(Observation(kind=MARK, pod=o.pod, origin=o.origin, raw=o.raw, data=mine,
                                       clock=CLOCK_NONE, seq=ctx.next_seq()))
    return out
