"""Reading huge `get pods -w` logs in bounded memory: rows flow to the caller in batches.

A file that holds only `get pods` tables (the common case of an hours-long `get pods -A -w`) is read
twice line by line: once to check that it is only tables and to learn each table's age form (which
needs all of its rows), then again to turn its rows into observations batch by batch. Nothing holds
every observation, and the result is the one `read_paths` gives: such rows are already on their pod's
clock and carry no uid, so anchoring changes none of them as long as every row has a namespace or
none has (else, or for anything that is not only tables, `plan` says None and the caller reads the
files the general way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.ingest import podtable
from kubectl_podlife.ingest.context import ParseContext
from kubectl_podlife.observation import Observation, PodKey, Warning_

BATCH_ROWS = 5000
_FRAME_STARTS = "╭╰├┌└│"  # k9s / nushell frames, which clean_lines rewrites


@dataclass
class FilePlan:
    path: str
    forms: dict[int, podtable.AgeForm]  # table number -> its age form
    rows: int
    lines: int  # read by the first pass: the second reads as many (a log still being written grows)


@dataclass
class StreamPlan:
    files: list[FilePlan]
    rows: int
    warnings: list[Warning_] = field(default_factory=list)  # filled while `batches` runs
    pods: dict[PodKey, None] = field(default_factory=dict)  # in order of first appearance

    @property
    def pod_names(self) -> list[str]:
        """Each pod's display name once, as `IngestResult.pods`."""
        return list(dict.fromkeys(k.display for k in self.pods))

    @property
    def sources(self) -> list[str]:
        return [f.path for f in self.files]


def _lines(path: str, counted: list[int], limit: int | None = None) -> Iterator[str]:
    """The file's lines as `source.clean_lines` would give them (at most `limit`; how many in
    `counted[0]`), or NotATable where cleaning would change more than line ends (colour codes, frames,
    lines too long to be kubectl output)."""
    from kubectl_podlife.ingest.source import MAX_LINE

    with open(path, encoding="utf-8-sig", errors="strict", newline=None) as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            counted[0] = i + 1
            line = line.rstrip()
            if "\x1b" in line or len(line) > MAX_LINE or line.lstrip()[:1] in tuple(_FRAME_STARTS):
                raise podtable.NotATable(i, "needs cleaning")
            yield line


def _head_is_plain(path: str) -> bool:
    """Not stdin, gzip or UTF-16 (those are decoded whole), and readable as `read_source` checks it."""
    from kubectl_podlife.ingest.source import check_source

    if path == "-":
        return False
    try:
        check_source(path)
        with open(path, "rb") as fh:
            head = fh.read(2)
    except (PodlifeError, OSError):
        return False  # the general path says why, in its own words
    return head not in (b"\x1f\x8b", b"\xff\xfe", b"\xfe\xff")


def plan(paths: Sequence[str]) -> StreamPlan | None:
    """First pass: a plan when every path is a plain file of `get pods` tables only, with rows, and the
    rows all have a namespace column or none has; else None."""
    files: list[FilePlan] = []
    namespaced: set[bool] = set()
    for path in paths:
        if not _head_is_plain(path):
            return None
        forms: dict[int, podtable.AgeForm] = {}
        rows = 0
        counted = [0]
        try:
            for table, row in podtable.stream_tables(_lines(path, counted)):
                form = forms.get(table)
                if form is None:
                    form = forms[table] = podtable.AgeForm()
                    namespaced.add("namespace" in row.cells)
                form.add(row)
                rows += 1
                if len(namespaced) > 1 or ("namespace" in row.cells) not in namespaced:
                    return None
        except (podtable.NotATable, UnicodeDecodeError, OSError):
            return None
        if not rows:
            return None
        files.append(FilePlan(path, forms, rows, counted[0]))
    return StreamPlan(files, sum(f.rows for f in files)) if files else None


def batches(p: StreamPlan, size: int | None = None) -> Iterator[list[Observation]]:
    """Second pass: the observations `read_paths` would give for the plan's files, in its order, in
    batches of at most `size` (BATCH_ROWS); afterwards `p.warnings` and `p.pods` are complete."""
    size = size or BATCH_ROWS
    for f in p.files:
        ctx = ParseContext(source=f.path)
        chunk: list[podtable.RawRow] = []
        current = 0
        try:
            for table, row in podtable.stream_tables(_lines(f.path, [0], f.lines)):
                if table != current or len(chunk) >= size:
                    if chunk:
                        yield _observations(p, chunk, ctx, f.forms[current])
                    chunk, current = [], table
                chunk.append(row)
        except (podtable.NotATable, KeyError, UnicodeDecodeError, OSError) as exc:
            raise PodlifeError(f"{f.path} changed while it was read ({exc}); import it again") from None
        if chunk:
            yield _observations(p, chunk, ctx, f.forms[current])
        p.warnings.extend(ctx.warnings)


def _observations(p: StreamPlan, rows: list[podtable.RawRow], ctx: ParseContext,
                  form: podtable.AgeForm) -> list[Observation]:
    obs = podtable.rows_to_observations(rows, ctx, modern=form.modern)
    pods = p.pods
    for o in obs:
        pods[o.pod] = None
    return obs
