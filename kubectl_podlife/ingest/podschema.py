"""The Pod schema as data: per type, its known keys and what each holds.

The manifest reader checks intact YAML against it and re-nests damaged YAML along it; `simulate
--set` walks it to check a path. Field kinds:
  str / int / bool / port (int or named port) / strs (list of strings)
  free (map with arbitrary keys: labels, limits, ...) / any (structure we do not model)
  map:T (a mapping of type T) / list:T (a list of mappings of type T)
Field lists follow k8s.io/api core/v1, apps/v1 and batch/v1 types.
"""

from __future__ import annotations

import re

STR, INT, BOOL, PORT, STRS, FREE, ANY = "str", "int", "bool", "port", "strs", "free", "any"

_CONTAINER = {
    "name": STR, "image": STR, "imagePullPolicy": STR, "command": STRS, "args": STRS, "workingDir": STR,
    "ports": "list:ContainerPort", "envFrom": "list:EnvFromSource", "env": "list:EnvVar",
    "resources": "map:ResourceRequirements", "resizePolicy": "list:Any",
    "volumeMounts": "list:VolumeMount", "volumeDevices": "list:Any",
    "livenessProbe": "map:Probe", "readinessProbe": "map:Probe", "startupProbe": "map:Probe",
    "lifecycle": "map:Lifecycle", "terminationMessagePath": STR, "terminationMessagePolicy": STR,
    "securityContext": "map:SecurityContext", "stdin": BOOL, "stdinOnce": BOOL, "tty": BOOL,
}

_POD_SPEC = {
    "containers": "list:Container", "initContainers": "list:InitContainer",
    "ephemeralContainers": "list:EphemeralContainer", "restartPolicy": STR,
    "terminationGracePeriodSeconds": INT, "activeDeadlineSeconds": INT, "dnsPolicy": STR,
    "dnsConfig": ANY, "nodeSelector": FREE, "serviceAccountName": STR, "serviceAccount": STR,
    "automountServiceAccountToken": BOOL, "nodeName": STR, "hostNetwork": BOOL, "hostPID": BOOL,
    "hostIPC": BOOL, "hostUsers": BOOL, "shareProcessNamespace": BOOL,
    "securityContext": "map:PodSecurityContext", "imagePullSecrets": "list:LocalObjectReference",
    "hostname": STR, "subdomain": STR, "setHostnameAsFQDN": BOOL, "affinity": ANY, "schedulerName": STR,
    "tolerations": "list:Toleration", "hostAliases": "list:HostAlias", "priorityClassName": STR,
    "priority": INT, "readinessGates": "list:PodReadinessGate", "runtimeClassName": STR,
    "enableServiceLinks": BOOL, "preemptionPolicy": STR, "overhead": FREE,
    "topologySpreadConstraints": "list:Any", "volumes": "list:Volume", "os": ANY,
    "schedulingGates": "list:Any", "resourceClaims": "list:Any",
    "resources": "map:ResourceRequirements",
}

_WORKLOAD_SPEC = {
    "replicas": INT, "selector": "map:LabelSelector", "template": "map:PodTemplate",
    "strategy": ANY, "updateStrategy": ANY, "minReadySeconds": INT, "revisionHistoryLimit": INT,
    "progressDeadlineSeconds": INT, "paused": BOOL, "serviceName": STR, "podManagementPolicy": STR,
    "volumeClaimTemplates": "list:Any", "persistentVolumeClaimRetentionPolicy": ANY, "ordinals": ANY,
}

_JOB_SPEC = {
    "template": "map:PodTemplate", "backoffLimit": INT, "backoffLimitPerIndex": INT,
    "maxFailedIndexes": INT, "completions": INT, "parallelism": INT, "activeDeadlineSeconds": INT,
    "ttlSecondsAfterFinished": INT, "completionMode": STR, "suspend": BOOL,
    "selector": "map:LabelSelector", "manualSelector": BOOL, "podFailurePolicy": ANY,
    "podReplacementPolicy": STR, "successPolicy": ANY,
}

SCHEMA: dict[str, dict[str, str]] = {
    # `spec` and `status` are typed by the object's kind when they open (see BY_KIND).
    "Object": {
        "apiVersion": STR, "kind": STR, "metadata": "map:ObjectMeta", "spec": "map:*",
        "status": "map:*", "items": "list:Any", "template": "map:PodTemplate", "data": FREE,
        "stringData": FREE, "binaryData": FREE, "type": STR, "immutable": BOOL, "secrets": "list:Any",
        "imagePullSecrets": "list:LocalObjectReference", "automountServiceAccountToken": BOOL,
        "rules": "list:Any", "subjects": "list:Any", "roleRef": ANY,
    },
    "ObjectMeta": {
        "name": STR, "generateName": STR, "namespace": STR, "labels": FREE, "annotations": FREE,
        "uid": STR, "resourceVersion": STR, "generation": INT, "creationTimestamp": STR,
        "deletionTimestamp": STR, "deletionGracePeriodSeconds": INT,
        "ownerReferences": "list:OwnerReference", "finalizers": STRS,
        "managedFields": "list:ManagedFieldsEntry", "selfLink": STR,
    },
    "ManagedFieldsEntry": {
        "apiVersion": STR, "fieldsType": STR, "fieldsV1": ANY, "manager": STR, "operation": STR,
        "time": STR, "subresource": STR,
    },
    "OwnerReference": {
        "apiVersion": STR, "kind": STR, "name": STR, "uid": STR, "controller": BOOL,
        "blockOwnerDeletion": BOOL,
    },
    "PodSpec": _POD_SPEC,
    "Container": _CONTAINER,
    # Only init containers take restartPolicy (the sidecar form, value Always); see _accepts.
    "InitContainer": {**_CONTAINER, "restartPolicy": STR, "restartPolicyRules": "list:Any"},
    "EphemeralContainer": {**_CONTAINER, "targetContainerName": STR},
    "Probe": {
        "exec": "map:ExecAction", "httpGet": "map:HTTPGetAction",
        "tcpSocket": "map:TCPSocketAction", "grpc": "map:GRPCAction",
        "initialDelaySeconds": INT, "timeoutSeconds": INT, "periodSeconds": INT,
        "successThreshold": INT, "failureThreshold": INT, "terminationGracePeriodSeconds": INT,
    },
    "ExecAction": {"command": STRS},
    "HTTPGetAction": {
        "path": STR, "port": PORT, "host": STR, "scheme": STR, "httpHeaders": "list:HTTPHeader",
    },
    "HTTPHeader": {"name": STR, "value": STR},
    "TCPSocketAction": {"port": PORT, "host": STR},
    "GRPCAction": {"port": INT, "service": STR},
    "Lifecycle": {
        "postStart": "map:LifecycleHandler", "preStop": "map:LifecycleHandler", "stopSignal": STR,
    },
    "LifecycleHandler": {
        "exec": "map:ExecAction", "httpGet": "map:HTTPGetAction",
        "tcpSocket": "map:TCPSocketAction", "sleep": "map:SleepAction",
    },
    "SleepAction": {"seconds": INT},
    "ContainerPort": {
        "name": STR, "containerPort": INT, "protocol": STR, "hostPort": INT, "hostIP": STR,
    },
    "EnvVar": {"name": STR, "value": STR, "valueFrom": "map:EnvVarSource"},
    "EnvVarSource": {
        "fieldRef": "map:ObjectFieldSelector", "resourceFieldRef": "map:ResourceFieldSelector",
        "configMapKeyRef": "map:KeySelector", "secretKeyRef": "map:KeySelector",
    },
    "ObjectFieldSelector": {"apiVersion": STR, "fieldPath": STR},
    "ResourceFieldSelector": {"containerName": STR, "resource": STR, "divisor": STR},
    "KeySelector": {"name": STR, "key": STR, "optional": BOOL},
    "EnvFromSource": {
        "prefix": STR, "configMapRef": "map:LocalRef", "secretRef": "map:LocalRef",
    },
    "LocalRef": {"name": STR, "optional": BOOL},
    "ResourceRequirements": {"limits": FREE, "requests": FREE, "claims": "list:Any"},
    "VolumeMount": {
        "name": STR, "mountPath": STR, "subPath": STR, "subPathExpr": STR, "readOnly": BOOL,
        "mountPropagation": STR, "recursiveReadOnly": STR,
    },
    "Volume": {
        "name": STR, "emptyDir": "map:EmptyDirVolume", "hostPath": "map:HostPathVolume",
        "configMap": "map:ConfigMapVolume", "secret": "map:SecretVolume",
        "persistentVolumeClaim": "map:PVCVolume", "nfs": "map:NFSVolume", "projected": ANY,
        "downwardAPI": ANY, "csi": ANY, "ephemeral": ANY, "image": ANY,
    },
    "EmptyDirVolume": {"medium": STR, "sizeLimit": STR},
    "HostPathVolume": {"path": STR, "type": STR},
    "ConfigMapVolume": {"name": STR, "items": "list:KeyToPath", "defaultMode": INT, "optional": BOOL},
    "SecretVolume": {
        "secretName": STR, "items": "list:KeyToPath", "defaultMode": INT, "optional": BOOL,
    },
    "KeyToPath": {"key": STR, "path": STR, "mode": INT},
    "PVCVolume": {"claimName": STR, "readOnly": BOOL},
    "NFSVolume": {"server": STR, "path": STR, "readOnly": BOOL},
    "SecurityContext": {
        "runAsUser": INT, "runAsGroup": INT, "runAsNonRoot": BOOL, "privileged": BOOL,
        "readOnlyRootFilesystem": BOOL, "allowPrivilegeEscalation": BOOL,
        "capabilities": "map:Capabilities", "seLinuxOptions": ANY,
        "seccompProfile": "map:SeccompProfile", "procMount": STR, "appArmorProfile": ANY,
        "windowsOptions": ANY,
    },
    "Capabilities": {"add": STRS, "drop": STRS},
    "SeccompProfile": {"type": STR, "localhostProfile": STR},
    "PodSecurityContext": {
        "runAsUser": INT, "runAsGroup": INT, "runAsNonRoot": BOOL, "fsGroup": INT,
        "fsGroupChangePolicy": STR, "supplementalGroups": ANY, "supplementalGroupsPolicy": STR,
        "seccompProfile": "map:SeccompProfile", "seLinuxOptions": ANY, "sysctls": "list:Any",
        "appArmorProfile": ANY, "windowsOptions": ANY, "seLinuxChangePolicy": STR,
    },
    "Toleration": {"key": STR, "operator": STR, "value": STR, "effect": STR, "tolerationSeconds": INT},
    "LocalObjectReference": {"name": STR},
    "HostAlias": {"ip": STR, "hostnames": STRS},
    "PodReadinessGate": {"conditionType": STR},
    "WorkloadSpec": _WORKLOAD_SPEC,
    "LabelSelector": {"matchLabels": FREE, "matchExpressions": "list:Any"},
    "PodTemplate": {"metadata": "map:ObjectMeta", "spec": "map:PodSpec"},
    "JobSpec": _JOB_SPEC,
    "CronJobSpec": {
        "schedule": STR, "timeZone": STR, "concurrencyPolicy": STR, "suspend": BOOL,
        "jobTemplate": "map:JobTemplate", "successfulJobsHistoryLimit": INT,
        "failedJobsHistoryLimit": INT, "startingDeadlineSeconds": INT,
    },
    "JobTemplate": {"metadata": "map:ObjectMeta", "spec": "map:JobSpec"},
    "ServiceSpec": {
        "ports": "list:ServicePort", "selector": FREE, "type": STR, "clusterIP": STR,
        "clusterIPs": STRS, "externalIPs": STRS, "sessionAffinity": STR, "loadBalancerIP": STR,
        "loadBalancerSourceRanges": STRS, "externalName": STR, "externalTrafficPolicy": STR,
        "internalTrafficPolicy": STR, "ipFamilies": STRS, "ipFamilyPolicy": STR,
        "publishNotReadyAddresses": BOOL, "healthCheckNodePort": INT,
        "allocateLoadBalancerNodePorts": BOOL, "sessionAffinityConfig": ANY,
    },
    "ServicePort": {
        "name": STR, "protocol": STR, "port": INT, "targetPort": PORT, "nodePort": INT,
        "appProtocol": STR,
    },
    # Status is never reported, but typing it keeps its keys (`status` in a condition, `name`
    # in a container status) from being taken for the Pod's own when indentation is lost.
    "PodStatus": {
        "phase": STR, "conditions": "list:PodCondition", "containerStatuses": "list:ContainerStatus",
        "initContainerStatuses": "list:ContainerStatus",
        "ephemeralContainerStatuses": "list:ContainerStatus", "hostIP": STR, "hostIPs": "list:Any",
        "podIP": STR, "podIPs": "list:Any", "startTime": STR, "qosClass": STR, "message": STR,
        "reason": STR, "nominatedNodeName": STR, "resize": STR, "resourceClaimStatuses": "list:Any",
        "observedGeneration": INT,
    },
    "PodCondition": {
        "type": STR, "status": STR, "lastProbeTime": STR, "lastTransitionTime": STR, "reason": STR,
        "message": STR, "observedGeneration": INT,
    },
    "ContainerStatus": {
        "name": STR, "state": ANY, "lastState": ANY, "ready": BOOL, "restartCount": INT, "image": STR,
        "imageID": STR, "containerID": STR, "started": BOOL, "allocatedResources": FREE,
        "resources": "map:ResourceRequirements", "volumeMounts": "list:Any", "user": ANY,
        "allocatedResourcesStatus": "list:Any", "stopSignal": STR,
    },
    # A bare probe block pasted on its own: the keys of a container without the container.
    "Fragment": _CONTAINER,
}

BY_KIND = {
    "spec": {
        "Pod": "PodSpec", "Deployment": "WorkloadSpec", "ReplicaSet": "WorkloadSpec",
        "StatefulSet": "WorkloadSpec", "DaemonSet": "WorkloadSpec",
        "ReplicationController": "WorkloadSpec", "Job": "JobSpec", "CronJob": "CronJobSpec",
        "Service": "ServiceSpec",
    },
    "status": {"Pod": "PodStatus"},
}

# Where a controller keeps its pod template, under `spec`.
TEMPLATE_PATH = {
    "Deployment": ("template",), "ReplicaSet": ("template",), "StatefulSet": ("template",),
    "DaemonSet": ("template",), "ReplicationController": ("template",), "Job": ("template",),
    "CronJob": ("jobTemplate", "spec", "template"),
}

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

# Keys with a letters-and-dashes name can be split out of glued text ("nginximage:" is
# "nginx" + "image:"); resource names are the usual keys of limits/requests.
KNOWN_KEYS = frozenset(
    k for fields in SCHEMA.values() for k in fields if re.fullmatch(r"[A-Za-z][A-Za-z-]*", k)
) | {"cpu", "memory", "ephemeral-storage", "storage"}
MAX_KEY_LENGTH = max(len(k) for k in KNOWN_KEYS)
OPENERS = frozenset(
    k for fields in SCHEMA.values() for k, t in fields.items() if t not in (STR, INT, BOOL, PORT)
)
# Maps of scalars (labels, limits, ...): right after one opens, a key's value is never a mapping.
SCALAR_MAPS = frozenset(
    k for fields in SCHEMA.values() for k, t in fields.items() if t == FREE
)
FREE_OPENERS = frozenset(
    k for fields in SCHEMA.values() for k, t in fields.items() if t in (FREE, ANY)
)
# Keys that legitimately sit at the top of a document or a fragment (the region's column 0).
TOP_KEYS = frozenset(SCHEMA["Object"])
FRAGMENT_KEYS = frozenset(SCHEMA["Fragment"])
# Keys a recent API accepts where this table does not expect them; intact YAML with them is fine.
TOLERATED = {"Container": {"restartPolicy", "restartPolicyRules"}}
# Keys that open a mapping: one followed by a sibling at its own column lost its indentation.
MAP_OPENERS = frozenset(
    k for fields in SCHEMA.values() for k, t in fields.items() if t.startswith("map:")
)


def field_type(type_name: str, key: str, doc: dict | None = None) -> str | None:
    """What `key` holds in `type_name` (None: not a field of it); `spec` and `status` are typed by
    the kind of `doc`, the document they sit in."""
    fields = SCHEMA.get(type_name)
    if fields is None:
        return None
    f = fields.get(key)
    if f == "map:*":
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if not isinstance(kind, str):
            kind = "Pod"  # a manifest without `kind:` here is most likely a pod
        by_kind = BY_KIND[key]
        return "map:" + by_kind[kind] if kind in by_kind else ANY
    return f
