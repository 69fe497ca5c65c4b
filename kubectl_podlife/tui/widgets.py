"""The replay's widgets. The two lists draw their rows on demand through the Line API (a ScrollView
whose render_line looks up one row, with a small LRU cache of Strips), so 100k transitions cost no
more to open than 100; the lanes draw one line per container from the model's segments.

Colours live in app.tcss as component classes; under NO_COLOR the glyphs and markers still tell
states apart.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from kubectl_podlife.model.timeline import Lane, PodTimeline
from kubectl_podlife.textsafe import visible
from kubectl_podlife.timefmt import clock

from .explain import short_time
from .playback import PodView
from .podtable import PodRow, cell, column_widths

# Kinds by how they read: the colour groups of the timeline (app.tcss: .timeline--kind-<group>).
KIND_GROUP = {
    "started": "good", "ready": "good", "init-done": "good", "pulled": "good",
    "restart": "bad", "terminated": "bad", "killing": "bad", "deleted": "bad", "pull-failed": "bad",
    "hook-failed": "bad",
    "back-off": "warn", "not-ready": "warn", "probe-failed": "warn", "terminating": "warn",
}

# Lane glyphs: distinct shapes so that states read without colour.
STATE_GLYPH = {"running": "━", "ready": "█", "waiting": "┄", "terminated": "▁", "back-off": "░", "unknown": "?"}
MARK_GLYPH = {"restart": "R", "killing": "K", "probe-failed": "!", "back-off": "B", "pull-failed": "P"}
MARK_PRIORITY = {"restart": 5, "killing": 4, "pull-failed": 3, "probe-failed": 2, "back-off": 1}
LEGEND = ("━ running  █ ready  ┄ waiting  ▁ terminated  ░ back-off  "
          "R restart  K killing  ! probe failed  B back-off  P pull failed  * other")


def fit(text: str, width: int) -> str:
    """Pad or cut to exactly `width` cells, marking a cut with an ellipsis.

    Every row of the lists and lanes goes through here as a plain Segment (never markup), with the control
    characters of input strings shown as `\\xNN` (issue 9 §4)."""
    if width <= 0:
        return ""
    text = visible(text.replace("\n", " "))
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def component_style(widget: Widget, names: tuple[str, ...]) -> Style:
    """The widget's own style with its component classes `names` layered on, in order.

    Memoised on the widget (`_style_memo`, emptied when its styles change): `rich_style` walks the
    ancestors on every call, which showed up as a fifth of the cost of drawing a row.
    """
    memo: dict[tuple[str, ...], Style] = widget.__dict__.setdefault("_style_memo", {})
    style = memo.get(names)
    if style is None:
        style = widget.rich_style
        for name in names:
            style += widget.get_component_rich_style(name, partial=True)
        memo[names] = style
    return style


class LineList(ScrollView, can_focus=False):
    """A list drawn line by line, with a fixed header line and a highlighted row kept in view."""

    DEFAULT_CSS = """
    LineList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    """

    HEADER_LINES = 1

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self.count = 0
        self.cursor: int | None = None

    # -- to be provided by subclasses ----------------------------------------------------------
    def render_header(self, width: int) -> Strip:
        raise NotImplementedError

    def row_key(self, row: int) -> tuple:
        """Everything besides row and width that changes how a row looks (for the strip cache)."""
        return (row == self.cursor,)

    def render_row(self, row: int, width: int) -> Strip:
        raise NotImplementedError

    # -- machinery -----------------------------------------------------------------------------
    def set_count(self, count: int) -> None:
        self.count = count
        self._cache.clear()
        self.virtual_size = Size(self.size.width, count + self.HEADER_LINES)
        self.refresh()

    def invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - self.HEADER_LINES)

    def set_cursor(self, row: int | None) -> None:
        self.cursor = row
        self.scroll_cursor_into_view()
        # After set_count the scroll range only grows at the next layout; try again then.
        self.call_after_refresh(self.scroll_cursor_into_view)
        self.refresh()

    def scroll_cursor_into_view(self) -> None:
        if self.cursor is None or not self.size.height:
            return
        top = round(self.scroll_y)
        rows = self.visible_rows
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.count + self.HEADER_LINES)
        self.scroll_cursor_into_view()

    def style(self, *names: str) -> Style:
        return component_style(self, names)

    def render_line(self, y: int) -> Strip:
        # Without the scrollbar: a row cut at the edge must show its `…`, not lose it under the bar.
        width = self.scrollable_content_region.width
        if y < self.HEADER_LINES:
            return self.render_header(width)
        row = round(self.scroll_y) + y - self.HEADER_LINES
        if row >= self.count:
            return Strip.blank(width, self.rich_style)
        key = (row, width, *self.row_key(row))
        strip = self._cache.get(key)
        if strip is None:
            strip = self.render_row(row, width)
            self._cache[key] = strip
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self.__dict__.get("_style_memo", {}).clear()


class TimelineView(LineList):
    """The selected pod's transitions: time, kubectl's view at that moment, the one-line summary."""

    COMPONENT_CLASSES = {
        "timeline--header", "timeline--time", "timeline--view", "timeline--selected", "timeline--future",
        "timeline--match", "timeline--kind-good", "timeline--kind-bad", "timeline--kind-warn",
        "timeline--kind-info",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view: PodView | None = None
        self.playhead = 0.0
        self.matches: frozenset[int] = frozenset()
        self.show_absolute = False

    def set_view(self, view: PodView | None) -> None:
        self.view = view
        self.show_absolute = bool(view and any(view.pod.transitions[i].time for i in view.rows[:200]))
        self.set_count(len(view) if view else 0)

    def set_matches(self, matches: list[int]) -> None:
        self.matches = frozenset(matches)
        self.invalidate()

    def set_playhead(self, playhead: float, cursor: int | None) -> None:
        self.playhead = playhead
        self.set_cursor(cursor)

    def columns(self, width: int) -> list[tuple[str, int]]:
        cols = [("", 1), ("T", 7)]
        if width < 64:  # 40 columns: the summary keeps room; READY and RESTARTS drop, STATUS shortens
            cols.append(("STATUS", 12))
            cols.append(("SUMMARY", max(0, width - 20)))
            return cols
        if self.show_absolute and width >= 90:
            cols.append(("TIME", 9))
        cols += [("READY", 6), ("STATUS", 18), ("RESTARTS", 13) if width >= 90 else ("RST", 4)]
        if width >= 90:
            cols.append(("KIND", 13))
        used = sum(w for _, w in cols)
        cols.append(("SUMMARY", max(0, width - used)))
        return cols

    def render_header(self, width: int) -> Strip:
        style = self.style("timeline--header")
        text = "".join(fit(name, w) for name, w in self.columns(width))
        return Strip([Segment(fit(text, width), style)], width)

    def row_key(self, row: int) -> tuple:
        assert self.view is not None
        return (row == self.cursor, self.view.times[row] > self.playhead, row in self.matches)

    def render_row(self, row: int, width: int) -> Strip:
        assert self.view is not None
        tr = self.view.transition(row)
        selected, future, match = self.row_key(row)
        extra: list[str] = []
        if future:
            extra.append("timeline--future")
        if match:
            extra.append("timeline--match")
        if selected:
            extra.append("timeline--selected")
        group = f"timeline--kind-{KIND_GROUP.get(tr.kind, 'info')}"
        marker = "▶" if selected else ("›" if match else " ")
        segments: list[Segment] = []
        for name, w in self.columns(width):
            if name == "":
                text, role = marker, "timeline--time"
            elif name == "T":
                text, role = clock(tr.t) if tr.t is not None else "?", "timeline--time"
                text = text.rjust(w - 1)
            elif name == "TIME":
                text, role = short_time(tr.time), "timeline--time"
            elif name == "READY":
                text, role = tr.view.ready or "", "timeline--view"
            elif name == "STATUS":
                text, role = tr.view.status or "", "timeline--view"
            elif name == "RST":  # narrow: the count without kubectl's "(27s ago)"
                text, role = (tr.view.restarts or "").split(" ")[0], "timeline--view"
            elif name == "RESTARTS":
                text, role = tr.view.restarts or "", "timeline--view"
            elif name == "KIND":
                text, role = tr.kind, group
            else:
                text, role = (f"{tr.container}: " if tr.container and width >= 90 and len(self.view.pod.lanes) > 1 else "") + tr.summary, group
            if name in ("T", "TIME", "READY", "STATUS", "RST", "RESTARTS", "KIND"):
                text = text + " "
            segments.append(Segment(fit(text, w), self.style(role, *extra)))
        return Strip(segments, width)


class PodTable(LineList):
    """The home screen's table, k9s-like: one row per pod, worst first (podtable.PodRow), drawn line by
    line so two thousand pods cost what one screenful does. Columns drop whole on a narrow terminal."""

    COMPONENT_CLASSES = {"pods--header", "pods--selected", "pods--bad", "pods--good", "pods--marker"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[PodRow] = []
        self.one_namespace = True
        self._columns: tuple[int, list[tuple[str, int]]] | None = None

    def set_rows(self, rows: list[PodRow], cursor: int | None, one_namespace: bool) -> None:
        self.rows = rows
        self.one_namespace = one_namespace
        self._columns = None
        self.cursor = cursor
        self.set_count(len(rows))
        self.set_cursor(cursor)

    @property
    def current(self) -> PodRow | None:
        if self.cursor is None or not 0 <= self.cursor < len(self.rows):
            return None
        return self.rows[self.cursor]

    def columns(self, width: int) -> list[tuple[str, int]]:
        if self._columns is None or self._columns[0] != width:
            self._columns = (width, column_widths(self.rows, width, self.one_namespace))
        return self._columns[1]

    def render_header(self, width: int) -> Strip:
        text = "".join(fit(name, w) for name, w in self.columns(width))
        return Strip([Segment(fit(text, width), self.style("pods--header"))], width)

    def render_row(self, row: int, width: int) -> Strip:
        pod = self.rows[row]
        selected = row == self.cursor
        health = "pods--good" if pod.healthy else "pods--bad"
        extra = ("pods--selected",) if selected else ()
        segments = []
        for name, w in self.columns(width):
            if name == "":
                text, roles = ("▶" if selected else " "), ("pods--marker", *extra)
            else:
                text = cell(pod, name)
                text = text + " " if name != "DIAGNOSIS" else text
                roles = ((health,) if name in ("STATUS", "DIAGNOSIS") else ()) + extra
            segments.append(Segment(fit(text, w), self.style(*roles)))
        return Strip(segments, width)


class Lanes(Widget, can_focus=False):
    """One line per container: its state over the pod's life, marks, and the playhead."""

    COMPONENT_CLASSES = {
        "lanes--label", "lanes--axis", "lanes--playhead", "lanes--mark", "lanes--running", "lanes--ready",
        "lanes--waiting", "lanes--terminated", "lanes--back-off", "lanes--unknown",
    }

    DEFAULT_CSS = """
    Lanes { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.pod: PodTimeline | None = None
        self.start = 0.0
        self.end = 1.0
        self.playhead = 0.0
        self.highlight: str | None = None  # the selected transition's container
        self._cells: dict[tuple[int, int], list[tuple[str, str]]] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.__dict__.get("_style_memo", {}).clear()

    def set_pod(self, pod: PodTimeline | None, start: float, end: float) -> None:
        self.pod = pod
        self.start, self.end = start, max(end, start + 1e-9)
        self._cells.clear()
        self.refresh(layout=True)

    def set_playhead(self, playhead: float, highlight: str | None) -> None:
        if playhead != self.playhead or highlight != self.highlight:
            self.playhead, self.highlight = playhead, highlight
            self.refresh()

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return self.pod.lanes if self.pod else ()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lanes)) + 1

    def label_width(self, width: int) -> int:
        longest = max((len(l.container) + (5 if l.init else 0) for l in self.lanes), default=5)
        return min(longest + 1, 28 if width >= 120 else 16, max(4, width // 4))

    def column(self, t: float, strip_width: int) -> int:
        frac = (t - self.start) / (self.end - self.start)
        return max(0, min(strip_width - 1, int(frac * strip_width)))

    def cells(self, index: int, strip_width: int) -> list[tuple[str, str]]:
        """(glyph, role) per column for one lane, cached per width: the playhead is drawn on top."""
        key = (index, strip_width)
        if key in self._cells:
            return self._cells[key]
        lane = self.lanes[index]
        segs = lane.segments
        starts = [s.start for s in segs]
        span = self.end - self.start
        out: list[tuple[str, str]] = []
        for c in range(strip_width):
            t = self.start + (c + 0.5) * span / strip_width
            i = bisect_right(starts, t) - 1
            seg = segs[i] if i >= 0 else None
            if seg is None or (seg.end is not None and t >= seg.end):
                out.append((" ", "lanes--unknown"))
            else:
                state = seg.state if seg.state in STATE_GLYPH else "unknown"
                out.append((STATE_GLYPH[state], f"lanes--{state}"))
        best: dict[int, int] = {}
        for mark in lane.marks:
            c = self.column(mark.t, strip_width)
            prio = MARK_PRIORITY.get(mark.kind, 0)
            if prio >= best.get(c, -1):
                best[c] = prio
                out[c] = (MARK_GLYPH.get(mark.kind, "*"), "lanes--mark")
        self._cells[key] = out
        return out

    def style(self, *names: str) -> Style:
        return component_style(self, names)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        label_w = self.label_width(width)
        strip_w = max(1, width - label_w)
        play_col = self.column(self.playhead, strip_w)
        lanes = self.lanes
        if y < len(lanes):
            lane = lanes[y]
            label = ("init " if lane.init else "") + lane.container
            label_style = self.style("lanes--label", *(["lanes--playhead"] if lane.container == self.highlight else []))
            segments = [Segment(fit(label, label_w - 1) + " ", label_style)]
            cells = self.cells(y, strip_w)
            # Runs of equal role become one segment: fewer objects for the compositor.
            run_role, run_text = None, []
            for c, (glyph, role) in enumerate(cells):
                if c == play_col:
                    if run_text:
                        segments.append(Segment("".join(run_text), self.style(run_role)))
                    glyph = glyph if glyph.strip() else "│"
                    segments.append(Segment(glyph, self.style(role, "lanes--playhead")))
                    run_role, run_text = None, []
                    continue
                if role != run_role and run_text:
                    segments.append(Segment("".join(run_text), self.style(run_role)))
                    run_text = []
                run_role = role
                run_text.append(glyph)
            if run_text:
                segments.append(Segment("".join(run_text), self.style(run_role)))
            return Strip(segments, width)
        if y == len(lanes) or (not lanes and y == 1):
            return self.render_axis(width, label_w, strip_w, play_col)
        if not lanes and y == 0:
            return Strip([Segment(fit("no container lanes for this pod", width), self.style("lanes--axis"))], width)
        return Strip.blank(width, self.rich_style)

    def render_axis(self, width: int, label_w: int, strip_w: int, play_col: int) -> Strip:
        axis = [" "] * strip_w
        left, right = clock(self.start), clock(self.end)

        def put(col: int, text: str) -> None:
            for i, ch in enumerate(text):
                if 0 <= col + i < strip_w:
                    axis[col + i] = ch

        put(0, left)
        put(strip_w - len(right), right)
        here = "▲" + clock(self.playhead)
        put(min(play_col, strip_w - len(here)) if play_col + len(here) > strip_w else play_col, here)
        return Strip([Segment(fit("", label_w), self.style("lanes--axis")),
                      Segment("".join(axis), self.style("lanes--axis"))], width)


class Explanation(VerticalScroll, can_focus=False):
    """The selected transition explained; scrolls with J/K, never takes focus."""

    ALLOW_MAXIMIZE = True

    COMPONENT_CLASSES = {
        "explain--title", "explain--label", "explain--dim", "explain--warn", "explain--evidence",
        "explain--kind-good", "explain--kind-bad", "explain--kind-warn", "explain--kind-info",
    }

    def compose(self) -> ComposeResult:
        yield Static(id="explain-body")

    def show(self, lines: list[tuple[str, str]]) -> None:
        text = Text(overflow="fold")
        for i, (role, line) in enumerate(lines):
            if i:
                text.append("\n")
            text.append(visible(line), style=self.role_style(role))  # plain text, never markup
        self.query_one("#explain-body", Static).update(text)

    def role_style(self, role: str) -> Style:
        if role.startswith("kind-"):
            role = "kind-" + KIND_GROUP.get(role[5:], "info")
        name = f"explain--{role}"
        if name not in self.COMPONENT_CLASSES:
            return Style()
        return self.get_component_rich_style(name, partial=True)
