"""How a repository's own training script reads the flags a shell launcher passes it.

``python train.py --lora_target_modules q_proj,v_proj`` means what ``train.py`` makes of it:
TRL's ``ModelConfig`` keeps the words as a list, a script's own ``argparse`` flag may be one
string that it splits at commas (or passes to PEFT whole, as a regex). The script is found
next to the launcher or at the repository root, parsed with libcst (never imported or run,
size-limited like any sibling module) and read for:

- which tool parses its flags: TRL (``trl.ModelConfig``/``TrlParser``/``get_peft_config``),
  LLaMA-Factory (``llamafactory`` imports), or its own parser;
- its own flags: ``parser.add_argument("--x", nargs="+", type=str, default=...)`` and the
  fields of ``@dataclass`` classes read by ``HfArgumentParser`` (``list[str]`` is a list,
  ``str`` one string; both ``--x_y`` and ``--x-y`` are accepted);
- where each flag goes: a keyword of peft's ``LoraConfig(...)`` (``target_modules=args.x``,
  ``args.x.split(",")``, ``[m.strip() for m in args.x.split(",")]``, or a local name assigned
  one of those) and the argument of ``from_pretrained`` (the model).

Only a path from the flag to ``LoraConfig`` that is one of these shapes counts; anything else
leaves the launcher's config unjudged, with the reason.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import walk

TRL = "trl"
LLAMA_FACTORY = "llama-factory"
OWN = "own"

#: ``LoraConfig`` keyword -> how the flag's value reaches it: as parsed, split at commas,
#: split at commas with each piece stripped.
RAW = "raw"
SPLIT = "split"
SPLIT_STRIP = "split-strip"

_LLAMA_FACTORY_PACKAGES = ("llamafactory", "llmtuner")
_TRL_NAMES = frozenset({"ModelConfig", "TrlParser", "get_peft_config"})
#: Parsers that turn ``@dataclass`` fields into flags (TRL's is a subclass of transformers').
_DATACLASS_PARSERS = frozenset({"HfArgumentParser", "TrlParser"})
#: Classes whose ``from_pretrained`` loads the model LoRA is applied to.
_NOT_MODELS = ("Tokenizer", "Processor", "Config", "FeatureExtractor", "ImageProcessor")


#: A conjunction of flag truths: ``[("use_peft_lora", True), ("use_unsloth", False)]``.
Guard = list[tuple[str, bool]]


@dataclass(frozen=True)
class Route:
    """How a flag's value reaches a ``LoraConfig`` keyword: ``way`` (RAW, SPLIT or
    SPLIT_STRIP), except ``other`` when the value equals ``when_equal``
    (``x.split(",") if x != "all-linear" else x``)."""

    dest: str
    way: str
    when_equal: str | None = None
    other: str | None = None

    def for_value(self, value: str) -> str:
        if self.when_equal is not None and self.other is not None and value == self.when_equal:
            return self.other
        return self.way


@dataclass(frozen=True)
class ScriptFlag:
    """One command-line flag the script defines."""

    dest: str
    #: Several values (``nargs="+"``/``"*"``, a ``list[...]`` dataclass field).
    many: bool
    #: The default as written, when it is a string literal (the model when not passed).
    default: str | None = None
    #: The default's truth when it is ``True``/``False``/``None`` (``if args.flag:`` guards).
    truthy: bool | None = None
    #: argparse's ``action`` (``store_true``: the flag alone sets True).
    action: str | None = None


@dataclass
class ScriptModel:
    """What a launcher needs to know about the script it calls."""

    path: str
    kind: str | None = None
    #: Option string as written on the command line (``--lora_target_modules``) -> flag.
    flags: dict[str, ScriptFlag] = field(default_factory=dict)
    #: ``LoraConfig`` keyword -> how the flag reaches it.
    lora: dict[str, Route] = field(default_factory=dict)
    #: Dests of the flags passed to a model class's ``from_pretrained``.
    model_dests: list[str] = field(default_factory=list)
    #: The class whose ``from_pretrained`` loads the model (``AutoModelForCausalLM``).
    model_class: str | None = None
    #: When the ``LoraConfig`` is built: every (dest, truth) must hold (``if args.use_peft:``);
    #: ``None`` when the condition is not one lora-lint evaluates.
    lora_guard: Guard | None = field(default_factory=list)
    #: unsloth's ``get_peft_model`` given the same targets flag: its route and condition.
    unsloth: tuple[Route, Guard] | None = None
    #: Why the script's use of the flags is not clear (then nothing is judged).
    unclear: str | None = None

    def flag(self, written: str) -> ScriptFlag | None:
        return self.flags.get(written)


def find_script(
    written: str, launcher: pathlib.Path | None, project_root: pathlib.Path | None
) -> pathlib.Path | None:
    """The script file ``written`` names, next to the launcher or at the repository root
    (as bash would find it when run from either); only files inside the repository."""
    if not written.endswith(".py"):
        return None
    candidates: list[pathlib.Path] = []
    relative = pathlib.PurePosixPath(written)
    if relative.is_absolute():
        return None  # a path on the machine that ran it, not in the repository
    if launcher is not None:
        candidates.append(launcher.parent / relative)
    if project_root is not None:
        candidates.append(project_root / relative)
    from lora_lint.extract.filecache import note_probe

    for candidate in candidates:
        exists = candidate.is_file()
        note_probe(candidate, exists)  # the extraction cache re-checks it on a hit
        if exists and _inside(candidate, project_root):
            return candidate
    return None


def _inside(path: pathlib.Path, root: pathlib.Path | None) -> bool:
    if root is None:
        return True
    try:
        path.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


#: Modules imported by the script that are read too (``from utils import create_model``).
MAX_SIBLINGS = 8


def read_script(path: pathlib.Path, project_root: pathlib.Path | None) -> ScriptModel | str:
    """The script's flags and where they go, or why it cannot be read. The repository
    modules the script imports are read too (one level): the ``LoraConfig`` call and the
    argument dataclasses often live there."""
    from lora_lint.extract.python.context import ModuleContext, load_sibling

    context = load_sibling(path, project_root)
    if not isinstance(context, ModuleContext):
        return context
    main = _Collector(context)
    walk(context.source.module, main)
    others = []
    for sibling_path in _siblings(context, path, project_root)[:MAX_SIBLINGS]:
        sibling = load_sibling(sibling_path, project_root)
        if isinstance(sibling, ModuleContext):
            collector = _Collector(sibling)
            walk(sibling.source.module, collector)
            others.append(collector)
    model = ScriptModel(context.source.path)
    _finish(model, main, others)
    return model


def _siblings(
    context: object, path: pathlib.Path, project_root: pathlib.Path | None
) -> list[pathlib.Path]:
    from lora_lint.extract.python.context import ModuleContext
    from lora_lint.extract.python.imports import find_module_file

    assert isinstance(context, ModuleContext)
    found: list[pathlib.Path] = []
    for ref in context.imports.names.values():
        candidates = [ref.module] + ([f"{ref.module}.{ref.name}"] if ref.name else [])
        for module in candidates:
            if not module:
                continue
            sibling = find_module_file(module, ref.level, file_path=path, project_root=project_root)
            if sibling is not None and sibling != path and sibling not in found:
                found.append(sibling)
    return found


class _Collector(cst.CSTVisitor):
    def __init__(self, context: object) -> None:
        from lora_lint.extract.python.context import ModuleContext

        assert isinstance(context, ModuleContext)
        self.imports = context.imports
        self.trl = False
        self.llama_factory = False
        self.hf_parser = False
        self.flags: dict[str, ScriptFlag] = {}
        self.dataclass_flags: dict[str, ScriptFlag] = {}
        self.assignments: dict[str, list[cst.BaseExpression]] = {}
        self.lora_calls: list[cst.Call] = []
        self.unsloth_calls: list[cst.Call] = []
        #: The ``if`` conditions around each call above (None: not a plain flag test).
        self.guards: dict[int, Guard | None] = {}
        self._block_guards: dict[int, Guard | None] = {}
        self._active: list[Guard | None] = []
        #: (argument, transformers class or "") of each model class's ``from_pretrained``.
        self.model_args: list[tuple[cst.BaseExpression, str]] = []

    # -- if conditions -------------------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.If):
            guard = _guard(node.test)
            self._block_guards[id(node.body)] = guard
            if node.orelse is not None:
                negated = [(guard[0][0], not guard[0][1])] if guard and len(guard) == 1 else None
                self._block_guards[id(node.orelse)] = negated
        if id(node) in self._block_guards:
            self._active.append(self._block_guards[id(node)])
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if id(original_node) in self._block_guards:
            self._active.pop()
        super().on_leave(original_node)

    def _current_guard(self) -> Guard | None:
        out: Guard = []
        for guard in self._active:
            if guard is None:
                return None
            out.extend(guard)
        return out

    # -- imports and calls ---------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        qualified = self.imports.qualify(node)
        if qualified is None or not qualified.imported:
            return
        if qualified.from_module("trl") and qualified.last in _TRL_NAMES:
            self.trl = True
        elif qualified.from_module(*_LLAMA_FACTORY_PACKAGES):
            self.llama_factory = True
        if qualified.last in _DATACLASS_PARSERS:
            self.hf_parser = True

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add_argument":
            self._add_argument(node)
            return
        qualified = self.imports.qualify(func)
        if qualified is None:
            return
        if qualified.last == "LoraConfig" and qualified.from_module("peft"):
            self.lora_calls.append(node)
            self.guards[id(node)] = self._current_guard()
        elif qualified.last == "get_peft_model" and qualified.from_module("unsloth"):
            self.unsloth_calls.append(node)
            self.guards[id(node)] = self._current_guard()
        elif qualified.last == "from_pretrained":
            owner = qualified.dotted.rsplit(".", 2)[-2] if "." in qualified.dotted else ""
            if owner and not owner.endswith(_NOT_MODELS) and node.args:
                first = node.args[0]
                if first.keyword is None or first.keyword.value in (
                    "pretrained_model_name_or_path",
                    "model_name",
                ):
                    # the class names the head only when it is transformers' own
                    kind = owner if qualified.from_module("transformers") else ""
                    self.model_args.append((first.value, kind))

    def _add_argument(self, node: cst.Call) -> None:
        options = [
            text
            for arg in node.args
            if arg.keyword is None and (text := _string(arg.value)) is not None
        ]
        longs = [o for o in options if o.startswith("--")]
        if not options or not all(o.startswith("-") for o in options):
            return  # a positional argument
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        dest = _string(keywords["dest"]) if "dest" in keywords else None
        if dest is None:
            first = longs[0] if longs else options[0]
            dest = first.lstrip("-").replace("-", "_")
        nargs = keywords.get("nargs")
        action = _string(keywords["action"]) if "action" in keywords else None
        shape = _nargs_shape(nargs)
        default = _string(keywords["default"]) if "default" in keywords else None
        truthy = _truth(keywords.get("default")) if action is None else None
        if action in ("store_true", "store_false"):
            truthy = action == "store_false" if "default" not in keywords else None
        for option in options:
            if shape is None or action in ("append", "extend", "store_const", "count"):
                self.flags.pop(option, None)  # a shape not modelled: the flag is not read
            else:
                self.flags[option] = ScriptFlag(dest, shape, default, truthy, action)

    # -- dataclass fields (HfArgumentParser) ---------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not any(_decorator_name(d) == "dataclass" for d in node.decorators):
            return
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    name = small.target.value
                    many = _is_list_annotation(small.annotation.annotation)
                    flag = ScriptFlag(
                        name,
                        many,
                        _field_default(small.value),
                        _truth(_field_default_node(small.value)),
                    )
                    self.dataclass_flags[f"--{name}"] = flag
                    self.dataclass_flags[f"--{name.replace('_', '-')}"] = flag

    # -- local names ---------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assignments.setdefault(target.target.value, []).append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.assignments.setdefault(node.target.value, []).append(node.value)

    # -- the result ----------------------------------------------------------------------------
    def how(self, value: cst.BaseExpression, dests: set[str], depth: int = 0) -> Route | None:
        """The route when ``value`` is a flag's value in one of the modelled shapes."""
        if depth > 4:
            return None
        dest = _flag_dest(value, dests)
        if dest is not None:
            return Route(dest, RAW)
        split = _split_of(value, dests)
        if split is not None:
            return Route(split, SPLIT)
        if isinstance(value, cst.ListComp) and len(_comp_fors(value)) == 1:
            comp = value.for_in
            inner = _split_of(comp.iter, dests)
            stripped = _element(value.elt, comp.target)
            if inner is not None and not comp.ifs and stripped is not None:
                return Route(inner, SPLIT_STRIP if stripped else SPLIT)
        if isinstance(value, cst.IfExp):
            return self._conditional(value, dests, depth)
        if isinstance(value, cst.Name):
            assigned = self.assignments.get(value.value, [])
            if len(assigned) == 1:
                return self.how(assigned[0], dests, depth + 1)
        return None

    def _conditional(self, value: cst.IfExp, dests: set[str], depth: int) -> Route | None:
        """``A if args.x != "lit" else B`` (or ``==``), A and B routes of the same flag."""
        test = value.test
        if not (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, (cst.Equal, cst.NotEqual))
        ):
            return None
        dest = _flag_dest(test.left, dests)
        literal = _string(test.comparisons[0].comparator)
        body = self.how(value.body, dests, depth + 1)
        orelse = self.how(value.orelse, dests, depth + 1)
        if dest is None or literal is None or body is None or orelse is None:
            return None
        if not (body.dest == orelse.dest == dest) or body.when_equal or orelse.when_equal:
            return None
        if isinstance(test.comparisons[0].operator, cst.Equal):
            body, orelse = orelse, body  # normalise to: way unless equal, then other
        return Route(dest, body.way, literal, orelse.way)


def _finish(model: ScriptModel, main: _Collector, others: list[_Collector]) -> None:
    flags = dict(main.flags)
    if main.hf_parser:
        for collector in (main, *others):
            for option, flag in collector.dataclass_flags.items():
                flags.setdefault(option, flag)
    model.flags = flags
    dests = {flag.dest for flag in flags.values()}
    collectors = (main, *others)
    target_guards: list[Guard | None] = []
    for collector in collectors:
        for call in collector.lora_calls:
            for arg in call.args:
                if arg.keyword is None:
                    if arg.star:
                        model.unclear = "the script builds LoraConfig from **kwargs"
                    continue
                route = collector.how(arg.value, dests)
                if route is None:
                    continue
                keyword = arg.keyword.value
                if keyword == "target_modules":
                    target_guards.append(collector.guards.get(id(call)))
                if model.lora.get(keyword, route) != route:
                    model.unclear = f"the script passes several values to LoraConfig({keyword}=)"
                model.lora[keyword] = route
        for value, owner in collector.model_args:
            dest = _flag_dest(value, dests)
            if dest is None:
                continue
            if dest not in model.model_dests:
                model.model_dests.append(dest)
            if owner and model.model_class is None:
                model.model_class = owner
    targets = model.lora.get("target_modules")
    if targets is not None:
        model.lora_guard = _known_guard(target_guards, dests)
        _unsloth(model, collectors, targets.dest, dests)
    if model.lora:
        model.kind = OWN
    elif main.trl:
        model.kind = TRL
    elif main.llama_factory:
        model.kind = LLAMA_FACTORY
    elif not any(c.lora_calls for c in collectors):
        model.unclear = "the script passes no command-line flag to peft's LoraConfig"
    else:
        model.unclear = "the script's flags reach peft's LoraConfig in a way not modelled"


def _known_guard(guards: list[Guard | None], dests: set[str]) -> Guard | None:
    """The one condition under which these calls run (None: several, or not evaluable)."""
    if len(guards) != 1 or guards[0] is None:
        return None
    guard = guards[0]
    return guard if all(name in dests for name, _ in guard) else None


def _unsloth(
    model: ScriptModel, collectors: tuple[_Collector, ...], dest: str, dests: set[str]
) -> None:
    """unsloth's ``get_peft_model`` given the targets flag too: its route and condition."""
    calls = [
        (c, call)
        for c in collectors
        for call in c.unsloth_calls
        if _passes_flag(call, dest) or _targets_route(c, call, dests) is not None
    ]
    if not calls:
        return
    guard = _known_guard([c.guards.get(id(call)) for c, call in calls], dests)
    route = _targets_route(*calls[0], dests)
    if len(calls) != 1 or guard is None or route is None or route.dest != dest:
        model.unclear = "the script may hand the targets to unsloth's get_peft_model instead"
        return
    model.unsloth = (route, guard)


def _targets_route(collector: _Collector, call: cst.Call, dests: set[str]) -> Route | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "target_modules":
            return collector.how(arg.value, dests)
    return None


def _passes_flag(call: cst.Call, dest: str) -> bool:
    """Whether ``dest`` appears as an attribute anywhere in the call's arguments."""
    found = False

    class _Attrs(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            nonlocal found
            found = found or node.attr.value == dest

    for arg in call.args:
        arg.value.visit(_Attrs())
    return found


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        evaluated = node.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def _nargs_shape(nargs: cst.BaseExpression | None) -> bool | None:
    """True for several values (``"+"``, ``"*"``), False for one (no ``nargs``), None for a
    shape not modelled (``"?"``, a number, a variable)."""
    if nargs is None:
        return False
    if _string(nargs) in ("+", "*"):
        return True
    return None


def _decorator_name(decorator: cst.Decorator) -> str | None:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


def _is_list_annotation(node: cst.BaseExpression) -> bool:
    """``list[str]``, ``List[str]``, ``Optional[list[str]]``, ``list[str] | None``..."""
    found = False

    class _Lists(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            nonlocal found
            found = found or name.value in ("list", "List")

    node.visit(_Lists())
    return found


def _field_default_node(value: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """The default of ``name: T = field(default=...)`` or ``name: T = ...`` (None: none)."""
    if isinstance(value, cst.Call):
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return arg.value
        return None
    return value


def _field_default(value: cst.BaseExpression | None) -> str | None:
    node = _field_default_node(value)
    return _string(node) if node is not None else None


def _truth(node: cst.BaseExpression | None) -> bool | None:
    """``True``/``False``/``None`` literals (a missing default is ``None``, falsy)."""
    if node is None:
        return False
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return node.value == "True"
    return None


def _guard(test: cst.BaseExpression) -> Guard | None:
    """``args.a``, ``not args.b``, ``args.a and not args.b``: the flag truths it requires."""
    if isinstance(test, cst.Attribute):
        return [(test.attr.value, True)]
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _guard(test.expression)
        return [(inner[0][0], not inner[0][1])] if inner and len(inner) == 1 else None
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left, right = _guard(test.left), _guard(test.right)
        return left + right if left is not None and right is not None else None
    return None


def _flag_dest(value: cst.BaseExpression, dests: set[str]) -> str | None:
    """``args.x`` (any object) where ``x`` is a flag's dest."""
    if isinstance(value, cst.Attribute) and value.attr.value in dests:
        return value.attr.value
    return None


def _split_of(value: cst.BaseExpression, dests: set[str]) -> str | None:
    """``args.x.split(",")``: the dest of ``x``."""
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "split"
        and len(value.args) == 1
        and value.args[0].keyword is None
        and _string(value.args[0].value) == ","
    ):
        return _flag_dest(value.func.value, dests)
    return None


def _comp_fors(comp: cst.ListComp) -> list[cst.CompFor]:
    fors = []
    current: cst.CompFor | None = comp.for_in
    while current is not None:
        fors.append(current)
        current = current.inner_for_in
    return fors


def _element(elt: cst.BaseExpression, target: cst.BaseAssignTargetExpression) -> bool | None:
    """For ``[elt for target in ...]``: True for ``m.strip()``, False for ``m``, else None."""
    if not isinstance(target, cst.Name):
        return None
    if isinstance(elt, cst.Name) and elt.value == target.value:
        return False
    if (
        isinstance(elt, cst.Call)
        and not elt.args
        and isinstance(elt.func, cst.Attribute)
        and elt.func.attr.value == "strip"
        and isinstance(elt.func.value, cst.Name)
        and elt.func.value.value == target.value
    ):
        return True
    return None
