"""Small facts about YAML text that the manifest region finder, the intact-YAML loader and the
re-nesting of damaged YAML all use: the fast loader, nesting no manifest has, how a key line and a
document separator look, what a shell command glued to a value looks like.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kubectl_podlife.ingest.podschema import OPENERS
from kubectl_podlife.lazyre import lazy_compile

# libyaml is ~10x faster than the pure-Python loader; a 1 MB `-o yaml` dump must load in well
# under a second.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

COMMAND_RE = lazy_compile(
    r"^\s*(?:sudo\s+)?(?:kubectl|kubeadm|k|oc|helm|vim?|nano|cat|cd|mkdir|ls|rm|cp|mv|docker|"
    r"crictl|curl|wget|watch|echo|ssh|scp|git|minikube|kind|systemctl|journalctl|export|source|"
    r"alias|sleep|touch|chmod|tee|grep|awk|sed|less|more|tail|head|python3?|bash|sh)(?:\s|$)"
)

DOCSEP_RE = re.compile(r"^---(?:\s.*)?$")
# A key is any plain scalar without blanks (managedFields has `f:labels:` and `k:{"name":"x"}:`).
LINE_KEY_RE = lazy_compile(
    r"^(?:-\s+)*(\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_.][^\s]*?)\s*:(?:\s|$)", re.A
)
LINE_GLUED_RE = lazy_compile(r"^(?:-\s+)*([A-Za-z][A-Za-z0-9]*):(?=\S)", re.A)

# Text that cannot be part of a value: a shell command glued to it (`2kubectl create -f x`,
# `exec.yamlkubectl get`) or a shell prompt.
GLUED_CMD = (
    r"(?:(?<=[A-Za-z0-9_.\])'\"])(?:kubectl|kubeadm|minikube|crictl)"
    r"|(?:(?<=[0-9\])'\"])|(?<=\.yaml)|(?<=\.yml)|(?<=\.json)|(?<=\.sh))"
    r"(?:vim?|cat|cd|mkdir|docker|curl|helm|watch|sudo|systemctl|echo|ls|rm))\s+\S"
)
PROMPT_CUT = r"\s(?:\[[^\]\s]*@[^\]]*\]|[\w.-]+@[\w.-]+:\S*)\s?[#$]"
GLUED_CMD_RE = re.compile(f"{GLUED_CMD}|{PROMPT_CUT}")


def indent(s: str) -> int:
    return len(s) - len(s.lstrip(" "))


def yamlish(s: str) -> bool:
    """A stripped line that starts like YAML: a key or a list item."""
    if s == "-" or s.startswith("- "):
        return True
    if LINE_KEY_RE.match(s):
        return True
    g = LINE_GLUED_RE.match(s)
    return bool(g and g.group(1) in OPENERS)


def flow_delta(s: str) -> int:
    """Net count of open flow brackets on a line, ignoring quoted text."""
    if "[" not in s and "{" not in s and "]" not in s and "}" not in s:
        return 0
    depth, quote = 0, None
    for ch in s:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "#" and depth == 0:
            break
    return depth

_BRACKET_RE = lazy_compile(r"[\[\]{}]")


def too_deep(text: str) -> bool:
    """Nesting no manifest has. libyaml's composer recurses in C and would crash the process on
    `[[[[...`, and the pure-Python loader is quadratic in depth, so such text is not loaded."""
    if text.count("[") + text.count("{") > 64:
        depth = top = 0
        for m in _BRACKET_RE.finditer(text):
            depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
            top = max(top, depth)
        if top > 64:
            return True
    return max((len(x) - len(x.lstrip(" -?:")) for x in text.splitlines()), default=0) > 200


def short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def scalar_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)
