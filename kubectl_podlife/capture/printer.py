"""The live printer of `watch --no-tui`: each explained transition on one line (`-o json`: one object
per line) the first time it becomes known."""

from __future__ import annotations

import collections
import json
import sys
from typing import Any, Callable, TextIO

from kubectl_podlife.observation import Observation, PodKey
from kubectl_podlife.textsafe import visible


def transition_key(pt: Any, tr: Any) -> tuple:
    """What makes a transition "the same one" across rebuilds: pod, kind, container, restart count,
    and its second (a transition known only by clock time counts at that clock time's second)."""
    from kubectl_podlife.timefmt import seconds_between

    t = tr.t
    if t is None and tr.time:
        t = seconds_between(getattr(pt, "created_time", None), tr.time)
    return (pt.namespace, pt.name, pt.uid, tr.kind, tr.container, tr.restart_count,
            None if t is None else round(t), None if t is not None else tr.time)


class TransitionPrinter:
    """Rebuilds the timeline of each pod that got new observations and prints unseen transitions."""

    KEEP_ENDED = 256  # deleted pods whose history is kept for events that arrive after the deletion

    def __init__(self, output: str = "text", out: TextIO | None = None,
                 timeline_for: Callable[[list[Observation]], Any] | None = None,
                 notify: Callable[[str], None] | None = None):
        self.output = output
        self.out = out or sys.stdout
        self.notify = notify or (lambda msg: print(f"podlife: {visible(msg)}", file=sys.stderr, flush=True))
        if timeline_for is None:
            from kubectl_podlife.pipeline import timeline_for_observations
            timeline_for = timeline_for_observations
        self.timeline_for = timeline_for
        self.per_pod: dict[PodKey, list[Observation]] = {}
        self.ended: collections.OrderedDict[PodKey, None] = collections.OrderedDict()  # deleted, oldest first
        self.printed: set[tuple] = set()
        self.failed = False

    def feed(self, observations: list[Observation]) -> None:
        touched: list[PodKey] = []
        for o in observations:
            lst = self.per_pod.setdefault(o.pod, [])
            if not lst or o.pod not in touched:
                touched.append(o.pod)
            lst.append(o)
        for key in dict.fromkeys(touched):
            self._print_pod(key)
            if any(o.kind == "mark" and o.data.get("what") == "deleted" for o in self.per_pod.get(key, ())[-8:]):
                # Gone from the API, but its last events (Killing, ...) come on another stream and may come
                # after the deletion: keep its history for them, forgetting the oldest ended pods first.
                self.ended[key] = None
                self.ended.move_to_end(key)
                while len(self.ended) > self.KEEP_ENDED:
                    self.per_pod.pop(self.ended.popitem(last=False)[0], None)

    def _print_pod(self, key: PodKey) -> None:
        try:
            tl = self.timeline_for(self.per_pod[key])
        except Exception as exc:  # the model must never stop the recording
            if not self.failed:
                self.failed = True
                self.notify(f"cannot explain {key.display} yet ({type(exc).__name__}: {exc}); still recording")
            return
        for pt in tl.pods:
            for tr in pt.transitions:
                k = transition_key(pt, tr)
                if k in self.printed:
                    continue
                self.printed.add(k)
                self.out.write(self.format(pt, tr) + "\n")
        self.out.flush()

    def format(self, pt: Any, tr: Any) -> str:
        if self.output == "json":
            d = tr.to_json()
            d["namespace"] = pt.namespace
            d["pod"] = pt.name
            return json.dumps(d, separators=(",", ":"), default=str)
        from kubectl_podlife.timefmt import clock
        when = tr.time or (f"+{clock(tr.t)}" if tr.t is not None else "?")
        ns = f"{pt.namespace}/" if pt.namespace else ""
        # Names, reasons and messages come from the API server: control characters shown as \xNN.
        return visible(f"{when} {ns}{pt.name} {tr.container or '-'} {tr.kind}: {tr.summary}")
