"""Syntax errors: where bash would stop reading the script, named the way bash would.

tree-sitter marks an error somewhere after the real cause (an unterminated quote swallows
the rest of the file); a small scanner of bash's quoting finds the quote left open, so the
LL000 finding points at it. Other errors are only tree-sitter's opinion (its grammar refuses
some scripts bash runs), so they cut the script there but are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lora_lint.extract.shell.model import SyntaxProblem

if TYPE_CHECKING:
    from tree_sitter import Node


def _first_error(root: Node) -> Node | None:
    node = root
    while True:
        for child in node.children:
            if child.type == "ERROR" or child.is_missing:
                return child
            if child.has_error:
                node = child
                break
        else:
            return None


_HEREDOC = re.compile(r"<<-?[ \t]*(['\"]?)([A-Za-z0-9_.-]+)\1")


def _open_quote(text: str) -> tuple[int, str] | None:
    """The quote left open at the end of ``text`` (offset and kind), if any.

    A small scanner of bash's quoting (comments, escapes, ``$(...)``/backticks, heredocs),
    used only after tree-sitter found an error, to name the problem as bash would.
    """
    stack: list[tuple[str, int]] = []  # open constructs: '"', "'", "$'", "`", "$("
    pending: list[tuple[str, bool]] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        top = stack[-1][0] if stack else ""
        if top == "'":
            if char == "'":
                stack.pop()
            index += 1
            continue
        if top == "$'":
            if char == "\\":
                index += 2
                continue
            if char == "'":
                stack.pop()
            index += 1
            continue
        if char == "\\":
            index += 2
            continue
        if top == '"':
            if char == '"':
                stack.pop()
            elif char == "`":
                stack.append(("`", index))
            elif text.startswith("$(", index):
                stack.append(("$(", index))
                index += 1
            index += 1
            continue
        # unquoted (top level, inside $(...) or backticks)
        if char == "#" and (index == 0 or text[index - 1] in " \t\n;|&("):
            newline = text.find("\n", index)
            index = size if newline < 0 else newline
            continue
        if char == "\n" and pending and not stack:
            index = _skip_heredocs(text, index + 1, pending)
            pending = []
            continue
        if text.startswith("<<", index) and not text.startswith("<<<", index):
            match = _HEREDOC.match(text, index)
            if match:
                pending.append((match.group(2), text.startswith("<<-", index)))
                index = match.end()
                continue
        if char == "'":
            stack.append(("'", index))
        elif text.startswith("$'", index):
            stack.append(("$'", index))
            index += 1
        elif char == '"':
            stack.append(('"', index))
        elif char == "`":
            if top == "`":
                stack.pop()
            else:
                stack.append(("`", index))
        elif text.startswith("$(", index):
            stack.append(("$(", index))
            index += 1
        elif char == "(" and top == "$(":
            stack.append(("(", index))
        elif char == ")" and top in ("$(", "("):
            stack.pop()
        index += 1
    for kind, offset in stack:
        if kind in ("'", '"', "$'", "`"):
            return offset, kind
    return None


def _skip_heredocs(text: str, index: int, pending: list[tuple[str, bool]]) -> int:
    for delimiter, strip in pending:
        while index < len(text):
            newline = text.find("\n", index)
            end = len(text) if newline < 0 else newline
            line = text[index:end].rstrip("\r")
            index = end + 1
            if (line.lstrip("\t") if strip else line) == delimiter:
                break
    return index


_CLOSERS = frozenset({"fi", "done", "esac", "}"})
_QUOTE_NAMES = {"'": "single quote", '"': "double quote", "$'": "$'...' quote", "`": "backquote"}


def problem(root: Node, text: str, char: Callable[[int], int]) -> SyntaxProblem | None:
    """Where and why bash would stop on this script (None when tree-sitter found no error)."""
    if not root.has_error:
        return None
    opened = _open_quote(text)
    if opened is not None:
        offset, kind = opened
        return SyntaxProblem(
            offset,
            f"cannot parse shell script: the {_QUOTE_NAMES[kind]} opened here is never closed "
            "(bash stops with a syntax error); commands from this line on are not checked",
            len(kind),
        )
    error = _first_error(root)
    if error is None:
        return None
    offset = char(error.start_byte)
    what = f"expected {error.type!r}" if error.is_missing else "syntax error"
    # An `if`/loop/`case`/group still open at the end of the file: bash's "unexpected end of
    # file". The only tree-sitter error taken as proof; the others may be its grammar's.
    unclosed = error.is_missing and error.type in _CLOSERS and not text[offset:].strip()
    return SyntaxProblem(
        offset,
        f"cannot parse shell script: {what} (bash stops here); "
        "commands from this line on are not checked",
        0 if error.is_missing else 1,
        certain=unclosed,
    )
