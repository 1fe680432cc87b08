"""A file as the linter saw it, for fixing: its text and the way from spans to offsets.

Spans are 1-based (line, column) in code points, end exclusive, with lines
counted by the one :class:`~lora_lint.lineindex.LineIndex` every front end uses
(``\\r\\n``, ``\\r`` and ``\\n``). The text is decoded exactly as
:func:`lora_lint.extract.reading.read_source` does (UTF-8, a BOM removed and remembered),
so offsets computed here index the same characters the spans were computed from.

Only the standard library, the line index and the front-end table (which says
which file types carry fixes) are imported: rules call into this module while
linting (to turn a finding into concrete edits), on the warm path.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field

from lora_lint.diagnostics import Span
from lora_lint.extract.frontends import front_end
from lora_lint.lineindex import LineIndex


def format_of(path: str) -> str | None:
    """The fix format of ``path``'s front end (``"python"``, ``"yaml"``...), if any."""
    front = front_end(path)
    return front.fix_format if front is not None else None


@dataclass(frozen=True)
class SourceText:
    """The decoded text of one file plus its line index."""

    path: str
    text: str
    fmt: str
    bom: bool = False
    index: LineIndex = field(default_factory=lambda: LineIndex(""), repr=False)

    @classmethod
    def from_text(cls, path: str, text: str, fmt: str, bom: bool = False) -> SourceText:
        return cls(path, text, fmt, bom, LineIndex(text))

    def offset(self, line: int, column: int) -> int | None:
        """Offset of a 1-based position; the column may point just past the line's end."""
        return self.index.offset(line, column)

    def offsets(self, span: Span) -> tuple[int, int] | None:
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return None
        return start, end

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of ``offset`` (inside a line break: the line's end)."""
        return self.index.point(offset, within_line=True)

    def span(self, start: int, end: int) -> Span:
        return self.index.span(start, end, within_line=True)

    def slice(self, span: Span) -> str | None:
        rng = self.offsets(span)
        return None if rng is None else self.text[rng[0] : rng[1]]

    def encode(self, text: str) -> bytes:
        """``text`` as the file's bytes (UTF-8, with the BOM back when the file had one)."""
        data = text.encode("utf-8")
        return codecs.BOM_UTF8 + data if self.bom else data


def decode(data: bytes) -> tuple[str, bool] | None:
    """UTF-8 text of ``data`` and whether it started with a BOM; ``None`` if not UTF-8."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8"), bom
    except UnicodeDecodeError:
        return None


def read(path: str) -> SourceText | None:
    """The file at ``path`` (a display path, relative to the working directory)."""
    fmt = format_of(path)
    if fmt is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    decoded = decode(data)
    if decoded is None:
        return None
    return SourceText.from_text(path, decoded[0], fmt, decoded[1])


_CACHE: dict[str, tuple[tuple[int, int], SourceText]] = {}


def cached(path: str) -> SourceText | None:
    """:func:`read` with a cache keyed by (mtime, size): rules ask for the same file often."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    source = read(path)
    if source is not None:
        _CACHE[path] = (stamp, source)
    return source


def remember(path: str, text: str) -> None:
    """Take ``text`` as the content of ``path`` (a display path): the linter read it for
    extraction, so the rules' fixes use that text instead of reading the file again.
    Kept while the file's (mtime, size) stay the same, like a text :func:`cached` read."""
    fmt = format_of(path)
    try:
        stat = os.stat(path)
    except OSError:
        return
    if fmt is not None:
        _CACHE[path] = ((stat.st_mtime_ns, stat.st_size), SourceText.from_text(path, text, fmt))


def seen(path: str) -> SourceText | None:
    """The text rules last read for ``path`` (what their fixes' spans refer to)."""
    hit = _CACHE.get(path)
    return hit[1] if hit is not None else None


def forget(path: str | None = None) -> None:
    """Drop cached text (of one file, or of all): called after a file is rewritten."""
    if path is None:
        _CACHE.clear()
    else:
        _CACHE.pop(path, None)
