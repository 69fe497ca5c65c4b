"""`kubectl get pods` tables: plain, `-w`, `-o wide`, `-A`, `--output-watch-events`, any width.

Rows are read as a sequence of typed cells rather than by column position, because pasted output
often has its padding collapsed or cells pushed out of line by a long STATUS. The header (when
present) says which cells to expect; without one the common layouts are tried.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from kubectl_podlife.ingest.context import CHECKPOINT_EVERY, ParseContext, is_count, next_nonblank
from kubectl_podlife.observation import CLOCK_NONE, CLOCK_POD, CONTAINER, ROW, Observation
from kubectl_podlife.timefmt import DurationError, age_is_modern_form, parse_age

KNOWN_COLUMNS = ("EVENT", "NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                 "NOMINATED NODE", "READINESS GATES")
_READY = re.compile(r"^\d+/\d+$")
_AGE_PREFIX = re.compile(r"^(?:\d+y)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?")
_NAME = re.compile(r"^(?:pods?/|po/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$")
_STATUS_START = re.compile(r"^[A-Za-z<]")
_WATCH_EVENTS = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"}
_HEADLESS_LAYOUTS = (
    ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
    ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
)


def parse_header(line: str) -> list[str] | None:
    """Column names if the line is a get-pods header (`NAME READY STATUS ...`), else None."""
    tokens = line.split()
    cols: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("NOMINATED", "READINESS") and i + 1 < len(tokens) and tokens[i + 1] in ("NODE", "GATES"):
            cols.append(f"{tok} {tokens[i + 1]}")
            i += 2
            continue
        cols.append(tok)
        i += 1
    if "NAME" not in cols or len(cols) < 2 or any(c not in KNOWN_COLUMNS for c in cols):
        return None
    if cols.index("NAME") > 2 or not ({"READY", "STATUS", "AGE"} & set(cols)):
        return None
    return cols


def find_header_in(text: str) -> tuple[int, int, list[str]] | None:
    """A header glued inside a longer line (a collapsed paste): (start, end, columns)."""
    m = re.search(r"\b(?:(?:EVENT|NAMESPACE)\s+)*NAME\s+(?:READY\s+)?(?:STATUS\s+)?(?:RESTARTS\s+)?AGE\b"
                  r"(?:\s+IP\s+NODE(?:\s+NOMINATED\s+NODE)?(?:\s+READINESS\s+GATES)?)?", text)
    if not m:
        return None
    cols = parse_header(m.group(0))
    return (m.start(), m.end(), cols) if cols else None


@dataclass
class RawRow:
    index: int  # 0-based line
    cells: dict
    age_text: str | None
    tail: str  # trailing text that was not a cell (comments, glued prose)
    raw: str


# A long `get pods -w` prints the same names, namespaces, READY and STATUS cells again and again: their
# checks are memoised per token (bounded), so a row costs dictionary lookups rather than regexes.
@functools.lru_cache(maxsize=1 << 16)
def _pod_name(tok: str) -> str | None:
    """The pod (or namespace) name a NAME cell holds (`pod/x` is x), None if it cannot be one."""
    m = _NAME.match(tok)
    return m.group(1) if m else None


@functools.lru_cache(maxsize=1 << 12)
def _is_ready(tok: str) -> bool:
    return _READY.match(tok) is not None


@functools.lru_cache(maxsize=1 << 12)
def _is_status(tok: str) -> bool:
    return not (_READY.match(tok) or tok.isdecimal() or not _STATUS_START.match(tok))


@functools.lru_cache(maxsize=1 << 14)
def _age_prefix(text: str) -> str:
    """The kubectl duration an AGE cell starts with (`3m1s#x` -> `3m1s`)."""
    m = _AGE_PREFIX.match(text)
    return m.group(0) if m else ""


_WIDE = ("IP", "NODE", "NOMINATED NODE", "READINESS GATES")
_CELL_KEYS = {"IP": "ip", "NODE": "node", "NOMINATED NODE": "nominated_node", "READINESS GATES": "readiness_gates"}


def parse_row_tokens(tokens: list[str], cols: list[str]) -> tuple[dict, int, str | None] | None:
    """Match tokens against the columns; (cells, tokens used, problem) or None if not a row."""
    cells: dict = {}
    i = 0
    n = len(tokens)
    for col in cols:
        if i >= n:
            # Wide columns may be missing on shorter rows only at the end.
            if col in _WIDE:
                break
            return None
        tok = tokens[i]
        if col == "NAME":
            name = _pod_name(tok)
            if name is None or tok in _WATCH_EVENTS:
                return None
            cells["name"] = name
        elif col == "NAMESPACE":
            if _pod_name(tok) is None:
                return None
            cells["namespace"] = tok
        elif col == "READY":
            if not _is_ready(tok):
                return None
            cells["ready"] = tok
        elif col == "STATUS":
            if not _is_status(tok):
                return None
            cells["status"] = tok
        elif col == "RESTARTS":
            if not is_count(tok):
                return None
            cells["restarts"] = int(tok)
            if i + 2 < n and tokens[i + 1].startswith("(") and tokens[i + 2].rstrip(")") == "ago":
                cells["ago_text"] = tokens[i + 1][1:]
                i += 2
        elif col == "AGE":
            cells["age_text"] = tok
        elif col == "EVENT":
            if tok not in _WATCH_EVENTS:
                return None
            cells["watch_event"] = tok
        else:
            cells[_CELL_KEYS[col]] = tok
        i += 1
    return cells, i, None


def looks_like_row(line: str) -> list[str] | None:
    """For a line with no header above it: the layout it fits, if it is a pod row."""
    tokens = line.split()
    for layout in _HEADLESS_LAYOUTS:
        got = parse_row_tokens(tokens, list(layout))
        if got and "age_text" in got[0] and _age_ok(got[0]["age_text"]):
            return list(layout)
    return None


def _age_ok(text: str) -> bool:
    m = _AGE_PREFIX.match(text)
    return bool(m and m.group(0)) or text in ("<unknown>", "<invalid>")


def parse_table(lines: list[str], start: int, ctx: ParseContext, cols: list[str] | None = None) -> tuple[list[Observation], int]:
    """Parse from `start` (a header line, or a first headerless row when `cols` is given).

    Returns the observations and the index of the first line not consumed.
    """
    rows: list[RawRow] = []
    i = start
    if cols is None:
        cols = parse_header(lines[start])
        i += 1
    assert cols is not None
    seen_names: set[str] = set()
    while i < len(lines):
        if not i % CHECKPOINT_EVERY:
            ctx.checkpoint()
        line = lines[i]
        if not line.strip():
            # A blank line ends the table unless the next line continues it with a known pod.
            j = next_nonblank(lines, i + 1)
            if j < len(lines):
                nxt = parse_row_tokens(lines[j].split(), cols)
                if nxt and nxt[0].get("name") in seen_names:
                    i = j
                    continue
            break
        header = parse_header(line) if "NAME" in line else None  # every header has a NAME column
        if header:  # repeated header mid-stream (watch start, or a column change)
            cols = header
            i += 1
            continue
        row = _row_from_line(line, i, cols)
        if row is None:
            break
        rows.append(row)
        seen_names.add(row.cells["name"])
        i += 1
    return rows_to_observations(rows, ctx), i


def parse_inline(text: str, index: int, cols: list[str], ctx: ParseContext) -> list[Observation]:
    """Rows collapsed onto one line after their header (`NAME READY ... AGE pod 2/2 Running 0 44s`)."""
    tokens = text.split()
    rows: list[RawRow] = []
    while tokens:
        got = parse_row_tokens(tokens, cols)
        if not got or "name" not in got[0]:
            break
        cells, used, _ = got
        rows.append(RawRow(index, cells, cells.get("age_text"), "", " ".join(tokens[:used])))
        tokens = tokens[used:]
    return rows_to_observations(rows, ctx)


def _row_from_line(line: str, index: int, cols: list[str]) -> RawRow | None:
    tokens = line.split()
    got = parse_row_tokens(tokens, cols)
    if got is None or "name" not in got[0]:
        return None
    cells, used, _ = got
    tail = " ".join(tokens[used:])
    return RawRow(index, cells, cells.get("age_text"), tail, line.strip())


class AgeForm:
    """Which of kubectl's two age formats a table prints, from all its rows (see `timefmt.parse_age`):
    an old kubectl's `1m` anywhere means the old form; a modern-only age or a RESTARTS `(Xs ago)` the new."""

    __slots__ = ("old_minute", "modern_seen")

    def __init__(self) -> None:
        self.old_minute = False
        self.modern_seen = False

    def add(self, row: RawRow) -> None:
        a = row.age_text
        if a:
            if a == "1m":
                self.old_minute = True
            elif not self.modern_seen and age_is_modern_form(_age_prefix(a)):
                self.modern_seen = True
        if not self.modern_seen and "ago_text" in row.cells:
            self.modern_seen = True

    @property
    def modern(self) -> bool:
        return not self.old_minute and self.modern_seen


class NotATable(Exception):
    """The text is not only `get pods` tables (0-based line where something else starts)."""

    def __init__(self, index: int, why: str):
        super().__init__(f"line {index + 1}: {why}")
        self.index = index


def stream_tables(lines: Iterable[str]) -> Iterator[tuple[int, RawRow]]:
    """(table number, row) of text made only of `get pods` tables, read line by line as `parse_table`
    reads them (a repeated header continues the table, a blank line ends it unless a known pod follows;
    each header after a blank line starts the next table, numbered from 1). Raises NotATable where
    the text holds anything else, so the caller can read it the general way. `lines` are cleaned lines
    (see `source.clean_lines`), without their line ends."""
    it = enumerate(lines)
    back: tuple[int, str] | None = None
    cols: list[str] | None = None
    table = 0
    seen: set[str] = set()
    while True:
        if back is not None:
            (i, line), back = back, None
        else:
            nxt = next(it, None)
            if nxt is None:
                return
            i, line = nxt
        if cols is None:
            if not line.strip():
                continue
            cols = parse_header(line)
            if cols is None:
                raise NotATable(i, "not a get pods header")
            table += 1
            seen = set()
            continue
        if not line.strip():
            for j, following in it:
                if following.strip():
                    got = parse_row_tokens(following.split(), cols)
                    if not (got and got[0].get("name") in seen):
                        cols = None  # the table ended at the blank line
                    back = (j, following)
                    break
            else:
                return
            continue
        header = parse_header(line) if "NAME" in line else None
        if header:
            cols = header
            continue
        row = _row_from_line(line, i, cols)
        if row is None:
            raise NotATable(i, "not a get pods row")
        seen.add(row.cells["name"])
        yield table, row


def rows_to_observations(rows: list[RawRow], ctx: ParseContext, modern: bool | None = None) -> list[Observation]:
    """Observations of a table's rows; `modern` is the table's age form when `rows` are only part of
    it (streaming), else it is read from `rows`."""
    if modern is None:
        form = AgeForm()
        for r in rows:
            form.add(r)
        modern = form.modern
    out: list[Observation] = []
    for n, r in enumerate(rows):
        if not n % CHECKPOINT_EVERY:
            ctx.checkpoint()
        cells = dict(r.cells)
        name = cells.pop("name")
        namespace = cells.pop("namespace", None) or ctx.namespace
        age_text = cells.pop("age_text", None)
        lo = hi = None
        if age_text and age_text not in ("<unknown>", "<invalid>"):
            printed = _age_prefix(age_text)
            try:
                lo, hi = parse_age(printed, modern=modern)
            except DurationError:
                ctx.warn(r.index, f'cannot read AGE "{age_text}"; expected a kubectl duration like 4m13s '
                                  f'(row kept without a time)')
            else:
                if printed != age_text:
                    ctx.warn(r.index, f'text glued after AGE "{printed}" ignored: "{age_text[len(printed):]}"')
                age_text = printed
        ago_text = cells.pop("ago_text", None)
        if ago_text:
            try:
                cells["last_restart_ago"] = list(parse_age(ago_text, modern=True))
            except DurationError:
                ctx.warn(r.index, f'cannot read RESTARTS suffix "({ago_text} ago)"')
        cells["age"] = age_text
        key = ctx.registry.for_status(name, namespace, lo, hi)
        if cells.get("watch_event") == "DELETED":
            cells["deleted"] = True
        out.append(Observation(
            kind=ROW, pod=key, origin=ctx.origin(r.index), raw=r.raw, data=cells,
            t=lo, t_lo=lo, t_hi=hi, clock=CLOCK_POD if lo is not None else CLOCK_NONE,
            seq=ctx.next_seq()))
    return out


# --- the pre-1.0 layout: one pod row, then one indented row per container ----------------------

_LEGACY_HEADER = re.compile(r"^POD\s+IP\s+CONTAINER\(S\)\s+IMAGE\(S\)\s+HOST\s+LABELS\s+STATUS\s+CREATED")


def is_legacy_header(line: str) -> bool:
    return bool(_LEGACY_HEADER.match(line))


def parse_legacy(lines: list[str], start: int, ctx: ParseContext) -> tuple[list[Observation], int]:
    """2015 `get pods`: fixed columns with empty cells, ages like `34 seconds`, MESSAGE per container."""
    header = lines[start]
    names = ["POD", "IP", "CONTAINER(S)", "IMAGE(S)", "HOST", "LABELS", "STATUS", "CREATED", "MESSAGE"]
    if not all(n in header for n in names):
        return [], start + 1
    starts = [header.index(n) for n in names]

    def cut(line: str, k: int) -> str:
        end = starts[k + 1] if k + 1 < len(starts) else len(line)
        return line[starts[k]:end].strip() if len(line) > starts[k] else ""

    out: list[Observation] = []
    pod_key = None
    i = start + 1
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        pod, container = cut(line, 0), cut(line, 2)
        status, created, message = cut(line, 6), cut(line, 7), cut(line, 8)
        lo = hi = None
        try:
            lo, hi = parse_age(created, modern=False)
        except DurationError:
            ctx.warn(i, f'cannot read CREATED "{created}"')
        if pod:
            pod_key = ctx.registry.for_status(pod, ctx.namespace, lo, hi)
            out.append(Observation(kind=ROW, pod=pod_key, origin=ctx.origin(i), raw=line.strip(),
                                   data={"status": status, "age": created, "ip": cut(line, 1),
                                         "node": cut(line, 4), "columns": names},
                                   t=lo, t_lo=lo, t_hi=hi, clock=CLOCK_POD if lo is not None else CLOCK_NONE,
                                   seq=ctx.next_seq()))
        elif container and pod_key is not None:
            data: dict = {"image": cut(line, 3), "state": {"status": status.lower()},
                          "container_age": created}
            m = re.search(r"last termination: exit code (\d+)", message)
            if m:
                data["last_state"] = {"status": "terminated", "exit_code": int(m.group(1))}
            # CREATED of a container row is the container's own age, not the pod's.
            out.append(Observation(kind=CONTAINER, pod=pod_key, container=container, origin=ctx.origin(i),
                                   raw=line.strip(), data=data, clock=CLOCK_NONE, seq=ctx.next_seq()))
        i += 1
    return out, i
