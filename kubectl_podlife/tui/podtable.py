"""The home screen's pod table as data, free of Textual: one row per pod read straight from the model's
PodTimeline (its diagnosis, restart count, final status and kubectl's view at its last moment), the
worst-first order, the name/namespace filter, and which columns fit a width.

Nothing here re-derives what a pod went through: a pod is healthy exactly when the model diagnosed
`none` (the model never says `none` for a pod that looks stuck or not ready: model/stuck.never_none).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_podlife.model.timeline import PodTimeline
from kubectl_podlife.timefmt import from_iso, human_duration


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 restart`, `2 restarts`, `1,234 pods`."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def restarts_phrase(pod: PodTimeline) -> str:
    """`1 restart`, `5 restarts`, `≥1 restart` (the input shows a restart but not how many)."""
    return f"{pod.restarts_text} restart{'' if pod.restarts == 1 else 's'}"


def healthy(pod: PodTimeline) -> bool:
    return pod.diagnosis.cause == "none"


def _last_ready(pod: PodTimeline) -> str:
    for tr in reversed(pod.transitions):
        if tr.view.ready:
            return tr.view.ready
    return ""


def _last_seen(pod: PodTimeline) -> float | None:
    """Epoch seconds of the pod's last transition where the input gives wall-clock times."""
    for tr in reversed(pod.transitions):
        if tr.time:
            dt = from_iso(tr.time)
            if dt is not None:
                return dt.timestamp()
    created = from_iso(pod.created_time) if pod.created_time else None
    return created.timestamp() + pod.end if created is not None else None


@dataclass(frozen=True, slots=True)
class PodRow:
    """One line of the table: kubectl's columns as the pod was last seen, and the model's diagnosis."""

    index: int  # into Timeline.pods
    namespace: str
    name: str
    ready: str
    status: str
    restarts: int
    restarts_text: str  # as the column shows it: "5", or "≥1" when the input gives no count
    age: str
    diagnosis: str
    cause: str
    healthy: bool
    last_seen: float | None

    @property
    def display(self) -> str:
        return f"{self.namespace}/{self.name}"

    def sort_key(self) -> tuple:
        """Worst first: not healthy before healthy, then more restarts, then the most recent, then the name."""
        recent = -self.last_seen if self.last_seen is not None else float("inf")
        return (self.healthy, -self.restarts, recent, self.namespace, self.name)


def pod_row(index: int, pod: PodTimeline) -> PodRow:
    name = pod.name + (f" (#{pod.incarnation})" if pod.incarnation > 1 else "")
    return PodRow(index=index, namespace=pod.namespace or "default", name=name, ready=_last_ready(pod),
                  status=pod.final_status or "?", restarts=pod.restarts, restarts_text=pod.restarts_text,
                  age=human_duration(max(0.0, pod.end)), diagnosis=pod.diagnosis.summary,
                  cause=pod.diagnosis.cause, healthy=healthy(pod), last_seen=_last_seen(pod))


def worst_first(rows: list[PodRow]) -> list[PodRow]:
    return sorted(rows, key=PodRow.sort_key)


def matching(rows: list[PodRow], query: str) -> list[PodRow]:
    """The rows whose name or namespace (or `namespace/name`) contains `query`, case-insensitively."""
    q = query.strip().lower()
    if not q:
        return rows
    return [r for r in rows if q in r.display.lower()]


def find_pod(rows: list[PodRow], name: str) -> tuple[PodRow | None, str | None]:
    """`:pod NAME`: an exact name or namespace/name, else the one pod whose name contains it.
    Returns the row, or None and what to tell the user."""
    want = name.strip()
    exact = [r for r in rows if want in (r.name, r.display)]
    if len(exact) == 1:
        return exact[0], None
    if len(exact) > 1:
        return None, f'{plural(len(exact), "pod")} named "{want}": give namespace/{want}'
    low = want.lower()
    some = [r for r in rows if low in r.display.lower()]
    if len(some) == 1:
        return some[0], None
    if not some:
        return None, f'no pod "{want}"'
    return None, f'{plural(len(some), "pod")} match "{want}": {", ".join(r.display for r in some[:3])}' + (
        ", …" if len(some) > 3 else "")


# --- columns ----------------------------------------------------------------------------------

# (header, the width it wants at most, the width it can shrink to, priority: the lowest goes first
# when the width runs out). NAME and DIAGNOSIS size from the data; DIAGNOSIS takes what is left.
COLUMNS = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "DIAGNOSIS")
DROP_ORDER = ("AGE", "NAMESPACE", "READY", "DIAGNOSIS", "RESTARTS")  # first dropped first
MIN_DIAGNOSIS = 16


def column_widths(rows: list[PodRow], width: int, one_namespace: bool) -> list[tuple[str, int]]:
    """Which columns fit `width` cells (one marker cell first), and how wide each is.

    The name column is only as wide as the longest name (capped at 40), so on a wide terminal the room
    goes to the diagnosis; on a narrow one columns drop whole (AGE, then NAMESPACE when every pod is in
    one namespace, ...) instead of squeezing into a word a line."""
    sample = rows if len(rows) <= 5000 else rows[:5000]
    longest_name = max((len(r.name) for r in sample), default=4)
    longest_ns = max((len(r.namespace) for r in sample), default=9)
    longest_status = max((len(r.status) for r in sample), default=6)
    want = {
        "NAMESPACE": min(max(9, longest_ns), 20) + 1,
        "NAME": min(max(4, longest_name), 40) + 1,
        "READY": 6,
        "STATUS": min(max(6, longest_status), 22) + 1,
        "RESTARTS": 9,
        "RST": 4,
        "AGE": 7,
    }
    cols = [c for c in COLUMNS]
    if one_namespace and width < 120:
        cols.remove("NAMESPACE")  # said once in the title line instead

    def total(cs: list[str]) -> int:
        return 1 + sum(want[c] for c in cs if c != "DIAGNOSIS") + (MIN_DIAGNOSIS if "DIAGNOSIS" in cs else 0)

    for victim in DROP_ORDER:
        if total(cols) <= width:
            break
        if victim == "RESTARTS" and "RESTARTS" in cols:
            cols[cols.index("RESTARTS")] = "RST"  # the count without the long header first
            if total(cols) <= width:
                break
            # then a shorter STATUS (Init:CrashLoopBackOff cut with …) before the count goes
            want["STATUS"] = max(11, want["STATUS"] - (total(cols) - width))
            if total(cols) <= width:
                break
            victim = "RST"
        if victim in cols:
            cols.remove(victim)
    if total(cols) > width and "STATUS" in cols:
        want["STATUS"] = max(8, want["STATUS"] - (total(cols) - width))
    out = [("", 1)]
    used = 1
    for c in cols:
        if c == "DIAGNOSIS":
            continue
        w = want[c]
        if c == "NAME":
            others = total(cols) - want["NAME"]
            w = max(8, min(w, width - others))
        out.append((c, w))
        used += w
    if "DIAGNOSIS" in cols:
        out.append(("DIAGNOSIS", max(0, width - used)))
    elif out and used < width:
        name, w = out[-1]
        out[-1] = (name, w + width - used)
    return out


def cell(row: PodRow, column: str) -> str:
    if column == "NAMESPACE":
        return row.namespace
    if column == "NAME":
        return row.name
    if column == "READY":
        return row.ready
    if column == "STATUS":
        return row.status
    if column in ("RESTARTS", "RST"):
        return row.restarts_text
    if column == "AGE":
        return row.age
    if column == "DIAGNOSIS":
        return row.diagnosis
    return ""
