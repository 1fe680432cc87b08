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


@dataclass(frozen=True)
class ScriptFlag:
    """One command-line flag the script defines."""

    dest: str
    #: Several values (``nargs="+"``/``"*"``, a ``list[...]`` dataclass field).
    many: bool
    #: The default as written, when it is a string literal (the model when not passed).
    default: str | None = None


@dataclass
class ScriptModel:
    """What a launcher needs to know about the script it calls."""

    path: str
    kind: str | None = None
    #: Option string as written on the command line (``--lora_target_modules``) -> flag.
    flags: dict[str, ScriptFlag] = field(default_factory=dict)
    #: ``LoraConfig`` keyword -> (flag dest, RAW, SPLIT or SPLIT_STRIP).
    lora: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Dests of the flags passed to a model class's ``from_pretrained``.
    model_dests: list[str] = field(default_factory=list)
    #: The class whose ``from_pretrained`` loads the model (``AutoModelForCausalLM``).
    model_class: str | None = None
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


def read_script(path: pathlib.Path, project_root: pathlib.Path | None) -> ScriptModel | str:
    """The script's flags and where they go, or why it cannot be read."""
    from lora_lint.extract.python.context import ModuleContext, load_sibling

    context = load_sibling(path, project_root)
    if not isinstance(context, ModuleContext):
        return context
    model = ScriptModel(context.source.path)
    collector = _Collector(context)
    walk(context.source.module, collector)
    collector.finish(model)
    return model


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
        #: (argument, class) of each model class's ``from_pretrained``.
        self.model_args: list[tuple[cst.BaseExpression, str]] = []
        self.unclear: str | None = None

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
        elif qualified.last == "from_pretrained":
            owner = qualified.dotted.rsplit(".", 2)[-2] if "." in qualified.dotted else ""
            if owner and not owner.endswith(_NOT_MODELS) and node.args:
                first = node.args[0]
                if first.keyword is None or first.keyword.value in (
                    "pretrained_model_name_or_path",
                    "model_name",
                ):
                    self.model_args.append((first.value, owner))

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
        for option in options:
            if shape is None or action in ("append", "extend"):
                self.flags.pop(option, None)  # a shape not modelled: the flag is not read
            else:
                self.flags[option] = ScriptFlag(dest, shape, default)

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
                    flag = ScriptFlag(name, many, _field_default(small.value))
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
    def finish(self, model: ScriptModel) -> None:
        flags = dict(self.flags)
        if self.hf_parser:
            for option, flag in self.dataclass_flags.items():
                flags.setdefault(option, flag)
        model.flags = flags
        dests = {flag.dest for flag in flags.values()}
        for call in self.lora_calls:
            for arg in call.args:
                if arg.keyword is None:
                    if arg.star:
                        model.unclear = "the script builds LoraConfig from **kwargs"
                    continue
                way = self._how(arg.value, dests, 0)
                if way is None:
                    continue
                keyword = arg.keyword.value
                if model.lora.get(keyword, way) != way:
                    model.unclear = f"the script passes several values to LoraConfig({keyword}=)"
                model.lora[keyword] = way
        for value, owner in self.model_args:
            dest = _flag_dest(value, dests)
            if dest is not None and dest not in model.model_dests:
                model.model_dests.append(dest)
                model.model_class = owner
        if model.lora:
            model.kind = OWN
        elif self.trl:
            model.kind = TRL
        elif self.llama_factory:
            model.kind = LLAMA_FACTORY
        elif not self.lora_calls:
            model.unclear = "the script passes no command-line flag to peft's LoraConfig"
        else:
            model.unclear = "the script's flags reach peft's LoraConfig in a way not modelled"

    def _how(
        self, value: cst.BaseExpression, dests: set[str], depth: int
    ) -> tuple[str, str] | None:
        """(dest, RAW/SPLIT) when ``value`` is a flag's value in one of the modelled shapes."""
        if depth > 4:
            return None
        dest = _flag_dest(value, dests)
        if dest is not None:
            return dest, RAW
        split = _split_of(value, dests)
        if split is not None:
            return split, SPLIT
        if isinstance(value, cst.ListComp) and len(_comp_fors(value)) == 1:
            comp = value.for_in
            inner = _split_of(comp.iter, dests)
            stripped = _element(value.elt, comp.target)
            if inner is not None and not comp.ifs and stripped is not None:
                return inner, SPLIT_STRIP if stripped else SPLIT
        if isinstance(value, cst.Name):
            assigned = self.assignments.get(value.value, [])
            if len(assigned) == 1:
                return self._how(assigned[0], dests, depth + 1)
        return None


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


def _field_default(value: cst.BaseExpression | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, cst.Call):
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return _string(arg.value)
        return None
    return _string(value)


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
