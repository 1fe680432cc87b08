"""A file as the linter saw it, for fixing: its text and the way from spans to offsets.

Spans are 1-based (line, column) in code points, end exclusive; what counts as a
line break depends on the front end that produced them: libcst and PyYAML break
lines on ``\\r\\n``, ``\\r`` and ``\\n``; the notebook and shell front ends count
``\\n`` only. The text is decoded exactly as :func:`lora_lint.extract.reading.read_source`
does (UTF-8, a BOM removed and remembered), so offsets computed here index the
same characters the spans were computed from.

Only the standard library and the front-end table (which says which characters
break lines for each file type) are imported: rules call into this module while
linting (to turn a finding into concrete edits), on the warm path.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field

from lora_lint.diagnostics import Span
from lora_lint.extract.frontends import by_format, front_end


def format_of(path: str) -> str | None:
    """The fix format of ``path``'s front end (``"python"``, ``"yaml"``...), if any."""
    front = front_end(path)
    return front.fix_format if front is not None else None


@dataclass(frozen=True)
class SourceText:
    """The decoded text of one file plus its line table."""

    path: str
    text: str
    fmt: str
    bom: bool = False
    #: (start, end) offsets of each line's characters, line break excluded.
    lines: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    @classmethod
    def from_text(cls, path: str, text: str, fmt: str, bom: bool = False) -> SourceText:
        lines: list[tuple[int, int]] = []
        start = 0
        for match in by_format(fmt).line_breaks.finditer(text):
            lines.append((start, match.start()))
            start = match.end()
        lines.append((start, len(text)))
        return cls(path, text, fmt, bom, tuple(lines))

    def offset(self, line: int, column: int) -> int | None:
        """Offset of a 1-based position; the column may point just past the line's end."""
        if not 1 <= line <= len(self.lines) or column < 1:
            return None
        start, end = self.lines[line - 1]
        if start + column - 1 > end:
            return None
        return start + column - 1

    def offsets(self, span: Span) -> tuple[int, int] | None:
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return None
        return start, end

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of ``offset`` (inside a line break: the line's end)."""
        lo, hi = 0, len(self.lines) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.lines[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        start, end = self.lines[lo]
        return lo + 1, min(offset, end) - start + 1

    def span(self, start: int, end: int) -> Span:
        first, last = self.position(start), self.position(end)
        return Span(first[0], first[1], last[0], last[1])

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
