"""Command lines: which words start a known training run, and its ``--flags`` as a tree.

Generic command-line reading, shared by every tool: wrappers before the real program
(``nohup``, ``env A=1``, ``srun``), launchers before a training script (``python``,
``torchrun``, ``deepspeed``, ``accelerate launch``, ``python -m torch.distributed.run``),
then ``--key value``/``--key=value`` flags read like ``argparse`` into a positioned mapping,
the same shape a tool's YAML file has. Which program is which tool, and how a tool reads its
flags, is in :mod:`lora_lint.extract.tools.cli`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lora_lint.diagnostics import Span
from lora_lint.extract.positioned import Document
from lora_lint.extract.shell.expansion import Expanded
from lora_lint.extract.shell.model import Char
from lora_lint.extract.tools import ToolContext, cli
from lora_lint.extract.types import ExtractedConfig, Located, ModelRef, Unresolved, Value

if TYPE_CHECKING:
    from lora_lint.extract.shell.scripts import Guard, Route, ScriptFlag, ScriptModel

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_NEGATIVE_NUMBER = re.compile(r"^-\d")
_PYTHON = re.compile(r"python(\d(\.\d+)?)?")
#: Words that may precede the real command.
_PREFIXES = frozenset({"nohup", "time", "exec", "command", "!", "xargs", "stdbuf"})
#: Wrappers whose own ``-options`` come before the command.
_OPTION_WRAPPERS = frozenset({"srun", "mpirun", "nice", "taskset", "numactl", "sudo"})
_LAUNCHERS = frozenset({"torchrun", "deepspeed"})
_TORCH_LAUNCH_MODULES = frozenset({"torch.distributed.run", "torch.distributed.launch"})
_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "t": True,
    "y": True,
    "1": True,
    "false": False,
    "no": False,
    "f": False,
    "n": False,
    "0": False,
}

SpanOf = Callable[[int, int], Span]


@dataclass
class ShellDocument(Document):
    """The flags of one command as a document; comma splitting knows each character's place,
    so the pieces of ``"q_proj,\\n  v_proj"`` get their own (multi-line) spans."""

    chars: dict[int, list[Char]] = field(default_factory=dict, repr=False)
    span_of: SpanOf | None = field(default=None, repr=False)

    def split_commas(self, value: Located) -> Located:
        chars = self.chars.get(id(value))
        if chars is None or self.span_of is None or not isinstance(value.value, str):
            return super().split_commas(value)
        items: list[Located | Unresolved] = []
        for is_comma, group in itertools.groupby(chars, key=lambda c: c.value == ","):
            piece = list(group)
            while piece and piece[0].value.isspace():
                piece.pop(0)
            while piece and piece[-1].value.isspace():
                piece.pop()
            if is_comma or not piece:
                continue
            span = value.span
            if _contiguous(piece):
                span = self.span_of(piece[0].offset, piece[-1].offset + 1)
            items.append(Located("".join(c.value for c in piece), span, path=value.path))
        return Located(items, value.span, container="list", split_from_string=True, path=value.path)


def _contiguous(chars: list[Char]) -> bool:
    return bool(chars) and all(b.offset == a.offset + 1 for a, b in itertools.pairwise(chars))


def _program(word: Expanded) -> str:
    return word.value.rsplit("/", 1)[-1]


#: ``(tool, arguments, script)``: ``script`` is the launched file as written (``train.py``,
#: ``pkg/mod.py`` for ``-m pkg.mod``), ``None`` for a known CLI or a script only known at run time.
Invocation = tuple[str, list[Expanded], str | None]


def invocation(words: list[Expanded]) -> Invocation | None:
    """``(tool, arguments, script)`` for a known CLI or a launched training script."""
    i = 0
    while i < len(words):
        name = _program(words[i])
        if name in _PREFIXES:
            i += 1
        elif name == "env":
            i += 1
            while i < len(words) and (
                _ASSIGNMENT.match(words[i].value) or words[i].value.startswith("-")
            ):
                i += 1
        elif name in _OPTION_WRAPPERS:
            i += 1
            while i < len(words) and words[i].value.startswith("-"):
                i += 1
        else:
            break
    if i >= len(words):
        return None
    name = _program(words[i])
    rest = words[i + 1 :]
    known = cli.program(name, [w.value for w in rest[:1]])
    if known is not None:
        return known[0], rest[known[1] :], None
    if name == "accelerate" and rest and rest[0].value == "launch":
        return _script(rest[1:])
    if name in _LAUNCHERS or _PYTHON.fullmatch(name):
        return _script(rest)
    return None


def _script(words: list[Expanded]) -> Invocation | None:
    """Skip interpreter/launcher options up to ``script.py`` (or ``-m module``)."""
    for index, word in enumerate(words):
        value = word.value
        if value.endswith(".py"):
            return cli.SCRIPT, words[index + 1 :], None if word.unknown else value
        if value == "-m" and index + 1 < len(words):
            module = words[index + 1]
            rest = words[index + 2 :]
            if module.value in _TORCH_LAUNCH_MODULES:
                return _script(rest)
            known = cli.module(module.value, [w.value for w in rest[:1]])
            if known is not None:
                return known[0], rest[known[1] :], None
            written = None if module.unknown else module.value.replace(".", "/") + ".py"
            return cli.SCRIPT, rest, written
    return None


@dataclass
class _Flag:
    key: str
    key_span: Span
    values: list[Expanded]
    #: The option as written (``--lora-target-modules``): argparse matches it exactly.
    written: str = ""


def _flags(args: list[Expanded], span_of: SpanOf) -> list[_Flag]:
    """``--key value...`` and ``--key=value`` (later flags win, as in argparse)."""
    flags: list[_Flag] = []
    current: _Flag | None = None
    for word in args:
        value = word.value
        if word.unknown and word.word.raw.startswith("--") and "=" in word.word.raw:
            key = word.word.raw[2:].split("=", 1)[0]
            start = word.word.start
            key_span = span_of(start, start + 2 + len(key))
            flags.append(_Flag(key.replace("-", "_"), key_span, [word], f"--{key}"))
            current = None
        elif not word.unknown and value.startswith("--") and len(value) > 2:
            key, sep, _ = value[2:].partition("=")
            start = word.chars[0].offset if word.chars else word.word.start
            key_span = span_of(start, start + 2 + len(key))
            current = _Flag(key.replace("-", "_"), key_span, [], f"--{key}")
            flags.append(current)
            if sep:
                current.values.append(Expanded(word.chars[3 + len(key) :], word.word))
                current = None
        elif current is not None and not (
            value.startswith("-") and not _NEGATIVE_NUMBER.match(value)
        ):
            current.values.append(word)
        else:
            current = None
    return flags


def _value(word: Expanded, span_of: SpanOf, document: ShellDocument, key: str) -> Value:
    """A located scalar for one value word (exact span when its characters are contiguous)."""
    if word.unknown:
        return Unresolved(span_of(word.word.start, word.word.end), word.unknown, text=word.word.raw)
    chars = word.chars
    if _contiguous(chars):
        start, end = chars[0].offset, chars[-1].offset + 1
    else:
        start, end = word.word.start, word.word.end
    located = Located(_convert(word.value, key), span_of(start, end))
    if _contiguous(chars):
        document.raw_ranges[id(located)] = (start, end)
    if isinstance(located.value, str):
        document.chars[id(located)] = chars
    return located


def _convert(text: str, key: str) -> object:
    lowered = text.lower()
    if key in cli.BOOL_FLAGS and lowered in _BOOL_WORDS:
        return _BOOL_WORDS[lowered]
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) and any(c in text for c in ".eE"):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _join(items: list[Value]) -> Span | None:
    if not items:
        return None
    first, last = items[0].span, items[-1].span
    if (first.line, first.column) <= (last.line, last.column):
        return Span(first.line, first.column, last.end_line, last.end_column)
    return first


def flag_tree(
    tool: str, args: list[Expanded], words: list[Expanded], span_of: SpanOf, text: str
) -> tuple[Located, ShellDocument]:
    """The flags as a positioned mapping, like the YAML a tool would read."""
    document = ShellDocument(root=None, text=text, span_of=span_of)
    values: dict[str, Value] = {}
    key_spans: dict[str, Span] = {}
    for flag in _flags(args, span_of):
        items = [_value(w, span_of, document, flag.key) for w in flag.values]
        if not items:
            value: Value = Located(True, flag.key_span)
        elif flag.key in cli.LIST_FLAGS and tool != cli.LLAMA_FACTORY:
            value = Located(list(items), _join(items) or flag.key_span, container="list")
        elif len(items) == 1:
            value = items[0]
        else:
            value = Located(list(items), _join(items) or flag.key_span, container="list")
        values[flag.key] = value
        key_spans[flag.key] = flag.key_span
    first = words[0].word.start if words else 0
    last = words[-1].word.end if words else 0
    root = Located(values, span_of(first, last), container="dict", key_spans=key_spans)
    document.root = root
    return root, document


#: The launched script's model (see :mod:`.scripts`), or why it cannot be read, for the
#: script as written on the command line.
ScriptReader = Callable[[str], "ScriptModel | str"]


def read_command(
    words: list[Expanded],
    span_of: SpanOf,
    text: str,
    path: str,
    scripts: ScriptReader | None = None,
) -> ExtractedConfig | None:
    """The LoRA config of one expanded command line, if it runs a known training tool."""
    found = invocation(words)
    if found is None:
        return None
    tool, args, script = found
    why_not: str | None = None
    if tool == cli.SCRIPT:
        from lora_lint.extract.shell import scripts as script_models  # libcst: only for scripts

        model = (
            "the launched script is only known at run time"
            if script is None
            else scripts(script)
            if scripts is not None
            else f"{script} was not read"
        )
        if isinstance(model, str):
            why_not = f"{model}, so how it reads the LoRA flags is unknown"
        elif model.unclear is not None:
            why_not = f"{model.unclear} ({model.path})"
        elif model.kind == script_models.TRL:
            tool = cli.TRL
        elif model.kind == script_models.LLAMA_FACTORY:
            tool = cli.LLAMA_FACTORY
        elif model.kind == script_models.OWN:
            return _own_script(model, args, words, span_of, text, path)
    root, document = flag_tree(tool, args, words, span_of, text)
    config = cli.read(tool, ToolContext(path, "shell", document), root)
    if config is not None and why_not is not None:
        config.facts = dataclasses.replace(config.facts, not_judged=why_not)
    return config


def _own_script(
    model: ScriptModel,
    args: list[Expanded],
    words: list[Expanded],
    span_of: SpanOf,
    text: str,
    path: str,
) -> ExtractedConfig | None:
    """The config a repository's own script builds from the flags, read as it reads them."""
    from lora_lint.extract.tools.base import LORA_FIELDS

    document = ShellDocument(root=None, text=text, span_of=span_of)
    first = words[0].word.start if words else 0
    last = words[-1].word.end if words else 0
    config = ExtractedConfig(path=path, span=span_of(first, last), source="shell")
    config.facts = dataclasses.replace(config.facts, launcher="shell", script=model.path)
    passed: dict[str, _Flag] = {}
    for flag in _flags(args, span_of):
        known = model.flag(flag.written)
        if known is not None:
            passed[known.dest] = flag  # later flags win, as in argparse
    targets = model.lora.get("target_modules")
    if targets is None or targets.dest not in passed:
        return None  # the script's own default: linted with the script itself
    by_dest = {f.dest: f for f in model.flags.values()}
    routes = dict(model.lora)
    builds_lora = _holds(model.lora_guard, passed, by_dest)
    to_unsloth = _holds(model.unsloth[1], passed, by_dest) if model.unsloth else False
    if to_unsloth:  # unsloth's get_peft_model receives the targets (its semantics apply)
        assert model.unsloth is not None
        routes = {"target_modules": model.unsloth[0]}
        config.facts = dataclasses.replace(config.facts, tool="unsloth")
    elif builds_lora is False:
        config.facts = dataclasses.replace(
            config.facts, inert=f"with these flags {model.path} builds no LoraConfig"
        )
    if builds_lora is None or to_unsloth is None:
        config.facts = dataclasses.replace(
            config.facts,
            not_judged="the conditions around the script's LoraConfig are not modelled "
            f"({model.path})",
        )
    for keyword, route in routes.items():
        given = passed.get(route.dest)
        if given is None or keyword not in LORA_FIELDS:
            continue
        value, problem = _script_value(given, by_dest[route.dest].many, route, span_of, document)
        if problem is not None:
            config.facts = dataclasses.replace(config.facts, not_judged=f"{problem} ({model.path})")
        if value is None:
            continue
        config.options[keyword] = value
        config.option_keys[keyword] = given.written
        config.key_spans[keyword] = given.key_span
    config.unresolved = [u for v in config.options.values() for u in _unresolved(v)]
    config.model = _script_model(model, passed, span_of, document)
    return config


def _holds(
    guard: Guard | None, passed: dict[str, _Flag], flags: dict[str, ScriptFlag]
) -> bool | None:
    """Whether the launcher's flags satisfy ``guard`` (None: not known)."""
    if guard is None:
        return None
    for dest, wanted in guard:
        truth = _flag_truth(passed.get(dest), flags.get(dest))
        if truth is None:
            return None
        if truth != wanted:
            return False
    return True


def _flag_truth(given: _Flag | None, flag: ScriptFlag | None) -> bool | None:
    """``bool(args.x)`` for a flag as the launcher sets it (or its default)."""
    if flag is None:
        return None
    if given is None:
        return flag.truthy
    if flag.action in ("store_true", "store_false"):
        return flag.action == "store_true" if not given.values else None
    if not given.values:
        return True  # HfArgumentParser: a bool field given alone is True
    if len(given.values) != 1 or given.values[0].unknown:
        return None
    return _BOOL_WORDS.get(given.values[0].value.lower())


def _script_value(
    flag: _Flag, many: bool, route: Route, span_of: SpanOf, document: ShellDocument
) -> tuple[Value | None, str | None]:
    """The value the script hands to ``LoraConfig``, or why it is not modelled."""
    from lora_lint.extract.shell import scripts as script_models

    items = [_value(w, span_of, document, flag.key) for w in flag.values]
    if not items:
        return None, f"{flag.written} is given no value"
    if many:
        if route.way != script_models.RAW or route.when_equal is not None:
            return None, f"the script splits the list {flag.written} at commas"
        return Located(list(items), _join(items) or flag.key_span, container="list"), None
    if len(items) > 1:
        return None, f"the script takes one value for {flag.written}; argparse rejects several"
    value = items[0]
    if not isinstance(value, Located):
        return value, None
    way = route.for_value(str(value.value))
    if way == script_models.RAW:
        return value, None
    if not isinstance(value.value, str):
        value = Located(str(value.value), value.span)
    if way == script_models.SPLIT and any(
        piece != piece.strip() for piece in str(value.value).split(",")
    ):
        return None, f"the script keeps the spaces around the pieces of {flag.written}"
    return document.split_commas(value), None


def _script_model(
    model: ScriptModel, passed: dict[str, _Flag], span_of: SpanOf, document: ShellDocument
) -> ModelRef | None:
    """The model the script loads: the launcher's value of its ``from_pretrained`` flag, or
    that flag's default; none when the script loads from several flags."""
    from lora_lint.extract.tools.base import head_from_class

    if len(model.model_dests) != 1:
        return None
    head = head_from_class(model.model_class)
    dest = model.model_dests[0]
    flag = passed.get(dest)
    if flag is None:
        defaults = [f.default for f in model.flags.values() if f.dest == dest and f.default]
        if not defaults:
            return None
        return ModelRef(name=defaults[0], head=head, origin=f"default of --{dest} in {model.path}")
    if len(flag.values) != 1:
        return None
    value = _value(flag.values[0], span_of, document, flag.key)
    if not isinstance(value, Located) or not isinstance(value.value, str):
        return None
    return ModelRef(
        name=value.value, span=value.span, head=head, origin=f"{flag.written} read by {model.path}"
    )


def _unresolved(value: Value) -> list[Unresolved]:
    if isinstance(value, Unresolved):
        return [value]
    return [item for item in value.items if isinstance(item, Unresolved)]
