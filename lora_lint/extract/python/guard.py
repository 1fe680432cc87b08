"""Keep inputs that would crash libcst's native parser away from it.

libcst's Rust parser overflows the C stack (a segfault, which no ``except``
can catch) on deeply nested code, e.g. 1,200 nested parentheses or 20,000
chained unary operators, and takes minutes on some long chains. CPython's
own parser refuses all of these cleanly with tighter limits (200 nested
brackets, ~3,000 nested expressions, 100 indentation levels), so a file is
first checked with ``ast.parse``: ~10x faster than libcst, and anything it
accepts is safe to hand over. A syntax error for another reason (newer syntax
than the running Python, or a plain mistake) still goes to libcst, which
reports it, after a bracket-depth scan.
"""

from __future__ import annotations

import ast
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: CPython's tokenizer refuses deeper bracket nesting (``MAXLEVEL``).
MAX_BRACKET_DEPTH = 200
#: For code CPython accepts but libcst's Python passes (positions, codegen, visitors) recurse
#: through too deeply for the default limit (a 490-term ``"a" + "b" + ...`` chain is 490
#: nested BinaryOperations, ~3 frames each): the limit and the thread stack of the retry.
#: CPython's parser refuses nesting beyond ~3,000 levels, so 30,000 frames cover anything
#: that gets here, and 512 MiB of (virtual, touched only when used) stack holds them.
DEEP_RECURSION_LIMIT = 30_000
DEEP_STACK_BYTES = 512 * 1024 * 1024
_TOO_DEEP_MESSAGES = ("too many nested", "too complex", "too many levels of indentation")


class TooDeep(RecursionError):
    """The guard refused the code (no retry with a deeper stack will help)."""


def with_deep_stack(func: Callable[[], T]) -> T:
    """``func()`` in a thread with a large stack and a raised recursion limit.

    The limit is per interpreter; it is restored when ``func`` returns. Only called after a
    RecursionError on code CPython itself parsed, so it runs for pathological files only.
    """
    box: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(func())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    try:
        threading.stack_size(DEEP_STACK_BYTES)
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
        worker = threading.Thread(target=run, name="lora-lint-deep-parse")
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(old_limit)
        threading.stack_size(old_stack)
    if errors:
        raise errors[0]
    return box[0]


def too_deep_reason(code: str) -> str | None:
    """Why ``code`` must not reach libcst, or ``None`` when it is safe to parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            ast.parse(code)
    except (RecursionError, MemoryError):
        return "the code is nested too deeply to parse"
    except SyntaxError as exc:
        message = str(exc.msg or "")
        if any(needle in message for needle in _TOO_DEEP_MESSAGES):
            return f"the code is nested too deeply to parse ({message})"
        if bracket_depth(code) > MAX_BRACKET_DEPTH:
            return f"more than {MAX_BRACKET_DEPTH} nested brackets"
    except ValueError as exc:  # NUL bytes and the like
        return str(exc)
    return None


def cpython_syntax_error(code: str) -> tuple[int, int, str] | None:
    """``(line, column, message)`` of CPython's syntax error in ``code``, or None if it parses.

    Lines and columns are 1-based and count characters (CPython's ``offset``).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.offset or 1, str(exc.msg or "invalid syntax")
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def bracket_depth(code: str) -> int:
    """Deepest bracket nesting, skipping strings and comments (approximately, but cheaply)."""
    depth = deepest = 0
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch == "#":
            newline = code.find("\n", i)
            i = n if newline < 0 else newline
        elif ch in "\"'":
            quote = code[i : i + 3] if code[i : i + 3] in ('"""', "'''") else ch
            end = code.find(quote, i + len(quote))
            while end > 0 and code[end - 1] == "\\" and len(quote) == 1:
                end = code.find(quote, end + 1)
            if end < 0 and len(quote) == 1:
                end = code.find("\n", i)
            i = n if end < 0 else end + len(quote)
            continue
        elif ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return deepest
