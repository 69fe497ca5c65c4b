"""Event tables in every layout kubectl has printed: describe's Events, `get events`, `kubectl events`.

A row is matched against layouts of typed fields (type, reason, age with `(xN over M)`, source,
sub-object path, object, message) so that collapsed whitespace, tab-separated 2015 tables and
headerless fragments all read the same way. The message is the rest of the line, kept verbatim,
plus any continuation lines of a message that spanned several lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kubectl_podlife.ingest.context import CHECKPOINT_EVERY, ParseContext, is_count, next_nonblank
from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.observation import CLOCK_ABS, CLOCK_AGO, EVENT, Observation, PodKey
from kubectl_podlife.timefmt import DurationError, RFC1123Z_PATTERN, iso, parse_age, parse_timestamp

_TOKEN = re.compile(r"\S+")
_AGE = re.compile(r"^(?:(?:\d+y)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?|<unknown>|<invalid>)$")
_RFC1123Z_START = re.compile(RFC1123Z_PATTERN)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
_REASON = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_SUBOBJ = lazy_compile(r"^(?:spec|status)\.\w+(?:\{[^}]*\})?$|^\w+\{[^}]*\}$")
_OBJECT = lazy_compile(r"^([A-Za-z][A-Za-z.]*)/([a-z0-9][-a-z0-9.]*)$")
_NAME = re.compile(r"^[a-z0-9][-a-z0-9.]*$")
_KIND = lazy_compile(r"^[A-Z][A-Za-z]+$")
_COMPONENT = re.compile(r"^[a-z][\w.\-]*$")
_FIELD_PATH_PREFIX = re.compile(r"^(spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]*)\}):\s*")
_CONTAINER_OF_PATH = lazy_compile(r"\{([^}]*)\}")

TYPE, REASON, AGE, FIRST, LAST, COUNT, FROM, SUBOBJ, OBJECT, KIND, NAME, NS, MESSAGE, CLOCKTIME = (
    "type", "reason", "age", "first", "last", "count", "from", "subobj", "object", "kind", "name", "ns",
    "message", "clocktime")

# (field, optional). The first layout that matches a whole row wins.
LAYOUTS: dict[str, list[tuple[str, bool]]] = {
    "describe": [(TYPE, False), (REASON, False), (AGE, False), (FROM, False), (MESSAGE, False)],
    "get-events": [(NS, True), (AGE, False), (TYPE, False), (REASON, False), (OBJECT, False), (MESSAGE, False)],
    "get-events-1.5": [(NS, True), (LAST, False), (FIRST, False), (COUNT, False), (NAME, False), (KIND, False),
                       (SUBOBJ, True), (TYPE, False), (REASON, False), (FROM, False), (MESSAGE, False)],
    "describe-old": [(FIRST, False), (LAST, False), (COUNT, False), (FROM, False), (SUBOBJ, True),
                     (TYPE, True), (REASON, False), (MESSAGE, False)],
    "get-events-kind": [(AGE, False), (TYPE, False), (REASON, False), (KIND, False), (MESSAGE, False)],
    "web-console": [(CLOCKTIME, False), (TYPE, False), (REASON, False), (MESSAGE, False)],
}
_HEADLESS_ORDER = ("describe", "get-events", "get-events-1.5", "describe-old", "get-events-kind", "web-console")


@dataclass
class Tok:
    start: int
    text: str


def _tokens(line: str) -> list[Tok]:
    return [Tok(m.start(), m.group(0)) for m in _TOKEN.finditer(line)]


def _match_field(field: str, toks: list[Tok], k: int, line: str, out: dict) -> int | None:
    """Consume one field at token k; the new k, or None if it does not fit."""
    if field == MESSAGE:
        out["message"] = line[toks[k].start:].rstrip() if k < len(toks) else ""
        return len(toks)
    if k >= len(toks):
        return None
    tok = toks[k].text
    if field == TYPE:
        if tok not in ("Normal", "Warning"):
            return None
        out["type"] = tok
        return k + 1
    if field == REASON:
        if not _REASON.match(tok) or tok in ("Normal", "Warning"):
            return None
        out["reason"] = tok
        return k + 1
    if field in (AGE, FIRST, LAST):
        got = _match_when(toks, k, line)
        if got is None:
            return None
        k2, when = got
        if field == AGE:
            out["last"] = when
            # "(x3 over 20s)", and the 2017 experimental "(x2 starting 1h)" / "(x3 from 1h)"
            if k2 + 2 < len(toks) and re.match(r"^\(x\d+$", toks[k2].text) and toks[k2 + 1].text in (
                    "over", "starting", "from") and toks[k2 + 2].text.endswith(")"):
                out["count"] = int(toks[k2].text[2:])
                first = toks[k2 + 2].text[:-1]
                if not _AGE.match(first):
                    return None
                out["first"] = ("ago", first)
                k2 += 3
        else:
            out[field] = when
        return k2
    if field == COUNT:
        if not is_count(tok):
            return None
        out["count"] = int(tok)
        return k + 1
    if field == FROM:
        if tok.startswith("{"):
            j = k
            while j < len(toks) and not toks[j].text.endswith("}"):
                j += 1
            if j >= len(toks):
                return None
            out["source"] = line[toks[k].start:toks[j].start + len(toks[j].text)][1:-1].strip()
            return j + 1
        if not _COMPONENT.match(tok.rstrip(",")):
            return None
        if tok.endswith(",") and k + 1 < len(toks):  # "kubelet, node01"
            out["source"] = f"{tok} {toks[k + 1].text}"
            return k + 2
        out["source"] = tok
        return k + 1
    if field == SUBOBJ:
        if not _SUBOBJ.match(tok):
            return None
        out["field_path"] = tok
        return k + 1
    if field == OBJECT:
        m = _OBJECT.match(tok)
        if not m:
            return None
        out["object_kind"], out["object_name"] = m.group(1), m.group(2)
        return k + 1
    if field == KIND:
        if not _KIND.match(tok) or tok in ("Normal", "Warning"):
            return None
        out["object_kind"] = tok
        return k + 1
    if field == NAME:
        if not _NAME.match(tok):
            return None
        out["object_name"] = tok
        return k + 1
    if field == NS:
        if not _NAME.match(tok) or _AGE.match(tok):
            return None
        out["namespace"] = tok
        return k + 1
    if field == CLOCKTIME:
        if k + 1 < len(toks) and re.match(r"^\d{1,2}:\d{2}:\d{2}$", tok) and toks[k + 1].text in ("AM", "PM"):
            out["clocktime"] = f"{tok} {toks[k + 1].text}"
            return k + 2
        return None
    return None


def _match_when(toks: list[Tok], k: int, line: str) -> tuple[int, tuple[str, str]] | None:
    """An age (`22s`), an RFC1123Z date (6 tokens) or an RFC3339 timestamp."""
    tok = toks[k].text
    if _AGE.match(tok) and tok:
        return k + 1, ("ago", tok)
    if _RFC3339.match(tok):
        return k + 1, ("abs", tok)
    if tok == "<nil>":
        return k + 1, ("none", tok)
    if k + 5 < len(toks):
        text = line[toks[k].start:toks[k + 5].start + len(toks[k + 5].text)]
        if _RFC1123Z_START.fullmatch(text):
            return k + 6, ("abs", text)
    return None


def _match_layout(layout: list[tuple[str, bool]], toks: list[Tok], line: str) -> dict | None:
    def go(fi: int, k: int, out: dict) -> dict | None:
        if fi == len(layout):
            return out if k == len(toks) else None
        field, optional = layout[fi]
        trial = dict(out)
        k2 = _match_field(field, toks, k, line, trial)
        if k2 is not None:
            res = go(fi + 1, k2, trial)
            if res is not None:
                return res
        if optional:
            return go(fi + 1, k, out)
        return None

    if not toks:
        return None
    return go(0, 0, {})


def match_row(line: str, layout_name: str | None = None) -> tuple[str, dict] | None:
    """(layout, fields) for an event row, trying `layout_name` or every headerless layout."""
    toks = _tokens(line)
    names = (layout_name,) if layout_name else _HEADLESS_ORDER
    for name in names:
        fields = _match_layout(LAYOUTS[name], toks, line)
        if fields is not None and _plausible(name, fields):
            return name, fields
    return None


def _plausible(layout: str, f: dict) -> bool:
    if layout == "get-events-kind":
        return f.get("object_kind") in ("Pod", "Node", "ReplicaSet", "Deployment", "Job", "StatefulSet", "DaemonSet")
    if layout in ("describe-old",):
        return f.get("last") is not None and "source" in f
    return True


# --- headers -------------------------------------------------------------------------------------

def header_layout(line: str) -> tuple[str, list[str]] | None:
    """The layout an event table header announces, with its column names."""
    words = line.split()
    if not words:
        return None
    up = [w.upper() for w in words]
    joined = " ".join(up)
    if up[:2] == ["TYPE", "REASON"] and len(up) >= 4 and up[2] in ("AGE", "LAST") and "MESSAGE" in up:
        return "describe", words
    if joined.startswith("FIRSTSEEN LASTSEEN COUNT FROM"):
        return "describe-old", words
    if re.match(r"^(NAMESPACE )?LAST ?SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST ?SEEN COUNT NAME$", joined):
        return "get-events-wide", words
    if re.match(r"^(NAMESPACE )?LAST ?SEEN TYPE REASON (OBJECT|KIND) MESSAGE$", joined):
        return ("get-events" if "OBJECT" in up else "get-events-kind"), words
    if re.match(r"^(NAMESPACE )?LAST ?SEEN FIRST ?SEEN COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE MESSAGE$", joined):
        return "get-events-1.5", words
    # custom columns: a small header of upper-case words that names a reason and a message
    if len(up) <= 8 and all(re.match(r"^[A-Z_.]+$", w) for w in words) and "REASON" in up and (
            "MSG" in up or "MESSAGE" in up):
        return "custom", words
    return None


def _custom_fields(line: str, cols: list[str]) -> dict | None:
    toks = _tokens(line)
    out: dict = {}
    k = 0
    for ci, col in enumerate(cols):
        c = col.upper()
        if ci == len(cols) - 1:
            out["message"] = line[toks[k].start:].rstrip() if k < len(toks) else ""
            return out if "reason" in out else None
        if k >= len(toks):
            return None
        if c in ("TIME", "LAST", "LASTSEEN", "LAST_SEEN", "TIMESTAMP", "FIRST", "FIRSTSEEN"):
            got = _match_when(toks, k, line)
            if got is None:
                return None
            k, when = got
            out["last" if not c.startswith("FIRST") else "first"] = when
        elif c == "REASON":
            if not _REASON.match(toks[k].text):
                return None
            out["reason"] = toks[k].text
            k += 1
        elif c == "TYPE":
            out["type"] = toks[k].text
            k += 1
        elif c in ("COUNT",):
            if not is_count(toks[k].text):
                return None
            out["count"] = int(toks[k].text)
            k += 1
        elif c in ("OBJECT", "NAME", "INVOLVED", "POD"):
            m = _OBJECT.match(toks[k].text)
            out["object_name"] = m.group(2) if m else toks[k].text
            k += 1
        else:
            k += 1
    return out


def _wide_fields(line: str) -> dict | None:
    """`get events -o wide`: the message sits between SOURCE and FIRST SEEN COUNT NAME."""
    toks = _tokens(line)
    if len(toks) < 9:
        return None
    tail_name, tail_count = toks[-1].text, toks[-2].text
    got = _match_when(toks, len(toks) - 3, line)
    if not is_count(tail_count) or got is None:
        return None
    head = _match_layout([(NS, True), (AGE, False), (TYPE, False), (REASON, False), (OBJECT, False),
                         (SUBOBJ, True), (FROM, False), (MESSAGE, False)], toks[:-3], line[:toks[-3].start])
    if head is None:
        return None
    head["count"] = int(tail_count)
    head["first"] = got[1]
    head["event_name"] = tail_name
    return head


# --- blocks --------------------------------------------------------------------------------------

_PROSE_START = lazy_compile(r"^(\d+(\.\d+)*[、.．]|-{3,}|={3,}|#|\[root@|\$ |\]#|>\s|❯|kubectl\b|\w+ \$ )")
_CJK = lazy_compile(r"[\u3000-\u9fff\uff00-\uffef]")
_TIMES_LAST_MINUTE = lazy_compile(r"^\s*(\d+) times? in the last (minute|hour|\d+ minutes)\s*$")


def is_continuation(line: str) -> bool:
    """A physical line that continues the previous event's message (a message with newlines)."""
    s = line.strip()
    if not s or _PROSE_START.match(s) or _CJK.search(s):
        return False
    if header_layout(line) or match_row(line):
        return False
    return True


def parse_events(lines: list[str], start: int, ctx: ParseContext, layout: str | None = None,
                 cols: list[str] | None = None, pod: PodKey | None = None,
                 allow_blank_gaps: bool = True, snapshot: str | None = None) -> tuple[list[Observation], int]:
    """Parse event rows from `start` until the table ends.

    `layout`/`cols` come from a header when there was one. `pod` is the pod the table is about
    (describe); rows that name their object (get events) say it themselves.
    """
    snapshot = snapshot or ctx.new_snapshot(start)
    out: list[Observation] = []
    i = start
    last_fields: dict | None = None
    last_index = -1
    raw_lines: list[str] = []
    rows: list[dict] = []

    def flush() -> None:
        nonlocal last_fields, raw_lines
        if last_fields is not None:
            rows.append(last_fields)
            obs = _to_observation(last_fields, last_index, "\n".join(raw_lines), ctx, snapshot, pod)
            if obs is not None:
                out.append(obs)
        last_fields, raw_lines = None, []

    while i < len(lines):
        if not i % CHECKPOINT_EVERY:
            ctx.checkpoint()
        line = lines[i]
        if not line.strip():
            if not allow_blank_gaps:
                break
            j = next_nonblank(lines, i + 1)
            if j < len(lines) and _row_fields(lines[j], layout, cols) is not None and not header_layout(lines[j]):
                i = j
                continue
            break
        if line.strip() in ("...", "[...]"):
            i += 1
            continue
        fields = _row_fields(line, layout, cols)
        if fields is not None:
            flush()
            last_fields, last_index, raw_lines = fields, i, [line.strip()]
            i += 1
            continue
        m = _TIMES_LAST_MINUTE.match(line)
        if m and last_fields is not None:
            last_fields["count"] = int(m.group(1))
            raw_lines.append(line.strip())
            i += 1
            continue
        if last_fields is not None and is_continuation(line):
            last_fields["message"] = (last_fields.get("message", "") + "\n" + line.strip()).strip("\n")
            raw_lines.append(line.rstrip())
            i += 1
            continue
        break
    flush()
    if out and _counts_not_printed(rows):
        out = [replace(o, data={**o.data, "count_shown": False}) for o in out]
    return out, i


def _counts_not_printed(rows: list[dict]) -> bool:
    """Plain `kubectl get events` (LAST SEEN TYPE REASON OBJECT MESSAGE, objects as `pod/x`) prints one
    row per Event and drops its count; `kubectl events` (objects as `Pod/x`) and describe print
    "(xN over T)" when N > 1, and -o wide has a COUNT column. So a get-events table with no count
    anywhere says nothing about how often each event happened."""
    if any(f.get("layout") != "get-events" or f.get("count") is not None for f in rows):
        return False
    return not any((f.get("object_kind") or "pod")[:1].isupper() for f in rows)


def _row_fields(line: str, layout: str | None, cols: list[str] | None) -> dict | None:
    if layout == "custom" and cols:
        return _custom_fields(line, cols)
    if layout == "get-events-wide":
        return _wide_fields(line)
    if layout:
        got = match_row(line, layout)
        if got is None and layout == "describe-old":
            got = match_row(line, "describe-old")
        if got is None:
            # Headers are sometimes followed by rows of an older kubectl (the docs mix them).
            got = match_row(line)
    else:
        got = match_row(line)
    if got is None:
        return None
    name, fields = got
    fields["layout"] = name
    return fields


def _when_to(field: tuple[str, str] | None) -> tuple[str | None, list[float] | None]:
    """(absolute ISO time, ago range) for a parsed when-field."""
    if field is None:
        return None, None
    kind, text = field
    if kind == "abs":
        return iso(parse_timestamp(text)), None
    if kind == "ago":
        if text in ("<unknown>", "<invalid>"):
            return None, None
        try:
            return None, list(parse_age(text, modern=True))
        except DurationError:
            return None, None
    return None, None


def _to_observation(f: dict, index: int, raw: str, ctx: ParseContext, snapshot: str,
                    pod: PodKey | None) -> Observation | None:
    kind = f.get("object_kind")
    job = bool(kind) and kind.lower() in ("job", "jobs", "job.batch") and bool(f.get("object_name"))
    if kind and kind.lower() not in ("pod", "pods") and not job:
        return None  # events about nodes, replica sets, deployments: not a pod's story (a Job's are its pods')
    message = f.get("message", "")
    field_path = f.get("field_path")
    m = _FIELD_PATH_PREFIX.match(message)
    if m:  # kubectl >= 1.35 prefixes the message with the object's fieldPath
        field_path = field_path or m.group(1)
        message = message[m.end():]
    container = None
    if field_path:
        cm = _CONTAINER_OF_PATH.search(field_path)
        container = cm.group(1) if cm else None
    reason = f.get("reason", "")
    if f.get("layout") == "web-console" and reason == "Back" and message.startswith("off"):
        reason, message = "BackOff", message[3:].strip()  # the console printed the reason as "Back off"
    last_time, last_ago = _when_to(f.get("last"))
    first_time, first_ago = _when_to(f.get("first") or f.get("last"))
    data = {
        "type": f.get("type"),
        "reason": reason,
        "message": message,
        "source": f.get("source"),
        "count": int(f.get("count") or 1),
        "field_path": field_path,
        "layout": f.get("layout"),
    }
    if f.get("clocktime"):
        data["clocktime"] = f["clocktime"]
    name = f.get("object_name")
    namespace = f.get("namespace") or ctx.namespace
    if job:  # the Job's own entry (ingest/jobs.py gives its `Created pod: X` to X too)
        data["object"] = f"job/{name}"
        key = PodKey(name=name, namespace=namespace)
    elif name:
        data["object"] = f"pod/{name}"
        key = ctx.registry.for_status(name, namespace)
    elif pod is not None:
        key = pod
    else:
        key = PodKey(name="", namespace=namespace)  # resolved after the scan (see transcript.attach)
    if last_ago is not None:
        data["last_ago"] = last_ago
        data["first_ago"] = first_ago or last_ago
        return Observation(kind=EVENT, pod=key, container=container, origin=ctx.origin(index), raw=raw, data=data,
                           clock=CLOCK_AGO, snapshot=snapshot, seq=ctx.next_seq())
    if last_time or first_time:
        data["last_time"] = last_time or first_time
        data["first_time"] = first_time or last_time
        return Observation(kind=EVENT, pod=key, container=container, origin=ctx.origin(index), raw=raw, data=data,
                           time=last_time or first_time, clock=CLOCK_ABS, snapshot=snapshot, seq=ctx.next_seq())
    if data.get("clocktime"):
        t = _clocktime_seconds(data["clocktime"])
        data["last_time"] = data["first_time"] = f"1970-01-01T{_hms(t)}Z"
        return Observation(kind=EVENT, pod=key, container=container, origin=ctx.origin(index), raw=raw, data=data,
                           time=data["last_time"], clock=CLOCK_ABS, snapshot=snapshot, seq=ctx.next_seq())
    # An event with no readable time (`<nil>`, `<unknown>`): kept, placed by order.
    return Observation(kind=EVENT, pod=key, container=container, origin=ctx.origin(index), raw=raw, data=data,
                       clock=CLOCK_AGO if f.get("last") and f["last"][0] == "ago" else "none",
                       snapshot=snapshot, seq=ctx.next_seq())


def _clocktime_seconds(text: str) -> int:
    hms, ampm = text.split()
    h, m, s = (int(x) for x in hms.split(":"))
    h = h % 12 + (12 if ampm == "PM" else 0)
    return h * 3600 + m * 60 + s


def _hms(t: int) -> str:
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
