"""The capture package's shape (issue 14): only it imports `kubernetes`, importing it costs nothing, and
its modules talk to each other through public names only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "kubectl_podlife"
CAPTURE = PACKAGE / "capture"


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".venv" not in p.parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import in the file, at any depth (function-level imports too)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names], node.lineno))
    return out


def test_capture_is_a_package_of_small_modules():
    assert CAPTURE.is_dir() and not (PACKAGE / "capture.py").exists()
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in _modules(CAPTURE)}
    assert {"kubeconfig.py", "reflector.py", "recorder.py", "printer.py", "command.py"} <= set(sizes)
    assert max(sizes.values()) <= 600, sizes


def test_only_the_capture_package_imports_kubernetes():
    bad = [f"{p.relative_to(REPO)}:{line}" for p in _modules(PACKAGE) if CAPTURE not in p.parents
           for mod, _names, line in _imports(p) if mod.split(".")[0] in ("kubernetes", "urllib3")]
    assert bad == []


def test_capture_modules_import_no_private_name_and_touch_no_private_attribute_of_another_object():
    bad = []
    for p in _modules(CAPTURE) + [PACKAGE / "arguments.py"]:
        for mod, names, line in _imports(p):
            if mod.startswith("kubectl_podlife"):
                bad += [f"{p.name}:{line}: {mod}.{n}" for n in names if n.startswith("_") and not n.startswith("__")]
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                bad.append(f"{p.name}:{node.lineno}: .{node.attr}")
    assert bad == []


def test_importing_each_capture_module_loads_neither_kubernetes_nor_textual():
    names = ["kubectl_podlife.capture"] + [f"kubectl_podlife.capture.{p.stem}" for p in _modules(CAPTURE)
                                          if p.stem not in ("__init__", "__main__")]
    code = (f"import importlib, sys\nfor n in {names!r}:\n    importlib.import_module(n)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'kubernetes', 'textual', 'urllib3'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
