"""The live printer of `watch --no-tui`: each explained transition on one line (`-o json`: one object
per line) the first time it becomes known.

`StorePrinter` runs it on its own thread, reading what the recorder has committed from the store (its
own connection), so that explaining never holds up recording: the recorder stores at full speed, and a
printer that falls behind explains each changed pod once per pass, however many batches it missed.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import threading
import time
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
    """Rebuilds the timeline of each pod that got new observations and prints unseen transitions; `feed`
    keeps the history in memory, `StorePrinter` reads it from the store."""

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
            self.print_pod(key, self.per_pod[key])
            if any(o.kind == "mark" and o.data.get("what") == "deleted" for o in self.per_pod.get(key, ())[-8:]):
                # Gone from the API, but its last events (Killing, ...) come on another stream and may come
                # after the deletion: keep its history for them, forgetting the oldest ended pods first.
                self.ended[key] = None
                self.ended.move_to_end(key)
                while len(self.ended) > self.KEEP_ENDED:
                    self.per_pod.pop(self.ended.popitem(last=False)[0], None)

    def print_pod(self, key: PodKey, observations: list[Observation]) -> None:
        """Rebuild one pod's timeline from its whole history and print the transitions not printed yet."""
        try:
            tl = self.timeline_for(observations)
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


class StorePrinter:
    """Prints a live session's transitions as the recorder commits them, from the store, on its own thread.

    The recorder only calls `wake` (it never waits); this thread asks the store which pods changed since
    its last pass and rebuilds each once from its stored history. Its memory is one pod's history at a
    time: whatever it has not explained yet waits in the database, not in a queue.
    """

    def __init__(self, printer: TransitionPrinter, store_path: str | os.PathLike, session_id: int,
                 poll: float = 0.5, on_broken_pipe: Callable[[], None] | None = None):
        self.printer = printer
        self.store_path = store_path
        self.session_id = session_id
        self.poll = poll  # seconds between passes: at least one per poll when woken, at most one per poll
        self.on_broken_pipe = on_broken_pipe
        self.explained_to = 0  # the highest observation id whose pod has been explained
        self.broken_pipe = False
        self._wake = threading.Event()
        self._finish = threading.Event()
        self._thread = threading.Thread(target=self._run, name="podlife-printer", daemon=True)

    def start(self) -> "StorePrinter":
        self._thread.start()
        return self

    def wake(self, _observations: object = None) -> None:
        """New observations are committed (the recorder's `on_observations`); returns at once."""
        self._wake.set()

    def finish(self) -> None:
        """Explain everything committed so far, then stop (after the recorder has stopped)."""
        self._finish.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        from kubectl_podlife.store import Store

        try:
            with Store(self.store_path, create=False) as store:  # its own connection, reading only
                while True:
                    last = self._finish.is_set()  # set before this pass: the pass sees every commit
                    self._wake.clear()  # a commit during the pass is seen by the next one
                    started = time.monotonic()
                    self.step(store)
                    if last:
                        return
                    self._wake.wait(self.poll)
                    # at most one pass per `poll` while changes pour in: each pod's rebuild then covers more
                    # batches, and the model (same process, same GIL) leaves the recorder more of the CPU
                    self._finish.wait(max(0.0, started + self.poll - time.monotonic()))
        except BrokenPipeError:  # `watch --no-tui | head`: the reader has gone; stop the recording too
            self.broken_pipe = True
            if self.on_broken_pipe is not None:
                self.on_broken_pipe()
        except Exception as exc:  # the printer must never stop the recording
            self.printer.notify(f"stopped printing transitions ({type(exc).__name__}: {exc}); still recording")

    def step(self, store: Any) -> int:
        """One pass: explain every pod with observations newer than the last pass; returns how many."""
        changed = store.pods(self.session_id, changed_since=self.explained_to)
        for pod in changed:
            self.printer.print_pod(pod.key, store.pod_observations(pod.id))
            self.explained_to = max(self.explained_to, pod.version)
        return len(changed)
