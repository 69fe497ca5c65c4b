"""The one-line prompt under a pod's timeline: `t` seeks to a time, `/` searches the transitions (`n` / `N`
step through the matches), `:` runs a command (`:pod NAME`, `:pods`). Mixed into PodlifeApp (app.py): the
search state (query_text, matches, match_pos) is the app's, which the status line and tests read. On the
pod list, `/` and `:` open that screen's own prompt instead (screens.PodsScreen).
"""

from __future__ import annotations

from textual.widgets import Input

from .playback import parse_seek
from .podtable import find_pod
from .widgets import TimelineView


class PromptActions:
    """Seek, search and command prompt actions of the pod's screen."""

    def action_prompt(self, mode: str) -> None:
        if self.home is not None:
            self.home.open_prompt("filter" if mode == "search" else "command")
            return
        prompt = self.main_query("#prompt", Input)
        self.prompt_mode = mode
        prompt.value = ""
        if mode == "seek":
            prompt.placeholder = "seek to: 2m7s, 85s, 1h2m, +10s, -1m  (enter go, esc cancel)"
        elif mode == "command":
            prompt.placeholder = ":pod NAME opens a pod, :pods the pod list  (enter go, esc cancel)"
        else:
            prompt.placeholder = "search summaries, messages and evidence  (enter find, esc cancel)"
        prompt.add_class("-open")
        prompt.focus()

    def close_prompt(self) -> None:
        prompt = self.main_query("#prompt", Input)
        prompt.remove_class("-open")
        self.prompt_mode = None
        self.set_focus(None)

    def submit_prompt(self, text: str) -> None:
        """Enter in the prompt: seek, search or run the command typed."""
        mode, value = self.prompt_mode, text.strip()
        self.close_prompt()
        if not value:
            return
        if mode == "seek":
            try:
                t = parse_seek(value, self.playhead)
            except ValueError as exc:
                self.say(str(exc), severity="error")
                return
            self.seek(t)
        elif mode == "search":
            self.run_search(value, jump=True)
        elif mode == "command":
            self.run_command(value)

    def run_command(self, text: str) -> None:
        """`:pod NAME` (or `:po NAME`) opens that pod; `:pods` (`:po`) shows the pod list."""
        words = text.strip().lstrip(":").split()
        if not words:
            return
        verb, args = words[0].lower(), words[1:]
        if verb not in ("pod", "pods", "po"):
            self.say(f'unknown command ":{verb}"; try :pod NAME or :pods', severity="warning")
            return
        if not args:
            if len(self.rows) > 1:
                self.show_home()
            return
        row, problem = find_pod(self.rows, " ".join(args))
        if row is None:
            self.say(problem or "no such pod", severity="warning")
            return
        self.open_pod(row.index)

    def run_search(self, query: str, *, jump: bool) -> None:
        if self.view is None:
            return
        self.query_text = query
        self.matches = self.view.search(query)
        self.main_query(TimelineView).set_matches(self.matches)
        self.match_pos = None
        if not self.matches:
            if jump:
                self.say(f'no transition mentions "{query}"', severity="warning")
            self.refresh_status()
            return
        if jump:
            start = self.selected if self.selected is not None else -1
            after = [i for i, row in enumerate(self.matches) if row >= start]
            self.match_pos = after[0] if after else 0
            self.select_row(self.matches[self.match_pos])
        else:
            self.refresh_status()

    def action_search_step(self, step: int) -> None:
        if not self.query_text:
            self.say("no search yet: press / to search", severity="warning")
            return
        if not self.matches:
            self.say(f'no transition mentions "{self.query_text}"', severity="warning")
            return
        cur = self.selected if self.selected is not None else -1
        if step > 0:
            later = [i for i, row in enumerate(self.matches) if row > cur]
            pos = later[0] if later else 0
        else:
            earlier = [i for i, row in enumerate(self.matches) if row < cur]
            pos = earlier[-1] if earlier else len(self.matches) - 1
        self.match_pos = pos
        self.select_row(self.matches[pos])
