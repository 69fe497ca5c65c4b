"""Fixtures for live capture tests: a fake API server on loopback and real kubeconfig files for it."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from fake_apiserver import FakeKube, simple_kubeconfig  # noqa: E402


@pytest.fixture
def kube():
    k = FakeKube().start()
    yield k
    k.stop()


@pytest.fixture
def kubeconfig(tmp_path, kube):
    return simple_kubeconfig(tmp_path / "config", kube.url)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test may read the real ~/.kube/config or write the user's store."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("PODLIFE_DB", str(tmp_path / "podlife.db"))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
