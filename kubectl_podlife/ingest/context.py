"""What the parsers of one source share: where they are, which pod a name means, and warnings.

Pod identity within a source: a name that is created again (`pod/x created` after x was already
seen running, or a `get -w` AGE that jumps back to 0s) starts a new incarnation, so two demos that
reuse one manifest name stay two pods. So does a second, different manifest of the name (an edited
manifest applied again after a delete); the same manifest shown twice stays one pod.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from kubectl_podlife.errors import LoadCancelled
from kubectl_podlife.observation import PodKey, Warning_

# How often (in lines or rows) the long loops of the parsers call ParseContext.checkpoint: often enough
# that a cancelled read stops within milliseconds, rarely enough to cost nothing measurable.
CHECKPOINT_EVERY = 4096

def is_count(text: str) -> bool:
    """ASCII digits of a size kubectl prints (`str.isdigit` also takes `³`, which `int` refuses, and a
    5,000-digit number is beyond what `int` converts)."""
    return text.isascii() and text.isdigit() and len(text) <= 12


def next_nonblank(lines: list[str], i: int) -> int:
    """Index of the first non-blank line from `i` on (len(lines) when there is none): where a table
    or block interrupted by blank lines may go on."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


# A get-w AGE may wobble by rounding; only a clear jump back means the pod was re-created.
_AGE_RESET_SLACK = 2.0


@dataclass
class _NameState:
    incarnation: int = 1
    has_status: bool = False
    last_age_lo: float | None = None
    spec: str | None = None  # the manifest's spec seen for this incarnation (canonical JSON)
    key: PodKey | None = None  # the last key given out for a status, shared by the rows of one pod


class PodRegistry:
    def __init__(self) -> None:
        self._names: dict[tuple[str | None, str], _NameState] = {}
        self._by_name: dict[str, list[tuple[str | None, _NameState]]] = {}  # name -> (namespace, state), oldest first

    def _state(self, name: str, namespace: str | None) -> _NameState:
        key = (namespace, name)
        st = self._names.get(key)
        if st is not None:
            return st
        # A name first seen without a namespace and later with one is the same pod.
        known = self._by_name.setdefault(name, [])
        for ns, st in known:
            if ns is None or namespace is None:
                return st
        st = self._names[key] = _NameState()
        known.append((namespace, st))
        return st

    def _bump(self, st: _NameState) -> None:
        st.incarnation += 1
        st.has_status = False
        st.last_age_lo = None
        st.spec = None

    def for_spec(self, name: str, namespace: str | None, spec: dict | None = None) -> PodKey:
        """The pod a manifest of `name` is for; `spec` (a whole manifest's, not a fragment's) tells an edited
        manifest from the same one shown again."""
        st = self._state(name, namespace)
        seen = json.dumps(spec, sort_keys=True, default=str) if spec is not None else None
        # A manifest for a pod already seen running, or another manifest than this incarnation's: the next pod.
        if st.has_status or (seen is not None and st.spec is not None and seen != st.spec):
            self._bump(st)
        if seen is not None:
            st.spec = seen
        return PodKey(name=name, namespace=namespace, incarnation=st.incarnation)

    def created(self, name: str, namespace: str | None) -> PodKey:
        st = self._state(name, namespace)
        if st.has_status:
            self._bump(st)
        return PodKey(name=name, namespace=namespace, incarnation=st.incarnation)

    def for_status(self, name: str, namespace: str | None, age_lo: float | None = None,
                   age_hi: float | None = None) -> PodKey:
        st = self._state(name, namespace)
        if age_lo is not None and st.last_age_lo is not None and age_hi is not None \
                and age_hi < st.last_age_lo - _AGE_RESET_SLACK and age_hi <= 60:
            self._bump(st)
        st.has_status = True
        if age_lo is not None:
            st.last_age_lo = age_lo
        key = st.key
        if key is None or key.incarnation != st.incarnation or key.namespace != namespace or key.name != name:
            key = st.key = PodKey(name=name, namespace=namespace, incarnation=st.incarnation)
        return key

    def current(self, name: str, namespace: str | None) -> PodKey:
        st = self._state(name, namespace)
        return PodKey(name=name, namespace=namespace, incarnation=st.incarnation)

    def names(self) -> list[tuple[str | None, str]]:
        return list(self._names)


@dataclass
class ParseContext:
    source: str  # display name used in origins
    registry: PodRegistry = field(default_factory=PodRegistry)
    warnings: list[Warning_] = field(default_factory=list)
    namespace: str | None = None  # from the last command's -n
    target: str | None = None  # the pod the last command named
    target_resource: str | None = None  # the resource type of that command (`po`, `pods`, `jobs.batch`, ...)
    all_namespaces: bool = False
    # the caller's "stop now?" (a TUI worker's cancellation), asked at each checkpoint; None: never stop
    cancelled: Callable[[], bool] | None = None
    _seq: int = 0
    _snapshots: int = 0

    def origin(self, index: int) -> str:
        """file:line for a 0-based line index."""
        return f"{self.source}:{index + 1}"

    def warn(self, index: int, message: str) -> None:
        self.warnings.append(Warning_(self.origin(index), message))

    def checkpoint(self) -> None:
        """Raise LoadCancelled when the caller has stopped wanting the result. The parsers' long loops call
        this every CHECKPOINT_EVERY lines (`if not i % CHECKPOINT_EVERY: ctx.checkpoint()`)."""
        if self.cancelled is not None and self.cancelled():
            raise LoadCancelled(f"reading {self.source} was cancelled")

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def new_snapshot(self, index: int) -> str:
        self._snapshots += 1
        return f"{self.source}#{self._snapshots}@{index + 1}"
