"""Why a pod is stuck before it runs: scheduling, volumes, sandbox; and the never-none rule.

Shared infrastructure of issue 10 (the whole pod lifecycle):
- REASON_KIND: one event reason -> transition kind table. Other modules extend it (``REASON_KIND[r] = k``).
- Every Warning event the model has no kind for becomes a ``warning`` transition with reason, message, count.
- DETECTORS: the ordered cause detectors the pod diagnosis tries when no restart explains the pod;
  other modules add theirs with ``register(fn)`` (fn(inp, trs, final, restarts) -> Diagnosis | None).
- never_none(): a pod whose last known state is Pending, ContainerCreating, Init:*, Terminating, Unknown or
  not ready is never diagnosed ``none``: it gets ``unknown`` with "stuck in X since T".
Rules and grammars: ../shared/k8s-stuck-pods.md.
"""

from __future__ import annotations

import re
from typing import Callable

from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.model.timeline import Diagnosis
from kubectl_podlife.timefmt import clock

# Event reason -> transition kind. Applied to events the model otherwise shows only as a note.
REASON_KIND: dict[str, str] = {
    "FailedScheduling": "unschedulable", "failedScheduling": "unschedulable", "SchedulingGated": "unschedulable",
    "FailedMount": "mount-failed", "FailedAttachVolume": "mount-failed", "failedMount": "mount-failed",
    "FailedCreatePodSandBox": "sandbox-failed", "NetworkNotReady": "sandbox-failed",
    "SandboxChanged": "sandbox-changed", "Preempted": "preempted", "Preempting": "preempted",
    "NodeNotReady": "node-not-ready", "Evicted": "evicted",
    "TaintManagerEviction": "terminating",  # "Marking for deletion Pod ns/name": the controller DELETEs it
}
# Kinds whose explanation already lives elsewhere in the model: the table names them, build keeps its kind.
KEEP_EXISTING = {"preempted", "evicted", "sandbox-changed"}

# States that are not healthy: a pod last seen in one is never diagnosed "none".
# NodeLost: what kubectl showed for an unreachable node's pod before taint-based eviction (Unknown since).
STUCK_STATES = ("Pending", "ContainerCreating", "Terminating", "Unknown", "NodeLost", "PodInitializing")

_WS = re.compile(r"\s+")


def flat(msg: str) -> str:
    """A message as one line: wrapped describe columns and collapsed spacing read the same."""
    return _WS.sub(" ", msg or "").strip()


def event_kind(reason: str, etype: str | None, current: str, what: str) -> str:
    """The transition kind of one event: the table's, else ``warning`` for an unknown Warning, else current."""
    k = REASON_KIND.get(reason)
    if k and k not in KEEP_EXISTING and (current == "note" or what in ("failed-scheduling", "mount")):
        return k
    if current == "note" and (etype or "").lower() == "warning" and what == "note":
        return "warning"
    return current


# --- FailedScheduling grammars ---------------------------------------------------------------

# [1.8+] "0/12 nodes are available: 3 Insufficient memory, 9 node(s) didn't match node selector."
# [1.24+] "... preemption: 0/12 nodes are available: ..." suffix; [1.2-1.7] "No nodes are available that match
# all of the following predicates:: Insufficient cpu (2)."; [2015] "Failed for reason PodFitsResources ...".
_AVAIL = lazy_compile(r"(\d+)/(\d+) nodes are available:\s*(.*)$")
_PRED_OLD = lazy_compile(r"following predicates:+\s*(.*)$")
_REASON_2015 = lazy_compile(r"Failed for reason (\w+)")


def parse_failed_scheduling(msg: str) -> tuple[int | None, list[tuple[int | None, str]]]:
    """(total nodes or None, [(count, constraint text)]) from a FailedScheduling message of any era."""
    m = flat(msg)
    a = _AVAIL.search(m)
    if a:
        body = re.split(r"\.?\s*preemption:", a.group(3))[0].rstrip(". ")
        parts = []
        for piece in re.split(r",\s*(?=\d+ )", body):
            pm = re.match(r"(\d+)\s+(.*)$", piece.strip())
            parts.append((int(pm.group(1)), pm.group(2).strip()) if pm else (None, piece.strip()))
        return int(a.group(2)), [p for p in parts if p[1]]
    o = _PRED_OLD.search(m)
    if o:
        out = []
        for piece in o.group(1).rstrip(". ").split(", "):
            pm = re.match(r"(.*?)\s*\((\d+)\)$", piece)
            out.append((int(pm.group(2)), pm.group(1)) if pm else (None, piece))
        return None, out
    r = _REASON_2015.search(m)
    if r:
        return None, [(None, f"predicate {r.group(1)} fails" + (" (and possibly others)" if "possibly" in m else ""))]
    return None, [(None, m)] if m else []


def constraint_words(text: str) -> str:
    """A scheduler constraint in plain words, keeping the scheduler's own phrase a reader can search for."""
    t = text
    ins = re.match(r"Insufficient (\S+)", t)
    if ins:
        return f"lack {ins.group(1)} (Insufficient {ins.group(1)})"
    if "didn't match" in t and "selector" in t:
        return f"do not match its node selector/affinity ({t})"
    tm = re.search(r"had (?:untolerated )?taints? \{([^}]*)\}", t)
    if tm:
        kv = tm.group(1).replace(": ", "=")
        return f"have an untolerated taint {kv}"
    if "unbound" in t and "PersistentVolumeClaim" in t:
        return "wait for the pod's unbound PersistentVolumeClaims to be bound"
    if "volume node affinity conflict" in t:
        return "conflict with its volume's node affinity"
    if "didn't have free ports" in t:
        return "lack the host port it requests"
    return t


def _requests(inp) -> str:
    reqs = []
    for c in (inp.spec or {}).get("containers") or []:
        r = ((c or {}).get("resources") or {}).get("requests") or {}
        reqs += [f"{k} {v}" for k, v in r.items()]
    return ", ".join(reqs)


# --- volume / sandbox grammars ---------------------------------------------------------------

def volume_cause(msg: str) -> str:
    """The reason one FailedMount / FailedAttachVolume message gives, most specific part first."""
    m = flat(msg)
    ma = re.search(r"Multi-Attach error for volume \"([^\"]+)\"\s*Volume is already (?:used by pod\(s\)|exclusively "
                   r"attached to) ([^.]*)", m)
    if ma:
        return (f"Multi-Attach error: the ReadWriteOnce volume {ma.group(1)} is already used by {ma.group(2).strip()}")
    nf = re.search(r'for volume "([^"]+)"\s*:\s*(secrets?|configmaps?|configmap) "([^"]+)" not found', m, re.I)
    if nf:
        return f'volume {nf.group(1)} needs {nf.group(2).lower()} "{nf.group(3)}", which does not exist'
    csi = re.search(r'for volume "([^"]+)"\s*:\s*rpc error: code = \w+ desc = (.*)$', m)
    if csi:
        inner = re.split(r"desc = |error: ", csi.group(2))[-1].strip()
        return f"CSI driver error for volume {csi.group(1)}: {inner[:300]}"
    if "timed out waiting for the condition" in m or "timeout expired waiting for volumes" in m:
        um = re.search(r"unmounted volumes=\[([^\]]*)\]", m)
        return ("mount timed out (the kubelet waits 2m per attempt)" +
                (f"; unmounted volumes: {um.group(1)}" if um else ""))
    return m[:300]


_VOL_RANK = ("Multi-Attach", "which does not exist", "CSI driver", "mount timed out")


def sandbox_cause(msg: str) -> str:
    """A FailedCreatePodSandBox message reduced to the CNI's own reason."""
    m = flat(msg)
    for pat in (r'plugin type="[^"]+" failed \(add\):\s*(.*)$', r"network:\s*((?:(?!network:).)*)$",
                r"desc = (.*)$"):
        g = re.search(pat, m)
        if g and g.group(1).strip():
            return g.group(1).strip()[:300]
    return m[:300]


# --- transition explanations -----------------------------------------------------------------

def message(tr) -> str:
    """What a transition's first evidence says: an event's message, or for the pod object the condition
    that made the transition (PodScheduled=False carries the scheduler's FailedScheduling text)."""
    o = tr.evidence[0] if tr.evidence else None
    if o is None:
        return tr.facts[0].output if tr.facts else ""
    if o.kind == "pod" and tr.kind == "unschedulable":
        return str(((o.data.get("conditions") or {}).get("PodScheduled") or {}).get("message") or "")
    return str(o.data.get("message") or "")


def explain(tr) -> bool:
    """Explain a transition of one of this module's kinds; False when the kind is not ours."""
    o = tr.evidence[0] if tr.evidence else None
    reason = str(o.data.get("reason") or "") if o is not None else ""
    msg = message(tr)
    times = f" (×{tr.count})" if tr.count > 1 else ""
    if tr.kind == "unschedulable":
        total, parts = parse_failed_scheduling(msg)
        tr.cause = "unschedulable"
        tr.summary = f"Not scheduled{times}: " + flat(msg)[:300]
        tr.detail += [f"{n if n is not None else '?'} node(s): {constraint_words(t)}" for n, t in parts]
        tr.rule = ("the scheduler retries a Pending pod when the cluster changes (and at least every 5 min); it "
                   "stays Pending until a node passes every filter")
        return True
    if tr.kind == "mount-failed":
        tr.cause = "volume"
        tr.summary = f"Volume not mounted{times}: {volume_cause(msg)}"
        tr.rule = "the kubelet retries the mount; each wait for the pod's volumes times out after 2m"
        return True
    if tr.kind == "sandbox-failed":
        tr.cause = "sandbox"
        tr.summary = f"Pod sandbox not created{times}: {sandbox_cause(msg)}"
        tr.rule = "no container starts until the runtime and the CNI plugin create the pod sandbox; the kubelet retries"
        return True
    if tr.kind == "node-not-ready":
        tr.cause = "node-lost"
        tr.summary = f"Node not ready{times}: {flat(msg)[:200]}"
        return True
    if tr.kind == "warning":
        tr.cause = "none"
        tr.summary = f"Warning {reason}{times}: {flat(msg)[:300]}"
        tr.missing.append("the model has no rule for this reason; shown as the event says")
        return True
    return False


# --- cause detectors -------------------------------------------------------------------------

Detector = Callable[..., "Diagnosis | None"]
DETECTORS: list[Detector] = []


def register(fn: Detector) -> Detector:
    """Add a detector after those already there (order is priority). Usable as a decorator."""
    DETECTORS.append(fn)
    return fn


def detect(inp, trs, final, restarts) -> Diagnosis | None:
    for fn in DETECTORS:
        d = fn(inp, trs, final, restarts)
        if d is not None:
            return d
    return None


def _ev(tr) -> str:
    return ", ".join(e.origin for e in tr.evidence[:2])


def _since(trs, final) -> str:
    ts = [t.t for t in trs if t.t is not None and t.view and len(t.view) > 1 and t.view[1] == final]
    return f" since {clock(min(ts))}" if ts else ""


def _last_of(trs, kind):
    xs = [t for t in trs if t.kind == kind]
    return xs


def _scheduled_after(trs, t) -> bool:
    return any(x.kind == "scheduled" for x in trs if x.t is not None and t.t is not None and x.t >= t.t) or (
        any(x.kind in ("started",) for x in trs))


@register
def unschedulable(inp, trs, final, restarts) -> Diagnosis | None:
    us = _last_of(trs, "unschedulable")
    if not us:
        return None
    last = us[-1]
    total, parts = parse_failed_scheduling(message(last))
    req = _requests(inp)
    words = ", ".join(f"{n} node{'s' if n != 1 else ''} " + constraint_words(t) if n is not None else
                      constraint_words(t) for n, t in parts)
    later = _scheduled_after(trs, last)
    state = final or "Pending"
    head = (f"Unschedulable at first, then scheduled ({state} now)" if later else f"{state}{_since(trs, final)}, "
            f"not scheduled")
    events = [t for t in us if any(e.kind == "event" for e in t.evidence)]
    said = (f"FailedScheduling ×{sum(t.count for t in events)}" if events else
            f"PodScheduled=False, reason {last.reason or 'Unschedulable'}")
    summary = (f"{head}: " + (f"0/{total} nodes fit: " if total else "") + words +
               (f" (its requests: {req})" if req else "") + f"; {said} ({_ev(last)})")
    return Diagnosis(cause="unschedulable", summary=summary, container=None, confidence="observed")


@register
def volume(inp, trs, final, restarts) -> Diagnosis | None:
    ms = _last_of(trs, "mount-failed")
    if not ms or any(t.kind == "started" for t in trs if ms[-1].t is not None and t.t is not None and t.t > ms[-1].t):
        return None
    causes = [(volume_cause(str(t.evidence[0].data.get("message") or "")), t) for t in ms if t.evidence]
    def rank(c):
        return next((i for i, k in enumerate(_VOL_RANK) if k in c[0]), len(_VOL_RANK))
    best, tr = min(causes, key=rank)
    total = sum(t.count for t in ms)
    extra = "; mounts also time out (the kubelet waits 2m each time)" if any(
        "timed out" in c for c, _ in causes) and "timed out" not in best else ""
    return Diagnosis(cause="volume", summary=f"{final or 'ContainerCreating'}{_since(trs, final)}, volume not "
                                             f"mounted: {best}{extra}; FailedMount ×{total} ({_ev(tr)})",
                     container=None, confidence="observed")


@register
def sandbox(inp, trs, final, restarts) -> Diagnosis | None:
    ss = _last_of(trs, "sandbox-failed")
    if not ss or any(t.kind == "started" for t in trs if ss[-1].t is not None and t.t is not None and t.t > ss[-1].t):
        return None
    last = ss[-1]
    why = sandbox_cause(str(last.evidence[0].data.get("message") or "") if last.evidence else "")
    changed = sum(t.count for t in trs if t.facts and t.facts[0].what == "sandbox")
    return Diagnosis(cause="sandbox", summary=f"{final or 'ContainerCreating'}{_since(trs, final)}: the pod sandbox "
                                              f"cannot be created (CNI): {why}; FailedCreatePodSandBox "
                                              f"×{sum(t.count for t in ss)}" +
                                              (f", SandboxChanged ×{changed}" if changed else "") + f" ({_ev(last)})",
                     container=None, confidence="observed")


# --- containers the runtime cannot start (§9.9) --------------------------------------------------

CANNOT_RUN_REASONS = ("RunContainerError", "StartError", "CreateContainerError", "ContainerCannotRun")
# The runtime's words for "the entrypoint cannot be executed", most specific first, with what each means.
_EXEC_WORDS = (
    (lazy_compile(r'exec: "([^"]*)": executable file not found in \$PATH'),
     "the runtime found no executable `{0}` on the image's PATH for the container's command/entrypoint"),
    (lazy_compile(r"executable file not found in \$PATH"),
     "the entrypoint/command is not an executable on the image's PATH"),
    (lazy_compile(r"(?:exec (\S+): )?exec format error"),
     "the entrypoint binary is built for another CPU architecture (or is not a binary/script runc can exec)"),
    (lazy_compile(r"(?:exec (\S+): )?no such file or directory"),
     "the entrypoint (or its script's interpreter) does not exist in the image"),
    (lazy_compile(r"(?:exec (\S+): )?permission denied"), "the entrypoint file is not executable"),
)


def _unescape(msg: str) -> str:
    """Docker-era messages nest JSON quoting (\\\"--config\\\"): read them as plain quotes."""
    return flat(re.sub(r'\\+"', '"', msg).replace("\\n", " "))


def exec_failure(msg: str) -> tuple[str, str] | None:
    """(the runtime's failing phrase, what it means) when a message says the entrypoint cannot be executed."""
    m = _unescape(msg)
    for pat, meaning in _EXEC_WORDS:
        g = pat.search(m)
        if g:
            return g.group(0), meaning.format(*(x or "" for x in g.groups()))
    return None


@register
def cannot_run(inp, trs, final, restarts) -> Diagnosis | None:
    """The kubelet cannot start a container: a start-failure reason or the runtime's exec error in the input."""
    if final in ("Running", "Completed", "Succeeded"):
        return None
    found = []  # (rank, container, reason, message, origin, what said it)
    for t in trs:
        fact = t.facts[0] if t.facts else None
        msg = (fact.output if fact and fact.what == "cannot-run" else "") or ""
        reason = t.reason if t.reason in CANNOT_RUN_REASONS else None
        if not reason and msg:
            whole = " ".join(str(e.data.get("message") or "") for e in t.evidence) + " " + msg
            rm = re.search(r"\b(" + "|".join(CANNOT_RUN_REASONS) + r")\b", whole)
            reason = rm.group(1) if rm else None
        if (msg or reason) and t.evidence:
            said = f"the {t.evidence[0].data.get('reason') or 'kubelet'} event" if t.evidence[0].kind == "event" else \
                "the status"
            found.append((0 if exec_failure(msg) else 1, t.container, reason, msg, t.evidence[0].origin, said))
    for o in inp.cstates:  # describe's State / Last State, -o json's state.waiting / lastState.terminated
        for key in ("state", "last_state"):
            st = o.data.get(key) or {}
            msg, reason = str(st.get("message") or ""), st.get("reason")
            if reason in CANNOT_RUN_REASONS or exec_failure(msg):
                found.append((0 if exec_failure(msg) else 1, o.container, reason if reason in
                              CANNOT_RUN_REASONS else None, msg, o.origin, f"its {key.replace('_', ' ')}"))
    for o in inp.obs:
        if o.kind == "mark" and o.data.get("what") == "logs" and exec_failure(str(o.data.get("text") or "")):
            found.append((0, o.data.get("container"), None, str(o.data["text"]), o.origin, "its log"))
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    _, container, reason, msg, origin, said = found[0]
    container = container or next((f[1] for f in found if f[1]), None) or (
        inp.containers[0] if len(inp.containers) == 1 else None)
    reason = reason or next((f[2] for f in found if f[2]), None)
    ex = exec_failure(msg)
    who = f"container {container}" if container else "the container"
    if ex:
        phrase, meaning = ex
        text = (f"{who} cannot be started" + (f" ({reason})" if reason else "") + f": {said} says \"{phrase}\" ({origin}): {meaning}; the runtime could not "
                f"execute the process, this is not an application crash")
    else:
        text = (f"{who} cannot be started: {reason} ({origin}): the kubelet could not "
                f"{'create' if reason == 'CreateContainerError' else 'start'} the container, so it never ran "
                f"(not an application crash); the runtime's message is not in the input (see the Failed events of "
                f"`kubectl describe pod` or the waiting message in `-o json`)")
    head = f"{final}: " if final else ""
    again = f"; restarted {restarts} time{'s' if restarts != 1 else ''}" if restarts else ""
    return Diagnosis(cause="cannot-run", summary=head + text + again, container=container, confidence="observed")


# --- never a false all-clear -----------------------------------------------------------------

def unhealthy_state(final: str | None, ready: str | None) -> str | None:
    """The not-healthy last state a pod is stuck in, or None when it looks healthy."""
    f = final or ""
    if f in STUCK_STATES or f.startswith("Init:"):
        return f
    if ready and f == "Running":
        m = re.match(r"(\d+)/(\d+)$", ready)
        if m and int(m.group(1)) < int(m.group(2)):
            return f"Running, not ready ({ready})"
    return None


def never_none(diag: Diagnosis, trs, final: str | None) -> Diagnosis:
    if diag.cause != "none":
        return diag
    ready = next((t.view[0] for t in reversed(trs) if t.view and t.view[0]), None)
    st = unhealthy_state(final, ready)
    if st is None:
        return diag
    return Diagnosis(cause="unknown", summary=f"Stuck in {st}{_since(trs, final)}; the input does not say why",
                     container=diag.container, probe=diag.probe, confidence="inferred")
