"""Shared test helpers: where ../shared is, and running the CLI the way a user does.

A module of its own (not conftest.py) so `from podlife_testkit import ...` cannot pick up another
directory's conftest when the whole suite runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PODLIFE_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"


def shared_file(folder: Path, prefix: str) -> Path:
    """A seed or corpus file by its number prefix; skips the test when ../shared is absent."""
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here (tests read the shared seeds and corpus from ../shared)")
    matches = sorted(folder.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"no file {prefix}* in {folder}")
    return matches[0]


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("[0-9]*.txt")) if CORPUS.is_dir() else []


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def run_cli(*args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "kubectl_podlife", *args], input=stdin, capture_output=True,
                          cwd=REPO, env=full_env, timeout=120)


def explain_json(*files: Path | str) -> dict:
    from kubectl_podlife import pipeline

    timeline, _ = pipeline.timeline_for_files([str(f) for f in files])
    # Through JSON, exactly as `explain -o json` prints it.
    return json.loads(json.dumps(timeline.to_json()))


def pod(doc: dict, name: str, incarnation: int = 1) -> dict:
    for p in doc["pods"]:
        if (p["name"] == name or (p["name"].startswith("(unnamed)") and name in p["name"])) and p.get("incarnation", 1) == incarnation:
            return p
    raise AssertionError(f"no pod {name!r} in {[p['name'] for p in doc['pods']]}")


def pods_list_yaml(count: int) -> str:
    """A `kubectl get pods -o yaml` List of `count` realistic pods (about 1 kB each, managedFields and all)."""
    pod = """- apiVersion: v1
  kind: Pod
  metadata:
    name: web-{i:05d}
    namespace: default
    labels:
      app: web
    managedFields:
    - apiVersion: v1
      fieldsType: FieldsV1
      fieldsV1:
        f:spec:
          f:containers:
            k:{{"name":"web"}}:
              .: {{}}
              f:image: {{}}
      manager: kubectl-client-side-apply
      operation: Update
  spec:
    containers:
    - image: nginx:1.25
      name: web
      livenessProbe:
        httpGet:
          path: /healthz
          port: 8080
        periodSeconds: 10
      volumeMounts:
      - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
        name: kube-api-access
        readOnly: true
    restartPolicy: Always
    tolerations:
    - effect: NoExecute
      key: node.kubernetes.io/not-ready
      operator: Exists
      tolerationSeconds: 300
  status:
    phase: Running
    containerStatuses:
    - name: web
      restartCount: 3
      lastState:
        terminated:
          exitCode: 137
          reason: Error
"""
    items = "".join(pod.format(i=i) for i in range(count))
    return "apiVersion: v1\nitems:\n" + items + "kind: List\n"
