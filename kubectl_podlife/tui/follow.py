"""Following a stored session while it is written (watch, or `replay --session ID --follow`): each poll
rebuilds only the pods that got observations since the last one, so a poll costs what changed, not the
session. The store says which (`pods(changed_since=...)`: a pod's version is its newest observation's
id); every other pod keeps the very PodTimeline object it had, so the app's pod list and screens can
tell unchanged pods by identity.

A LiveSession is built by the load worker and then used only by the follow worker's thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from kubectl_podlife.model.timeline import PodTimeline, Timeline


@dataclass
class Followed(Message):
    timeline: Timeline | None  # None: nothing new this time
    error: str | None = None
    rebuilt: int = 0  # how many pods this poll rebuilt


class LiveSession:
    """A stored session's pods as built so far (store pod id -> timeline, in order of first appearance)
    and the newest observation id they were built from."""

    def __init__(self, store: Any, session_id: int, pods: dict[int, PodTimeline] | None = None, seen: int = 0):
        self.store = store
        self.session_id = session_id
        self.pods: dict[int, PodTimeline] = dict(pods or {})
        self.seen = seen
        self.builds = 0  # pods rebuilt by polls since the load (a figure for benchmarks and tests)

    def poll(self) -> tuple[Timeline | None, int]:
        """The session's timeline with every pod that changed since the last poll rebuilt (the others kept
        as they were), and how many were rebuilt; (None, 0) when nothing changed."""
        from kubectl_podlife.pipeline import pod_timeline  # start-up cost, as in loading

        changed = self.store.pods(self.session_id, changed_since=self.seen)
        if not changed:
            return None, 0
        last = max(self.pods, default=0)
        out_of_order = any(s.id < last and s.id not in self.pods for s in changed)
        for summary in changed:
            # Not cached: a live pod will have changed again by the next poll.
            self.pods[summary.id] = pod_timeline(self.store, summary, cache=False)
            self.seen = max(self.seen, summary.version)
        if out_of_order:
            # A new pod joins at the end (its id is higher than every pod's seen so far), unless its row
            # was made before another's yet its first observation came later: keep the store's order.
            self.pods = dict(sorted(self.pods.items()))
        self.builds += len(changed)
        pods = tuple(self.pods.values())
        return Timeline(pods=pods, warnings=tuple(self.store.warnings(self.session_id))), len(changed)

    def close(self) -> None:
        self.store.close()
