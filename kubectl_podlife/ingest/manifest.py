"""Find Pod manifests in terminal transcripts and blog posts and read them, damaged or not.

Intact YAML goes through PyYAML. YAML that lost its indentation or its newlines is rebuilt the
way a reader would do it: split the keys out of the text, then re-nest them along the Pod schema
(`_SCHEMA`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml is ~10x faster than the pure-Python loader; a 1 MB `-o yaml` dump must load in well
# under a second.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ManifestDoc:
    """One manifest found in the text, reduced to what the lifecycle model needs."""

    kind: str | None  # "Pod", "Deployment", ...; None for a bare fragment
    name: str | None  # metadata.name (for controllers: the controller's name)
    namespace: str | None
    labels: dict  # metadata.labels (template labels for controllers)
    spec: dict  # PodSpec-shaped, Kubernetes camelCase keys (a controller's template spec)
    recovered: bool  # True when the structure was rebuilt from the schema
    fragment: bool  # True for a bare probe block with no Pod around it
    line: int  # 0-based index of the line where the doc starts
    end_line: int  # 0-based index of the last line that belonged to it
    raw: str  # the source text of the doc


@dataclass(frozen=True)
class ManifestScan:
    """What `scan_manifest` found from one start line: the docs and where the YAML region ends."""

    docs: list[ManifestDoc]
    end: int  # index of the first line AFTER the manifest region
    warnings: list[tuple[int, str]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The schema: per type, its known keys and what each holds. Field kinds:
#   str / int / bool / port (int or named port) / strs (list of strings)
#   free (map with arbitrary keys: labels, limits, ...) / any (structure we do not model)
#   map:T (a mapping of type T) / list:T (a list of mappings of type T)
# Field lists follow k8s.io/api core/v1, apps/v1 and batch/v1 types.

_S, _I, _B, _P, _L, _F, _A = "str", "int", "bool", "port", "strs", "free", "any"

_CONTAINER = {
    "name": _S, "image": _S, "imagePullPolicy": _S, "command": _L, "args": _L, "workingDir": _S,
    "ports": "list:ContainerPort", "envFrom": "list:EnvFromSource", "env": "list:EnvVar",
    "resources": "map:ResourceRequirements", "resizePolicy": "list:Any",
    "volumeMounts": "list:VolumeMount", "volumeDevices": "list:Any",
    "livenessProbe": "map:Probe", "readinessProbe": "map:Probe", "startupProbe": "map:Probe",
    "lifecycle": "map:Lifecycle", "terminationMessagePath": _S, "terminationMessagePolicy": _S,
    "securityContext": "map:SecurityContext", "stdin": _B, "stdinOnce": _B, "tty": _B,
}

_POD_SPEC = {
    "containers": "list:Container", "initContainers": "list:InitContainer",
    "ephemeralContainers": "list:EphemeralContainer", "restartPolicy": _S,
    "terminationGracePeriodSeconds": _I, "activeDeadlineSeconds": _I, "dnsPolicy": _S,
    "dnsConfig": _A, "nodeSelector": _F, "serviceAccountName": _S, "serviceAccount": _S,
    "automountServiceAccountToken": _B, "nodeName": _S, "hostNetwork": _B, "hostPID": _B,
    "hostIPC": _B, "hostUsers": _B, "shareProcessNamespace": _B,
    "securityContext": "map:PodSecurityContext", "imagePullSecrets": "list:LocalObjectReference",
    "hostname": _S, "subdomain": _S, "setHostnameAsFQDN": _B, "affinity": _A, "schedulerName": _S,
    "tolerations": "list:Toleration", "hostAliases": "list:HostAlias", "priorityClassName": _S,
    "priority": _I, "readinessGates": "list:PodReadinessGate", "runtimeClassName": _S,
    "enableServiceLinks": _B, "preemptionPolicy": _S, "overhead": _F,
    "topologySpreadConstraints": "list:Any", "volumes": "list:Volume", "os": _A,
    "schedulingGates": "list:Any", "resourceClaims": "list:Any",
    "resources": "map:ResourceRequirements",
}

_WORKLOAD_SPEC = {
    "replicas": _I, "selector": "map:LabelSelector", "template": "map:PodTemplate",
    "strategy": _A, "updateStrategy": _A, "minReadySeconds": _I, "revisionHistoryLimit": _I,
    "progressDeadlineSeconds": _I, "paused": _B, "serviceName": _S, "podManagementPolicy": _S,
    "volumeClaimTemplates": "list:Any", "persistentVolumeClaimRetentionPolicy": _A, "ordinals": _A,
}

_JOB_SPEC = {
    "template": "map:PodTemplate", "backoffLimit": _I, "backoffLimitPerIndex": _I,
    "maxFailedIndexes": _I, "completions": _I, "parallelism": _I, "activeDeadlineSeconds": _I,
    "ttlSecondsAfterFinished": _I, "completionMode": _S, "suspend": _B,
    "selector": "map:LabelSelector", "manualSelector": _B, "podFailurePolicy": _A,
    "podReplacementPolicy": _S, "successPolicy": _A,
}

_SCHEMA: dict[str, dict[str, str]] = {
    # `spec` and `status` are typed by the object's kind when they open (see _BY_KIND).
    "Object": {
        "apiVersion": _S, "kind": _S, "metadata": "map:ObjectMeta", "spec": "map:*",
        "status": "map:*", "items": "list:Any", "template": "map:PodTemplate", "data": _F,
        "stringData": _F, "binaryData": _F, "type": _S, "immutable": _B, "secrets": "list:Any",
        "imagePullSecrets": "list:LocalObjectReference", "automountServiceAccountToken": _B,
        "rules": "list:Any", "subjects": "list:Any", "roleRef": _A,
    },
    "ObjectMeta": {
        "name": _S, "generateName": _S, "namespace": _S, "labels": _F, "annotations": _F,
        "uid": _S, "resourceVersion": _S, "generation": _I, "creationTimestamp": _S,
        "deletionTimestamp": _S, "deletionGracePeriodSeconds": _I,
        "ownerReferences": "list:OwnerReference", "finalizers": _L,
        "managedFields": "list:ManagedFieldsEntry", "selfLink": _S,
    },
    "ManagedFieldsEntry": {
        "apiVersion": _S, "fieldsType": _S, "fieldsV1": _A, "manager": _S, "operation": _S,
        "time": _S, "subresource": _S,
    },
    "OwnerReference": {
        "apiVersion": _S, "kind": _S, "name": _S, "uid": _S, "controller": _B,
        "blockOwnerDeletion": _B,
    },
    "PodSpec": _POD_SPEC,
    "Container": _CONTAINER,
    # Only init containers take restartPolicy (the sidecar form, value Always); see _accepts.
    "InitContainer": {**_CONTAINER, "restartPolicy": _S, "restartPolicyRules": "list:Any"},
    "EphemeralContainer": {**_CONTAINER, "targetContainerName": _S},
    "Probe": {
        "exec": "map:ExecAction", "httpGet": "map:HTTPGetAction",
        "tcpSocket": "map:TCPSocketAction", "grpc": "map:GRPCAction",
        "initialDelaySeconds": _I, "timeoutSeconds": _I, "periodSeconds": _I,
        "successThreshold": _I, "failureThreshold": _I, "terminationGracePeriodSeconds": _I,
    },
    "ExecAction": {"command": _L},
    "HTTPGetAction": {
        "path": _S, "port": _P, "host": _S, "scheme": _S, "httpHeaders": "list:HTTPHeader",
    },
    "HTTPHeader": {"name": _S, "value": _S},
    "TCPSocketAction": {"port": _P, "host": _S},
    "GRPCAction": {"port": _I, "service": _S},
    "Lifecycle": {
        "postStart": "map:LifecycleHandler", "preStop": "map:LifecycleHandler", "stopSignal": _S,
    },
    "LifecycleHandler": {
        "exec": "map:ExecAction", "httpGet": "map:HTTPGetAction",
        "tcpSocket": "map:TCPSocketAction", "sleep": "map:SleepAction",
    },
    "SleepAction": {"seconds": _I},
    "ContainerPort": {
        "name": _S, "containerPort": _I, "protocol": _S, "hostPort": _I, "hostIP": _S,
    },
    "EnvVar": {"name": _S, "value": _S, "valueFrom": "map:EnvVarSource"},
    "EnvVarSource": {
        "fieldRef": "map:ObjectFieldSelector", "resourceFieldRef": "map:ResourceFieldSelector",
        "configMapKeyRef": "map:KeySelector", "secretKeyRef": "map:KeySelector",
    },
    "ObjectFieldSelector": {"apiVersion": _S, "fieldPath": _S},
    "ResourceFieldSelector": {"containerName": _S, "resource": _S, "divisor": _S},
    "KeySelector": {"name": _S, "key": _S, "optional": _B},
    "EnvFromSource": {
        "prefix": _S, "configMapRef": "map:LocalRef", "secretRef": "map:LocalRef",
    },
    "LocalRef": {"name": _S, "optional": _B},
    "ResourceRequirements": {"limits": _F, "requests": _F, "claims": "list:Any"},
    "VolumeMount": {
        "name": _S, "mountPath": _S, "subPath": _S, "subPathExpr": _S, "readOnly": _B,
        "mountPropagation": _S, "recursiveReadOnly": _S,
    },
    "Volume": {
        "name": _S, "emptyDir": "map:EmptyDirVolume", "hostPath": "map:HostPathVolume",
        "configMap": "map:ConfigMapVolume", "secret": "map:SecretVolume",
        "persistentVolumeClaim": "map:PVCVolume", "nfs": "map:NFSVolume", "projected": _A,
        "downwardAPI": _A, "csi": _A, "ephemeral": _A, "image": _A,
    },
    "EmptyDirVolume": {"medium": _S, "sizeLimit": _S},
    "HostPathVolume": {"path": _S, "type": _S},
    "ConfigMapVolume": {"name": _S, "items": "list:KeyToPath", "defaultMode": _I, "optional": _B},
    "SecretVolume": {
        "secretName": _S, "items": "list:KeyToPath", "defaultMode": _I, "optional": _B,
    },
    "KeyToPath": {"key": _S, "path": _S, "mode": _I},
    "PVCVolume": {"claimName": _S, "readOnly": _B},
    "NFSVolume": {"server": _S, "path": _S, "readOnly": _B},
    "SecurityContext": {
        "runAsUser": _I, "runAsGroup": _I, "runAsNonRoot": _B, "privileged": _B,
        "readOnlyRootFilesystem": _B, "allowPrivilegeEscalation": _B,
        "capabilities": "map:Capabilities", "seLinuxOptions": _A,
        "seccompProfile": "map:SeccompProfile", "procMount": _S, "appArmorProfile": _A,
        "windowsOptions": _A,
    },
    "Capabilities": {"add": _L, "drop": _L},
    "SeccompProfile": {"type": _S, "localhostProfile": _S},
    "PodSecurityContext": {
        "runAsUser": _I, "runAsGroup": _I, "runAsNonRoot": _B, "fsGroup": _I,
        "fsGroupChangePolicy": _S, "supplementalGroups": _A, "supplementalGroupsPolicy": _S,
        "seccompProfile": "map:SeccompProfile", "seLinuxOptions": _A, "sysctls": "list:Any",
        "appArmorProfile": _A, "windowsOptions": _A, "seLinuxChangePolicy": _S,
    },
    "Toleration": {"key": _S, "operator": _S, "value": _S, "effect": _S, "tolerationSeconds": _I},
    "LocalObjectReference": {"name": _S},
    "HostAlias": {"ip": _S, "hostnames": _L},
    "PodReadinessGate": {"conditionType": _S},
    "WorkloadSpec": _WORKLOAD_SPEC,
    "LabelSelector": {"matchLabels": _F, "matchExpressions": "list:Any"},
    "PodTemplate": {"metadata": "map:ObjectMeta", "spec": "map:PodSpec"},
    "JobSpec": _JOB_SPEC,
    "CronJobSpec": {
        "schedule": _S, "timeZone": _S, "concurrencyPolicy": _S, "suspend": _B,
        "jobTemplate": "map:JobTemplate", "successfulJobsHistoryLimit": _I,
        "failedJobsHistoryLimit": _I, "startingDeadlineSeconds": _I,
    },
    "JobTemplate": {"metadata": "map:ObjectMeta", "spec": "map:JobSpec"},
    "ServiceSpec": {
        "ports": "list:ServicePort", "selector": _F, "type": _S, "clusterIP": _S,
        "clusterIPs": _L, "externalIPs": _L, "sessionAffinity": _S, "loadBalancerIP": _S,
        "loadBalancerSourceRanges": _L, "externalName": _S, "externalTrafficPolicy": _S,
        "internalTrafficPolicy": _S, "ipFamilies": _L, "ipFamilyPolicy": _S,
        "publishNotReadyAddresses": _B, "healthCheckNodePort": _I,
        "allocateLoadBalancerNodePorts": _B, "sessionAffinityConfig": _A,
    },
    "ServicePort": {
        "name": _S, "protocol": _S, "port": _I, "targetPort": _P, "nodePort": _I,
        "appProtocol": _S,
    },
    # Status is never reported, but typing it keeps its keys (`status` in a condition, `name`
    # in a container status) from being taken for the Pod's own when indentation is lost.
    "PodStatus": {
        "phase": _S, "conditions": "list:PodCondition", "containerStatuses": "list:ContainerStatus",
        "initContainerStatuses": "list:ContainerStatus",
        "ephemeralContainerStatuses": "list:ContainerStatus", "hostIP": _S, "hostIPs": "list:Any",
        "podIP": _S, "podIPs": "list:Any", "startTime": _S, "qosClass": _S, "message": _S,
        "reason": _S, "nominatedNodeName": _S, "resize": _S, "resourceClaimStatuses": "list:Any",
        "observedGeneration": _I,
    },
    "PodCondition": {
        "type": _S, "status": _S, "lastProbeTime": _S, "lastTransitionTime": _S, "reason": _S,
        "message": _S, "observedGeneration": _I,
    },
    "ContainerStatus": {
        "name": _S, "state": _A, "lastState": _A, "ready": _B, "restartCount": _I, "image": _S,
        "imageID": _S, "containerID": _S, "started": _B, "allocatedResources": _F,
        "resources": "map:ResourceRequirements", "volumeMounts": "list:Any", "user": _A,
        "allocatedResourcesStatus": "list:Any", "stopSignal": _S,
    },
    # A bare probe block pasted on its own: the keys of a container without the container.
    "Fragment": _CONTAINER,
}

_BY_KIND = {
    "spec": {
        "Pod": "PodSpec", "Deployment": "WorkloadSpec", "ReplicaSet": "WorkloadSpec",
        "StatefulSet": "WorkloadSpec", "DaemonSet": "WorkloadSpec",
        "ReplicationController": "WorkloadSpec", "Job": "JobSpec", "CronJob": "CronJobSpec",
        "Service": "ServiceSpec",
    },
    "status": {"Pod": "PodStatus"},
}

# Where a controller keeps its pod template, under `spec`.
_TEMPLATE_PATH = {
    "Deployment": ("template",), "ReplicaSet": ("template",), "StatefulSet": ("template",),
    "DaemonSet": ("template",), "ReplicationController": ("template",), "Job": ("template",),
    "CronJob": ("jobTemplate", "spec", "template"),
}

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

# Keys with a letters-and-dashes name can be split out of glued text ("nginximage:" is
# "nginx" + "image:"); resource names are the usual keys of limits/requests.
_KNOWN = frozenset(
    k for fields in _SCHEMA.values() for k in fields if re.fullmatch(r"[A-Za-z][A-Za-z-]*", k)
) | {"cpu", "memory", "ephemeral-storage", "storage"}
_MAXKEY = max(len(k) for k in _KNOWN)
_OPENERS = frozenset(
    k for fields in _SCHEMA.values() for k, t in fields.items() if t not in (_S, _I, _B, _P)
)
# Maps of scalars (labels, limits, ...): right after one opens, a key's value is never a mapping.
_SCALAR_MAPS = frozenset(
    k for fields in _SCHEMA.values() for k, t in fields.items() if t == _F
)
_FREE_OPENERS = frozenset(
    k for fields in _SCHEMA.values() for k, t in fields.items() if t in (_F, _A)
)
# Keys that legitimately sit at the top of a document or a fragment (the region's column 0).
_TOP_KEYS = frozenset(_SCHEMA["Object"])
_FRAGMENT_KEYS = frozenset(_SCHEMA["Fragment"])
# Keys a recent API accepts where this table does not expect them; intact YAML with them is fine.
_TOLERATED = {"Container": {"restartPolicy", "restartPolicyRules"}}

# --------------------------------------------------------------------------------------------
# Where a manifest starts and where the YAML region ends.

_API_RE = re.compile(r"apiVersion\s*:")
_KIND_RE = re.compile(
    r"\bkind:\s*[\"']?(?:Pod|Deployment|ReplicaSet|StatefulSet|DaemonSet|Job|CronJob|"
    r"ReplicationController)[\"']?\s*(?:$|#|\s)"
)
_PROBE_RE = re.compile(r"^(\s*)(?:-\s+)?(livenessProbe|readinessProbe|startupProbe):\s*(?:#.*)?$")
# `cat > f.yml <<'EOF'`, `cat >f.yml<<EOF`, `cat <<EOF | kubectl apply -f -`,
# `kubectl apply -f - <<EOF`
_HEREDOC_RE = re.compile(
    r"(?:^|[\s#$;&|(])(?:cat|tee|kubectl|oc)\b[^<\n]*<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1"
    r"(?=\s|$|[|>;&)])"
)
_PROMPT_RE = re.compile(
    r"""^\s*(?:
        \[[^\]\n]*\]\s?[#$%]                          # [root@node1 test]#
      | \]\s?[#$]                                     # ]#  (left part of the prompt lost)
      | [\w.-]+@[\w.-]+(?::\S*)?\s?[#$%]              # root@web-0:/#   me@box:~$
      | (?:[\w.~:/@-]+\s?)?[$%\u276f\u279c]\s+\S     # $ kubectl   master $ kubectl
      | PS\s[^>\n]*>                                  # PowerShell
      | \#\s*(?:kubectl|cluster/|\./|sudo|oc|helm|k|docker|crictl|minikube)\b  # "# kubectl ..."
    )""",
    re.X,
)
_COMMAND_RE = re.compile(
    r"^\s*(?:sudo\s+)?(?:kubectl|kubeadm|k|oc|helm|vim?|nano|cat|cd|mkdir|ls|rm|cp|mv|docker|"
    r"crictl|curl|wget|watch|echo|ssh|scp|git|minikube|kind|systemctl|journalctl|export|source|"
    r"alias|sleep|touch|chmod|tee|grep|awk|sed|less|more|tail|head|python3?|bash|sh)(?:\s|$)"
)
_TABLE_HEADER_RE = re.compile(r"^\s*[A-Z][A-Z0-9()_/-]*(?:\s+[A-Z][A-Z0-9()_/-]*){2,}\s*$")
_TERMINATOR_RE = re.compile(r"^\s*(?:>\s*)?[A-Z][A-Z_]{1,}\s*$")  # EOF, END, ...
_SEPARATOR_RE = re.compile(r"^\s*(?:-{4,}|={3,}|\*{3,}|_{3,}|\.\.\.|`{3}.*|~{3}.*)\s*$")
_DOCSEP_RE = re.compile(r"^---(?:\s.*)?$")
# A key is any plain scalar without blanks (managedFields has `f:labels:` and `k:{"name":"x"}:`).
_LINE_KEY_RE = re.compile(
    r"^(?:-\s+)*(\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_.][^\s]*?)\s*:(?:\s|$)", re.A
)
_LINE_GLUED_RE = re.compile(r"^(?:-\s+)*([A-Za-z][A-Za-z0-9]*):(?=\S)", re.A)
_BLOCK_SCALAR_RE = re.compile(r"(?::|^-|\s-)\s*[|>][-+0-9]*\s*(?:#.*)?$")  # `key: |`, `- >-`
_BLOCK_INDICATOR_RE = re.compile(r"[|>][-+0-9]*")
# A block scalar that lost its indentation runs over shell lines (its script may `sleep`); a
# blank line, a prompt, a table or a `kubectl` line ends it.
_BLOCK_END_RE = re.compile(r"^\s*kubectl\s")


def looks_like_manifest_start(line: str) -> bool:
    """True when a manifest (or a bare probe block, or a heredoc that may hold one) starts here."""
    try:
        if "apiVersion" in line and _API_RE.search(line):
            return True
        if "kind:" in line and _KIND_RE.search(line):
            return True
        if "Probe:" in line and _PROBE_RE.match(line):
            return True
        return "<<" in line and _heredoc(line) is not None
    except Exception:  # a predicate on arbitrary text must never take the caller down
        return False


def _heredoc(line: str) -> re.Match | None:
    # Openers are short; looking only at the head keeps a huge line with `<<` in it linear.
    return _HEREDOC_RE.search(line[:500]) if "<<" in line else None


@dataclass
class _Region:
    items: list[tuple[int, str]]  # (line index, text with the region's indentation removed)
    end: int
    fragment: bool


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip(" "))


def _start_position(line: str) -> tuple[int, int, bool] | None:
    """(column where the YAML begins, base indentation, fragment?) for a start line."""
    cands = [m.start() for m in (_API_RE.search(line), _KIND_RE.search(line)) if m]
    if cands:
        pos = min(cands)
        if pos and line[pos - 1] == "\\":  # `\"apiVersion\":` inside some JSON string
            return None
        prefix = line[:pos]
        # A prompt or command glued in front (`vim pod3.yamlapiVersion: v1`) says nothing about
        # indentation; a `- ` or spaces in front do.
        base = pos if prefix.strip() in ("", "-") else 0
        return pos, base, False
    m = _PROBE_RE.match(line)
    if m:
        return len(m.group(1)), len(m.group(1)), True
    if _is_yaml_line(line.strip(), 0, False, False, 0):
        return _indent(line), _indent(line), False
    return None


def _yamlish(s: str) -> bool:
    """A stripped line that starts like YAML: a key or a list item."""
    if s == "-" or s.startswith("- "):
        return True
    if _LINE_KEY_RE.match(s):
        return True
    g = _LINE_GLUED_RE.match(s)
    return bool(g and g.group(1) in _OPENERS)


def _is_end_line(text: str) -> bool:
    return bool(
        _PROMPT_RE.match(text)
        or _COMMAND_RE.match(text)
        or _TABLE_HEADER_RE.match(text)
        or _TERMINATOR_RE.match(text)
        or _SEPARATOR_RE.match(text)
    )


def _is_yaml_line(
    s: str, rel: int, indent_seen: bool, fragment: bool, prev_rel: int,
    m: re.Match | None = None,
) -> bool:
    """Does a (stripped) line read as YAML at this point of the region? (`m`: its key match.)"""
    if s == "-" or s.startswith("- "):
        return True
    m = m or _LINE_KEY_RE.match(s)
    if m:
        key = m.group(1)
    else:
        g = _LINE_GLUED_RE.match(s)
        if not (g and g.group(1) in _OPENERS):
            # In indented YAML a deeper line that is no key continues a wrapped scalar.
            return indent_seen and rel > prev_rel
        key = g.group(1)
    if key in ("error", "warning") and rel == 0:
        return False  # kubectl's own `error: ...` / `warning: ...` after an apply
    if indent_seen:
        # Back at the left margin of indented YAML, only a top-level key can follow.
        return rel > 0 or key in (_FRAGMENT_KEYS if fragment else _TOP_KEYS)
    # `Name:   x`, `Events:`: kubectl describe, not YAML (ALL_CAPS keys are ConfigMap data).
    return not (key[:1].isupper() and key[1:2].islower() and key not in _KNOWN)


def _flow_delta(s: str) -> int:
    """Net count of open flow brackets on a line, ignoring quoted text."""
    if "[" not in s and "{" not in s and "]" not in s and "}" not in s:
        return 0
    depth, quote = 0, None
    for ch in s:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "#" and depth == 0:
            break
    return depth


def _next_is_doc(lines: list[str], j: int, base: int) -> bool:
    """After a `---`: does another manifest follow (skipping blanks and comments)?"""
    for k in range(j, min(len(lines), j + 20)):
        s = lines[k][base:].strip() if _indent(lines[k]) >= base else lines[k].strip()
        if not s or s.startswith("#"):
            continue
        return s.startswith(("apiVersion:", "kind:"))
    return False


_HEREDOC_MAX = 20000  # lines; a longer body is read as plain text, which works for YAML too


def _heredoc_region(lines: list[str], start: int, tag: str) -> _Region | None:
    for j in range(start + 1, min(len(lines), start + 1 + _HEREDOC_MAX)):
        s = lines[j].strip()
        if s == tag or s == "> " + tag:
            body = lines[start + 1 : j]
            # An interactive heredoc shows the shell's continuation prompt on every line.
            if body and all(not b.strip() or b.startswith(">") for b in body):
                body = [b[2:] if b.startswith("> ") else b[1:] for b in body]
            items = list(zip(range(start + 1, j), body))
            first = next((t for _, t in items if t.strip()), "")
            return _Region(items, j + 1, bool(_PROBE_RE.match(first)))
    return None


def _region(lines: list[str], start: int) -> _Region | None:
    line = lines[start]
    if "<<" in line:
        h = _heredoc(line)
        if h and not _API_RE.search(line):
            found = _heredoc_region(lines, start, h.group(2))
            if found is not None:
                return found
            # No terminator (the paste was cut): read on from the next line as plain text.
            start += 1
            if start >= len(lines):
                return None
            line = lines[start]
    sp = _start_position(line)
    if sp is None:
        return None
    pos, base, fragment = sp
    items = [(start, line[pos:])]
    s0 = line[pos:].strip()
    pending: list[tuple[int, str]] = []
    indent_seen = False
    prev_rel = 0
    block: int | None = _indent(line) - base if _BLOCK_SCALAR_RE.search(s0) else None
    flat_block = False  # a block scalar whose text lost its indentation too
    depth = max(0, _flow_delta(s0))
    j = start + 1
    n = len(lines)
    while j < n:
        raw = lines[j]
        body = raw.lstrip(" ")
        s = body.strip()
        if not s:
            if fragment:
                break  # a blank line ends a pasted probe block (two blocks are two fragments)
            pending.append((j, ""))
            flat_block = False
            j += 1
            continue
        ind = len(raw) - len(body)
        if ind < base:
            break
        text = raw[base:] if base else raw
        rel = ind - base
        if block is not None and rel > block:
            items += pending + [(j, text)]
            pending = []
            j += 1
            continue
        block = None
        if flat_block:
            if not _yamlish(s):
                if _BLOCK_END_RE.match(text) or (
                    _is_end_line(text) and not _COMMAND_RE.match(text)
                ):
                    break
                items += pending + [(j, text)]
                pending = []
                j += 1
                continue
            flat_block = False
        if depth > 0 and j - items[-1][0] < 50:
            items += pending + [(j, text)]
            pending = []
            depth = max(0, depth + _flow_delta(text))
            j += 1
            continue
        depth = 0
        key_m = _LINE_KEY_RE.match(s)
        # A `key: ...` line cannot be a prompt, a command or a table header; checking only the
        # other lines keeps a 1 MB `-o yaml` dump fast.
        if key_m is None and _is_end_line(text):
            break
        if "apiVersion" in s and _API_RE.search(s) and not re.match(r"(?:-\s+)?apiVersion\s*:", s):
            break  # another manifest glued into this line: the caller restarts there
        if s[0] == "#":
            pending.append((j, text))
            j += 1
            continue
        if s.startswith("---") and _DOCSEP_RE.match(s):
            if not _next_is_doc(lines, j + 1, base):
                break
            items.extend(pending)
            items.append((j, text))
            pending = []
            j += 1
            continue
        if not _is_yaml_line(s, rel, indent_seen, fragment, prev_rel, key_m):
            break
        if pending:
            items.extend(pending)
            pending = []
        items.append((j, text))
        if rel > 0:
            indent_seen = True
        prev_rel = rel
        if ("|" in s or ">" in s) and _BLOCK_SCALAR_RE.search(s):
            block = rel
            flat_block = not indent_seen
        depth = max(0, _flow_delta(s))
        j += 1
    return _Region(items, items[-1][0] + 1, fragment)


# --------------------------------------------------------------------------------------------
# Intact YAML.


def _chunks(items: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Split a region into YAML documents at `---` lines (and at a second top-level apiVersion
    in indented YAML, where a missing `---` would otherwise silently merge two manifests)."""
    chunks: list[list[tuple[int, str]]] = [[]]
    indented = any(t[:1] == " " and t.strip() for _, t in items)
    seen_api = False
    for idx, text in items:
        if _DOCSEP_RE.match(text) or text.rstrip() == "...":
            chunks.append([])
            seen_api = False
            continue
        if indented and text.startswith("apiVersion:"):
            if seen_api:
                chunks.append([])
            seen_api = True
        chunks[-1].append((idx, text))
    return [c for c in chunks if any(t.strip() for _, t in c)]


# Blocks no ManifestDoc uses; in a `kubectl get -o yaml` dump they are most of the text, and
# skipping them before PyYAML builds them roughly halves the load time.
_SKIP_BLOCK_RE = re.compile(r"^ *(?:status|managedFields):\s*$")


def _drop_unused(chunk: list[tuple[int, str]]) -> str:
    out: list[str] = []
    skip_at = -1
    for _, text in chunk:
        if skip_at >= 0:
            ind = _indent(text)
            if not text.strip() or ind > skip_at or (ind == skip_at and text[ind:ind + 1] == "-"):
                continue
            skip_at = -1
        if _SKIP_BLOCK_RE.match(text):
            skip_at = _indent(text)
            continue
        out.append(text)
    return "\n".join(out)


_BRACKET_RE = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    """Nesting no manifest has. libyaml's composer recurses in C and would crash the process on
    `[[[[...`, and the pure-Python loader is quadratic in depth, so such text is not loaded."""
    if text.count("[") + text.count("{") > 64:
        depth = top = 0
        for m in _BRACKET_RE.finditer(text):
            depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
            top = max(top, depth)
        if top > 64:
            return True
    return max((len(x) - len(x.lstrip(" -?:")) for x in text.splitlines()), default=0) > 200


def _load_yaml(text: str) -> list[Any] | None:
    if _too_deep(text):
        return None
    try:
        docs = [d for d in yaml.load_all(text, Loader=_LOADER) if d is not None]
    except Exception:  # any YAML error (or recursion on absurd nesting) means: rebuild instead
        return None
    from kubectl_podlife.ingest.objects import expanded_size_problem

    if any(expanded_size_problem(d) for d in docs):  # an alias bomb: never flattened
        return None
    return docs


_OPENER_LINE_RE = re.compile(r"^( *)(?:- +)?([A-Za-z][A-Za-z0-9]*):\s*(?:#.*)?$")
_MAP_OPENERS = frozenset(
    k for fields in _SCHEMA.values() for k, t in fields.items() if t.startswith("map:")
)


def _visibly_flat(chunk: list[tuple[int, str]]) -> bool:
    """`metadata:` (or `spec:`, `livenessProbe:`, ...) followed by a sibling at the same column:
    indentation was lost, so loading it as YAML would only give a wrong, flat result."""
    prev: re.Match | None = None
    for _, text in chunk:
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        if prev is not None and _indent(text) == len(prev.group(1)) and not s.startswith("-"):
            return True
        m = _OPENER_LINE_RE.match(text)
        prev = m if m and m.group(2) in _MAP_OPENERS and "- " not in text[: m.start(2)] else None
    return False


def _field_type(type_name: str, key: str, doc: dict | None = None) -> str | None:
    fields = _SCHEMA.get(type_name)
    if fields is None:
        return None
    f = fields.get(key)
    if f == "map:*":
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if not isinstance(kind, str):
            kind = "Pod"  # a manifest without `kind:` here is most likely a pod
        by_kind = _BY_KIND[key]
        return "map:" + by_kind[kind] if kind in by_kind else _A
    return f


def _misplaced(obj: Any, type_name: str, root: dict) -> bool:
    """True when YAML loaded but keys sit at levels where the schema says they cannot be: the
    mark of lost indentation (`name` next to `kind`, `exec` next to `livenessProbe: null`)."""
    if not isinstance(obj, dict):
        return False
    fields = _SCHEMA.get(type_name)
    if fields is None:
        return False
    tolerated = _TOLERATED.get(type_name, ())
    for k, v in obj.items():
        if not isinstance(k, str) or ":" in k:
            return True
        f = _field_type(type_name, k, root)
        if f is None:
            if k in _KNOWN and k not in tolerated:
                return True
            continue
        if f.startswith("map:") and _misplaced(v, f[4:], root):
            return True
        if f.startswith("list:") and isinstance(v, list):
            if any(_misplaced(x, f[5:], root) for x in v[:50]):
                return True
    return False


def _as_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _read_int(key: str, v: str, line: int, warns: list[tuple[int, str]]) -> int | str:
    m = re.match(r"[+-]?\d+", v)
    if m and m.end() == len(v):
        return int(v)
    if m:
        warns.append((line, f'{key}: read {m.group()} from "{_short(v)}"; dropped '
                            f'"{_short(v[m.end():].strip())}"'))
        return int(m.group())
    warns.append((line, f'{key}: cannot read "{_short(v)}"; expected a whole number'))
    return v


def _normalize(obj: Any, type_name: str, root: dict, line: int, warns: list) -> None:
    """Give intact YAML the same shapes as rebuilt YAML: int fields as int, string lists as str."""
    if not isinstance(obj, dict) or type_name not in _SCHEMA:
        return
    for k, v in list(obj.items()):
        f = _field_type(type_name, k, root) if isinstance(k, str) else None
        if f is None:
            continue
        if f == _I and isinstance(v, str):
            obj[k] = _read_int(k, v.strip(), line, warns)
        elif f == _S and isinstance(v, str) and (m := _GLUED_CMD_RE.search(v)):
            obj[k] = v[: m.start()].strip()
            warns.append((line, f'{k}: kept "{_short(obj[k])}"; dropped the text glued after it: '
                                f'"{_short(v[m.start():])}"'))
        elif f == _L and isinstance(v, list):
            obj[k] = [_as_str(x) if not isinstance(x, (dict, list)) else x for x in v]
        elif f.startswith("map:"):
            _normalize(v, f[4:], root, line, warns)
        elif f.startswith("list:") and isinstance(v, list):
            for x in v:
                _normalize(x, f[5:], root, line, warns)


# --------------------------------------------------------------------------------------------
# Rebuilding damaged YAML, step 1: cut each line into tokens.


@dataclass
class _Tok:
    kind: str  # "K" key, "I" list item marker, "S" scalar (an item's value), "D" document separator
    line: int
    key: str | None = None
    value: str | None = None  # None after a key: a mapping or list follows (an "opener")
    vk: str = "plain"  # plain / quoted / flow


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# Text that cannot be part of a value: a shell command glued to it (`2kubectl create -f x`,
# `exec.yamlkubectl get`), a shell prompt, or prose after it (`20 这个例子`).
_GLUED_CMD = (
    r"(?:(?<=[A-Za-z0-9_.\])'\"])(?:kubectl|kubeadm|minikube|crictl)"
    r"|(?:(?<=[0-9\])'\"])|(?<=\.yaml)|(?<=\.yml)|(?<=\.json)|(?<=\.sh))"
    r"(?:vim?|cat|cd|mkdir|docker|curl|helm|watch|sudo|systemctl|echo|ls|rm))\s+\S"
)
_PROMPT_CUT = r"\s(?:\[[^\]\s]*@[^\]]*\]|[\w.-]+@[\w.-]+:\S*)\s?[#$]"
_PROSE_CUT = rf"\s[{_CJK}]"  # one blank: `\s+` backtracks quadratically over long indents
_GLUED_CMD_RE = re.compile(f"{_GLUED_CMD}|{_PROMPT_CUT}")
# A spaced `kubectl get ...` ends a key's value, but may be a list item (`args: - kubectl ...`).
_CUT_RE = re.compile(
    f"{_GLUED_CMD}|{_PROMPT_CUT}|{_PROSE_CUT}|"
    r"(?P<spaced>(?<=\s)kubectl\s+(?:apply|create|get|describe|delete|logs|exec|edit|run|expose|"
    r"rollout|scale|label|annotate|explain|top|port-forward|patch|replace|wait|events|debug|cp|"
    r"attach|set)\b)"
)
_NODE_KEY_RE = re.compile(
    r"(\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_][A-Za-z0-9_./-]*):(?=\s|$)", re.A
)
# Any blank-free key, for managedFields (`f:spec:`, `k:{"name":"web"}:`).
_WIDE_KEY_RE = re.compile(r"([A-Za-z0-9_.][^\s]*?):(?=\s|$)")
_WORD_COLON_RE = re.compile(r"([A-Za-z][A-Za-z0-9]*):", re.A)
_MARK_RE = re.compile(r"[:#-]")
_COLON_RE = re.compile(":")
_KEYCH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


def _short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        inner = s[1:-1]
        if s[0] == "'":
            return inner.replace("''", "'")
        try:
            v = yaml.load(s, Loader=_LOADER)
            return v if isinstance(v, str) else inner
        except Exception:
            return inner
    return s


class _Line:
    """One line of damaged YAML being cut into tokens."""

    def __init__(self, text: str, line: int, out: list[_Tok], warns: list[tuple[int, str]]):
        self.t, self.n, self.line, self.out, self.warns = text, len(text), line, out, warns
        cuts = list(_CUT_RE.finditer(text))
        self.value_cuts = [m.start() for m in cuts]
        self.item_cuts = [m.start() for m in cuts if m.group("spaced") is None]
        self.cut = False
        self.label_key_next = False  # the next key is the first key of a map of scalars

    # -- helpers over the text

    def _ws(self, i: int) -> int:
        while i < self.n and self.t[i] in " \t":
            i += 1
        return i

    def _glued_key_start(self, p: int, lo: int) -> int:
        """Start of the longest known key ending right before the colon at p, or -1.
        `nginximage:` -> "image"; `soscscs/myapp:` -> none ("myapp" is no key)."""
        t, j = self.t, p
        while j > lo and t[j - 1] in _LETTERS and p - j < _MAXKEY:
            j -= 1
        for length in range(p - j, 0, -1):
            if t[p - length : p] in _KNOWN:
                return p - length
        return -1

    def _follow_ok(self, q: int, key: str) -> bool:
        """May an opener key be glued to what follows it (`metadata:name:`, `args:- /bin/sh`)?
        Only when a node really starts there, so `foo/data:latest` stays one value."""
        t, n = self.t, self.n
        if key not in _OPENERS:
            return False
        if q >= n:
            return True
        c = t[q]
        if c == "-":
            return q + 1 >= n or t[q + 1] in " \t"
        if c in "[{":
            return True
        if key in _FREE_OPENERS and _NODE_KEY_RE.match(t, q):
            return True
        m = _WORD_COLON_RE.match(t, q)
        return bool(m and m.group(1) in _KNOWN)

    def _glued_inside(self, pos: int, colon: int) -> bool:
        """Is the word pos..colon a value with a known key glued to its end (`nginximage`,
        `5periodSeconds`) rather than one key (`app.kubernetes.io/name`, `my-name`)?"""
        k0 = self._glued_key_start(colon, pos)
        return k0 > pos and self.t[k0 - 1].isalnum()

    def _key_at(self, pos: int, after_key: bool = False) -> tuple[str, int, bool] | None:
        """A key starting a node at pos: (key, index after the colon, glued opener?).
        Right after `key: ` the word may be a value with a key glued on (`name: nginximage:`);
        elsewhere (line start, after `- ` or an opener: `nodeSelector:disktype:`) it is a key."""
        m = _NODE_KEY_RE.match(self.t, pos)
        if m and not (after_key and self._glued_inside(pos, m.end() - 1)):
            return _unquote(m.group(1)), m.end(), False
        m = _WORD_COLON_RE.match(self.t, pos)
        if m and self._follow_ok(m.end(), m.group(1)):
            return m.group(1), m.end(), True  # `metadata:name:`, before `metadata:name` as a key
        m = _WIDE_KEY_RE.match(self.t, pos)
        if m and not after_key:
            return m.group(1), m.end(), False
        return None

    def _next_cut(self, start: int, item: bool) -> int:
        cuts = self.item_cuts if item else self.value_cuts
        k = bisect.bisect_left(cuts, start)
        return cuts[k] if k < len(cuts) else self.n

    def _boundary(self, start: int, item: bool) -> tuple[int, str]:
        """Where a plain value that starts at `start` ends, and why."""
        t, n = self.t, self.n
        # A cut right at the start is the value itself (`change-cause: kubectl apply`).
        cut = self._next_cut(start + 1, item)
        for m in _MARK_RE.finditer(t, start, cut):
            i = m.start()
            c = t[i]
            if c == ":":
                after_ws = i + 1 >= n or t[i + 1] in " \t"
                k0 = self._glued_key_start(i, start)
                if k0 >= 0 and (after_ws or self._follow_ok(i + 1, t[k0:i])):
                    if k0 > 0 and t[k0 - 1] == "#":
                        return k0 - 1, "ckey"  # `Always#command: [...]`: a commented-out key
                    return k0, "key"
                if after_ws:
                    # A plain YAML value cannot hold ": ", so an unknown key starts at the last
                    # blank before it (one-liners: `labels: app: web tier: db`).
                    j = i
                    while j > start and t[j - 1] in _KEYCH:
                        j -= 1
                    if j < i and (j == start or t[j - 1] in " \t") and t[j] not in "./-":
                        word = t[j:i]
                        if word[0].isupper() and word[1:2].islower() and word not in _KNOWN:
                            return j, "cut"  # `Name: d Namespace: x`: describe output, not YAML
                        return j, "key"
            elif c == "#":
                if i > start and t[i - 1] in " \t":
                    return i, "comment"
            elif i > start and (i + 1 >= n or t[i + 1] in " \t"):
                if item or _NODE_KEY_RE.match(t, self._ws(i + 1)):
                    return i, "item"
        return (cut, "cut") if cut < n else (n, "end")

    def _comment_end(self, i: int) -> int:
        """A comment runs to the end of the line, or in glued text to the next key glued to it
        (`#修改 nginx 镜像版本imagePullPolicy: Always`)."""
        t = self.t
        for m in _COLON_RE.finditer(t, i + 1):
            p = m.start()
            k0 = self._glued_key_start(p, i + 1)
            if k0 > i + 1 and t[k0 - 1] not in " \t#":
                if p + 1 >= self.n or t[p + 1] in " \t" or self._follow_ok(p + 1, t[k0:p]):
                    return k0
        return self.n

    def _balanced(self, pos: int) -> int:
        """End of the flow collection or quoted string starting at pos (end of line if open)."""
        t, n = self.t, self.n
        if t[pos] in "\"'":
            q = t[pos]
            i = pos + 1
            while i < n:
                if t[i] == "\\" and q == '"':
                    i += 2
                    continue
                if t[i] == q:
                    if q == "'" and i + 1 < n and t[i + 1] == "'":
                        i += 2
                        continue
                    return i + 1
                i += 1
            return n
        depth, quote, i = 0, None, pos
        while i < n:
            ch = t[i]
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'" and t[i - 1] in "[{, ":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return n

    def _cut_here(self, at: int, after: str) -> None:
        dropped = self.t[at:].strip()
        if _COMMAND_RE.match(dropped):  # `kubectl create -f pod1.yaml#此时...`: drop the remark
            dropped = re.sub(r"#.*$", "", dropped).strip() or dropped
        self.warns.append((self.line, f'dropped the text glued after {after}: "{_short(dropped)}"'))
        self.cut = True

    # -- the line

    def run(self) -> bool:
        """Append this line's tokens; True when a command or prose was cut off (region ends)."""
        t, n, out = self.t, self.n, self.out
        pos = 0
        while pos < n and not self.cut:
            pos = self._ws(pos)
            if pos >= n:
                break
            ch = t[pos]
            if ch == "#":
                pos = self._comment_end(pos)
                continue
            if ch == "-" and (pos + 1 >= n or t[pos + 1] in " \t"):
                out.append(_Tok("I", self.line))
                pos += 1
                continue
            k = self._key_at(pos)
            if k is not None:
                pos = self._value(*k)
            else:
                pos = self._scalar(pos)
        return self.cut

    def _value(self, key: str, pos: int, glued: bool) -> int:
        t, n = self.t, self.n
        tok = _Tok("K", self.line, key)
        self.out.append(tok)
        in_scalar_map, self.label_key_next = self.label_key_next, False
        if glued:
            self.label_key_next = key in _SCALAR_MAPS
            return pos
        pos = self._ws(pos)
        if pos >= n:
            return pos
        ch = t[pos]
        if ch == "-" and (pos + 1 >= n or t[pos + 1] in " \t"):
            return pos  # `args: - /bin/sh`: a list follows
        if ch == "#":
            return self._comment_end(pos)
        if not in_scalar_map and self._key_at(pos, after_key=True) is not None:
            # `metadata: name: x` (one-liner): a mapping follows. Not for `labels:app: webtier: x`,
            # where `webtier: x` is what is left of two glued labels.
            self.label_key_next = key in _SCALAR_MAPS
            return pos
        if ch in "[{\"'":
            end = self._balanced(pos)
            tok.value, tok.vk = t[pos:end], "flow" if ch in "[{" else "quoted"
            if tok.vk == "quoted":
                tok.value = _unquote(tok.value)
            return self._after_closed(end, f"{key}: {_short(t[pos:end], 30)}")
        b, why = self._boundary(pos, item=False)
        tok.value = t[pos:b].strip()
        return self._after_plain(b, why, f"{key}: {tok.value}")

    def _scalar(self, pos: int) -> int:
        """A value with no key: a list item's value, or junk to report."""
        t = self.t
        if self._next_cut(pos, True) == pos:  # `]kubectl create -f x`: a command, not a value
            self._cut_here(pos, self._last_what())
            return self.n
        if not (self.out and self.out[-1].kind == "I"):
            end = self._balanced(pos) if t[pos] in "[{\"'" else self._boundary(pos, item=True)[0]
            self.warns.append((self.line, f'ignored "{_short(t[pos:end])}" after '
                                          f"{self._last_what()}"))
            return end
        if t[pos] in "[{\"'":
            end = self._balanced(pos)
            raw = t[pos:end]
            quoted = raw[0] in "\"'"
            self.out.append(_Tok("S", self.line, None, _unquote(raw) if quoted else raw,
                                 "quoted" if quoted else "flow"))
            return self._after_closed(end, f"- {_short(raw, 30)}")
        end, why = self._boundary(pos, item=True)
        value = t[pos:end].strip()
        self.out.append(_Tok("S", self.line, None, value))
        return self._after_plain(end, why, f"- {value}")

    def _last_what(self) -> str:
        for tok in reversed(self.out):
            if tok.kind == "K":
                v = "" if tok.value is None else f" {_short(tok.value, 30)}"
                return f"{tok.key}:{v}"
            if tok.kind == "S":
                return f"- {_short(tok.value or '', 30)}"
        return "the manifest"

    def _after_plain(self, b: int, why: str, what: str) -> int:
        if why == "cut":
            self._cut_here(b, what)
            return self.n
        if why in ("comment", "ckey"):
            return self._comment_end(b)
        return b

    def _after_closed(self, end: int, what: str) -> int:
        """After a flow value or quoted string: a key, an item, a comment, or junk to cut."""
        pos = self._ws(end)
        if pos >= self.n:
            return pos
        if self._next_cut(end, True) in (end, pos) or self._next_cut(end, False) in (end, pos):
            self._cut_here(pos, what)
            return self.n
        if self.t[pos] == "#" or self._key_at(pos) is not None or self.t[pos] == "-":
            return pos
        b, why = self._boundary(pos, item=False)
        if why == "cut":
            self._cut_here(pos, what)
            return self.n
        self.warns.append((self.line, f'ignored "{_short(self.t[pos:b])}" after {what}'))
        return b


def _tokenize(chunk: list[tuple[int, str]], warns: list) -> tuple[list[_Tok], int | None]:
    """Tokens of a damaged chunk, and the line where a glued command cut the region short."""
    out: list[_Tok] = []
    # Join flow collections that continue over lines (`command: ["sh", "-c",` / `"echo"]`).
    joined: list[tuple[int, str]] = []
    depth = 0
    for idx, text in chunk:
        text = text.rstrip()  # CRLF text keeps its "\r"
        if depth > 0 and joined:
            joined[-1] = (joined[-1][0], joined[-1][1] + " " + text.strip())
        else:
            joined.append((idx, text))
        depth = max(0, depth + _flow_delta(text)) if depth > 0 else max(0, _flow_delta(text))
    block: _Tok | None = None  # a `|` / `>` whose text follows on lines that are not YAML
    text_lines: list[str] = []
    for idx, text in joined:
        s = text.strip()
        if block is not None:
            if s and not _yamlish(s):
                text_lines.append(s)
                continue
            _close_block(block, text_lines)
            block = None
        if not s or s.startswith("#"):
            continue
        if _DOCSEP_RE.match(s):
            out.append(_Tok("D", idx))
            continue
        if _Line(text, idx, out, warns).run():
            return out, idx
        last = out[-1] if out else None
        if last and last.kind in "KS" and last.vk == "plain" and last.value \
                and _BLOCK_INDICATOR_RE.fullmatch(last.value):
            block, text_lines = last, []
    if block is not None:
        _close_block(block, text_lines)
    return out, None


def _close_block(tok: _Tok, text_lines: list[str]) -> None:
    """Give a block scalar its text: lines joined as `|` (newlines) or `>` (spaces) would."""
    indicator = tok.value or "|"
    text = ("\n" if indicator.startswith("|") else " ").join(text_lines)
    if text_lines and "-" not in indicator:
        text += "\n"
    tok.value, tok.vk = text, "quoted"


# --------------------------------------------------------------------------------------------
# Rebuilding damaged YAML, step 2: re-nest the tokens along the schema.


@dataclass
class _Map:
    type: str  # a _SCHEMA type, or "free" (arbitrary scalar keys), or "any" (unmodelled)
    obj: dict
    fresh: bool = False  # a free map just opened: its first key is its own, whatever it is
    item_of: _List | None = None
    owner: dict | None = None
    key: str | None = None


@dataclass
class _List:
    item: str
    obj: list


@dataclass
class _Strs:
    obj: list


_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _plain(v: str) -> Any:
    """Resolve a plain scalar the way YAML would (for fields the schema does not type)."""
    if v in ("", "~", "null", "Null", "NULL"):
        return None
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    if _INT_RE.fullmatch(v):
        return int(v)
    if _FLOAT_RE.fullmatch(v):
        return float(v)
    return v


def _split_flow(text: str) -> list[str] | None:
    """Items of a one-level flow sequence `[a, "b", c d]` as strings; None if it nests."""
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        return None
    inner = inner[1:-1]
    items, cur, quote = [], [], None
    for ch in inner:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'" and not "".join(cur).strip():
            quote = ch
            cur.append(ch)
        elif ch in "[]{}":
            return None
        elif ch == ",":
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur).strip())
    if items and items[-1] == "":
        items.pop()
    return [_unquote(x) for x in items]


def _flow_value(text: str, strs: bool) -> Any:
    if strs:
        items = _split_flow(text)
        if items is not None:
            return items
    try:
        if _too_deep(text):
            raise ValueError("too deep")
        v = yaml.load(text, Loader=_LOADER)
    except Exception:
        v = _split_flow(text)
        if v is None:
            return [] if text.startswith("[") else {}
    if strs and isinstance(v, list):
        return [_as_str(x) if not isinstance(x, (dict, list)) else x for x in v]
    return v


class _Walker:
    """Re-nests tokens with a stack of typed contexts: a key the current context does not know
    pops the stack until a context accepts it, the way indentation would have closed them."""

    def __init__(self, root: str, warns: list[tuple[int, str]]):
        self.root, self.warns = root, warns
        self.docs: list[tuple[dict, int, int]] = []
        self.doc: dict = {}
        self.stack: list[Any] = []
        self.first: int | None = None
        self.last = 0
        self._new_doc()

    def _new_doc(self) -> None:
        if self.doc and self.first is not None:
            self.docs.append((self.doc, self.first, self.last))
        self.doc = {}
        self.stack = [_Map(self.root, self.doc)]
        self.first = None

    def _seen(self, tok: _Tok) -> None:
        if self.first is None:
            self.first = tok.line
        self.last = tok.line

    def run(self, toks: list[_Tok]) -> list[tuple[dict, int, int]]:
        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok.kind == "K":
                self._seen(tok)
                self._key(tok)
            elif tok.kind == "I":
                i += self._item(toks, i)
            elif tok.kind == "D":
                self._new_doc()
            i += 1
        self._new_doc()
        return self.docs

    # -- keys

    def _accepts(self, ctx: Any, tok: _Tok) -> bool:
        if not isinstance(ctx, _Map) or ctx.type not in _SCHEMA:
            return False
        if tok.key not in _SCHEMA[ctx.type]:
            return False
        if ctx.type == "InitContainer" and tok.key == "restartPolicy":
            # Only a sidecar says `restartPolicy: Always` on a container; anything else after an
            # init container is the Pod's own restartPolicy whose indentation was lost.
            return tok.value == "Always"
        if ctx.type == "Probe" and tok.key == "terminationGracePeriodSeconds":
            # Both a probe and the Pod have it; the Pod's is far more common (and readiness
            # probes reject it), so a Pod spec that is open takes it.
            return not any(isinstance(c, _Map) and c.type == "PodSpec" for c in self.stack)
        return True

    def _key(self, tok: _Tok) -> None:
        opener = tok.value is None
        top = self.stack[-1]
        if isinstance(top, _Map) and top.type == "free" and top.fresh and not opener:
            top.fresh = False
            self._set(top, tok)
            return
        for idx in range(len(self.stack) - 1, -1, -1):
            ctx = self.stack[idx]
            if isinstance(ctx, _List) and idx == len(self.stack) - 1:
                if tok.key in _SCHEMA.get(ctx.item, {}):
                    self._set(self._push_item(ctx), tok)  # `containers:` then `name: x`: lost "- "
                    return
                continue
            if not self._accepts(ctx, tok):
                continue
            if tok.key in ctx.obj:
                if ctx.item_of is not None:
                    # The same key again in a list item: the next item began (lost "- ").
                    del self.stack[idx:]
                    self._set(self._push_item(ctx.item_of), tok)
                    return
                if idx == 0:
                    if tok.key in ("apiVersion", "kind"):
                        self._new_doc()  # a second manifest without `---`
                        self._seen(tok)
                        self._set(self.stack[0], tok)
                        return
                    break  # `status:` inside a condition, say: not the root's; keep it here
            del self.stack[idx + 1 :]
            self._set(ctx, tok)
            return
        # Nobody knows the key: keep it where it was written.
        for idx in range(len(self.stack) - 1, -1, -1):
            ctx = self.stack[idx]
            if isinstance(ctx, _Map) and not (ctx.type == "free" and opener):
                del self.stack[idx + 1 :]
                ctx.fresh = False
                self._set(ctx, tok)
                return

    def _push_item(self, lst: _List) -> _Map:
        while self.stack and self.stack[-1] is not lst:
            self.stack.pop()
        if not self.stack:  # cannot happen: the list is on the stack; stay safe anyway
            self.stack = [_Map(self.root, self.doc)]
            lst = _List("Any", [])
        item = _Map(lst.item if lst.item in _SCHEMA else "any", {}, item_of=lst)
        lst.obj.append(item.obj)
        self.stack.append(item)
        return item

    def _set(self, ctx: _Map, tok: _Tok) -> None:
        key = tok.key or ""
        f = _field_type(ctx.type, key, self.doc) if ctx.type in _SCHEMA else None
        if tok.value is None:
            if f and f.startswith("map:"):
                d: dict = {}
                ctx.obj[key] = d
                self.stack.append(_Map(f[4:], d, owner=ctx.obj, key=key))
            elif f and f.startswith("list:"):
                lst: list = []
                ctx.obj[key] = lst
                self.stack.append(_List(f[5:], lst))
            elif f == _L:
                lst = []
                ctx.obj[key] = lst
                self.stack.append(_Strs(lst))
            elif f == _F:
                d = {}
                ctx.obj[key] = d
                self.stack.append(_Map("free", d, fresh=True))
            elif f in (None, _A):
                d = {}
                ctx.obj[key] = d
                self.stack.append(_Map("any", d, owner=ctx.obj, key=key))
            else:
                ctx.obj[key] = None
            return
        ctx.obj[key] = self._convert(key, f, tok)

    def _convert(self, key: str, f: str | None, tok: _Tok) -> Any:
        v = tok.value or ""
        if tok.vk == "flow":
            return _flow_value(v, strs=f == _L)
        if tok.vk == "quoted":
            if f == _I and _INT_RE.fullmatch(v):
                return int(v)
            return v
        v = v.strip()
        if f == _I:
            return _read_int(key, v, tok.line, self.warns)
        if f == _P:
            if _INT_RE.fullmatch(v):
                return int(v)
            m = re.match(r"(\d+)\s+\S", v)
            return _read_int(key, v, tok.line, self.warns) if m else v
        if f == _B:
            low = v.lower()
            return True if low == "true" else False if low == "false" else v
        if f == _S:
            return v
        return _plain(v)

    # -- list items

    def _item(self, toks: list[_Tok], i: int) -> int:
        """Handle `- ` at toks[i]; returns how many extra tokens it consumed."""
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is None or nxt.kind in ("I", "D"):
            return 0
        self._seen(toks[i])
        if nxt.kind == "S":
            self._seen(nxt)
            for idx in range(len(self.stack) - 1, -1, -1):
                ctx = self.stack[idx]
                if isinstance(ctx, _Strs):
                    del self.stack[idx + 1 :]
                    ctx.obj.append(self._item_scalar(nxt, strs=True))
                    return 1
                if isinstance(ctx, _List) and ctx.item == "Any":
                    del self.stack[idx + 1 :]
                    ctx.obj.append(self._item_scalar(nxt, strs=False))
                    return 1
            top = self.stack[-1]
            if isinstance(top, _Map) and top.type == "any" and not top.obj \
                    and top.owner is not None:
                lst = [self._item_scalar(nxt, strs=False)]
                top.owner[top.key or ""] = lst
                self.stack[-1] = _List("Any", lst)
                return 1
            self.warns.append((nxt.line, f'ignored list item "{_short(nxt.value or "")}": '
                                         "no list is open for it"))
            return 1
        # `- key: value`: pick the open list whose items know this key, and the next one too
        # (after `ports:- name: http`, `containerPort` keeps it a port; `image` means a container).
        k = nxt.key
        k2 = toks[i + 2].key if i + 2 < len(toks) and toks[i + 2].kind == "K" else None
        if k2 not in _KNOWN:
            k2 = None
        lists = [c for c in reversed(self.stack) if isinstance(c, _List)]
        chosen = None
        for lst in lists:
            fields = _SCHEMA.get(lst.item, {})
            if k in fields and (k2 is None or k2 in fields):
                chosen = lst
                break
        if chosen is None:
            chosen = next((c for c in lists if k in _SCHEMA.get(c.item, {})), None)
        top = self.stack[-1]
        if chosen is None and isinstance(top, _Map) and top.type == "any" and not top.obj \
                and top.owner is not None:
            # An unmodelled key (`values:` under affinity) turns out to hold a list.
            lst_obj: list = []
            top.owner[top.key or ""] = lst_obj
            chosen = _List("Any", lst_obj)
            self.stack[-1] = chosen
        if chosen is None:
            chosen = next((c for c in lists if c.item == "Any"), None)
        if chosen is None:
            chosen = self._reopen_list(k)
        if chosen is None:
            return 0  # the key goes where keys go
        self._push_item(chosen)
        return 0

    def _reopen_list(self, key: str | None) -> _List | None:
        """An item for a list that was already closed (`containers` after `restartPolicy`)."""
        for idx in range(len(self.stack) - 1, -1, -1):
            ctx = self.stack[idx]
            if not (isinstance(ctx, _Map) and ctx.type in _SCHEMA):
                continue
            for fk, f in _SCHEMA[ctx.type].items():
                if f.startswith("list:") and key in _SCHEMA.get(f[5:], {}):
                    existing = ctx.obj.get(fk)
                    if isinstance(existing, list):
                        del self.stack[idx + 1 :]
                        lst = _List(f[5:], existing)
                        self.stack.append(lst)
                        return lst
        return None

    def _item_scalar(self, tok: _Tok, strs: bool) -> Any:
        if tok.vk == "flow":
            return _flow_value(tok.value or "", strs)
        if tok.vk == "quoted" or strs:
            return tok.value or ""
        return _plain(tok.value or "")


# --------------------------------------------------------------------------------------------
# From parsed dicts to ManifestDocs.


def _str_or_none(v: Any) -> str | None:
    return None if v is None or isinstance(v, (dict, list)) else _as_str(v)


def _make_doc(
    d: Any, fragment: bool, recovered: bool, line: int, end_line: int, raw: str
) -> list[ManifestDoc]:
    if not isinstance(d, dict):
        return []
    if fragment:
        if not any(isinstance(d.get(p), dict) and d[p] for p in _PROBES):
            return []
        container = {"name": _str_or_none(d.get("name"))}
        container.update((k, v) for k, v in d.items() if k != "name")
        return [ManifestDoc(None, None, None, {}, {"containers": [container]}, recovered, True,
                            line, end_line, raw)]
    kind = d.get("kind") if isinstance(d.get("kind"), str) else None
    if kind == "List" and isinstance(d.get("items"), list):
        return [doc for item in d["items"]
                for doc in _make_doc(item, False, recovered, line, end_line, raw)]
    meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
    spec_in = d.get("spec") if isinstance(d.get("spec"), dict) else {}
    if kind is None and not (meta and "containers" in spec_in):
        return []  # a kind-less mapping is only a manifest if it clearly is a pod
    if kind is not None and not (meta or spec_in):
        return []  # e.g. an ownerReference (`- apiVersion: apps/v1 kind: ReplicaSet name: x`)
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    if kind in _TEMPLATE_PATH:
        node: Any = spec_in
        for step in _TEMPLATE_PATH[kind]:
            node = node.get(step) if isinstance(node, dict) else None
        template = node if isinstance(node, dict) else {}
        spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
        tmeta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
        labels = tmeta.get("labels") if isinstance(tmeta.get("labels"), dict) else {}
    elif kind in (None, "Pod"):
        spec = spec_in
    else:
        spec = {}  # Services, ConfigMaps, ...: not pods
    return [ManifestDoc(kind, _str_or_none(meta.get("name")), _str_or_none(meta.get("namespace")),
                        labels, spec, recovered, False, line, end_line, raw)]


def _raw(items: list[tuple[int, str]], lo: int, hi: int) -> str:
    """The region text of lines lo..hi (items are in line order)."""
    a = bisect.bisect_left(items, (lo, ""))
    b = bisect.bisect_left(items, (hi + 1, ""))
    return "\n".join(t for _, t in items[a:b]).strip("\n")


def _parse_region(region: _Region) -> tuple[list[ManifestDoc], int, list[tuple[int, str]]]:
    docs: list[ManifestDoc] = []
    warns: list[tuple[int, str]] = []
    end = region.end
    root = "Fragment" if region.fragment else "Object"
    for chunk in _chunks(region.items):
        lines_used = [i for i, t in chunk if t.strip() and not t.strip().startswith("#")]
        if not lines_used:
            continue
        lo, hi = lines_used[0], lines_used[-1]
        loaded = None if _visibly_flat(chunk) else _load_yaml(_drop_unused(chunk))
        if loaded is not None and all(isinstance(x, dict) for x in loaded) and not any(
            _misplaced(x, root, x) for x in loaded
        ):
            for x in loaded:
                _normalize(x, root, x, lo, warns)
                docs += _make_doc(x, region.fragment, False, lo, hi, _raw(chunk, lo, hi))
            continue
        toks, cut = _tokenize(chunk, warns)
        for d, first, last in _Walker(root, warns).run(toks):
            docs += _make_doc(d, region.fragment, True, first, last, _raw(chunk, first, last))
        if cut is not None:
            end = cut + 1
            break  # a shell command glued to a value: the YAML ended on that line
    return docs, end, warns


# --------------------------------------------------------------------------------------------
# Public entry points.


def scan_manifest(lines: list[str], start: int) -> ManifestScan | None:
    """Read the manifest region that starts at lines[start].

    Returns None when nothing usable is there. A heredoc that holds something else (a script)
    gives a scan with no docs whose `end` is past its terminator, so the caller skips the file.
    """
    try:
        if not (0 <= start < len(lines)):
            return None
        region = _region(lines, start)
        if region is None:
            return None
        docs, end, warns = _parse_region(region)
        end = max(end, start + 1)  # always move the caller forward
        heredoc = _heredoc(lines[start]) is not None
        if not docs and not heredoc:
            return None
        if not docs:
            return ManifestScan([], max(region.end, start + 1), [])
        return ManifestScan(docs, end, warns)
    except Exception:  # a malformed paste must never take the transcript reader down
        return None


def parse_manifest_text(text: str) -> ManifestScan:
    """Read a whole file that is YAML (one or more manifests, or a bare probe block)."""
    lines = text.splitlines()
    try:
        first = next((t for t in lines if t.strip() and not t.strip().startswith("#")), "")
        region = _Region(list(enumerate(lines)), len(lines), bool(_PROBE_RE.match(first)))
        docs, _, warns = _parse_region(region)
        return ManifestScan(docs, len(lines), warns)
    except Exception:  # same promise as scan_manifest: bad text gives no docs, not a traceback
        return ManifestScan([], len(lines), [])
