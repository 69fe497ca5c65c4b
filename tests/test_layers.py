"""The layers import one way (design.md: ingest -> store -> model -> views/commands), read from the
source (ast), not from what one run happens to import.

The subprocess tests beside this one (tests/test_store_cli.py, tests/live/test_capture.py) check what
a real `explain` or `import kubectl_podlife.capture` loads; this one checks every import statement,
even inside a function, so a layer cannot reach up on a path no test runs: the lower layers never
import the ones above them, only tui/ imports textual, only capture imports kubernetes, and no
private name is imported from another module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kubectl_podlife"

# What each layer may not import (first component under kubectl_podlife).
FORBIDDEN = {
    "ingest": {"store", "model", "render", "pipeline", "capture", "tui", "commands", "cli"},
    "model": {"store", "render", "pipeline", "capture", "tui", "commands", "cli"},
}

def _module_name(path: Path, package_dir: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


class Source:
    """One module of the package and every import in it (at the top or inside functions)."""

    def __init__(self, path: Path, package_dir: Path = PACKAGE):
        self.path, self.package_dir = path, package_dir
        self.rel = path.relative_to(package_dir).as_posix()
        self.name = _module_name(path, package_dir)
        self.layer = self.rel.split("/")[0].removesuffix(".py")
        self.tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        # (line, imported module, imported name or None, local name)
        self.imports: list[tuple[int, str, str | None, str | None]] = []
        package = self.name if _is_package(path) else self.name.rpartition(".")[0]
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                self.imports += [(node.lineno, a.name, None, a.asname) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # `from .bindings import x` inside kubectl_podlife/tui/
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                self.imports += [(node.lineno, base, a.name, a.asname or a.name) for a in node.names]

    def imported_modules(self) -> list[tuple[int, str]]:
        """Every module this one imports; `from pkg import x` counts as importing pkg and pkg.x
        (x may be a submodule: `from kubectl_podlife import render`)."""
        out = []
        for line, module, name, _ in self.imports:
            out.append((line, module))
            if name:
                out.append((line, f"{module}.{name}"))
        return out

    def module_aliases(self) -> dict[str, str]:
        """Local names bound to a module of the package (`from kubectl_podlife.model import explain as ex`)."""
        aliases: dict[str, str] = {}
        for _, module, name, local in self.imports:
            if name is None and local and _module_exists(module, self.package_dir):
                aliases[local] = module
            elif name and local and _module_exists(f"{module}.{name}", self.package_dir):
                aliases[local] = f"{module}.{name}"
        return aliases


def _module_exists(dotted: str, package_dir: Path) -> bool:
    if not dotted.startswith("kubectl_podlife."):
        return False
    rel = Path(*dotted.split(".")[1:])
    return (package_dir / rel).with_suffix(".py").is_file() or (package_dir / rel / "__init__.py").is_file()


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "kubectl_podlife" and len(parts) > 1 else None


SOURCES = [Source(p) for p in sorted(PACKAGE.rglob("*.py"))]


def test_the_check_sees_a_function_local_upward_import(tmp_path):
    """The check is not vacuous: a model module importing the store inside a function is caught."""
    fake = tmp_path / "kubectl_podlife"
    (fake / "model").mkdir(parents=True)
    (fake / "model" / "bad.py").write_text("def f():\n    from kubectl_podlife.store import Store\n"
                                           "    from .. import render\n")
    names = [m for _, m in Source(fake / "model" / "bad.py", fake).imported_modules()]
    assert "kubectl_podlife.store" in names and "kubectl_podlife.render" in names


def test_the_scanner_sees_imports_at_the_top_and_inside_functions():
    """Guards the checks below against passing because they read nothing."""
    by_rel = {s.rel: s for s in SOURCES}
    assert any(m == "textual.app" for _, m in by_rel["tui/app.py"].imported_modules())
    # cli.py imports its commands inside functions (start-up cost); those count too.
    assert any(m == "kubectl_podlife.store" for _, m in by_rel["cli.py"].imported_modules())
    assert any(s.layer == "capture" and any(m.split(".")[0] == "kubernetes" for _, m in s.imported_modules())
               for s in SOURCES)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_the_layers_above(layer):
    bad = []
    for s in SOURCES:
        if s.layer != layer:
            continue
        for line, module in s.imported_modules():
            up = _layer_of(module)
            if up in FORBIDDEN[layer]:
                bad.append(f"kubectl_podlife/{s.rel}:{line} imports {module}")
    assert not bad, "\n".join(sorted(set(bad)))


@pytest.mark.parametrize("library,home", [("textual", "tui"), ("kubernetes", "capture")])
def test_only_its_home_layer_imports_a_heavy_library(library, home):
    bad = [f"kubectl_podlife/{s.rel}:{line} imports {module}"
           for s in SOURCES if s.layer != home
           for line, module in s.imported_modules() if module.split(".")[0] == library]
    assert not bad, "\n".join(bad)


def test_no_private_name_is_imported_from_another_module():
    """`from kubectl_podlife.model.build import _absorb` or `explain._helper(...)` across modules:
    promote the name (and name it for what it is) or move the code that needs it."""
    bad = []
    for s in SOURCES:
        for line, module, name, _ in s.imports:
            if (module.split(".")[0] in ("kubectl_podlife", "textual") and module != s.name and name
                    and name.startswith("_") and not name.startswith("__")):
                bad.append(f"kubectl_podlife/{s.rel}:{line} imports {name} from {module}")
        aliases = s.module_aliases()
        for node in ast.walk(s.tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and aliases[node.value.id] != s.name
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"kubectl_podlife/{s.rel}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not bad, "\n".join(bad)
