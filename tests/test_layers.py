"""The layers import one way (design.md: ingest -> store -> model -> views/commands): the lower layers
never import the ones above them, not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kubectl_podlife"

ABOVE = ("render", "pipeline", "store", "capture", "tui", "commands", "cli")


def _imports(path: Path, package_dir: Path = PACKAGE) -> list[tuple[int, str]]:
    """Every module an import statement in `path` names, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = path.relative_to(package_dir.parent).with_suffix("").parts
    package = here if path.name == "__init__.py" else here[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(list(package[: len(package) - node.level + 1]) + ([base] if base else []))
            out.append((node.lineno, base))
            out.extend((node.lineno, f"{base}.{a.name}") for a in node.names)
    return out


@pytest.mark.parametrize("layer", ["ingest", "model"])
def test_lower_layers_do_not_import_the_layers_above(layer):
    forbidden = tuple(f"kubectl_podlife.{name}" for name in ABOVE)
    bad = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, module in _imports(path):
            if module in forbidden or module.startswith(tuple(f + "." for f in forbidden)):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}")
    assert not bad, "\n".join(bad)


def test_the_check_sees_a_function_local_upward_import(tmp_path):
    """The check is not vacuous: a model module importing the store inside a function is caught."""
    fake = tmp_path / "kubectl_podlife"
    (fake / "model").mkdir(parents=True)
    (fake / "model" / "bad.py").write_text("def f():\n    from kubectl_podlife.store import Store\n"
                                           "    from .. import render\n")
    names = [m for _, m in _imports(fake / "model" / "bad.py", fake)]
    assert "kubectl_podlife.store" in names and "kubectl_podlife.render" in names
