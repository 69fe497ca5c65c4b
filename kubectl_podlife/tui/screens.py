"""The help screen: every binding with its current key (after the user's keymap), its description and
the id to remap it by, plus the lane legend."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .bindings import GROUPED, effective_keys, keymap_path
from .widgets import LEGEND


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
