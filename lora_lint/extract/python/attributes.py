"""What ``self.X`` holds in a method, from the one place the class assigns ``X`` (data flow).

Test suites keep the model id on the instance: ``setUp`` runs ``self.model_id = "org/name"``
and every test loads ``from_pretrained(self.model_id)``; a class body's ``model_id = ...``
does the same. ``self.X`` (``cls.X``, or ``ClassName.X`` inside the class) stands for that
value only when nothing else can have changed it, as far as this file shows:

* ``X`` is assigned exactly once in the class: one unconditional statement of the class
  body, or one unconditional ``self.X = ...`` at the top of ``setUp``/``setup_method``/
  ``setUpClass``/``setup_class``/``__init__``;
* nothing else in the file assigns, deletes or ``setattr``-s an attribute ``X`` (a
  ``setattr(obj, name, ...)`` with a computed name counts when ``obj`` is ``self``, ``cls``,
  a class of the family or not a plain name: a module-walking helper's ``setattr(parent,
  name, layer)`` does not stop the flow), except
  through ``self``/``cls`` in methods of classes unrelated to this one (a subclass or a
  base class of the same file that assigns ``X`` stops the flow: either may be the one
  whose value is seen);
* the class has no decorator but pytest marks, ``unittest`` skips and ``require_*``/``slow``
  skip decorators of a ``testing_utils`` module;
* the value evaluates statically, parameter defaults not trusted (``__init__(self, m="a")``
  is called with other values).

A subclass in another file may still override ``X``; a file cannot see that, so the value
is the one this file's class runs with, like any other default the linter follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import walk
from lora_lint.extract.python.catalog import testing_utils_skip
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.scopes import Defined, bound_names

#: Methods that run before a test (or on construction) and so set up the instance.
SETUP_METHODS = frozenset({"setUp", "setup_method", "setUpClass", "setup_class", "__init__"})
#: Of those, the ones that run on the class (``cls.X = ...``), so ``ClassName.X`` sees them.
_CLASS_SETUP_METHODS = frozenset({"setUpClass", "setup_class"})

#: Class decorators that only mark or skip tests (any other may turn values into fields);
#: ``require_*``/``slow`` from a ``testing_utils`` module count too (:func:`_testing_utils_skip`).
_SKIP_DECORATORS = frozenset({"unittest.skip", "unittest.skipIf", "unittest.skipUnless"})
#: External base classes that leave class-body values alone.
_PLAIN_BASES = frozenset({"unittest.TestCase", "object"})


@dataclass
class _Write:
    """One assignment (or deletion) of an attribute named ``X`` somewhere in the file."""

    #: The assigned expression; ``None`` for writes that are not a plain ``= value``.
    value: cst.BaseExpression | None
    statement: cst.CSTNode
    #: The class the write belongs to (its body or one of its methods), if any.
    owner: cst.ClassDef | None
    #: True when written as ``self.X``/``cls.X`` (first parameter) in a method of ``owner``.
    through_self: bool
    #: True for a plain, unconditional statement of the class body or a setup method.
    plain: bool


@dataclass
class _Index(cst.CSTVisitor):
    """Classes, their same-file bases, and every write of every attribute name."""

    classes: list[cst.ClassDef] = field(default_factory=list)
    writes: dict[str, list[_Write]] = field(default_factory=dict)
    #: ``setattr``/``delattr`` on something other than a plain name, with a name not known.
    setattr_any: bool = False
    #: Attribute names ``setattr``/``delattr`` write with a literal name.
    setattr_names: set[str] = field(default_factory=set)
    #: Plain names of objects ``setattr``/``delattr`` write with a name not known.
    setattr_objects: set[str] = field(default_factory=set)
    _stack: list[cst.CSTNode] = field(default_factory=list)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)
        self._stack.append(node)
        for stmt in node.body.body:
            smalls = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else [stmt]
            for small in smalls:
                self._class_body(small, node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._stack.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def _class_body(self, small: cst.CSTNode, cls: cst.ClassDef) -> None:
        """Names a class body binds: a plain ``X = value`` is a candidate, any other binding
        (conditional, ``def X``, ``a = X = ...``) a write that stops the flow."""
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Name):
                self._add(target.value, _Write(small.value, small, cls, True, True))
                return
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            if small.value is not None:
                self._add(small.target.value, _Write(small.value, small, cls, True, True))
            return
        for name in bound_names(small):
            self._add(name, _Write(None, small, cls, True, False))

    def _add(self, name: str, write: _Write) -> None:
        self.writes.setdefault(name, []).append(write)

    def _targets(self, target: cst.BaseExpression, stmt: cst.CSTNode, value: object) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._targets(element.value, stmt, None)
        elif isinstance(target, cst.StarredElement):
            self._targets(target.value, stmt, None)
        elif isinstance(target, cst.Attribute):
            plain = value if isinstance(value, cst.BaseExpression) else None
            self._attribute_write(target, stmt, plain)

    def _attribute_write(
        self, target: cst.Attribute, stmt: cst.CSTNode, value: cst.BaseExpression | None
    ) -> None:
        method = self._stack[-1] if self._stack else None
        owner = self._stack[-2] if len(self._stack) >= 2 else None
        through_self = (
            isinstance(method, cst.FunctionDef)
            and isinstance(owner, cst.ClassDef)
            and _first_param(method) is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == _first_param(method)
        )
        plain = (
            through_self
            and value is not None
            and isinstance(method, cst.FunctionDef)
            and method.name.value in SETUP_METHODS
            and any(
                isinstance(line, cst.SimpleStatementLine) and stmt in line.body
                for line in method.body.body
            )
        )
        cls = owner if through_self and isinstance(owner, cst.ClassDef) else None
        self._add(target.attr.value, _Write(value, stmt, cls, through_self, plain))

    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1
        for target in node.targets:
            self._targets(target.target, node, node.value if single else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Attribute):
            self._attribute_write(node.target, node, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target, node, None)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target, node, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name, node, None)

    def visit_Del(self, node: cst.Del) -> None:
        self._targets(node.target, node, None)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("setattr", "delattr"):
            name = node.args[1].value if len(node.args) >= 2 else None
            if isinstance(name, cst.SimpleString) and isinstance(name.evaluated_value, str):
                self.setattr_names.add(name.evaluated_value)
                return
            target = node.args[0].value if node.args else None
            if isinstance(target, cst.Name):
                self.setattr_objects.add(target.value)
            else:
                self.setattr_any = True


def _first_param(function: cst.FunctionDef) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


class ClassAttributes:
    """Resolves ``self.X`` reads of one module to the expression the class assigns ``X``."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self._index: _Index | None = None

    def _built(self) -> _Index:
        if self._index is None:
            self._index = _Index()
            walk(self.ctx.source.module, self._index)
        return self._index

    def value(self, node: cst.Attribute) -> cst.BaseExpression | None:
        """The one expression assigned to the attribute ``node`` reads (``None``: unknown)."""
        cls = self._class_of(node)
        if cls is None:
            return None
        index = self._built()
        name = node.attr.value
        family = self._family(cls)
        touched = {"self", "cls"} | {c.name.value for c in family}
        if index.setattr_any or name in index.setattr_names or index.setattr_objects & touched:
            return None
        writes = [
            w for w in index.writes.get(name, []) if not (w.through_self and w.owner not in family)
        ]
        if len(writes) != 1:
            return None
        (write,) = writes
        if write.owner is not cls or not write.plain or write.value is None:
            return None
        if self._read_before(node, write):
            return None
        if _in_class_body(write) and not self._plain_class(cls):
            return None
        if self._reads_class(node) and not self._sets_class(write):
            return None  # ``cls.X`` / ``T.X`` is not the instance attribute setUp assigns
        return write.value

    def _reads_class(self, node: cst.Attribute) -> bool:
        """``cls.X`` in a classmethod or ``ClassName.X``: a read of the class, not an instance."""
        function = self.ctx.scopes.function_at(self.ctx.source.start(node))
        if function is None or not isinstance(node.value, cst.Name):
            return True
        is_classmethod = any(
            isinstance(d.decorator, cst.Name) and d.decorator.value == "classmethod"
            for d in function.decorators
        )
        return is_classmethod or node.value.value != _first_param(function)

    def _sets_class(self, write: _Write) -> bool:
        """A write that sets the class attribute: the class body or ``setUpClass``."""
        if _in_class_body(write):
            return True
        method = self.ctx.scopes.function_at(self.ctx.source.start(write.statement))
        return method is not None and method.name.value in _CLASS_SETUP_METHODS

    def _class_of(self, node: cst.Attribute) -> cst.ClassDef | None:
        """The class whose attribute ``node`` reads: ``self``/``cls`` in one of its methods,
        or the class's own name inside it."""
        if not isinstance(node.value, cst.Name):
            return None
        at = self.ctx.source.start(node)
        function = self.ctx.scopes.function_at(at)
        if function is None:
            return None
        owner = self._method_owner(function)
        if owner is None:
            return None
        base = node.value.value
        if base == _first_param(function) and not _is_static(function):
            return owner
        binding = self.ctx.scopes.lookup(base, at)
        if isinstance(binding, Defined) and binding.node is owner:
            return owner
        return None

    def _method_owner(self, function: cst.FunctionDef) -> cst.ClassDef | None:
        for cls in self._built().classes:
            if any(stmt is function for stmt in cls.body.body):
                return cls
        return None

    def _family(self, cls: cst.ClassDef) -> set[cst.ClassDef]:
        """``cls`` with its same-file base classes and subclasses (transitively)."""
        classes = self._built().classes
        by_name: dict[str, list[cst.ClassDef]] = {}
        for c in classes:
            by_name.setdefault(c.name.value, []).append(c)

        def bases(c: cst.ClassDef) -> list[cst.ClassDef]:
            found: list[cst.ClassDef] = []
            for arg in c.bases:
                if isinstance(arg.value, cst.Name):
                    found.extend(by_name.get(arg.value.value, []))
            return found

        family: set[cst.ClassDef] = {cls}
        todo = [cls]
        while todo:  # ancestors
            for parent in bases(todo.pop()):
                if parent not in family:
                    family.add(parent)
                    todo.append(parent)
        descendants = {cls}
        changed = True
        while changed:
            changed = False
            for c in classes:
                if c not in descendants and any(b in descendants for b in bases(c)):
                    descendants.add(c)
                    changed = True
        return family | descendants

    def _read_before(self, node: cst.Attribute, write: _Write) -> bool:
        """A read in the setup method itself, before its assignment has run."""
        if _in_class_body(write):
            return False
        source, scopes = self.ctx.source, self.ctx.scopes
        at = source.start(node)
        method = scopes.function_at(source.start(write.statement))
        return scopes.function_at(at) is method and at < source.end(write.statement)

    def _plain_class(self, cls: cst.ClassDef, seen: frozenset[int] = frozenset()) -> bool:
        """A class whose body values are what instances see: no decorator (but pytest marks and
        unittest skips), metaclass or base
        that may turn them into constructor fields (``@dataclass``, pydantic, NamedTuple,
        Enum); bases are same-file plain classes or ``unittest.TestCase``."""
        by_name = {c.name.value: c for c in self._built().classes}
        if any(arg.keyword is not None for arg in cls.bases):
            return False
        for decorator in cls.decorators:
            expr = decorator.decorator
            qualified = self.ctx.imports.qualify(expr.func if isinstance(expr, cst.Call) else expr)
            dotted = qualified.dotted if qualified is not None else ""
            if not (
                dotted.startswith("pytest.mark.")
                or dotted in _SKIP_DECORATORS
                or testing_utils_skip(dotted)
            ):
                return False
        for arg in cls.bases:
            if isinstance(arg.value, cst.Name) and arg.value.value in by_name:
                parent = by_name[arg.value.value]
                if id(parent) in seen or not self._plain_class(parent, seen | {id(cls)}):
                    return False
                continue
            qualified = self.ctx.imports.qualify(arg.value)
            if qualified is None or qualified.dotted not in _PLAIN_BASES:
                return False
        return True


def _in_class_body(write: _Write) -> bool:
    return write.owner is not None and any(
        stmt is write.statement
        or (isinstance(stmt, cst.SimpleStatementLine) and write.statement in stmt.body)
        for stmt in write.owner.body.body
    )


def _is_static(function: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
        for d in function.decorators
    )
