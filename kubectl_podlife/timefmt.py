"""Reading and writing the time formats kubectl prints.

kubectl ages are HumanDuration values (apimachinery pkg/util/duration): they truncate, and they drop
precision as they grow (`4m13s` is exact to the second, `10m` is somewhere in [600, 660)). Every
parse returns the interval the printed value stands for, never a single invented number.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone

from kubectl_podlife.lazyre import lazy_compile

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}
_HUMAN = re.compile(r"^(?:(\d+)y)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_OLD_WORDS = re.compile(r"^(\d+)\s+(second|minute|hour|day|week|month|year)s?$")
_WORD_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
                 "month": 30 * 86400, "year": 365 * 86400}


class DurationError(ValueError):
    """A duration that kubectl could not have printed."""


def parse_age(text: str, modern: bool = True) -> tuple[float, float]:
    """The interval [lo, hi) of seconds that a printed kubectl age stands for.

    `modern` says the output comes from HumanDuration (kubectl >= ~1.12), whose formats pin down
    the precision; older kubectl printed ShortHumanDuration (one unit, e.g. `1m` for 60-119 s),
    so a single-unit value then covers the whole unit.
    """
    return _parse_age(text, bool(modern))


@functools.lru_cache(maxsize=8192)
def _parse_age(text: str, modern: bool) -> tuple[float, float]:
    # Memoised: a `get -w` log prints the same few thousand ages again and again (errors are not cached).
    s = text.strip()
    m = _OLD_WORDS.match(s)
    if m:  # pre-1.0 "34 seconds"
        n, unit = int(m.group(1)), _WORD_SECONDS[m.group(2)]
        return float(n * unit), float((n + 1) * unit)
    m = _HUMAN.match(s)
    if not s or not m or not any(m.groups()):
        raise DurationError(f'cannot read age "{text}"; expected a kubectl duration like 4m13s')
    parts = [(int(v), u) for v, u in zip(m.groups(), "ydhms") if v is not None]
    total = sum(v * _UNITS[u] for v, u in parts)
    smallest = parts[-1][1]
    if not modern or len(parts) > 1 and smallest != "s":
        step = _UNITS[smallest]
    else:
        step = _modern_step(total, parts)
    return float(total), float(total + step)


def _modern_step(total: int, parts: list[tuple[int, str]]) -> int:
    """The precision HumanDuration had for a value it printed (see its table of ranges)."""
    smallest = parts[-1][1]
    if smallest == "s":
        return 1
    # A bare "Xm" below 10 minutes means Y == 0 exactly; from 10 min on the seconds are dropped.
    if smallest == "m":
        return 1 if total < 600 and len(parts) == 1 else 60
    if smallest == "h":
        return 60 if total < 8 * 3600 and len(parts) == 1 else 3600
    if smallest == "d":
        return 3600 if total < 8 * 86400 and len(parts) == 1 else 86400
    return _UNITS[smallest]


def is_age(text: str) -> bool:
    try:
        parse_age(text)
        return True
    except DurationError:
        return False


def age_is_modern_form(text: str) -> bool:
    """True for forms only HumanDuration prints (`2m7s`, `119s`): a hint about the kubectl era."""
    m = _HUMAN.match(text.strip())
    if not m:
        return False
    parts = [v for v in m.groups() if v is not None]
    return len(parts) > 1 or (m.group(5) is not None and int(m.group(5)) >= 60)


def human_duration(seconds: float) -> str:
    """Format like kubectl's HumanDuration (used for AGE and `(Xs ago)`)."""
    if seconds < -1:
        return "<invalid>"
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = s // 3600
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    d = s // 86400
    if d < 8:
        return f"{d}d{h % 24}h" if h % 24 else f"{d}d"
    if d < 730:
        return f"{d}d"
    y = d // 365
    return f"{y}y{d % 365}d" if y < 8 and d % 365 else f"{y}y"


def clock(seconds: float | None) -> str:
    """A compact, exact relative time for our own output: 43s, 4m13s, 1h2m3s."""
    if seconds is None:
        return "?"
    if seconds < 0:
        return "-" + clock(-seconds)
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        m, sec = divmod(s, 60)
        return f"{m}m{sec}s" if sec else f"{m}m"
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m}m{sec}s" if sec else f"{h}h{m}m"


_GO_DUR = lazy_compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_GO_FULL = lazy_compile(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float | None:
    """Go's time.Duration.String() form: `1m20s`, `2.408374442s`, `5m0s`, `300ms`."""
    s = text.strip()
    if not _GO_FULL.fullmatch(s):
        return None
    return sum(float(v) * _GO_UNITS[u] for v, u in _GO_DUR.findall(s))


def go_duration(seconds: float) -> str:
    """Format like Go's time.Duration.String() for whole seconds: 10s, 1m20s, 5m0s."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    m, sec = divmod(s, 60)
    if m < 60:
        return f"{m}m{sec}s"
    h, m = divmod(m, 60)
    return f"{h}h{m}m{sec}s"


# --- absolute times ---------------------------------------------------------------------------

_RFC1123Z = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} (?:[+-]\d{4}|[A-Z]{2,5})"
)
RFC1123Z_PATTERN = _RFC1123Z.pattern
# The fields of the RFC1123Z forms strptime reads below, read without it: its first call costs about 4 ms
# (locale tables and a pattern per format) in every `explain` of a describe (issue 12).
_RFC1123Z_FIELDS = re.compile(r"\w+, (\d+) (\w+) (\d+) (\d+):(\d+):(\d+) (?:([+-])(\d\d)([0-5]\d)|[A-Z]{3})", re.A)
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
RFC3339_PATTERN = _RFC3339.pattern
_LOOSE_DATE = lazy_compile(r"\b(?:19|20)\d\d\b.*\d{1,2}:\d{2}:\d{2}|\d{1,2}:\d{2}:\d{2}.*\b(?:19|20)\d\d\b")


def parse_timestamp(text: str) -> datetime | None:
    """RFC1123Z as describe prints it, or RFC3339 as the API returns it; None if neither."""
    s = text.strip()
    if not s or s in ("<nil>", "<none>", "<unknown>"):
        return None
    try:
        if _RFC1123Z.fullmatch(s):
            f = _RFC1123Z_FIELDS.fullmatch(s)
            if f:
                return _rfc1123z(*f.groups())
            if s[-5] in "+-":
                return datetime.strptime(s, "%a, %d %b %Y %H:%M:%S %z")
            return datetime.strptime(s[:-4], "%a, %d %b %Y %H:%M:%S").replace(tzinfo=timezone.utc)
        if _RFC3339.fullmatch(s):
            return datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        pass
    if _LOOSE_DATE.search(s):
        # Other printed forms (`2015-04-07 12:08:30 -0700 PDT`, `Tue Apr  7 12:08:30 2015`): dateutil reads them.
        from dateutil import parser as date_parser  # here for start-up cost: kubectl's own forms never need it

        try:
            dt = date_parser.parse(s)
        except (ValueError, OverflowError):
            return None
        return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return None


def _rfc1123z(day: str, month: str, year: str, hour: str, minute: str, second: str, sign: str | None,
              off_hours: str | None, off_minutes: str | None) -> datetime:
    """The datetime strptime gives for these fields: a numeric offset is a fixed zone, a zone name is read as
    UTC; ValueError for a field out of range."""
    if sign is None:
        tz = timezone.utc
    else:
        offset = timedelta(hours=int(off_hours), minutes=int(off_minutes))
        tz = timezone(-offset if sign == "-" else offset)
    return datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=tz)


def is_unset_time(dt: datetime | None) -> bool:
    """The Unix epoch (`Thu, 01 Jan 1970 00:00:00 +0000`, `1970-01-01T00:00:00Z`): what the runtime reports for
    a time it never set, e.g. the Started of a StartError instance whose process never ran."""
    return dt is not None and dt.tzinfo is not None and dt.timestamp() == 0


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def seconds_between(a: str | None, b: str | None) -> float | None:
    """b - a in seconds for two ISO strings; None if either is missing."""
    da, db = from_iso(a), from_iso(b)
    if da is None or db is None:
        return None
    return (db - da).total_seconds()
