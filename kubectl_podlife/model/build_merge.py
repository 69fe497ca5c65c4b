"""One transition per fact: the same kind, container and time seen in several sources merged into one,
with all of them as evidence."""

from __future__ import annotations

from kubectl_podlife.model.build import T
from kubectl_podlife.observation import CONTAINER, EVENT, ROW

_MERGE_TOL = 2.0


def _overlap(a: T, b: T) -> bool:
    if a.t is None or b.t is None:
        return False
    alo = a.lo if a.lo is not None else a.t
    ahi = a.hi if a.hi is not None else a.t
    blo = b.lo if b.lo is not None else b.t
    bhi = b.hi if b.hi is not None else b.t
    return alo - _MERGE_TOL <= bhi and blo - _MERGE_TOL <= ahi


def merge(trs: list[T]) -> list[T]:
    """One transition per fact: the same kind, container and time (or restart count) seen twice."""
    out: list[T] = []
    for tr in sorted(trs, key=lambda x: (x.t is None, x.t if x.t is not None else 0, x.order)):
        target = None
        for ex in reversed(out[-12:]):
            if ex.kind != tr.kind or (ex.container and tr.container and ex.container != tr.container):
                continue
            if _other_container_of_snapshot(ex, tr):
                continue
            if _two_rows(ex, tr):
                continue
            if tr.kind in ("note", "probe-failed", "pulling", "pulled") and not (
                    ex.evidence and tr.evidence and ex.evidence[0].raw == tr.evidence[0].raw):
                # distinct repeated events stay distinct unless it is the same line seen twice
                if not (tr.kind != "note" and _same_event(ex, tr)):
                    continue
            if tr.kind == "restart" and ex.restart_count is not None and tr.restart_count is not None:
                if ex.restart_count != tr.restart_count:
                    continue
                target = ex
                break
            if _overlap(ex, tr) or (tr.t is None and ex.t is None and not _distinct_events(ex, tr)):
                target = ex
                break
        if target is None:
            out.append(tr)
            continue
        absorb(target, tr)
    return out


def _two_rows(a: T, b: T) -> bool:
    """Status changes printed by two different rows are two changes (DeadlineExceeded at 30s, then Error at
    31s), however close in time: a row is printed only when the object changed."""
    ra = next((e for e in a.evidence if e.kind == ROW), None)
    rb = next((e for e in b.evidence if e.kind == ROW), None)
    return ra is not None and rb is not None and ra is not rb and a.kind not in ("restart",) and (
        ra.data.get("status") != rb.data.get("status"))


def _distinct_events(a: T, b: T) -> bool:
    """Two events that say different things (reason or message): untimed, they are still two facts."""
    ea, eb = a.evidence[0] if a.evidence else None, b.evidence[0] if b.evidence else None
    if ea is None or eb is None or ea.kind != EVENT or eb.kind != EVENT:
        return False
    return ea.data.get("message") != eb.data.get("message") or ea.data.get("reason") != eb.data.get("reason")


def _other_container_of_snapshot(a: T, b: T) -> bool:
    """Two container states of one describe or object (a trimmed describe may have lost the names): one
    snapshot shows each container once, so they are two containers, never one fact seen twice."""
    ea = next((e for e in a.evidence if e.kind == CONTAINER), None)
    eb = next((e for e in b.evidence if e.kind == CONTAINER), None)
    return (ea is not None and eb is not None and ea is not eb and ea.snapshot is not None
            and ea.snapshot == eb.snapshot and (ea.container is None or eb.container is None))


def _same_event(a: T, b: T) -> bool:
    """The same aggregated event printed by two describe runs (ages differ, message and anchor agree)."""
    ea, eb = a.evidence[0], b.evidence[0]
    if ea.kind != EVENT or eb.kind != EVENT:
        return False
    if ea.data.get("message") != eb.data.get("message") or ea.data.get("reason") != eb.data.get("reason"):
        return False
    if ea.data.get("count") != eb.data.get("count"):
        return False
    return _overlap(a, b)


def absorb(target: T, tr: T) -> None:
    """Fold a second sighting of the same transition into `target`: its evidence and facts, the
    narrower time, the fields `target` lacks."""
    target.evidence.extend(e for e in tr.evidence if e not in target.evidence)
    target.facts.extend(tr.facts)
    if tr.t is not None and (target.t is None or _width(tr) < _width(target)):
        target.t, target.lo, target.hi = tr.t, tr.lo, tr.hi
    for attr in ("container", "time", "from_state", "to_state", "restart_count", "exit_code", "reason"):
        if getattr(target, attr) is None and getattr(tr, attr) is not None:
            setattr(target, attr, getattr(tr, attr))
    if tr.first_t is not None and (target.first_t is None or tr.first_t < target.first_t):
        # The same Event printed with its count (first seen 5m ago) and without (plain get events, which
        # shows only the last time): its first occurrence is the earliest either shows.
        target.first_t = tr.first_t
    target.count = max(target.count, tr.count)
    if tr.note and not target.note and target.kind != "restart":
        # A restart's note says where its time came from (a row, or only a container state); the
        # absorbed copy must not change that.
        target.note = tr.note


def _width(tr: T) -> float:
    if tr.lo is None or tr.hi is None:
        return 1e12
    return tr.hi - tr.lo
