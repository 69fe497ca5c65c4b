"""The job controller's back-off between a failing Job's pods: expected vs observed (k8s-stuck-pods.md 9.7.2).

After a pod of a Job fails, the job controller creates the replacement only after a back-off: 10 s for the
first failure, doubling with each further failure, capped at 6 min (`MaxJobBackOff`, up to ~1.26, and what the
docs say) or 10 min (`MaxJobPodFailureBackOff` in current code). So the time between two pods' creations is
the failed pod's own run time plus that back-off. The pods' creation times come from the Job's
`SuccessfulCreate` events (`Created pod: X`) or, lacking those, from one `kubectl get pods` listing of its pods
(creation = listing time - AGE).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_podlife.model.timeline import Expected
from kubectl_podlife.timefmt import human_duration

BASE_SECONDS = 10.0  # DefaultJobBackOff / DefaultJobPodFailureBackOff
CAP_SECONDS = 360.0  # MaxJobBackOff (<= ~1.26; the docs' "capped at six minutes")
CAP_NEW_SECONDS = 600.0  # MaxJobPodFailureBackOff in current code
_CREATED = "Created pod: "


def backoff(n: int, cap: float = CAP_SECONDS) -> float:
    """The back-off before the replacement that follows the n-th consecutive failed pod (n >= 1)."""
    return min(BASE_SECONDS * 2 ** (n - 1), cap)


@dataclass(frozen=True)
class Creation:
    pod: str
    lo: float  # creation time (seconds on one clock shared by the Job's pods), as a range
    hi: float
    origin: str  # file:line that shows it
    how: str  # "event" (SuccessfulCreate) | "age" (a listing's AGE)
    snapshot: str | None = None
    ago: tuple | None = None  # (lo, hi) before the printout, for events


@dataclass(frozen=True)
class Gap:
    before: Creation
    after: Creation
    n: int  # the failure this gap follows (1 = the first pod's)
    expected: float  # the back-off, capped at 6 min
    expected_new: float  # capped at 10 min (differs from `expected` from the 7th failure on)
    lo: float  # observed time between the two creations, as a range
    hi: float
    verdict: str  # "consistent" | "shorter" | "coarse"

    @property
    def observed(self) -> float:
        return round((self.lo + self.hi) / 2, 1)

    @property
    def observed_text(self) -> str:
        if self.hi - self.lo <= 2:
            return f"{self.observed:g} s"
        return f"{max(self.lo, 0):g}-{self.hi:g} s"

    @property
    def expected_text(self) -> str:
        if self.expected_new != self.expected:
            return f"{human_duration(self.expected)} (≤1.26) or {human_duration(self.expected_new)}"
        return f"{self.expected:g} s"


def creations(obs) -> list[Creation]:
    """The Job's pods' creations, oldest first: from its own SuccessfulCreate events, else from a listing."""
    out: list[Creation] = []
    seen: set[str] = set()
    for o in obs:
        if o.kind != "event" or not o.data.get("job") or o.data.get("reason") != "SuccessfulCreate":
            continue
        msg = " ".join(str(o.data.get("message") or "").split())
        if not msg.startswith(_CREATED) or o.t_lo is None or o.t_hi is None:
            continue
        pod = msg[len(_CREATED):].strip()
        if pod in seen or int(o.data.get("count") or 1) > 1:
            continue
        seen.add(pod)
        ago = o.data.get("first_ago")
        # Ages of one printout (describe job, get events) keep their own resolution ("39m" is a minute wide);
        # the pod clock anchored on the oldest of them does not.
        out.append(Creation(pod, o.t_lo, o.t_hi, o.origin, "event", o.snapshot,
                            (-ago[1], -ago[0]) if isinstance(ago, (list, tuple)) and len(ago) == 2 else None))
    if out and len({c.snapshot for c in out}) == 1 and all(c.ago for c in out):
        out = [Creation(c.pod, c.ago[0], c.ago[1], c.origin, c.how) for c in out]
    if len(out) < 2:
        listings = [o for o in obs if o.kind == "mark" and o.data.get("what") == "job-pod-ages"]
        best = max(listings, key=lambda o: len(o.data.get("pods") or []), default=None)
        if best is not None and len(best.data["pods"]) >= 2:
            out = [Creation(p["pod"], -p["age"][1], -p["age"][0], p["origin"], "age") for p in best.data["pods"]]
    out.sort(key=lambda c: (c.lo + c.hi) / 2)
    return out


def gaps(cs: list[Creation], parallelism: int | None = None) -> list[Gap]:
    """The gap after each pod but the last; none when pods may run side by side (parallelism > 1)."""
    if len(cs) < 2 or (parallelism is not None and parallelism > 1):
        return []
    out = []
    for n, (a, b) in enumerate(zip(cs, cs[1:]), start=1):
        e, e_new = backoff(n), backoff(n, CAP_NEW_SECONDS)
        lo, hi = b.lo - a.hi, b.hi - a.lo
        if hi - lo > max(e, 5.0):
            verdict = "coarse"
        elif hi < e:
            verdict = "shorter"
        else:
            verdict = "consistent"
        out.append(Gap(a, b, n, e, e_new, round(lo, 1), round(hi, 1), verdict))
    return out


def sentence(gs: list[Gap]) -> str:
    """'; between its pods the job controller waits 10 s, 20 s, ...; observed ...' for the Job's diagnosis."""
    if not gs:
        return ("; the job controller creates each replacement after a back-off (10 s, doubling, capped at 6 min, "
                "10 min in newer releases)")
    how = "SuccessfulCreate events" if gs[0].before.how == "event" else "the pods' AGE in one listing"
    text = (f"; back-off between its pods: expected {', '.join(g.expected_text for g in gs)} (10 s doubling, capped "
            f"at 6 min)")
    if all(g.verdict == "coarse" for g in gs):
        return text + f"; not compared: the creation times ({how}) are too coarse for that"
    text += f", observed between creations {', '.join(g.observed_text for g in gs)} ({how})"
    short = [g for g in gs if g.verdict == "shorter"]
    if short:
        text += ("; shorter than the back-off after " + ", ".join(g.before.pod for g in short)
                 + ": the replacement came early (1.24-1.26 created the first replacement without delay, k/k #114516;"
                 " or the pod was deleted, not failed)")
    elif any(g.verdict == "consistent" for g in gs):
        text += "; each gap is the back-off plus the failed pod's own run time"
    return text


def annotate(trs, gs: list[Gap]) -> None:
    """Expected vs observed on the Job's SuccessfulCreate transitions (the pod each gap ends with)."""
    by_pod = {g.after.pod: g for g in gs if g.after.how == "event"}
    for tr in trs:
        if tr.kind != "note" or not tr.evidence or tr.evidence[0].data.get("reason") != "SuccessfulCreate":
            continue
        msg = " ".join(str(tr.evidence[0].data.get("message") or "").split())
        g = by_pod.get(msg[len(_CREATED):].strip()) if msg.startswith(_CREATED) else None
        if g is None or tr.t is None:
            continue
        # the previous creation on this transition's clock, then the earliest this one could come
        earliest = round(tr.t - g.observed + g.expected, 1)
        rule = (f"created no earlier than {g.before.pod}'s creation + its run time + the back-off after failure "
                f"{g.n} ({g.expected_text}: 10 s doubling, capped at 6 min; 10 min in newer releases)")
        if g.verdict == "coarse":
            tr.expected = Expected((earliest, earliest), rule + "; not compared: the input's times are too coarse")
        else:
            diff = round(g.hi - g.expected, 1) if g.verdict == "shorter" else None
            tr.expected = Expected((earliest, earliest), rule, observed=tr.t, difference=diff)
