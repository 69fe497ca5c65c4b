"""A pod whose node was lost (k8s-stuck-pods.md 9.5): NodeLost and Unknown, node-loss events, taint
eviction, graceful shutdown, and a node shown down or a kubelet unreachable."""

from __future__ import annotations

from kubectl_podlife.model.ending_signs import (DISRUPTION_REASONS, event_texts, last_conditions, node_name, origin_of,
                                                parse_node_loss)
from kubectl_podlife.model.timeline import Diagnosis

# Constants the explanations cite.
DEFAULT_TOLERATION_SECONDS = 300  # DefaultTolerationSeconds admission plugin: unreachable / not-ready NoExecute
POD_EVICTION_TIMEOUT_SECONDS = 300  # --pod-eviction-timeout of the pre-taint (NodeLost) path, removed in 1.27


def node_loss_diagnosis(inp, final, restarts) -> Diagnosis | None:
    node = node_name(inp)
    loss = None
    for o, reason, msg in event_texts(inp):
        got = parse_node_loss(reason, msg)
        if got:
            loss = (got, o)
    status = final or ""
    if status in ("NodeLost", "Unknown"):
        where = f"node {node}" if node else "its node"
        how = ("marked NodeLost by the node controller: the kubelet stopped reporting, so "
               f"{where} is NotReady and nobody can confirm the pod's state"
               if status == "NodeLost" else
               f"STATUS Unknown: deleted while {where} was unreachable (reason NodeLost); "
               "it stays until the node returns or the Node object is deleted")
        tail = ("; pods of a DaemonSet are not evicted from the lost node" if status == "NodeLost" else "")
        return Diagnosis(cause="node-lost", summary=f"{status}: {how}{tail}", confidence="observed")
    dt = last_conditions(inp).get("DisruptionTarget") or {}
    by = str(dt.get("reason") or "")
    if loss is None and dt.get("status") == "True" and DISRUPTION_REASONS.get(by, ("",))[0] == "node-lost":
        # an API object names the controller that deleted the pod even where no event is shown
        where = f"node {node}" if node else "its node"
        text = (f"Evicted from {where} by the taint-eviction controller: {where} has a NoExecute taint "
                f"(unreachable or not-ready) its {DEFAULT_TOLERATION_SECONDS} s default toleration no longer covers"
                if by == "DeletionByTaintManager" else f"Deleted by the PodGC controller: {where} no longer exists")
        if status == "Terminating":
            text += "; still Terminating: the kubelet on the unreachable node cannot confirm the kill"
        return Diagnosis(cause="node-lost", summary=f"{text} ({dt['origin']}: DisruptionTarget {by})",
                         confidence="observed")
    if loss is None:
        return _node_down(inp, status, node)
    (what, lost_node), o = loss
    node = lost_node or node
    where = f"node {node}" if node else "its node"
    if what == "shutdown":
        text = (f"Terminated by graceful node shutdown: {where} was shutting down and the kubelet killed the pod "
                f"(phase Failed)")
    elif what == "taint-eviction":
        text = (f"Evicted from {where} by the taint-eviction controller after the NoExecute toleration "
                f"({DEFAULT_TOLERATION_SECONDS} s default) expired"
                + ("; still Terminating: the kubelet on the unreachable node cannot confirm the kill"
                   if status == "Terminating" else ""))
    else:
        text = f"{where[0].upper() + where[1:]} is NotReady: the pod's Ready condition is False"
        if status == "Terminating":
            text += "; still Terminating: the kubelet on the unreachable node cannot confirm the kill"
    return Diagnosis(cause="node-lost", summary=f"{text} ({origin_of(o)})", confidence="observed")


def _node_down(inp, status: str, node: str | None) -> Diagnosis | None:
    """No node event, but the input shows the pod's node NotReady (`get nodes`) or its kubelet unreachable
    (exec/logs cannot dial port 10250): the pod's own status there is what the node last reported."""
    down = [o for o in inp.obs if o.kind == "mark" and o.data.get("what") == "node"]
    dial = [o for o in inp.obs if o.kind == "mark" and o.data.get("what") == "kubelet-unreachable"]
    if not down and not dial:
        return None
    bits = []
    if down:
        d = down[-1]
        node = d.data.get("node") or node
        if d.data.get("status") == "not-reporting":
            bits.append(_not_reporting(inp, d))
        else:
            bits.append(f"node {node} is {d.data.get('status')} ({origin_of(d)})")
    if dial:
        k = dial[-1]
        bits.append(f"the API server cannot reach the kubelet at {k.data.get('address')}:10250 "
                    f"({k.data.get('how')}, {origin_of(k)})")
    where = " and ".join(bits)
    where = where[0].upper() + where[1:]
    if status == "Terminating":
        tail = ("; the pod is Terminating but nobody can finish it: the kubelet that would kill its containers and "
                "confirm the deletion is unreachable (the taint-eviction controller deletes pods of a NotReady node "
                f"after their {DEFAULT_TOLERATION_SECONDS} s toleration); it stays until the node returns, the Node "
                "object is deleted or the pod is force-deleted")
    elif down and down[-1].data.get("status") == "not-reporting":
        tail = ""  # a Pending pod the kubelet never reported: the sentence said it
    elif status in ("Running", ""):
        tail = (f"; its {status or 'last'} status is stale (the kubelet no longer reports), and after the "
                f"{DEFAULT_TOLERATION_SECONDS} s NoExecute toleration the taint-eviction controller deletes it")
    else:
        tail = f"; it is {status}, as the node last reported"
    return Diagnosis(cause="node-lost", summary=f"{where}{tail}", confidence="inferred")


def _not_reporting(inp, d) -> str:
    """A node whose kubelet acts on none of its pods, in the words of the rows that show it."""
    node, pend, ends = d.data.get("node"), d.data.get("pending") or {}, d.data.get("terminating") or []
    me = getattr(inp.key, "name", None)
    others = [e for e in ends if e.get("pod") != me]
    who = ", ".join(f"{e['pod']} ({e['origin']})" for e in others[:3])
    if pend.get("pod") == me:
        head = (f"the kubelet on node {node} never reported this pod: it is bound there but still Pending with no IP "
                f"after {pend.get('age')} (a pod the kubelet has seen is ContainerCreating at once)")
    else:
        head = (f"the kubelet on node {node} is not acting on its pods: {pend.get('pod')} is bound there but still "
                f"Pending with no IP after {pend.get('age')} ({pend.get('origin')})")
    if who:
        head += f", and {who} {'stays' if len(others) == 1 else 'stay'} Terminating there too"
    grep = d.data.get("via_grep")
    if grep:
        head += (f"; this pod's row prints node {grep.get('printed')}, but it is in the output of "
                 f"`grep {grep.get('grep')}`")
    return head + "; most likely the node is down or its kubelet stopped (the input shows no node status to confirm it)"
