"""Saved kubectl text (and API objects) to observations.

Format is detected per block, never by file name: a file may hold a manifest, a `get -w`, a
describe and events one after another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from kubectl_podlife.errors import NothingReadError
from kubectl_podlife.ingest import objectfiles
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.ingest.context import ParseContext
from kubectl_podlife.ingest.source import MAX_LINE, clean_lines, read_source
from kubectl_podlife.observation import MARK, Observation, Warning_


_API_OBJECT_YAML = re.compile(r"\A\s*(?:---\s*\n)?(?:apiVersion|kind):")


@dataclass
class IngestResult:
    observations: list[Observation] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def pods(self) -> list[str]:
        """Each pod's display name once, in order of first appearance."""
        return list(dict.fromkeys(o.pod.display for o in self.observations))


def read_text(text: str, source: str, cancelled: Callable[[], bool] | None = None) -> IngestResult:
    """Observations from one source's text, not yet anchored (see `read_paths`; `cancelled` as there)."""
    # Imported here, not at the top, for start-up cost: the text parsers and PyYAML (~100 ms) are
    # not for a caller that only needs `ingest.objects` (the live capture).
    from kubectl_podlife.ingest import transcript

    stripped = text.lstrip()
    early: list[Warning_] = []  # why the file did not read as API objects, if it reads as nothing else
    if stripped.startswith(("{", "[")):
        obs, warns = objectfiles.decode_json_stream(text, source)
        if obs:
            return IngestResult(obs, [Warning_(f"{source}:{ln}", msg) for ln, msg in warns], [source])
        early = [Warning_(f"{source}:{ln}", msg) for ln, msg in warns]
    if _API_OBJECT_YAML.search(text) and re.search(r"^status:", text, re.M):
        # `kubectl get pod -o yaml` saved on its own: an API object with status, not a manifest.
        obs, warns = objectfiles.decode_yaml_objects(text, source)
        if any(o.kind != "spec" for o in obs):
            return IngestResult(obs, [Warning_(f"{source}:{ln}", msg) for ln, msg in warns], [source])
        early = early or [Warning_(f"{source}:{ln}", msg) for ln, msg in warns]
    ctx = ParseContext(source=source, cancelled=cancelled)
    ctx.checkpoint()
    lines = clean_lines(text)
    for i, line in enumerate(lines):
        if len(line) > MAX_LINE:  # a 50 MB line of cells would take minutes and gigabytes to split
            ctx.warn(i, f"line of {len(line)} characters skipped (longer than {MAX_LINE}; not kubectl output)")
            lines[i] = ""
    obs = transcript.scan(lines, ctx)
    return IngestResult(obs, early + ctx.warnings, [source])


def read_paths(paths: Sequence[str], cancelled: Callable[[], bool] | None = None) -> IngestResult:
    """Read every path (`-` for stdin), merge pods across them and put all times on pod clocks.

    Raises NothingReadError when no source held usable kubectl output. `cancelled` (e.g. a TUI worker's
    cancellation) is asked between files and every few thousand lines while they are parsed; once it says
    True, LoadCancelled is raised at that checkpoint and nothing is returned.
    """
    total = IngestResult()
    empty: list[str] = []
    for path in paths:
        name, text = read_source(path)
        part = read_text(text, name, cancelled)
        if not any(o.kind != MARK or o.data.get("job") for o in part.observations):  # a Job's status counts
            empty.append(f"{name}: no kubectl output found (expected get pods, describe pod, get events, a pod "
                         f"manifest or -o json/yaml)" + (f"; first problem: {part.warnings[0]}" if part.warnings else ""))
            total.warnings.append(Warning_(name, "no kubectl output found; file skipped"))
            continue
        total.observations.extend(part.observations)
        total.warnings.extend(part.warnings)
        total.sources.append(name)
    if not total.observations:
        raise NothingReadError(empty[0] if len(empty) == 1 else f"{empty[0]} (and {len(empty) - 1} more files)")
    total.observations = anchor(total.observations, cancelled)
    return total
