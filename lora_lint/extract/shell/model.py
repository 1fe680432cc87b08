"""What the parser hands on: words made of positioned characters, and the steps bash runs.

Plain data, independent of tree-sitter: :mod:`.lexing` builds it, :mod:`.expansion` and
:mod:`.commands` read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(slots=True)
class Char:
    """One character of a word after quote removal, and its offset in the file."""

    value: str
    offset: int
    #: Unquoted: whitespace here separates fields when the word is split.
    splits: bool = False


@dataclass
class Literal:
    """Characters written in the script (quote removal and escapes already applied)."""

    chars: list[Char]
    quoted: bool = False


@dataclass
class Param:
    """``$NAME``, ``${NAME}`` or ``${NAME<op>word}`` with ``op`` one of ``:- - := = :+ +``."""

    name: str
    op: str = ""
    word: list[Segment] | None = None
    quoted: bool = False
    text: str = ""


@dataclass
class Dynamic:
    """A part only known when the script runs (``$(...)``, ``$1``, ``${X#pat}``, ...)."""

    text: str
    quoted: bool = False


Segment = Union[Literal, Param, Dynamic]  # noqa: UP007 (a runtime alias; 3.10 has no `type`)


@dataclass
class Word:
    segments: list[Segment]
    start: int
    end: int
    raw: str


@dataclass
class Assign:
    """``NAME=value`` (``+=`` appends); ``value`` is None when it cannot be read at all."""

    name: str
    value: Word | None
    start: int
    end: int
    append: bool = False
    reason: str = ""


@dataclass
class Command:
    """A simple command: its words (prefix assignments and redirections removed)."""

    words: list[Word]
    start: int
    end: int


@dataclass
class Unset:
    names: list[str]
    start: int
    end: int


@dataclass
class Opaque:
    """A variable set to something only known at run time (a ``for`` loop variable)."""

    name: str
    reason: str
    start: int
    end: int


@dataclass
class Source:
    """``source file`` / ``. file``: any variable may change, in ways this file cannot show."""

    reason: str
    start: int
    end: int


Step = Union[Assign, Command, Unset, Opaque, Source]  # noqa: UP007


@dataclass
class SyntaxProblem:
    """Where bash would stop with a syntax error, and why."""

    offset: int
    message: str
    length: int = 1
    #: Proven by lora-lint's own scan of bash's quoting (an unterminated quote). Other
    #: errors come from tree-sitter-bash alone, whose grammar refuses some scripts bash
    #: runs (a trailing ``\`` at the end of the file): they are never reported as LL000.
    certain: bool = True


@dataclass
class Script:
    steps: list[Step] = field(default_factory=list)
    problem: SyntaxProblem | None = None
