"""Which pods of an input a command reads: kubectl's `-n/--namespace` and `-A`, and `--pod` as a glob.

A leaf module (no model, no store): the CLI builds a PodSelector from its flags, and the pipeline
applies it to stored pod summaries before building anything, or to a built timeline's pods.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterable

from kubectl_podlife.errors import PodlifeError

# Saved `kubectl get pods` without -A prints no namespace; the model reads such pods as in "default"
# (PodTimeline.to_json), so `-n default` selects them.
DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True, slots=True)
class PodSelector:
    namespace: str | None = None  # -n: only this namespace (None: every namespace, as -A)
    pod: str | None = None  # --pod: a name or namespace/name, or a glob of either (fnmatch: * ? [...])

    @property
    def everything(self) -> bool:
        return self.namespace is None and self.pod is None

    def matches(self, namespace: str | None, name: str, display: str | None = None) -> bool:
        ns = namespace or DEFAULT_NAMESPACE
        if self.namespace is not None and ns != self.namespace:
            return False
        if self.pod is None:
            return True
        candidates = (name, f"{ns}/{name}", display or name)
        return any(fnmatchcase(c, self.pod) for c in candidates)

    def none_matched(self, seen: Iterable[tuple[str | None, str]]) -> PodlifeError:
        """The one-line error when no pod of the input is selected, naming what the input holds."""
        seen = list(seen)
        if self.pod is not None:
            what = f'no pod "{self.pod}"' + (f' in namespace "{self.namespace}"' if self.namespace else "")
        else:
            what = f'no pods in namespace "{self.namespace}"'
        if not seen:
            return PodlifeError(f"{what}: the input holds no pods")
        if self.pod is None:
            spaces = sorted({ns or DEFAULT_NAMESPACE for ns, _ in seen})
            unprinted = " (pods printed without a namespace are read as default)" if any(
                ns is None for ns, _ in seen) else ""
            return PodlifeError(f"{what} in the input; its namespaces: {', '.join(spaces[:10])}{unprinted}")
        names = ", ".join(f"{ns}/{n}" if ns else n for ns, n in seen[:10])
        more = f" and {len(seen) - 10} more" if len(seen) > 10 else ""
        return PodlifeError(f"{what} in the input; pods seen: {names}{more}")
