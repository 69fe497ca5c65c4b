"""Moving through a pod's timeline from the keyboard: play / pause at a speed, the next or previous
transition, row by row or a page at a time, the first row and the end (which resumes following a live
recording). Mixed into PodlifeApp (app.py), whose state it moves: the view, playhead and selection, through
the app's `seek` and `select_row`; on the pod list the same keys move its cursor instead.
"""

from __future__ import annotations

import time

from .playback import next_speed
from .widgets import TimelineView

TICK = 0.1  # playback step, seconds of wall time


class MoveActions:
    """The app's actions that move the playhead or the selection (see bindings.py for their keys)."""

    def action_play_pause(self) -> None:
        if self.view is None or self.tick_timer is None:
            return
        if self.playing:
            self.playing = False
            self.tick_timer.pause()
        else:
            if self.playhead >= self.view.end:
                self.seek(self.view.start)
            self.user_moved()
            self.playing = True
            self.last_tick = time.monotonic()
            self.tick_timer.resume()
        self.refresh_status()

    def tick(self) -> None:
        # A timer's callback runs in the timer's own task: when the app shuts down without exit() (a test's
        # run_test, a crash), it goes on ticking while the screens are closed, and would seek on widgets and
        # a screen stack that are gone. Textual clears is_running before it closes the first screen.
        if not self.is_running or not self.playing or self.view is None:
            return
        now = time.monotonic()
        dt, self.last_tick = now - self.last_tick, now
        t = self.playhead + dt * self.speed
        if t >= self.view.end:
            t = self.view.end
            self.playing = False
            if self.tick_timer:
                self.tick_timer.pause()
        self.seek(t, user=False)

    def action_speed(self, step: int) -> None:
        self.speed = next_speed(self.speed, step)
        self.refresh_status()

    def action_jump(self, step: int) -> None:
        if self.view is None:
            return
        t = self.view.next_time(self.playhead) if step > 0 else self.view.prev_time(self.playhead)
        if t is None:
            self.bell()
            return
        self.seek(t)

    def action_cursor(self, step: int) -> None:
        if self.home is not None:
            self.home.move(step)
            return
        if self.view is None or not len(self.view):
            return
        if self.selected is None:
            self.select_row(0 if step > 0 else 0)
        else:
            self.select_row(self.selected + step)

    def action_page(self, step: int) -> None:
        if self.home is not None:
            self.home.move(step * max(1, self.home.table.visible_rows - 1))
            return
        rows = self.main_query(TimelineView).visible_rows
        self.action_cursor(step * max(1, rows - 1))

    def action_go_start(self) -> None:
        if self.home is not None:
            self.home.move_to(0)
            return
        if self.view is None:
            return
        if len(self.view):
            self.select_row(0)  # the first row itself, also when several share its time or a filter is on
        else:
            self.seek(self.view.start)

    def action_go_end(self) -> None:
        if self.home is not None:
            self.home.move_to(len(self.home.table.rows) - 1)
            return
        if self.view is None:
            return
        self.follow_paused = False
        self.seek(self.view.end, user=False)
