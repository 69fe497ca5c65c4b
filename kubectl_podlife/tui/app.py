"""The replay TUI: with several pods it opens on the pod list, worst first (screens.PodsScreen); a pod's
screen shows its transitions, container lanes and the explanation of the selected moment, all driven by
one playhead. `make_app` is the only way to build it (the CLI and the tests share it);
`run_tui` runs it and turns a failure into an exit code.

This module holds the app's state (which pod, its view, the playhead and selection, filters) and what
ties the screens together; the rest lives beside it, one job a module: loading.py reads the source in a
thread worker (cancelled by q at its next checkpoint), follow.py rebuilds the pods a live session changed,
navigation.py and prompt.py are the moving and the seek/search/command actions (mixed into the app: they
move its state), status.py says the top two lines, screens.py, widgets.py and logview.py draw, bindings.py names the keys. Workers post
small messages back; any error they meet ends up as one line in the UI. Several pods are explained one by
one and posted in batches, so the pod list shows (and can be used) while a large recording is still being
explained.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, LoadingIndicator, Static

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.model.timeline import PodTimeline, Timeline, Transition
from kubectl_podlife.textsafe import visible
from kubectl_podlife.timefmt import clock

from . import bindings as keys
from .explain import explanation, explanation_text
from .export import write_export
from .follow import Followed, LiveSession
from .loading import Loaded, Loader, LoadFailed, PodsBuilt, Source
from .navigation import TICK, MoveActions
from .prompt import PromptActions
from .status import status_text
from .playback import SPEEDS, PodView, cycle
from .podtable import PodRow, pod_row, worst_first
from .screens import HelpScreen, PodsScreen
from .widgets import Explanation, Lanes, TimelineView

POLL = 0.5  # live following: how often the store is asked for new observations


@dataclass
class Exported(Message):
    text: str
    error: bool = False


class PodlifeApp(MoveActions, PromptActions, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "kubectl podlife"
    BINDINGS = keys.BINDINGS
    ENABLE_COMMAND_PALETTE = False
    AUTO_FOCUS = None
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (16, "-short"), (36, "-tall")]

    def __init__(self, source: Source, keymap: dict[str, str] | None = None, keymap_error: str | None = None):
        # NO_COLOR: ANSI mode makes Textual strip every colour (its NoColor filter: the terminal's own
        # foreground and background) instead of turning colours into greys; styles (bold, reverse) stay.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.set_class(self.no_color, "-no-color")  # before the first styling: rules key on it
        self.source = source
        self.keymap = dict(keymap or {})
        self.keymap_error = keymap_error
        self.timeline: Timeline | None = None
        self.rows: list[PodRow] = []  # the pod list, worst first (podtable), one row per pod of the timeline
        self.opened = False  # a pod's screen has been shown (esc on the pod list goes back to it)
        self._building: list[PodTimeline] = []
        self._row_cache: dict[int, tuple[PodTimeline, PodRow]] = {}  # pods explained so far while a load of several goes on
        self.pod_index = 0
        self.view: PodView | None = None
        self.playhead = 0.0
        self.selected: int | None = None
        self.speed = SPEEDS[0]
        self.playing = False
        self.container_filter: str | None = None
        self.kind_filter: str | None = None
        self.query_text = ""
        self.matches: list[int] = []
        self.match_pos: int | None = None
        self.following = source.follow and source.session_id is not None
        self.follow_paused = False
        self.load_error: str | None = None
        self.exit_code = 0
        self.messages: list[str] = []  # everything said to the user, newest last (tests read it)
        self.prompt_mode: str | None = None
        self.last_tick = 0.0
        self.tick_timer: Timer | None = None
        self.live: LiveSession | None = None  # the session followed, once loaded (follow worker's)
        self._polling = False
        self._explained: tuple | None = None

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield TimelineView(id="timeline")
                yield Lanes(id="lanes")
            yield Explanation(id="explain")
        with Vertical(id="loading"):
            yield LoadingIndicator()
            yield Static(id="loading-text")
        yield Static(id="error")
        yield Input(id="prompt")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.keymap_error:
            self.say(self.keymap_error, severity="warning")
        self.main_query("#explain").border_title = "explanation"
        self.tick_timer = self.set_interval(TICK, self.tick, pause=True)
        if self.source.timeline is not None:
            self.on_loaded(Loaded(self.source.timeline))
        elif self.source.files or self.source.session_id is not None:
            self.main_screen.add_class("-loading")
            self.main_query("#loading-text", Static).update(Text(visible(f"reading {self.source.describe()}…")))
            self.load()
        else:
            self.fail("nothing to replay: give saved kubectl output (FILE...) or a stored session (--session ID)")

    def say(self, text: str, severity: str = "information") -> None:
        self.messages.append(text)
        self.notify(visible(text), severity=severity, timeout=4, markup=False)  # type: ignore[arg-type]

    def fail(self, text: str, exit_code: int = 1) -> None:
        self.load_error = text
        self.exit_code = exit_code
        self.main_screen.remove_class("-loading")
        self.main_screen.add_class("-failed")
        self.main_query("#error", Static).update(Text(visible(f"error: {text}  (q quits)")))
        self.messages.append(text)
        self.refresh_status()

    # What the pod list answers to: the app's actions that act on it while it is on top (the footer follows).
    HOME_ACTIONS = frozenset({"cursor", "page", "go_start", "go_end", "prompt", "back", "open_pod", "toggle_pods",
                              "help", "quit", "help_quit"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until there is a pod to show, only help, back and quit do anything; the pod list has its own few."""
        if isinstance(self.screen, PodsScreen):
            if action == "prompt" and parameters and parameters[0] == "seek":
                return False
            return action in self.HOME_ACTIONS
        if action == "open_pod":
            return False
        if action == "toggle_pods" and len(self.rows) < 2:
            return False
        if self.view is None and action not in ("help", "quit", "help_quit", "back"):
            return False
        return True

    @property
    def home(self) -> PodsScreen | None:
        """The pod list, when it is the screen on top."""
        return self.screen if isinstance(self.screen, PodsScreen) else None

    # --- loading (worker) -------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        """Read the source in this thread (loading.py); q or Ctrl-C cancels it at its next checkpoint."""
        worker = get_current_worker()
        Loader(self.source, self.post_message, lambda text: self.call_from_thread(self._loading_text, text),
               worker.cancelled_event.is_set).run()

    def on_pods_built(self, message: PodsBuilt) -> None:
        """A batch of a load of several pods: the pod list shows them at once, sorted worst first."""
        self._building.extend(message.pods)
        self.timeline = Timeline(pods=tuple(self._building))
        home = self.pods_screen
        home.progress = (f"explaining {message.done:,} of {message.total:,} pods…"
                         if message.done < message.total else None)
        self.refresh_rows()
        if not self.opened:
            self.main_screen.remove_class("-loading")
            self.show_home()

    def _loading_text(self, text: str) -> None:
        self.main_query("#loading-text", Static).update(Text(visible(text)))

    def on_loaded(self, message: Loaded) -> None:
        self.live = message.live
        following = self.following and self.live is not None
        if not message.timeline.pods and following:
            # A live recording that has seen no pod yet (watching a pod about to be created, an empty
            # namespace): wait for the first one instead of failing.
            self._loading_text(f"waiting for the first pod in {self.source.describe()}… (q quits)")
            self.set_interval(POLL, self._poll)
            return
        self.main_screen.remove_class("-loading")
        if not message.timeline.pods:
            self.fail(f"no pods found in {self.source.describe()}")
            return
        self._building = []
        self.set_timeline(message.timeline)
        if len(message.timeline.pods) > 1:
            self.pods_screen.progress = None
            self.pods_screen.refresh_status()
            if not self.opened:
                self.show_home()
        else:
            self.opened = True
        if message.warnings:
            more = f" (+{len(message.warnings) - 1} more)" if len(message.warnings) > 1 else ""
            self.say(f"{message.warnings[0]}{more}", severity="warning")
        if following:
            self.set_interval(POLL, self._poll)

    def on_load_failed(self, message: LoadFailed) -> None:
        self.fail(message.text, message.exit_code)

    # --- live following (worker) ------------------------------------------------------------

    def _poll(self) -> None:
        if not self.is_running:  # shutting down (see MoveActions.tick)
            return
        if not self._polling:
            self._polling = True
            self.follow_step()

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow")
    def follow_step(self) -> None:
        """One poll (follow.py): only the pods that changed since the last one are rebuilt."""
        try:
            assert self.live is not None
            timeline, rebuilt = self.live.poll()
            self.post_message(Followed(timeline, rebuilt=rebuilt))
        except Exception as exc:
            self.post_message(Followed(None, f"following stopped: {type(exc).__name__}: {exc}"))

    def on_followed(self, message: Followed) -> None:
        self._polling = False
        if message.error:
            self.say(message.error, severity="error")
            return
        if message.timeline is not None and message.timeline.pods:
            self.main_screen.remove_class("-loading")
            self.set_timeline(message.timeline)
        elif self.source.connection is not None:
            self.refresh_status()  # the connection's state moves on even when no pod does

    # --- state ------------------------------------------------------------------------------

    @property
    def pod(self) -> PodTimeline | None:
        if self.timeline is None or not self.timeline.pods:
            return None
        return self.timeline.pods[self.pod_index]

    @property
    def transition(self) -> Transition | None:
        if self.view is None or self.selected is None:
            return None
        return self.view.transition(self.selected)

    def set_timeline(self, timeline: Timeline) -> None:
        """A new timeline (first load or a live update): keep the pod, filters and playhead. A live update
        keeps the PodTimeline of every pod that did not change (follow.py): the pod list redoes only the
        rows of those that did, and the pod's screen is left alone unless its own pod changed."""
        old = self.pod if self.view is not None else None
        self.timeline = timeline
        self.refresh_rows()
        self.pod_index = self.rows[0].index if self.rows else 0  # before any choice: the worst pod
        if old is not None:
            for i, p in enumerate(timeline.pods):
                if p is old or (p.namespace, p.name, p.incarnation) == (old.namespace, old.name, old.incarnation):
                    self.pod_index = i
                    break
        if old is None or self.pod is not old:
            self.rebuild_view(keep_playhead=old is not None)
        else:
            self.refresh_status()  # the pod list's position may have moved (another pod got worse)
        self.refresh_bindings()

    def refresh_rows(self) -> None:
        """The pod list's rows from the timeline's pods (their diagnosis, restarts, status), worst first."""
        pods = self.timeline.pods if self.timeline else ()
        cache = self._row_cache  # rows of pods already seen (same object): a batch costs its own pods only
        rows = []
        for i, p in enumerate(pods):
            hit = cache.get(i)
            if hit is None or hit[0] is not p:
                hit = cache[i] = (p, pod_row(i, p))
            rows.append(hit[1])
        for i in [i for i in cache if i >= len(pods)]:
            del cache[i]
        self.rows = worst_first(rows)
        if self.is_screen_installed("pods"):
            self.pods_screen.refresh_rows()

    @property
    def pods_screen(self) -> PodsScreen:
        """The one pod list screen (installed, so its filter and cursor outlive a visit to a pod)."""
        if not self.is_screen_installed("pods"):
            self.install_screen(PodsScreen(), "pods")
        screen = self.get_screen("pods")
        assert isinstance(screen, PodsScreen)
        return screen

    def show_home(self) -> PodsScreen:
        """The pod list on top of the pod's screen, its cursor on the pod that was open."""
        home = self.pods_screen
        if self.home is None:
            home.refresh_rows(keep=self.pod_index if self.opened else None)
            self.push_screen(home)
            self.refresh_bindings()
        return home

    def open_pod(self, index: int) -> None:
        """Show pod `index` of the timeline on its own screen, from its start, filters cleared."""
        if self.timeline is None or not 0 <= index < len(self.timeline.pods):
            return
        changed = index != self.pod_index or self.view is None
        self.opened = True
        self.main_screen.remove_class("-loading")  # a pod opened while the rest are still being explained
        if self.home is not None:
            self.pop_screen()
        if changed:
            self.pod_index = index
            self.container_filter = self.kind_filter = None
            self.follow_paused = False
            self.rebuild_view(keep_playhead=False)
        self.refresh_bindings()

    def rebuild_view(self, keep_playhead: bool = True) -> None:
        pod = self.pod
        if pod is None:
            return
        self.view = PodView(pod, self.container_filter, self.kind_filter)
        self.main_query(TimelineView).set_view(self.view)
        self.main_query(Lanes).set_pod(pod, self.view.start, self.view.end)
        if self.query_text:
            self.run_search(self.query_text, jump=False)
        else:
            self.main_query(TimelineView).set_matches([])
        self._explained = None
        if self.following and not self.follow_paused:
            self.seek(self.view.end, user=False)
        elif keep_playhead:
            self.seek(self.playhead, user=False)
        else:
            self.seek(self.view.start, user=False)

    def seek(self, t: float, *, user: bool = True) -> None:
        """Move the playhead; the selection becomes the last row at or before it."""
        if self.view is None:
            return
        self.playhead = max(self.view.start, min(self.view.end, t))
        self.selected = self.view.row_at(self.playhead)
        if user:
            self.user_moved()
        self.sync()

    def select_row(self, row: int) -> None:
        if self.view is None or not len(self.view):
            return
        row = max(0, min(len(self.view) - 1, row))
        self.selected = row
        self.playhead = self.view.times[row]
        self.user_moved()
        self.sync()

    def user_moved(self) -> None:
        if self.following and not self.follow_paused:
            self.follow_paused = True

    @property
    def main_screen(self):
        """The pod's screen (the default screen), whichever screen is on top of it."""
        return self.screen_stack[0] if self.screen_stack else self.screen

    def main_query(self, selector, expect_type=None):
        """A widget of the pod's screen."""
        screen = self.main_screen
        return screen.query_one(selector, expect_type) if expect_type else screen.query_one(selector)

    def sync(self) -> None:
        """Bring every panel in step with the playhead."""
        tv = self.main_query(TimelineView)
        tv.set_playhead(self.playhead, self.selected)
        tr = self.transition
        self.main_query(Lanes).set_playhead(self.playhead, tr.container if tr else None)
        moment = self.moment
        key = (self.pod_index, self.selected, int(moment), id(self.view))
        if key != self._explained and self.pod is not None:
            another = self._explained is None or key[:2] != self._explained[:2] or key[3] != self._explained[3]
            self._explained = key
            explain = self.main_query(Explanation)
            lines = explanation(self.pod, tr, moment)
            explain.show([line for line in lines if line[0] != "title"])
            explain.border_title = Text(visible(next((text for role, text in lines if role == "title"), "explanation")))
            if another:  # another transition: read it from its top, not where the last one was scrolled to
                explain.scroll_home(animate=False, immediate=True)
        self.refresh_status()

    @property
    def moment(self) -> float:
        """The one moment the explanation describes. With a container or kind filter on, rows the filter
        hides may lie between the selected row and the playhead, so the panel's state is the selected
        row's own time: never one transition's title over another moment's state."""
        if (self.container_filter or self.kind_filter) and self.view is not None and self.selected is not None:
            return self.view.times[self.selected]
        return self.playhead

    def refresh_status(self) -> None:
        """The top two lines (status.py) and the classes that follow playing and a paused follow."""
        self.main_query("#status", Static).update(Text(visible(status_text(self))))  # never markup or controls
        self.main_screen.set_class(self.playing, "-playing")
        self.main_screen.set_class(self.following and self.follow_paused, "-follow-paused")

    @on(Input.Submitted, "#prompt")
    def prompt_submitted(self, event: Input.Submitted) -> None:
        self.submit_prompt(event.value)

    # --- filters and pods -------------------------------------------------------------------

    def action_filter_container(self) -> None:
        if self.view is None:
            return
        self.container_filter = cycle(self.view.containers(), self.container_filter)
        self.rebuild_view()

    def action_filter_kind(self) -> None:
        if self.view is None:
            return
        kinds = PodView(self.view.pod, self.container_filter).kinds()
        self.kind_filter = cycle(kinds, self.kind_filter)
        self.rebuild_view()

    def action_back(self) -> None:
        home = self.home
        if home is not None:
            if not home.back() and self.opened and self.view is not None:
                self.pop_screen()  # nothing left to undo there: back to the pod that was open
                self.refresh_bindings()
            return
        if self.prompt_mode is not None:
            self.close_prompt()
        elif self.query_text:
            self.query_text, self.matches, self.match_pos = "", [], None
            self.main_query(TimelineView).set_matches([])
            self.refresh_status()
        elif self.container_filter or self.kind_filter:
            self.container_filter = self.kind_filter = None
            self.rebuild_view()
        elif len(self.rows) > 1:
            self.show_home()  # esc from a pod returns to the pod list

    def action_pod(self, step: int) -> None:
        """The next / previous pod in the pod list's order (worst first)."""
        if len(self.rows) < 2:
            return
        pos = next((i for i, r in enumerate(self.rows) if r.index == self.pod_index), 0)
        self.open_pod(self.rows[(pos + step) % len(self.rows)].index)

    def action_open_pod(self) -> None:
        home = self.home
        if home is not None and home.table.current is not None:
            self.open_pod(home.table.current.index)

    def action_toggle_pods(self) -> None:
        home = self.home
        if home is None:
            if len(self.rows) > 1:
                self.show_home()
        elif self.opened and self.view is not None:
            self.pop_screen()
            self.refresh_bindings()

    # --- explanation ------------------------------------------------------------------------

    def action_explain_scroll(self, step: int) -> None:
        self.main_query(Explanation).scroll_relative(y=step * 3, animate=False)

    def action_zoom_explanation(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        else:
            self.screen.maximize(self.main_query(Explanation), container=False)

    def action_copy(self) -> None:
        if self.pod is None:
            return
        self.copy_to_clipboard(explanation_text(self.pod, self.transition, self.moment))
        tr = self.transition
        what = f"{clock(tr.t)} {tr.kind}" if tr else "the pod"
        self.say(f"copied the explanation of {what} to the clipboard (OSC 52)")

    def action_export(self) -> None:
        if self.timeline is not None and self.pod is not None:
            self.export_markdown(self.timeline, self.pod)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_markdown(self, timeline: Timeline, pod: PodTimeline) -> None:
        try:
            path = write_export(timeline, pod)
        except OSError as exc:
            self.post_message(Exported(f"cannot write the markdown: {exc.strerror} ({exc.filename}); "
                                       "set PODLIFE_EXPORT_DIR to a writable directory", error=True))
            return
        except Exception as exc:
            self.post_message(Exported(f"markdown export failed: {type(exc).__name__}: {exc}", error=True))
            return
        self.post_message(Exported(f"wrote {path}"))

    def on_exported(self, message: Exported) -> None:
        self.say(message.text, severity="error" if message.error else "information")

    # --- app --------------------------------------------------------------------------------

    def action_show_log(self) -> None:
        """`l`: the whole stored log tail of the selected transition's instance (tui/logview.py)."""
        from .logview import LogScreen, tail_for

        tail = tail_for(self.pod, self.transition) if self.pod is not None else None
        if tail is None:
            self.say("no log lines are stored for this container instance (a `kubectl logs` block, or watch)")
            return
        self.push_screen(LogScreen(tail))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap))

    async def action_quit(self) -> None:
        self.exit(self.exit_code)

    async def action_help_quit(self) -> None:
        """Ctrl-C quits, as it quits `kubectl get -w` and k9s (Textual would only say how to quit)."""
        await self.action_quit()


def make_app(*, files: list[str] | None = None, store_path: str | None = None, session_id: int | None = None,
             follow: bool = False, timeline: Timeline | None = None, connection: Any = None) -> PodlifeApp:
    """The one factory: the CLI and the tests build the app here, so tests run what users run."""
    keymap, error = keys.load_keymap()
    source = Source(files=tuple(files or ()), store_path=store_path, session_id=session_id, follow=follow,
                    timeline=timeline, connection=connection)
    return PodlifeApp(source, keymap, error)


def run_tui(*, files: list[str] | None = None, store_path: str | None = None, session_id: int | None = None,
            follow: bool = False, timeline: Timeline | None = None, connection: Any = None) -> int:
    """Run the replay; the exit code is 0, or non-zero when loading failed (the UI said why)."""
    try:
        app = make_app(files=files, store_path=store_path, session_id=session_id, follow=follow, timeline=timeline,
                       connection=connection)
    except PodlifeError as exc:
        print(f"kubectl-podlife: {exc}", file=sys.stderr)
        return exc.exit_code
    result = app.run()
    if app.return_code:
        return app.return_code
    return result if isinstance(result, int) else app.exit_code
