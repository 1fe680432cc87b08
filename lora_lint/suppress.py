"""Suppressing findings: ``per-file-ignores`` and inline comments, then LL017.

Inline comments are those each front end found while the file was read (see
:mod:`lora_lint.extract.comments`; the file is not read again here). Only real
comments count: a directive inside data (a string, a block scalar, a heredoc)
is data.

* ``# lora-lint: ignore[LL001, unknown-target-module]`` on the finding's line
  (codes or names); ``# lora-lint: ignore`` ignores every rule on that line;
* ``# noqa: LL001`` (flake8/ruff style; other linters' codes in the same list
  are left alone) and a bare ``# noqa``;
* ``# lora-lint: ignore-file[LL001]`` / ``# lora-lint: ignore-file`` anywhere
  in the file.

Python, YAML and shell share the ``#`` syntax; in notebooks the comments are
read inside the code cells. A lora-lint directive or a ``noqa`` naming a
lora-lint code that suppressed nothing is reported as LL017
(``unused-suppression``), like ruff's RUF100; a ``# noqa: E501`` meant for
another linter, or a bare ``# noqa``, is never reported.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from lora_lint import codes as registry
from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.extract.frontends import comments_of
from lora_lint.extract.types import CellHint, Comment, FileExtraction, hint_at
from lora_lint.paths import matches_key, relative_path

UNUSED_CODE = registry.UNUSED_SUPPRESSION
UNUSED_NAME = registry.name_of(UNUSED_CODE)

_DIRECTIVE = re.compile(
    r"#\s*lora-lint:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE
)
_NOQA = re.compile(
    r"#\s*noqa(?::[ \t]*(?P<codes>[A-Za-z][\w-]*(?:(?:[ \t]*,[ \t]*|[ \t]+)[A-Za-z][\w-]*)*))?",
    re.IGNORECASE,
)
_OUR_CODE = re.compile(r"^LL\d{3}$", re.IGNORECASE)


@dataclass
class Suppression:
    """One directive: where it is, what it names, and what it has suppressed so far."""

    line: int
    column: int
    end_column: int
    #: Rule codes it suppresses (``None``: every rule).
    codes: frozenset[str] | None
    file_level: bool
    #: True for a ``lora-lint:`` directive; False for a noqa comment.
    directive: bool
    #: Written entries that are no lora-lint rule (LL999, unknown-name) in a lora-lint directive.
    unknown: tuple[str, ...] = ()
    #: Entries as written, by resolved code (for messages).
    written: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    #: In a notebook: the cell and line the comment is written in.
    hint: str | None = None

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def resolve_code(name: str) -> str | None:
    """A rule code for ``LL001`` or ``unknown-target-module`` (``None`` if no such rule)."""
    return registry.resolve(name)


def parse_comment(text: str, line: int, column: int) -> list[Suppression]:
    """The suppressions in one comment (``text`` starts at its ``#``, at ``line:column``)."""
    found: list[Suppression] = []
    for match in _DIRECTIVE.finditer(text):
        file_level = match.group("kind").lower() == "ignore-file"
        raw = match.group("codes")
        start = column + match.start()
        end = column + match.end()
        if raw is None or not raw.strip():
            found.append(Suppression(line, start, end, None, file_level, True))
            continue
        codes: set[str] = set()
        written: dict[str, str] = {}
        unknown: list[str] = []
        for entry in (e.strip() for e in raw.split(",")):
            if not entry:
                continue
            code = resolve_code(entry)
            if code is None:
                unknown.append(entry)
            else:
                codes.add(code)
                written.setdefault(code, entry)
        found.append(
            Suppression(
                line, start, end, frozenset(codes), file_level, True, tuple(unknown), written
            )
        )
    for match in _NOQA.finditer(text):
        raw = match.group("codes")
        start = column + match.start()
        end = column + match.end()
        if raw is None:
            found.append(Suppression(line, start, end, None, False, False))
            continue
        codes = set()
        written = {}
        unknown = []
        for entry in re.split(r"[\s,]+", raw.strip()):
            code = resolve_code(entry)
            if code is not None:
                codes.add(code)
                written.setdefault(code, entry)
            elif _OUR_CODE.match(entry):
                unknown.append(entry)
        found.append(
            Suppression(line, start, end, frozenset(codes), False, False, tuple(unknown), written)
        )
    return found


def suppressions_in(text: str, suffix: str) -> list[Suppression]:
    """The suppressions of ``text``, read as a file with ``suffix`` (``.py``, ``.yaml``...)."""
    return parse_comments(comments_of(PurePath(f"file{suffix}"), text))


def parse_comments(found: Iterable[Comment]) -> list[Suppression]:
    """The suppressions in the comments a front end found in a file."""
    out: list[Suppression] = []
    for comment in found:
        for s in parse_comment(comment.text, comment.line, comment.column):
            s.hint = comment.hint
            out.append(s)
    return out


# --- per-file-ignores ----------------------------------------------------------------------


def ignored_codes(rel: str, per_file_ignores: dict[str, list[str]]) -> set[str]:
    """Codes ``per-file-ignores`` switches off for the file at ``rel``."""
    out: set[str] = set()
    for pattern, names in per_file_ignores.items():
        if not matches_key(rel, pattern):
            continue
        for name in names:
            out |= registry.selected(name)
    return out


# --- the pass over a run's findings --------------------------------------------------------


def apply(
    findings: Iterable[Finding],
    files: dict[str, Path],
    *,
    project_root: Path,
    per_file_ignores: dict[str, list[str]],
    enabled: set[str],
    sources: dict[str, FileExtraction],
) -> list[Finding]:
    """Drop suppressed findings; add LL017 for suppressions that suppressed nothing.

    ``files`` maps each checked file's display path (``Finding.path``) to the file;
    ``sources`` gives its extraction, with the comments found while it was read (the
    files are not read again).
    """
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    out: list[Finding] = []
    for shown in sorted(set(by_path) | set(files)):
        path = files.get(shown)
        mine = by_path.get(shown, [])
        source = sources.get(shown)
        if path is None or source is None:
            out.extend(mine)
            continue
        ignored = (  # resolving every path costs ~0.2 s on a 2,000-file run: only when needed
            ignored_codes(relative_path(path, project_root), per_file_ignores)
            if per_file_ignores
            else set()
        )
        mine = [f for f in mine if f.code not in ignored]
        mine = _cell_hints(mine, source.cell_hints)
        kept, unused = _filter(mine, parse_comments(source.comments), enabled - ignored, shown)
        out.extend(kept)
        out.extend(unused)
    return out


def _filter(
    findings: list[Finding], found: list[Suppression], enabled: set[str], shown: str
) -> tuple[list[Finding], list[Finding]]:
    file_level = [s for s in found if s.file_level]
    by_line: dict[int, list[Suppression]] = {}
    for s in found:
        if not s.file_level:
            by_line.setdefault(s.line, []).append(s)
    kept: list[Finding] = []
    for finding in findings:
        hit = False
        for s in [*by_line.get(finding.span.line, []), *file_level]:
            if s.covers(finding.code):
                s.used.add(finding.code)
                hit = True
        if not hit:
            kept.append(finding)
    unused: list[Finding] = []
    if UNUSED_CODE in enabled:
        for s in found:
            unused.extend(_unused(s, enabled, shown))
        # LL017 findings can be silenced like any other (file-level or same-line directives).
        unused = [
            f
            for f in unused
            if not any(
                s.covers(UNUSED_CODE)
                and s.codes is not None
                and (s.file_level or s.line == f.span.line)
                for s in found
            )
        ]
    return kept, unused


def _unused(s: Suppression, enabled: set[str], shown: str) -> Iterator[Finding]:
    where = "in this file" if s.file_level else "on this line"
    span = Span(s.line, s.column, s.line, s.end_column)
    for entry in s.unknown:
        yield _finding(
            shown,
            span,
            f"suppression names {entry!r}, which is no lora-lint rule",
            entry,
            "use a rule code such as LL001 or its name (`lora-lint rule` lists them)",
            s.hint,
        )
    if s.codes is None:
        if s.directive and not s.used:
            form = "ignore-file" if s.file_level else "ignore"
            yield _finding(
                shown,
                span,
                f"unused suppression: `lora-lint: {form}` suppressed no finding {where}",
                None,
                "remove the comment",
                s.hint,
            )
        return
    stale = sorted(c for c in s.codes - s.used if c in enabled and c != UNUSED_CODE)
    if not stale:
        return
    shown_codes = ", ".join(s.written.get(c, c) for c in stale)
    yield _finding(
        shown,
        span,
        f"unused suppression: {shown_codes} suppressed no finding {where}",
        shown_codes,
        "remove the code from the comment (or the whole comment if nothing is left)",
        s.hint,
    )


def _finding(
    path: str, span: Span, message: str, target: str | None, help: str, hint: str | None
) -> Finding:
    return Finding(
        code=UNUSED_CODE,
        name=UNUSED_NAME,
        severity=Severity.WARNING,
        path=path,
        span=span,
        message=message,
        target=target,
        help=help,
        location_hint=hint,
    )


def _cell_hints(findings: list[Finding], hints: list[CellHint]) -> list[Finding]:
    """In a notebook: name the cell and the line inside it at each finding's own position."""
    if not hints:
        return findings
    out = []
    for finding in findings:
        hint = hint_at(hints, finding.span.line, finding.span.column)
        out.append(dataclasses.replace(finding, location_hint=hint) if hint else finding)
    return out
