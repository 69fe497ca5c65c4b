"""The screens besides the replay itself: the pod list (the home screen when there are several pods),
and help, with every binding, its current key (after the user's keymap), its description and the id to
remap it by, plus the lane legend."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from kubectl_podlife.textsafe import visible

from .bindings import GROUPED, effective_keys, keymap_path
from .podtable import PodRow, matching, plural
from .widgets import LEGEND, PodTable


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,f1", "dismiss", "Close help", id="help-close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="help-down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help-up"),
        Binding("q", "app.quit", "Quit", show=False, id="help-quit"),
    ]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap
        self.effective = effective_keys(keymap)

    def key_text(self, binding: Binding) -> str:
        keys = self.effective.get(binding.id or "", [])
        if not keys:
            return "(none)"
        if binding.key_display and binding.id not in self.keymap:
            return " ".join(dict.fromkeys([binding.key_display, *(self.app.get_key_display(Binding(k, binding.action))
                                                                  for k in keys[1:])]))
        return " ".join(dict.fromkeys(self.app.get_key_display(Binding(k, binding.action)) for k in keys))

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(group, keys, description, id) for every binding, keys as the user now has them."""
        return [(group, self.key_text(b), b.tooltip or b.description, b.id or "") for group, b in GROUPED]

    def help_table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column("key", no_wrap=True, style="bold")
        table.add_column("what")
        table.add_column("id", style="dim", no_wrap=True)
        current = None
        for group, key, what, binding_id in self.rows():
            if group != current:
                if current is not None:
                    table.add_row("", "", "")
                table.add_row(Text(group, style="bold underline"), "", "")
                current = group
            table.add_row(Text(key), Text(what), Text(binding_id))  # keys come from the keymap file: never markup
        return table

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("kubectl podlife: keys", id="help-title")
            with VerticalScroll(id="help-scroll", can_focus=False):
                yield Static(self.help_table(), id="help-table")
                yield Static(Text.assemble(("\nLanes\n", "bold underline"), LEGEND,
                                           ("\n\nRemap a key by id in ", ""), (str(keymap_path()), "bold"),
                                           ", e.g.  play-pause: p"), id="help-legend")
            yield Static("esc ? F1 close · j/k scroll · q quit", id="help-hint")

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-scroll").scroll_relative(y=step * 3, animate=False)


class PodsScreen(Screen[None]):
    """The home screen when the input has more than one pod: every pod worst first (podtable), `/` to
    filter by name or namespace, Enter to open one. The keys are the app's own bindings (j/k, g/G, /, esc,
    enter, o): the app's actions act on this screen while it is on top, so one keymap serves both."""

    def __init__(self) -> None:
        super().__init__()
        self.keep: int | None = None  # the pod (index into the timeline) to put the cursor on when shown
        self.moved = False  # the user has moved the cursor (or opened a pod): keep it on that pod
        self.composed = False  # its widgets exist (until then, refreshing only remembers `keep`)
        self.filter = ""
        self.prompt_mode: str | None = None
        self.progress: str | None = None  # "explaining 340 of 2,000 pods…" while the load goes on

    def compose(self) -> ComposeResult:
        yield Static(id="home-status")
        yield PodTable(id="home-table")
        yield Static(id="home-detail")
        yield Input(id="home-prompt")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.composed = True
        self.refresh_rows(self.keep)

    @property
    def table(self) -> PodTable:
        return self.query_one(PodTable)

    def refresh_rows(self, keep: int | None = None) -> None:
        """Show the app's rows through the filter; the cursor stays on the pod it was on (`keep`: a pod index)."""
        if keep is not None:
            self.moved = True
        if not self.composed:
            self.keep = keep if keep is not None else self.keep
            return
        rows: list[PodRow] = getattr(self.app, "rows", [])
        shown = matching(rows, self.filter)
        current = self.table.current
        want = keep if keep is not None else (current.index if current and self.moved else None)
        # Until the user moves, the cursor stays on the worst pod as more pods arrive and re-sort.
        cursor = next((i for i, r in enumerate(shown) if r.index == want), 0 if shown else None)
        namespaces = {r.namespace for r in rows}
        self.table.set_rows(shown, cursor, len(namespaces) <= 1)
        self.refresh_status()

    def move(self, step: int) -> None:
        table = self.table
        if not table.rows:
            return
        cur = table.cursor if table.cursor is not None else 0
        self.moved = True
        table.set_cursor(max(0, min(len(table.rows) - 1, cur + step)))
        self.refresh_detail()

    def move_to(self, row: int) -> None:
        if self.table.rows:
            self.moved = True
            self.table.set_cursor(max(0, min(len(self.table.rows) - 1, row)))
            self.refresh_detail()

    def refresh_status(self) -> None:
        if not self.composed:
            return
        rows: list[PodRow] = getattr(self.app, "rows", [])
        bad = sum(1 for r in rows if not r.healthy)
        namespaces = {r.namespace for r in rows}
        where = f" in {next(iter(namespaces))}" if len(namespaces) == 1 else f" in {plural(len(namespaces), 'namespace')}"
        line1 = f"{plural(len(rows), 'pod')}{where} · {bad:,} not healthy"
        if self.progress:
            line1 += f" · {self.progress}"
        bits = ["worst first"]
        if self.filter:
            bits.append(f"/{self.filter}: {plural(len(self.table.rows), 'pod')}")
        bits.append("enter opens · / filters · :pod NAME")
        self.query_one("#home-status", Static).update(Text(visible(f"{line1}\n{'  '.join(bits)}")))
        self.refresh_detail()

    def refresh_detail(self) -> None:
        row = self.table.current
        detail = self.query_one("#home-detail", Static)
        if row is None:
            text = f'no pod matches "{self.filter}" (esc clears the filter)' if self.filter else "no pods yet"
        else:
            # The row already says status and restarts; this is the room for the whole diagnosis sentence.
            text = f"{row.name} ({row.cause}): {row.diagnosis}"
        detail.update(Text(visible(text)))

    # --- the prompt: `/` filter (as you type), `:` command ---------------------------------------

    def open_prompt(self, mode: str) -> None:
        prompt = self.query_one("#home-prompt", Input)
        self.prompt_mode = mode
        if mode == "filter":
            prompt.value = self.filter
            prompt.placeholder = "filter pods by name or namespace  (enter keep, esc clear)"
        else:
            prompt.value = ""
            prompt.placeholder = ":pod NAME opens a pod  (enter go, esc cancel)"
        prompt.add_class("-open")
        prompt.focus()

    def close_prompt(self) -> None:
        self.query_one("#home-prompt", Input).remove_class("-open")
        self.prompt_mode = None
        self.set_focus(None)

    @on(Input.Changed, "#home-prompt")
    def prompt_changed(self, event: Input.Changed) -> None:
        if self.prompt_mode == "filter" and event.value != self.filter:
            self.filter = event.value
            self.refresh_rows()

    @on(Input.Submitted, "#home-prompt")
    def prompt_submitted(self, event: Input.Submitted) -> None:
        mode = self.prompt_mode
        self.close_prompt()
        if mode == "command":
            self.app.run_command(event.value)  # type: ignore[attr-defined]

    def back(self) -> bool:
        """esc: close the prompt (a filter being typed is dropped), else clear the filter. False: nothing to undo."""
        if self.prompt_mode is not None:
            if self.prompt_mode == "filter":
                self.filter = ""
                self.refresh_rows()
            self.close_prompt()
            return True
        if self.filter:
            self.filter = ""
            self.refresh_rows()
            return True
        return False
