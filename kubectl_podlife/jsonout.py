"""Indented JSON, fast: exactly `json.dumps(obj, indent=N, ensure_ascii=False, allow_nan=False)`.

With an indent the standard library uses its pure-Python, generator-based encoder (the C one only
writes compact JSON): two thirds of `explain --session -o json` was spent there (issue 12). This one
builds the same text with one recursive function appending to a list, strings escaped by the
standard library's C `encode_basestring`. Anything the `explain -o json` documents do not hold (a
non-str key, another type) is handed to `json.dumps` itself, so the output is always the standard one.
Low level: no imports from the package.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_float_repr = float.__repr__
_int_repr = int.__repr__
_INF = float("inf")


class _Unusual(Exception):
    """Something only json.dumps itself knows how to write (or to refuse)."""


def dumps(obj: Any, indent: int = 2, level: int = 0) -> str:
    """json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False), with every line after the
    first indented `level` more steps (what `.replace("\\n", "\\n" + " " * (indent * level))` does)."""
    out: list[str] = []
    try:
        _encode(obj, out.append, indent, level)
    except _Unusual:
        text = json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False)
        return text.replace("\n", "\n" + " " * (indent * level)) if level else text
    return "".join(out)


def _encode(o: Any, put, indent: int, level: int) -> None:
    t = type(o)
    if t is str:
        put(encode_basestring(o))
    elif o is None:
        put("null")
    elif o is True:
        put("true")
    elif o is False:
        put("false")
    elif t is int:
        put(_int_repr(o))
    elif t is float:
        if o != o or o == _INF or o == -_INF:
            raise _Unusual  # json.dumps raises its ValueError
        put(_float_repr(o))
    elif t is dict:
        if not o:
            put("{}")
            return
        inner = "\n" + " " * (indent * (level + 1))
        first = True
        for k, v in o.items():
            if type(k) is not str:
                raise _Unusual
            put(("{" if first else ",") + inner + encode_basestring(k) + ": ")
            first = False
            _encode_value(v, put, indent, level + 1)
        put("\n" + " " * (indent * level) + "}")
    elif t is list or t is tuple:
        if not o:
            put("[]")
            return
        inner = "\n" + " " * (indent * (level + 1))
        first = True
        for v in o:
            put(("[" if first else ",") + inner)
            first = False
            _encode_value(v, put, indent, level + 1)
        put("\n" + " " * (indent * level) + "]")
    else:
        raise _Unusual


def _encode_value(v: Any, put, indent: int, level: int) -> None:
    """_encode with the common leaves written here, without a call each."""
    t = type(v)
    if t is str:
        put(encode_basestring(v))
    elif v is None:
        put("null")
    else:
        _encode(v, put, indent, level)
