"""`kubectl podlife simulate`: read the manifest (and a behaviour file), apply what-if edits, predict each
Pod's timeline with the model's simulator, and print it, compare it with a recording, or generate
large sessions. The flags are defined in kubectl_podlife/arguments.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass, replace
from typing import Any, Sequence

import yaml

from kubectl_podlife import render
from kubectl_podlife.behaviour import BEHAVIOUR_FLAGS, SIGTERM_CHOICES
from kubectl_podlife.commands.simulate_compare import comparison_lines, compare
from kubectl_podlife.commands.simulate_generate import generate
from kubectl_podlife.commands.simulate_whatif import apply_set
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.ingest.context import PodRegistry
from kubectl_podlife.ingest.manifest import looks_like_manifest_start, parse_manifest_text, scan_manifest
from kubectl_podlife.ingest.source import read_source
from kubectl_podlife.model.simulate import (ALWAYS, DEFAULT_DURATION, Behaviour, SimOptions, behaviour_from_mapping,
                                            parse_duration, predict)
from kubectl_podlife.model.timeline import Timeline


def run_simulate(args: argparse.Namespace) -> int:
    if args.pods is not None:
        if not args.out:
            raise PodlifeError("--pods needs --out FILE (- for stdout)")
        res = generate(args.pods, args.out, args.format, args.seed)
        rate = res.observations / res.seconds if res.seconds > 0 else float("inf")
        print(f"wrote {res.observations} observations of {res.pods} pods to {res.path} ({res.fmt}, {res.lines} lines) "
              f"in {res.seconds:.2f} s ({rate:,.0f} observations/s)", file=sys.stderr if args.out == "-" else sys.stdout)
        return 0
    if not args.manifest:
        raise PodlifeError("nothing to simulate: give a Pod manifest (POD.yaml), or --pods N --out FILE to generate")
    manifests = load_manifests(args.manifest)
    if args.pod:
        manifests = [m for m in manifests if args.pod in (m.name, f"{m.namespace}/{m.name}")]
        if not manifests:
            names = ", ".join(m.name for m in load_manifests(args.manifest))
            raise PodlifeError(f'{args.manifest}: no Pod "{args.pod}" in it (there are: {names})')
    observed = None
    observed_end = None
    if args.against or args.session:
        observed = _observed_timeline(args)
    predicted_pods = []
    specs = {}
    opts_by_pod = {}
    for m in manifests:
        spec = m.spec
        for s in args.sets:
            spec = apply_set(spec, s)
        names = [c.get("name") for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                 if isinstance(c, dict)]
        options = options_from_args(args, names)
        if observed is not None and args.duration is None:  # as long as the recording, and a minute more
            o = _pick_observed(observed, m.name, m.namespace, m.incarnation)
            options = replace(options, duration=max(60.0, math.ceil(o.end) + 60.0))
        tl = predict(m.name, spec, options, namespace=m.namespace, source=f"simulate({os.path.basename(args.manifest)})",
                     incarnation=m.incarnation)
        if args.sets:
            tl = replace(tl, pods=tuple(replace(p, notes=p.notes + (f"what-if: {', '.join(args.sets)}",))
                                        for p in tl.pods))
        predicted_pods.extend(tl.pods)
        specs[(m.name, m.incarnation)] = spec
        opts_by_pod[(m.name, m.incarnation)] = options
    timeline = Timeline(pods=tuple(predicted_pods))
    if observed is not None:
        return _print_comparison(args, timeline, observed, specs, opts_by_pod, observed_end)
    if args.tui:
        try:
            from kubectl_podlife.tui.app import run_tui
        except Exception as exc:  # noqa: BLE001 - the TUI is optional here; say so in one line
            raise PodlifeError(f"the TUI is not available ({type(exc).__name__}: {exc}); use -o text|markdown|json"
                               ) from None
        return run_tui(timeline=timeline)
    _print_timeline(timeline, args.output)
    return 0


def options_from_args(args: argparse.Namespace, containers: Sequence[str] = ()) -> SimOptions:
    behaviours: dict[str, Behaviour] = {}
    sigterm = "auto"
    tick = None
    if getattr(args, "behaviour", None):
        behaviours, extra = load_behaviour_file(args.behaviour)
        sigterm = extra.get("sigterm", sigterm)
        tick = extra.get("tick_phase")
    flags: dict[str, Any] = {}
    for flag, _ in BEHAVIOUR_FLAGS:
        v = getattr(args, flag.replace("-", "_"), None)
        if v is not None:
            flags[flag.replace("-", "_")] = parse_duration(v, f"--{flag}")
    if getattr(args, "exit_code", None) is not None:
        flags["exit_code"] = args.exit_code
    if getattr(args, "image_pull_fails", False):
        flags["image_pull_fails"] = ALWAYS
    if flags:
        target = args.container or ""
        if args.container and containers and args.container not in containers:
            raise PodlifeError(f'--container {args.container}: no such container (there are: {", ".join(containers)})')
        behaviours[target] = behaviours.get(target, Behaviour()).merged(Behaviour(**flags))
    elif getattr(args, "container", None) and containers and args.container not in containers:
        raise PodlifeError(f'--container {args.container}: no such container (there are: {", ".join(containers)})')
    if args.sigterm:
        sigterm = args.sigterm
    if getattr(args, "tick_phase", None) is not None:
        tick = parse_duration(args.tick_phase, "--tick-phase")
    duration = parse_duration(args.duration, "--for") if args.duration else DEFAULT_DURATION
    if duration <= 0:
        raise PodlifeError("--for: give a positive duration like 10m")
    if duration > 7 * 86400:
        raise PodlifeError(f"--for {args.duration}: at most 7 days can be simulated")
    return SimOptions(duration=duration, tick_phase=tick, sigterm=sigterm, behaviours=behaviours)


def load_behaviour_file(path: str) -> tuple[dict[str, Behaviour], dict[str, Any]]:
    """`{containers: {NAME: {...}}, sigterm: ..., tick_phase: ...}` -> per-container behaviours, pod options."""
    name, text = read_source(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise PodlifeError(f"{where}: not YAML ({getattr(exc, 'problem', None) or exc}); expected "
                           f"{{containers: {{NAME: {{liveness_fails_from: 3, ...}}}}}}") from None
    if not isinstance(doc, dict):
        raise PodlifeError(f"{name}: expected a mapping like {{containers: {{NAME: {{exits_after: 5}}}}}}")
    extra = {k: v for k, v in doc.items() if k != "containers"}
    for k in extra:
        if k not in ("sigterm", "tick_phase"):
            raise PodlifeError(f'{name}: unknown key "{k}"; expected containers, sigterm or tick_phase')
    cs = doc.get("containers") or {}
    if not isinstance(cs, dict):
        raise PodlifeError(f"{name}: containers must map container names to behaviours")
    out = {str(c): behaviour_from_mapping(b, f"{name}: containers.{c}") for c, b in cs.items()}
    opts: dict[str, Any] = {}
    if "sigterm" in extra:
        if str(extra["sigterm"]) not in SIGTERM_CHOICES:
            raise PodlifeError(f'{name}: sigterm must be one of {", ".join(SIGTERM_CHOICES)}')
        opts["sigterm"] = str(extra["sigterm"])
    if "tick_phase" in extra:
        opts["tick_phase"] = parse_duration(extra["tick_phase"], f"{name}: tick_phase")
    return out, opts


@dataclass(frozen=True)
class PodManifest:
    name: str
    namespace: str | None
    spec: dict
    kind: str  # Pod, or the controller whose pod template this is
    line: int  # 1-based line of the manifest in its file
    incarnation: int = 1  # 2 for a second, different manifest of the same name in the file (as `explain` counts)


def load_manifests(path: str) -> list[PodManifest]:
    """The Pods (or controllers' pod templates) in a manifest file, a transcript or stdin (`-`), in file order.

    Two different manifests of one name are two incarnations, as `explain` counts them (an edited manifest
    applied again after a delete); the same manifest shown twice is one. Raises a one-line PodlifeError naming the file when it is missing, not YAML, or holds no Pod.
    """
    name, text = read_source(path)
    docs = [(d, d.line) for d in parse_manifest_text(text).docs]
    if not any(_usable(d) for d, _ in docs):
        lines = text.splitlines()
        i = 0
        docs = []
        while i < len(lines):
            if looks_like_manifest_start(lines[i]):
                scan = scan_manifest(lines, i)
                if scan is not None:
                    docs.extend((d, d.line) for d in scan.docs)
                    i = max(scan.end, i + 1)
                    continue
            i += 1
    pods = [PodManifest(d.name or f"pod-{n + 1}", d.namespace, d.spec, d.kind or "Pod", line + 1)
            for n, (d, line) in enumerate(docs) if _usable(d) and (d.kind or "Pod") == "Pod"]
    if not pods:  # a Deployment, StatefulSet, Job ...: simulate its pod template
        pods = [PodManifest(f"{d.name or 'pod'}-sim", d.namespace, d.spec, d.kind, line + 1)
                for d, line in docs if _usable(d)]
    if pods:
        registry = PodRegistry()
        seen: dict = {}
        for p in pods:
            key = registry.for_spec(p.name, p.namespace, p.spec)
            seen.setdefault(key, replace(p, incarnation=key.incarnation))
        return list(seen.values())
    try:
        found = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise PodlifeError(f"{where}: not a YAML manifest ({getattr(exc, 'problem', None) or 'cannot parse'}); "
                           f"expected a Pod (kind: Pod with spec.containers)") from None
    kinds = sorted({str(d.get("kind")) for d in found if isinstance(d, dict) and d.get("apiVersion")
                    and d.get("kind")})
    seen_kinds = f" (found kind {', '.join(kinds)})" if kinds else ""
    raise PodlifeError(f"{name}: no Pod manifest in it{seen_kinds}; expected kind: Pod with spec.containers")


def _usable(d) -> bool:
    return not d.fragment and bool(d.spec.get("containers")) and isinstance(d.spec.get("containers"), list)


def _print_timeline(timeline: Timeline, output: str) -> None:
    if output == "json":
        print(json.dumps(timeline.to_json(), indent=2, ensure_ascii=False))
    elif output == "markdown":
        print(render.markdown(timeline), end="")
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(render.text(timeline, color=color), end="")


def _observed_timeline(args: argparse.Namespace) -> Timeline:
    from kubectl_podlife import pipeline  # the ingest and the store: needed only to compare

    if args.against and args.session:
        raise PodlifeError("give either --against FILE... or --session ID, not both")
    if args.session:
        from kubectl_podlife.store import Store

        with Store() as store:
            return pipeline.timeline_for_session(store, store.resolve(args.session))
    timeline, result = pipeline.timeline_for_files(args.against)
    for w in list(result.warnings)[:5]:
        print(f"warning: {w}", file=sys.stderr)
    return timeline


def _pick_observed(observed, name: str, namespace: str | None, incarnation: int = 1):
    pods = [p for p in observed.pods if p.name == name and (namespace is None or p.namespace in (None, namespace))]
    if not pods and len(observed.pods) == 1:
        pods = list(observed.pods)
    if not pods:
        names = ", ".join(p.display for p in observed.pods[:10]) or "none"
        raise PodlifeError(f'the recording has no pod "{name}" to compare with (pods seen: {names})')
    return next((p for p in pods if p.incarnation == incarnation), pods[0])


def _print_comparison(args, timeline, observed, specs: dict, opts_by_pod: dict, observed_end) -> int:
    results = []
    for p in timeline.pods:
        o = _pick_observed(observed, p.name, p.namespace, p.incarnation)
        diffs = compare(p, o, specs[(p.name, p.incarnation)], opts_by_pod[(p.name, p.incarnation)], o.end)
        results.append((p, o, diffs))
    if args.output == "json":
        doc = {"predicted": timeline.to_json(),
               "observed": {"pods": [o.to_json() for _, o, _ in results], "warnings": list(observed.warnings)},
               "differences": [dict(d.to_json(), pod=p.name) for p, _, ds in results for d in ds]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    out: list[str] = []
    for p, o, diffs in results:
        out.extend(comparison_lines(p, o, specs[(p.name, p.incarnation)], diffs))
    print("\n".join(out).rstrip() + "\n", end="")
    return 0
