"""Pieces of a pod's API object pasted on their own (issue 10 §12): the `status:` block of `-o yaml` without
apiVersion/kind/metadata, a `lastState:` / `state:` block, a `containerStatuses:` list, or the same as JSON
members (`"lastState": {...},`). Each is cut out here by its indentation or its brackets; objects.status_fragment
decides whether it is a pod's status and reads it like the rest of the object.
"""

from __future__ import annotations

import re

_YAML_KEY = re.compile(r"^(\s*)(status|lastState|state|containerStatuses|initContainerStatuses):\s*$")
_JSON_MEMBER = re.compile(r'^\s*"(status|lastState|state|containerStatuses|initContainerStatuses)"\s*:\s*[{\[]')
MAX_LINES = 2000  # a status block longer than this is not a pasted fragment


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def block(lines: list[str], i: int) -> tuple[int, str, str] | None:
    """(end, "yaml" | "json", text) of a fragment starting at line i, or None. `text` is a document a YAML or
    JSON parser reads: the block dedented, or the JSON member wrapped in braces."""
    m = _YAML_KEY.match(lines[i])
    if m:
        ind = len(m.group(1))
        lists = m.group(2).endswith("Statuses")  # kubectl prints a list's `- ` at its key's indentation
        j = i + 1
        while j < len(lines) and j - i < MAX_LINES:
            line = lines[j]
            if line.strip() and not (_indent(line) > ind or (lists and _indent(line) == ind
                                                               and line.lstrip().startswith("- "))):
                break
            j += 1
        while j > i + 1 and not lines[j - 1].strip():
            j -= 1
        if j == i + 1:
            return None
        body = [line[ind:] if line[:ind].strip() == "" else line.lstrip() for line in lines[i:j]]
        return j, "yaml", "\n".join(body)
    m = _JSON_MEMBER.match(lines[i])
    if m:
        depth, in_str, esc = 0, False, False
        for j in range(i, min(len(lines), i + MAX_LINES)):
            for ch in lines[j]:
                if in_str:
                    esc, in_str = (False, in_str) if esc else (ch == "\\", ch != '"')
                elif ch == '"':
                    in_str = True
                elif ch in "{[":
                    depth += 1
                elif ch in "}]":
                    depth -= 1
            if depth <= 0 and j >= i:
                text = "\n".join(lines[i:j + 1]).strip().rstrip(",")
                return j + 1, "json", "{" + text + "}"
        return None
    return None
