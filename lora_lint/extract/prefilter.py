"""Second stage of the Python pre-filter: needles that only occur in docstrings don't count.

The text pre-filter (``lora_lint.extract.python.might_contain_config``) lets a file
through to libcst when it mentions a PEFT config class, ``target_modules``,
``get_peft_model`` or ``use_peft`` anywhere, including in a module docstring that
merely documents the training setup. libcst costs ~50-150 ms per such file; CPython's
own parser costs ~1-3 ms. :func:`needs_parse` is False only when *every* occurrence
of *every* needle lies inside a bare string statement (a docstring or any other string
expression statement, which has no effect and so can hold no config). Whenever it is
unsure (a syntax error, positions that do not check out) it answers True and libcst
decides, as before.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable

from lora_lint.lineindex import LineIndex

_STRING_START = re.compile(r"[rRbBuUfFtT]{0,2}['\"]")


def _occurrences(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    found = []
    for needle in needles:
        start = text.find(needle)
        while start >= 0:
            found.append((start, start + len(needle)))
            start = text.find(needle, start + 1)
    return found


def needs_parse(text: str, needles: Iterable[str]) -> bool:
    """False when ``text`` mentions the needles only inside bare string statements."""
    hits = _occurrences(text, needles)
    if not hits:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True  # libcst reports what is wrong with the file
    lines = LineIndex(text)
    ranges: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, (str, bytes))
        ):
            continue
        value = node.value
        if value.end_lineno is None or value.end_col_offset is None:
            return True
        begin = lines.byte_offset(value.lineno, value.col_offset)
        end = lines.byte_offset(value.end_lineno, value.end_col_offset)
        if begin is None or end is None:
            return True
        # The span must look like a string literal, or the offsets are not what we think.
        if not _STRING_START.match(text, begin) or text[end - 1 : end] not in ("'", '"'):
            return True
        ranges.append((begin, end))
    return any(not any(b <= s and e <= end for b, end in ranges) for s, e in hits)
