"""A pattern compiled at first use reads text exactly as the compiled pattern does."""

from __future__ import annotations

import copy
import re

import pytest

from kubectl_podlife.lazyre import lazy_compile

PATTERN = r"^(?P<n>\d+) times? in the last (minute|hour)"


def test_lazy_pattern_matches_like_the_compiled_one():
    lazy, compiled = lazy_compile(PATTERN, re.I), re.compile(PATTERN, re.I)
    text = "3 TIMES in the last hour"
    assert lazy.match(text).groupdict() == compiled.match(text).groupdict() == {"n": "3"}
    assert lazy.search("x 1 time in the last minute") is None
    assert lazy.sub("#", text) == compiled.sub("#", text)
    assert [m.group(2) for m in lazy.finditer("2 times in the last minute")] == ["minute"]
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (
        compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)


def test_lazy_pattern_copies_and_reports_a_bad_pattern_at_first_use():
    assert copy.copy(lazy_compile(PATTERN)).fullmatch("1 time in the last hour")
    bad = lazy_compile(r"(unclosed")
    with pytest.raises(re.error):
        bad.match("x")
