"""`kubectl describe pod`: header fields, init and app containers, probes, conditions, events.

Fields are recognised by their names, not their indentation, so re-indented or collapsed pastes
(`State: Running` with one space, a Last State block moved to column 0) read the same. Sub-fields
(Reason, Exit Code, Started, ...) belong to the State or Last State line above them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kubectl_podlife.ingest import events as events_mod
from kubectl_podlife.ingest.context import ParseContext, is_count, next_nonblank
from kubectl_podlife.observation import (CLOCK_AGO, CONTAINER, POD, SPEC, Observation, PodKey)
from kubectl_podlife.timefmt import DurationError, is_unset_time, iso, parse_age, parse_timestamp

_KV = re.compile(r"^(\s*)([A-Z][A-Za-z0-9 ()/#-]*?):(?:\s+(.*?)|\s*)$")
_CONTAINER_NAME = re.compile(r"^(\s*)([a-z0-9][-a-z0-9.]*):\s*$")

POD_KEYS = {"Name", "Namespace", "Priority", "Priority Class Name", "Runtime Class Name", "Service Account", "Node",
            "Start Time", "Labels", "Annotations", "Status", "Reason", "Message", "IP", "IPs", "Controlled By",
            "Termination Grace Period", "QoS Class", "Node-Selectors", "Tolerations", "Image(s)",
            "Replication Controllers", "NominatedNodeName", "Nominated Node Name", "SeccompProfile",
            "Topology Spread Constraints", "Volumes", "Readiness Gates", "Ephemeral Containers"}
SECTIONS = {"Init Containers", "Containers", "Conditions", "Events", "Volumes", "Ephemeral Containers",
            "Readiness Gates"}
CONTAINER_KEYS = {"Container ID", "Image", "Image ID", "Port", "Ports", "Host Port", "Host Ports", "Command", "Args",
                  "State", "Last State", "Ready", "Restart Count", "Limits", "Requests", "Liveness", "Readiness",
                  "Startup", "Environment", "Mounts", "Environment Variables from", "SeccompProfile"}
STATE_KEYS = {"Reason", "Message", "Exit Code", "Signal", "Started", "Finished"}
_FRAGMENT_START = {"State", "Last State", "Restart Count", "Containers", "Init Containers", "Liveness",
                   "Readiness", "Startup"}


def is_describe_start(lines: list[str], i: int) -> bool:
    m = _KV.match(lines[i])
    if not m:
        return False
    key = m.group(2)
    if key == "Name":
        # A describe header: Namespace (or other pod fields) follows within a few lines, at the same
        # indentation (a volume's `Name:` under Volumes is followed by the pod's `QoS Class:` further left).
        for j in range(i + 1, min(len(lines), i + 4)):
            m2 = _KV.match(lines[j])
            if m2 and m2.group(2) in POD_KEYS and m2.group(1) == m.group(1):
                return True
        return False
    if key in POD_KEYS and (m.group(3) or "").strip():
        # A describe cut above its Name (`Status: Terminating (lasts 90d)`): pod fields follow at once.
        j = i + 1
        while j < min(len(lines), i + 3) and not lines[j].strip():
            j += 1
        m2 = _KV.match(lines[j]) if j < len(lines) else None
        return bool(m2 and m2.group(2) != key and (m2.group(2) in POD_KEYS or m2.group(2) in SECTIONS)
                    and not m.group(1) and not m2.group(1))
    if key in _FRAGMENT_START:
        if key in ("Containers", "Init Containers"):
            return not (m.group(3) or "").strip()
        if key in ("State", "Last State"):
            return (m.group(3) or "").split()[:1] in (["Running"], ["Waiting"], ["Terminated"])
        if key in ("Liveness", "Readiness", "Startup"):
            return bool(re.match(r"^(exec|http-get|tcp-socket|grpc)\b", (m.group(3) or "")))
        return True
    return False


def parse_probe(text: str) -> dict | None:
    """`exec [test -e /tmp/healthy] delay=1s timeout=1s period=3s #success=1 #failure=3` -> Probe dict."""
    m = re.match(r"^(exec|http-get|tcp-socket|grpc)\s+(.*?)\s*((?:\s*(?:delay|timeout|period|#success|#failure|"
                 r"successThreshold|failureThreshold)=\S+)*)\s*$", text.strip())
    if not m:
        return None
    handler, target, params = m.group(1), m.group(2).strip(), m.group(3)
    probe: dict = {}
    if handler == "exec":
        inner = target[1:-1] if target.startswith("[") and target.endswith("]") else target
        sh = re.match(r"^(/bin/sh|sh|/bin/bash|bash)\s+-c\s+(.*)$", inner)
        probe["exec"] = {"command": [sh.group(1), "-c", sh.group(2)] if sh else inner.split()}
    elif handler == "http-get":
        um = re.match(r"^(\w+)://([^:/]*)(?::([^/]+))?(/.*)?$", target)
        action: dict = {}
        if um:
            action["scheme"] = um.group(1).upper()
            if um.group(2):
                action["host"] = um.group(2)
            if um.group(3):
                action["port"] = int(um.group(3)) if is_count(um.group(3)) else um.group(3)
            action["path"] = um.group(4) or "/"
        probe["httpGet"] = action
    elif handler == "tcp-socket":
        host, _, port = target.rpartition(":")
        probe["tcpSocket"] = {"port": int(port) if is_count(port) else port, **({"host": host} if host else {})}
    else:
        parts = target.split()
        port = parts[0].rpartition(":")[2] if parts else ""
        probe["grpc"] = {"port": int(port) if is_count(port) else port,
                         **({"service": parts[1]} if len(parts) > 1 else {})}
    names = {"delay": "initialDelaySeconds", "timeout": "timeoutSeconds", "period": "periodSeconds",
             "#success": "successThreshold", "#failure": "failureThreshold",
             "successThreshold": "successThreshold", "failureThreshold": "failureThreshold"}
    for k, v in re.findall(r"(#?\w+)=(\S+)", params):
        if k in names:
            num = re.match(r"^(\d+)", v)
            if num:
                probe[names[k]] = int(num.group(1))
    return probe


def parse_describe(lines: list[str], start: int, ctx: ParseContext) -> tuple[list[Observation], int]:
    """Parse one describe output (or a fragment of one) from `start`; (observations, next index)."""
    header: dict = {}
    containers: list[dict] = []
    cur: dict | None = None
    section: str | None = None
    state_target: str | None = None
    conditions: dict = {}
    event_obs: list[Observation] = []
    snapshot = ctx.new_snapshot(start)
    last_key: str | None = None
    first_line = start
    top = _KV.match(lines[start]) if start < len(lines) else None
    base_indent = len(top.group(1)) if top else 0  # the header's indentation (a pasted block may be indented)
    i = start
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            j = next_nonblank(lines, i + 1)
            if j < len(lines) and _continues(lines[j]):
                i = j
                continue
            break
        if line.strip() in ("[...]", "...", "<none>"):
            i += 1
            continue
        m = _KV.match(line)
        key = m.group(2) if m else None
        value = (m.group(3) or "").strip() if m else ""
        if key == "Events":
            if value.startswith("<none>"):
                i += 1
                continue
            j = i + 1
            hdr = events_mod.header_layout(lines[j]) if j < len(lines) else None
            layout, cols = (hdr if hdr else (None, None))
            if hdr:
                j += 1
                if j < len(lines) and re.match(r"^\s*-+(\s+-+)*\s*$", lines[j]):
                    j += 1
            obs, j = events_mod.parse_events(lines, j, ctx, layout=layout, cols=cols, snapshot=snapshot)
            event_obs.extend(obs)
            i = j
            section = "Events"
            continue
        if key in SECTIONS and not value:
            section = key
            cur = None
            state_target = None
            i += 1
            if key == "Conditions" and i < len(lines) and re.match(r"^\s*Type\s+Status", lines[i]):
                i += 1
            continue
        if section == "Conditions" and not m:
            parts = line.split()
            if len(parts) >= 2 and parts[1] in ("True", "False", "Unknown") and parts[0][:1].isupper():
                conditions[parts[0]] = {"status": parts[1]}
                i += 1
                continue
        cm = _CONTAINER_NAME.match(line)
        if cm and section in ("Containers", "Init Containers", "Ephemeral Containers") and key is None:
            cur = {"name": cm.group(2), "init": section == "Init Containers"}
            containers.append(cur)
            state_target = None
            i += 1
            continue
        if cur is not None:
            cur.setdefault("lines", []).append(line.strip())
        if key in STATE_KEYS and state_target and cur is not None:
            _state_field(cur[state_target], key, value)
            i += 1
            continue
        if key in CONTAINER_KEYS and (section in ("Containers", "Init Containers", "Ephemeral Containers", None)
                                      or cur is not None):
            if cur is None:  # a fragment: container fields with no container name above them
                cur = {"name": None, "init": section == "Init Containers"}
                containers.append(cur)
            _container_field(cur, key, value, ctx, i)
            state_target = {"State": "state", "Last State": "last_state"}.get(key)
            if key in ("Ready", "Restart Count", "Liveness", "Readiness", "Startup", "Limits", "Requests",
                       "Environment", "Mounts"):
                state_target = None
            last_key = key
            i += 1
            continue
        if key in POD_KEYS and section == "Volumes" and m and len(m.group(1)) > base_indent:
            # a volume's own fields (`Name: web-settings` of a ConfigMap volume), not the pod's
            i += 1
            continue
        if key in POD_KEYS or (key and section is None and not containers and value):
            # Pod header fields (other top-level fields are read past).
            if key in POD_KEYS:
                header[key] = value
                cur = None
            section = key if key in SECTIONS or key == "Tolerations" else None
            state_target = None
            last_key = key
            i += 1
            continue
        if line[:1].isspace() or (m is None and section in ("Volumes", "Tolerations", "Containers",
                                                            "Init Containers") and not _looks_prose(line)):
            # continuation lines: labels, mounts, command/args entries, limits, environment
            if cur is not None and last_key in ("Limits", "Requests") and m:
                cur.setdefault(last_key.lower(), {})[m.group(2).strip()] = value
            elif cur is not None and last_key in ("Command", "Args") and not m:
                cur.setdefault(last_key.lower(), []).append(line.strip())
            i += 1
            continue
        break
    if i == first_line:
        return [], start + 1
    return _emit(header, containers, conditions, event_obs, snapshot, ctx, first_line, i), i


def _continues(line: str) -> bool:
    m = _KV.match(line)
    return bool(m and (m.group(2) in SECTIONS or m.group(2) in CONTAINER_KEYS or m.group(2) == "Events"))


def _looks_prose(line: str) -> bool:
    return bool(re.search(r"[\u3000-\u9fff]", line)) or line.strip().startswith(("#", "$", "kubectl"))


def _state_field(state: dict, key: str, value: str) -> None:
    if key == "Reason":
        state["reason"] = value
    elif key == "Message":
        state["message"] = value
    elif key == "Exit Code":
        if is_count(value.removeprefix("-")):
            state["exit_code"] = int(value)
    elif key == "Signal":
        if is_count(value):
            state["signal"] = int(value)
    elif key in ("Started", "Finished"):
        ts = parse_timestamp(value)
        if is_unset_time(ts):  # never set: the process never started (StartError), not a time in 1970
            state["started_unset" if key == "Started" else "finished_unset"] = True
            return
        state["started_at" if key == "Started" else "finished_at"] = iso(ts) if ts else None
        if ts is None and value:
            state[("started" if key == "Started" else "finished") + "_text"] = value


def _container_field(cur: dict, key: str, value: str, ctx: ParseContext, index: int) -> None:
    if key in ("State", "Last State"):
        status = (value.split() or ["?"])[0].lower()
        target = "state" if key == "State" else "last_state"
        cur[target] = {"status": status}
    elif key == "Ready":
        cur["ready"] = value.startswith("True")
    elif key == "Restart Count":
        if is_count(value):
            cur["restart_count"] = int(value)
        else:
            ctx.warn(index, f'cannot read Restart Count "{value}"')
    elif key in ("Liveness", "Readiness", "Startup"):
        probe = parse_probe(value)
        if probe is None:
            ctx.warn(index, f'cannot read {key} probe "{value}"')
        else:
            cur.setdefault("probes", {})[key.lower() + "Probe"] = probe
    elif key == "Image":
        cur["image"] = value
    elif key == "Image ID":
        cur["image_id"] = value
    elif key == "Container ID":
        cur["container_id"] = value
    elif key in ("Command", "Args"):
        cur[key.lower()] = [value] if value else []
    elif key in ("Limits", "Requests"):
        cur[key.lower()] = {}


def _emit(header: dict, containers: list[dict], conditions: dict, event_obs: list[Observation], snapshot: str,
          ctx: ParseContext, first: int, end: int) -> list[Observation]:
    name = header.get("Name")
    namespace = header.get("Namespace") or ctx.namespace
    key = ctx.registry.for_status(name, namespace) if name else (
        ctx.registry.current(ctx.target, namespace) if ctx.target else PodKey(name="", namespace=namespace))
    origin = ctx.origin(first)
    out: list[Observation] = []
    ago = [0.0, 1.0]  # describe shows the state as of the moment it ran
    pod_data: dict = {}
    status = header.get("Status")
    if status:
        pod_data["phase"] = status.split()[0]
        if status.startswith("Terminating"):
            pod_data["terminating"] = True
            pod_data["phase"] = None
            # kubectl describe: `Terminating (lasts <time since deletionTimestamp>)`, `<invalid>` while the
            # deadline (deletion + grace) is still ahead.
            lasts = re.search(r"\(lasts ([^)]*)\)", status)
            if lasts:
                pod_data["terminating_lasts"] = lasts.group(1).strip()
                try:
                    pod_data["past_deletion_deadline"] = list(parse_age(lasts.group(1).strip()))
                except DurationError:
                    pass
    if header.get("Reason"):
        pod_data["reason"] = header["Reason"]
    if header.get("Message"):
        pod_data["message"] = header["Message"]
    st = parse_timestamp(header.get("Start Time", ""))
    if st:
        pod_data["start_time"] = iso(st)
    node = header.get("Node")
    if node and node != "<none>":
        pod_data["node"] = node.split("/")[0]
    if header.get("IP"):
        pod_data["ip"] = header["IP"]
    if header.get("QoS Class"):
        pod_data["qos"] = header["QoS Class"]
    grace = header.get("Termination Grace Period")
    if grace:
        try:
            pod_data["termination_grace_seconds"] = parse_age(grace)[0]
        except DurationError:
            pass
    if conditions:
        pod_data["conditions"] = conditions
    if pod_data:
        out.append(Observation(kind=POD, pod=key, origin=origin, raw=_raw(header), data=pod_data,
                               clock=CLOCK_AGO, snapshot=snapshot, seq=ctx.next_seq()))
        out[-1] = replace(out[-1], data={**pod_data, "last_ago": ago})
    spec_containers: dict[str, list] = {"containers": [], "initContainers": []}
    for c in containers:
        data = {k: c[k] for k in ("init", "state", "last_state", "ready", "restart_count", "image", "image_id",
                                  "container_id") if k in c}
        data["last_ago"] = ago
        keep = [ln for ln in c.get("lines", []) if re.match(r"^(State|Last State|Reason|Exit Code|Signal|Started|"
                                                             r"Finished|Ready|Restart Count|Message):", ln)]
        raw = f"{c.get('name') or '(container)'}: " + " | ".join(keep or c.get("lines", [])[:6])
        out.append(Observation(kind=CONTAINER, pod=key, container=c.get("name"), origin=origin, raw=raw, data=data,
                               clock=CLOCK_AGO, snapshot=snapshot, seq=ctx.next_seq()))
        sc: dict = {"name": c.get("name")}
        for k in ("image", "command", "args"):
            if c.get(k):
                sc[k] = c[k]
        if c.get("limits") or c.get("requests"):
            sc["resources"] = {k: c[k] for k in ("limits", "requests") if c.get(k)}
        sc.update(c.get("probes", {}))
        if len(sc) > 1:
            spec_containers["initContainers" if c.get("init") else "containers"].append(sc)
    spec = {k: v for k, v in spec_containers.items() if v}
    if "termination_grace_seconds" in pod_data:
        spec["terminationGracePeriodSeconds"] = int(pod_data["termination_grace_seconds"])
    if spec:
        out.append(Observation(kind=SPEC, pod=key, origin=origin, raw="(spec fields shown by describe)",
                               data={"spec": spec, "source": "describe"}, clock="none", seq=ctx.next_seq()))
    for ev in event_obs:
        if not ev.data.get("object"):
            ev = replace(ev, pod=key)
        out.append(ev)
    return out


def _raw(header: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in header.items() if k in ("Name", "Namespace", "Status", "Start Time",
                                                                      "Node", "Reason"))
