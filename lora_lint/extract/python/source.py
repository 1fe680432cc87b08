"""A parsed Python file with positions: the one place that converts libcst positions to spans."""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange

from lora_lint.diagnostics import Span
from lora_lint.extract.cstwalk import positions as resolve_positions
from lora_lint.extract.python.guard import TooDeep, too_deep_reason
from lora_lint.lineindex import LineIndex

#: Position key: (1-based line, 0-based column) as libcst reports it; comparable as tuples.
Pos = tuple[int, int]

#: Longest expression text kept in an ``Unresolved`` (longer text is shortened with "…").
TEXT_LIMIT = 60


@dataclass
class SourceModule:
    """A file parsed by libcst plus its node positions."""

    #: Display path, put into findings and configs.
    path: str
    code: str
    module: cst.Module
    positions: Mapping[cst.CSTNode, CodeRange]
    #: The file on disk, when known (for resolving relative imports).
    file_path: pathlib.Path | None = None
    _lines: LineIndex | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, code: str, path: str, file_path: pathlib.Path | None = None) -> SourceModule:
        """Parse ``code``; raises ``libcst.ParserSyntaxError`` on invalid syntax.

        ``unsafe_skip_copy`` avoids a deep copy that costs as much as the parse:
        the tree comes straight from the parser and is never mutated.
        """
        reason = too_deep_reason(code)
        if reason is not None:
            raise TooDeep(reason)
        module = cst.parse_module(code)
        # = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider), faster
        positions = resolve_positions(module)
        return cls(path=path, code=code, module=module, positions=positions, file_path=file_path)

    def start(self, node: cst.CSTNode) -> Pos:
        rng = self.positions[node]
        return (rng.start.line, rng.start.column)

    def end(self, node: cst.CSTNode) -> Pos:
        rng = self.positions[node]
        return (rng.end.line, rng.end.column)

    def contains(self, node: cst.CSTNode, pos: Pos) -> bool:
        """Whether ``pos`` lies inside ``node`` (start inclusive, end exclusive)."""
        return self.start(node) <= pos < self.end(node)

    def span(self, node: cst.CSTNode) -> Span:
        """libcst's 1-based line / 0-based column range as a 1-based, end-exclusive Span."""
        rng = self.positions[node]
        return Span(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)

    def text(self, node: cst.CSTNode, limit: int = TEXT_LIMIT) -> str:
        """The node's source on one line, shortened for messages."""
        return shorten(" ".join(self.module.code_for_node(node).split()), limit)

    def line(self, number: int) -> str:
        """Source line ``number`` (1-based) without its line break, '' when out of range."""
        if self._lines is None:
            self._lines = LineIndex(self.code)  # libcst's line breaks (not str.splitlines')
        return self._lines.line(number)


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
