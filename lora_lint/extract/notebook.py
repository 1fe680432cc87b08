"""Jupyter notebooks (``.ipynb``): the code cells, linted as one Python module.

The notebook JSON is read with :mod:`json` (no nbformat). The code cells are
concatenated in notebook order -- the order a "Run all" executes them -- so a
model id set in one cell is seen by the ``LoraConfig`` of a later cell. IPython
syntax (``%magic``, ``!shell``, ``x = !cmd``, ``%%cell`` magics) is blanked
line by line so that line numbers are kept. A cell that still is not Python is
left out (Jupyter would fail on it too) rather than hiding every other cell.

Every span is then mapped back into the notebook *file*: the line is the JSON
line holding that source line and the column points at the character inside
the JSON string (escapes such as ``\\"`` are accounted for), so JSON/SARIF
output opens the notebook at the right place; ``location_hint`` names the cell
and the line inside it ("cell 4, line 2"), which text output prints.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lora_lint.diagnostics import Span, unreadable_input
from lora_lint.extract.ipython import blank_ipython
from lora_lint.extract.positioned import decode_json_fragment, read_json_positioned
from lora_lint.extract.types import (
    CellHint,
    ExtractedConfig,
    FileExtraction,
    Located,
    ModelRef,
    ToolFacts,
    Unresolved,
)
from lora_lint.lineindex import LineIndex

_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


@dataclass(frozen=True)
class SourceLine:
    """One line of a code cell and where its characters are in the notebook file."""

    cell: int  # 1-based position of the cell among all cells
    line_in_cell: int  # 1-based
    text: str  # without the trailing newline
    #: 1-based (line, column) in the notebook file of each character of ``text``, plus one
    #: position past its end.
    positions: tuple[tuple[int, int], ...]

    def position(self, column: int) -> tuple[int, int]:
        """File position of the 1-based ``column`` of this line (clamped to the line)."""
        index = min(max(column - 1, 0), len(self.positions) - 1)
        return self.positions[index]


@dataclass
class NotebookMap:
    """The code of a notebook and the way back from code lines to the notebook file."""

    lines: list[SourceLine] = field(default_factory=list)
    #: 1-based code line -> the same line with its IPython syntax blanked (what is parsed).
    code: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return "".join(line + "\n" for line in self.code)

    def file_span(self, span: Span) -> Span:
        """A span of the concatenated code -> the same characters in the notebook file."""
        start = self._position(span.line, span.column)
        end = self._position(span.end_line, span.end_column)
        return Span(start[0], start[1], end[0], end[1])

    def _position(self, line: int, column: int) -> tuple[int, int]:
        if not self.lines:
            return (1, 1)
        index = min(max(line, 1), len(self.lines)) - 1
        return self.lines[index].position(column)

    def hint(self, code_line: int) -> str | None:
        if not 1 <= code_line <= len(self.lines):
            return None
        where = self.lines[code_line - 1]
        return f"cell {where.cell}, line {where.line_in_cell}"

    def cell_hints(self) -> list[CellHint]:
        """Per code line and file line, the columns it occupies: :func:`hint_at`'s table."""
        out: list[CellHint] = []
        for where in self.lines:
            columns: dict[int, list[int]] = {}
            for line, column in where.positions:
                columns.setdefault(line, []).append(column)
            hint = f"cell {where.cell}, line {where.line_in_cell}"
            out.extend(CellHint(line, min(c), max(c), hint) for line, c in columns.items())
        return out

    def hint_at(self, line: int, column: int) -> str | None:
        """The cell and line of the code written at notebook position ``line:column``."""
        first = None
        for where in self.lines:
            if any(p[0] == line for p in where.positions):
                if (line, column) in where.positions:
                    return f"cell {where.cell}, line {where.line_in_cell}"
                first = first or where
        return f"cell {first.cell}, line {first.line_in_cell}" if first else None


class NotebookError(ValueError):
    """The file is not a notebook we can read; ``span`` says where."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.span = span or Span.point()


def build_map(text: str) -> NotebookMap:
    """Parse the notebook JSON and map every code-cell line to the file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"invalid notebook JSON: {exc.msg}", Span.point(exc.lineno, exc.colno)
        ) from exc
    cells_value = _cells(data)
    cells_node = _source_tokens(text)
    result = NotebookMap()
    for index, cell in enumerate(cells_value, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        tokens = cells_node[index - 1] if index - 1 < len(cells_node) else []
        _add_cell(result, index, tokens)
    return result


def _cells(data: object) -> list[object]:
    if not isinstance(data, dict):
        raise NotebookError("not a Jupyter notebook: the top level is not a JSON object")
    if isinstance(data.get("cells"), list):
        return list(data["cells"])
    worksheets = data.get("worksheets")  # nbformat 3
    if isinstance(worksheets, list) and worksheets and isinstance(worksheets[0], dict):
        cells = worksheets[0].get("cells")
        if isinstance(cells, list):
            return list(cells)
    raise NotebookError("not a Jupyter notebook: no 'cells' list")


def _add_cell(result: NotebookMap, cell: int, tokens: list[_StringToken]) -> None:
    """Append one code cell's lines; each line knows the file position of every character."""
    if not tokens:
        return
    pieces: list[tuple[str, list[tuple[int, int]]]] = []
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for token in tokens:
        for char, position in zip(token.value, token.positions, strict=False):
            if char == "\n":
                pieces.append(("".join(chars), [*where, position]))
                chars, where = [], []
            else:
                chars.append(char)
                where.append(position)
    if chars or not pieces:
        pieces.append(("".join(chars), [*where, tokens[-1].end]))
    lines: list[SourceLine] = []
    for number, (text, positions) in enumerate(pieces, start=1):
        if text.endswith("\r"):  # CRLF inside the JSON string
            lines.append(SourceLine(cell, number, text[:-1], (*positions[:-2], positions[-1])))
        else:
            lines.append(SourceLine(cell, number, text, tuple(positions)))
    result.lines.extend(lines)
    result.code.extend(blank_ipython([line.text for line in lines]))


@dataclass
class _StringToken:
    """A JSON string of a cell's ``source``: its value and the file position of each char."""

    value: str
    positions: list[tuple[int, int]]
    end: tuple[int, int]


def _source_tokens(text: str) -> list[list[_StringToken]]:
    """For each cell, in order: the strings of its ``source`` (or ``input``), positioned.

    The notebook is read by the one positioned JSON reader
    (:class:`lora_lint.extract.positioned.JsonReader`).
    """
    document = read_json_positioned(text)
    root = document.root
    if not isinstance(root, Located) or not isinstance(root.value, dict):
        return []
    cells = root.value.get("cells")
    worksheets = root.value.get("worksheets")
    if cells is None and isinstance(worksheets, Located) and isinstance(worksheets.value, list):
        first = worksheets.value[0] if worksheets.value else None
        if isinstance(first, Located) and isinstance(first.value, dict):
            cells = first.value.get("cells")
    if not isinstance(cells, Located) or not isinstance(cells.value, list):
        return []
    index = LineIndex(text)
    out: list[list[_StringToken]] = []
    for cell in cells.value:
        fields = cell.value if isinstance(cell, Located) else None
        source = None
        if isinstance(fields, dict):
            source = fields.get("source", fields.get("input"))
        strings = source.value if isinstance(source, Located) else None
        if isinstance(strings, str):
            strings = [source]
        if not isinstance(strings, list):
            out.append([])
            continue
        tokens = []
        for item in strings:
            rng = document.raw_ranges.get(id(item))
            if isinstance(item, Located) and isinstance(item.value, str) and rng is not None:
                tokens.append(_token(text, index, rng, item.value))
        out.append(tokens)
    return out


def _token(text: str, index: LineIndex, rng: tuple[int, int], value: str) -> _StringToken:
    """Map each decoded character to the file position of its first raw character."""
    body = rng[0] + 1
    stop = rng[1] - 1  # the closing quote
    decoded = decode_json_fragment(text[body:stop])
    offsets = decoded[1][:-1] if decoded is not None else []
    positions = [index.point(body + o) for o in offsets[: len(value)]]
    while len(positions) < len(value):  # defensive: never index past the map
        positions.append(index.point(stop))
    return _StringToken(value, positions, index.point(stop))


# --- the front end ------------------------------------------------------------------------


def might_contain_config(text: str) -> bool:
    from lora_lint.extract.python import might_contain_config as python_might

    return python_might(text.replace('\\"', '"'))


def extract_notebook(
    source: str,
    path: str,
    *,
    project_root: Path | None = None,
    file_path: Path | None = None,
) -> FileExtraction:
    """Every PEFT config in the notebook's code cells, with spans in the notebook file."""
    try:
        nb = build_map(source)
    except NotebookError as exc:
        return FileExtraction(path, findings=[unreadable_input(path, str(exc), exc.span)])
    except (RecursionError, ValueError, IndexError) as exc:
        message = f"invalid notebook JSON: {exc}"
        return FileExtraction(path, findings=[unreadable_input(path, message)])
    from lora_lint.extract.python import extract_python

    extraction = extract_python(nb.source, path, project_root=project_root, file_path=file_path)
    if _syntax_error(extraction) and _blank_invalid_cells(nb):
        extraction = extract_python(nb.source, path, project_root=project_root, file_path=file_path)
    result = remap(extraction, nb, path)
    result.cell_hints = nb.cell_hints()
    return result


def _syntax_error(extraction: FileExtraction) -> bool:
    return any(
        f.code == "LL000" and f.message.startswith("cannot parse Python")
        for f in extraction.findings
    )


def _blank_invalid_cells(nb: NotebookMap) -> bool:
    """Blank every cell that is not Python on its own; True if any was."""
    cells: dict[int, list[int]] = {}
    for number, where in enumerate(nb.lines, start=1):
        cells.setdefault(where.cell, []).append(number)
    changed = False
    for numbers in cells.values():
        code = "".join(nb.code[n - 1] + "\n" for n in numbers)
        try:
            compile(code, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | _TOP_LEVEL_AWAIT)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            for n in numbers:
                nb.code[n - 1] = ""
            changed = True
    return changed


def remap(extraction: FileExtraction, nb: NotebookMap, path: str) -> FileExtraction:
    """Move every span of this file from code coordinates to notebook-file coordinates."""
    out = FileExtraction(path)
    for config in extraction.configs:
        out.configs.append(_config(config, nb, path))
    for finding in extraction.findings:
        if finding.path != path:
            out.findings.append(finding)
            continue
        out.findings.append(
            dataclasses.replace(
                finding, span=nb.file_span(finding.span), location_hint=nb.hint(finding.span.line)
            )
        )
    out.models = [_model(m, nb, path) for m in extraction.models]
    return out


def _config(config: ExtractedConfig, nb: NotebookMap, path: str) -> ExtractedConfig:
    def span(value: Span) -> Span:
        return nb.file_span(value)

    hint = nb.hint(config.span.line)
    return dataclasses.replace(
        config,
        span=span(config.span),
        options={k: _value(v, nb) for k, v in config.options.items()},
        key_spans={k: span(v) for k, v in config.key_spans.items()},
        unknown_keys={k: span(v) for k, v in config.unknown_keys.items()},
        model=_model(config.model, nb, path) if config.model else None,
        unresolved=[_value(u, nb) for u in config.unresolved],  # type: ignore[misc]
        facts=_facts(config.facts, nb),
        location_hint=hint,
    )


def _model(ref: ModelRef, nb: NotebookMap, path: str) -> ModelRef:
    if ref.span is None or (ref.source_path not in (None, path) and ref.source_path != path):
        return ref
    return dataclasses.replace(ref, span=nb.file_span(ref.span))


def _facts(facts: ToolFacts, nb: NotebookMap) -> ToolFacts:
    """The tool facts with every span they hold moved from cell to file coordinates."""
    changes: dict[str, Any] = {
        f.name: _note(getattr(facts, f.name), nb) for f in dataclasses.fields(facts)
    }
    return dataclasses.replace(facts, **changes)


def _note(value: object, nb: NotebookMap) -> object:
    if isinstance(value, (Located, Unresolved)):
        return _value(value, nb)
    if isinstance(value, (list, tuple)):
        return type(value)(_note(v, nb) for v in value)
    if isinstance(value, dict):
        return {k: _note(v, nb) for k, v in value.items()}
    if isinstance(value, Span):
        return nb.file_span(value)
    return value


def _value(value: Located | Unresolved, nb: NotebookMap) -> Located | Unresolved:
    if value.path is not None:  # written in another file (an imported constant)
        return value
    if isinstance(value, Unresolved):
        return dataclasses.replace(value, span=nb.file_span(value.span))
    inner: object = value.value
    if isinstance(inner, list):
        inner = [_value(v, nb) for v in inner]
    elif isinstance(inner, dict):
        inner = {k: _value(v, nb) for k, v in inner.items()}
    key_spans = (
        {k: nb.file_span(s) for k, s in value.key_spans.items()} if value.key_spans else None
    )
    return dataclasses.replace(
        value, value=inner, span=nb.file_span(value.span), key_spans=key_spans
    )


def iter_code_comments(nb: NotebookMap) -> Iterator[tuple[int, int, str]]:
    """``(file line, file column, text from '#')`` of each comment-looking part of a code line."""
    for where in nb.lines:
        index = _comment_start(where.text)
        if index is not None:
            line, column = where.position(index + 1)
            yield line, column, where.text[index:]


def _comment_start(text: str) -> int | None:
    """Index of a ``#`` that starts a comment (outside simple quotes), if any."""
    quote: str | None = None
    escaped = False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return i
    return None
