"""The diagnostic model shared by every stage: source spans and findings.

Every front end (libcst, PyYAML) converts its own position convention into a
:class:`Span` (1-based lines *and* columns, end exclusive) so that reporters
never need to know where a finding came from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from lora_lint import codes


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file: 1-based line and column, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int = 1, column: int = 1) -> Span:
        return cls(line, column, line, column)

    def contains(self, other: Span) -> bool:
        return (self.line, self.column) <= (other.line, other.column) and (
            other.end_line,
            other.end_column,
        ) <= (self.end_line, self.end_column)


@dataclass(frozen=True)
class Edit:
    """Replace the source text at ``span`` (in the finding's file) by ``replacement``."""

    span: Span
    replacement: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a finding, applied by ``--fix`` (see :mod:`lora_lint.fix`).

    ``applicability`` is ``"safe"`` (what trains does not change, e.g. removing an
    exact duplicate) or ``"unsafe"`` (it does change: a misspelled target replaced by
    its one close candidate), which ``--fix`` applies only with ``--unsafe-fixes``.
    The edits never overlap and only touch the finding's file.
    """

    edits: tuple[Edit, ...]
    applicability: str
    message: str


@dataclass(frozen=True)
class Finding:
    """One problem, ready for any reporter.

    ``target`` is the offending entry as written (or ``None``); ``suggestion``
    lists replacement candidates, best first; ``help`` is the human fix hint
    shown under the message in text output.
    """

    code: str
    name: str
    severity: Severity
    path: str
    span: Span
    message: str
    target: str | None = None
    suggestion: tuple[str, ...] = ()
    model: str | None = None
    help: str | None = None
    #: Where the finding was found inside a container file (e.g. "cell 3" of a notebook).
    location_hint: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    #: How ``--fix`` can resolve this finding, when it can (ignored in comparisons).
    fix: Fix | None = field(default=None, compare=False, hash=False)

    def sort_key(self) -> tuple[object, ...]:
        """Path, line, column, code, message, then every other compared field: a total order,
        so that output never depends on the order the findings were produced in."""
        span = self.span
        return (
            self.path,
            span.line,
            span.column,
            self.code,
            self.message,
            self.target or "",
            span.end_line,
            span.end_column,
            -self.severity.rank,
            self.suggestion,
            self.model or "",
            self.help or "",
            self.location_hint or "",
            self.name,
        )


def unreadable_input(path: str, message: str, span: Span | None = None) -> Finding:
    """The finding every front end emits for a file it cannot read or parse (LL000)."""
    return Finding(
        code=codes.UNREADABLE_INPUT,
        name=codes.name_of(codes.UNREADABLE_INPUT),
        severity=Severity.ERROR,
        path=path,
        span=span or Span.point(),
        message=message,
    )
