"""Shared set-up for the TUI tests: the hand-built timelines, and an environment that a developer's
own keymap, export directory or NO_COLOR cannot leak into."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def _load_fixtures():
    # Loaded by path under a unique name: tests/ has no __init__.py, and other test folders may
    # have a `fixtures.py` of their own.
    name = "podlife_tui_fixtures"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _HERE / "fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fx = _load_fixtures()  # test modules then `import podlife_tui_fixtures as fx`


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests in a fresh event loop (no pytest-asyncio needed for Pilot tests)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(autouse=True)
def clean_env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PODLIFE_EXPORT_DIR", str(tmp_path / "export"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("PODLIFE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def fixtures():
    return fx
