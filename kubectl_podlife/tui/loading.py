"""Loading what the TUI replays, in the app's thread worker: saved files read and explained pod by pod, or
a stored session's pods built one by one from the store (as `explain --session` builds them, cached).

The worker only talks to the app through messages (and its loading line): several pods are posted in
batches (PodsBuilt) so the pod list shows while the rest are explained, then Loaded with them all, or
LoadFailed with one line. Quitting cancels the worker: the parsers stop at their next checkpoint
(ingest's `cancelled`) and the pod loop before its next pod, so the exit never waits for a whole read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from textual.message import Message

from kubectl_podlife.errors import LoadCancelled, PodlifeError
from kubectl_podlife.model.timeline import PodTimeline, Timeline

from .follow import LiveSession
from .podtable import plural

BATCH_SECONDS = 0.5  # how often a load of several pods posts what it has explained (the first at once)


@dataclass(frozen=True)
class Source:
    """What to replay: files, a stored session (optionally followed live), or a Timeline in hand."""

    files: tuple[str, ...] = ()
    store_path: str | None = None
    session_id: int | None = None
    follow: bool = False
    timeline: Timeline | None = None
    # a live capture's connection (capture.connection.ConnectionState): its describe() is shown while following
    connection: Any = field(default=None, compare=False)

    def describe(self) -> str:
        if self.files:
            return ", ".join(self.files)
        if self.session_id is not None:
            return f"session {self.session_id}" + (" (following)" if self.follow else "")
        return "timeline"


@dataclass
class Loaded(Message):
    timeline: Timeline
    warnings: tuple[str, ...] = ()
    live: LiveSession | None = None  # the session to follow, open (following a stored session)


@dataclass
class PodsBuilt(Message):
    """Pods explained so far by a load of several pods (`done` of `total`); Loaded follows with them all."""

    pods: tuple[PodTimeline, ...]
    done: int
    total: int


@dataclass
class LoadFailed(Message):
    text: str
    exit_code: int = 1


class Loader:
    """One load, run in the worker's thread: `post` sends a message to the app (thread-safe), `say`
    shows a loading line, `cancelled` is the worker's cancellation."""

    def __init__(self, source: Source, post: Callable[[Message], Any], say: Callable[[str], None],
                 cancelled: Callable[[], bool]):
        self.source, self.post, self.say, self.cancelled = source, post, say, cancelled

    def run(self) -> None:
        src = self.source
        # The pipeline and the store are imported in this worker, for start-up cost: the screen and
        # its loading line are up before the model (~200 ms of imports) loads.
        try:
            if src.files:
                self.read_files()
            else:
                self.read_session()
        except LoadCancelled:
            return  # the app is quitting: nobody waits for a result
        except PodlifeError as exc:
            self.post(LoadFailed(str(exc), exc.exit_code))
        except ImportError as exc:
            self.post(LoadFailed(f"the replay pipeline is not available in this build ({exc})"))
        except Exception as exc:  # a bug: still one line, never a traceback over the screen
            self.post(LoadFailed(f"internal error while loading {src.describe()}: {type(exc).__name__}: {exc}"))

    def read_files(self) -> None:
        from kubectl_podlife.ingest import read_paths
        from kubectl_podlife.model import build_pod_timeline

        result = read_paths(list(self.source.files), cancelled=self.cancelled)
        warnings = tuple(str(w) for w in result.warnings)
        self.say(f"explaining {plural(len(result.observations), 'observation')}…")
        groups: dict = {}
        for o in result.observations:
            groups.setdefault(o.pod, []).append(o)
        pods = self.each_pod(list(groups.items()), lambda item: build_pod_timeline(*item))
        self.post(Loaded(Timeline(pods=pods, warnings=warnings), warnings))

    def read_session(self) -> None:
        from kubectl_podlife.pipeline import pod_timeline
        from kubectl_podlife.store import Store

        src = self.source
        assert src.session_id is not None
        store = Store(src.store_path, create=False) if src.store_path else Store(create=False)
        try:
            store.session(src.session_id)  # a clear error for an unknown id
            summaries = store.pods(src.session_id)
            warnings = tuple(store.warnings(src.session_id))
            total = sum(s.observations for s in summaries)
            self.say(f"explaining {plural(total, 'observation')}…")
            done = [0, 0]  # observations, pods
            last_shown = [0.0]

            def build(summary) -> PodTimeline:
                pod = pod_timeline(store, summary)  # cached in the store: a session explains once
                done[0] += summary.observations
                done[1] += 1
                now = time.monotonic()
                if now - last_shown[0] > 0.1:  # at most ten updates a second
                    last_shown[0] = now
                    self.say(f"explaining {done[0]:,} of {total:,} observations ({done[1]:,}/{len(summaries):,} pods)…")
                return pod

            pods = self.each_pod(summaries, build)
        except BaseException:
            store.close()
            raise
        live = None
        if src.follow:
            live = LiveSession(store, src.session_id, dict(zip((s.id for s in summaries), pods)),
                               seen=max((s.version for s in summaries), default=0))
        else:
            store.close()
        self.post(Loaded(Timeline(pods=pods, warnings=warnings), warnings, live))

    def each_pod(self, items: list, build: Callable[[Any], PodTimeline]) -> tuple[PodTimeline, ...]:
        """Each item built into a pod timeline; with several, each batch is posted as it is built (every
        BATCH_SECONDS, the first at once) for the pod list: more often costs the UI thread redraws that slow
        the worker down (the GIL). LoadCancelled before the next pod once the worker is cancelled."""
        pods: list[PodTimeline] = []
        batch: list[PodTimeline] = []
        posted = 0.0
        for item in items:
            if self.cancelled():
                raise LoadCancelled()
            pod = build(item)
            pods.append(pod)
            if len(items) > 1:
                batch.append(pod)
                now = time.monotonic()
                if now - posted >= BATCH_SECONDS or len(pods) == len(items):
                    posted = now
                    self.post(PodsBuilt(tuple(batch), len(pods), len(items)))
                    batch = []
        return tuple(pods)
