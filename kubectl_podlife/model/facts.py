"""What an Event means, across the wordings Kubernetes versions used.

`Container liveness failed liveness probe, will be restarted` (current), `... is unhealthy, it will
be killed and re-created.` (1.4), `Container failed liveness probe.. Container will be killed and
recreated.` (1.9-1.11) are one fact: a liveness kill. Likewise `Created container X`, `Created
container: X`, `Container created` and `Created with docker id ...`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_podlife.observation import Observation
from kubectl_podlife.timefmt import parse_go_duration

_C = r"[\"']?([a-z0-9][-a-z0-9.]*)[\"']?"


@dataclass(frozen=True)
class EventFact:
    what: str  # scheduled | pulling | pulled | pull-failed | pull-backoff | created | started | probe-failed |
    #            probe-errored | probe-warning | killing | back-off | hook-failed | config-error | cannot-run |
    #            sandbox | evicted | oom | grace-exceeded | failed-scheduling | mount | note
    container: str | None = None
    probe_type: str | None = None  # liveness | readiness | startup
    kill_reason: str | None = None  # liveness | startup | stop | spec-change | post-start-hook | unknown
    output: str = ""  # probe output, pull error, hook error
    delay: float | None = None  # back-off delay printed in the message ("Back-off 2m40s")
    image: str | None = None
    detail: str = ""


def classify(o: Observation) -> EventFact:
    reason = str(o.data.get("reason") or "")
    msg = str(o.data.get("message") or "")
    r = reason.lower()
    c = o.container
    if r == "scheduled":
        return EventFact("scheduled", c)
    if r == "failedscheduling":
        return EventFact("failed-scheduling", c, output=msg)
    if r == "pulling":
        return EventFact("pulling", c, image=_image(msg))
    if r == "pulled":
        if "already present" in msg:
            return EventFact("pulled", c, image=_image(msg), detail="cached")
        return EventFact("pulled", c, image=_image(msg), detail=_pull_duration(msg))
    if r in ("created", "started"):
        m = re.search(r"(?:Created|Started) container:? " + _C, msg)
        return EventFact(r, c or (m.group(1) if m else None))
    if r == "unhealthy":
        m = re.match(r"^(Liveness|Readiness|Startup) probe (failed|errored)(?: and resulted in \w+ state)?:\s?(.*)$",
                     msg, re.S)
        if m:
            what = "probe-failed" if m.group(2) == "failed" else "probe-errored"
            return EventFact(what, c, probe_type=m.group(1).lower(), output=m.group(3).strip())
        return EventFact("probe-failed", c, output=msg)
    if r == "probewarning":
        m = re.match(r"^(Liveness|Readiness|Startup) probe warning:\s?(.*)$", msg, re.S)
        return EventFact("probe-warning", c, probe_type=m.group(1).lower() if m else None, output=msg)
    if r == "killing":
        return _killing(msg, c)
    if r == "backoff" or r == "back off":
        if "pulling image" in msg:
            return EventFact("pull-backoff", c, image=_image(msg))
        m = re.search(r"Back-off restarting failed container(?: " + _C + r")?", msg)
        return EventFact("back-off", c or (m.group(1) if m and m.group(1) else None))
    if r == "failed" or r == "inspectfailed" or r == "errimageneverpull":
        if "Failed to pull image" in msg or "Error: ErrImagePull" in msg or r == "errimageneverpull":
            return EventFact("pull-failed", c, image=_image(msg), output=msg)
        if r == "inspectfailed" or re.search(r"Error: (?:InvalidImageName|ErrImageNeverPull)\b", msg):
            # the image reference cannot be parsed, or policy Never with the image absent: no pull happens
            return EventFact("pull-failed", c, image=_image(msg), output=msg)
        if "ImagePullBackOff" in msg:
            return EventFact("pull-backoff", c, output=msg)
        if "CreateContainerConfigError" in msg or "couldn't find key" in msg or re.search(
                r'\b(configmap|secret|configMap|Secret)s? "[^"]+" not found', msg):
            return EventFact("config-error", c, output=msg)
        if re.search(r"RunContainerError|StartError|ContainerCannotRun|CreateContainerError|failed to (create|start)",
                     msg):
            return EventFact("cannot-run", c, output=msg)
        return EventFact("note", c, output=msg)
    if r == "failedsync":
        m = re.search(r'failed to "StartContainer" for "([^"]+)" with (\w+): "(.*)"', msg)
        if m:
            kind, detail = m.group(2), m.group(3)
            if kind == "CrashLoopBackOff":
                dm = re.search(r"Back-off (\S+) restarting", detail)
                return EventFact("back-off", c or m.group(1), delay=parse_go_duration(dm.group(1)) if dm else None,
                                 detail=detail)
            if kind in ("ErrImagePull", "ImagePullBackOff"):
                return EventFact("pull-backoff" if kind == "ImagePullBackOff" else "pull-failed", c or m.group(1),
                                 output=detail)
            if kind == "RunContainerError" and "PostStart" in detail:
                return EventFact("hook-failed", c or m.group(1), detail="post-start", output=detail)
            if kind in ("RunContainerError", "CreateContainerError"):
                return EventFact("cannot-run", c or m.group(1), output=detail)
            if kind == "CreateContainerConfigError":
                return EventFact("config-error", c or m.group(1), output=detail)
        return EventFact("note", c, output=msg)
    if r == "failedpoststarthook":
        return EventFact("hook-failed", c, detail="post-start", output=msg)
    if r == "failedprestophook":
        m = re.search(r'for Container "([^"]+)"', msg)
        return EventFact("hook-failed", c or (m.group(1) if m else None), detail="pre-stop", output=msg)
    if r == "sandboxchanged":
        return EventFact("sandbox", c, output=msg)
    if r in ("evicted", "preempting", "preempted"):
        return EventFact("evicted", c, output=msg)
    if r in ("oomkilling", "oomkilled"):
        return EventFact("oom", c, output=msg)
    if r == "exceededgraceperiod":
        return EventFact("grace-exceeded", c, output=msg)
    if r in ("successfulmountvolume", "failedmount", "failedattachvolume"):
        return EventFact("mount", c, output=msg)
    return EventFact("note", c, output=msg)


def _killing(msg: str, c: str | None) -> EventFact:
    m = re.search(r"Container " + _C + r" failed (liveness|startup) probe", msg)
    if m:
        return EventFact("killing", c or m.group(1), kill_reason=m.group(2))
    if re.search(r"failed (liveness|startup) probe", msg):  # 1.9-1.11: "Container failed liveness probe.."
        kind = re.search(r"failed (liveness|startup) probe", msg).group(1)
        cm = re.search(r"docker://([a-z0-9][-a-z0-9.]*):", msg)
        return EventFact("killing", c or (cm.group(1) if cm else None), kill_reason=kind)
    m = re.search(r'container "([^"]+)" is unhealthy, it will be killed and re-created', msg)
    if m:  # 1.4 wording
        return EventFact("killing", c or m.group(1), kill_reason="liveness")
    m = re.search(r"Stopping container " + _C, msg)
    if m:
        return EventFact("killing", c or m.group(1), kill_reason="stop")
    if "definition changed" in msg:
        return EventFact("killing", c, kill_reason="spec-change")
    if "PostStart handler" in msg or "FailedPostStartHook" in msg:
        return EventFact("killing", c, kill_reason="post-start-hook", output=msg)
    return EventFact("killing", c, kill_reason="unknown", output=msg)


def _image(msg: str) -> str | None:
    m = re.search(r'image "([^"]+)"', msg)
    return m.group(1) if m else None


def _pull_duration(msg: str) -> str:
    m = re.search(r" in ([\d.]+(?:ms|s|m))", msg)
    return m.group(1) if m else ""
