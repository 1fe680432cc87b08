"""Find regexes that backtrack exponentially, without running them on real input.

PEFT hands a string ``target_modules`` (and ``exclude_modules``, ``layers_pattern``,
``modules_to_save`` and the ``rank_pattern``/``alpha_pattern`` keys, inside its own
wrappers) to Python's backtracking ``re`` and matches it against every module name.
A pattern like ``(\\w+\\.?)*\\.q_projX`` then takes time doubling with each character of
a name: ``get_peft_model`` never returns, and neither would lora-lint if it ran the
pattern. This module decides *statically* whether a pattern is such a trap, so that
lora-lint reports it (LL019) instead of executing it.

The analysis walks the parse tree of ``re`` (``re._parser``, ``sre_parse`` before 3.11).
For every unbounded (or long) greedy/lazy repeat it asks whether the repeated body can
match the same text in more than one way, which is what makes a failing match try
exponentially many splits. Two witnesses are checked, both by running the *body* alone
on strings of at most two characters (harmless, whatever the body is):

* the body matches ``x``, ``y`` and ``xy`` for single characters ``x``/``y`` (so ``xy``
  is one iteration or two: ``(\\w+\\.?)*``, ``(a*)*``, ``(a|b|ab)*``);
* an alternation inside the body has two branches that match the same short string
  (``(a|a)*``, ``(\\w|\\d)+``).

Only characters that module names are made of in bulk (letters, digits, ``_``) count as
witnesses: a pattern that is ambiguous only on ``.`` is exponential in the number of dots
of a name, which stays small. Possessive repeats and atomic groups never backtrack and
are skipped. A pattern that cannot be analysed is *not* reported (an error is a proof),
and the matching helpers below refuse to run only what the analysis proved dangerous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

try:  # Python 3.11+
    from re import _compiler as _sre_compile  # type: ignore[attr-defined]
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile
    import sre_constants as _sre_constants
    import sre_parse as _sre_parse

#: Repeats with a larger upper bound than this count as "long" (2**16 splits and more).
LONG_REPEAT = 16
#: Characters module names consist of in bulk; only these witness an exponential blow-up.
_NAME_CHARS = "aZ0_"
_MAXREPEAT = _sre_constants.MAXREPEAT
_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
_SKIP = {
    getattr(_sre_constants, n)
    for n in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP")
    if hasattr(_sre_constants, n)
}


class UnsafeRegex(re.error):
    """Raised instead of running a pattern that :func:`catastrophic_reason` flags.

    A ``re.error``: every caller that copes with an invalid pattern copes with this one.
    """

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r} backtracks exponentially: {reason}")
        self.pattern = pattern
        self.reason = reason


@lru_cache(maxsize=4096)
def catastrophic_reason(pattern: str) -> str | None:
    """Why ``pattern`` backtracks exponentially on a non-matching module name, or None.

    None also for invalid patterns and for anything the analysis cannot decide.
    """
    if not isinstance(pattern, str):
        return None
    try:
        tree = _sre_parse.parse(pattern, 0)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    try:
        for body, text in _repeats(tree):
            reason = _ambiguity(tree, body)
            if reason is not None:
                return f"a repeated group {text} {reason}"
    except (RecursionError, re.error, OverflowError, ValueError):
        return None
    return None


def check(pattern: str) -> None:
    """Raise :class:`UnsafeRegex` for a dangerous pattern (before any matching)."""
    reason = catastrophic_reason(pattern)
    if reason is not None:
        raise UnsafeRegex(pattern, reason)


def compile_guarded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` that refuses a pattern proven to backtrack exponentially."""
    check(pattern)
    return re.compile(pattern, flags)


def fullmatch(pattern: str, text: str) -> re.Match[str] | None:
    """``re.fullmatch`` that raises :class:`UnsafeRegex` instead of hanging."""
    return compile_guarded(pattern).fullmatch(text)


def match(pattern: str, text: str) -> re.Match[str] | None:
    """``re.match`` that raises :class:`UnsafeRegex` instead of hanging."""
    return compile_guarded(pattern).match(text)


def search(pattern: str, text: str) -> re.Match[str] | None:
    """``re.search`` that raises :class:`UnsafeRegex` instead of hanging."""
    return compile_guarded(pattern).search(text)


# -- the analysis ---------------------------------------------------------------------------


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns of one parsed node (repeat, group, alternation, lookaround,
    conditional); none for a leaf."""
    if op in _REPEATS:
        return [av[2]]
    if op is _sre_constants.SUBPATTERN:
        return [av[-1]]
    if op is _sre_constants.BRANCH:
        return list(av[1])
    if op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
        return [av[1]]
    if op is _sre_constants.GROUPREF_EXISTS:
        return [sub for sub in av[1:] if sub is not None]
    return []


def _repeats(items: Iterable[Any]) -> Iterator[tuple[list[Any], str]]:
    """Every backtracking repeat (body, description) that may run many times."""
    for op, av in items:
        if op in _SKIP:
            continue
        if op in _REPEATS:
            low, high, body = av
            if high == _MAXREPEAT or high > LONG_REPEAT:
                yield list(body), _describe(low, high)
        for child in _children(op, av):
            yield from _repeats(child)


def _describe(low: int, high: int) -> str:
    if high == _MAXREPEAT:
        return {0: "(*)", 1: "(+)"}.get(low, f"({{{low},}})")
    return f"({{{low},{high}}})"


def _ambiguity(tree: Any, body: list[Any]) -> str | None:
    """How ``body`` (repeated) can match one text in several ways, or None."""
    chars = _witness_chars(body)
    if not any(op in _SKIP for op, _ in _walk(body)):  # possessive parts never give back
        matcher = _compiled(tree, body)
        short = [a + b for a in ("", *chars) for b in chars]
        pieces = [s for s in dict.fromkeys(short) if matcher.fullmatch(s)]
        for x in pieces:
            for y in pieces:
                if matcher.fullmatch(x + y):
                    return (
                        f"can match {x + y!r} in one iteration or as {x!r} + {y!r}, so on a "
                        "name that does not match every split is tried (exponentially many)"
                    )
    for branch in _branches(body):
        alts = [_compiled(tree, list(alt)) for alt in branch]
        for text in _witness_strings(branch, chars):
            hits = [i for i, alt in enumerate(alts) if alt.fullmatch(text)]
            if len(hits) > 1:
                return (
                    f"has two alternatives that both match {text!r}, so every repetition can "
                    "be matched in two ways"
                )
    return None


def _compiled(tree: Any, items: list[Any]) -> re.Pattern[str]:
    sub = _sre_parse.SubPattern(tree.state, items)
    compiled: re.Pattern[str] = _sre_compile.compile(sub, 0)
    return compiled


def _branches(items: Iterable[Any]) -> Iterator[list[Any]]:
    for op, av in items:
        if op in _SKIP:
            continue
        if op is _sre_constants.BRANCH:
            yield list(av[1])
            for alt in av[1]:
                yield from _branches(alt)
        elif op in _REPEATS:
            yield from _branches(av[2])
        elif op is _sre_constants.SUBPATTERN:
            yield from _branches(av[-1])
        elif op is _sre_constants.IN:
            # [a\w] is a character set, not an alternation: one way to match a char
            continue


def _walk(items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """Every node of a parsed pattern, in pre-order."""
    for op, av in items:
        yield op, av
        for child in _children(op, av):
            yield from _walk(child)


def _witness_chars(body: list[Any]) -> list[str]:
    """Name characters to try: representatives plus every name character the body names."""
    chars = dict.fromkeys(_NAME_CHARS)
    for op, av in _walk(body):
        if op is _sre_constants.LITERAL:
            chars[chr(av)] = None
        elif op is _sre_constants.IN:
            for sub_op, sub_av in av:
                if sub_op is _sre_constants.LITERAL:
                    chars[chr(sub_av)] = None
                elif sub_op is _sre_constants.RANGE:
                    chars[chr(sub_av[0])] = None
                    chars[chr(sub_av[1])] = None
    return [c for c in chars if c.isalnum() or c == "_"]


def _witness_strings(branch: list[Any], chars: list[str]) -> list[str]:
    """Single name characters and each alternative's leading literal text."""
    out = dict.fromkeys(["", *chars])
    for alt in branch:
        prefix = ""
        for op, av in alt:
            if op is not _sre_constants.LITERAL:
                break
            prefix += chr(av)
        if prefix:
            out[prefix] = None
    return list(out)
