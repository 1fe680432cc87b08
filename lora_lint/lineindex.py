"""The one line index: character offsets <-> 1-based ``(line, column)``.

Every position lora-lint reports -- a finding, a suppression comment, a fix's
span -- is counted with :data:`REPORTED`: lines end at ``\\r\\n``, ``\\r`` or
``\\n``, as libcst and Python's compiler count them, as JSON whitespace allows
them, and as editors, LSP clients, SARIF viewers and git show them. A finding and
the comment that suppresses it must agree on the line, so no module counts lines
its own way (``str.splitlines`` in particular also splits on ``\\x0c``, ``\\x1c``
.. ``\\x1e``, U+0085, U+2028 and U+2029, which none of the file types does).

The tools that read a file count lines by the file type's own rule (the
``line_breaks`` of its entry in :mod:`lora_lint.extract.frontends`): ``tokenize``
fed by ``io.StringIO.readline`` and bash end a line at ``\\n`` only; PyYAML and
libyaml marks also at U+0085, U+2028 and U+2029 (YAML 1.1). A tool's ``(line,
column)`` is turned into an offset with an index of the tool's rule, then into a
reported position with :data:`REPORTED`'s.

A leaf module: only :mod:`re` and the :class:`~lora_lint.diagnostics.Span` type.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from lora_lint.diagnostics import Span

#: ``\r\n``, ``\r``, ``\n``: the line breaks of every reported position.
REPORTED = re.compile(r"\r\n|\r|\n")
#: ``\n`` only: ``tokenize`` reading ``io.StringIO`` lines, and bash.
NEWLINE = re.compile(r"\n")
#: YAML 1.1 line breaks, which PyYAML's and libyaml's marks count.
YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class LineIndex:
    """Line starts of one text, for offsets -> positions and back.

    ``breaks`` is the line-break rule (:data:`REPORTED` unless converting a tool's
    positions). Columns count code points; a position may point just past a line's
    last character (an end-exclusive span's end).
    """

    __slots__ = ("breaks", "ends", "size", "starts", "text")

    def __init__(self, text: str, breaks: re.Pattern[str] = REPORTED) -> None:
        self.text = text
        self.size = len(text)
        self.breaks = breaks
        #: Offset where each line starts; ``ends``: where its line break starts.
        self.starts = [0]
        self.ends: list[int] = []
        for match in breaks.finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))

    def __len__(self) -> int:
        return len(self.starts)

    def point(self, offset: int, *, within_line: bool = False) -> tuple[int, int]:
        """1-based ``(line, column)`` of ``offset`` (clamped to the text).

        ``within_line``: an offset inside a line break is put at the line's end.
        """
        offset = min(max(offset, 0), self.size)
        line = bisect_right(self.starts, offset)
        if within_line:
            offset = min(offset, self.ends[line - 1])
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int, *, within_line: bool = False) -> Span:
        """The :class:`Span` of the characters ``text[start:end]``."""
        return Span(
            *self.point(start, within_line=within_line), *self.point(end, within_line=within_line)
        )

    def offset(self, line: int, column: int) -> int | None:
        """Offset of a 1-based position; ``None`` outside the text (past a line's end + 1)."""
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        start = self.starts[line - 1]
        if start + column - 1 > self.ends[line - 1]:
            return None
        return start + column - 1

    def byte_offset(self, line: int, byte_column: int) -> int | None:
        """Offset of a 1-based line and 0-based UTF-8 byte column, as :mod:`ast` reports them."""
        if not 1 <= line <= len(self.starts):
            return None
        start, end = self.starts[line - 1], self.ends[line - 1]
        head = self.text[start:end].encode("utf-8", "surrogatepass")[:byte_column]
        return start + len(head.decode("utf-8", "ignore"))

    def line_range(self, line: int) -> tuple[int, int]:
        """``(start, end)`` offsets of 1-based ``line``'s characters, its line break excluded."""
        return self.starts[line - 1], self.ends[line - 1]

    def line(self, line: int) -> str:
        """The text of 1-based ``line`` without its break; ``''`` when out of range."""
        if not 1 <= line <= len(self.starts):
            return ""
        return self.text[self.starts[line - 1] : self.ends[line - 1]]

    def lines(self) -> Iterator[tuple[int, int, str]]:
        """``(1-based number, start offset, text without the break)`` of every line."""
        for number, (start, end) in enumerate(zip(self.starts, self.ends, strict=True), 1):
            yield number, start, self.text[start:end]


def split_keepends(text: str, breaks: re.Pattern[str] = REPORTED) -> list[str]:
    """The lines of ``text`` with their breaks, as ``str.splitlines(True)`` would give them
    if it split only at ``breaks`` (not at ``\\x0c``, U+2028 & co.)."""
    index = LineIndex(text, breaks)
    lines = [text[start:end] for start, end in zip(index.starts, index.starts[1:], strict=False)]
    if index.starts[-1] < len(text):
        lines.append(text[index.starts[-1] :])
    return lines
