"""Regular expressions compiled at first use.

The parsers define a pattern for every form of output they know, and one file uses a few of them:
compiling them all at import was about a fifth of `explain` of a small file's start-up (issue 12).
"""

from __future__ import annotations

import re

# What the modules read from a pattern; each is copied onto the LazyPattern when it compiles.
_ATTRS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "pattern", "flags",
          "groups", "groupindex")


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`. The first attribute read compiles the pattern and keeps
    its bound methods on this object, so a later `.match(s)` costs what it costs on the pattern itself."""

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not a pattern attribute (copy, pickle, or _args before __init__)
            raise AttributeError(name)
        compiled = re.compile(*self._args)
        for attr in _ATTRS:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._args[0]!r}, {self._args[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """`re.compile`, deferred to the pattern's first use: for a pattern most inputs never reach."""
    return LazyPattern(pattern, flags)
