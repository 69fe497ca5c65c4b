"""The `l` screen: the whole stored log tail of the selected transition's container instance (its last
words), over the timeline; keyboard only, esc closes. Log lines are input: plain text, never markup, their
control characters escaped."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kubectl_podlife.model.timeline import LogTail, PodTimeline, Transition
from kubectl_podlife.textsafe import visible

_ENDS = ("terminated", "restart")


def tail_for(pod: PodTimeline, tr: Transition | None) -> LogTail | None:
    """The log tail of `tr`'s instance: on `tr` itself, else on the transition that ends that instance
    (the next exit of the same container)."""
    if tr is None:
        return None
    if tr.log_tail is not None:
        return tr.log_tail
    if tr.container is None:
        return None
    trs = pod.transitions
    start = next((i for i, t in enumerate(trs) if t is tr), None)
    if start is None:
        return None
    for t in trs[start + 1:]:
        if t.container == tr.container and t.kind in _ENDS:
            return t.log_tail
    return None


class LogScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    LogScreen { align: center middle; }
    LogScreen #log-box { width: 100%; height: 100%; border: round $accent; background: $surface; }
    LogScreen #log-title { text-style: bold; height: auto; max-height: 2; }
    LogScreen #log-source { color: $text-muted; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    LogScreen #log-scroll { height: 1fr; }
    LogScreen #log-hint { color: $text-muted; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS = [
        Binding("escape,l,q", "dismiss", "Close the log", id="log-close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="log-down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="log-up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="log-top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="log-bottom"),
    ]

    def __init__(self, tail: LogTail) -> None:
        super().__init__()
        self.tail = tail

    def body(self) -> Text:
        text = Text(no_wrap=False, overflow="fold")
        for n, line in enumerate(self.tail.lines):
            if n:
                text.append("\n")
            text.append(f"{n + 1:>4} ", style="dim")
            text.append(visible(line))  # plain text: never markup
        return text

    def compose(self) -> ComposeResult:
        with Vertical(id="log-box"):
            # At 40x12 the lines are what matter: the title is one line there (two at most), where the
            # lines come from one more, cut with … (the explanation panel names it in full).
            yield Static(Text(visible(f"Container log of {self.tail.container}: {self.tail.count_phrase(True)}")),
                         id="log-title")
            yield Static(Text(visible(self.tail.provenance())), id="log-source")
            with VerticalScroll(id="log-scroll", can_focus=False):
                yield Static(self.body(), id="log-body")
            yield Static("esc close · j/k scroll · g/G top/end", id="log-hint")

    def on_mount(self) -> None:
        self.action_edge(1)  # the last words first: the end of the log is what explains the exit

    def action_scroll(self, step: int) -> None:
        self.query_one("#log-scroll").scroll_relative(y=step, animate=False)

    def action_edge(self, bottom: int) -> None:
        scroll = self.query_one("#log-scroll")
        if bottom:
            scroll.scroll_end(animate=False)
        else:
            scroll.scroll_home(animate=False)
