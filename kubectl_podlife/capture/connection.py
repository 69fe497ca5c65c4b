"""What the capture's connection to the API server is doing: per reflector, and in one phrase for a
status line (`live`, `reconnecting in 4s (connection refused)`, `relisting pods`), plus the notices
(one line per retry round, however many reflectors failed; one line when it answers again).

The reflectors report on their threads; the TUI's status line and `watch`'s notices read.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable

LIVE = "live"
RECONNECTING = "reconnecting"
RELISTING = "relisting"


class ConnectionState:
    def __init__(self, server: str, notify: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.server = server
        self.notify = notify
        self.clock = clock
        self._lock = threading.Lock()
        self._streams: dict[str, tuple[str, str, float]] = {}  # label -> (state, reason, retry at)
        self._last_unreachable: tuple[str, float, float] | None = None  # (reason, when, delay) last said
        self._down_reported = False

    # -- what the reflectors report --
    def unreachable(self, label: str, reason: str, delay: float) -> None:
        """The API server did not answer `label`'s request; it is retried in `delay` seconds."""
        now = self.clock()
        with self._lock:
            self._streams[label] = (RECONNECTING, reason, now + delay)
            last = self._last_unreachable
            if last is not None and last[0] == reason and now - last[1] < 0.9 * last[2]:
                return  # the reflectors back off in step: one line per round
            self._last_unreachable = (reason, now, delay)
            self._down_reported = True
        if reason.startswith("HTTP "):  # it answers, but not with what we asked for (401, 403, 5xx)
            self.notify(f"the API server at {self.server} answered {reason}; retrying in {delay:g}s")
        else:
            self.notify(f"cannot reach the API server at {self.server} ({reason}); retrying in {delay:g}s")

    def reachable(self, label: str, down_for: float) -> None:
        """`label` got an answer again after `down_for` seconds without one."""
        with self._lock:
            if self._streams.get(label, (LIVE,))[0] == RECONNECTING:
                self._streams[label] = (LIVE, "", 0.0)
            if not self._down_reported:
                return
            self._down_reported = False
            self._last_unreachable = None
        self.notify(f"reconnected to {self.server} after {down_for:.0f}s; resuming from the last resourceVersion")

    def relisting(self, label: str) -> None:
        """`label` lists again, its watch having fallen out of the server's history (410 Gone)."""
        with self._lock:
            self._streams[label] = (RELISTING, "", 0.0)

    def watching(self, label: str) -> None:
        """`label`'s watch is open: changes arrive as they happen."""
        with self._lock:
            self._streams[label] = (LIVE, "", 0.0)

    # -- what a status line shows --
    def describe(self) -> str:
        """One phrase for a status line: `live`, `reconnecting in 4s (connection refused)`, `relisting pods`."""
        with self._lock:
            streams = dict(self._streams)
        down = [(at, reason) for state, reason, at in streams.values() if state == RECONNECTING]
        if down:
            at, reason = min(down)
            left = math.ceil(at - self.clock())
            return f"reconnecting {f'in {left}s' if left > 0 else 'now'} ({reason})"
        relisting = [label for label, (state, _, _) in streams.items() if state == RELISTING]
        if relisting:
            return "relisting " + ", ".join(relisting)
        return LIVE if streams else "connecting"
