"""Which assignment a name refers to at a given position, following Python's scoping.

The rule is the one a reader applies: the last assignment before the use, in
the same scope, that certainly ran. An assignment inside an ``if``, a loop or
a ``try`` only *may* have run, so a name it touches becomes :class:`Opaque`
(with the reason) until a later unconditional assignment rebinds it. Names a
function reads from an enclosing scope are looked up as of when the function
runs, which is only known when the enclosing scope never rebinds them after
the ``def``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import walk
from lora_lint.extract.python.imports import ImportRef, import_bindings
from lora_lint.extract.python.source import Pos, SourceModule

#: A position after every statement of any file.
END: Pos = (10**9, 0)

#: Methods that change a list, dict or set in place.
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "popitem",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "sort",
        "reverse",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "__setitem__",
        "__delitem__",
        "_register_custom_module",  # a PEFT config learns to wrap more module classes
    }
)


@dataclass(frozen=True, eq=False)
class Assigned:
    """``name = value`` (``index`` picks the element of a tuple unpacking)."""

    value: cst.BaseExpression
    statement: cst.CSTNode
    index: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class AugAssigned:
    """``name op= value``, applied to ``previous``."""

    statement: cst.AugAssign
    previous: Binding | None


@dataclass(frozen=True, eq=False)
class Parameter:
    param: cst.Param
    function: cst.FunctionDef


@dataclass(frozen=True, eq=False)
class Imported:
    ref: ImportRef
    statement: cst.CSTNode


@dataclass(frozen=True, eq=False)
class Defined:
    node: cst.FunctionDef | cst.ClassDef


@dataclass(frozen=True, eq=False)
class Opaque:
    """Bound, but to a value that cannot be known statically (``reason`` says why)."""

    reason: str
    node: cst.CSTNode | None = None


Binding = Assigned | AugAssigned | Parameter | Imported | Defined | Opaque


def binding_anchor(binding: Binding) -> tuple[int, tuple[int, ...]]:
    """Identity of a binding: the node that created it (bindings are rebuilt per lookup)."""
    if isinstance(binding, Assigned):
        return (id(binding.statement), binding.index)
    if isinstance(binding, AugAssigned):
        return (id(binding.statement), ())
    if isinstance(binding, Parameter):
        return (id(binding.param), ())
    if isinstance(binding, Imported):
        return (id(binding.statement), ())
    if isinstance(binding, Defined):
        return (id(binding.node), ())
    return (id(binding.node) if binding.node is not None else id(binding), ())


@dataclass
class _Names:
    """Names a block binds, and those it declares ``global``/``nonlocal``."""

    bound: set[str] = field(default_factory=set)
    declared: set[str] = field(default_factory=set)
    global_names: set[str] = field(default_factory=set)


class _BoundNames(cst.CSTVisitor):
    """Collects the names a block binds, without entering nested scopes."""

    def __init__(self) -> None:
        self.names = _Names()

    def add_targets(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):
            self.names.bound.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self.add_targets(element.value)
        elif isinstance(node, cst.StarredElement):
            self.add_targets(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.add_targets(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.add_targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.add_targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.add_targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.add_targets(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.add_targets(node.name.name)

    def visit_Import(self, node: cst.Import) -> None:
        self.names.bound.update(local for local, _ in import_bindings(node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.names.bound.update(local for local, _ in import_bindings(node))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.add_targets(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self.add_targets(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.names.bound.add(node.name.value)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.names.bound.add(node.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        names = {item.name.value for item in node.names}
        self.names.declared |= names
        self.names.global_names |= names

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.names.declared |= {item.name.value for item in node.names}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.bound.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.bound.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    # Comprehension variables are local to the comprehension.
    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return False

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return False

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return False

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False


def _params(function: cst.FunctionDef | cst.Lambda) -> list[cst.Param]:
    p = function.params
    found = [*p.posonly_params, *p.params, *p.kwonly_params]
    if isinstance(p.star_arg, cst.Param):
        found.append(p.star_arg)
    if p.star_kwarg is not None:
        found.append(p.star_kwarg)
    return found


class _Index(cst.CSTVisitor):
    """One pass over the file: scopes, comprehension variables, in-place mutations."""

    def __init__(self) -> None:
        self.scopes: list[cst.FunctionDef | cst.ClassDef] = []
        self.hidden: list[tuple[cst.CSTNode, frozenset[str], str]] = []
        self.mutations: dict[str, list[tuple[cst.CSTNode, str]]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append(node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        names = frozenset(p.name.value for p in _params(node))
        self.hidden.append((node, names, "a lambda parameter"))

    def _comprehension(self, node: cst.BaseComp) -> None:
        names: set[str] = set()
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            collector = _BoundNames()
            collector.add_targets(clause.target)
            names |= collector.names.bound
            clause = clause.inner_for_in
        self.hidden.append((node, frozenset(names), "a comprehension variable"))

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def _mutated(self, target: cst.BaseExpression, node: cst.CSTNode, how: str) -> None:
        if isinstance(target, cst.Name):
            self.mutations.setdefault(target.value, []).append((node, how))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATING_METHODS:
            self._mutated(func.value, node, f".{func.attr.value}()")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._written(node.target, node, "assignment")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._written(node.target, node, "assignment")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._written(node.target, node, "assignment")

    def visit_Del(self, node: cst.Del) -> None:
        self._written(node.target, node, "del")

    def _written(self, target: cst.BaseExpression, node: cst.CSTNode, how: str) -> None:
        """``x[k] = v`` changes ``x``; so does ``x.attr = v`` (``config.target_modules = ...``)."""
        if isinstance(target, cst.Subscript):
            self._mutated(target.value, node, "item assignment" if how == "assignment" else how)
        elif isinstance(target, cst.Attribute):
            attribute = target.attr.value
            self._mutated(
                target.value,
                node,
                f".{attribute} = ..." if how == "assignment" else f"del .{attribute}",
            )


class Scopes:
    """Position-aware name lookup for one module."""

    def __init__(self, source: SourceModule) -> None:
        self.source = source
        index = _Index()
        walk(source.module, index)
        self._scopes = index.scopes
        self._hidden = index.hidden
        self._mutations = index.mutations
        self._names: dict[int, _Names] = {}
        self._global_rebinds: dict[str, str] = {}
        for scope in self._scopes:
            if isinstance(scope, cst.FunctionDef):
                names = self._block_names(scope.body)
                for name in names.global_names & names.bound:
                    self._global_rebinds.setdefault(name, scope.name.value)

    # -- public -------------------------------------------------------------

    def lookup(self, name: str, at: Pos) -> Binding | None:
        """The binding of ``name`` seen at ``at``; ``None`` when it is bound nowhere visible."""
        for node, names, what in self._hidden:
            if name in names and self.source.contains(node, at):
                return Opaque(f"'{name}' is {what}", node)
        chain = [s for s in self._scopes if self.source.contains(s.body, at)]
        return self._resolve(chain, len(chain) - 1, name, at)

    def function_at(self, at: Pos) -> cst.FunctionDef | None:
        """The innermost function whose body contains ``at``."""
        found = None
        for scope in self._scopes:
            if isinstance(scope, cst.FunctionDef) and self.source.contains(scope.body, at):
                found = scope
        return found

    def mutation(self, name: str, binding: Binding, at: Pos) -> str | None:
        """Why ``binding`` may have been changed in place before ``at`` (``None`` if it is not).

        A mutation counts when it comes before the use in the same function, or
        sits in another function (which may run at any time).
        """
        here = self.function_at(at)
        for node, how in self._mutations.get(name, ()):
            pos = self.source.start(node)
            if pos >= at and self.function_at(pos) is here:
                continue
            seen = self.lookup(name, pos)
            if seen is not None and binding_anchor(seen) == binding_anchor(binding):
                return f"'{name}' is modified in place ({how} at line {pos[0]})"
        return None

    # -- scopes -------------------------------------------------------------

    def _resolve(
        self, chain: list[cst.FunctionDef | cst.ClassDef], i: int, name: str, at: Pos
    ) -> Binding | None:
        if i < 0:
            if name in self._global_rebinds:
                fn = self._global_rebinds[name]
                return Opaque(f"'{name}' is rebound with `global` in {fn}()")
            return self._walk(self.source.module.body, name, at, None)
        scope = chain[i]
        names = self._block_names(scope.body)
        if isinstance(scope, cst.ClassDef):
            found = None
            if name in names.bound:
                found = self._walk(_suite(scope.body), name, at, None)
            return found if found is not None else self._resolve(chain, i - 1, name, at)
        if name in names.global_names:
            return self._at_call_time(chain, -1, name, scope)
        params = {p.name.value: p for p in _params(scope)}
        if name in params or (name in names.bound and name not in names.declared):
            initial: Binding | None = None
            if name in params:
                initial = Parameter(params[name], scope)
            found = self._walk(_suite(scope.body), name, at, initial)
            if found is None:
                return Opaque(f"'{name}' is used before it is assigned in {scope.name.value}()")
            return found
        outer = i - 1
        while outer >= 0 and isinstance(chain[outer], cst.ClassDef):
            outer -= 1
        return self._at_call_time(chain, outer, name, scope)

    def _at_call_time(
        self,
        chain: list[cst.FunctionDef | cst.ClassDef],
        outer: int,
        name: str,
        function: cst.FunctionDef,
    ) -> Binding | None:
        """A free variable of ``function``: its enclosing binding, if no later rebinding."""
        at_def = self._resolve(chain, outer, name, self.source.start(function))
        at_end = self._resolve(chain, outer, name, END)
        if at_end is None:
            return at_def
        if at_def is None or binding_anchor(at_def) == binding_anchor(at_end):
            return at_end
        fn = function.name.value
        return Opaque(
            f"'{name}' is rebound after {fn}() is defined; its value when it runs is unknown"
        )

    def _block_names(self, node: cst.CSTNode) -> _Names:
        key = id(node)
        if key not in self._names:
            collector = _BoundNames()
            walk(node, collector)
            self._names[key] = collector.names
        return self._names[key]

    def _binds(self, node: cst.CSTNode | None, name: str) -> bool:
        return node is not None and name in self._block_names(node).bound

    # -- statements ---------------------------------------------------------

    def _walk(
        self, stmts: Sequence[cst.CSTNode], name: str, at: Pos, state: Binding | None
    ) -> Binding | None:
        """The binding after running ``stmts`` up to ``at``."""
        for stmt in stmts:
            if self.source.end(stmt) <= at:
                state = self._run(stmt, name, state)
            elif self.source.start(stmt) <= at:
                return self._enter(stmt, name, at, state)
            else:
                break
        return state

    def _line(self, node: cst.CSTNode) -> int:
        return self.source.start(node)[0]

    def _run(self, stmt: cst.CSTNode, name: str, state: Binding | None) -> Binding | None:
        """Effect on ``name`` of a statement that ran completely."""
        if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in stmt.body:
                state = self._run_small(small, name, state)
            return state
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return Defined(stmt) if stmt.name.value == name else state
        if isinstance(stmt, cst.With):
            if any(_target_binds(item.asname, name) for item in stmt.items):
                return Opaque(
                    f"'{name}' is bound by `with ... as` at line {self._line(stmt)}", stmt
                )
            return self._walk(_suite(stmt.body), name, END, state)
        if not self._binds(stmt, name):
            return state
        return Opaque(self._conditional_reason(stmt, name), stmt)

    def _conditional_reason(self, stmt: cst.CSTNode, name: str) -> str:
        line = self._line(stmt)
        if isinstance(stmt, cst.If):
            branches = _branches(stmt)
            hits = sum(1 for branch in branches if self._binds(branch, name))
            if hits > 1:
                return (
                    f"'{name}' is assigned in several branches of the if statement at line {line}"
                )
            return f"'{name}' is assigned conditionally (if statement at line {line})"
        if isinstance(stmt, (cst.For, cst.While)):
            return f"'{name}' is assigned in the loop at line {line}"
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            return f"'{name}' is assigned inside the try statement at line {line}"
        return f"'{name}' is assigned conditionally at line {line}"

    def _run_small(
        self, small: cst.BaseSmallStatement, name: str, state: Binding | None
    ) -> Binding | None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                state = _unpack(target.target, small.value, small, name, state)
            return state
        if isinstance(small, cst.AnnAssign):
            if small.value is not None:
                return _unpack(small.target, small.value, small, name, state)
            return state
        if isinstance(small, cst.AugAssign):
            if isinstance(small.target, cst.Name) and small.target.value == name:
                return AugAssigned(small, state)
            return state
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            for local, ref in import_bindings(small):
                if local == name:
                    state = Imported(ref, small)
            return state
        if self._binds(small, name):
            verb = "deleted" if isinstance(small, cst.Del) else "assigned with :="
            return Opaque(f"'{name}' is {verb} at line {self._line(small)}", small)
        return state

    def _enter(
        self, stmt: cst.CSTNode, name: str, at: Pos, state: Binding | None
    ) -> Binding | None:
        """The binding at ``at``, which lies inside ``stmt``."""
        contains = self.source.contains
        if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return self._walk(stmt.body, name, at, state)
        if isinstance(stmt, cst.If):
            if contains(stmt.body, at):
                return self._walk(_suite(stmt.body), name, at, state)
            if isinstance(stmt.orelse, cst.If) and contains(stmt.orelse, at):
                return self._enter(stmt.orelse, name, at, state)
            if isinstance(stmt.orelse, cst.Else) and contains(stmt.orelse, at):
                return self._walk(_suite(stmt.orelse.body), name, at, state)
            return state
        if isinstance(stmt, (cst.For, cst.While)):
            return self._enter_loop(stmt, name, at, state)
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            return self._enter_try(stmt, name, at, state)
        if isinstance(stmt, cst.With) and contains(stmt.body, at):
            if any(_target_binds(item.asname, name) for item in stmt.items):
                state = Opaque(f"'{name}' is bound by `with ... as` at line {self._line(stmt)}")
            return self._walk(_suite(stmt.body), name, at, state)
        if isinstance(stmt, cst.Match):
            for case in stmt.cases:
                if contains(case.body, at):
                    if self._binds(case.pattern, name):
                        state = Opaque(f"'{name}' is captured by a case pattern", case)
                    return self._walk(_suite(case.body), name, at, state)
        return state

    def _enter_loop(
        self, stmt: cst.For | cst.While, name: str, at: Pos, state: Binding | None
    ) -> Binding | None:
        in_body = self.source.contains(stmt.body, at)
        in_else = stmt.orelse is not None and self.source.contains(stmt.orelse, at)
        in_test = isinstance(stmt, cst.While) and self.source.contains(stmt.test, at)
        if not (in_body or in_else or in_test):
            return state  # the iterable of a for loop, evaluated once before it
        if self._binds(stmt.body, name) or (
            isinstance(stmt, cst.For) and _target_binds(stmt.target, name)
        ):
            state = Opaque(self._conditional_reason(stmt, name), stmt)
        if in_body:
            return self._walk(_suite(stmt.body), name, at, state)
        if in_else and stmt.orelse is not None:
            return self._walk(_suite(stmt.orelse.body), name, at, state)
        return state

    def _enter_try(
        self, stmt: cst.Try | cst.TryStar, name: str, at: Pos, state: Binding | None
    ) -> Binding | None:
        contains = self.source.contains
        if contains(stmt.body, at):
            return self._walk(_suite(stmt.body), name, at, state)
        maybe = Opaque(self._conditional_reason(stmt, name), stmt)
        for handler in stmt.handlers:
            if contains(handler, at):
                if self._binds(stmt.body, name) or _target_binds(handler.name, name):
                    state = maybe
                return self._walk(_suite(handler.body), name, at, state)
        if stmt.orelse is not None and contains(stmt.orelse, at):
            state = self._walk(_suite(stmt.body), name, END, state)
            return self._walk(_suite(stmt.orelse.body), name, at, state)
        if stmt.finalbody is not None and contains(stmt.finalbody, at):
            parts = [stmt.body, *stmt.handlers, stmt.orelse]
            if any(self._binds(part, name) for part in parts):
                state = maybe
            return self._walk(_suite(stmt.finalbody.body), name, at, state)
        return state


def _target_binds(target: cst.BaseExpression | cst.AsName | None, name: str) -> bool:
    """Whether an assignment target (``for x``, ``as x``, ``as (a, b)``) binds ``name``."""
    if target is None:
        return False
    if isinstance(target, cst.AsName):
        target = target.name
    collector = _BoundNames()
    collector.add_targets(target)
    return name in collector.names.bound


def _suite(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body


def _branches(stmt: cst.If) -> list[cst.CSTNode]:
    branches: list[cst.CSTNode] = [stmt.body]
    orelse = stmt.orelse
    while orelse is not None:
        if isinstance(orelse, cst.If):
            branches.append(orelse.body)
            orelse = orelse.orelse
        else:
            branches.append(orelse.body)
            orelse = None
    return branches


def _unpack(
    target: cst.BaseExpression,
    value: cst.BaseExpression,
    statement: cst.CSTNode,
    name: str,
    state: Binding | None,
    *,
    index: tuple[int, ...] = (),
) -> Binding | None:
    """The binding ``target = value`` gives ``name`` (tuple targets recurse with an index)."""
    if isinstance(target, cst.Name):
        return Assigned(value, statement, index) if target.value == name else state
    if isinstance(target, (cst.Tuple, cst.List)):
        if any(isinstance(element, cst.StarredElement) for element in target.elements):
            collector = _BoundNames()
            collector.add_targets(target)
            if name in collector.names.bound:
                return Opaque(f"'{name}' is bound by a starred unpacking", statement)
            return state
        for position, element in enumerate(target.elements):
            state = _unpack(element.value, value, statement, name, state, index=(*index, position))
    return state


def bound_names(node: cst.CSTNode) -> set[str]:
    """The names a statement binds in its own scope (nested scopes are not entered)."""
    collector = _BoundNames()
    walk(node, collector)
    return collector.names.bound
