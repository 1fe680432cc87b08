"""Expansion: shell variables of the script, parameter defaults, quoting and field splitting.

Follows bash for what a launcher line needs: ``$NAME``, ``${NAME}``, ``${NAME:-word}`` (and
``-``, ``:=``, ``=``, ``:+``, ``+``), quote removal, and splitting of unquoted expansions at
spaces, tabs and newlines (the default ``IFS``). Quoted parts of a default stay one field
even in an unquoted expansion (``${T:-"a b"}`` is one word, as in bash). A variable the script
never sets is taken as unset (its default applies); anything else that is only known at run
time (``$(...)``, ``$1``, ``${X#pat}``, brace expansion) makes the word unresolved.

Expansion is bounded: a value may hold at most :data:`MAX_VALUE` characters and a file may
produce at most :data:`MAX_WORK` characters in all; past either the value is unresolved
(reported as not checked), so ``A="$A $A"`` repeated cannot hang the linter or exhaust memory.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from lora_lint.extract.shell.model import (
    Assign,
    Char,
    Dynamic,
    Literal,
    Opaque,
    Param,
    Segment,
    Source,
    Step,
    Unset,
    Word,
)

#: Longest value (in characters) a variable or word may expand to.
MAX_VALUE = 20_000
#: Characters all expansions of one file may produce together.
MAX_WORK = 500_000
_IFS = " \t\n"
#: ``{a,b}`` or ``{1..3}`` in the unquoted text of a word: bash's brace expansion.
_BRACES = re.compile(r"\{[^{}]*(,|\.\.)[^{}]*\}")


#: Characters and whether their whitespace splits fields (None: each character says).
_Run = tuple[list[Char], "bool | None"]


def _flatten(runs: list[_Run]) -> list[Char]:
    return list(itertools.chain.from_iterable(chars for chars, _ in runs))


class _Unknown(Exception):
    """The word cannot be known statically; ``args[0]`` says why."""


@dataclass
class Expanded:
    """One field after expansion: its characters (with offsets) or why it is unknown."""

    chars: list[Char]
    word: Word
    unknown: str = ""

    @property
    def value(self) -> str:
        return "".join(c.value for c in self.chars)


class Expander:
    """Expands words with the variables assigned so far in the script."""

    def __init__(self, max_value: int = MAX_VALUE, max_work: int = MAX_WORK) -> None:
        #: name -> characters of the value, or the reason it is unknown.
        self.variables: dict[str, list[Char] | str] = {}
        self.max_value = max_value
        #: Set once the script sources another file: unset variables may come from there.
        self.sourced = ""
        self.work_left = max_work

    # -- public ------------------------------------------------------------------------------

    def fields(self, word: Word) -> list[Expanded]:
        """``word`` as bash passes it to a command: expanded, split, quotes removed."""
        try:
            braces = _brace_expansion(word)
            if braces:
                raise _Unknown(f"brace expansion {braces} is not evaluated")
            runs, quoted = self._segments(word.segments, outer_quoted=False)
        except _Unknown as exc:
            return [Expanded([], word, str(exc))]
        out: list[Expanded] = []
        current: list[Char] = []
        for chars, splits in runs:
            for char in chars:
                if (char.splits if splits is None else splits) and char.value in _IFS:
                    if current:
                        out.append(Expanded(current, word))
                    current = []
                else:
                    current.append(char)
        if current or (quoted and not out):
            out.append(Expanded(current, word))
        return out

    def assign(self, name: str, word: Word | None, append: bool = False, reason: str = "") -> None:
        """``name=word``: no field splitting in an assignment."""
        if word is None:
            self.variables[name] = reason or f"${name} is only known when the script runs"
            return
        try:
            runs, _ = self._segments(word.segments, outer_quoted=False)
            if append:
                before = self.variables.get(name, [])
                if isinstance(before, str):
                    raise _Unknown(before)
                runs = [(before, False), *runs]
            value = _flatten(runs)
            self._check(name, len(value))
            self.variables[name] = value
        except _Unknown as exc:
            self.variables[name] = _variable_reason(name, str(exc))

    def follow(self, step: Step) -> None:
        """Apply a step that changes variables (a command's own words are :meth:`fields`)."""
        if isinstance(step, Assign):
            self.assign(step.name, step.value, step.append, step.reason)
        elif isinstance(step, Unset):
            for name in step.names:
                self.unset(name)
        elif isinstance(step, Opaque):
            self.opaque(step.name, step.reason)
        elif isinstance(step, Source):
            self.sourced = step.reason
            for name in self.variables:
                self.variables[name] = f"${name} is set before {step.reason}"

    def unset(self, name: str) -> None:
        self.variables.pop(name, None)

    def opaque(self, name: str, reason: str) -> None:
        self.variables[name] = reason

    # -- internals ---------------------------------------------------------------------------

    def _segments(self, segments: list[Segment], outer_quoted: bool) -> tuple[list[_Run], bool]:
        """Runs of characters for ``segments`` and whether a quoted part took part (which
        keeps an empty word, as ``""`` does). Characters are shared, never copied: a run says
        whether its whitespace splits (None: each literal character knows)."""
        runs: list[_Run] = []
        size = 0
        quoted = False
        for segment in segments:
            if isinstance(segment, Literal):
                quoted = quoted or segment.quoted
                self._spend(len(segment.chars))
                runs.append((segment.chars, False if outer_quoted else None))
                size += len(segment.chars)
            elif isinstance(segment, Dynamic):
                raise _Unknown(f"{segment.text} is only known when the script runs")
            else:
                part, part_quoted = self._param(segment, outer_quoted or segment.quoted)
                quoted = quoted or part_quoted
                runs.extend(part)
                size += sum(len(chars) for chars, _ in part)
            self._check("", size)
        return runs, quoted

    def _param(self, param: Param, quoted: bool) -> tuple[list[_Run], bool]:
        name, op = param.name, param.op
        value = self.variables.get(name)
        if isinstance(value, str):
            raise _Unknown(value)
        if value is None and self.sourced:
            raise _Unknown(f"${name} is not set in this script, and {self.sourced}")
        is_set = value is not None
        empty = not value
        use_word = False
        if op in (":-", ":="):
            use_word = empty
        elif op in ("-", "="):
            use_word = not is_set
        elif op == ":+":
            use_word = not empty
        elif op == "+":
            use_word = is_set
        if op in (":+", "+"):
            if not use_word:
                return [], quoted
        elif not use_word:
            if value is None:
                raise _Unknown(f"shell variable ${name} is not set in this script")
            self._spend(len(value))
            return [(value, not quoted)], quoted
        runs, inner_quoted = self._segments(param.word or [], quoted)
        if op in (":=", "="):
            self.variables[name] = _flatten(runs)
        return runs, quoted or inner_quoted

    def _spend(self, count: int) -> None:
        self.work_left -= count
        if self.work_left < 0:
            raise _Unknown(
                "expanding this script's variables takes too long (lora-lint stops expanding "
                "after a budget)"
            )

    def _check(self, name: str, size: int) -> None:
        if size > self.max_value:
            what = f"${name}" if name else "a value"
            raise _Unknown(f"{what} grows longer than {self.max_value} characters (not expanded)")


def _variable_reason(name: str, reason: str) -> str:
    """Why ``$name`` is unknown, for the words that use it later."""
    if "only known when the script runs" in reason:
        return f"${name} is only known when the script runs"
    if reason.startswith("a value grows"):
        return f"${name}" + reason.removeprefix("a value")
    return reason


def _brace_expansion(word: Word) -> str:
    """The ``{a,b}`` bash would expand in ``word`` (unquoted braces only), or ``""``."""
    if "{" not in word.raw:
        return ""
    text = "".join(
        "".join(c.value if not segment.quoted else "x" for c in segment.chars)
        if isinstance(segment, Literal)
        else "x"
        for segment in word.segments
    )
    match = _BRACES.search(text)
    return match.group(0) if match else ""
