"""The manifest spec cleaner: checks YAML that loaded against the Pod schema (keys at levels where
they cannot be are the mark of lost indentation) and gives it the shapes rebuilt YAML has (int
fields as int, string lists as strings, shell text glued after a value dropped with a warning).
"""

from __future__ import annotations

import re
from typing import Any

from kubectl_podlife.ingest.podschema import INT, KNOWN_KEYS, SCHEMA, STR, STRS, TOLERATED, field_type
from kubectl_podlife.ingest.yamltext import GLUED_CMD_RE, scalar_str, short


def misplaced(obj: Any, type_name: str, root: dict) -> bool:
    """True when YAML loaded but keys sit at levels where the schema says they cannot be: the
    mark of lost indentation (`name` next to `kind`, `exec` next to `livenessProbe: null`)."""
    if not isinstance(obj, dict):
        return False
    fields = SCHEMA.get(type_name)
    if fields is None:
        return False
    tolerated = TOLERATED.get(type_name, ())
    for k, v in obj.items():
        if not isinstance(k, str) or ":" in k:
            return True
        f = field_type(type_name, k, root)
        if f is None:
            if k in KNOWN_KEYS and k not in tolerated:
                return True
            continue
        if f.startswith("map:") and misplaced(v, f[4:], root):
            return True
        if f.startswith("list:") and isinstance(v, list):
            if any(misplaced(x, f[5:], root) for x in v[:50]):
                return True
    return False


def read_int(key: str, v: str, line: int, warns: list[tuple[int, str]]) -> int | str:
    """An int field's text as int; leading digits with a warning for the rest, else the text."""
    m = re.match(r"[+-]?\d+", v)
    if m and m.end() == len(v):
        return int(v)
    if m:
        warns.append((line, f'{key}: read {m.group()} from "{short(v)}"; dropped '
                            f'"{short(v[m.end():].strip())}"'))
        return int(m.group())
    warns.append((line, f'{key}: cannot read "{short(v)}"; expected a whole number'))
    return v


def normalize(obj: Any, type_name: str, root: dict, line: int, warns: list) -> None:
    """Give intact YAML the same shapes as rebuilt YAML: int fields as int, string lists as str."""
    if not isinstance(obj, dict) or type_name not in SCHEMA:
        return
    for k, v in list(obj.items()):
        f = field_type(type_name, k, root) if isinstance(k, str) else None
        if f is None:
            continue
        if f == INT and isinstance(v, str):
            obj[k] = read_int(k, v.strip(), line, warns)
        elif f == STR and isinstance(v, str) and (m := GLUED_CMD_RE.search(v)):
            obj[k] = v[: m.start()].strip()
            warns.append((line, f'{k}: kept "{short(obj[k])}"; dropped the text glued after it: '
                                f'"{short(v[m.start():])}"'))
        elif f == STRS and isinstance(v, list):
            obj[k] = [scalar_str(x) if not isinstance(x, (dict, list)) else x for x in v]
        elif f.startswith("map:"):
            normalize(v, f[4:], root, line, warns)
        elif f.startswith("list:") and isinstance(v, list):
            for x in v:
                normalize(x, f[5:], root, line, warns)
