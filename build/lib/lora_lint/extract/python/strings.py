"""String literal details the evaluator needs: f-string text and where split pieces sit."""

from __future__ import annotations

import ast
import re

import libcst as cst

from lora_lint.diagnostics import Span


def fstring_text(code: str) -> str | None:
    """The value of a placeholder-free f-string given as source, ``None`` otherwise.

    Python itself decodes the escapes and doubled braces.
    """
    try:
        tree = ast.parse(code.strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Constant) and isinstance(tree.value, str):
        return tree.value
    if not isinstance(tree, ast.JoinedStr):
        return None
    parts = []
    for part in tree.values:
        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
            return None
        parts.append(part.value)
    return "".join(parts)


def piece_spans(
    literal_text: str, span: Span, value: str, sep: str | None, maxsplit: int
) -> list[Span] | None:
    """Spans of ``value.split(sep, maxsplit)``'s pieces inside a one-line string literal.

    ``literal_text`` is the source at ``span``. ``None`` when offsets in the
    value do not map to columns (escapes, implicit concatenation, several
    lines): callers then use the span of the whole string.
    """
    if span.line != span.end_line:
        return None
    try:
        literal = cst.parse_expression(literal_text)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(literal, cst.SimpleString) or literal.raw_value != value:
        return None
    start = span.column + len(literal.prefix) + len(literal.quote)
    pieces = value.split(sep, maxsplit)
    offsets: list[tuple[int, int]] = []
    if sep is None:
        if maxsplit != -1:
            return None
        offsets = [m.span() for m in re.finditer(r"\S+", value)]
    else:
        cursor = 0
        for piece in pieces:
            offsets.append((cursor, cursor + len(piece)))
            cursor += len(piece) + len(sep)
    if [value[a:b] for a, b in offsets] != pieces:
        return None
    return [Span(span.line, start + a, span.line, start + b) for a, b in offsets]
