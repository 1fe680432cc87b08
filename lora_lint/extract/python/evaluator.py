"""Static evaluation of expressions into :class:`Located` or :class:`Unresolved`.

Only what the source fixes for certain is evaluated: literals, constants bound
unconditionally, container arithmetic, a few pure builtins and string
methods, and constants of sibling modules (parsed, never imported). Anything
that depends on run time (calls, attributes of objects, the environment,
conditionally bound names) becomes an ``Unresolved`` with the reason, so that
the linter can say why it could not check a value instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.diagnostics import Span
from lora_lint.extract.python.context import ModuleContext, load_sibling
from lora_lint.extract.python.imports import ImportRef, QualName, find_module_file
from lora_lint.extract.python.scopes import (
    END,
    Assigned,
    AugAssigned,
    Binding,
    Defined,
    Imported,
    Opaque,
    Parameter,
    binding_anchor,
)
from lora_lint.extract.python.source import Pos, SourceModule
from lora_lint.extract.python.strings import fstring_text, piece_spans
from lora_lint.extract.python.values import (
    Anchor,
    DictEntries,
    DictEntry,
    dedupe,
    has_unresolved,
    sort_key,
)
from lora_lint.extract.types import Located, Unresolved, Value

#: Nested evaluations (expressions, names, imports) before giving up.
MAX_DEPTH = 60
#: Sibling modules followed in one chain (``a`` imports from ``b`` imports from ``c`` ...).
MAX_IMPORT_DEPTH = 4
#: Expressions evaluated in one extraction before giving up: repeated ``x = x + x``
#: would otherwise take exponential time (a typical training script needs a few hundred).
MAX_STEPS = 20_000
#: Largest string, sequence and integer built (repeated doubling would exhaust memory).
MAX_TEXT = 20_000
MAX_ITEMS = 5_000
MAX_INT_BITS = 4_096

_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_SEQUENCES = ("list", "tuple", "set")
_OPERATORS: dict[type[cst.CSTNode], str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.AddAssign: "+",
    cst.SubtractAssign: "-",
    cst.MultiplyAssign: "*",
}


@dataclass
class Guard:
    """Limits shared by all evaluators of one extraction (including sibling modules)."""

    depth: int = 0
    imports: int = 0
    #: Expressions evaluated so far (see :data:`MAX_STEPS`).
    steps: int = 0
    active: set[tuple[int, tuple[int, tuple[int, ...]]]] = field(default_factory=set)
    #: Parsed sources by value path (``None`` = the linted file), to locate split pieces.
    sources: dict[str | None, SourceModule] = field(default_factory=dict)


class Evaluator:
    """Evaluates expressions of one module; ``parameter_defaults`` trusts ``def f(x=...)``.

    Parameter defaults are only trusted when looking for a base model id, where
    ``def main(model_id="org/name")`` is how scripts declare it.
    """

    def __init__(
        self, ctx: ModuleContext, guard: Guard | None = None, *, parameter_defaults: bool = False
    ) -> None:
        self.ctx = ctx
        self.source = ctx.source
        self.guard = guard if guard is not None else Guard()
        self.guard.sources.setdefault(ctx.value_path, ctx.source)
        self.parameter_defaults = parameter_defaults

    # -- public -------------------------------------------------------------

    def evaluate(self, node: cst.BaseExpression) -> Value:
        """The value of ``node``, or why it has none statically."""
        with self._deeper() as ok:
            if not ok:
                return self.unresolved(node, "expression is nested too deeply to evaluate")
            self.guard.steps += 1
            if self.guard.steps > MAX_STEPS:
                return self.unresolved(node, "too much to evaluate statically in this file")
            return self._bounded(self._dispatch(node), node)

    def dict_entries(self, node: cst.BaseExpression) -> DictEntries | Unresolved:
        """``node`` as a dict, keeping the known keys even if a ``**spread`` is unknown."""
        with self._deeper() as ok:
            if not ok:
                return self.unresolved(node, "expression is nested too deeply to evaluate")
            return self._dict_entries(node)

    def qualify(self, node: cst.BaseExpression) -> QualName | None:
        return self.ctx.imports.qualify(node)

    def unresolved(self, node: cst.CSTNode, reason: str) -> Unresolved:
        return Unresolved(
            self.source.span(node), reason, text=self.source.text(node), path=self.ctx.value_path
        )

    def located(self, value: object, node: cst.CSTNode, container: str = "") -> Located:
        return Located(value, self.source.span(node), container=container, path=self.ctx.value_path)

    def evaluate_global(self, name: str, anchor: Anchor) -> Value:
        """The value of module-level ``name`` once the module has run (for imports)."""
        binding = self.ctx.scopes.lookup(name, END)
        return self._from_binding(binding, name, anchor, END)

    # -- guards -------------------------------------------------------------

    def _bounded(self, value: Value, node: cst.CSTNode) -> Value:
        """``value``, unless it is too large to be a real config value (a doubling chain)."""
        if isinstance(value, Located):
            inner = value.value
            if (
                (isinstance(inner, str) and len(inner) > MAX_TEXT)
                or (isinstance(inner, (list, dict)) and len(inner) > MAX_ITEMS)
                or (type(inner) is int and inner.bit_length() > MAX_INT_BITS)
            ):
                return self.unresolved(node, "the value is too large to evaluate statically")
        return value

    @contextmanager
    def _deeper(self) -> Iterator[bool]:
        self.guard.depth += 1
        try:
            yield self.guard.depth <= MAX_DEPTH
        finally:
            self.guard.depth -= 1

    @contextmanager
    def _entering(self, binding: Binding) -> Iterator[bool]:
        """False when ``binding`` is already being evaluated (``A = B; B = A``)."""
        key = (id(self.ctx), binding_anchor(binding))
        if key in self.guard.active:
            yield False
            return
        self.guard.active.add(key)
        try:
            yield True
        finally:
            self.guard.active.discard(key)

    def _where(self) -> str:
        return f" in {self.source.path}" if self.ctx.foreign else ""

    # -- dispatch -----------------------------------------------------------

    def _dispatch(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return self._string(node)
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary)):
            try:
                return self.located(node.evaluated_value, node)
            except (ValueError, OverflowError, SyntaxError):  # more than 4,300 digits
                return self.unresolved(node, "the number is too large to evaluate statically")
        if isinstance(node, cst.Name):
            return self._name(node)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._sequence(node)
        if isinstance(node, cst.Dict):
            return self._dict_value(node)
        if isinstance(node, cst.UnaryOperation):
            return self._unary(node)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node)
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        if isinstance(node, cst.Attribute):
            return self._attribute(node)
        if isinstance(node, cst.IfExp):
            return self._if_expression(node)
        if isinstance(node, cst.NamedExpr):
            return self.evaluate(node.value)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return self.unresolved(node, "a comprehension is only evaluated at run time")
        return self.unresolved(node, f"{type(node).__name__} expressions are not evaluated")

    # -- literals -----------------------------------------------------------

    def _string(self, node: cst.BaseString) -> Value:
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            for part in (left, right):
                if isinstance(part, Unresolved):
                    return self.unresolved(node, part.reason)
            if (
                isinstance(left, Located)
                and isinstance(right, Located)
                and isinstance(left.value, str)
                and isinstance(right.value, str)
            ):
                return self.located(left.value + right.value, node)
            return self.unresolved(node, "bytes literals are not evaluated")
        if isinstance(node, cst.FormattedString):
            return self._fstring(node)
        assert isinstance(node, cst.SimpleString)
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return self.unresolved(node, "invalid string literal")
        if not isinstance(value, str):
            return self.unresolved(node, "bytes literals are not evaluated")
        return self.located(value, node)

    def _fstring(self, node: cst.FormattedString) -> Value:
        if any(isinstance(part, cst.FormattedStringExpression) for part in node.parts):
            return self.unresolved(node, "an f-string with placeholders is built at run time")
        text = fstring_text(self.source.module.code_for_node(node))
        if text is None:
            return self.unresolved(node, "invalid f-string")
        return self.located(text, node)

    def _unary(self, node: cst.UnaryOperation) -> Value:
        operand = self.evaluate(node.expression)
        if isinstance(operand, Unresolved):
            return self.unresolved(node, operand.reason)
        value = operand.value
        if operand.container or value is None or isinstance(value, str):
            if isinstance(node.operator, cst.Not) and not operand.container:
                return self.located(not value, node)
            return self.unresolved(node, "unary operator on a non-number")
        if isinstance(node.operator, cst.Minus) and isinstance(value, (int, float, complex)):
            return self.located(-value, node)
        if isinstance(node.operator, cst.Plus) and isinstance(value, (int, float, complex)):
            return self.located(+value, node)
        if isinstance(node.operator, cst.Not):
            return self.located(not value, node)
        if isinstance(node.operator, cst.BitInvert) and isinstance(value, int):
            return self.located(~value, node)
        return self.unresolved(node, "unsupported unary operator")

    def _sequence(self, node: cst.List | cst.Tuple | cst.Set) -> Value:
        kind = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(node)]
        items: list[Located | Unresolved] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                items.extend(self._spread_items(element.value))
            else:
                items.append(self.evaluate(element.value))
        if kind == "set":
            items = dedupe(items)
        return self.located(items, node, container=kind)

    def _spread_items(self, node: cst.BaseExpression) -> list[Located | Unresolved]:
        """Items of ``*node``; an unknown spread stays in place as one Unresolved item."""
        value = self.evaluate(node)
        if isinstance(value, Located) and value.container in _SEQUENCES:
            return value.items
        if isinstance(value, Located):
            return [self.unresolved(node, "only lists, tuples and sets are unpacked with *")]
        return [value]

    # -- names --------------------------------------------------------------

    def _name(self, node: cst.Name) -> Value:
        constants = {"True": True, "False": False, "None": None}
        if node.value in constants:
            return self.located(constants[node.value], node)
        at = self.source.start(node)
        binding = self.ctx.scopes.lookup(node.value, at)
        return self._from_binding(binding, node.value, lambda why: self.unresolved(node, why), at)

    def _from_binding(self, binding: Binding | None, name: str, anchor: Anchor, at: Pos) -> Value:
        if binding is None:
            return self._unbound(name, anchor)
        if isinstance(binding, Opaque):
            return anchor(binding.reason + self._where())
        if isinstance(binding, Parameter):
            return self._parameter(binding, name, anchor)
        if isinstance(binding, Defined):
            kind = "class" if isinstance(binding.node, cst.ClassDef) else "function"
            return anchor(f"'{name}' is a {kind} defined in {self.source.path}")
        if isinstance(binding, Imported):
            return self._imported(binding.ref, name, anchor)
        mutated = self.ctx.scopes.mutation(name, binding, at)
        if mutated is not None:
            return anchor(mutated + self._where())
        with self._entering(binding) as ok:
            if not ok:
                return anchor(f"'{name}' is defined in terms of itself")
            if isinstance(binding, AugAssigned):
                return self._augmented(binding, name, anchor)
            return self._unpacked(self.evaluate(binding.value), binding.index, anchor)

    def _parameter(self, binding: Parameter, name: str, anchor: Anchor) -> Value:
        fn = binding.function.name.value
        if self.parameter_defaults and binding.param.default is not None:
            return self.evaluate(binding.param.default)
        return anchor(f"'{name}' is a parameter of {fn}(), known only when it is called")

    def _augmented(self, binding: AugAssigned, name: str, anchor: Anchor) -> Value:
        stmt = binding.statement
        previous = self._from_binding(binding.previous, name, anchor, self.source.start(stmt))
        operator = _OPERATORS.get(type(stmt.operator))
        if operator is None:
            line = self.source.start(stmt)[0]
            return anchor(f"'{name}' is updated with an unsupported operator at line {line}")
        return self._operate(operator, previous, self.evaluate(stmt.value), stmt)

    @staticmethod
    def _unpacked(value: Value, index: tuple[int, ...], anchor: Anchor) -> Value:
        for position in index:
            if isinstance(value, Unresolved):
                return value
            items = value.items
            if value.container not in ("list", "tuple") or position >= len(items):
                return anchor("the unpacked value is not a literal sequence of the right length")
            value = items[position]
        return value

    def _unbound(self, name: str, anchor: Anchor) -> Value:
        source = self._star_source(name, set())
        if source is not None:
            return self._in_module(source, name, anchor)
        return anchor(f"'{name}' is not defined in {self.source.path}")

    def _star_source(self, name: str, seen: set[int]) -> ModuleContext | None:
        """The same-repository module a (maybe chained) ``from x import *`` brings ``name`` from."""
        for ref in self.ctx.imports.star_modules:
            target = self._module_ctx(ref.module, ref.level)
            if not isinstance(target, ModuleContext) or id(target) in seen:
                continue
            seen.add(id(target))
            if target.scopes.lookup(name, END) is not None:
                return target
            found = Evaluator(target, self.guard)._star_source(name, seen)
            if found is not None:
                return found
        return None

    # -- imports ------------------------------------------------------------

    def _module_ctx(self, module: str, level: int) -> ModuleContext | str | None:
        """The same-repository module ``module`` (``None``: not in the project)."""
        path = find_module_file(
            module, level, file_path=self.source.file_path, project_root=self.ctx.project_root
        )
        if path is None:
            return None
        return load_sibling(path, self.ctx.project_root)

    def _imported(self, ref: ImportRef, local: str, anchor: Anchor) -> Value:
        if ref.name is None or self._is_module(ref):
            return anchor(f"'{local}' is a module")
        target = self._module_ctx(ref.module, ref.level)
        if target is None:
            origin = "." * ref.level + ref.module
            return anchor(f"'{local}' is imported from {origin}, which is not part of the project")
        if isinstance(target, str):
            return anchor(target)
        return self._in_module(target, ref.name, anchor)

    def _is_module(self, ref: ImportRef) -> bool:
        """Whether ``from pkg import name`` imports a submodule ``pkg/name.py``."""
        dotted = ".".join(p for p in (ref.module, ref.name) if p)
        return isinstance(self._module_ctx(dotted, ref.level), ModuleContext)

    def _in_module(self, target: ModuleContext, name: str, anchor: Anchor) -> Value:
        if self.guard.imports >= MAX_IMPORT_DEPTH:
            return anchor(f"'{name}' is imported through too many modules")
        self.guard.imports += 1
        try:
            return Evaluator(target, self.guard).evaluate_global(name, anchor)
        finally:
            self.guard.imports -= 1

    def _attribute(self, node: cst.Attribute) -> Value:
        qualified = self.qualify(node.value)
        if qualified is not None and qualified.last == "TaskType":
            return self.located(node.attr.value, node)
        from_module = self._module_attribute(node)
        if from_module is not None:
            return from_module
        owner = self.source.text(node.value, limit=30)
        return self.unresolved(node, f"attribute of {owner}, known only at run time")

    def _module_attribute(self, node: cst.Attribute) -> Value | None:
        """``constants.TARGETS`` where ``constants`` is an imported same-repository module."""
        parts: list[str] = []
        root: cst.BaseExpression = node
        while isinstance(root, cst.Attribute):
            parts.insert(0, root.attr.value)
            root = root.value
        if not isinstance(root, cst.Name):
            return None
        binding = self.ctx.scopes.lookup(root.value, self.source.start(root))
        if not isinstance(binding, Imported):
            return None
        ref = binding.ref
        if ref.name is not None:
            module = ".".join(p for p in (ref.module, ref.name) if p)
        elif ref.module.split(".", 1)[0] == root.value:
            module = root.value
        else:
            module = ref.module
        module = ".".join([module, *parts[:-1]])
        target = self._module_ctx(module, ref.level)
        if not isinstance(target, ModuleContext):
            return None
        return self._in_module(target, parts[-1], lambda why: self.unresolved(node, why))

    # -- operators ----------------------------------------------------------

    def _binary(self, node: cst.BinaryOperation) -> Value:
        if isinstance(node.operator, cst.BitOr):
            return self._dict_value(node)
        operator = _OPERATORS.get(type(node.operator))
        if operator is None:
            return self.unresolved(node, "this operator is not evaluated")
        return self._operate(operator, self.evaluate(node.left), self.evaluate(node.right), node)

    def _operate(self, operator: str, left: Value, right: Value, node: cst.CSTNode) -> Value:
        if operator == "+":
            joined = self._concatenate(left, right, node)
            if joined is not None:
                return joined
        for side in (left, right):
            if isinstance(side, Unresolved):
                return self.unresolved(node, side.reason)
        assert isinstance(left, Located) and isinstance(right, Located)
        a, b = left.value, right.value
        numbers = (int, float, complex)
        if (
            left.container
            or right.container
            or not (isinstance(a, numbers) and isinstance(b, numbers))
        ):
            return self.unresolved(node, f"unsupported operands for {operator}")
        if (
            isinstance(a, int)
            and isinstance(b, int)
            and a.bit_length() + b.bit_length() > MAX_INT_BITS
        ):
            return self.unresolved(node, "the value is too large to evaluate statically")
        try:
            result = {"+": a + b, "-": a - b, "*": a * b}[operator]
        except (OverflowError, ValueError, ArithmeticError):  # float(huge int), inf * 0j...
            return self.unresolved(node, f"the {operator} operation fails in Python")
        return self.located(result, node)

    def _concatenate(self, left: Value, right: Value, node: cst.CSTNode) -> Value | None:
        """``+`` on strings and sequences; an unknown list operand stays as one item."""
        sides = [left, right]
        kinds = {side.container for side in sides if isinstance(side, Located)}
        if len(kinds) == 1 and kinds <= {"list", "tuple"}:
            items: list[Located | Unresolved] = []
            for side in sides:
                items.extend(side.items if isinstance(side, Located) else [side])
            return self.located(items, node, container=kinds.pop())
        if (
            isinstance(left, Located)
            and isinstance(right, Located)
            and isinstance(left.value, str)
            and isinstance(right.value, str)
        ):
            return self.located(left.value + right.value, node)
        return None

    def _if_expression(self, node: cst.IfExp) -> Value:
        body, orelse = self.evaluate(node.body), self.evaluate(node.orelse)
        if (
            isinstance(body, Located)
            and isinstance(orelse, Located)
            and not has_unresolved(body)
            and body.plain() == orelse.plain()
        ):
            return body
        test = self.source.text(node.test, limit=30)
        return self.unresolved(node, f"the value depends on the condition `{test}`")

    # -- calls --------------------------------------------------------------

    def _call(self, node: cst.Call) -> Value:
        func = node.func
        qualified = self.qualify(func)
        if qualified is not None and qualified.dotted in _ENV_CALLS:
            return self._environment(node, node.args[0].value if node.args else None)
        if isinstance(func, cst.Attribute):
            method = {
                "split": self._split,
                "join": self._join,
                "get": self._get,
                "copy": self._copy,
            }.get(func.attr.value)
            if method is not None:
                return method(node, func)
        if isinstance(func, cst.Name) and self._is_builtin(func):
            if func.value in (*_SEQUENCES, "sorted"):
                return self._convert(node, func.value)
            if func.value == "dict":
                return self._dict_value(node)
        callee = self.source.text(func, limit=40)
        return self.unresolved(node, f"the result of {callee}() is known only at run time")

    def _is_builtin(self, name: cst.Name) -> bool:
        if name.value in self.ctx.imports.names:
            return False
        return self.ctx.scopes.lookup(name.value, self.source.start(name)) is None

    def _environment(self, node: cst.CSTNode, key: cst.BaseExpression | None) -> Value:
        variable = "?"
        if key is not None:
            value = self.evaluate(key)
            if isinstance(value, Located) and isinstance(value.value, str):
                variable = value.value
        return self.unresolved(node, f"depends on the environment variable {variable}")

    def _arguments(
        self, node: cst.Call, names: tuple[str, ...]
    ) -> dict[str, cst.BaseExpression] | None:
        """Positional/keyword arguments by parameter name; ``None`` if they do not fit."""
        found: dict[str, cst.BaseExpression] = {}
        for position, arg in enumerate(node.args):
            if arg.star:
                return None
            if arg.keyword is None:
                if position >= len(names):
                    return None
                found[names[position]] = arg.value
            elif arg.keyword.value in names:
                found[arg.keyword.value] = arg.value
            else:
                return None
        return found

    def _split(self, node: cst.Call, func: cst.Attribute) -> Value:
        receiver = self.evaluate(func.value)
        if isinstance(receiver, Unresolved):
            return self.unresolved(node, receiver.reason)
        args = self._arguments(node, ("sep", "maxsplit"))
        if not isinstance(receiver.value, str) or args is None:
            return self.unresolved(node, "split() is only evaluated on a string")
        sep: object = None
        maxsplit: object = -1
        if "sep" in args:
            sep_value = self.evaluate(args["sep"])
            if isinstance(sep_value, Unresolved):
                return self.unresolved(node, sep_value.reason)
            sep = sep_value.value
        if "maxsplit" in args:
            maxsplit_value = self.evaluate(args["maxsplit"])
            if isinstance(maxsplit_value, Unresolved):
                return self.unresolved(node, maxsplit_value.reason)
            maxsplit = maxsplit_value.value
        if not (sep is None or (isinstance(sep, str) and sep)) or not isinstance(maxsplit, int):
            return self.unresolved(node, "split() arguments are not a separator and a count")
        pieces = receiver.value.split(sep, maxsplit)
        spans = self._piece_spans(receiver, sep, maxsplit)
        items: list[Located | Unresolved] = [
            Located(piece, spans[i] if spans else receiver.span, path=receiver.path)
            for i, piece in enumerate(pieces)
        ]
        return Located(
            items,
            self.source.span(node),
            container="list",
            split_from_string=True,
            path=self.ctx.value_path,
        )

    def _piece_spans(self, receiver: Located, sep: str | None, maxsplit: int) -> list[Span] | None:
        """Spans of the split pieces inside the receiver's literal, when they map."""
        source = self.guard.sources.get(receiver.path)
        if source is None or not isinstance(receiver.value, str):
            return None
        span = receiver.span
        text = source.line(span.line)[span.column - 1 : span.end_column - 1]
        return piece_spans(text, span, receiver.value, sep, maxsplit)

    def _join(self, node: cst.Call, func: cst.Attribute) -> Value:
        separator = self.evaluate(func.value)
        if isinstance(separator, Unresolved):
            return self.unresolved(node, separator.reason)
        if not isinstance(separator.value, str) or len(node.args) != 1 or node.args[0].keyword:
            return self.unresolved(node, "join() is only evaluated on a string")
        parts = self.evaluate(node.args[0].value)
        if isinstance(parts, Unresolved):
            return self.unresolved(node, parts.reason)
        if parts.container not in ("list", "tuple"):
            return self.unresolved(node, "join() of something other than a list or tuple")
        texts = []
        for item in parts.items:
            if isinstance(item, Unresolved):
                return self.unresolved(node, item.reason)
            if not isinstance(item.value, str):
                return self.unresolved(node, "join() of non-strings")
            texts.append(item.value)
        return self.located(separator.value.join(texts), node)

    def _get(self, node: cst.Call, func: cst.Attribute) -> Value:
        args = self._arguments(node, ("key", "default"))
        if args is None or "key" not in args:
            return self.unresolved(node, "get() with unexpected arguments")
        entries = self.dict_entries(func.value)
        if isinstance(entries, Unresolved):
            return self.unresolved(node, entries.reason)
        key = self.evaluate(args["key"])
        if isinstance(key, Unresolved) or not isinstance(key.value, str):
            return self.unresolved(node, "the key is not a string known statically")
        if key.value not in entries.entries and not entries.unknown:
            if "default" in args:
                return self.evaluate(args["default"])
            return self.located(None, node)
        return entries.lookup(key.value, lambda why: self.unresolved(node, why))

    def _copy(self, node: cst.Call, func: cst.Attribute) -> Value:
        if node.args:
            return self.unresolved(node, "copy() with arguments")
        value = self.evaluate(func.value)
        if isinstance(value, Unresolved):
            return self.unresolved(node, value.reason)
        if value.container:
            return value
        return self.unresolved(node, "copy() of something other than a container")

    def _convert(self, node: cst.Call, kind: str) -> Value:
        args = [arg for arg in node.args if arg.keyword is None]
        keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
        if any(arg.star for arg in node.args) or len(args) > 1:
            return self.unresolved(node, f"{kind}() with unexpected arguments")
        if not args:
            if kind == "sorted":
                return self.unresolved(node, "sorted() without arguments")
            return self.located([], node, container=kind)
        source = self.evaluate(args[0].value)
        if isinstance(source, Unresolved):
            return self.unresolved(node, source.reason)
        if isinstance(source.value, str) and not source.container:
            items: list[Located | Unresolved] = [
                Located(ch, source.span, path=source.path) for ch in source.value
            ]
        elif source.container in _SEQUENCES:
            items = source.items
        else:
            return self.unresolved(node, f"{kind}() of something other than a sequence")
        if kind == "set":
            return self.located(dedupe(items), node, container="set")
        if kind != "sorted":
            return self.located(items, node, container=kind)
        return self._sorted(node, items, keywords)

    def _sorted(
        self,
        node: cst.Call,
        items: list[Located | Unresolved],
        keywords: dict[str, cst.BaseExpression],
    ) -> Value:
        reverse: object = False
        if set(keywords) - {"reverse"}:
            return self.unresolved(node, "sorted() with a key function")
        if "reverse" in keywords:
            flag = self.evaluate(keywords["reverse"])
            if isinstance(flag, Unresolved):
                return self.unresolved(node, flag.reason)
            reverse = flag.value
        known: list[Located] = [
            item for item in items if isinstance(item, Located) and not item.container
        ]
        kinds = {type(item.value) for item in known}
        if len(known) != len(items) or not (kinds <= {str} or kinds <= {int, float}):
            return self.unresolved(node, "sorted() of values that are not all known strings")
        ordered: list[Located | Unresolved] = [*sorted(known, key=sort_key, reverse=bool(reverse))]
        return self.located(ordered, node, container="list")

    # -- subscripts ---------------------------------------------------------

    def _subscript(self, node: cst.Subscript) -> Value:
        qualified = self.qualify(node.value)
        if len(node.slice) != 1:
            return self.unresolved(node, "multi-dimensional subscripts are not evaluated")
        index = node.slice[0].slice
        if qualified is not None and qualified.dotted == "os.environ":
            variable = index.value if isinstance(index, cst.Index) else None
            return self._environment(node, variable)
        if isinstance(index, cst.Slice):
            return self._slice(node, index)
        assert isinstance(index, cst.Index)
        return self._item(node, self.evaluate(index.value))

    def _item(self, node: cst.Subscript, key: Value) -> Value:
        """``node.value[key]`` for a string key of a dict or an integer index of a sequence."""
        if isinstance(key, Unresolved):
            return self.unresolved(node, key.reason)
        anchor: Anchor = lambda why: self.unresolved(node, why)  # noqa: E731
        if isinstance(key.value, str):
            entries = self.dict_entries(node.value)
            if isinstance(entries, Unresolved):
                return anchor(entries.reason)
            return entries.lookup(key.value, anchor)
        container = self.evaluate(node.value)
        if isinstance(container, Unresolved):
            return anchor(container.reason)
        if isinstance(key.value, int) and container.container in ("list", "tuple"):
            items = container.items
            if -len(items) <= key.value < len(items):
                return items[key.value]
            return anchor("index out of range")
        return anchor("subscript of something other than a list, tuple or dict")

    def _slice(self, node: cst.Subscript, index: cst.Slice) -> Value:
        bounds: list[int | None] = []
        for part in (index.lower, index.upper, index.step):
            if part is None:
                bounds.append(None)
                continue
            value = self.evaluate(part)
            if isinstance(value, Unresolved) or not isinstance(value.value, int):
                return self.unresolved(node, "slice bounds are not known integers")
            bounds.append(value.value)
        container = self.evaluate(node.value)
        if isinstance(container, Unresolved):
            return self.unresolved(node, container.reason)
        if container.container not in ("list", "tuple") or bounds[2] == 0:
            return self.unresolved(node, "slice of something other than a list or tuple")
        items = container.items[slice(*bounds)]
        return self.located(items, node, container=container.container)

    # -- dicts --------------------------------------------------------------

    def _dict_value(self, node: cst.BaseExpression) -> Value:
        entries = self.dict_entries(node)
        if isinstance(entries, Unresolved):
            return entries
        return entries.to_value(lambda why: self.unresolved(node, why))

    def _dict_entries(self, node: cst.BaseExpression) -> DictEntries | Unresolved:
        if isinstance(node, cst.Dict):
            return self._dict_literal(node)
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "dict"
            and self._is_builtin(node.func)
        ):
            return self._dict_call(node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            merged = DictEntries(self.source.span(node), self.ctx.value_path)
            for side in (node.left, node.right):
                part = self.dict_entries(side)
                if isinstance(part, Unresolved):
                    return self.unresolved(node, part.reason)
                merged.spread(part)
            return merged
        if isinstance(node, cst.Name):
            followed = self._follow_dict_name(node)
            if followed is not None:
                return followed
        value = self.evaluate(node)
        if isinstance(value, Unresolved):
            return value
        if value.container == "dict":
            return DictEntries.from_located(value)
        return self.unresolved(node, "not a dict")

    def _follow_dict_name(self, node: cst.Name) -> DictEntries | Unresolved | None:
        """A name bound to a dict expression, followed structurally (keeps partial knowledge)."""
        at = self.source.start(node)
        binding = self.ctx.scopes.lookup(node.value, at)
        if not isinstance(binding, Assigned) or binding.index:
            return None
        if self.ctx.scopes.mutation(node.value, binding, at) is not None:
            return None
        with self._entering(binding) as ok:
            if not ok:
                return self.unresolved(node, f"'{node.value}' is defined in terms of itself")
            return self.dict_entries(binding.value)

    def _dict_literal(self, node: cst.Dict) -> DictEntries:
        result = DictEntries(self.source.span(node), self.ctx.value_path)
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                assert isinstance(element, cst.StarredDictElement)
                result.spread(self.dict_entries(element.value))
                continue
            key = self.evaluate(element.key)
            if isinstance(key, Located) and isinstance(key.value, str):
                entry = DictEntry(key.span, key.path, self.evaluate(element.value))
                result.put(key.value, entry)
            else:
                reason = "the key is not a string known statically"
                result.spread(self.unresolved(element.key, reason))
        return result

    def _dict_call(self, node: cst.Call) -> DictEntries:
        result = DictEntries(self.source.span(node), self.ctx.value_path)
        for arg in node.args:
            if arg.keyword is not None:
                entry = DictEntry(
                    self.source.span(arg.keyword), self.ctx.value_path, self.evaluate(arg.value)
                )
                result.put(arg.keyword.value, entry)
            elif arg.star == "*":
                result.spread(self.unresolved(arg.value, "dict() of an iterable of pairs"))
            else:
                result.spread(self.dict_entries(arg.value))
        return result
