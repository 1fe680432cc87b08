"""The real comments of a file, per file type: where suppression directives may be.

Only real comments count: Python's are ``tokenize`` COMMENT tokens, YAML's are the
``#`` text outside the scalar tokens of PyYAML's scanner (which drops comments), a
shell script's are found by a small scanner that skips quotes and heredoc bodies,
a notebook's are those of its code cells. A directive inside data (a string, a
block scalar, a heredoc) is data. Each front end's scanner is in its entry of
:mod:`lora_lint.extract.frontends`; they run while the file is read (once), and
only on text that mentions a directive at all.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from lora_lint.extract.types import Comment
from lora_lint.lineindex import NEWLINE, LineIndex

if TYPE_CHECKING:
    from lora_lint.extract.notebook import NotebookMap

#: Cheap pre-check before any comment is looked for.
_NEEDLES = ("lora-lint", "noqa", "NOQA")


def may_hold_directive(text: str) -> bool:
    """False when ``text`` cannot hold a directive (most files): no scanner runs."""
    return any(n in text for n in _NEEDLES)


def no_comments(text: str) -> Iterator[Comment]:
    """JSON has no comments."""
    return iter(())


def python_comments(text: str) -> list[Comment]:
    """``tokenize`` COMMENT tokens at reported positions (read line by line when the text
    does not tokenize)."""
    found = _tokenized(text)
    if found is None:
        return list(hash_comments(text))
    if "\r" not in text:  # tokenize's lines and the reported ones are the same
        return found
    own, lines = LineIndex(text, NEWLINE), LineIndex(text)
    out = []
    for comment in found:
        offset = own.offset(comment.line, comment.column)
        line, column = lines.point(offset if offset is not None else len(text))
        out.append(Comment(line, column, comment.text))
    return out


def _tokenized(code: str) -> list[Comment] | None:
    """``tokenize`` COMMENT tokens of ``code`` (``None`` when it does not tokenize), at
    ``tokenize``'s positions: lines end at ``\\n`` only (``io.StringIO.readline``)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return [
        Comment(t.start[0], t.start[1] + 1, t.string) for t in tokens if t.type == tokenize.COMMENT
    ]


def notebook_comments(text: str) -> Iterator[Comment]:
    """Comments of each code cell, by ``tokenize`` (a ``# noqa`` inside a multi-line string
    of a cell is not one), mapped back to the notebook file; a cell that does not tokenize
    is read line by line. Each names its cell."""
    from lora_lint.extract.notebook import NotebookError, NotebookMap, build_map

    try:
        nb = build_map(text)
    except (NotebookError, ValueError, RecursionError, IndexError):
        return
    cells: dict[int, list[int]] = {}
    for index, where in enumerate(nb.lines):
        cells.setdefault(where.cell, []).append(index)
    for indices in cells.values():
        code = "".join(nb.code[i] + "\n" for i in indices)
        found = _tokenized(code)
        if found is None:
            part = NotebookMap(lines=[nb.lines[i] for i in indices])
            yield from _with_hints(nb, _cell_line_comments(part))
            continue
        for comment in found:
            where = nb.lines[indices[comment.line - 1]]
            file_line, file_column = where.position(comment.column)
            yield from _with_hints(nb, [Comment(file_line, file_column, comment.text)])


def _cell_line_comments(nb: NotebookMap) -> Iterator[Comment]:
    from lora_lint.extract.notebook import iter_code_comments

    for line, column, text in iter_code_comments(nb):
        yield Comment(line, column, text)


def _with_hints(nb: NotebookMap, found: Iterable[Comment]) -> Iterator[Comment]:
    for comment in found:
        hint = nb.hint_at(comment.line, comment.column)
        yield Comment(comment.line, comment.column, comment.text, hint)


def yaml_comments(text: str) -> list[Comment]:
    """Comments of a YAML file: ``#`` after whitespace, outside every scalar token.

    PyYAML's scanner drops comments but gives each scalar (plain, quoted, block)
    with its start and end; what lies outside them is YAML syntax and comments.
    The marks' character offsets are used (their lines also end at U+2028 & co.).
    A file that does not scan is read line by line.
    """
    import yaml

    lines = LineIndex(text)
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
        return list(hash_comments(text))
    out = []
    for number, start, line in lines.lines():
        if "#" not in line:
            continue
        for match in re.finditer(r"(?:^|(?<=\s))#", line):
            offset = start + match.start()
            if not any(lo <= offset < hi for lo, hi in covered):
                out.append(Comment(number, match.start() + 1, line[match.start() :]))
                break
    return out


_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^']*)'|\"([^\"]*)\"|\\?([A-Za-z_][\w-]*))")


def shell_comments(text: str) -> Iterator[Comment]:
    """Comments of a shell script: ``#`` starting a word, outside quotes and heredoc bodies.

    A small scanner, not a shell parser: quotes may span lines, ``\\`` escapes one
    character outside single quotes, ``<<WORD``/``<<-WORD`` (quoted or not) starts a
    heredoc whose body runs until the line that is exactly ``WORD``. Lines end at
    ``\\n`` (bash's rule; a ``\\r`` before it is dropped, as in a CRLF file).
    """
    lines = LineIndex(text)
    quote: str | None = None
    heredocs: list[tuple[str, bool]] = []  # (delimiter, strip leading tabs), pending
    body: tuple[str, bool] | None = None
    for _, line_start, raw in LineIndex(text, NEWLINE).lines():
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
                yield Comment(*lines.point(line_start + i), line[i:])
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


def hash_comments(text: str) -> Iterator[Comment]:
    """``#`` comments by line: a ``#`` at the start or after whitespace (files that do not
    scan or tokenize, or of no known type, where no better reading exists)."""
    for number, _, line in LineIndex(text).lines():
        if "#" not in line:
            continue
        for match in re.finditer(r"(?:^|(?<=\s))#", line):
            yield Comment(number, match.start() + 1, line[match.start() :])
            break
