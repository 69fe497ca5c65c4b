"""The replay's arithmetic, free of Textual: which rows a filter keeps, where the playhead falls, what a
typed time means. Widgets ask this module; tests can check it without a terminal.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from kubectl_podlife.model.timeline import Lane, PodTimeline, Segment, Transition

SPEEDS = (1, 2, 5, 10, 60)

_SEEK = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$")


def parse_seek(text: str, current: float = 0.0) -> float:
    """A time the user typed: `2m7s`, `85s`, `85`, `1h2m`; `+10s` / `-1m` are relative to `current`.

    Raises ValueError with a message fit to show as it is.
    """
    s = text.strip().replace(" ", "")
    sign = 0
    if s and s[0] in "+-":
        sign = 1 if s[0] == "+" else -1
        s = s[1:]
    m = _SEEK.match(s)
    if not s or not m or not any(m.groups()):
        raise ValueError(f'cannot read time "{text.strip()}"; type one like 2m7s, 85s or 1h2m (+10s / -1m to move)')
    h, mi, sec = (float(g) if g else 0.0 for g in m.groups())
    value = h * 3600 + mi * 60 + sec
    return current + sign * value if sign else value


def next_speed(speed: int, step: int) -> int:
    """The neighbouring speed in SPEEDS, clamped at both ends (a step past 60x stays at 60x)."""
    try:
        i = SPEEDS.index(speed)
    except ValueError:
        i = 0
    return SPEEDS[max(0, min(len(SPEEDS) - 1, i + step))]


def effective_times(transitions: tuple[Transition, ...], start: float) -> list[float]:
    """A sortable time per transition: its own t, or, when the model could not place it (t None),
    the time of the one before it, so it stays where the model listed it."""
    out: list[float] = []
    last = start
    for tr in transitions:
        if tr.t is not None:
            last = tr.t
        out.append(last)
    return out


def haystack(tr: Transition, pod_name: str = "") -> str:
    """The text `/` searches: the summary, the messages (detail, rule, missing inputs) and the evidence
    text. Not the evidence's file:line, and not the pod's own name: every row of a pod's `get -w` or
    Events evidence names it, so a search for it, or for the file, would match every row."""
    parts = [tr.summary, tr.rule or "", *tr.detail, *tr.missing, *(ev.text for ev in tr.evidence)]
    text = "\n".join(parts).lower()
    if pod_name:
        text = text.replace(pod_name.lower(), "\x00")  # a separator no query contains
    return text


_HAYSTACKS: dict[int, tuple[PodTimeline, list[str]]] = {}


def haystacks(pod: PodTimeline) -> list[str]:
    """Every transition's searchable text, kept for the last few pods: the second search of a
    100k-row pod costs a scan, not a rebuild (keyed by identity; the entry holds the pod alive)."""
    hit = _HAYSTACKS.get(id(pod))
    if hit is not None and hit[0] is pod:
        return hit[1]
    if len(_HAYSTACKS) >= 4:
        _HAYSTACKS.pop(next(iter(_HAYSTACKS)))
    hay = [haystack(tr, pod.name) for tr in pod.transitions]
    _HAYSTACKS[id(pod)] = (pod, hay)
    return hay


@dataclass
class PodView:
    """One pod as the screen shows it: the rows left after the container/kind filters, with their
    times ready for bisecting. Rebuilt when the pod, the filters or the timeline change."""

    pod: PodTimeline
    container: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        trs = self.pod.transitions
        times = effective_times(trs, self.pod.start)
        if self.container is None and self.kind is None:
            self.rows = list(range(len(trs)))
            self.times = times
        else:
            self.rows = [i for i, tr in enumerate(trs)
                         if (self.container is None or tr.container == self.container)
                         and (self.kind is None or tr.kind == self.kind)]
            self.times = [times[i] for i in self.rows]
        # Time may run backwards in a badly anchored source; bisect needs it sorted, and the model
        # lists transitions in time order, so clamp rather than reorder.
        for i in range(1, len(self.times)):
            if self.times[i] < self.times[i - 1]:
                self.times[i] = self.times[i - 1]
        self.start = min(self.pod.start, times[0]) if times else self.pod.start
        self.end = max(self.pod.end, times[-1] if times else self.pod.end, self.start)

    def __len__(self) -> int:
        return len(self.rows)

    def transition(self, row: int) -> Transition:
        return self.pod.transitions[self.rows[row]]

    def row_at(self, t: float) -> int | None:
        """The last row at or before t (None before the first)."""
        i = bisect_right(self.times, t) - 1
        return i if i >= 0 else None

    def next_time(self, t: float) -> float | None:
        i = bisect_right(self.times, t)
        return self.times[i] if i < len(self.times) else None

    def prev_time(self, t: float) -> float | None:
        i = bisect_left(self.times, t) - 1
        return self.times[i] if i >= 0 else None

    def containers(self) -> list[str]:
        seen = [lane.container for lane in self.pod.lanes]
        for tr in self.pod.transitions:
            if tr.container and tr.container not in seen:
                seen.append(tr.container)
        return seen

    def kinds(self) -> list[str]:
        """The kinds among the rows this view keeps, in order of first appearance."""
        seen: dict[str, None] = {}
        for i in self.rows:
            seen.setdefault(self.pod.transitions[i].kind, None)
        return list(seen)

    def search(self, query: str) -> list[int]:
        q = query.lower()
        hay = haystacks(self.pod)
        return [row for row, i in enumerate(self.rows) if q in hay[i]]


def cycle(options: list[str], current: str | None) -> str | None:
    """All -> first -> ... -> last -> all."""
    if not options:
        return None
    if current is None or current not in options:
        return options[0]
    i = options.index(current) + 1
    return options[i] if i < len(options) else None


def segment_at(lane: Lane, t: float) -> Segment | None:
    found = None
    for seg in lane.segments:
        if seg.start <= t and (seg.end is None or t < seg.end):
            found = seg
        elif seg.start > t:
            break
    return found
