"""The pod's diagnosis: its restart count, final status and the one cause that sums it up, with the
sentence that says it (and, when nothing went wrong, what the spec predicts)."""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections import Counter

from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.model import ending, rules, stuck
from kubectl_podlife.model.build import PodInput, T, ready_counts
from kubectl_podlife.model.explain.context import PodContext, occurrences
from kubectl_podlife.model.timeline import Diagnosis
from kubectl_podlife.observation import SPEC
from kubectl_podlife.timefmt import clock


_STATE_CAUSE = {"CrashLoopBackOff": None, "ImagePullBackOff": "image-pull", "ErrImagePull": "image-pull",
                "InvalidImageName": "image-pull", "ErrImageNeverPull": "image-pull",
                "CreateContainerConfigError": "config-error", "RunContainerError": "cannot-run",
                "ContainerCannotRun": "cannot-run", "StartError": "cannot-run", "OOMKilled": "oom-killed",
                "Error": "error-exit", "Completed": "completed-exit", "Terminating": "deleted", "Evicted": "evicted"}


def _kills_awaiting_restart(kills: list[T], trs: list[T]) -> int:
    """Each kill is followed by a restart, except a last one after which the container is still waiting
    in crash-loop back-off (a BackOff event after it and no start): 1 then, else 0."""
    last_kill = max((t.t for t in kills if t.t is not None), default=None)
    if last_kill is None:
        return 0
    after = [t for t in trs if t.t is not None and t.t > last_kill]
    waiting = any(t.kind == "back-off" and t.reason == "CrashLoopBackOff" for t in after)
    return 1 if waiting and not any(t.kind == "started" for t in after) else 0


def restart_count_shown(inp: PodInput) -> bool:
    """Whether the input states how often the pod restarted: a status does (RESTARTS, Restart Count), and
    so do events printed with their counts; plain `get events` drops the counts, so a restart count
    derived from it alone is only a lower bound."""
    return (any(o.data.get("restarts") is not None for o in inp.rows)
            or any(o.data.get("restart_count") is not None for o in inp.cstates)
            or not inp.events or any(o.data.get("count_shown", True) for o, _ in inp.events))


def diagnose(ctx: PodContext, inp: PodInput, trs: list[T]) -> tuple[Diagnosis, int, str | None]:
    """(diagnosis, restart count, final STATUS) of one pod from its explained transitions."""
    restarts = max([t.restart_count or 0 for t in trs if t.kind == "restart"] +
                   [o.data.get("restarts") or 0 for o in inp.rows] +
                   [o.data.get("restart_count") or 0 for o in inp.cstates] + [0])
    # Every attempt to run a container emits Pulled (or Pulling) and, once it runs, Started: a counted
    # event of either says how many instances there were, the last perhaps still being created.
    # A container the kubelet could not even create (CreateContainerConfigError, CreateContainerError) is
    # pulled ("already present") again at every sync attempt: those Pulled counts are attempts, not instances.
    never_created = not any(t.kind == "started" for t in trs) and any(
        t.cause == "config-error" or (t.reason or "") in ("CreateContainerConfigError", "CreateContainerError")
        for t in trs)
    created = [t for t in trs if t.kind in ("started", "pulled") and t.count > 1
               and not (t.kind == "pulled" and never_created)]
    if created:
        restarts = max(restarts, max(t.count for t in created) - 1)
    kills = [t for t in trs if t.kind == "killing" and t.cause in ("liveness-probe", "startup-probe",
                                                                    "post-start-hook")]
    explicit = any(o.data.get("restarts") is not None for o in inp.rows) or any(
        o.data.get("restart_count") is not None for o in inp.cstates)
    if kills and not explicit:
        restarts = max(restarts, sum(t.count for t in kills) - _kills_awaiting_restart(kills, trs))
    if not restarts and (any(o.data.get("last_state") for o in inp.cstates) or any(
            t.kind == "back-off" and t.reason == "CrashLoopBackOff" for t in trs)):
        restarts = 1  # a previous instance (Last State) or a crash-loop back-off means it restarted at least once
    shown = not restarts or restart_count_shown(inp)
    final = _final_status(trs)
    rs = [t for t in trs if t.kind == "restart" and t.cause]
    causes = Counter(t.cause for t in rs if t.cause != "unknown")
    # Strong evidence that is not tied to a specific restart (aggregated events, states).
    side: list[T] = []
    for t in trs:
        if t.kind == "killing" and t.cause in ("liveness-probe", "startup-probe", "post-start-hook"):
            side.append(t)
        elif t.kind == "terminated" and t.cause in ("oom-killed", "error-exit", "completed-exit", "cannot-run",
                                                    "config-error"):
            if t.cause == "completed-exit" and t.container in inp.init_containers and not restarts:
                continue  # an init container that completed did its job: progress, not a failure
            side.append(t)
        elif t.kind == "hook-failed" and t.cause in ("post-start-hook", "deleted"):
            side.append(t)
    end = ending.detect(inp, final, restarts, bool(causes))
    if end is not None:
        # How the pod ended (preempted, node lost, deadline, deletion) outranks what its containers did.
        return (Diagnosis(cause=end.cause, summary=end.summary, container=ctx.single,
                          confidence=end.confidence), restarts, final)
    if set(causes) <= {"error-exit", "cannot-run"}:
        # The runtime's own words that the entrypoint cannot be executed outrank a bare exit code: the
        # restarts are the kubelet retrying a container that never ran, not an application crashing.
        found = stuck.cannot_run(inp, trs, final, restarts)
        if found is not None:
            return found, restarts, final
    if not causes and not (side and restarts):
        found = stuck.detect(inp, trs, final, restarts)
        if found is not None:
            if found.confidence == "observed" and any(o.data.get("pod_inferred") for o in inp.obs):
                # The event says why, but not that it is this pod's (see the note).
                found = dataclasses.replace(found, confidence="inferred")
            return found, restarts, final
    pick: T | None = None
    if ctx.evicted and not causes:
        # An eviction ends the pod whatever its containers did: that is the diagnosis.
        ev = next((t for t in trs if t.cause == "evicted"), None)
        summary = (f"Evicted by the kubelet: {ctx.evicted.rstrip('.')}" if ctx.evicted != "evicted" else
                   "Evicted by the kubelet (node pressure; the reason is not in the input)")
        return (Diagnosis(cause="evicted", summary=summary + f"; the pod is {final or 'Failed'} and is not restarted",
                          container=ev.container if ev else None, confidence="observed"), restarts, final)
    if causes:
        top = causes.most_common(1)[0][0]
        pick = next(t for t in reversed(rs) if t.cause == top)
    elif side and (restarts or any(s.kind == "killing" for s in side)):
        pick = next((s for s in side if s.kind == "killing"), side[-1])
    elif side:
        pick = side[-1]
    summary_bits: list[str] = []
    if pick is not None:
        cause = pick.cause
        container = pick.container
        probe = pick.probe
        confidence = pick.confidence
        summary_bits.append(_diag_sentence(pick, restarts, trs, shown))
        # get -w rows name no container, but an Init:Error / Init:CrashLoopBackOff status says whose exit it was.
        unnamed_init = container is None and (final or "").startswith("Init:") and any(
            t.kind == "terminated" and (t.to_state or "").startswith("Init:") for t in trs)
        if (container in inp.init_containers or unnamed_init) and cause not in ("init-container",):
            # A failing init container holds the whole pod: that is the diagnosis, its exit the detail.
            who = f"Init container {container}" if container else "An init container (the input does not name it)"
            summary_bits[-1] = (f"{who} keeps failing, so the pod cannot start "
                                f"({final or 'Init:...'}): " + summary_bits[-1].split(": ", 1)[-1])
            cause = "init-container"
        if ctx.policy == "Never" and cause in ("error-exit", "completed-exit", "oom-killed"):
            summary_bits.append("restartPolicy Never: not restarted, the pod ends "
                                + ("Succeeded" if cause == "completed-exit" else "Failed"))
    else:
        cause, container, probe, confidence = _state_cause(ctx, inp, trs, final, restarts)
        summary_bits.append(_state_sentence(cause, container, probe, final, restarts, trs, ctx, shown))
    backoffs = [t for t in trs if t.kind == "back-off" and t.backoff]
    if backoffs and cause not in ("image-pull",) and final in ("CrashLoopBackOff", "Init:CrashLoopBackOff"):
        now = f"now in CrashLoopBackOff (back-off {clock(backoffs[-1].backoff)})"
        said = f": now {final}"  # the unknown-cause sentence already ends with the state: say it once
        if summary_bits and summary_bits[-1].endswith(said):
            summary_bits[-1] = summary_bits[-1][:-len(said)] + ": " + now
        else:
            summary_bits.append(now)
    if cause == "none" and not trs:
        # Only a manifest: no status to judge, so say so and predict the run from the spec.
        summary_bits = ["The input holds only the spec (no status or events for this pod)"]
        summary_bits.extend(_spec_only_predictions(ctx, inp))
        summary_bits.append(f"see `{simulate_command(inp)}` for the predicted timeline")
        confidence = "predicted"
    elif cause == "none":
        summary_bits.extend(_predictions(ctx, inp, trs))
    not_ready = _not_ready_part(inp, trs)
    summary_bits.append(not_ready)
    summary = "; ".join(b for b in summary_bits if b)
    diag = Diagnosis(cause=cause or "unknown", summary=summary, container=container, probe=probe,
                     confidence=confidence)
    kept = stuck.never_none(diag, trs, final)
    if kept is not diag and not_ready:
        kept = dataclasses.replace(kept, summary=f"{kept.summary}; {not_ready}")
    return kept, restarts, final


def simulate_command(inp: PodInput) -> str:
    """The `simulate` command line for this pod: the file its manifest came from, as the user named it
    (origins are `file:line`), and the pod's name, so it can be copied as it is."""
    specs = sorted((o for o in inp.obs if o.kind == SPEC and ":" in o.origin),
                   key=lambda o: (o.data.get("source") != "manifest", o.seq))
    where = shlex.quote(specs[0].origin.rsplit(":", 1)[0]) if specs else "FILE"
    return f"kubectl podlife simulate {where} --pod {shlex.quote(inp.key.name)}"


def _not_ready_part(inp: PodInput, trs: list[T]) -> str:
    """READY n/m of a multi-container pod with n < m: which containers are not ready, when the input says."""
    ready = next((t.view[0] for t in reversed(trs) if t.view and t.view[0]), None)
    parts = ready_counts(ready)
    if not parts or parts[1] < 2 or parts[0] >= parts[1]:
        return ""
    last: dict[str, bool] = {}
    for o in inp.cstates:
        if o.container and o.data.get("ready") is not None:
            last[o.container] = bool(o.data.get("ready"))
    names = [c for c, r in last.items() if not r]
    if names:
        return f"READY {ready}: not ready: {', '.join(names)}"
    return f"READY {ready}: {parts[1] - parts[0]} of its {parts[1]} containers not ready (the input does not say which)"


def _predictions(ctx: PodContext, inp: PodInput, trs: list[T]) -> list[str]:
    """What the spec says will happen next, when nothing has gone wrong yet (marked as a prediction)."""
    end = max([t.t for t in trs if t.t is not None] + [0.0])
    out = []
    for name in inp.containers:
        beh = ctx.behaviour(name)
        if beh.exits_after is None or beh.exits_after <= end or not beh.script:
            continue
        policy = ctx.policy or "Always"
        then = ("restartPolicy Always restarts it" if policy == "Always" else
                "restartPolicy OnFailure restarts it" if policy == "OnFailure" and beh.exit_code else
                f"restartPolicy {policy} leaves it terminated")
        out.append(f"predicted: {name} runs `{beh.script}` and will exit {beh.exit_code} about "
                   f"{beh.exits_after:g} s after its start; {then}")
    return out


def _spec_only_predictions(ctx: PodContext, inp: PodInput) -> list[str]:
    """For a pod seen only as a manifest: how each container's command, the restartPolicy and the
    imagePullPolicy make it run (k8s-lifecycle 2.1: restarts and CrashLoopBackOff; SetDefaults_Container:
    the effective pull policy). Every sentence is marked predicted."""
    policy = ctx.policy or "Always"
    out = []
    for name in inp.containers:
        c = ctx.cspec(name)
        beh = rules.command_behaviour(c)
        run = f"`{beh.script}`" if beh.script else "the image's default command"
        pull = rules.image_pull_policy(c)
        if beh.exits_after is None:
            out.append(f"predicted: {name} runs {run}; nothing in the spec predicts an exit, so it keeps running; "
                       f"imagePullPolicy {pull}")
            continue
        when = "at once" if beh.exits_after == 0 else f"about {beh.exits_after:g} s after its start"
        code = beh.exit_code or 0
        restarts = rules.restart_allowed(policy, code)
        if restarts:
            then = f"restartPolicy {policy} restarts it, into CrashLoopBackOff"
            pulls = ("imagePullPolicy Always pulls the image again before every restart" if pull == "Always" else
                     f"imagePullPolicy {pull} pulls the image at most once and reuses it on every restart"
                     if pull == "IfNotPresent" else "imagePullPolicy Never uses only an image already on the node")
        else:
            ends = "Completed (the pod Succeeded)" if code == 0 else "Error (the pod Failed)"
            then = f"restartPolicy {policy} does not restart it: it ends {ends}"
            pulls = ("imagePullPolicy Always pulls the image before its one start" if pull == "Always" else
                     f"imagePullPolicy {pull}")
        out.append(f"predicted: {name} runs {run} and will exit {code} {when}; {then}; {pulls}")
    return out


def _restarted(restarts: int, shown: bool = True) -> str:
    """ "Restarted 5 times", or for a count the input does not print, "Restarted at least once"."""
    if shown:
        return f"Restarted {restarts} time{'s' if restarts != 1 else ''}"
    return "Restarted at least once" if restarts <= 1 else f"Restarted at least {restarts} times"


def _n_restarts(restarts: int, shown: bool = True) -> str:
    if shown:
        return f"{restarts} restarts"
    return f"at least {restarts} restart{'s' if restarts != 1 else ''} (the input prints no count)"


def _diag_sentence(t: T, restarts: int, trs: list[T] = (), shown: bool = True) -> str:
    times = _restarted(restarts, shown) if restarts else "Stopped"
    c = f" ({t.container})" if t.container else ""
    if t.cause in ("liveness-probe", "startup-probe"):
        p = t.probe
        what = f"the {p.handler} {p.type} probe" + (f" `{p.target}`" if p and p.target else "") if p else \
            f"the {t.cause.split('-')[0]} probe"
        settings = f" (period {p.period_seconds} s, threshold {p.failure_threshold})" if p and p.from_spec else ""
        if "the only probe in its spec" in t.summary:  # inferred from the spec alone (explain/restart.py)
            return (f"{times}{c}: most likely {what} failing{settings}, the only probe in its spec that restarts "
                    f"a container; the input shows no exit, kill or probe event")
        if t.exit_code in (143, 0):
            grace = f"; the process stops on SIGTERM (exit {t.exit_code})"
        elif t.exit_code == 137 or "could not shorten" in t.summary:
            grace = f"; each kill took the full {t.grace:g} s grace period (SIGTERM ignored)" if t.grace else ""
        elif "exited on SIGTERM" in t.summary:
            grace = "; the process stops on SIGTERM, so each restart follows the kill at once"
        else:
            grace = f"; killed with a {t.grace:g} s grace period" if t.grace else ""
        return f"{times}{c}: {what} kept failing{settings}{grace}"
    if t.cause == "oom-killed":
        limit = next((d.split(": ", 1)[1].rstrip(".") for d in t.detail if d.startswith("Memory limit:")), None)
        return f"{times}{c}: OOMKilled, the container exceeds its memory limit" + (f" ({limit})" if limit else "")
    how = _command_exit(t) or next((_command_exit(x) for x in trs if x.kind == "terminated" and x.container ==
                                    t.container and _command_exit(x)), None)
    if t.cause in ("error-exit", "completed-exit") and how:
        policy = " and restartPolicy restarts it" if restarts else ""
        return f"{times}{c}: {how}{policy}"
    if t.cause == "error-exit":
        if t.exit_code == 137:
            return (f"{times}{c}: killed by SIGKILL (exit 137, reason Error, not OOMKilled); no probe failure or "
                    f"event in the input says who sent it")
        if t.exit_code == 143:
            return f"{times}{c}: stopped by SIGTERM (exit 143); no event in the input says who sent it"
        code = f" with exit code {t.exit_code}" if t.exit_code is not None else ""
        return f"{times}{c}: the container exits{code} (an application error; see `kubectl logs --previous`)"
    if t.cause == "completed-exit":
        if not restarts:
            return f"Completed{c}: the container ran to completion (exit 0)"
        return f"{times}{c}: the container exits with code 0 and restartPolicy restarts it"
    if t.cause == "post-start-hook":
        return f"{times}{c}: its PostStart hook fails, so the kubelet kills it"
    if t.cause == "cannot-run":
        return f"{times}{c}: the runtime cannot start the container"
    if t.cause == "config-error":
        missing = next((x.facts[0].output for x in trs if x.facts and x.facts[0].what == "config-error"), "")
        text = (f"Cannot start{c}: CreateContainerConfigError" + (f" ({missing.replace('Error: ', '')})" if missing
                                                                   else " (a ConfigMap, Secret or key it needs is "
                                                                        "missing)"))
        if re.search(r'\b(?:secret|configmap)s? "[^"]+" not found|couldn\'t find key', missing, re.I):
            # A missing object for a volume fails the mount (FailedMount) before any container is created;
            # this error is the kubelet building the container's environment (env valueFrom / envFrom).
            text += ("; an env var (valueFrom) or envFrom of the container refers to it (a missing Secret or "
                     "ConfigMap volume would show FailedMount instead)")
        return text + "; the kubelet retries at every sync until it exists, and it never becomes CrashLoopBackOff"
    return f"{times}{c}: {t.summary}"


def _command_exit(t: T) -> str | None:
    """How the container's command ends, from an explanation's detail line, or None."""
    for d in t.detail:
        if d.startswith("The command `"):
            return d[4:].rstrip(".")
        if d.startswith("The container's command ends by itself"):
            return "the container's command ends by itself: " + d.split(": ", 1)[-1].rstrip(".")
    return None


def _final_status(trs: list[T]) -> str | None:
    for t in reversed(trs):
        if t.view and len(t.view) > 1 and t.view[1]:
            return t.view[1]
    return None


def _state_cause(ctx, inp: PodInput, trs: list[T], final: str | None, restarts: int):
    f = final or ""
    # Past its init containers, a pod whose app container is stuck (ImagePullBackOff, Error ...) is about that
    # container; the init containers held it only while STATUS said Init:...
    if f.startswith("Init:") or (not _STATE_CAUSE.get(f) and (any(t.kind == "init-done" for t in trs) or (
            inp.init_containers and any((t.to_state or "").startswith("Init:") for t in trs)))):
        held = _holding_init(inp, trs)
        return "init-container", held, None, "observed"
    cause = _STATE_CAUSE.get(f)
    if cause:
        c = next((t.container for t in reversed(trs) if t.cause == cause and t.container), ctx.single)
        return cause, c, None, "observed"
    pulls = [t for t in trs if t.cause == "image-pull"]
    if pulls:
        return "image-pull", pulls[-1].container, None, "observed"
    crash = [t for t in trs if t.kind == "back-off" and t.reason == "CrashLoopBackOff"]
    if crash or f == "CrashLoopBackOff":
        c = next((t.container for t in reversed(crash) if t.container), ctx.single)
        return "unknown", c, None, "inferred"
    rd = [t for t in trs if t.kind in ("not-ready", "probe-failed") and t.cause == "readiness-probe"]
    startup = [t for t in trs if t.kind == "probe-failed" and t.cause == "startup-probe"]
    if startup and not restarts:
        return "startup-probe", startup[-1].container, startup[-1].probe, "observed"
    if rd and not _ends_ready(trs):
        return "readiness-probe", rd[-1].container, rd[-1].probe, "observed"
    if any(t.kind in ("terminating", "deleted") for t in trs):
        return "deleted", None, None, "observed"
    if restarts:
        c = next((t.container for t in trs if t.kind == "restart" and t.container), ctx.single)
        return "unknown", c, None, "inferred"
    return "none", ctx.single, None, "observed"


def _init_holds(inp: PodInput, trs: list[T]) -> list[tuple[str, float, float | None]]:
    """(init container, from, until) from the Init:N/M statuses kubectl printed over time."""
    marks: list[tuple[float, int]] = []
    for t in trs:
        st = t.to_state or (t.view[1] if t.view else None) or ""
        if t.t is None:
            continue
        m = re.match(r"Init:(\d+)/(\d+)$", st)
        if m:
            marks.append((t.t, int(m.group(1))))
        elif st in ("PodInitializing", "Running") and inp.init_containers:
            marks.append((t.t, len(inp.init_containers)))
    holds = []
    for i, name in enumerate(inp.init_containers):
        begin = min([t for t, n in marks if n == i] or [0.0 if i == 0 else None] or [None], default=None)
        end = min([t for t, n in marks if n > i] or [None], key=lambda v: v if v is not None else 1e18)
        if begin is not None:
            holds.append((name, begin, end))
    return holds


def _ends_ready(trs: list[T]) -> bool:
    """READY is full at the last moment shown (readiness failures before it were transient)."""
    for t in reversed(trs):
        if t.view and t.view[0]:
            parts = ready_counts(t.view[0])
            return bool(parts and parts[1] and parts[0] == parts[1])
    return False


def _holding_init(inp: PodInput, trs: list[T]) -> str | None:
    holds = _init_holds(inp, trs)
    if holds:
        open_ = [h for h in holds if h[2] is None]
        if open_:
            return open_[0][0]
        return max(holds, key=lambda h: h[2] - h[1])[0]
    if not inp.init_containers:
        # STATUS says Init:... but nothing marked the container as an init container: the one the
        # events show starting and backing off is it.
        named = [t.container for t in trs if t.kind in ("started", "back-off", "terminated") and t.container]
        return named[-1] if named else None
    for t in reversed(trs):
        if t.container in inp.init_containers and t.kind in ("back-off", "terminated", "started"):
            return t.container
    m = [t.to_state for t in trs if (t.to_state or "").startswith("Init:")]
    if m and inp.init_containers:
        g = re.match(r"Init:(\d+)/(\d+)", m[-1])
        if g and int(g.group(1)) < len(inp.init_containers):
            return inp.init_containers[int(g.group(1))]
    return inp.init_containers[0] if inp.init_containers else None


# Image-pull failures that no pull can fix (k8s-stuck-pods.md 9.9): what the kubelet said, and what to change.
_NEVER_PULL = lazy_compile(r'Container image "([^"]+)" is not present with pull policy of Never')
_BAD_REFERENCE = lazy_compile(r'(?:couldn\'t parse image (?:reference|name) "([^"]+)"'
                              r'|Failed to apply default image tag "([^"]+)"|InvalidImageName)')


def _pull_sentence(final: str | None, c: str, trs: list[T]) -> str:
    msgs = [(t.facts[0].output, t.evidence[0].origin) for t in trs if t.kind == "pull-failed" and t.facts
            and t.evidence]
    never = next(((m, o) for m, o in msgs if _NEVER_PULL.search(m)), None)
    if never or final == "ErrImageNeverPull":
        img = _NEVER_PULL.search(never[0]).group(1) if never else None
        return (f"ErrImageNeverPull{c}: the image {img + ' ' if img else ''}is not on the node and its imagePullPolicy "
                f"is Never, so the kubelet will never pull it" + (f" ({never[1]})" if never else "")
                + "; load the image onto the node (`kind load docker-image`, `minikube image load`) or change "
                  "imagePullPolicy; the kubelet retries at every sync, with no back-off")
    bad = next(((m, o) for m, o in msgs if _BAD_REFERENCE.search(m) and "not found" not in m), None)
    if bad or final == "InvalidImageName":
        g = _BAD_REFERENCE.search(bad[0]) if bad else None
        img = (g.group(1) or g.group(2)) if g else None
        return (f"InvalidImageName{c}: the image name {img + ' ' if img else ''}is not a valid image reference "
                f"(invalid reference format)" + (f" ({bad[1]})" if bad else "")
                + ", so the kubelet cannot even try to pull it; fix the image in the spec (no retry can succeed)")
    return f"The image cannot be pulled{c}: {final or 'ErrImagePull/ImagePullBackOff'}"


def _state_sentence(cause, container, probe, final, restarts, trs, ctx, shown: bool = True) -> str:
    c = f" ({container})" if container else ""
    if cause == "init-container":
        waited = [t for t in trs if (t.to_state or "").startswith("Init:")]
        last = waited[-1].to_state if waited else final
        holds = _init_holds(ctx.inp, trs)
        if final and not final.startswith("Init:") and final not in ("PodInitializing",):
            spans = ", ".join(f"{n} {clock(a)}..{clock(b)}" for n, a, b in holds if b is not None)
            return (f"Init containers held the pod until it started (now {final})"
                    + (f": {spans}" if spans else f" (last {last})")
                    + (f"; {container} held it longest" if container and len(holds) > 1 else ""))
        return f"Held by init container {container or '?'}: {final}" + (
            f", {_n_restarts(restarts, shown)}" if restarts else "")
    if cause == "image-pull":
        return _pull_sentence(final, c, trs)
    if cause == "readiness-probe":
        text = (f"Not ready{c}: the readiness probe fails" + (f" ({probe.handler})" if probe else "") +
                "; readiness failures never restart a container" + (f"; {_n_restarts(restarts, shown)}" if restarts else ""))
        if any(t.facts and t.facts[0].what == "probe-errored" and "not running" in t.facts[0].output for t in trs):
            text += ("; the probes also errored because the container was no longer running: it had exited, and "
                     "the probe events are a symptom of that")
        return text
    if cause == "startup-probe":
        p = probe
        thr = p.failure_threshold if p and p.failure_threshold else 3
        seen = p.failures_seen if p and p.failures_seen else 1
        return (f"Startup probe failed {seen} time{'s' if seen != 1 else ''}{c}, below failureThreshold {thr}"
                f"{'' if p and p.from_spec else ' (default, assumed)'}: no restart")
    if cause == "deleted":
        return f"Deleted: {final or 'Terminating'}"
    if cause == "oom-killed":
        return f"OOMKilled{c}: the container exceeded its memory limit; {_n_restarts(restarts, shown)}"
    if cause == "error-exit":
        return f"The container exited with an error{c}; {_n_restarts(restarts, shown)}"
    if cause == "completed-exit":
        return f"The container completed{c} (exit 0); {_n_restarts(restarts, shown)}"
    if cause == "unknown":
        crash = any(t.kind == "back-off" and t.reason == "CrashLoopBackOff" for t in trs)
        no_kill = not any(t.kind == "killing" for t in trs)
        events = any(t.facts for t in trs)
        text = (f"{_restarted(restarts, shown)}{c}; the input does not show why "
                f"(no exit code, reason, kill or probe events): now {final or '?'}")
        if crash and events and no_kill:
            text = (f"Crash loop{c}: the container keeps exiting on its own ({restarts}+ restarts; no Killing event, "
                    f"so neither a liveness probe nor a deletion stopped it); the exit code is not in the input "
                    f"(see `kubectl logs --previous`)")
        if any(t.cause == "readiness-probe" for t in trs):
            text += "; the readiness probe failures seen do not explain it: readiness failures never restart a container"
        return text
    if cause == "none":
        transient = [t for t in trs if t.kind == "probe-failed" and t.cause == "readiness-probe"]
        return (f"No failure seen: {final or 'no status shown'}" + (f", {_n_restarts(restarts, shown)}" if restarts else "")
                + (f"; the readiness probe failed {occurrences(transient)} time(s) before the container became "
                   f"ready" if transient else ""))
    return f"{cause}: {final}"
