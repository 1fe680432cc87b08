"""Suppressing findings: ``per-file-ignores`` and inline comments, then LL017.

Inline comments, read from the raw text of each checked file. Only real
comments count: Python's are ``tokenize`` COMMENT tokens, YAML's are the ``#``
text outside the scalar tokens of PyYAML's scanner (which drops comments), a
shell script's are found by a small scanner that skips quotes and heredoc
bodies. A directive inside data (a string, a block scalar, a heredoc) is data.

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
import io
import re
import tokenize
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lora_lint.extract.notebook import NotebookMap as _NotebookMap

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.lineindex import TOOL_BREAKS, LineIndex
from lora_lint.paths import matches_key, relative_path

#: ``(line, column, text from '#')`` of one comment, 1-based.
Comment = tuple[int, int, str]

UNUSED_CODE = "LL017"
UNUSED_NAME = "unused-suppression"

_DIRECTIVE = re.compile(
    r"#\s*lora-lint:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE
)
_NOQA = re.compile(
    r"#\s*noqa(?::[ \t]*(?P<codes>[A-Za-z][\w-]*(?:(?:[ \t]*,[ \t]*|[ \t]+)[A-Za-z][\w-]*)*))?",
    re.IGNORECASE,
)
_OUR_CODE = re.compile(r"^LL\d{3}$", re.IGNORECASE)
#: Cheap pre-check before any comment is parsed.
_NEEDLES = ("lora-lint", "noqa", "NOQA")


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

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def resolve_code(name: str) -> str | None:
    """A rule code for ``LL001`` or ``unknown-target-module`` (``None`` if no such rule)."""
    from lora_lint.rules import lookup

    rule = lookup(name)
    if rule is not None:
        return rule.code
    if name.upper() == UNUSED_CODE or name.lower() == UNUSED_NAME:
        return UNUSED_CODE
    return None


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


# --- finding the comments of a file ---------------------------------------------------------


def comments(text: str, suffix: str) -> Iterator[tuple[int, int, str]]:
    """``(line, column, text from '#')`` of every comment that may hold a directive.

    Only real comments: a ``# noqa`` inside a Python string, a YAML block scalar or
    quoted value, or a shell heredoc body or quoted word is data, and suppresses
    nothing (it would otherwise silence a whole file with ``ignore-file``).
    """
    if suffix == ".json" or not any(n in text for n in _NEEDLES):
        return
    if suffix == ".ipynb":
        from lora_lint.extract.notebook import NotebookError, build_map, iter_code_comments

        try:
            nb = build_map(text)
        except (NotebookError, ValueError, RecursionError, IndexError):
            return
        yield from _notebook_comments(nb, iter_code_comments)
        return
    lines = LineIndex(text)
    if suffix == ".py":
        found = _python_comments(text)
        if found is not None:
            yield from _reported(found, text, lines)
            return
    if suffix in (".yaml", ".yml"):
        yaml_comments = _yaml_comments(text, lines)
        if yaml_comments is not None:
            yield from yaml_comments
            return
    if suffix == ".sh":
        yield from _shell_comments(text, lines)
        return
    yield from _hash_comments(lines)


def _reported(found: list[Comment], text: str, lines: LineIndex) -> Iterator[Comment]:
    """``tokenize``'s positions (lines end at ``\\n`` only) as reported positions."""
    if "\r" not in text:  # the same lines either way
        yield from found
        return
    own = LineIndex(text, TOOL_BREAKS["python"])
    for line, column, comment in found:
        offset = own.offset(line, column)
        yield (*lines.point(offset if offset is not None else len(text)), comment)


def _python_comments(code: str) -> list[tuple[int, int, str]] | None:
    """``tokenize`` COMMENT tokens of ``code`` (``None`` when it does not tokenize), at
    ``tokenize``'s positions: lines end at ``\\n`` only (``io.StringIO.readline``)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return [(t.start[0], t.start[1] + 1, t.string) for t in tokens if t.type == tokenize.COMMENT]


def _notebook_comments(
    nb: _NotebookMap, fallback: Callable[[_NotebookMap], Iterable[Comment]]
) -> Iterator[Comment]:
    """Comments of each code cell, by ``tokenize`` (a ``# noqa`` inside a multi-line string
    of a cell is not one), mapped back to the notebook file; a cell that does not tokenize
    is read line by line."""
    from lora_lint.extract.notebook import NotebookMap

    cells: dict[int, list[int]] = {}
    for index, where in enumerate(nb.lines):
        cells.setdefault(where.cell, []).append(index)
    for indices in cells.values():
        code = "".join(nb.code[i] + "\n" for i in indices)
        found = _python_comments(code)
        if found is None:
            part = NotebookMap(lines=[nb.lines[i] for i in indices])
            yield from fallback(part)
            continue
        for line, column, comment in found:
            where = nb.lines[indices[line - 1]]
            file_line, file_column = where.position(column)
            yield file_line, file_column, comment


def _yaml_comments(text: str, lines: LineIndex) -> list[Comment] | None:
    """Comments of a YAML file: ``#`` after whitespace, outside every scalar token.

    PyYAML's scanner drops comments but gives each scalar (plain, quoted, block)
    with its start and end; what lies outside them is YAML syntax and comments.
    The marks' character offsets are used (their lines also end at U+2028 & co.).
    ``None`` when the file does not scan (then the line-based reading is used).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data_tokens = (yaml.ScalarToken, yaml.TagToken, yaml.AnchorToken, yaml.AliasToken)
    covered: list[tuple[int, int]] = []  # offset ranges of data
    bom = int(text.startswith("\ufeff") and loader is not yaml.SafeLoader)  # libyaml skips it
    try:
        for token in yaml.scan(text, Loader=loader):
            if not isinstance(token, data_tokens):
                continue
            start, end = token.start_mark.index + bom, token.end_mark.index + bom
            if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
                start = lines.line_range(lines.point(start)[0])[1]  # a comment may follow `|`
            covered.append((start, end))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    out = []
    for number, start, line in lines.lines():
        if "#" not in line:
            continue
        for match in re.finditer(r"(?:^|(?<=\s))#", line):
            offset = start + match.start()
            if not any(lo <= offset < hi for lo, hi in covered):
                out.append((number, match.start() + 1, line[match.start() :]))
                break
    return out


_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^']*)'|\"([^\"]*)\"|\\?([A-Za-z_][\w-]*))")


def _shell_comments(text: str, lines: LineIndex) -> Iterator[Comment]:
    """Comments of a shell script: ``#`` starting a word, outside quotes and heredoc bodies.

    A small scanner, not a shell parser: quotes may span lines, ``\\`` escapes one
    character outside single quotes, ``<<WORD``/``<<-WORD`` (quoted or not) starts a
    heredoc whose body runs until the line that is exactly ``WORD``. Lines end at
    ``\\n`` (bash's rule; a ``\\r`` before it is dropped, as in a CRLF file).
    """
    quote: str | None = None
    heredocs: list[tuple[str, bool]] = []  # (delimiter, strip leading tabs), pending
    body: tuple[str, bool] | None = None
    for _, line_start, raw in LineIndex(text, TOOL_BREAKS["shell"]).lines():
        line = raw.removesuffix("\r")
        if body is not None:
            delimiter, strip = body
            if (line.lstrip("\t") if strip else line) == delimiter:
                body = heredocs.pop(0) if heredocs else None
            continue
        i, escaped = 0, False
        while i < len(line):
            ch = line[i]
            if escaped:
                escaped = False
            elif quote == "'":
                if ch == "'":
                    quote = None
            elif ch == "\\":
                escaped = True
            elif quote == '"':
                if ch == '"':
                    quote = None
            elif ch in "'\"":
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t;&|()"):
                yield (*lines.point(line_start + i), line[i:])
                break
            elif ch == "<" and line.startswith("<<", i) and not line.startswith("<<<", i):
                match = _HEREDOC.match(line, i)
                if match:
                    word = next(g for g in match.groups()[1:] if g is not None)
                    heredocs.append((word, match.group(1) == "-"))
                    i = match.end()
                    continue
            i += 1
        if heredocs and quote is None:
            body = heredocs.pop(0)


def _hash_comments(lines: LineIndex) -> Iterator[Comment]:
    """``#`` comments by line: a ``#`` at the start or after whitespace (files that do not
    scan or tokenize, where no better reading exists)."""
    for number, _, line in lines.lines():
        if "#" not in line:
            continue
        for match in re.finditer(r"(?:^|(?<=\s))#", line):
            yield number, match.start() + 1, line[match.start() :]
            break


def suppressions_in(text: str, suffix: str) -> list[Suppression]:
    out: list[Suppression] = []
    for line, column, comment in comments(text, suffix):
        out.extend(parse_comment(comment, line, column))
    return out


# --- per-file-ignores ----------------------------------------------------------------------


def ignored_codes(rel: str, per_file_ignores: dict[str, list[str]]) -> set[str]:
    """Codes ``per-file-ignores`` switches off for the file at ``rel``."""
    from lora_lint.rules import ALL_RULES

    out: set[str] = set()
    for pattern, names in per_file_ignores.items():
        if not matches_key(rel, pattern):
            continue
        for name in names:
            code = resolve_code(name)
            if code is not None:
                out.add(code)
            elif name.upper() == "ALL":
                out.update(r.code for r in ALL_RULES)
            else:
                out.update(r.code for r in ALL_RULES if r.code.startswith(name.upper()))
    return out


# --- the pass over a run's findings --------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        if not path.is_file():  # a FIFO or a device would block or never end
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def apply(
    findings: Iterable[Finding],
    files: dict[str, Path],
    *,
    project_root: Path,
    per_file_ignores: dict[str, list[str]],
    enabled: set[str],
    texts: dict[str, str] | None = None,
) -> list[Finding]:
    """Drop suppressed findings; add LL017 for suppressions that suppressed nothing.

    ``files`` maps each checked file's display path (``Finding.path``) to the file;
    ``texts`` gives the content of those not read from disk (standard input).
    """
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    out: list[Finding] = []
    for shown in sorted(set(by_path) | set(files)):
        path = files.get(shown)
        mine = by_path.get(shown, [])
        if path is None:
            out.extend(mine)
            continue
        ignored = (  # resolving every path costs ~0.2 s on a 2,000-file run: only when needed
            ignored_codes(relative_path(path, project_root), per_file_ignores)
            if per_file_ignores
            else set()
        )
        mine = [f for f in mine if f.code not in ignored]
        text = texts[shown] if texts and shown in texts else _read(path)
        if text is None:
            out.extend(mine)
            continue
        suffix = path.suffix.lower()
        mine = _notebook_hints(mine, text) if suffix == ".ipynb" else mine
        kept, unused = _filter(mine, suppressions_in(text, suffix), enabled - ignored, shown)
        out.extend(kept)
        out.extend(_notebook_hints(unused, text) if suffix == ".ipynb" else unused)
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
    )


def _finding(path: str, span: Span, message: str, target: str | None, help: str) -> Finding:
    return Finding(
        code=UNUSED_CODE,
        name=UNUSED_NAME,
        severity=Severity.WARNING,
        path=path,
        span=span,
        message=message,
        target=target,
        help=help,
    )


def _notebook_hints(findings: list[Finding], text: str) -> list[Finding]:
    """Name the cell and the line inside it at each finding's own position."""
    if not findings:
        return findings
    from lora_lint.extract.notebook import NotebookError, build_map

    try:
        nb = build_map(text)
    except (NotebookError, ValueError, RecursionError, IndexError):
        return findings
    out = []
    for finding in findings:
        hint = nb.hint_at(finding.span.line, finding.span.column)
        out.append(dataclasses.replace(finding, location_hint=hint) if hint else finding)
    return out
