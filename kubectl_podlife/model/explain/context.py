"""What every explainer reads: one pod's inputs and transitions indexed once (PodContext), how often
an event really happened, and how far an observed time lies from an expected range."""

from __future__ import annotations

import bisect

from kubectl_podlife.model import rules
from kubectl_podlife.model.build import PodInput, T


INF = float("inf")


class PodContext:
    """What the explainer needs to know about one pod, computed once."""

    def __init__(self, inp: PodInput, trs: list[T]):
        self.inp = inp
        self.trs = trs
        self.spec = inp.spec
        self.policy = inp.spec.get("restartPolicy")
        self.cspecs = {c.get("name"): c for c in (inp.spec.get("containers") or []) + (
            inp.spec.get("initContainers") or []) if isinstance(c, dict)}
        self.single = inp.containers[0] if len(inp.containers) == 1 else None
        self.has_manifest = any(s in ("manifest", "api") for s in inp.spec_sources)
        # Why the pod was evicted, when anything says it was (event, pod reason, STATUS Evicted).
        self.evicted = next((str(o.data.get("message") or "evicted") for o in inp.obs if
                             (o.kind == "event" and str(o.data.get("reason")).lower() == "evicted") or
                             (o.kind == "pod" and o.data.get("reason") == "Evicted")), None) or (
            "evicted" if any(o.data.get("status") == "Evicted" for o in inp.rows) else None)
        self.has_spec = bool(inp.spec_sources)
        self._behaviour: dict[int, rules.CommandBehaviour] = {}  # by id() of a container spec in cspecs

        # Per kind, timed transitions sorted by t (for window queries) and the rest; built once.
        self._by_kind: dict[str, list[T]] = {}
        for t in trs:
            self._by_kind.setdefault(t.kind, []).append(t)
        self._timed: dict[str, tuple[list[float], list[T]]] = {}
        self._spans: dict[str, list[T]] = {}  # aggregated events, whose first..last may cover any window
        for kind, items in self._by_kind.items():
            timed = sorted((t for t in items if t.t is not None), key=lambda t: t.t)
            self._timed[kind] = ([t.t for t in timed], timed)
            self._spans[kind] = [t for t in timed if t.first_t is not None and t.first_t < t.t - 2]

    def of(self, kind: str, container: str | None) -> list[T]:
        return [t for t in self._by_kind.get(kind, ()) if container is None or t.container in (container, None)]

    def within(self, kind: str, container: str | None, lo: float, hi: float) -> list[T]:
        """Transitions of a kind whose time (or, aggregated, whose first..last span) meets [lo, hi]."""
        times, items = self._timed.get(kind, ([], []))
        a = bisect.bisect_left(times, lo)
        b = bisect.bisect_right(times, hi)
        found = items[a:b] + [t for t in self._spans.get(kind, ()) if t.first_t <= hi and t.t >= lo and not (
            lo <= t.t <= hi)]
        return [t for t in found if container is None or t.container in (container, None)]

    def last_before(self, kind: str, containers: tuple, t: float | None) -> T | None:
        """The latest transition of a kind at or before t (the last one at all when t is None)."""
        times, items = self._timed.get(kind, ([], []))
        i = bisect.bisect_right(times, t) if t is not None else len(items)
        while i > 0:
            i -= 1
            if items[i].container in containers:
                return items[i]
        if t is None:
            untimed = [x for x in self._by_kind.get(kind, ()) if x.t is None and x.container in containers]
            return untimed[-1] if untimed else None
        return None

    def last_start(self, c: str | None, t: float | None) -> tuple[float, float] | None:
        """The latest container start before t (an aggregated Started event also started at its first time)."""
        cands = []
        for s in self.trs:
            if s.kind not in ("started", "restart") or s.container not in (c, None) or s.t is None:
                continue
            cands.append((s.t, s.lo if s.lo is not None else s.t, s.hi if s.hi is not None else s.t))
            if s.count > 1 and s.first_t is not None:
                cands.append((s.first_t, s.first_t, s.first_t + 1))
        cands = [x for x in cands if t is None or x[0] <= t - 0.5]
        if not cands:
            return None
        best = max(cands)
        return best[1], best[2]

    def cspec(self, container: str | None) -> dict | None:
        if container in self.cspecs:
            return self.cspecs[container]
        if self.single is not None and len(self.cspecs) == 1:
            return next(iter(self.cspecs.values()))
        return None

    def behaviour(self, container: str | None) -> rules.CommandBehaviour:
        """What the container's command does (rules.command_behaviour of its spec), worked out once per
        container: every restart and exit of a crash loop asks again."""
        spec = self.cspec(container)
        beh = self._behaviour.get(id(spec))
        if beh is None:
            beh = self._behaviour[id(spec)] = rules.command_behaviour(spec)
        return beh

    def probe(self, container: str | None, ptype: str) -> dict | None:
        c = self.cspec(container)
        p = (c or {}).get(f"{ptype}Probe")
        return p if isinstance(p, dict) else None


def occurrences(events: list[T]) -> int:
    """How many times the events happened, counting an Event object once however often it was seen.

    One Event object is printed or watched several times as its count grows (describe run twice, a
    live watch of every update); its occurrences are the growth of its count, not the sum.
    """
    groups: dict[tuple, list[int]] = {}
    for e in events:
        msg = e.evidence[0].data.get("message") if e.evidence else e.summary
        first = round(e.first_t) if e.first_t is not None else (round(e.t) if e.t is not None else None)
        groups.setdefault((msg, first), []).append(e.count)
    total = 0
    for counts in groups.values():
        total += max(counts) - min(counts) + 1 if len(counts) > 1 else counts[0]
    return total


def range_difference(tr: T, rng: tuple[float, float]) -> float | None:
    """Observed minus expected, 0 when the observed interval and the expected one overlap."""
    if tr.t is None:
        return None
    lo = tr.lo if tr.lo is not None else tr.t
    hi = tr.hi if tr.hi is not None else tr.t
    if lo <= rng[1] and hi >= rng[0]:
        return 0.0
    return difference(tr.t, rng)


def difference(obs: float | None, rng: tuple[float, float]) -> float | None:
    """Observed minus the nearer end of the expected range, 0 inside it."""
    if obs is None:
        return None
    if rng[0] <= obs <= rng[1]:
        return 0.0
    return round(obs - rng[1], 1) if obs > rng[1] else round(obs - rng[0], 1)
