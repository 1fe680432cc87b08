"""Imports point one way: the import-linter contracts of pyproject.toml hold, with no
exception list, and no package has an import cycle among its modules."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lora_lint"


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with this repository's contracts over the package in ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_contracts_hold_without_exceptions() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert {c["type"] for c in contracts} >= {"layers", "forbidden"}
    assert all(not c.get("ignore_imports") for c in contracts)
    assert all(c.get("unmatched_ignore_imports_alerting") is None for c in contracts)
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The contract is not vacuous: the code registry importing the engine is caught."""
    shutil.copytree(
        PACKAGE, tmp_path / "lora_lint", ignore=shutil.ignore_patterns("*.gz", "*.json")
    )
    codes = tmp_path / "lora_lint" / "codes.py"
    codes.write_text(codes.read_text(encoding="utf-8") + "\nimport lora_lint.engine\n")
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    assert "lora_lint.codes -> lora_lint.engine" in run.stdout


def _cycles(graph: grimp.ImportGraph, package: str) -> list[set[str]]:
    """Groups of ``package``'s children (modules or subpackages) that import each other."""
    children = sorted(graph.find_children(package))
    owner = {
        module: child for child in children for module in {child, *graph.find_descendants(child)}
    }
    edges: dict[str, set[str]] = {child: set() for child in children}
    for module, child in owner.items():
        for imported in graph.find_modules_directly_imported_by(module):
            target = owner.get(imported)
            if target is not None and target != child:
                edges[child].add(target)
    reach = {child: _reachable(edges, child) for child in children}
    groups = {
        frozenset(c for c in children if c in reach[a] and a in reach[c]) | {a} for a in children
    }
    return [set(g) for g in groups if len(g) > 1]


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(edges[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges[node])
    return seen


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph("lora_lint", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_no_package_has_an_import_cycle(graph: grimp.ImportGraph) -> None:
    packages = sorted(m for m in graph.modules if graph.find_children(m))
    assert "lora_lint.extract" in packages and "lora_lint.extract.python" in packages
    found = {package: _cycles(graph, package) for package in packages}
    assert {p: c for p, c in found.items() if c} == {}


def test_the_package_init_imports_nothing(graph: grimp.ImportGraph) -> None:
    """Modules import ``lora_lint`` for ``__version__``: fine only while it imports nothing."""
    assert graph.find_modules_directly_imported_by("lora_lint") == set()


def test_a_cycle_inside_a_package_is_found(graph: grimp.ImportGraph) -> None:
    broken = copy.deepcopy(graph)
    broken.add_import(importer="lora_lint.extract.types", imported="lora_lint.extract.parallel")
    assert _cycles(broken, "lora_lint.extract") != []
