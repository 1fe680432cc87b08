"""Parsing: a shell script read by tree-sitter-bash, turned into the steps bash would run.

tree-sitter-bash knows the grammar (quotes, nested ``$(...)``, heredocs, compound commands);
this module turns its tree into plain data the rest of the front end can follow without
knowing tree-sitter: :class:`Word` values made of literal characters (each with its offset in
the file), parameter expansions and parts only known at run time, and a flat list of steps in
source order (assignments, simple commands, ``unset``, loop variables).

It also corrects the places where tree-sitter-bash 0.25 and bash disagree, each checked
against bash in the tests:

* whitespace before a ``$`` inside double quotes is folded into the expansion node;
* assignments alone on a line are glued to the command on the next line as its prefix;
* a ``\\``-newline inside a word splits it into two arguments;
* words after a redirection target (``python t.py > log --x y``) become more targets.

tree-sitter is imported on the first parse only, so the text pre-filter stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lora_lint.extract.shell import syntax
from lora_lint.extract.shell.model import (
    Assign,
    Char,
    Command,
    Dynamic,
    Literal,
    Opaque,
    Param,
    Script,
    Segment,
    Source,
    Step,
    Unset,
    Word,
)
from lora_lint.lineindex import LineIndex

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


# --- tree-sitter ---------------------------------------------------------------------------

_PARSER: list[Parser] = []


def _parser() -> Parser:
    if not _PARSER:
        import tree_sitter_bash
        from tree_sitter import Language, Parser

        _PARSER.append(Parser(Language(tree_sitter_bash.language())))
    return _PARSER[0]


class _Text:
    """The script as tree-sitter sees it (UTF-8 bytes) and as lora-lint counts it (chars)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self._chars: list[int] | None = None
        self._lines: LineIndex | None = None
        if len(self.data) != len(text):
            table = [0] * (len(self.data) + 1)
            pos = 0
            for index, char in enumerate(text):
                code = ord(char)
                size = 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
                table[pos : pos + size] = [index] * size
                pos += size
            table[pos] = len(text)
            self._chars = table

    def char(self, byte: int) -> int:
        return byte if self._chars is None else self._chars[byte]

    def range(self, node: Node) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)

    def line(self, offset: int) -> int:
        """The reported line of a character offset (for messages naming a line)."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines.point(offset)[0]


# --- words ---------------------------------------------------------------------------------

_EXPANSIONS = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "arithmetic_expansion",
        "process_substitution",
    }
)
_LITERAL_NODES = frozenset({"word", "number", "extglob_pattern", "regex"})
_PARAM_OPS = frozenset({":-", "-", ":=", "=", ":+", "+"})
_CONTINUATION = re.compile(r"\\\r?\n")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Compound commands whose assignments are not certain to have happened after them.
_CONDITIONAL = {
    "if_statement": "an if statement",
    "case_statement": "a case statement",
    "while_statement": "a loop",
    "for_statement": "a for loop",
    "c_style_for_statement": "a loop",
    "function_definition": "a function",
    "list": "a && or || list",
    "subshell": "a subshell",
    "pipeline": "a pipeline",
    "command_substitution": "a command substitution",
    "process_substitution": "a process substitution",
}
_ANSI_C = re.compile(
    r"\\(?:x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})|([0-7]{1,3})|c(.)|(.))",
    re.DOTALL,
)
_ANSI_C_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


class _Words:
    """Turns argument nodes into :class:`Word` values with file offsets."""

    def __init__(self, src: _Text) -> None:
        self.src = src
        self.text = src.text

    def word(self, nodes: list[Node]) -> Word:
        segments: list[Segment] = []
        for index, node in enumerate(nodes):
            nxt = nodes[index + 1] if index + 1 < len(nodes) else None
            if node.type == "$" and nxt is not None and nxt.type == "string":
                continue  # ``$"..."`` (a translated string) reads like "..."
            segments.extend(self.segments(node, quoted=False))
        start, end = self.src.range(nodes[0])[0], self.src.range(nodes[-1])[1]
        return Word(segments, start, end, self.text[start:end])

    def segments(self, node: Node, quoted: bool, start: int | None = None) -> list[Segment]:
        kind = node.type
        first, end = self.src.range(node)
        first = first if start is None else start
        if kind == "string":
            close = end - 1 if end - first >= 2 and self.text[end - 1] == '"' else end
            return [
                Literal([], quoted=True),
                *self.region(first + 1, close, node.children, quoted=True, only_expansions=True),
            ]
        if kind == "raw_string":
            close = end - 1 if end - first >= 2 and self.text[end - 1] == "'" else end
            chars = [Char(self.text[i], i) for i in range(first + 1, close)]
            return [Literal(chars, quoted=True)]
        if kind == "ansi_c_string":
            close = end - 1 if end - first >= 3 and self.text[end - 1] == "'" else end
            return [Literal(self.ansi_c(first + 2, close), quoted=True)]
        if kind == "translated_string":
            close = end - 1 if end - first >= 3 and self.text[end - 1] == '"' else end
            return [
                Literal([], quoted=True),
                *self.region(first + 2, close, node.children, quoted=True, only_expansions=True),
            ]
        if kind == "concatenation":
            return self.region(first, end, node.children, quoted, only_expansions=False)
        if kind == "simple_expansion":
            name = next((c for c in node.named_children if c.type == "variable_name"), None)
            if name is not None:
                return [Param(self._text(name), quoted=quoted, text=self.text[first:end])]
            return [Dynamic(self.text[first:end], quoted)]
        if kind == "expansion":
            return [self.expansion(node, quoted, first)]
        if kind in _LITERAL_NODES:
            return [self.literal(first, end, quoted)]
        return [Dynamic(self.text[first:end], quoted)]

    def region(
        self, start: int, end: int, children: list[Node], quoted: bool, only_expansions: bool
    ) -> list[Segment]:
        """``start..end`` where ``children`` are segments and the text between them literal."""
        out: list[Segment] = []
        pos = start
        for child in children:
            if not child.is_named or (only_expansions and child.type not in _EXPANSIONS):
                continue
            if quoted and child.type == "raw_string":
                continue  # ``"${X:-'a'}"``: single quotes are literal inside double quotes
            first, last = self.src.range(child)
            if child.type in _EXPANSIONS:
                # tree-sitter folds whitespace before ``$`` into the node: it is literal text.
                dollar = [i for i in (self.text.find(c, first, last) for c in "$`") if i >= 0]
                first = min(dollar) if dollar else first
            first = max(first, pos)
            if first > pos:
                out.append(self.literal(pos, first, quoted))
            out.extend(self.segments(child, quoted, start=first))
            pos = max(pos, last)
        if pos < end:
            out.append(self.literal(pos, end, quoted))
        return out

    def expansion(self, node: Node, quoted: bool, first: int) -> Segment:
        kids = node.children
        text = self.text[first : self.src.range(node)[1]]
        if len(kids) < 3 or kids[0].type != "${" or kids[-1].type != "}":
            return Dynamic(text, quoted)
        inner = kids[1:-1]
        if inner[0].type != "variable_name":
            return Dynamic(text, quoted)
        name = self._text(inner[0])
        if len(inner) == 1:
            return Param(name, quoted=quoted, text=text)
        op = inner[1]
        if op.is_named or op.type not in _PARAM_OPS:
            return Dynamic(text, quoted)
        start, end = self.src.range(op)[1], self.src.range(kids[-1])[0]
        word = self.region(start, end, inner[2:], quoted, only_expansions=False)
        return Param(name, op.type, word, quoted, text)

    def literal(self, start: int, end: int, quoted: bool) -> Literal:
        """Characters of ``text[start:end]`` with bash's backslash rules (outside or inside
        double quotes); unquoted whitespace keeps the right to split fields."""
        text = self.text
        chars: list[Char] = []
        index = start
        while index < end:
            char = text[index]
            if char == "\\" and index + 1 < end:
                nxt = text[index + 1]
                if nxt == "\n":
                    index += 2
                    continue
                if nxt == "\r" and index + 2 < end and text[index + 2] == "\n":
                    index += 3
                    continue
                if not quoted or nxt in '$`"\\':
                    chars.append(Char(nxt, index + 1))
                    index += 2
                    continue
            chars.append(Char(char, index, splits=not quoted and char in " \t\n"))
            index += 1
        return Literal(chars, quoted)

    def ansi_c(self, start: int, end: int) -> list[Char]:
        """``$'...'``: C escapes decoded; a decoded character sits at its backslash."""
        text = self.text
        chars: list[Char] = []
        index = start
        while index < end:
            if text[index] != "\\":
                chars.append(Char(text[index], index))
                index += 1
                continue
            match = _ANSI_C.match(text, index, end)
            if match is None:  # a lone backslash at the end
                chars.append(Char("\\", index))
                index += 1
                continue
            hexa, uni, big, octal, control, other = match.groups()
            code: int | None = None
            if hexa or uni or big:
                code = int(hexa or uni or big, 16)
            elif octal:
                code = int(octal, 8) & 0xFF
            elif control:
                code = ord(control) & 0x1F
            value = chr(code) if code is not None and code < 0x110000 else ""
            if code is None:
                value = _ANSI_C_SIMPLE.get(other, "\\" + other)
            chars.extend(Char(v, index) for v in value)
            index = match.end()
        return chars

    def _text(self, node: Node) -> str:
        first, end = self.src.range(node)
        return self.text[first:end]


# --- steps ---------------------------------------------------------------------------------


class _Walker:
    """Collects the steps in source order (nested commands before the one that uses them)."""

    def __init__(self, src: _Text) -> None:
        self.src = src
        self.words = _Words(src)
        self.steps: list[Step] = []

    def walk(self, node: Node) -> None:
        kind = node.type
        if kind in ("comment", "heredoc_body", "ERROR"):
            return
        if kind in _CONDITIONAL:
            self.conditional(node, _CONDITIONAL[kind])
        elif kind == "command":
            self.command(node, [])
        elif kind == "redirected_statement":
            self.redirected(node)
        elif kind == "variable_assignment":
            self.assignment(node)
        elif kind == "unset_command":
            names = [self.words._text(c) for c in node.named_children]
            first, end = self.src.range(node)
            self.steps.append(Unset(names, first, end))
        else:
            self.children(node)

    def children(self, node: Node) -> None:
        if node.type == "for_statement":
            self.for_loop(node)
            return
        for child in node.children:
            self.walk(child)

    def conditional(self, node: Node, what: str) -> None:
        """Inside ``node`` steps run in order; after it, a variable it assigns may or may not
        have its new value (a branch not taken, a loop run zero times, a subshell), so it is
        only known at run time."""
        mark = len(self.steps)
        self.children(node)
        names: dict[str, None] = {}
        for step in self.steps[mark:]:
            if isinstance(step, (Assign, Opaque)):
                names[step.name] = None
        first, end = self.src.range(node)
        line = self.src.line(first)
        for name in names:
            reason = f"${name} is set inside {what} (line {line}): its value depends on the run"
            self.steps.append(Opaque(name, reason, end, end))

    def redirected(self, node: Node) -> None:
        body = node.child_by_field_name("body")
        extra: list[Node] = []
        for child in node.children:
            if child.type == "file_redirect":
                # bash takes one target word; tree-sitter hands it the command's next words too
                targets = [
                    c
                    for i, c in enumerate(child.children)
                    if child.field_name_for_child(i) == "destination"
                ]
                extra.extend(targets[1:])
        if body is not None and body.type == "command":
            self.command(body, extra)
        elif body is not None:
            self.walk(body)

    def command(self, node: Node, extra: list[Node]) -> None:
        prefix: list[Node] = []
        parts: list[Node] = []
        for index, child in enumerate(node.children):
            name = node.field_name_for_child(index)
            if child.type == "variable_assignment" and not parts:
                prefix.append(child)
            elif name == "name":
                parts.extend(child.children or [child])
            elif name == "argument" or child.type == "$":
                parts.append(child)
        # tree-sitter-bash glues ``A=1 B=2`` on its own line to the next command: split there
        glued = 0
        for index, assignment in enumerate(prefix):
            following = [*prefix[index + 1 :], *parts]
            after = following[0] if following else None
            if after is None:
                glued = len(prefix)
                break
            gap = self.src.text[self.src.range(assignment)[1] : self.src.range(after)[0]]
            if "\n" in _CONTINUATION.sub("", gap):
                glued = index + 1
        for assignment in prefix[:glued]:
            self.assignment(assignment)
        for assignment in prefix[glued:]:
            value = assignment.child_by_field_name("value")
            if value is not None:
                self.walk(value)
        for child in parts:
            self.walk(child)
        words = [self.words.word(group) for group in self._groups([*parts, *extra])]
        words = self._escaped_blanks(words)
        if words:
            first, end = self.src.range(node)
            self.steps.append(Command(words, first, max(end, words[-1].end)))
            program = words[0].raw
            if program in ("source", "."):
                line = self.src.line(first)
                reason = f"`{program}` on line {line} may set any variable"
                self.steps.append(Source(reason, first, end))
            elif program in ("read", "mapfile", "readarray"):
                for word in words[1:]:
                    if _NAME.fullmatch(word.raw):
                        reason = f"${word.raw} is read by `{program}` when the script runs"
                        self.steps.append(Opaque(word.raw, reason, first, end))

    def _escaped_blanks(self, words: list[Word]) -> list[Word]:
        """Add the words tree-sitter drops: an escaped blank on its own (``\\ `` is " ")."""
        if not words or "\\" not in self.src.text:
            return words
        out: list[Word] = []
        for index, word in enumerate(words):
            out.append(word)
            limit = words[index + 1].start if index + 1 < len(words) else len(self.src.text)
            for start, end in _escaped_runs(self.src.text, word.end, limit):
                literal = self.words.literal(start, end, quoted=False)
                out.append(Word([literal], start, end, self.src.text[start:end]))
        return out

    def _groups(self, nodes: list[Node]) -> Iterator[list[Node]]:
        """Argument nodes that bash reads as one word (joined by ``\\``-newline or nothing)."""
        group: list[Node] = []
        for node in nodes:
            if group:
                gap = self.src.text[self.src.range(group[-1])[1] : self.src.range(node)[0]]
                if gap and _CONTINUATION.sub("", gap):
                    yield group
                    group = []
            group.append(node)
        if group:
            yield group

    def assignment(self, node: Node) -> None:
        name_node = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        first, end = self.src.range(node)
        if value is not None:
            self.walk(value)
        if name_node is None or name_node.type != "variable_name":
            return  # ``A[0]=x``: arrays are not followed
        name = self.words._text(name_node)
        append = any(c.type == "+=" for c in node.children)
        if value is None:
            self.steps.append(Assign(name, Word([], end, end, ""), first, end, append))
        elif value.type == "array":
            reason = f"${name} is an array (lora-lint does not follow arrays)"
            self.steps.append(Assign(name, None, first, end, append, reason))
        else:
            self.steps.append(Assign(name, self.words.word([value]), first, end, append))

    def for_loop(self, node: Node) -> None:
        variable = node.child_by_field_name("variable")
        first, end = self.src.range(node)
        if variable is not None:
            name = self.words._text(variable)
            reason = f"${name} takes a new value on each pass of a for loop"
            self.steps.append(Opaque(name, reason, first, end))
        body = node.child_by_field_name("body")
        if body is not None:
            self.walk(body)


def _escaped_runs(text: str, index: int, limit: int) -> list[tuple[int, int]]:
    """Words made only of backslash-escaped characters between ``index`` and the next word
    (or the end of the command line)."""
    runs: list[tuple[int, int]] = []
    size = len(text)
    while index < limit:
        char = text[index]
        if char in " \t":
            index += 1
        elif char == "\\" and index + 1 < size:
            if text[index + 1] == "\n":
                index += 2
            elif text.startswith("\r\n", index + 1):
                index += 3
            else:
                start = index
                while (
                    index < limit
                    and text[index] == "\\"
                    and index + 1 < size
                    and text[index + 1] not in "\r\n"
                ):
                    index += 2
                runs.append((start, index))
        else:
            break
    return runs


def parse(text: str) -> Script:
    """The steps of ``text`` bash would run, up to the first syntax error (bash stops there)."""
    src = _Text(text)
    tree = _parser().parse(src.data)
    root = tree.root_node
    walker = _Walker(src)
    walker.walk(root)
    problem = syntax.problem(root, text, src.char)
    steps = walker.steps
    if problem is not None:
        cutoff = text.rfind("\n", 0, problem.offset) + 1
        for child in root.children:
            first, end = src.range(child)
            if first < cutoff <= end or first <= problem.offset <= end:
                cutoff = min(cutoff, first)
                break
        steps = [step for step in steps if step.end <= cutoff]
    return Script(steps, problem)


__all__ = [
    "Assign",
    "Char",
    "Command",
    "Dynamic",
    "Literal",
    "Opaque",
    "Param",
    "Script",
    "Segment",
    "Source",
    "Step",
    "Unset",
    "Word",
    "parse",
]
