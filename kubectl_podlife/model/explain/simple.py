"""The transitions that need no kubelet rule to explain: creation, scheduling, image pulls, starts,
deletion, hooks, init progress, phase changes and notes."""

from __future__ import annotations

import re

from kubectl_podlife.model import deletion, rules
from kubectl_podlife.model.build import T
from kubectl_podlife.model.explain.context import PodContext


def explain_simple(ctx: PodContext, tr: T) -> None:
    c = tr.container
    k = tr.kind
    f = tr.facts[0] if tr.facts else None
    if k == "created":
        tr.summary = "Pod created" + (f" ({tr.to_state})" if tr.to_state else "")
        tr.cause = "none"
    elif k == "scheduled":
        node = ""
        if tr.evidence and " to " in tr.evidence[0].data.get("message", ""):
            node = " to " + tr.evidence[0].data["message"].rsplit(" to ", 1)[1]
        tr.summary = f"Scheduled{node}"
        tr.cause = "none"
    elif k == "pulling":
        img = f.image if f else None
        tr.summary = f"Pulling image {img or ''}".rstrip() + (f" (×{tr.count})" if tr.count > 1 else "")
        pol = (ctx.cspec(c) or {}).get("imagePullPolicy")
        image = img or (ctx.cspec(c) or {}).get("image") or ""
        if tr.count > 1 and not pol and image and (":" not in image.split("/")[-1] or image.endswith(":latest")):
            tr.detail.append("The image has no tag (or :latest), so imagePullPolicy defaults to Always: every "
                             "restart pulls again.")
        tr.cause = "none"
    elif k == "pulled":
        img = f.image if f else None
        cached = f is not None and f.detail == "cached"
        tr.summary = (f"Image {img or ''} already present" if cached else
                      f"Pulled image {img or ''}" + (f" in {f.detail}" if f and f.detail else "")) + (
            f" (×{tr.count})" if tr.count > 1 else "")
        tr.cause = "none"
    elif k == "pull-failed":
        img = (f.image if f else None) or (ctx.cspec(c) or {}).get("image")
        tr.cause = "image-pull"
        tr.summary = f"Image pull failed{' for ' + img if img else ''}" + (f" (×{tr.count})" if tr.count > 1 else "")
        err = (f.output if f else "") or ""
        if "Failed to pull" in err:
            tr.detail.append(err.split(": ", 1)[-1][:300])
            if "not found" in err or "does not exist" in err or "manifest unknown" in err:
                tr.detail.append("The registry has no such image or tag: fix the image name or tag.")
            elif "unauthorized" in err or "denied" in err or "authentication" in err:
                tr.detail.append("The registry refused the credentials: check imagePullSecrets.")
        tr.rule = "ErrImagePull, then ImagePullBackOff with 10 s doubling to 300 s between pulls"
        msgs = " ".join([err, tr.reason or ""] + [str(e.data.get("message") or e.data.get("status") or "")
                                                  for e in tr.evidence])
        bad = re.search(r"couldn't parse image (?:reference|name) \"([^\"]+)\"", msgs)
        img = img or (bad.group(1) if bad else None)
        if "pull policy of Never" in msgs or "ErrImageNeverPull" in msgs:
            tr.summary = (f"Image {img + ' ' if img else ''}not on the node, imagePullPolicy Never: not pulled "
                          f"(ErrImageNeverPull)" + (f" (×{tr.count})" if tr.count > 1 else ""))
            tr.rule = ("imagePullPolicy Never: the kubelet only uses an image already on the node and never pulls; "
                       "it checks again at every pod sync (no back-off)")
        elif "invalid reference format" in msgs or "InvalidImageName" in msgs:
            tr.summary = (f"Image name {img + ' ' if img else ''}is not a valid reference: not pulled "
                          f"(InvalidImageName)" + (f" (×{tr.count})" if tr.count > 1 else ""))
            tr.rule = "an image reference that cannot be parsed is never pulled; only a spec change fixes it"
    elif k == "started":
        who = c or "the container"
        init = c in ctx.inp.init_containers
        tr.summary = f"{'Init container ' if init else ''}{who} started" + (
            f" (×{tr.count})" if tr.count > 1 else "")
        if tr.count > 1:
            tr.detail.append(f"Started {tr.count} times: the container was re-created {tr.count - 1} times.")
        tr.cause = "none"
    elif k == "terminating":
        grace, which, assumed = deletion.grace_for_deletion(ctx.inp)
        tr.cause = "deleted"
        tr.grace = grace
        tr.summary = f"Pod is terminating (deleted; grace period {grace:g} s)"
        tr.detail.append(f"Grace period {grace:g} s from {which}.")
        if any(e.data.get("reason") == "TaintManagerEviction" for e in tr.evidence):
            tr.cause = "node-lost"
            tr.summary = (f"Marked for deletion by the taint-eviction controller (grace period {grace:g} s): its "
                          "node's NoExecute taint outlived the pod's toleration")
            tr.rule = ("an unreachable or not-ready node is tainted NoExecute; once a pod's toleration (300 s by "
                       "default) runs out the controller DELETEs it, and only the node's kubelet can finish that")
            return
        tr.rule = ("deletion sets deletionTimestamp = now + grace; kubectl shows Terminating while the phase is not "
                   "terminal; containers get SIGTERM (after preStop), SIGKILL when the grace period ends")
        if assumed:
            tr.missing.append(f"grace period assumed from {which}; `kubectl delete --grace-period` may have set "
                              "another")
    elif k == "deleted":
        tr.cause = "deleted"
        tr.summary = "Pod deleted"
        if any(e.data.get("unobserved") for e in tr.evidence):
            tr.summary = "Pod deleted while the watch was away (missing when listed again after a 410)"
            tr.confidence = "inferred"
    elif k == "hook-failed":
        which = f.detail if f else ""
        if which == "pre-stop":
            tr.cause = "deleted"
            tr.summary = f"PreStop hook of {c or 'the container'} failed"
            tr.detail.append((f.output if f else "")[:300])
            tr.detail.append("A preStop hook runs inside the grace period; if the container's main process stops "
                             "while the hook is still running (e.g. the hook itself stops it), the hook's exec is "
                             "killed with the container and reports failure (exit 137).")
            tr.detail.append("If the hook is still running when the grace period ends, the kubelet grants a one-off "
                             "2 s extension (minimumGracePeriodInSeconds) before the runtime's SIGKILL.")
            tr.rule = ("deletion: Killing, then the preStop hook inside terminationGracePeriodSeconds, then SIGTERM; "
                       "SIGKILL when the grace period (+2 s if the hook overran) ends")
        else:
            tr.cause = "post-start-hook"
            tr.summary = f"PostStart hook of {c or 'the container'} failed" + (f" (×{tr.count})" if tr.count > 1 else "")
            tr.rule = "a failed PostStart hook kills the container (RunContainerError); restartPolicy applies"
    elif k == "init-done":
        tr.cause = "init-container"
        tr.summary = f"Init progress: {tr.from_state} → {tr.to_state}"
        tr.rule = "init containers run one at a time in order; Init:N/M counts the ones done; then PodInitializing"
    elif k == "phase":
        st = tr.to_state or ""
        if st.startswith("Init:"):
            tr.cause = "init-container"
            tr.summary = f"Initializing: {st}" + (" (first seen)" if tr.note == "first seen" else "")
        elif st == "Evicted":
            tr.cause = "evicted"
            tr.summary = "Pod evicted"
        elif f and f.what == "failed-scheduling":
            tr.cause = "unknown"
            tr.summary = "Scheduling failed: " + (f.output[:150] if f else "")
        elif f and f.what == "evicted":
            tr.cause = "evicted"
            tr.summary = "Evicted: " + f.output[:150]
        else:
            tr.cause = "none"
            tr.summary = (f"First seen: {st}" if tr.note == "first seen" else
                          f"Status {tr.from_state} → {st}" if tr.from_state else f"Status {st}")
    elif k == "note":
        out = tr.note or (f.output[:200] if f else "")
        if f and f.what == "sandbox":
            out = "Pod sandbox changed: the pod's sandbox (network namespace) is re-created and its containers with it"
        elif f and f.what == "probe-warning":
            out = "Probe warning (HTTP redirect to another host treated as success): " + f.output[:150]
        elif f:
            out = f"{tr.evidence[0].data.get('reason')}: {f.output[:200]}"
        tr.summary = out
        tr.cause = "none"
    if not tr.summary:
        tr.summary = k
