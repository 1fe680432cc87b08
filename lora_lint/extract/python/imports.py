"""Import alias tracking and same-repository module lookup.

Class recognition (``LoraConfig``, ``AutoModelForCausalLM``, ...) goes through
:class:`ImportTable`, which knows every import in the file regardless of where
it sits: imports guarded by ``try``/``except ImportError`` are the norm in
training scripts and must still count. Values never go through here; they use
the position-aware bindings of :mod:`.scopes`.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import walk
from lora_lint.extract.filecache import note_probe

#: How many ``X = peft.LoraConfig``-style aliases are followed before giving up.
_ALIAS_DEPTH = 8


@dataclass(frozen=True)
class ImportRef:
    """What one imported local name refers to."""

    #: Dotted module as written after ``from``/``import`` ("" for ``from . import x``).
    module: str
    #: Number of leading dots of a relative import.
    level: int = 0
    #: The imported attribute of a from-import; ``None`` for ``import module``.
    name: str | None = None

    @property
    def qualified(self) -> str:
        parts = [p for p in (self.module, self.name) if p]
        return "." * self.level + ".".join(parts)


@dataclass(frozen=True)
class QualName:
    """A dotted name as far as imports tell, e.g. ``peft.LoraConfig`` for ``p.LoraConfig``."""

    dotted: str
    #: True when the root name came from an import (not a bare, unbound name).
    imported: bool

    @property
    def last(self) -> str:
        return self.dotted.rsplit(".", 1)[-1]

    def from_module(self, *prefixes: str) -> bool:
        """Whether the name was imported from one of the given top-level packages."""
        top = self.dotted.split(".", 1)[0]
        return self.imported and top in prefixes


@dataclass
class ImportTable:
    """Every import of a file: local name -> what it refers to."""

    names: dict[str, ImportRef] = field(default_factory=dict)
    star_modules: list[ImportRef] = field(default_factory=list)
    #: Classes and functions defined anywhere in the file (they shadow bare names).
    defined: set[str] = field(default_factory=set)
    #: Module-level ``Alias = some.imported.Name`` assignments.
    aliases: dict[str, cst.BaseExpression] = field(default_factory=dict)

    @classmethod
    def build(cls, module: cst.Module) -> ImportTable:
        collector = _ImportCollector()
        walk(module, collector)
        table = collector.table
        for stmt in module.body:
            table._note_alias(stmt)
        return table

    def _note_alias(self, stmt: cst.CSTNode) -> None:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return
        for small in stmt.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and isinstance(small.value, (cst.Name, cst.Attribute))
            ):
                self.aliases.setdefault(small.targets[0].target.value, small.value)

    def qualify(self, expr: cst.BaseExpression, depth: int = 0) -> QualName | None:
        """The dotted name ``expr`` stands for, or ``None`` (a local class, a call, ...)."""
        if depth > _ALIAS_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            name = expr.value
            if name in self.names:
                return QualName(_bound_qualified(self.names[name], name), imported=True)
            if name in self.aliases:
                return self.qualify(self.aliases[name], depth + 1)
            if name in self.defined:
                return None
            return QualName(name, imported=False)
        if isinstance(expr, cst.Attribute):
            base = self.qualify(expr.value, depth + 1)
            if base is None:
                return None
            return QualName(f"{base.dotted}.{expr.attr.value}", base.imported)
        return None


def _bound_qualified(ref: ImportRef, local: str) -> str:
    """Qualified name of the local name an import binds (``import a.b`` binds ``a``)."""
    if ref.name is None and "." in ref.module and local == ref.module.split(".", 1)[0]:
        return local
    return ref.qualified


def import_bindings(stmt: cst.Import | cst.ImportFrom) -> list[tuple[str, ImportRef]]:
    """The (local name, reference) pairs an import statement binds (star imports bind none)."""
    if isinstance(stmt, cst.Import):
        pairs = []
        for alias in stmt.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                pairs.append((alias.asname.name.value, ImportRef(dotted)))
            else:
                pairs.append((dotted.split(".", 1)[0], ImportRef(dotted)))
        return pairs
    if isinstance(stmt.names, cst.ImportStar):
        return []
    module = _dotted(stmt.module) if stmt.module is not None else ""
    level = len(stmt.relative)
    pairs = []
    for alias in stmt.names:
        name = _dotted(alias.name)
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        pairs.append((local, ImportRef(module, level, name)))
    return pairs


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class _ImportCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.table = ImportTable()

    def visit_Import(self, node: cst.Import) -> None:
        for local, ref in import_bindings(node):
            self.table.names.setdefault(local, ref)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            module = _dotted(node.module) if node.module is not None else ""
            self.table.star_modules.append(ImportRef(module, len(node.relative)))
            return
        for local, ref in import_bindings(node):
            self.table.names.setdefault(local, ref)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.table.defined.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.table.defined.add(node.name.value)


def find_module_file(
    module: str,
    level: int,
    *,
    file_path: pathlib.Path | None,
    project_root: pathlib.Path | None,
) -> pathlib.Path | None:
    """The ``.py`` file of a same-repository module, or ``None``.

    Relative imports start from ``file_path``'s package; absolute ones are tried
    next to the file (a script's own directory is on ``sys.path``), then under
    ``project_root`` and ``project_root/src``. Only files inside
    ``project_root`` (when given) are returned, so installed packages are never
    read.
    """
    parts = [p for p in module.split(".") if p]
    if level > 0:
        if file_path is None:
            return None
        base = file_path.parent
        for _ in range(level - 1):
            base = base.parent
        roots = [base]
    else:
        if not parts:
            return None
        roots = []
        if file_path is not None:
            roots.append(file_path.parent)
        if project_root is not None:
            roots += [project_root, project_root / "src"]
    for root in roots:
        found = _module_in(root, parts)
        if found is not None and inside_project(found, project_root):
            return found
    return None


def _module_in(root: pathlib.Path, parts: list[str]) -> pathlib.Path | None:
    target = root.joinpath(*parts)
    candidates = [target / "__init__.py"]
    if parts:
        candidates.insert(0, target.parent / f"{target.name}.py")
    for candidate in candidates:
        exists = candidate.is_file()
        note_probe(candidate, exists)  # the extraction cache re-checks it on a hit
        if exists:
            return candidate
    return None


def inside_project(path: pathlib.Path, root: pathlib.Path | None) -> bool:
    """Whether ``path`` lies under the project root (no root: anywhere): a file outside the
    linted project is never read for a config's values."""
    if root is None:
        return True
    try:
        path.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True
