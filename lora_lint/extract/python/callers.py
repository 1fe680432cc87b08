"""What a function's parameter holds, from the code that calls it (data flow, never a guess).

``def train(model): get_peft_model(model, config)`` says nothing about the model until
the file calls ``train(AutoModelForCausalLM.from_pretrained("x"))``. A parameter is
followed to its callers only when every use of the function in the module is a plain
call that names the argument: a function passed around as a value, decorated, a method
(an override may replace it) or called with ``*args``/``**kwargs`` keeps its parameters
unknown, and so does one that is never called in the file.

marimo notebooks (``@app.cell`` functions of a ``marimo.App``) are another source: a
cell's parameters are the names other cells define, and marimo refuses a notebook in
which two cells define the same name, so the one cell that defines it is where the value
comes from.

pytest fixtures are the third: a test's (or fixture's) parameter is the value of the
fixture of that name pytest picks, when that fixture is in the same file (the test's own
class first, then the module; pytest prefers both to a conftest.py) and the test is not
parametrized over the name. Values of calls to functions of the same file are their
``return`` values (every one of them); methods are not followed, an override elsewhere
may replace them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import descendants, walk
from lora_lint.extract.python.catalog import testing_utils_skip
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.scopes import (
    Assigned,
    Binding,
    Defined,
    Imported,
    Parameter,
    bound_names,
)


@dataclass
class _Uses(cst.CSTVisitor):
    """Every name read in the module, the calls made through a bare name, methods, cells."""

    names: dict[str, list[cst.Name]] = field(default_factory=dict)
    #: id(call.func) -> call, for calls whose callee is a bare name
    calls: dict[int, cst.Call] = field(default_factory=dict)
    #: Name nodes that are not reads (keywords, attributes, definitions, import aliases)
    not_reads: set[int] = field(default_factory=set)
    #: id(method) -> its class
    methods: dict[int, cst.ClassDef] = field(default_factory=dict)
    #: Attribute nodes by attribute name (``x.name``), and id(call.func) -> call for calls
    #: through an attribute (``self.check(...)``)
    attributes: dict[str, list[cst.Attribute]] = field(default_factory=dict)
    method_calls: dict[int, cst.Call] = field(default_factory=dict)
    #: Names every class of the file derives from (a subclass may override a method)
    base_names: set[str] = field(default_factory=set)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.setdefault(node.value, []).append(node)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.calls[id(node.func)] = node
        elif isinstance(node.func, cst.Attribute):
            self.method_calls[id(node.func)] = node

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.not_reads.add(id(node.keyword))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.not_reads.add(id(node.attr))
        self.attributes.setdefault(node.attr.value, []).append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.not_reads.add(id(node.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.not_reads.add(id(node.name))
        self.base_names.update(b.value.value for b in node.bases if isinstance(b.value, cst.Name))
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.FunctionDef):
                self.methods[id(stmt)] = node

    def visit_Param(self, node: cst.Param) -> None:
        self.not_reads.add(id(node.name))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        for part in (node.name, node.asname.name if node.asname else None):
            if isinstance(part, cst.Name):
                self.not_reads.add(id(part))


class Callers:
    """Arguments of a module's functions at their call sites, and marimo cell inputs."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self._uses: _Uses | None = None
        self._cells: list[cst.FunctionDef] | None = None
        self._parametrized: set[str] | None = None

    @property
    def uses(self) -> _Uses:
        if self._uses is None:
            self._uses = _Uses()
            walk(self.ctx.source.module, self._uses)
        return self._uses

    def arguments(self, param: Parameter) -> list[cst.BaseExpression] | None:
        """The expression given for ``param`` at every call of its function in the module.

        None when that is not known for every use: the function is decorated, a method,
        used other than by a plain call, never called, or a call passes ``*``/``**``
        arguments or omits a parameter that has no default.
        """
        function = param.function
        if function.decorators or id(function) in self.uses.methods or function.asynchronous:
            return None
        found: list[cst.BaseExpression] = []
        for ref in self.uses.names.get(function.name.value, ()):
            if id(ref) in self.uses.not_reads:
                continue
            binding = self.ctx.scopes.lookup(ref.value, self.ctx.source.start(ref))
            if not (isinstance(binding, Defined) and binding.node is function):
                continue  # another object of the same name
            call = self.uses.calls.get(id(ref))
            if call is None:
                return None  # passed around as a value: its callers are unknown
            value = _argument_for(call, function, param.param)
            if value is None:
                return None
            found.append(value)
        return found or None

    def subclassed(self, cls: cst.ClassDef) -> bool:
        """Whether a class of the file names ``cls`` as a base (it may override methods)."""
        return cls.name.value in self.uses.base_names

    def passed(self, param: Parameter) -> list[cst.BaseExpression] | None:
        """What the calls of ``param``'s function (or ``self.method(...)``) pass for it."""
        return self.arguments(param) or self.method_arguments(param)

    def method_arguments(self, param: Parameter) -> list[cst.BaseExpression] | None:
        """A method's parameter: what every ``self.method(...)`` call passes, when those are
        all the method's uses in the file (test helpers such as ``self._check(model, cfg)``).

        None when the method is decorated, a test (pytest fills its parameters), its class
        has a subclass in the file (which may override it), its name is used any other way
        (``obj.method(...)``, ``getattr``, passed as a value), or a call passes ``*``/``**``.
        A subclass in another file could still override it; the file cannot show that, like
        any other value the linter follows.
        """
        function = param.function
        owner = self.uses.methods.get(id(function))
        params = function.params.params
        if owner is None or function.decorators or function.asynchronous:
            return None
        if not params or params[0].name.value != "self" or params[0] is param.param:
            return None
        name = function.name.value
        if name.startswith("test") or self.subclassed(owner):
            return None
        found: list[cst.BaseExpression] = []
        for attribute in self.uses.attributes.get(name, ()):
            call = self.uses.method_calls.get(id(attribute))
            value = attribute.value
            if call is None or not (isinstance(value, cst.Name) and value.value == "self"):
                return None  # used another way: its callers are unknown
            caller = self.ctx.scopes.function_at(self.ctx.source.start(call))
            if caller is None or self.uses.methods.get(id(caller)) is not owner:
                return None
            argument = _argument_for(call, function, param.param, bound=True)
            if argument is None:
                return None
            found.append(argument)
        return found or None

    def cell_input(self, param: Parameter) -> Binding | None:
        """A marimo cell's parameter: the binding of the one other cell that defines it."""
        function = param.function
        if not self._is_cell(function):
            return None
        name = param.param.name.value
        found: list[Binding] = []
        for cell in self.cells():
            if cell is function or not isinstance(cell.body, cst.IndentedBlock):
                continue
            body = cell.body.body
            if not body:
                continue
            binding = self.ctx.scopes.lookup(name, self.ctx.source.start(body[-1]))
            anchor = _node_of(binding)
            if binding is not None and anchor is not None and self._inside(cell, anchor):
                found.append(binding)
        return found[0] if len(found) == 1 else None

    def returns(self, call: cst.Call) -> list[cst.BaseExpression] | None:
        """Every value a call of a plain function of this file may return (None: unknown)."""
        function = self._plain_callee(call)
        return _results(function, yields=False) if function is not None else None

    def _plain_callee(self, call: cst.Call) -> cst.FunctionDef | None:
        if not isinstance(call.func, cst.Name):
            return None
        binding = self.ctx.scopes.lookup(call.func.value, self.ctx.source.start(call.func))
        if not (isinstance(binding, Defined) and isinstance(binding.node, cst.FunctionDef)):
            return None
        function = binding.node
        if function.decorators or function.asynchronous or id(function) in self.uses.methods:
            return None
        return function

    def method_returns(self, call: cst.Call) -> list[cst.BaseExpression] | None:
        """``self.make()`` inside a method: what ``make`` of the same class returns. The
        callers check first that no class of the file derives from that class (a subclass
        may override ``make``); one in another file could too, which the file cannot show."""
        method = self._method_callee(call)
        return _results(method, yields=False) if method is not None else None

    def _method_callee(self, call: cst.Call) -> cst.FunctionDef | None:
        func = call.func
        if not (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
        ):
            return None
        caller = self.ctx.scopes.function_at(self.ctx.source.start(call))
        owner = self.uses.methods.get(id(caller)) if caller is not None else None
        if owner is None or caller is None or not caller.params.params:
            return None
        if caller.params.params[0].name.value != "self":
            return None
        for stmt in owner.body.body if isinstance(owner.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == func.attr.value:
                return stmt
        return None

    def call_arguments(
        self, call: cst.Call
    ) -> tuple[cst.FunctionDef, dict[str, cst.BaseExpression]] | None:
        """The function (or ``self.method``) of this file ``call`` runs, and what the call
        binds to each parameter the body never rebinds (defaults included): the values of
        those names in what it returns."""
        function = self._plain_callee(call)
        bound = function is None
        if function is None:
            function = self._method_callee(call)
        if function is None:
            return None
        params = function.params
        rebound = bound_names(function.body)
        found: dict[str, cst.BaseExpression] = {}
        for param in [*params.posonly_params, *params.params, *params.kwonly_params][int(bound) :]:
            if param.name.value in rebound:
                continue
            argument = _argument_for(call, function, param, bound=bound)
            if argument is not None:
                found[param.name.value] = argument
        return function, found

    def method_owner(self, call: cst.Call) -> cst.ClassDef | None:
        """The class whose method makes the ``self.make()`` call."""
        caller = self.ctx.scopes.function_at(self.ctx.source.start(call))
        return self.uses.methods.get(id(caller)) if caller is not None else None

    def fixture_values(self, param: Parameter) -> list[cst.BaseExpression] | None:
        """A test's (or fixture's) parameter: the values of the same-file fixture pytest
        uses for it (None: not a test, parametrized over the name, or no such fixture)."""
        function = param.function
        name = param.param.name.value
        owner = self.uses.methods.get(id(function))
        if (
            owner is not None
            and function.params.params
            and function.params.params[0] is param.param
        ):
            return None  # self
        if not (function.name.value.startswith("test") or self._fixture_name(function)):
            return None
        if not function.name.value.startswith("test") and self._parametrized_anywhere(name):
            return None  # a test parametrizing the name overrides it in the fixtures it uses
        for decorator in [*function.decorators, *(owner.decorators if owner else ())]:
            if not self._pytest_decorator(decorator.decorator, parametrize_name=name):
                return None
        fixture = None
        if owner is not None:
            fixture = self._fixture_in(owner.body, name)
            if fixture is None and owner.bases:
                return None  # a base class (of this file or imported) may define it
        if fixture is None:
            fixture = self._fixture_in(self.ctx.source.module, name)
        if fixture is None or fixture.asynchronous:
            return None
        return _results(fixture, yields=True)

    def parametrized_values(self, param: Parameter) -> list[cst.BaseExpression] | None:
        """A test's parameter that ``@pytest.mark.parametrize`` supplies: every value of its
        list (a literal, or a module-level name bound once to one), ``pytest.param(v)``
        unwrapped; None when the list or the names are not written out."""
        name = param.param.name.value
        for decorator in param.function.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not call.args:
                continue
            qualified = self.ctx.imports.qualify(call.func)
            if qualified is not None and qualified.dotted.endswith("parameterized.expand"):
                return self._expanded_values(param, call)
            if len(call.args) < 2 or qualified is None:
                continue
            if qualified.dotted != "pytest.mark.parametrize":
                continue
            names = _parametrize_names(call.args[0].value)
            if names is None or name not in names:
                continue
            values = self._literal_list(call.args[1].value)
            if values is None:
                return None
            index = names.index(name)
            found: list[cst.BaseExpression] = []
            for written in values:
                value = _unwrap_param(written, self.ctx)
                if len(names) == 1:
                    found.append(value)
                elif isinstance(value, cst.Tuple | cst.List) and len(value.elements) == len(names):
                    element = value.elements[index]
                    if isinstance(element, cst.StarredElement):
                        return None
                    found.append(element.value)
                else:
                    return None
            return found
        return None

    def _expanded_values(self, param: Parameter, call: cst.Call) -> list[cst.BaseExpression] | None:
        """``@parameterized.expand(cases)``: the test's parameters, in order after ``self``,
        take each case's items (a tuple per case, ``param(...)`` unwrapped, a bare value for
        a one-parameter test); ``itertools.combinations/permutations/product`` of a literal
        list give each parameter any element of it."""
        names = [p.name.value for p in param.function.params.params]
        if names and names[0] == "self":
            names = names[1:]
        name = param.param.name.value
        if name not in names:
            return None
        index = names.index(name)
        cases = call.args[0].value
        if isinstance(cases, cst.Call):
            combined = self.ctx.imports.qualify(cases.func)
            if combined is None or combined.dotted not in _ITERTOOLS_COMBINERS:
                return None
            pools = [a.value for a in cases.args if a.keyword is None and not a.star]
            pool = (
                pools[index]
                if combined.dotted == "itertools.product" and len(pools) > 1
                else (pools[0] if pools else None)
            )
            return self._literal_list(pool) if pool is not None else None
        values = self._literal_list(cases)
        if values is None:
            return None
        found: list[cst.BaseExpression] = []
        for written in values:
            value = _unwrap_param(written, self.ctx, "parameterized.param")
            if isinstance(value, cst.Tuple | cst.List) and len(value.elements) == len(names):
                element = value.elements[index]
                if isinstance(element, cst.StarredElement):
                    return None
                found.append(element.value)
            elif len(names) == 1 and not isinstance(value, cst.Tuple | cst.List):
                found.append(value)
            else:
                return None
        return found

    def _literal_list(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        """A list/tuple literal, a name bound once to one, or ``CASES.values()`` /
        ``CASES.items()`` of a dict literal bound once (items as ``(key, value)`` pairs)."""
        view = None
        if (
            isinstance(node, cst.Call)
            and not node.args
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("values", "items")
        ):
            view, node = node.func.attr.value, node.func.value
        if isinstance(node, cst.Name):
            binding = self.ctx.scopes.lookup(node.value, self.ctx.source.start(node))
            if not isinstance(binding, Assigned) or binding.index:
                return None
            if self.ctx.scopes.mutation(node.value, binding, self.ctx.source.start(node)):
                return None
            node = binding.value
        if view is not None:
            if not isinstance(node, cst.Dict):
                return None
            elements = node.elements
            if not all(isinstance(e, cst.DictElement) for e in elements):
                return None  # **other
            pairs = [e for e in elements if isinstance(e, cst.DictElement)]
            if view == "values":
                return [e.value for e in pairs]
            return [cst.Tuple([cst.Element(e.key), cst.Element(e.value)]) for e in pairs]
        if not isinstance(node, cst.List | cst.Tuple):
            return None
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        return [e.value for e in node.elements]

    def _parametrized_anywhere(self, name: str) -> bool:
        """Some test of the file may supply ``name`` itself: a ``parametrize`` naming it (or
        whose names are not written out) or a ``pytest_generate_tests`` hook."""
        if self._parametrized is None:
            names: set[str] = set()
            for node in descendants(self.ctx.source.module):
                if isinstance(node, cst.FunctionDef) and node.name.value == "pytest_generate_tests":
                    names.add("*")
                if not isinstance(node, cst.Decorator) or not isinstance(node.decorator, cst.Call):
                    continue
                call = node.decorator
                qualified = self.ctx.imports.qualify(call.func)
                if qualified is None or not qualified.dotted.endswith("parametrize"):
                    continue
                written = _parametrize_names(call.args[0].value) if call.args else None
                names.update(written if written is not None else ["*"])
            self._parametrized = names
        return name in self._parametrized or "*" in self._parametrized

    def _fixture_in(self, block: cst.CSTNode, name: str) -> cst.FunctionDef | None:
        body = block.body if isinstance(block, (cst.Module, cst.IndentedBlock)) else []
        found = None
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef) and self._fixture_name(stmt) == name:
                found = stmt  # the last definition wins
        return found

    def _fixture_name(self, function: cst.FunctionDef) -> str | None:
        for decorator in function.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            qualified = self.ctx.imports.qualify(call.func if call else expr)
            if qualified is None or qualified.dotted != "pytest.fixture":
                continue
            for arg in call.args if call else ():
                if arg.keyword is not None and arg.keyword.value == "name":
                    named = arg.value
                    if isinstance(named, cst.SimpleString) and isinstance(
                        named.evaluated_value, str
                    ):
                        return named.evaluated_value
                    return None
            return function.name.value
        return None

    def _pytest_decorator(self, expr: cst.BaseExpression, *, parametrize_name: str) -> bool:
        """A ``pytest.fixture``/``pytest.mark.*`` decorator that does not parametrize the
        name, or a ``require_*``/``slow`` skip decorator of a ``testing_utils`` module
        (anything else, e.g. ``parameterized.expand``, may supply the argument)."""
        call = expr if isinstance(expr, cst.Call) else None
        qualified = self.ctx.imports.qualify(call.func if call else expr)
        if qualified is not None and testing_utils_skip(qualified.dotted):
            return True  # @require_torch_gpu: skips the test, passes no argument
        if qualified is None or not (
            qualified.dotted == "pytest.fixture" or qualified.dotted.startswith("pytest.mark.")
        ):
            return False
        if qualified.dotted != "pytest.mark.parametrize":
            return True
        names = call.args[0].value if call and call.args else None
        if not isinstance(names, cst.SimpleString) or not isinstance(names.evaluated_value, str):
            return False
        return parametrize_name not in [n.strip() for n in names.evaluated_value.split(",")]

    def _inside(self, function: cst.FunctionDef, node: cst.CSTNode) -> bool:
        return self.ctx.source.contains(function.body, self.ctx.source.start(node))

    def cells(self) -> list[cst.FunctionDef]:
        """The module-level ``@app.cell`` functions (empty unless ``app = marimo.App(...)``)."""
        if self._cells is None:
            module = self.ctx.source.module
            self._cells = [
                stmt
                for stmt in module.body
                if isinstance(stmt, cst.FunctionDef) and self._is_cell(stmt)
            ]
        return self._cells

    def _is_cell(self, function: cst.FunctionDef) -> bool:
        if not any(stmt is function for stmt in self.ctx.source.module.body):
            return False
        for decorator in function.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):
                expr = expr.func
            if (
                isinstance(expr, cst.Attribute)
                and expr.attr.value == "cell"
                and isinstance(expr.value, cst.Name)
                and self._is_marimo_app(expr.value)
            ):
                return True
        return False

    def _is_marimo_app(self, name: cst.Name) -> bool:
        binding = self.ctx.scopes.lookup(name.value, self.ctx.source.start(name))
        if not (isinstance(binding, Assigned) and not binding.index):
            return False
        value = binding.value
        if not isinstance(value, cst.Call):
            return False
        qualified = self.ctx.imports.qualify(value.func)
        return qualified is not None and qualified.dotted == "marimo.App"


class _Results(cst.CSTVisitor):
    """``return``/``yield`` statements of one function (not of functions nested in it)."""

    def __init__(self) -> None:
        self.returns: list[cst.Return] = []
        self.yields: list[cst.Yield] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _results(function: cst.FunctionDef, *, yields: bool) -> list[cst.BaseExpression] | None:
    """The values ``function`` returns (a fixture: yields, once); None when one is bare."""
    found = _Results()
    for stmt in function.body.body if isinstance(function.body, cst.IndentedBlock) else ():
        walk(stmt, found)
    if found.yields:
        if not yields or len(found.yields) != 1 or found.returns:
            return None
        value = found.yields[0].value
        return [value] if isinstance(value, cst.BaseExpression) else None
    values = [r.value for r in found.returns]
    if not values or any(v is None for v in values):
        return None  # may fall off the end or return nothing
    return [v for v in values if v is not None]


def _node_of(binding: Binding | None) -> cst.CSTNode | None:
    if isinstance(binding, Assigned):
        return binding.statement
    if isinstance(binding, Imported):
        return binding.statement
    if isinstance(binding, Defined):
        return binding.node
    return None


def _argument_for(
    call: cst.Call, function: cst.FunctionDef, param: cst.Param, *, bound: bool = False
) -> cst.BaseExpression | None:
    """What ``call`` binds to ``param`` (its default when omitted); None if unknown.
    ``bound``: a call through ``self``, which fills the first parameter itself."""
    if any(arg.star for arg in call.args):
        return None
    params = function.params
    positional: Sequence[cst.Param] = [*params.posonly_params, *params.params][int(bound) :]
    given = [arg.value for arg in call.args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    for index, candidate in enumerate(positional):
        if candidate is param:
            if index < len(given):
                return given[index]
            break
    else:
        if not any(p is param for p in params.kwonly_params):
            return None  # *args / **kwargs: not followed
    if any(p is param for p in params.posonly_params):
        return param.default
    return keywords.get(param.name.value, param.default)


#: ``itertools`` functions whose items are drawn from the iterables they are given.
_ITERTOOLS_COMBINERS = frozenset(
    {"itertools.combinations", "itertools.permutations", "itertools.product"}
)


def _parametrize_names(node: cst.BaseExpression) -> list[str] | None:
    """``"a, b"`` or ``("a", "b")`` as parametrize writes its argument names."""
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return [n.strip() for n in node.evaluated_value.split(",")]
    if isinstance(node, cst.List | cst.Tuple):
        names = []
        for element in node.elements:
            value = element.value
            if not (isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str)):
                return None
            names.append(value.evaluated_value.strip())
        return names
    return None


def _unwrap_param(
    value: cst.BaseExpression, ctx: ModuleContext, wrapper: str = "pytest.param"
) -> cst.BaseExpression:
    """``pytest.param(a, b, id=...)`` is the tuple ``(a, b)`` (one value: ``a``)."""
    if not isinstance(value, cst.Call):
        return value
    qualified = ctx.imports.qualify(value.func)
    if qualified is None or not qualified.dotted.endswith(wrapper):
        return value
    positional = [a for a in value.args if a.keyword is None and not a.star]
    if len(positional) == 1:
        return positional[0].value
    return cst.Tuple([cst.Element(a.value) for a in positional])
