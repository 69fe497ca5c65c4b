"""Mixed terminal transcripts: find each block of kubectl output and hand it to its parser.

A transcript holds prompts, commands, heredocs, prose in any language and output blocks. The
command before a block says what it is (`kubectl describe pod x` names the pod); otherwise the
block's own header or row shape does. Lines that are none of these are prose and skipped.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from kubectl_podlife.ingest import console, describe, events, fragments, jobs, nodes, objectfiles, podtable
from kubectl_podlife.ingest import manifest as manifest_mod
from kubectl_podlife.ingest.context import CHECKPOINT_EVERY, ParseContext
from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.observation import (CLOCK_NONE, LOG, LOG_KEEP, LOG_LINE_MAX, MARK, SPEC, UNNAMED, Observation,
                                        PodKey)

_EXECUTABLES = r"(?:kubectl|kc|k|oc|\S*/?kubectl\.sh|\S*/?kbuectl\.sh|microk8s(?:\.kubectl| kubectl)|minikube kubectl --)"
# What a shell line may put before the command: `sudo`, and environment assignments
# (`KUBECONFIG=/etc/kubernetes/admin.conf kubectl ...`).
_PREFIX = r"(?:sudo\s+(?:-\w+\s+)*)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*"
# `user@host:~>` is the SUSE default prompt. Prompt signs of themed shells (zsh/fish/starship: `❯`,
# `➜  ~`, `⇒`, `→`, `»`, `▶`, `➤`), optionally followed by the working directory they print.
_PROMPT_SIGNS = "[❯➜⇒→»▶➤]"
_PROMPT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*[#$%]|[\w.@:~/\-]*[#$%]|[\w.-]+@[\w.-]+:[\w.~/-]*>|\]\s*#|>|" + _PROMPT_SIGNS
    + r"(?:\s+(?:~[\w./-]*|[\w.-]*/[\w./-]*))?|\w+\s+\$)\s*" + _PREFIX + r"(?P<cmd>" + _EXECUTABLES + r"\s.*)$")
# Without a prompt: kubectl itself, or a usual alias (`alias k=kubectl`, `oc`) followed by a kubectl verb.
_BARE = re.compile(r"^\s*" + _PREFIX + r"(?P<cmd>(?:kubectl|\./cluster/kubectl\.sh|cluster/kubectl\.sh)\s.*|"
                   r"(?:k|kc|oc)\s+(?:get|describe|logs?|exec|delete|apply|create|events|edit|rollout|drain|"
                   r"cordon)\s.*)$")
_CREATED = re.compile(r"^\s*(?:pod/(?P<a>[a-z0-9][-a-z0-9.]*) (?:created|configured|replaced)"
                      r'|pod "(?P<b>[a-z0-9][-a-z0-9.]*)" created)\s*$')
# A container log line in which the runtime says the entrypoint could not be executed (runc's own words,
# every era): kept as a `logs` mark, the only log lines the model reads (k8s-stuck-pods.md §9.9).
_EXEC_FAILED = lazy_compile(r"exec format error|executable file not found|starting container process caused|"
                            r"exec user process caused|^exec \S+: (?:no such file or directory|permission denied)")
_DEFAULTED = lazy_compile(r'Defaulted container "([^"]+)" out of')
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
_JSON_START = re.compile(r"^\s*[{\[]\s*(\"|$|\{)")


@dataclass
class Command:
    verb: str | None
    resource: str | None
    names: list[str]
    namespace: str | None
    all_namespaces: bool
    output: str | None
    watch: bool
    tail: str  # text after the command on the same line (collapsed pastes)
    grep: str | None = None  # the literal of a `| grep WORD` the output went through
    previous: bool = False  # `logs -p/--previous`
    container: str | None = None  # `logs/exec -c NAME`


def parse_command(line: str) -> Command | None:
    m = _PROMPT.match(line) or _BARE.match(line)
    if not m:
        return None
    text = m.group("cmd")
    # Only the first kubectl of `a && b` that reads pods matters; take the last get/describe.
    parts = re.split(r"\s*(?:&&|;|\|\|)\s*", text)
    best: Command | None = None
    for part in parts:
        pipeline = part.split("|")
        cmd = _parse_one(pipeline[0])
        if cmd and (best is None or cmd.verb in ("get", "describe", "events")):
            g = next((m.group(1) for m in map(_GREP.match, pipeline[1:]) if m), None)
            best = replace(cmd, grep=g) if g else cmd
    return best


# `| grep node-1`, `| grep -w "node-1"`: a plain word (no pattern syntax), so a row that passed holds it.
_GREP = re.compile(r"""^\s*grep\s+(?:-[a-zA-Z]+\s+)*["']?([\w][\w.\-]*)["']?\s*$""")


def _parse_one(text: str) -> Command | None:
    try:
        toks = shlex.split(text, comments=False)
    except ValueError:
        toks = text.split()
    if not toks or not re.fullmatch(_EXECUTABLES, toks[0]) and toks[0] not in ("microk8s", "minikube"):
        return None
    toks = toks[1:]
    verb = None
    resource = None
    names: list[str] = []
    namespace = None
    all_ns = False
    output = None
    watch = False
    tail = ""
    previous = False
    container = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("-p", "--previous", "--previous=true"):
            previous = True
        elif t in ("-c", "--container") and i + 1 < len(toks):
            container = toks[i + 1]
            i += 2
            continue
        elif t.startswith(("--container=", "-c=")):
            container = t.split("=", 1)[1]
        if t in ("-n", "--namespace") and i + 1 < len(toks):
            namespace = toks[i + 1]
            i += 2
            continue
        if t.startswith(("--namespace=", "-n=")):
            namespace = t.split("=", 1)[1]
        elif t in ("-A", "--all-namespaces"):
            all_ns = True
        elif t in ("-w", "--watch"):
            watch = True
        elif t in ("-o", "--output") and i + 1 < len(toks):
            output = toks[i + 1]
            i += 2
            continue
        elif t.startswith(("-o=", "--output=")) or (t.startswith("-o") and len(t) > 2 and not t.startswith("--")):
            output = t.split("=", 1)[1] if "=" in t else t[2:]
        elif t in ("-f", "--filename", "-l", "--selector", "--field-selector", "--context", "--kubeconfig",
                   "--tail", "-c", "--container", "--for", "--types") and i + 1 < len(toks):
            i += 2
            continue
        elif t.startswith("-"):
            pass
        elif verb is None:
            verb = "logs" if t == "log" else t  # `kubectl log` is the deprecated spelling of `logs`
        elif verb == "alpha" and t == "events":
            verb = "events"
        elif resource is None and verb in ("get", "describe", "delete", "logs", "exec", "edit") and (
                verb not in ("logs", "exec")):
            if "/" in t:
                resource, name = t.split("/", 1)
                names.append(name.rstrip(":"))
            else:
                resource = t
        elif verb in ("logs", "exec") and not names:
            names.append(t.split("/")[-1])
        elif t in ("NAME", "LAST", "Type"):  # a collapsed paste: the output follows on the same line
            tail = " ".join(toks[i:])
            break
        elif re.fullmatch(r"[a-z0-9][-a-z0-9.]*:?", t):
            names.append(t.rstrip(":"))
        i += 1
    if verb is None:
        return None
    return Command(verb, resource, names, namespace, all_ns, output, watch, tail, previous=previous,
                   container=container)


def _expectation(cmd: Command) -> str | None:
    res = (cmd.resource or "").lower()
    if cmd.verb == "describe":
        return "describe"
    if cmd.verb == "events" or res in ("events", "event", "ev"):
        return "events"
    if cmd.verb == "get":
        if res in ("no", "node", "nodes"):
            return "nodes"
        if cmd.output in ("json",):
            return "json"
        if cmd.output in ("yaml",):
            return "yaml"
        return "pods"
    if cmd.verb in ("logs", "exec"):
        return "skip"
    return None


def scan(lines: list[str], ctx: ParseContext) -> list[Observation]:
    out: list[Observation] = []
    node_rows: list[nodes.NodeRow] = []
    row_blocks: list[tuple[list[Observation], str | None]] = []  # each printed pod table, and its grep
    grep: str | None = None
    expect: str | None = None
    log_container: str | None = None
    log_block: _LogBlock | None = None  # the `kubectl logs` output being read
    i = 0
    n = len(lines)
    check_at = 0  # the next checkpoint's line: the block parsers below move i on by whole blocks
    while i < n:
        if i >= check_at:
            ctx.checkpoint()
            check_at = i + CHECKPOINT_EVERY
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        cmd = parse_command(line)
        if cmd is not None or (log_block is not None and _SHELL_PROMPT.match(line)):
            out.extend(_log_observation(log_block, ctx))
            log_block = None
        if cmd is not None:
            if cmd.verb == "logs" and cmd.names:
                log_block = _LogBlock(cmd, i, _target_key_for(ctx, cmd), stripped)
            expect = _expectation(cmd)
            grep = cmd.grep
            log_container = None
            ctx.namespace = cmd.namespace
            ctx.all_namespaces = cmd.all_namespaces
            ctx.target = cmd.names[0] if cmd.names and cmd.verb in ("get", "describe", "logs", "exec") else None
            ctx.target_resource = cmd.resource
            if cmd.tail:
                hdr = podtable.find_header_in(cmd.tail)
                if hdr:
                    out.extend(podtable.parse_inline(cmd.tail[hdr[1]:], i, hdr[2], ctx))
            i += 1
            continue
        m = _CREATED.match(line)
        if m:
            name = m.group("a") or m.group("b")
            key = ctx.registry.created(name, ctx.namespace)
            out.append(Observation(kind=MARK, pod=key, origin=ctx.origin(i), raw=stripped,
                                   data={"what": "created"}, clock=CLOCK_NONE, seq=ctx.next_seq()))
            i += 1
            continue
        if manifest_mod.looks_like_manifest_start(line) and expect not in ("json", "yaml"):
            found = manifest_mod.scan_manifest(lines, i)
            if found is not None and found.end > i:
                for idx, msg in found.warnings:
                    ctx.warn(idx, msg)
                out.extend(_spec_observations(found.docs, ctx))
                i = found.end
                continue
        hd = _HEREDOC.search(line)
        if hd and re.search(r"\bcat\b", line):  # a heredoc that is not a manifest (a script): skip it
            term = hd.group(1)
            j = i + 1
            while j < n and lines[j].strip() != term:
                j += 1
            i = j + 1
            expect = None
            continue
        if expect == "skip":  # `kubectl logs` / `exec` output: not ours, except a runtime's exec failure
            if stripped == "Events:" or events.header_layout(line) or podtable.parse_header(line):
                expect = None  # output pasted after the logs without its command
                out.extend(_log_observation(log_block, ctx))
                log_block = None
            else:
                dm = _DEFAULTED.search(line)
                if dm:
                    log_container = dm.group(1)
                    if log_block is not None and log_block.container is None:
                        log_block.container = log_container
                elif _EXEC_FAILED.search(stripped) and ctx.target:
                    out.append(Observation(kind=MARK, pod=_target_key(ctx), origin=ctx.origin(i), raw=stripped,
                                           data={"what": "logs", "text": stripped, "container": log_container},
                                           clock=CLOCK_NONE, seq=ctx.next_seq()))
                elif ctx.target:
                    mark = nodes.kubelet_unreachable(stripped, _target_key(ctx), i, ctx)
                    if mark is not None:
                        out.append(mark)
                if not dm and log_block is not None and not _KUBECTL_ERROR.match(stripped):
                    log_block.add(line.rstrip())
                i += 1
                continue
        if expect in ("json", None):  # a piece of a pod object: `status:` of -o yaml, a `"lastState": {` member
            frag = fragments.block(lines, i)
            got = objectfiles.decode_fragment(frag[2], frag[1], ctx.origin(i), _target_key(ctx) if (
                ctx.target_resource or "pod").lower() in _POD_RESOURCES else None) if frag else None
            if got is not None:
                obs, problem = got
                if problem:
                    ctx.warn(i, f"`{stripped[:40]}` block (lines {i + 1}-{frag[0]}) not used: {problem}")
                # a fragment that does not name its pod is the transcript's unnamed one (_attach places it)
                out.extend(replace(o, seq=ctx.next_seq(), pod=replace(o.pod, name="") if o.pod.name == UNNAMED
                                   else o.pod) for o in obs)
                i = frag[0]
                continue
        if (expect in ("json", None) and _JSON_START.match(line)) or expect == "yaml":
            j, obs = _decode_objects(lines, i, ctx, "yaml" if expect == "yaml" else "json")
            if obs or j > i + 1:
                out.extend(obs)
                expect = None
                i = j
                continue
        if nodes.is_header(line) or (expect == "nodes" and nodes.is_row(line)):
            found_nodes, i = nodes.parse_nodes(lines, i, ctx)
            node_rows += found_nodes
            continue
        cols = podtable.parse_header(line)
        if cols:
            obs, i = podtable.parse_table(lines, i, ctx)
            out.extend(obs)
            row_blocks.append((obs, grep))
            grep = None
            continue
        if podtable.is_legacy_header(line):
            obs, i = podtable.parse_legacy(lines, i, ctx)
            out.extend(obs)
            continue
        if console.is_block_start(line):
            obs, i = console.parse_blocks(lines, i, ctx)
            out.extend(obs)
            continue
        ev_header = events.header_layout(line)
        if ev_header:
            j = i + 1
            if j < n and re.match(r"^\s*-+(\s+-+)*\s*$", lines[j]):
                j += 1
            pod = _target_key(ctx) if ev_header[0] in ("describe", "describe-old") else None
            obs, i = events.parse_events(lines, j, ctx, layout=ev_header[0], cols=ev_header[1], pod=pod)
            out.extend(obs)
            continue
        if stripped == "Events:" or describe.is_describe_start(lines, i):
            obs, i = describe.parse_describe(lines, i, ctx)
            out.extend(obs)
            continue
        layout = podtable.looks_like_row(line)
        if layout and not events.match_row(line):
            obs, i = podtable.parse_table(lines, i, ctx, cols=layout)
            out.extend(obs)
            row_blocks.append((obs, grep))
            grep = None
            continue
        if events.match_row(line):
            obs, i2 = events.parse_events(lines, i, ctx, pod=_target_key(ctx))
            if obs:
                out.extend(obs)
                i = max(i2, i + 1)
                continue
        hdr = podtable.find_header_in(line)
        if hdr:
            out.extend(podtable.parse_inline(line[hdr[1]:], i, hdr[2], ctx))
        i += 1
    out.extend(_log_observation(log_block, ctx))
    out = _attach(jobs.attribute(out, lines, ctx.source, ctx.next_seq, [b for b, _ in row_blocks]), ctx)
    return out + nodes.node_marks(out, node_rows, ctx) + nodes.stalled_node_marks(row_blocks, ctx)


# What kubectl itself prints instead of a log: `Error from server (BadRequest): previous terminated container
# "x" in pod "y" not found`, `error: a container name must be specified ...`.
_KUBECTL_ERROR = lazy_compile(r"^(?:Error from server\b|error: |Unable to (?:retrieve|connect)\b)")
# A shell prompt before a command that is not kubectl's (`$ ls`): the logs output ended there.
_SHELL_PROMPT = lazy_compile(r"^\s*(?:\[[^\]]*\]\s*|[\w.-]+@[\w.-]+:[\w.~/-]*)?[$#%]\s")


class _LogBlock:
    """A `kubectl logs` command and the lines it printed (the last LOG_KEEP of them)."""

    def __init__(self, cmd: Command, line: int, pod: PodKey | None, command: str):
        self.cmd = cmd
        self.line = line
        self.pod = pod
        self.command = command
        self.container = cmd.container
        self.lines: list[str] = []
        self.total = 0

    def add(self, line: str) -> None:
        self.total += 1
        self.lines.append(line[:LOG_LINE_MAX])
        if len(self.lines) > 2 * LOG_KEEP:
            del self.lines[:-LOG_KEEP]


def _target_key_for(ctx: ParseContext, cmd: Command) -> PodKey | None:
    return ctx.registry.current(cmd.names[0], cmd.namespace) if cmd.names else None


def _log_observation(block: _LogBlock | None, ctx: ParseContext) -> list[Observation]:
    """One `log` observation for a `kubectl logs` block that printed lines (evidence for that instance)."""
    if block is None or block.pod is None or not block.lines:
        return []
    lines = block.lines[-LOG_KEEP:]
    data = {"lines": lines, "previous": block.cmd.previous, "source": "transcript", "command": block.command,
            "total_lines": block.total}
    return [Observation(kind=LOG, pod=block.pod, origin=ctx.origin(block.line), raw=block.command, data=data,
                        container=block.container, clock=CLOCK_NONE, seq=ctx.next_seq())]


def _target_key(ctx: ParseContext) -> PodKey | None:
    return ctx.registry.current(ctx.target, ctx.namespace) if ctx.target else None


_POD_RESOURCES = ("po", "pod", "pods")


def _decode_objects(lines: list[str], i: int, ctx: ParseContext, kind: str) -> tuple[int, list[Observation]]:
    """JSON/YAML API objects (`get pod -o json|yaml`, watch streams) up to the next prompt."""
    j = i
    while j < len(lines) and not (j > i and (parse_command(lines[j]) or kind == "yaml" and _prose(lines[j]))):
        j += 1
    text = "\n".join(lines[i:j])
    # Output that does not say which pod it is about (jq-filtered conditions) is about the pod the command named.
    pod = _target_key(ctx) if (ctx.target_resource or "pod").lower() in _POD_RESOURCES else None
    if kind == "json":
        obs, warns = objectfiles.decode_json_stream(text, ctx.source, pod)
    else:
        obs, warns = objectfiles.decode_yaml_objects(text, ctx.source, pod)
    shifted = [replace(o, origin=_shift(o.origin, ctx.source, i), seq=ctx.next_seq()) for o in obs]
    for line_no, msg in warns:
        ctx.warn(i + line_no - 1, msg)
    return j, shifted


_YAML_TOP = lazy_compile(r"""^(?:[\w.\-/"']+:(?:\s|$)|- |-$|---|\.\.\.|#)""")


def _prose(line: str) -> bool:
    """A line at column 0 that YAML output never prints: the text after a pasted `-o yaml`."""
    return bool(line.strip()) and not line[0].isspace() and not _YAML_TOP.match(line)


def _shift(origin: str, source: str, offset: int) -> str:
    prefix = source + ":"
    if origin.startswith(prefix) and origin[len(prefix):].isdigit():
        return f"{source}:{int(origin[len(prefix):]) + offset}"
    return origin


def _spec_observations(docs: list, ctx: ParseContext) -> list[Observation]:
    out = []
    for d in docs:
        if d.kind not in (None, "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
                          "ReplicationController"):
            continue
        data = {"spec": d.spec, "source": "fragment" if d.fragment else "manifest", "object_kind": d.kind,
                "object_name": d.name, "labels": d.labels}
        if d.kind == "Pod" and d.name:
            key = ctx.registry.for_spec(d.name, d.namespace or ctx.namespace, None if d.fragment else d.spec)
        else:
            key = PodKey(name="", namespace=d.namespace or ctx.namespace)
        out.append(Observation(kind=SPEC, pod=key, origin=ctx.origin(d.line), raw=d.raw, data=data,
                               clock=CLOCK_NONE, seq=ctx.next_seq(), recovered=d.recovered))
    return out


_ASSIGNED = re.compile(r"Successfully assigned (?:([a-z0-9][-a-z0-9.]*)/)?([a-z0-9][-a-z0-9.]*) to ")
# The kubelet names pods as name_namespace(uid) in kill, back-off, hook and mount messages (format.Pod), and
# as "name_namespace" in the dockershim CNI message (`set up pod "x_ns" network`).
_POD_DESC = lazy_compile(r'(?:pod=|[Pp]od ")([a-z0-9][-a-z0-9.]*)_([a-z0-9][-a-z0-9]*)[("]')
# Volume and CSI errors name it as namespace/name: `failed to mount ... for pod workload/web-1, err: ...`,
# `... for pod "ns"/"name".` (the old mount timeout).
_FOR_POD = lazy_compile(r'\bfor pod "?([a-z0-9][-a-z0-9]*)"?/"?([a-z0-9][-a-z0-9.]*[a-z0-9])"?')
# The state an unnamed event's reason puts its pod in, so a table of several pods can say whose it is:
# FailedScheduling -> Pending and bound to no node; volume and sandbox failures -> bound, not started.
_NOT_SCHEDULED = ("FailedScheduling", "failedScheduling")
_NOT_STARTED = ("FailedMount", "FailedAttachVolume", "failedMount", "FailedCreatePodSandBox", "NetworkNotReady")


def _pod_named_in(message: str) -> tuple[str, str] | None:
    """(name, namespace) of the pod an event message itself names in the kubelet's formats, else None."""
    m = _POD_DESC.search(message)
    if m:
        return m.group(1), m.group(2)
    m = _FOR_POD.search(message)
    if m:
        return m.group(2), m.group(1)
    return None


def _last_rows(obs: list[Observation]) -> dict[str, Observation]:
    last: dict[str, Observation] = {}
    for o in obs:
        if o.kind == "row" and o.pod.name:
            last[o.pod.name] = o
    return last


def _fits(reason: str, row: Observation) -> bool:
    status = str(row.data.get("status") or "")
    node = row.data.get("node")
    unbound = node in (None, "", "<none>")
    if reason in _NOT_SCHEDULED:
        return status == "Pending" and unbound
    if reason in _NOT_STARTED:
        return (status in ("Pending", "ContainerCreating") or status.startswith("Init:")) and not (
            "node" in row.data and unbound)
    return False


def _by_state(o: Observation, last_rows: dict[str, Observation]) -> tuple[str, str] | None:
    """(pod name, why) when an unnamed event's reason fits the last row of exactly one pod of the source."""
    reason = str(o.data.get("reason") or "")
    if reason not in _NOT_SCHEDULED + _NOT_STARTED:
        return None
    fit = [n for n, row in last_rows.items() if _fits(reason, row)]
    if len(fit) != 1:
        return None
    row = last_rows[fit[0]]
    what = ("the only pod shown Pending on no node" if reason in _NOT_SCHEDULED else
            f"the only pod shown {row.data.get('status')} on a node")
    return fit[0], f"the {reason} event ({o.origin}) does not name its pod: taken as this one, {what} ({row.origin})"
_HANDLER_WORDS = {"exec": ("exec", "cmd", "command"), "httpGet": ("http", "httpget", "web"),
                    "tcpSocket": ("tcp", "socket"), "grpc": ("grpc",)}


def _attach(obs: list[Observation], ctx: ParseContext) -> list[Observation]:
    """Give observations that did not name their pod the pod they belong to.

    In order: the pod a Scheduled event of the same table names; a controller's pods by name
    prefix; a probe fragment's pod by its handler (`exec` for liveness-exec); the one pod of the
    source; else one unnamed pod per source.
    """
    named = list(dict.fromkeys(o.pod.name for o in obs if o.pod.name))
    by_snapshot: dict[str, PodKey] = {}
    for o in obs:
        if o.kind == "event" and o.snapshot and o.data.get("reason", "").lower() == "scheduled":
            m = _ASSIGNED.search(o.data.get("message", ""))
            if m:
                  by_snapshot[o.snapshot] = ctx.registry.current(m.group(2), m.group(1) or o.pod.namespace)
    for o in obs:
        if o.kind == "event" and o.snapshot and not o.pod.name and o.snapshot not in by_snapshot:
            m = _pod_named_in(o.data.get("message", ""))
            if m:
                  by_snapshot[o.snapshot] = ctx.registry.current(*m)
    last_rows = _last_rows(obs) if len(named) > 1 else {}
    out: list[Observation] = []
    for o in obs:
        if o.pod.name and o.pod.namespace is None and o.kind == "event":
            m = _ASSIGNED.search(o.data.get("message", ""))
            if m and m.group(1) and m.group(2) == o.pod.name:
                  # "Successfully assigned default/web-1 to node1" says which namespace it is.
                  o = replace(o, pod=replace(o.pod, namespace=m.group(1)))
        if o.pod.name:
            out.append(o)
            continue
        if o.snapshot and o.snapshot in by_snapshot:
            out.append(replace(o, pod=by_snapshot[o.snapshot]))
            continue
        if o.kind == SPEC and o.data.get("object_kind") and o.data.get("object_name"):
            prefix = o.data["object_name"] + "-"
            targets = [n for n in named if n.startswith(prefix)]
            for name in targets:
                  out.append(replace(o, pod=ctx.registry.current(name, o.pod.namespace)))
            continue
        if o.kind == SPEC and o.data.get("source") == "fragment" and len(named) > 1:
            handlers = [h for c in o.data["spec"].get("containers", []) for k, p in c.items()
                          if k.endswith("Probe") and isinstance(p, dict) for h in p if h in _HANDLER_WORDS]
            match = [n for n in named if any(w in n.lower() for h in handlers for w in _HANDLER_WORDS[h])]
            if len(match) == 1:
                  out.append(replace(o, pod=ctx.registry.current(match[0], None)))
                  continue
        if len(named) == 1:
            out.append(replace(o, pod=ctx.registry.current(named[0], o.pod.namespace)))
            continue
        if o.kind == "event":
            m = _pod_named_in(o.data.get("message", ""))
            if m:
                  out.append(replace(o, pod=ctx.registry.current(*m)))
                  continue
            fit = _by_state(o, last_rows)
            if fit:
                  name, why = fit
                  out.append(replace(o, pod=ctx.registry.current(name, last_rows[name].pod.namespace),
                                     data={**o.data, "pod_inferred": why}))
                  continue
        out.append(replace(o, pod=PodKey(name=f"{UNNAMED} {ctx.source.rsplit('/', 1)[-1]}",
                                           namespace=o.pod.namespace)))
    return out
