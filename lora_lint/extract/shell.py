"""Shell launchers (``.sh``): LoRA flags passed to known training CLIs.

Each command is split into words with POSIX shell rules (``shlex`` semantics:
quotes, backslash escapes, ``\\``-newline continuations, ``#`` comments), but
by a small tokenizer of our own that also keeps the file position of every
character, so findings point at the value as written. Variables assigned in
the script (``MODEL=...``, ``export TARGETS="q_proj v_proj"``) are expanded in
later commands (``$MODEL``, ``${MODEL}``, ``${MODEL:-default}``), and their
values keep the span of the assignment; anything else (``$1``, a variable the
script never sets, ``$(cmd)``) becomes an ``Unresolved`` value.

Commands understood (after ``nohup``/``env``/``CUDA_VISIBLE_DEVICES=...``
prefixes and ``python``/``torchrun``/``deepspeed``/``accelerate launch``
launchers):

* ``llamafactory-cli train --model_name_or_path M --lora_target q_proj,v_proj``
  (and ``python src/train.py --stage sft ...``): the flags form the same tree
  as a LLaMA-Factory YAML and go through its adapter (comma splitting, ``all``);
* ``trl sft --model_name_or_path M --use_peft --lora_target_modules q_proj v_proj``
  and scripts launched with TRL's ``ModelConfig`` flags (``--use_peft``,
  ``--lora_target_modules``, nargs+): the TRL adapter, including its
  one-element-list collapse;
* ``swift sft --model M --target_modules q_proj v_proj`` (ms-swift: ``all-linear``
  inside the list adds every linear layer, ``--target_regex`` replaces the list).

A ``llamafactory-cli train config.yaml`` without inline flags has nothing to
check here: the YAML file is linted on its own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lora_lint.diagnostics import Span, unreadable_input
from lora_lint.extract.tools import ADAPTERS, ToolContext
from lora_lint.extract.tools import llama_factory as lf_adapter
from lora_lint.extract.tools import trl as trl_adapter
from lora_lint.extract.tools.base import ALL_LINEAR, Adapter, ConfigBuilder
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, Unresolved, Value
from lora_lint.extract.yaml.loader import Document

_NAME_CHARS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\+)?=")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_NEGATIVE_NUMBER = re.compile(r"^-\d")
_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "(", ")")
#: Words that may precede the real command.
_PREFIXES = frozenset(
    {"nohup", "time", "exec", "sudo", "command", "do", "then", "else", "elif", "{", "!", "xargs"}
)
_LAUNCHERS = frozenset({"torchrun", "deepspeed"})
_TRL_SUBCOMMANDS = frozenset({"sft", "dpo", "grpo", "kto", "orpo", "reward", "rloo", "ppo", "cpo"})
_SWIFT_SUBCOMMANDS = frozenset({"sft", "pt", "rlhf"})
#: Flags whose parser takes several values (``nargs="+"``): always a list.
_LIST_FLAGS = frozenset(
    {
        "lora_target_modules",
        "lora_modules_to_save",
        "lora_target_parameters",
        "target_modules",
        "modules_to_save",
        "target_parameters",
    }
)
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
_BOOL_FLAGS = frozenset(
    {
        "use_peft",
        "use_dora",
        "use_rslora",
        "trust_remote_code",
        "load_in_4bit",
        "load_in_8bit",
        "create_new_adapter",
    }
)
_HINTS = ("lora", "target_modules", "peft", "llamafactory", "swift", "finetuning_type")


def might_contain_config(text: str) -> bool:
    return any(hint in text for hint in _HINTS)


# --- words with positions ------------------------------------------------------------------


@dataclass
class Char:
    """One character of a word after quote removal, and its offset in the file."""

    value: str
    offset: int
    #: From an unquoted ``$VAR`` expansion: whitespace in it splits words.
    splits: bool = False


@dataclass
class Part:
    """A literal run or a parameter expansion inside a word."""

    chars: list[Char] = field(default_factory=list)
    #: ``NAME`` for ``$NAME``/``${NAME}``/``${NAME:-default}``; ``""`` for a literal.
    var: str = ""
    default: list[Char] | None = None
    quoted: bool = False
    #: ``$(...)``, backticks, ``$1``, ``$@``: never known statically.
    dynamic: str = ""


@dataclass
class Word:
    parts: list[Part]
    start: int
    end: int
    raw: str


@dataclass
class Token:
    kind: str  # "word", "op", "newline", "redirect"
    start: int
    end: int
    word: Word | None = None
    text: str = ""


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.heredocs: list[tuple[str, bool]] = []

    def tokens(self) -> Iterator[Token]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r":
                self.pos += 1
            elif char == "\\" and text.startswith("\n", self.pos + 1):
                self.pos += 2
            elif char == "\n":
                yield Token("newline", self.pos, self.pos + 1)
                self.pos += 1
                self._skip_heredocs()
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif char in "<>" or (char.isdigit() and self._redirect_after_digits()):
                yield self._redirect()
            elif any(text.startswith(op, self.pos) for op in _OPERATORS):
                op = next(op for op in _OPERATORS if text.startswith(op, self.pos))
                yield Token("op", self.pos, self.pos + len(op), text=op)
                self.pos += len(op)
            else:
                yield self._word()

    def _redirect_after_digits(self) -> bool:
        match = re.compile(r"\d+[<>]").match(self.text, self.pos)
        return match is not None

    def _redirect(self) -> Token:
        start = self.pos
        match = re.compile(r"\d*(<<-?|<<<|>>|>&|<&|&>|>\||<>|<|>)").match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()
        op = match.group(1)
        if op in ("<<", "<<-"):
            while self.pos < len(self.text) and self.text[self.pos] in " \t":
                self.pos += 1
            word = self._word()
            delimiter = (
                "".join(c.value for p in word.word.parts for c in p.chars) if word.word else ""
            )
            self.heredocs.append((delimiter, op == "<<-"))
            return Token("redirect", start, self.pos, text=op)
        if op in (">&", "<&"):
            fd = re.compile(r"\d+-?|-").match(self.text, self.pos)
            if fd:
                self.pos = fd.end()
                return Token("redirect", start, self.pos, text=op + "fd")
        return Token("redirect", start, self.pos, text=op)

    def _skip_heredocs(self) -> None:
        while self.heredocs:
            delimiter, strip = self.heredocs.pop(0)
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                line = self.text[self.pos : end]
                self.pos = min(end + 1, len(self.text))
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break

    def _word(self) -> Token:
        text = self.text
        start = self.pos
        parts: list[Part] = [Part()]
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n" or any(text.startswith(op, self.pos) for op in _OPERATORS):
                break
            if char in "<>":
                break
            if char == "\\":
                if text.startswith("\n", self.pos + 1):
                    self.pos += 2
                    continue
                if self.pos + 1 < len(text):
                    parts[-1].chars.append(Char(text[self.pos + 1], self.pos + 1))
                self.pos += 2
            elif char == "'":
                end = text.find("'", self.pos + 1)
                end = len(text) if end < 0 else end
                literal = Part(quoted=True)
                literal.chars = [Char(text[i], i) for i in range(self.pos + 1, end)]
                parts.extend([literal, Part()])
                self.pos = end + 1
            elif char == '"':
                self.pos += 1
                self._double_quoted(parts)
            elif char == "$":
                parts.extend([self._dollar(quoted=False), Part()])
            elif char == "`":
                end = text.find("`", self.pos + 1)
                end = len(text) if end < 0 else end
                parts.extend([Part(dynamic=text[self.pos : end + 1]), Part()])
                self.pos = end + 1
            else:
                parts[-1].chars.append(Char(char, self.pos))
                self.pos += 1
        parts = [p for p in parts if p.chars or p.var or p.dynamic or p.quoted]
        word = Word(parts, start, self.pos, text[start : self.pos])
        return Token("word", start, self.pos, word=word)

    def _double_quoted(self, parts: list[Part]) -> None:
        text = self.text
        current = Part(quoted=True)
        parts.append(current)
        while self.pos < len(text) and text[self.pos] != '"':
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text) and text[self.pos + 1] in '$`"\\\n':
                if text[self.pos + 1] != "\n":
                    current.chars.append(Char(text[self.pos + 1], self.pos + 1))
                self.pos += 2
            elif char == "$":
                parts.append(self._dollar(quoted=True))
                current = Part(quoted=True)
                parts.append(current)
            elif char == "`":
                end = text.find("`", self.pos + 1)
                end = len(text) if end < 0 else end
                parts.append(Part(dynamic=text[self.pos : end + 1], quoted=True))
                self.pos = end + 1
                current = Part(quoted=True)
                parts.append(current)
            else:
                current.chars.append(Char(char, self.pos))
                self.pos += 1
        self.pos += 1
        parts.append(Part())

    def _dollar(self, quoted: bool) -> Part:
        text = self.text
        start = self.pos
        nxt = text[self.pos + 1 : self.pos + 2]
        if nxt == "{":
            end = self._matching(self.pos + 1, "{", "}")
            body = text[self.pos + 2 : end]
            self.pos = end + 1
            match = _NAME_CHARS.match(body)
            if match and match.end() == len(body):
                return Part(var=body, quoted=quoted)
            if match and body[match.end() :].startswith((":-", "-", ":=", "=")):
                op_len = 2 if body[match.end()] == ":" else 1
                offset = start + 2 + match.end() + op_len
                default = [Char(c, offset + i) for i, c in enumerate(body[match.end() + op_len :])]
                return Part(var=match.group(0), default=default, quoted=quoted)
            return Part(dynamic=text[start : self.pos], quoted=quoted)
        if nxt == "(":
            end = self._matching(self.pos + 1, "(", ")")
            self.pos = end + 1
            return Part(dynamic=text[start : self.pos], quoted=quoted)
        match = _NAME_CHARS.match(text, self.pos + 1)
        if match:
            self.pos = match.end()
            return Part(var=match.group(0), quoted=quoted)
        if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            self.pos += 2
            return Part(dynamic=text[start : self.pos], quoted=quoted)
        self.pos += 1
        return Part(chars=[Char("$", start)], quoted=quoted)

    def _matching(self, pos: int, open_: str, close: str) -> int:
        depth = 0
        while pos < len(self.text):
            if self.text[pos] == open_:
                depth += 1
            elif self.text[pos] == close:
                depth -= 1
                if depth == 0:
                    return pos
            pos += 1
        return len(self.text) - 1


def commands(text: str) -> Iterator[list[Token]]:
    """The simple commands of the script, as lists of word/redirect tokens."""
    current: list[Token] = []
    for token in _Tokenizer(text).tokens():
        if token.kind in ("newline", "op"):
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


# --- expansion -----------------------------------------------------------------------------


@dataclass
class Expanded:
    """A word after parameter expansion: its characters (with offsets) or why it is unknown."""

    chars: list[Char]
    word: Word
    unknown: str = ""

    @property
    def value(self) -> str:
        return "".join(c.value for c in self.chars)


class Expander:
    """Expands words with the variables assigned so far in the script."""

    def __init__(self) -> None:
        self.variables: dict[str, list[Char] | None] = {}

    def expand(self, word: Word) -> list[Expanded]:
        """Expand ``word``; unquoted expansions split at whitespace (bash field splitting)."""
        chars: list[Char] = []
        unknown = ""
        for part in word.parts:
            if part.dynamic:
                unknown = unknown or f"{part.dynamic} is only known when the script runs"
            elif part.var:
                value = self.variables.get(part.var, None)
                if value is None and part.var in self.variables:
                    unknown = unknown or f"${part.var} is only known when the script runs"
                elif value is None and part.default is not None:
                    chars.extend(
                        Char(c.value, c.offset, splits=not part.quoted) for c in part.default
                    )
                elif value is None:
                    unknown = unknown or f"shell variable ${part.var} is not set in this script"
                else:
                    chars.extend(Char(c.value, c.offset, splits=not part.quoted) for c in value)
            else:
                chars.extend(part.chars)
        if unknown:
            return [Expanded([], word, unknown)]
        out: list[Expanded] = []
        current: list[Char] = []
        had_quoted = any(p.quoted for p in word.parts)
        for char in chars:
            if char.splits and char.value in " \t\n":
                if current:
                    out.append(Expanded(current, word))
                current = []
            else:
                current.append(char)
        if current or (had_quoted and not out):
            out.append(Expanded(current, word))
        return out

    def assign(self, word: Word) -> None:
        """``NAME=value`` (the prefix is a literal in the first part)."""
        first = word.parts[0] if word.parts else None
        if first is None or first.quoted or first.var or first.dynamic:
            return
        literal = "".join(c.value for c in first.chars)
        match = _ASSIGNMENT.match(literal)
        if not match:
            return
        name = literal[: match.end() - 1].rstrip("+")
        rest = Word(
            [Part(first.chars[match.end() :]), *word.parts[1:]], word.start, word.end, word.raw
        )
        expanded = self.expand(rest)
        if len(expanded) == 1 and not expanded[0].unknown:
            value = [Char(c.value, c.offset) for c in expanded[0].chars]
            if match.group(1) and self.variables.get(name):
                value = [*(self.variables[name] or []), *value]
            self.variables[name] = value
        elif expanded and not expanded[0].unknown:
            self.variables[name] = [Char(c.value, c.offset) for e in expanded for c in e.chars]
        else:
            self.variables[name] = None  # set, but not to anything we know


# --- commands -> positioned trees ----------------------------------------------------------


class _Source:
    def __init__(self, text: str) -> None:
        self.text = text
        # lora-lint's line convention (as libcst, the reporters and suppressions count).
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def point(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def span(self, start: int, end: int) -> Span:
        # A word left open at the end of the file (an unterminated quote) ends there.
        start, end = min(start, len(self.text)), min(end, len(self.text))
        first, last = self.point(start), self.point(end)
        return Span(first[0], first[1], last[0], last[1])


def extract_shell(source: str, path: str) -> FileExtraction:
    """Every LoRA config passed on the command line of a known training CLI."""
    result = FileExtraction(path)
    try:
        result.configs = list(_extract(source, path))
    except RecursionError:
        result.findings.append(
            unreadable_input(path, "cannot read shell script: nested too deeply")
        )
    return result


def _extract(source: str, path: str) -> Iterator[ExtractedConfig]:
    src = _Source(source)
    document = Document(root=None, text=source)
    expander = Expander()
    for tokens in commands(source):
        words = _strip_redirects(tokens)
        if not words:
            continue
        head = 0
        while head < len(words) and words[head].raw in (
            "export",
            "local",
            "declare",
            "readonly",
            "typeset",
        ):
            head += 1
        assignments = 0
        while head + assignments < len(words) and _ASSIGNMENT.match(words[head + assignments].raw):
            assignments += 1
        if head + assignments == len(words):
            for word in words[head:]:
                expander.assign(word)
            continue
        expanded: list[Expanded] = []
        for word in words[head + assignments :]:
            expanded.extend(expander.expand(word))
        invocation = _invocation(expanded)
        if invocation is None:
            continue
        kind, args = invocation
        config = _config(kind, args, src, document, path, expanded)
        if config is not None:
            yield config


def _strip_redirects(tokens: list[Token]) -> list[Word]:
    words: list[Word] = []
    skip = False
    for token in tokens:
        if token.kind == "redirect":
            skip = not token.text.endswith("fd")
            continue
        if skip:
            skip = False
            continue
        if token.word is not None:
            words.append(token.word)
    return words


def _program(word: Expanded) -> str:
    return word.value.rsplit("/", 1)[-1]


def _invocation(words: list[Expanded]) -> tuple[str, list[Expanded]] | None:
    """``(kind, arguments)`` for a known CLI or a launched training script."""
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
        elif name in ("srun", "mpirun"):
            i += 1
            while i < len(words) and words[i].value.startswith("-"):
                i += 1
        else:
            break
    if i >= len(words):
        return None
    name = _program(words[i])
    rest = words[i + 1 :]
    if name in ("llamafactory-cli", "lmf"):
        if rest and rest[0].value in ("train", "export"):
            return "llama-factory", rest[1:]
        return None
    if name == "trl":
        if rest and rest[0].value in _TRL_SUBCOMMANDS:
            return "trl", rest[1:]
        return None
    if name == "swift":
        if rest and rest[0].value in _SWIFT_SUBCOMMANDS:
            return "swift", rest[1:]
        return None
    if name == "accelerate" and rest and rest[0].value == "launch":
        return _script(rest[1:])
    if name in _LAUNCHERS or re.fullmatch(r"python(\d(\.\d+)?)?", name):
        return _script(rest)
    return None


def _script(words: list[Expanded]) -> tuple[str, list[Expanded]] | None:
    """Skip interpreter/launcher options up to ``script.py`` (or ``-m module``)."""
    for index, word in enumerate(words):
        value = word.value
        if value.endswith(".py"):
            return "script", words[index + 1 :]
        if value == "-m" and index + 1 < len(words):
            module = words[index + 1].value
            if module in ("torch.distributed.run", "torch.distributed.launch"):
                return _script(words[index + 2 :])
            if (
                module.startswith("llamafactory")
                and index + 2 < len(words)
                and words[index + 2].value in ("train", "export")
            ):
                return "llama-factory", words[index + 3 :]
            if (
                module == "trl"
                and index + 2 < len(words)
                and words[index + 2].value in _TRL_SUBCOMMANDS
            ):
                return "trl", words[index + 3 :]
            return "script", words[index + 2 :]
    return None


@dataclass
class _Flag:
    key: str
    key_span: Span
    values: list[Expanded]
    #: ``--key=value``: the value's characters start after ``=``.
    inline: bool = False


def _flags(args: list[Expanded], src: _Source) -> list[_Flag]:
    flags: list[_Flag] = []
    current: _Flag | None = None
    for word in args:
        value = word.value
        if word.unknown and word.word.raw.startswith("--") and "=" in word.word.raw:
            key = word.word.raw[2:].split("=", 1)[0]
            start = word.word.start
            flags.append(
                _Flag(key.replace("-", "_"), src.span(start, start + 2 + len(key)), [word])
            )
            current = None
        elif not word.unknown and value.startswith("--") and len(value) > 2:
            key, sep, _ = value[2:].partition("=")
            start = word.chars[0].offset if word.chars else word.word.start
            key_span = src.span(start, start + 2 + len(key))
            current = _Flag(key.replace("-", "_"), key_span, [])
            flags.append(current)
            if sep:
                cut = 3 + len(key)
                current.values.append(Expanded(word.chars[cut:], word.word))
                current.inline = True
                current = None
        elif current is not None and not (
            value.startswith("-") and not _NEGATIVE_NUMBER.match(value)
        ):
            current.values.append(word)
        else:
            current = None
    return flags


def _value(word: Expanded, src: _Source, document: Document, key: str) -> Value:
    """A located scalar for one value word (exact span when its characters are contiguous)."""
    if word.unknown:
        return Unresolved(
            src.span(word.word.start, word.word.end), word.unknown, text=word.word.raw
        )
    chars = word.chars
    contiguous = bool(chars) and all(b.offset == a.offset + 1 for a, b in itertools.pairwise(chars))
    if contiguous:
        start, end = chars[0].offset, chars[-1].offset + 1
    else:
        start, end = word.word.start, word.word.end
    located = Located(_convert(word.value, key), src.span(start, end))
    if contiguous:
        document.raw_ranges[id(located)] = (start, end)
    return located


def _convert(text: str, key: str) -> object:
    lowered = text.lower()
    if key in _BOOL_FLAGS and lowered in _BOOL_WORDS:
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


def _tree(
    kind: str, args: list[Expanded], src: _Source, document: Document, words: list[Expanded]
) -> Located:
    """The flags as a positioned mapping, like the YAML a tool would read."""
    values: dict[str, Value] = {}
    key_spans: dict[str, Span] = {}
    for flag in _flags(args, src):
        items = [_value(w, src, document, flag.key) for w in flag.values]
        if not items:
            value: Value = Located(True, flag.key_span)
        elif flag.key in _LIST_FLAGS and kind != "llama-factory":
            span = _join(items) or flag.key_span
            value = Located(list(items), span, container="list")
        elif len(items) == 1:
            value = items[0]
        else:
            value = Located(list(items), _join(items) or flag.key_span, container="list")
        values[flag.key] = value
        key_spans[flag.key] = flag.key_span
    first = words[0].word.start if words else 0
    last = words[-1].word.end if words else 0
    return Located(values, src.span(first, last), container="dict", key_spans=key_spans)


def _join(items: list[Value]) -> Span | None:
    if not items:
        return None
    first, last = items[0].span, items[-1].span
    if (first.line, first.column) <= (last.line, last.column):
        return Span(first.line, first.column, last.end_line, last.end_column)
    return first


def _config(
    kind: str,
    args: list[Expanded],
    src: _Source,
    document: Document,
    path: str,
    words: list[Expanded],
) -> ExtractedConfig | None:
    root = _tree(kind, args, src, document, words)
    ctx = ToolContext(
        path, "shell", Document(root, text=document.text, raw_ranges=document.raw_ranges)
    )
    if kind == "swift":
        return _swift(ctx, root)
    adapters: tuple[Adapter, ...]
    if kind == "llama-factory":
        adapters = tuple(a for a in ADAPTERS if a.name == lf_adapter.NAME)
    elif kind == "trl":
        adapters = tuple(a for a in ADAPTERS if a.name == trl_adapter.NAME)
    else:
        adapters = tuple(a for a in ADAPTERS if a.name in (lf_adapter.NAME, trl_adapter.NAME))
    for adapter in adapters:
        if adapter.detect(ctx):
            configs = adapter.extract(ctx)
            if configs:
                configs[0].notes.setdefault("launcher", "shell")
                return configs[0]
    return None


#: ms-swift flag -> LoraConfig field (targets and model are handled separately).
_SWIFT_KEYS = {
    "lora_rank": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "modules_to_save": "modules_to_save",
    "target_parameters": "target_parameters",
    "use_dora": "use_dora",
    "use_rslora": "use_rslora",
}


def _swift(ctx: ToolContext, root: Located) -> ExtractedConfig | None:
    """``swift sft``: ``--target_modules`` (default ``all-linear``), ``--target_regex``."""
    from lora_lint.extract.tools.base import entries, get, text

    builder = ConfigBuilder(ctx, root, "ms-swift")
    config = builder.config
    config.notes["tool"] = "ms-swift"
    train_type = text(get(root, "train_type")) or text(get(root, "sft_type")) or "lora"
    if train_type not in ("lora", "qlora", "dora", "longlora", "lora+"):
        if not any(k in _SWIFT_KEYS or k.startswith(("target_", "lora_")) for k in entries(root)):
            return None
        config.notes["inert"] = f"train_type is {train_type}, so ms-swift ignores the LoRA flags"
    for key, peft_name in _SWIFT_KEYS.items():
        builder.take(key, peft_name)
    regex = get(root, "target_regex")
    targets = get(root, "target_modules")
    if regex is not None:
        builder.put("target_modules", "target_regex", regex)
    elif isinstance(targets, Located) and targets.container == "list":
        names = [i for i in targets.items if not (isinstance(i, Located) and i.value == ALL_LINEAR)]
        if len(names) != len(targets.items):
            config.add_all_linear_leaves = True
            config.notes["all_means"] = "ms-swift all-linear"
        if names:
            builder.put(
                "target_modules", "target_modules", Located(names, targets.span, container="list")
            )
        else:
            lone = next(i for i in targets.items if isinstance(i, Located))
            builder.put("target_modules", "target_modules", Located(ALL_LINEAR, lone.span))
    elif targets is not None:
        builder.put("target_modules", "target_modules", targets)
    else:
        config.notes["implicit_target_modules"] = ALL_LINEAR
    for key in ("model", "model_id_or_path"):
        if text(get(root, key)):
            builder.model(key, f"ms-swift --{key}", head="causal-lm")
            break
    return builder.build()
