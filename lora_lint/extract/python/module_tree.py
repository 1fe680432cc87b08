"""The module tree of an ``nn.Module`` class of the linted code, read from its source.

Research code and test suites apply LoRA to their own models: ``get_peft_model(MLP(),
config)``. No Hugging Face config describes such a model, and lora-lint never runs the
linted code, so the tree ``named_modules()`` would list is read from the class the way
PyTorch builds it: ``__init__`` (and the ``__init__`` of the classes it inherits from in
the same file) registers a submodule for every ``self.NAME = <module>``, in order.

The reading is exact or it gives up. A tree is produced only when every assignment to
``self`` in ``__init__`` is understood:

* a ``torch.nn`` class of :data:`.torch_modules.TORCH_MODULES` (leaves whose children and parameters
  are known, ``MultiheadAttention`` with its ``out_proj``), transformers' ``Conv1D``,
  ``Sequential``/``ModuleList``/``ModuleDict`` of such modules (list literals,
  ``[Block() for _ in range(n)]`` with a static ``n``, ``OrderedDict`` pairs), or another
  module class of the same file (read the same way, with the arguments of the call);
* or a value that cannot be a module (numbers, strings, arithmetic, ``torch.float32``,
  tensors made by ``torch`` functions, ``nn.Parameter``).

Anything else gives up, with the reason: a call of an unknown function or class (a
Hugging Face model loaded inside, a helper), a parameter that may hold a module, a branch
whose condition is not static and which assigns to ``self``, loops or helpers that may
register modules (``setattr``, ``add_module``, ``self.layers.append``), a class decorator,
a base class that is not ``nn.Module`` or a class of the file. Shapes (``nn.Linear(dim,
4 * dim)``) are evaluated from literals, the call's arguments and parameter defaults;
when one is not static, the tree still holds (names and classes are what PEFT matches)
but its parameter counts are marked unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import descendants
from lora_lint.extract.python.catalog import loader_head
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.evaluator import Evaluator
from lora_lint.extract.python.scopes import Defined, Parameter
from lora_lint.extract.python.torch_modules import (
    HF_CONV1D,
    TORCH_MODULES,
    TorchModule,
    is_int,
    torch_params,
)
from lora_lint.extract.types import HF_HEAD, HF_MODEL, LocalModel, Located
from lora_lint.models import inventory as inv
from lora_lint.models.inventory import ModuleInfo

#: Modules in one tree before the reading gives up (a tree this large is not a toy model).
MAX_MODULES = 20_000
#: Nested module classes followed (a class that builds itself would never end).
MAX_DEPTH = 24

#: Keywords that carry the model id of ``from_pretrained``.
_MODEL_ID_KEYWORDS = ("pretrained_model_name_or_path", "model_name_or_path")

#: What a value is when the source does not say.
UNKNOWN = object()


class GiveUp(Exception):
    """The tree is not static; the message says why (shown to the user)."""


_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})
_MODULE_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module"})
#: ``torch`` functions that return tensors (never a module).
_TENSOR_FACTORIES = frozenset(
    {"randn", "rand", "zeros", "ones", "empty", "full", "tensor", "arange", "eye", "linspace"}
)
#: Builtins whose result is never a module.
_SCALAR_BUILTINS = frozenset(
    {"int", "float", "bool", "str", "len", "max", "min", "abs", "round", "sum", "tuple", "range"}
)
#: ``nn.Module`` methods that never register a submodule.
_HARMLESS_SELF_METHODS = frozenset(
    {
        "apply",
        "register_buffer",
        "register_parameter",
        "to",
        "eval",
        "train",
        "requires_grad_",
        "float",
        "half",
        "double",
        "bfloat16",
        "cpu",
        "cuda",
        "zero_grad",
        # read-only walks
        "modules",
        "named_modules",
        "children",
        "named_children",
        "parameters",
        "named_parameters",
        "buffers",
        "named_buffers",
    }
)


@dataclass
class _Node:
    """One module being built: a torch class, a container or a class of the file."""

    cls: str
    kind: str | None  # None: decided once the children are known (a class of the file)
    in_features: int | None = None
    out_features: int | None = None
    #: Direct parameters (name -> shape); None when they are not static.
    params: dict[str, tuple[int, ...]] | None = field(default_factory=dict)
    attrs: tuple[tuple[str, object], ...] = ()
    children: dict[str, _Node] = field(default_factory=dict)
    registered: bool = False


@dataclass
class _Frame:
    """The names one ``__init__`` run sees: its parameters, locals and ``self.X`` values
    (``cls`` None: the expression a container is built from outside any class)."""

    cls: cst.ClassDef | None
    node: _Node
    values: dict[str, object] = field(default_factory=dict)
    attributes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Closure:
    """A helper function and the static values one call of it gave its parameters."""

    function: cst.FunctionDef
    values: Mapping[str, object]


class ModuleTrees:
    """Reads the module tree of calls like ``MLP(bias=False)`` in one module."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.evaluator = Evaluator(ctx)
        self._closure: Closure | None = None
        self._count = 0
        #: Set while reading a tree whose parameters may be tied or replaced.
        self.inexact = False
        #: The instance read last sets ``self.config`` (PEFT reads its model type there).
        self.has_config = False

    # -- public -------------------------------------------------------------------------------

    def class_of(self, call: cst.Call) -> cst.ClassDef | None:
        """The class of the file ``call`` instantiates (``MLP()``), if any."""
        if not isinstance(call.func, cst.Name):
            return None
        binding = self.ctx.scopes.lookup(call.func.value, self.ctx.source.start(call))
        if isinstance(binding, Defined) and isinstance(binding.node, cst.ClassDef):
            return binding.node
        return None

    def container_of(self, call: cst.Call) -> str | None:
        """``Sequential``/``ModuleList``/``ModuleDict`` when ``call`` builds that torch
        container (``nn.Sequential(nn.Linear(10, 10))`` used as the model itself)."""
        qualified = self.ctx.imports.qualify(call.func)
        if qualified is None or not qualified.imported:
            return None
        dotted = qualified.dotted
        name = dotted.rsplit(".", 1)[-1]
        if name in _CONTAINERS and dotted.startswith(("torch.nn.", "torch.nn.modules.")):
            return name
        return None

    def read(
        self,
        call: cst.Call,
        cls: cst.ClassDef | None = None,
        closure: Closure | None = None,
    ) -> LocalModel | str:
        """The static tree of the instance ``call`` creates (of ``cls`` when the data flow
        says which class the callee is: a fixture returning the class; a torch container
        built in place), or why there is none. ``closure``: the helper function ``call`` is
        written in, with the static values the call that ran it gave its parameters."""
        env = dict(closure.values) if closure is not None else {}
        caller = _Frame(None, _Node(cls="", kind=None), values=env) if env else None
        self._closure = closure
        cls = cls or self.class_of(call)
        container = self.container_of(call) if cls is None else None
        if cls is None and container is None:
            return "not a class of this file"
        self._count = 0
        self.inexact = False
        self.has_config = False
        try:
            if cls is not None:
                root = self._instantiate(cls, call.args, caller, depth=0)
            else:
                assert container is not None
                frame = _Frame(None, _Node(cls=container, kind=None), values=env)
                root = self._container(container, call, frame, depth=0)
        except GiveUp as exc:
            name = cls.name.value if cls is not None else f"the nn.{container}"
            return f"the module tree of {name} is not static: {exc}"
        modules = tuple(self._flatten(root))
        exact = not self.inexact and all(m.params is not None for m in self._nodes(root))
        if cls is None:
            return LocalModel(
                class_name=root.cls,
                line=self.ctx.source.span(call).line,
                modules=modules,
                exact_shapes=exact,
                what=f"the nn.{root.cls} built",
            )
        return LocalModel(
            class_name=cls.name.value,
            line=self.ctx.source.span(cls).line,
            modules=modules,
            exact_shapes=exact,
            has_config=self.has_config,
        )

    # -- classes of the file --------------------------------------------------------------

    def _instantiate(
        self, cls: cst.ClassDef, args: Sequence[cst.Arg], caller: _Frame | None, depth: int
    ) -> _Node:
        """A new instance of ``cls`` built by a call with ``args`` (read in ``caller``)."""
        if depth > MAX_DEPTH:
            raise GiveUp("module classes nest too deeply")
        if cls.decorators:
            raise GiveUp(f"class {cls.name.value} is decorated")
        node = _Node(cls=cls.name.value, kind=None)
        frame = _Frame(cls, node)
        self._run_init(cls, args, caller, frame, depth)
        if depth == 0:
            self.has_config = "config" in frame.attributes
        return node

    def _plain_object(self, cls: cst.ClassDef) -> bool:
        """A class of the file whose instances cannot be modules: no base but ``object``, no
        metaclass, no ``__new__``, no decorator but ``dataclasses.dataclass``."""
        if cls.keywords or any(not _is_name(b.value, "object") for b in cls.bases):
            return False
        for decorator in cls.decorators:
            expr = decorator.decorator
            qualified = self.ctx.imports.qualify(expr.func if isinstance(expr, cst.Call) else expr)
            if qualified is None or qualified.dotted != "dataclasses.dataclass":
                return False
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
        return not any(isinstance(s, cst.FunctionDef) and s.name.value == "__new__" for s in body)

    def _base(self, cls: cst.ClassDef) -> cst.ClassDef | None:
        """The one base class: ``nn.Module`` (None) or a module class of the file."""
        if cls.keywords or len(cls.bases) != 1:
            raise GiveUp(f"class {cls.name.value} has several base classes or a metaclass")
        base = cls.bases[0].value
        qualified = self.ctx.imports.qualify(base)
        if qualified is not None and qualified.imported and qualified.dotted in _MODULE_BASES:
            return None
        if isinstance(base, cst.Name):
            binding = self.ctx.scopes.lookup(base.value, self.ctx.source.start(cls))
            if isinstance(binding, Defined) and isinstance(binding.node, cst.ClassDef):
                if binding.node.decorators:
                    raise GiveUp(f"class {base.value} is decorated")
                return binding.node
        raise GiveUp(
            f"class {cls.name.value} derives from {self.ctx.source.text(base)}, "
            "not nn.Module or a class of this file"
        )

    def _methods(self, cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
        found: dict[str, cst.FunctionDef] = {}
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                found[stmt.name.value] = stmt
            elif isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Assign, cst.AnnAssign)) and _names_setattr(s) for s in stmt.body
            ):
                raise GiveUp(f"class {cls.name.value} replaces __setattr__")
        if "__setattr__" in found or "__getattr__" in found or "__new__" in found:
            raise GiveUp(f"class {cls.name.value} customises attribute access")
        return found

    def _run_init(
        self,
        cls: cst.ClassDef,
        args: Sequence[cst.Arg],
        caller: _Frame | None,
        instance: _Frame,
        depth: int,
    ) -> None:
        """Run ``cls.__init__`` (or the inherited one) on ``instance``'s module."""
        base = self._base(cls)
        init = self._methods(cls).get("__init__")
        if init is None:
            if base is not None:
                self._run_init(base, args, caller, instance, depth)
            elif args:
                raise GiveUp(f"{cls.name.value}() takes no arguments")
            return
        if init.decorators:
            raise GiveUp(f"{cls.name.value}.__init__ is decorated")
        frame = _Frame(cls, instance.node, attributes=instance.attributes)
        frame.values.update(self._bind(init, args, caller))
        self._block(init.body, frame, base, depth)

    def _bind(
        self, function: cst.FunctionDef, args: Sequence[cst.Arg], caller: _Frame | None
    ) -> dict[str, object]:
        """``__init__``'s parameters from the call's arguments and the defaults."""
        params = function.params
        ordinary = [*params.posonly_params, *params.params]
        if not ordinary or ordinary[0].name.value != "self":
            raise GiveUp(f"{function.name.value} has no self parameter")
        positional = ordinary[1:]
        named = {p.name.value: p for p in [*positional, *params.kwonly_params]}
        star_args = params.star_arg if isinstance(params.star_arg, cst.Param) else None
        given: dict[str, object] = {}
        for index, arg in enumerate(args):
            if arg.star:
                raise GiveUp("arguments are passed with * or **")
            value = self._argument(arg.value, caller)
            if arg.keyword is None:
                if index < len(positional):
                    given[positional[index].name.value] = value
                elif star_args is None:
                    raise GiveUp("too many positional arguments")
            elif arg.keyword.value in named:
                given[arg.keyword.value] = value
            elif params.star_kwarg is None:
                raise GiveUp(f"unknown keyword argument {arg.keyword.value}")
        values: dict[str, object] = {}
        for name, param in named.items():
            if name in given:
                values[name] = given[name]
            elif param.default is not None:
                values[name] = self._argument(param.default, None)
            else:
                raise GiveUp(f"no value for the parameter {name}")
        for star in (star_args, params.star_kwarg):
            if isinstance(star, cst.Param):
                values[star.name.value] = _MAYBE_MODULE
        return values

    def _argument(self, expr: cst.BaseExpression, caller: _Frame | None) -> object:
        """An argument's value: a scalar, or ``_MAYBE_MODULE`` when it is not static (the
        parameter may then hold a module, so assigning it to ``self`` gives up)."""
        value = self._value(expr, caller)
        if value is not UNKNOWN:
            return value
        if isinstance(expr, cst.BinaryOperation | cst.UnaryOperation | cst.Comparison):
            return UNKNOWN  # arithmetic and tests are never modules
        return _MAYBE_MODULE

    # -- statements -----------------------------------------------------------------------

    def _block(
        self, block: cst.BaseSuite, frame: _Frame, base: cst.ClassDef | None, depth: int
    ) -> bool:
        """Run a block; True when ``__init__`` returns in it."""
        statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
        return any(self._statement(statement, frame, base, depth) for statement in statements)

    def _statement(
        self, stmt: cst.CSTNode, frame: _Frame, base: cst.ClassDef | None, depth: int
    ) -> bool:
        """Run one statement; True when ``__init__`` returns there."""
        if isinstance(stmt, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            for small in stmt.body:
                if isinstance(small, cst.Return):
                    return True
                self._small(small, frame, base, depth)
            return False
        if isinstance(stmt, cst.If):
            condition = self._value(stmt.test, frame)
            if condition is UNKNOWN:
                self._untouched(stmt, frame, "a branch whose condition is not static")
                return False
            if condition:
                return self._block(stmt.body, frame, base, depth)
            if isinstance(stmt.orelse, cst.If):
                return self._statement(stmt.orelse, frame, base, depth)
            if isinstance(stmt.orelse, cst.Else):
                return self._block(stmt.orelse.body, frame, base, depth)
            return False
        if isinstance(stmt, cst.For):
            items = self._loop_items(stmt, frame)
            if items is None:
                self._untouched(stmt, frame, "a for block over values that are not static")
                return False
            variable = stmt.target.value  # type: ignore[attr-defined]
            for item in items:  # run as Python does: one pass per value, in order
                frame.values[variable] = item
                if self._block(stmt.body, frame, base, depth):
                    return True
            return False
        if isinstance(stmt, cst.While | cst.With | cst.Try | cst.TryStar | cst.Match):
            self._untouched(stmt, frame, f"a {type(stmt).__name__.lower()} block")
            return False
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            frame.values[stmt.name.value] = UNKNOWN
            return False
        raise GiveUp(f"__init__ has a {type(stmt).__name__} statement")

    def _loop_items(self, stmt: cst.For, frame: _Frame) -> list[object] | None:
        """The values a ``for`` loop runs over when they are static and the loop is plain
        (one name, no ``else``, no ``break``/``continue``): ``range(n)``, a literal list or
        tuple of constants, a local tuple."""
        if not isinstance(stmt.target, cst.Name) or stmt.orelse is not None or stmt.asynchronous:
            return None
        if any(isinstance(n, cst.Break | cst.Continue) for n in descendants(stmt.body)):
            return None
        loop = stmt.iter
        if isinstance(loop, cst.Call) and _is_name(loop.func, "range"):
            if any(a.keyword or a.star for a in loop.args) or not loop.args:
                return None
            bounds = [self._value(a.value, frame) for a in loop.args]
            ints = [b for b in bounds if isinstance(b, int) and not isinstance(b, bool)]
            if len(ints) != len(bounds) or len(range(*ints)) > MAX_MODULES:
                return None
            return list(range(*ints))
        if isinstance(loop, cst.List | cst.Tuple):
            if any(isinstance(e, cst.StarredElement) for e in loop.elements):
                return None
            values = [self._value(e.value, frame) for e in loop.elements]
            return None if any(v is UNKNOWN for v in values) else values
        value = self._value(loop, frame)
        return list(value) if isinstance(value, tuple) else None

    def _untouched(self, stmt: cst.CSTNode, frame: _Frame, what: str) -> None:
        """A block not run statically: fine when it cannot register a module or return;
        the locals it assigns are no longer known."""
        for node in descendants(stmt):
            if isinstance(node, cst.Return | cst.Yield):
                raise GiveUp(f"{what} may return early")
            if isinstance(node, cst.AssignTarget) and _ties_parameter(node.target):
                self.inexact = True  # self.lm_head.weight = self.embed.weight, maybe
                continue
            if _touches_self(node):
                raise GiveUp(f"{what} changes self")
        for name in _assigned_names(stmt):
            frame.values[name] = _MAYBE_MODULE

    def _small(
        self, small: cst.BaseSmallStatement, frame: _Frame, base: cst.ClassDef | None, depth: int
    ) -> None:
        if isinstance(small, cst.Pass | cst.Assert):
            return
        if isinstance(small, cst.Expr):
            self._expression_statement(small.value, frame, base, depth)
            return
        if isinstance(small, cst.Assign | cst.AnnAssign):
            value = small.value
            if value is None:
                return  # a bare annotation
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            if len(targets) != 1:
                raise GiveUp("a chained assignment")
            self._assign(targets[0], value, frame, depth)
            return
        if isinstance(small, cst.AugAssign):
            if _is_self_attribute(small.target) is not None:
                name = _is_self_attribute(small.target)
                if isinstance(frame.attributes.get(name or ""), _Node):
                    raise GiveUp("a submodule is changed in place")
                frame.attributes[name or ""] = UNKNOWN
                return
            if isinstance(small.target, cst.Name):
                frame.values[small.target.value] = _MAYBE_MODULE  # layers += [...] too
                return
            raise GiveUp("an augmented assignment to an attribute")
        raise GiveUp(f"__init__ has a {type(small).__name__} statement")

    def _expression_statement(
        self, expr: cst.BaseExpression, frame: _Frame, base: cst.ClassDef | None, depth: int
    ) -> None:
        if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
            return  # a docstring
        if not isinstance(expr, cst.Call):
            if any(_touches_self(n) for n in descendants(expr)):
                raise GiveUp("an expression that may change self")
            return
        func = expr.func
        # super().__init__(...), super(Cls, self).__init__(...), Base.__init__(self, ...)
        if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
            owner = func.value
            args = list(expr.args)
            if isinstance(owner, cst.Call) and _is_name(owner.func, "super"):
                pass
            elif isinstance(owner, cst.Name | cst.Attribute):
                if not args or not _is_name(args[0].value, "self"):
                    raise GiveUp("an __init__ call on another object")
                args = args[1:]
                qualified = self.ctx.imports.qualify(owner)
                if qualified is not None and qualified.dotted in _MODULE_BASES:
                    return
                if not (base is not None and _is_name(owner, base.name.value)):
                    raise GiveUp(f"{self.ctx.source.text(owner)}.__init__ is not the base class")
            else:
                raise GiveUp("an unknown __init__ call")
            if base is None:
                return  # nn.Module.__init__: nothing registered
            self._run_init(base, args, frame, frame, depth)
            return
        if isinstance(func, cst.Attribute) and _is_name(func.value, "self"):
            method = func.attr.value
            own = self._family_methods(frame.cls) if frame.cls is not None else {}
            if method in ("add_module", "register_module") and method not in own:
                self._register_named(expr, frame, depth, method)
                return
            if method in _HARMLESS_SELF_METHODS and method not in own:
                return
            if method in own and self._leaves_tree_alone(own[method]):
                return  # self.reset_parameters(): initialises weights, registers nothing
            raise GiveUp(f"__init__ calls self.{method}(), which may register modules")
        if isinstance(func, cst.Attribute) and _is_self_attribute(func.value) is not None:
            target = frame.attributes.get(_is_self_attribute(func.value) or "")
            grown = isinstance(target, _Node) and self._grow(
                target, func.attr.value, expr, frame, depth
            )
            if grown:
                return  # self.layers.append(Block())
            if isinstance(target, _Node) or target is UNKNOWN:
                raise GiveUp(f"__init__ calls {self.ctx.source.text(func)}(), which may change it")
            return
        if _is_name(func, "setattr") and expr.args and _is_name(expr.args[0].value, "self"):
            self._register_named(expr, frame, depth, "setattr")
            return
        qualified = self.ctx.imports.qualify(func)
        if qualified is not None and qualified.imported and qualified.dotted.startswith("torch."):
            return  # nn.init.zeros_(self.lin.weight): torch functions register no module
        for arg in expr.args:
            if any(_is_name(n, "self") for n in descendants(arg.value)):
                raise GiveUp(f"__init__ passes self to {self.ctx.source.text(func)}()")
        if any(_touches_self(n) for n in descendants(func)):
            raise GiveUp(f"__init__ calls {self.ctx.source.text(func)}()")

    def _grow(self, target: _Node, method: str, call: cst.Call, frame: _Frame, depth: int) -> bool:
        """``append``/``extend`` on a ``ModuleList``/``Sequential`` built in ``__init__``:
        the new modules get the next indices. False for any other call."""
        if target.cls not in ("ModuleList", "Sequential") or method not in ("append", "extend"):
            return False
        if len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
            raise GiveUp(f"{target.cls}.{method}() with unusual arguments")
        value = self._module_value(call.args[0].value, frame, depth)
        items = [value] if method == "append" else value
        if not isinstance(items, list) or not all(isinstance(i, _Node) for i in items):
            raise GiveUp(f"{target.cls}.{method}() of values that are not known modules")
        for item in items:
            assert isinstance(item, _Node)
            if item.registered:
                raise GiveUp("one module is registered twice")
            item.registered = True
            target.children[str(len(target.children))] = item
        return True

    def _register_named(self, call: cst.Call, frame: _Frame, depth: int, how: str) -> None:
        """``self.add_module(name, module)`` / ``setattr(self, name, module)`` with a static
        name: the same as ``self.<name> = module``."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if how == "setattr":
            positional = positional[1:]
        if len(positional) != 2 or len(call.args) != len(positional) + (how == "setattr"):
            raise GiveUp(f"{how}() with unusual arguments")
        name = self._value(positional[0], frame)
        if not isinstance(name, str) or not name.isidentifier():
            raise GiveUp(f"{how}() with a name that is not static")
        value = self._module_value(positional[1], frame, depth)
        if how != "setattr" and not isinstance(value, _Node):
            raise GiveUp(f"{how}() of a value that is not a known module")
        self._set_attribute(frame, name, value)

    def _family_methods(self, cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
        """The methods ``cls`` has, its own first, then those it inherits from the file."""
        found: dict[str, cst.FunctionDef] = {}
        current: cst.ClassDef | None = cls
        while current is not None:
            for name, method in self._methods(current).items():
                found.setdefault(name, method)
            current = self._base(current)
        return found

    def _leaves_tree_alone(self, method: cst.FunctionDef) -> bool:
        """A method that assigns nothing to ``self``, calls no other method of ``self`` but
        read-only ones, and never hands ``self`` to a function (weight initialisers)."""
        if method.decorators:
            return False
        return not any(_touches_self(node) for node in descendants(method.body))

    def _assign(
        self, target: cst.BaseExpression, value: cst.BaseExpression, frame: _Frame, depth: int
    ) -> None:
        attribute = _is_self_attribute(target)
        if attribute is not None:
            result = self._module_value(value, frame, depth)
            self._set_attribute(frame, attribute, result)
            return
        if isinstance(target, cst.Name):
            frame.values[target.value] = self._module_value(value, frame, depth)
            return
        if isinstance(target, cst.Tuple | cst.List):
            if any(_touches_self(n) for n in descendants(target)):
                raise GiveUp("an unpacking assignment to self")
            for name in _assigned_names(target):
                frame.values[name] = UNKNOWN
            return
        chain = _self_chain(target)
        if chain is not None:
            self._assign_nested(chain, value, frame, depth)
            return
        if any(_is_name(n, "self") for n in descendants(target)):
            raise GiveUp(f"an assignment to {self.ctx.source.text(target)}")
        # item or attribute assignment into a local (d["k"] = ..., block.extra = ...): the
        # local is no longer known, and may now hold modules
        for node in descendants(target):
            if isinstance(node, cst.Name) and node.value in frame.values:
                frame.values[node.value] = _MAYBE_MODULE

    def _assign_nested(
        self, chain: list[str], value: cst.BaseExpression, frame: _Frame, depth: int
    ) -> None:
        """``self.block.extra = nn.Linear(...)`` registers ``extra`` on the submodule;
        ``self.lm_head.weight = self.embed.weight`` ties a parameter (counts are no longer
        exact, names are unchanged)."""
        owner = frame.attributes.get(chain[0])
        for name in chain[1:-1]:
            owner = owner.children.get(name) if isinstance(owner, _Node) else None
        if not isinstance(owner, _Node):
            raise GiveUp(f"an assignment to self.{'.'.join(chain)}")
        last = chain[-1]
        if last in _PARAMETER_NAMES or (owner.params and last in owner.params):
            self.inexact = True
            return
        result = self._module_value(value, frame, depth)
        if isinstance(result, _Node):
            if result.registered:
                raise GiveUp(f"one module is registered twice (self.{'.'.join(chain)})")
            result.registered = True
            owner.children[last] = result
        elif _may_be_module(result) or isinstance(owner.children.get(last), _Node):
            raise GiveUp(f"self.{'.'.join(chain)} may hold a module")

    def _set_attribute(self, frame: _Frame, name: str, value: object) -> None:
        node = frame.node
        previous = frame.attributes.get(name)
        if isinstance(value, _Node):
            if value.registered:
                raise GiveUp(f"one module is registered twice (self.{name})")
            value.registered = True
            node.children[name] = value  # a re-assigned submodule keeps its place
        elif isinstance(value, _Parameter):
            if node.params is not None:
                if value.shape is None:
                    node.params = None
                else:
                    node.params[name] = value.shape
        elif isinstance(previous, _Node):
            raise GiveUp(f"self.{name} replaces a submodule with another value")
        elif value is _MAYBE_MODULE:
            raise GiveUp(f"self.{name} may hold a module")
        frame.attributes[name] = value

    # -- values ---------------------------------------------------------------------------

    def _module_value(self, expr: cst.BaseExpression, frame: _Frame, depth: int) -> object:
        """A module (``_Node``), a list of them, a parameter, a scalar, or UNKNOWN."""
        if isinstance(expr, cst.Call):
            return self._call(expr, frame, depth)
        if isinstance(expr, cst.IfExp):
            condition = self._value(expr.test, frame)
            if condition is UNKNOWN:
                branches = [self._module_value(e, frame, depth) for e in (expr.body, expr.orelse)]
                if any(_may_be_module(b) for b in branches):
                    raise GiveUp("a module chosen by a condition that is not static")
                return UNKNOWN
            return self._module_value(expr.body if condition else expr.orelse, frame, depth)
        if isinstance(expr, cst.List | cst.Tuple):
            items = [self._module_value(e.value, frame, depth) for e in expr.elements]
            if any(isinstance(e, cst.StarredElement) for e in expr.elements):
                return UNKNOWN
            return items if any(isinstance(i, _Node) for i in items) else UNKNOWN
        if isinstance(expr, cst.ListComp):
            return self._comprehension(expr, frame, depth)
        if isinstance(expr, cst.Name):
            if expr.value in frame.values:
                return frame.values[expr.value]
            value = self._value(expr, frame)
            return _MAYBE_MODULE if value is UNKNOWN else value  # a global may be a module
        attribute = _is_self_attribute(expr)
        if attribute is not None:
            if attribute not in frame.attributes:
                raise GiveUp(f"self.{attribute} is read before it is set")
            known = frame.attributes[attribute]
            if isinstance(known, _Node):
                raise GiveUp(f"self.{attribute} is registered twice")
            return known
        if isinstance(expr, cst.Attribute):
            qualified = self.ctx.imports.qualify(expr)
            if (
                qualified is not None
                and qualified.imported
                and qualified.dotted.startswith("torch.")
                and not qualified.dotted.startswith("torch.nn.")
            ):
                return UNKNOWN  # torch.float32, torch.bfloat16: never a module
        if isinstance(expr, cst.Subscript | cst.Attribute):
            value = self._value(expr, frame)
            return _MAYBE_MODULE if value is UNKNOWN else value
        return self._value(expr, frame)

    def _comprehension(self, expr: cst.ListComp, frame: _Frame, depth: int) -> object:
        loop = expr.for_in
        if loop.inner_for_in is not None or loop.ifs or loop.asynchronous is not None:
            raise GiveUp("a comprehension with several loops or conditions")
        count = self._range_count(loop.iter, frame)
        if not isinstance(loop.target, cst.Name):
            raise GiveUp("a comprehension that unpacks")
        variable = loop.target.value
        items: list[object] = []
        saved = frame.values.get(variable, _MISSING)
        for index in range(count):
            frame.values[variable] = index
            items.append(self._module_value(expr.elt, frame, depth))
        if saved is _MISSING:
            frame.values.pop(variable, None)
        else:
            frame.values[variable] = saved
        if any(_may_be_module(i) and not isinstance(i, _Node) for i in items):
            raise GiveUp("a comprehension of values that may be modules")
        return items

    def _range_count(self, expr: cst.BaseExpression, frame: _Frame) -> int:
        if not (isinstance(expr, cst.Call) and _is_name(expr.func, "range") and expr.args):
            raise GiveUp("a comprehension over something other than range(n)")
        values = [self._value(a.value, frame) for a in expr.args]
        bounds = [b for b in values if isinstance(b, int) and not isinstance(b, bool)]
        if len(bounds) != len(values) or any(a.keyword or a.star for a in expr.args):
            raise GiveUp("a range(...) whose bounds are not static")
        count = len(range(*bounds))
        if count > MAX_MODULES:
            raise GiveUp("too many modules")
        return count

    def _call(self, call: cst.Call, frame: _Frame, depth: int) -> object:
        func = call.func
        local = self.class_of(call)
        if local is not None and self._plain_object(local):
            return UNKNOWN  # ModelConfig(...) of a class without bases: never a module
        if local is not None:
            self._counted()
            return self._instantiate(local, call.args, frame, depth + 1)
        qualified = self.ctx.imports.qualify(func)
        dotted = qualified.dotted if qualified is not None and qualified.imported else ""
        if isinstance(func, cst.Name) and func.value in _SCALAR_BUILTINS and not dotted:
            return self._value(call, frame)
        if dotted.startswith("torch.nn.") or dotted.startswith("torch.nn.modules."):
            name = dotted.rsplit(".", 1)[-1]
            if name == "Parameter":
                return _Parameter(self._tensor_shape(call, frame))
            if name in _CONTAINERS:
                return self._container(name, call, frame, depth)
            if name == "Module" and not call.args:
                self._counted()
                return _Node(cls="Module", kind=None)  # an empty holder, filled by assignment
            spec = TORCH_MODULES.get(name)
            if spec is not None:
                return self._torch(name, spec, call, frame)
            if dotted.startswith("torch.nn.init.") or dotted.startswith("torch.nn.functional."):
                return UNKNOWN
            raise GiveUp(f"{name} is a torch.nn class lora-lint does not read")
        if isinstance(func, cst.Attribute) and func.attr.value == "from_pretrained":
            return self._pretrained(call, func, frame)
        if dotted.startswith("transformers.") and dotted.endswith(".Conv1D"):
            return self._torch("Conv1D", HF_CONV1D, call, frame)
        if dotted.startswith("torch.") and dotted.rsplit(".", 1)[-1] in _TENSOR_FACTORIES:
            return UNKNOWN
        if dotted == "collections.OrderedDict":
            return self._ordered_pairs(call, frame, depth)
        raise GiveUp(f"{self.ctx.source.text(func)}() may return a module")

    def _pretrained(self, call: cst.Call, func: cst.Attribute, frame: _Frame) -> _Node:
        """``AutoModel.from_pretrained("org/name")`` inside the class: a Hugging Face model
        whose modules the engine splices in under this attribute (its id must be static)."""
        qualified = self.ctx.imports.qualify(func.value)
        loader = qualified.dotted if qualified is not None and qualified.imported else ""
        head = loader_head(loader) if loader.startswith("transformers.") else None
        if head is None:
            raise GiveUp(
                f"{self.ctx.source.text(func)}() loads no transformers model lora-lint knows"
            )
        named = [a.value for a in call.args if a.keyword is None and not a.star][:1] + [
            a.value for a in call.args if a.keyword and a.keyword.value in _MODEL_ID_KEYWORDS
        ]
        model_id = self._value(named[0], frame) if named else UNKNOWN
        if not isinstance(model_id, str) or not model_id:
            raise GiveUp(f"the model id of {self.ctx.source.text(func)}() is not static")
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "trust_remote_code":
                raise GiveUp("a model loaded with trust_remote_code")
        self._counted()
        return _Node(cls="", kind=inv.CONTAINER, attrs=((HF_MODEL, model_id), (HF_HEAD, head)))

    def _counted(self) -> None:
        self._count += 1
        if self._count > MAX_MODULES:
            raise GiveUp("too many modules")

    def _torch(self, name: str, spec: TorchModule, call: cst.Call, frame: _Frame) -> _Node:
        self._counted()
        args = self._arguments(spec, call, frame)
        node = _Node(cls=name, kind=spec.kind)
        if spec.features is not None:
            fin, fout = (args.get(spec.features[0]), args.get(spec.features[1]))
            node.in_features = fin if is_int(fin) else None  # type: ignore[assignment]
            node.out_features = fout if is_int(fout) else None  # type: ignore[assignment]
        node.params = {} if spec.no_params else torch_params(name, args)
        if name == "MultiheadAttention":
            if args.get("kdim") not in (None, args.get("embed_dim")) or args.get("vdim") not in (
                None,
                args.get("embed_dim"),
            ):
                raise GiveUp("a MultiheadAttention with its own kdim/vdim")
            embed = args.get("embed_dim")
            node.attrs = (("qkv_same_embed_dim", True), ("embed_dim", embed))
            if not is_int(embed):
                raise GiveUp("a MultiheadAttention whose embed_dim is not static")
            out = _Node(
                cls="NonDynamicallyQuantizableLinear",
                kind=inv.LINEAR,
                in_features=embed,  # type: ignore[arg-type]
                out_features=embed,  # type: ignore[arg-type]
                params=torch_params(
                    "Linear",
                    {"in_features": embed, "out_features": embed, "bias": args.get("bias", True)},
                ),
                registered=True,
            )
            node.children["out_proj"] = out
        return node

    def _arguments(self, spec: TorchModule, call: cst.Call, frame: _Frame) -> dict[str, object]:
        values: dict[str, object] = {}
        for index, arg in enumerate(call.args):
            if arg.star:
                return {}
            value = self._value(arg.value, frame)
            if arg.keyword is not None:
                values[arg.keyword.value] = value
            elif index < len(spec.signature):
                values[spec.signature[index]] = value
        return values

    def _tensor_shape(self, call: cst.Call, frame: _Frame) -> tuple[int, ...] | None:
        if len(call.args) < 1:
            return None
        inner = call.args[0].value
        if not isinstance(inner, cst.Call):
            return None
        qualified = self.ctx.imports.qualify(inner.func)
        if qualified is None or qualified.last not in ("randn", "rand", "zeros", "ones", "empty"):
            return None
        dims = [self._value(a.value, frame) for a in inner.args if not a.keyword]
        if len(dims) == 1 and isinstance(dims[0], tuple):
            dims = list(dims[0])
        return tuple(dims) if dims and all(is_int(d) for d in dims) else None  # type: ignore[arg-type]

    def _container(self, name: str, call: cst.Call, frame: _Frame, depth: int) -> _Node:
        self._counted()
        node = _Node(cls=name, kind=None)
        items: list[object] = []
        if name == "Sequential":
            for arg in call.args:
                if arg.keyword is not None:
                    raise GiveUp("Sequential with a keyword argument")
                value = self._module_value(arg.value, frame, depth)
                if arg.star:
                    if not isinstance(value, list):
                        raise GiveUp("Sequential(*...) of values that are not static")
                    items.extend(value)
                else:
                    items.append(value)
            if len(items) == 1 and isinstance(items[0], _Pairs):
                pairs = items[0].pairs
            else:
                pairs = [(str(i), item) for i, item in enumerate(items)]
        elif name == "ModuleList":
            if len(call.args) > 1 or any(a.keyword or a.star for a in call.args):
                raise GiveUp("ModuleList with unusual arguments")
            value = self._module_value(call.args[0].value, frame, depth) if call.args else []
            if not isinstance(value, list):
                raise GiveUp("ModuleList of values that are not static")
            pairs = [(str(i), item) for i, item in enumerate(value)]
        else:
            pairs = self._dict_pairs(call, frame, depth)
        for key, item in pairs:
            if not isinstance(item, _Node):
                raise GiveUp(f"{name} holds a value that is not a known module")
            if item.registered:
                raise GiveUp("one module is registered twice")
            item.registered = True
            node.children[key] = item
        return node

    def _dict_pairs(self, call: cst.Call, frame: _Frame, depth: int) -> list[tuple[str, object]]:
        if not call.args:
            return []
        if len(call.args) > 1 or call.args[0].keyword or call.args[0].star:
            raise GiveUp("ModuleDict with unusual arguments")
        value = call.args[0].value
        if isinstance(value, cst.Dict):
            pairs: list[tuple[str, object]] = []
            for element in value.elements:
                if not isinstance(element, cst.DictElement):
                    raise GiveUp("ModuleDict(**...)")
                key = self._value(element.key, frame)
                if not isinstance(key, str):
                    raise GiveUp("ModuleDict key that is not static")
                pairs.append((key, self._module_value(element.value, frame, depth)))
            return pairs
        result = self._module_value(value, frame, depth)
        if isinstance(result, _Pairs):
            return result.pairs
        raise GiveUp("ModuleDict of values that are not static")

    def _ordered_pairs(self, call: cst.Call, frame: _Frame, depth: int) -> _Pairs:
        if len(call.args) != 1 or not isinstance(call.args[0].value, cst.List | cst.Tuple):
            raise GiveUp("OrderedDict of values that are not static")
        pairs: list[tuple[str, object]] = []
        for element in call.args[0].value.elements:
            item = element.value
            if not isinstance(item, cst.Tuple) or len(item.elements) != 2:
                raise GiveUp("OrderedDict of values that are not static")
            key = self._value(item.elements[0].value, frame)
            if not isinstance(key, str):
                raise GiveUp("OrderedDict key that is not static")
            pairs.append((key, self._module_value(item.elements[1].value, frame, depth)))
        return _Pairs(pairs)

    def _value(self, expr: cst.BaseExpression, frame: _Frame | None) -> object:
        """A plain value (int, float, str, bool, None, tuple) or UNKNOWN; never a module."""
        values = frame.values if frame is not None else {}
        if isinstance(expr, cst.Name):
            if expr.value in values:
                return _plain(values[expr.value])
            if expr.value in _CONSTANTS:
                return _CONSTANTS[expr.value]
            closed = self._closure_value(expr)
            if closed is not UNKNOWN:
                return closed
        attribute = _is_self_attribute(expr)
        if attribute is not None:
            return _plain(frame.attributes.get(attribute, UNKNOWN) if frame else UNKNOWN)
        if isinstance(expr, cst.BinaryOperation):
            left, right = (self._value(e, frame) for e in (expr.left, expr.right))
            return _arithmetic(expr.operator, left, right)
        if isinstance(expr, cst.UnaryOperation):
            operand = self._value(expr.expression, frame)
            if isinstance(expr.operator, cst.Not):
                return UNKNOWN if operand is UNKNOWN else not operand
            if isinstance(expr.operator, cst.Minus) and _is_number(operand):
                return -operand  # type: ignore[operator]
            return UNKNOWN
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            left = self._value(expr.left, frame)
            target = expr.comparisons[0]
            return _compare(target.operator, left, self._value(target.comparator, frame))
        if isinstance(expr, cst.BooleanOperation):
            left, right = self._value(expr.left, frame), self._value(expr.right, frame)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            return (left and right) if isinstance(expr.operator, cst.And) else (left or right)
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, frame)
        if isinstance(expr, cst.Tuple):
            if any(isinstance(e, cst.StarredElement) for e in expr.elements):
                return UNKNOWN
            items = [self._value(e.value, frame) for e in expr.elements]
            return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
        if any(
            isinstance(n, cst.Name) and (n.value == "self" or n.value in values)
            for n in descendants(expr)
        ):
            return UNKNOWN  # reads a local of __init__, which the module evaluator cannot see
        result = self.evaluator.evaluate(expr)
        if not isinstance(result, Located):
            return UNKNOWN
        if result.container == "tuple":
            items = [i.value if isinstance(i, Located) else UNKNOWN for i in result.items]
            return UNKNOWN if any(not _is_scalar(i) for i in items) else tuple(items)
        return result.value if _is_scalar(result.value) else UNKNOWN

    def _closure_value(self, name: cst.Name) -> object:
        """A parameter of the helper a class is defined in (``nn.Linear(10, 10, bias=bias)``
        inside ``def get_model(self, bias=True)``), as the call that ran the helper set it."""
        closure = self._closure
        if closure is None or name.value not in closure.values:
            return UNKNOWN
        binding = self.ctx.scopes.lookup(name.value, self.ctx.source.start(name))
        if isinstance(binding, Parameter) and binding.function is closure.function:
            return _plain(closure.values[name.value])
        return UNKNOWN

    def _fstring(self, expr: cst.FormattedString, frame: _Frame | None) -> object:
        """``f"layer{i}"`` with every part static (no conversions or format specs)."""
        parts: list[str] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                if any(c in part.value for c in "{}\\"):
                    return UNKNOWN  # escapes and doubled braces: not worth decoding here
                parts.append(part.value)
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                return UNKNOWN
            if part.conversion is not None or part.format_spec is not None:
                return UNKNOWN
            value = self._value(part.expression, frame)
            if not isinstance(value, int | str) or isinstance(value, bool):
                return UNKNOWN
            parts.append(str(value))
        return "".join(parts)

    # -- flattening -----------------------------------------------------------------------

    def _nodes(self, root: _Node) -> Iterator[_Node]:
        for child in root.children.values():
            yield child
            yield from self._nodes(child)

    def _flatten(self, root: _Node, prefix: str = "") -> Iterator[ModuleInfo]:
        for name, child in root.children.items():
            full = f"{prefix}{name}"
            yield ModuleInfo(
                name=full,
                cls=child.cls,
                kind=_kind(child),
                in_features=child.in_features,
                out_features=child.out_features,
                params=tuple((k, s) for k, s in (child.params or {}).items()),
                has_children=bool(child.children) or child.kind == inv.CONTAINER,
                attrs=child.attrs,
            )
            yield from self._flatten(child, f"{full}.")


@dataclass
class _Parameter:
    shape: tuple[int, ...] | None


@dataclass
class _Pairs:
    pairs: list[tuple[str, object]]


_MISSING = object()
_CONSTANTS: dict[str, object] = {"True": True, "False": False, "None": None}
#: A value that is not known and may be a module (a parameter of ``__init__``).
_MAYBE_MODULE = object()


def _kind(node: _Node) -> str:
    """As :func:`lora_lint.models.build._classify` classifies the real module."""
    if node.kind is not None:
        return node.kind
    if node.children:
        return inv.CONTAINER
    if node.cls in _CONTAINERS:
        return inv.OTHER
    if "Norm" in node.cls:
        return inv.NORM
    if "Activation" in node.cls:
        return inv.ACTIVATION
    return inv.OTHER


def _arithmetic(operator: cst.BaseBinaryOp, left: object, right: object) -> object:
    if not (_is_number(left) and _is_number(right)):
        return UNKNOWN
    a, b = left, right
    try:
        if isinstance(operator, cst.Add):
            return a + b  # type: ignore[operator]
        if isinstance(operator, cst.Subtract):
            return a - b  # type: ignore[operator]
        if isinstance(operator, cst.Multiply):
            return a * b  # type: ignore[operator]
        if isinstance(operator, cst.FloorDivide):
            return a // b  # type: ignore[operator]
        if isinstance(operator, cst.Divide):
            return a / b  # type: ignore[operator]
        if isinstance(operator, cst.Modulo):
            return a % b  # type: ignore[operator]
    except ZeroDivisionError:
        return UNKNOWN
    return UNKNOWN


def _compare(operator: cst.BaseCompOp, left: object, right: object) -> object:
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if isinstance(operator, cst.Is):
        return left is right if right is None or left is None else UNKNOWN
    if isinstance(operator, cst.IsNot):
        return left is not right if right is None or left is None else UNKNOWN
    if isinstance(operator, cst.Equal):
        return left == right
    if isinstance(operator, cst.NotEqual):
        return left != right
    if _is_number(left) and _is_number(right):
        if isinstance(operator, cst.GreaterThan):
            return left > right  # type: ignore[operator]
        if isinstance(operator, cst.LessThan):
            return left < right  # type: ignore[operator]
        if isinstance(operator, cst.GreaterThanEqual):
            return left >= right  # type: ignore[operator]
        if isinstance(operator, cst.LessThanEqual):
            return left <= right  # type: ignore[operator]
    return UNKNOWN


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, int | float | str | bool)


def _plain(value: object) -> object:
    """A frame value as a plain value (modules, lists and unknowns are not)."""
    return value if _is_scalar(value) or isinstance(value, tuple) else UNKNOWN


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _may_be_module(value: object) -> bool:
    return isinstance(value, _Node | list | _Pairs) or value is _MAYBE_MODULE


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _is_self_attribute(node: cst.CSTNode) -> str | None:
    """``X`` for ``self.X``."""
    if isinstance(node, cst.Attribute) and _is_name(node.value, "self"):
        return node.attr.value
    return None


#: Parameter attributes of torch leaves: assigning one ties or replaces a parameter.
_PARAMETER_NAMES = frozenset({"weight", "bias"})


def _self_chain(node: cst.BaseExpression) -> list[str] | None:
    """``["block", "extra"]`` for ``self.block.extra`` (two or more attributes of self)."""
    names: list[str] = []
    while isinstance(node, cst.Attribute):
        names.append(node.attr.value)
        node = node.value
    if not _is_name(node, "self") or len(names) < 2:
        return None
    return names[::-1]


def _ties_parameter(target: cst.BaseExpression) -> bool:
    chain = _self_chain(target)
    return chain is not None and chain[-1] in _PARAMETER_NAMES


def _touches_self(node: cst.CSTNode) -> bool:
    """A statement part that may register a module on ``self``."""
    if isinstance(node, cst.AssignTarget | cst.AugAssign | cst.AnnAssign):
        target = node.target
        return any(_is_name(n, "self") for n in descendants(target))
    if isinstance(node, cst.Call):
        func = node.func
        if _is_name(func, "setattr") or _is_name(func, "super"):
            return True
        if isinstance(func, cst.Attribute):
            if _is_name(func.value, "self") and func.attr.value not in _HARMLESS_SELF_METHODS:
                return True
            if _is_self_attribute(func.value) is not None:
                return True  # self.layers.append(...)
        return any(_is_name(a.value, "self") for a in node.args)
    return isinstance(node, cst.Del)


def _assigned_names(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    for sub in descendants(node):
        targets: list[cst.BaseExpression] = []
        if isinstance(sub, cst.AssignTarget | cst.AugAssign | cst.AnnAssign | cst.For):
            targets = [sub.target]
        elif isinstance(sub, cst.AsName):
            targets = [sub.name]
        for target in targets:
            names.update(n.value for n in descendants(target) if isinstance(n, cst.Name))
    return names


def _names_setattr(statement: cst.BaseSmallStatement) -> bool:
    targets = (
        [t.target for t in statement.targets]
        if isinstance(statement, cst.Assign)
        else [getattr(statement, "target", None)]
    )
    return any(_is_name(t, "__setattr__") for t in targets if t is not None)
