"""Find Pod manifests in terminal transcripts and blog posts and read them, damaged or not.

Where a manifest starts and where its YAML region ends is found here; intact YAML goes through
PyYAML and the spec cleaner (`specclean`), YAML that lost its indentation or its newlines is
rebuilt along the Pod schema (`podschema`) by `renest`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kubectl_podlife.ingest.yamlbounds import expanded_size_problem
from kubectl_podlife.ingest.podschema import (FRAGMENT_KEYS, KNOWN_KEYS, MAP_OPENERS, OPENERS, PROBES,
                                              TEMPLATE_PATH, TOP_KEYS)
from kubectl_podlife.ingest.renest import rebuild
from kubectl_podlife.ingest.specclean import misplaced, normalize
from kubectl_podlife.ingest.yamltext import (COMMAND_RE, DOCSEP_RE, LINE_GLUED_RE, LINE_KEY_RE, LOADER,
                                             flow_delta, indent, scalar_str, too_deep, yamlish)
from kubectl_podlife.lazyre import lazy_compile


@dataclass(frozen=True)
class ManifestDoc:
    """One manifest found in the text, reduced to what the lifecycle model needs."""

    kind: str | None  # "Pod", "Deployment", ...; None for a bare fragment
    name: str | None  # metadata.name (for controllers: the controller's name)
    namespace: str | None
    labels: dict  # metadata.labels (template labels for controllers)
    spec: dict  # PodSpec-shaped, Kubernetes camelCase keys (a controller's template spec)
    recovered: bool  # True when the structure was rebuilt from the schema
    fragment: bool  # True for a bare probe block with no Pod around it
    line: int  # 0-based index of the line where the doc starts
    end_line: int  # 0-based index of the last line that belonged to it
    raw: str  # the source text of the doc


@dataclass(frozen=True)
class ManifestScan:
    """What `scan_manifest` found from one start line: the docs and where the YAML region ends."""

    docs: list[ManifestDoc]
    end: int  # index of the first line AFTER the manifest region
    warnings: list[tuple[int, str]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Where a manifest starts and where the YAML region ends.

_API_RE = re.compile(r"apiVersion\s*:")
_KIND_RE = lazy_compile(
    r"\bkind:\s*[\"']?(?:Pod|Deployment|ReplicaSet|StatefulSet|DaemonSet|Job|CronJob|"
    r"ReplicationController)[\"']?\s*(?:$|#|\s)"
)
_PROBE_RE = re.compile(r"^(\s*)(?:-\s+)?(livenessProbe|readinessProbe|startupProbe):\s*(?:#.*)?$")
# `cat > f.yml <<'EOF'`, `cat >f.yml<<EOF`, `cat <<EOF | kubectl apply -f -`,
# `kubectl apply -f - <<EOF`
_HEREDOC_RE = re.compile(
    r"(?:^|[\s#$;&|(])(?:cat|tee|kubectl|oc)\b[^<\n]*<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1"
    r"(?=\s|$|[|>;&)])"
)
_PROMPT_RE = lazy_compile(
    r"""^\s*(?:
        \[[^\]\n]*\]\s?[#$%]                          # [root@node1 test]#
      | \]\s?[#$]                                     # ]#  (left part of the prompt lost)
      | [\w.-]+@[\w.-]+(?::\S*)?\s?[#$%]              # root@web-0:/#   me@box:~$
      | (?:[\w.~:/@-]+\s?)?[$%\u276f\u279c]\s+\S     # $ kubectl   master $ kubectl
      | PS\s[^>\n]*>                                  # PowerShell
      | \#\s*(?:kubectl|cluster/|\./|sudo|oc|helm|k|docker|crictl|minikube)\b  # "# kubectl ..."
    )""",
    re.X,
)
_TABLE_HEADER_RE = lazy_compile(r"^\s*[A-Z][A-Z0-9()_/-]*(?:\s+[A-Z][A-Z0-9()_/-]*){2,}\s*$")
_TERMINATOR_RE = lazy_compile(r"^\s*(?:>\s*)?[A-Z][A-Z_]{1,}\s*$")  # EOF, END, ...
_SEPARATOR_RE = lazy_compile(r"^\s*(?:-{4,}|={3,}|\*{3,}|_{3,}|\.\.\.|`{3}.*|~{3}.*)\s*$")
_BLOCK_SCALAR_RE = lazy_compile(r"(?::|^-|\s-)\s*[|>][-+0-9]*\s*(?:#.*)?$")  # `key: |`, `- >-`
# A block scalar that lost its indentation runs over shell lines (its script may `sleep`); a
# blank line, a prompt, a table or a `kubectl` line ends it.
_BLOCK_END_RE = lazy_compile(r"^\s*kubectl\s")


def looks_like_manifest_start(line: str) -> bool:
    """True when a manifest (or a bare probe block, or a heredoc that may hold one) starts here."""
    try:
        if "apiVersion" in line and _API_RE.search(line):
            return True
        if "kind:" in line and _KIND_RE.search(line):
            return True
        if "Probe:" in line and _PROBE_RE.match(line):
            return True
        return "<<" in line and _heredoc(line) is not None
    except Exception:  # a predicate on arbitrary text must never take the caller down
        return False


def _heredoc(line: str) -> re.Match | None:
    # Openers are short; looking only at the head keeps a huge line with `<<` in it linear.
    return _HEREDOC_RE.search(line[:500]) if "<<" in line else None


@dataclass
class _Region:
    items: list[tuple[int, str]]  # (line index, text with the region's indentation removed)
    end: int
    fragment: bool


def _start_position(line: str) -> tuple[int, int, bool] | None:
    """(column where the YAML begins, base indentation, fragment?) for a start line."""
    cands = [m.start() for m in (_API_RE.search(line), _KIND_RE.search(line)) if m]
    if cands:
        pos = min(cands)
        if pos and line[pos - 1] == "\\":  # `\"apiVersion\":` inside some JSON string
            return None
        prefix = line[:pos]
        # A prompt or command glued in front (`vim pod3.yamlapiVersion: v1`) says nothing about
        # indentation; a `- ` or spaces in front do.
        base = pos if prefix.strip() in ("", "-") else 0
        return pos, base, False
    m = _PROBE_RE.match(line)
    if m:
        return len(m.group(1)), len(m.group(1)), True
    if _is_yaml_line(line.strip(), 0, False, False, 0):
        return indent(line), indent(line), False
    return None


def _is_end_line(text: str) -> bool:
    return bool(
        _PROMPT_RE.match(text)
        or COMMAND_RE.match(text)
        or _TABLE_HEADER_RE.match(text)
        or _TERMINATOR_RE.match(text)
        or _SEPARATOR_RE.match(text)
    )


def _is_yaml_line(
    s: str, rel: int, indent_seen: bool, fragment: bool, prev_rel: int,
    m: re.Match | None = None,
) -> bool:
    """Does a (stripped) line read as YAML at this point of the region? (`m`: its key match.)"""
    if s == "-" or s.startswith("- "):
        return True
    m = m or LINE_KEY_RE.match(s)
    if m:
        key = m.group(1)
    else:
        g = LINE_GLUED_RE.match(s)
        if not (g and g.group(1) in OPENERS):
            # In indented YAML a deeper line that is no key continues a wrapped scalar.
            return indent_seen and rel > prev_rel
        key = g.group(1)
    if key in ("error", "warning") and rel == 0:
        return False  # kubectl's own `error: ...` / `warning: ...` after an apply
    if indent_seen:
        # Back at the left margin of indented YAML, only a top-level key can follow.
        return rel > 0 or key in (FRAGMENT_KEYS if fragment else TOP_KEYS)
    # `Name:   x`, `Events:`: kubectl describe, not YAML (ALL_CAPS keys are ConfigMap data).
    return not (key[:1].isupper() and key[1:2].islower() and key not in KNOWN_KEYS)


def _next_is_doc(lines: list[str], j: int, base: int) -> bool:
    """After a `---`: does another manifest follow (skipping blanks and comments)?"""
    for k in range(j, min(len(lines), j + 20)):
        s = lines[k][base:].strip() if indent(lines[k]) >= base else lines[k].strip()
        if not s or s.startswith("#"):
            continue
        return s.startswith(("apiVersion:", "kind:"))
    return False


_HEREDOC_MAX = 20000  # lines; a longer body is read as plain text, which works for YAML too


def _heredoc_region(lines: list[str], start: int, tag: str) -> _Region | None:
    for j in range(start + 1, min(len(lines), start + 1 + _HEREDOC_MAX)):
        s = lines[j].strip()
        if s == tag or s == "> " + tag:
            body = lines[start + 1 : j]
            # An interactive heredoc shows the shell's continuation prompt on every line.
            if body and all(not b.strip() or b.startswith(">") for b in body):
                body = [b[2:] if b.startswith("> ") else b[1:] for b in body]
            items = list(zip(range(start + 1, j), body))
            first = next((t for _, t in items if t.strip()), "")
            return _Region(items, j + 1, bool(_PROBE_RE.match(first)))
    return None


def _region(lines: list[str], start: int) -> _Region | None:
    line = lines[start]
    if "<<" in line:
        h = _heredoc(line)
        if h and not _API_RE.search(line):
            found = _heredoc_region(lines, start, h.group(2))
            if found is not None:
                return found
            # No terminator (the paste was cut): read on from the next line as plain text.
            start += 1
            if start >= len(lines):
                return None
            line = lines[start]
    sp = _start_position(line)
    if sp is None:
        return None
    pos, base, fragment = sp
    items = [(start, line[pos:])]
    s0 = line[pos:].strip()
    pending: list[tuple[int, str]] = []
    indent_seen = False
    prev_rel = 0
    block: int | None = indent(line) - base if _BLOCK_SCALAR_RE.search(s0) else None
    flat_block = False  # a block scalar whose text lost its indentation too
    depth = max(0, flow_delta(s0))
    j = start + 1
    n = len(lines)
    while j < n:
        raw = lines[j]
        body = raw.lstrip(" ")
        s = body.strip()
        if not s:
            if fragment:
                break  # a blank line ends a pasted probe block (two blocks are two fragments)
            pending.append((j, ""))
            flat_block = False
            j += 1
            continue
        ind = len(raw) - len(body)
        if ind < base:
            break
        text = raw[base:] if base else raw
        rel = ind - base
        if block is not None and rel > block:
            items += pending + [(j, text)]
            pending = []
            j += 1
            continue
        block = None
        if flat_block:
            if not yamlish(s):
                if _BLOCK_END_RE.match(text) or (
                    _is_end_line(text) and not COMMAND_RE.match(text)
                ):
                    break
                items += pending + [(j, text)]
                pending = []
                j += 1
                continue
            flat_block = False
        if depth > 0 and j - items[-1][0] < 50:
            items += pending + [(j, text)]
            pending = []
            depth = max(0, depth + flow_delta(text))
            j += 1
            continue
        depth = 0
        key_m = LINE_KEY_RE.match(s)
        # A `key: ...` line cannot be a prompt, a command or a table header; checking only the
        # other lines keeps a 1 MB `-o yaml` dump fast.
        if key_m is None and _is_end_line(text):
            break
        if "apiVersion" in s and _API_RE.search(s) and not re.match(r"(?:-\s+)?apiVersion\s*:", s):
            break  # another manifest glued into this line: the caller restarts there
        if s[0] == "#":
            pending.append((j, text))
            j += 1
            continue
        if s.startswith("---") and DOCSEP_RE.match(s):
            if not _next_is_doc(lines, j + 1, base):
                break
            items.extend(pending)
            items.append((j, text))
            pending = []
            j += 1
            continue
        if not _is_yaml_line(s, rel, indent_seen, fragment, prev_rel, key_m):
            break
        if pending:
            items.extend(pending)
            pending = []
        items.append((j, text))
        if rel > 0:
            indent_seen = True
        prev_rel = rel
        if ("|" in s or ">" in s) and _BLOCK_SCALAR_RE.search(s):
            block = rel
            flat_block = not indent_seen
        depth = max(0, flow_delta(s))
        j += 1
    return _Region(items, items[-1][0] + 1, fragment)


# --------------------------------------------------------------------------------------------
# Intact YAML.


def _chunks(items: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Split a region into YAML documents at `---` lines (and at a second top-level apiVersion
    in indented YAML, where a missing `---` would otherwise silently merge two manifests)."""
    chunks: list[list[tuple[int, str]]] = [[]]
    indented = any(t[:1] == " " and t.strip() for _, t in items)
    seen_api = False
    for idx, text in items:
        if DOCSEP_RE.match(text) or text.rstrip() == "...":
            chunks.append([])
            seen_api = False
            continue
        if indented and text.startswith("apiVersion:"):
            if seen_api:
                chunks.append([])
            seen_api = True
        chunks[-1].append((idx, text))
    return [c for c in chunks if any(t.strip() for _, t in c)]


# Blocks no ManifestDoc uses; in a `kubectl get -o yaml` dump they are most of the text, and
# skipping them before PyYAML builds them roughly halves the load time.
_SKIP_BLOCK_RE = re.compile(r"^ *(?:status|managedFields):\s*$")


def _drop_unused(chunk: list[tuple[int, str]]) -> str:
    out: list[str] = []
    skip_at = -1
    for _, text in chunk:
        if skip_at >= 0:
            ind = indent(text)
            if not text.strip() or ind > skip_at or (ind == skip_at and text[ind:ind + 1] == "-"):
                continue
            skip_at = -1
        if _SKIP_BLOCK_RE.match(text):
            skip_at = indent(text)
            continue
        out.append(text)
    return "\n".join(out)


def _load_yaml(text: str) -> list[Any] | None:
    if too_deep(text):
        return None
    try:
        docs = [d for d in yaml.load_all(text, Loader=LOADER) if d is not None]
    except Exception:  # any YAML error (or recursion on absurd nesting) means: rebuild instead
        return None
    if any(expanded_size_problem(d) for d in docs):  # an alias bomb: never flattened
        return None
    return docs


_OPENER_LINE_RE = re.compile(r"^( *)(?:- +)?([A-Za-z][A-Za-z0-9]*):\s*(?:#.*)?$")


def _visibly_flat(chunk: list[tuple[int, str]]) -> bool:
    """`metadata:` (or `spec:`, `livenessProbe:`, ...) followed by a sibling at the same column:
    indentation was lost, so loading it as YAML would only give a wrong, flat result."""
    prev: re.Match | None = None
    for _, text in chunk:
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        if prev is not None and indent(text) == len(prev.group(1)) and not s.startswith("-"):
            return True
        m = _OPENER_LINE_RE.match(text)
        prev = m if m and m.group(2) in MAP_OPENERS and "- " not in text[: m.start(2)] else None
    return False


# --------------------------------------------------------------------------------------------
# From parsed dicts to ManifestDocs.


def _str_or_none(v: Any) -> str | None:
    return None if v is None or isinstance(v, (dict, list)) else scalar_str(v)


def _make_doc(
    d: Any, fragment: bool, recovered: bool, line: int, end_line: int, raw: str
) -> list[ManifestDoc]:
    if not isinstance(d, dict):
        return []
    if fragment:
        if not any(isinstance(d.get(p), dict) and d[p] for p in PROBES):
            return []
        container = {"name": _str_or_none(d.get("name"))}
        container.update((k, v) for k, v in d.items() if k != "name")
        return [ManifestDoc(None, None, None, {}, {"containers": [container]}, recovered, True,
                            line, end_line, raw)]
    kind = d.get("kind") if isinstance(d.get("kind"), str) else None
    if kind == "List" and isinstance(d.get("items"), list):
        return [doc for item in d["items"]
                for doc in _make_doc(item, False, recovered, line, end_line, raw)]
    meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
    spec_in = d.get("spec") if isinstance(d.get("spec"), dict) else {}
    if kind is None and not (meta and "containers" in spec_in):
        return []  # a kind-less mapping is only a manifest if it clearly is a pod
    if kind is not None and not (meta or spec_in):
        return []  # e.g. an ownerReference (`- apiVersion: apps/v1 kind: ReplicaSet name: x`)
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    if kind in TEMPLATE_PATH:
        node: Any = spec_in
        for step in TEMPLATE_PATH[kind]:
            node = node.get(step) if isinstance(node, dict) else None
        template = node if isinstance(node, dict) else {}
        spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
        tmeta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
        labels = tmeta.get("labels") if isinstance(tmeta.get("labels"), dict) else {}
    elif kind in (None, "Pod"):
        spec = spec_in
    else:
        spec = {}  # Services, ConfigMaps, ...: not pods
    return [ManifestDoc(kind, _str_or_none(meta.get("name")), _str_or_none(meta.get("namespace")),
                        labels, spec, recovered, False, line, end_line, raw)]


def _raw(items: list[tuple[int, str]], lo: int, hi: int) -> str:
    """The region text of lines lo..hi (items are in line order)."""
    a = bisect.bisect_left(items, (lo, ""))
    b = bisect.bisect_left(items, (hi + 1, ""))
    return "\n".join(t for _, t in items[a:b]).strip("\n")


def _parse_region(region: _Region) -> tuple[list[ManifestDoc], int, list[tuple[int, str]]]:
    docs: list[ManifestDoc] = []
    warns: list[tuple[int, str]] = []
    end = region.end
    root = "Fragment" if region.fragment else "Object"
    for chunk in _chunks(region.items):
        lines_used = [i for i, t in chunk if t.strip() and not t.strip().startswith("#")]
        if not lines_used:
            continue
        lo, hi = lines_used[0], lines_used[-1]
        loaded = None if _visibly_flat(chunk) else _load_yaml(_drop_unused(chunk))
        if loaded is not None and all(isinstance(x, dict) for x in loaded) and not any(
            misplaced(x, root, x) for x in loaded
        ):
            for x in loaded:
                normalize(x, root, x, lo, warns)
                docs += _make_doc(x, region.fragment, False, lo, hi, _raw(chunk, lo, hi))
            continue
        rebuilt, cut = rebuild(chunk, root, warns)
        for d, first, last in rebuilt:
            docs += _make_doc(d, region.fragment, True, first, last, _raw(chunk, first, last))
        if cut is not None:
            end = cut + 1
            break  # a shell command glued to a value: the YAML ended on that line
    return docs, end, warns


# --------------------------------------------------------------------------------------------
# Public entry points.


def scan_manifest(lines: list[str], start: int) -> ManifestScan | None:
    """Read the manifest region that starts at lines[start].

    Returns None when nothing usable is there. A heredoc that holds something else (a script)
    gives a scan with no docs whose `end` is past its terminator, so the caller skips the file.
    """
    try:
        if not (0 <= start < len(lines)):
            return None
        region = _region(lines, start)
        if region is None:
            return None
        docs, end, warns = _parse_region(region)
        end = max(end, start + 1)  # always move the caller forward
        heredoc = _heredoc(lines[start]) is not None
        if not docs and not heredoc:
            return None
        if not docs:
            return ManifestScan([], max(region.end, start + 1), [])
        return ManifestScan(docs, end, warns)
    except Exception:  # a malformed paste must never take the transcript reader down
        return None


def parse_manifest_text(text: str) -> ManifestScan:
    """Read a whole file that is YAML (one or more manifests, or a bare probe block)."""
    lines = text.splitlines()
    try:
        first = next((t for t in lines if t.strip() and not t.strip().startswith("#")), "")
        region = _Region(list(enumerate(lines)), len(lines), bool(_PROBE_RE.match(first)))
        docs, _, warns = _parse_region(region)
        return ManifestScan(docs, len(lines), warns)
    except Exception:  # same promise as scan_manifest: bad text gives no docs, not a traceback
        return ManifestScan([], len(lines), [])
