"""Fixtures shared by the top-level tests (helpers live in podlife_testkit.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    path = tmp_path / "podlife.db"
    monkeypatch.setenv("PODLIFE_DB", str(path))
    return path
