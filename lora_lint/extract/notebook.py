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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from json.scanner import NUMBER_RE
from pathlib import Path
from typing import Any

from lora_lint.diagnostics import Span, unreadable_input
from lora_lint.extract.types import (
    ExtractedConfig,
    FileExtraction,
    Located,
    ModelRef,
    ToolFacts,
    Unresolved,
)

_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")

#: Cell magics whose body is still Python (the rest -- %%bash, %%writefile, ... -- is not).
_PYTHON_CELL_MAGICS = frozenset({"capture", "time", "timeit", "prun", "debug", "python", "python3"})
#: ``x = !cmd`` / ``x = %magic``: IPython assignments from a shell or magic command.
_MAGIC_ASSIGN = re.compile(r"^\s*[\w.]+\s*=\s*[!%]")
_LINE_MAGIC = re.compile(r"^\s*[!%]")
_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
_HELP = re.compile(r"^\s*[\w.]+\?\??\s*$|^\s*\?")


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
    positions = _StringPositions(text)
    cells_node = positions.cells()
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


def blank_ipython(lines: list[str]) -> list[str]:
    """IPython-only lines -> empty lines (line count kept)."""
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(None, 1)[0] if lines[0].strip() != "%%" else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return ["" for _ in lines]
        return ["", *blank_ipython(lines[1:])]
    out = []
    for line in lines:
        if _LINE_MAGIC.match(line) or _MAGIC_ASSIGN.match(line) or _HELP.match(line):
            out.append("")
        else:
            out.append(line)
    return out


@dataclass
class _StringToken:
    """A JSON string of a cell's ``source``: its value and the file position of each char."""

    value: str
    positions: list[tuple[int, int]]
    end: tuple[int, int]


class _StringPositions:
    """A minimal positioned JSON reader that only keeps the code cells' ``source`` strings."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        for match in re.finditer("\n", text):
            self.line_starts.append(match.end())

    def point(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1

    def cells(self) -> list[list[_StringToken]]:
        """For each cell, in order: the strings of its ``source`` (or ``input``)."""
        root, _ = self._value(self._skip(0), ("",))
        if not isinstance(root, dict):
            return []
        cells = root.get("cells")
        if cells is None and isinstance(root.get("worksheets"), list) and root["worksheets"]:
            first = root["worksheets"][0]
            cells = first.get("cells") if isinstance(first, dict) else None
        if not isinstance(cells, list):
            return []
        out: list[list[_StringToken]] = []
        for cell in cells:
            source = cell.get("source", cell.get("input")) if isinstance(cell, dict) else None
            if isinstance(source, _StringToken):
                out.append([source])
            elif isinstance(source, list):
                out.append([s for s in source if isinstance(s, _StringToken)])
            else:
                out.append([])
        return out

    def _skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def _value(self, pos: int, path: tuple[str, ...]) -> tuple[object, int]:
        char = self.text[pos]
        if char == "{":
            values: dict[str, object] = {}
            pos = self._skip(pos + 1)
            while self.text[pos] != "}":
                key, pos = _scanstring(self.text, pos + 1)
                pos = self._skip(self._skip(pos) + 1)
                values[key], pos = self._value(pos, (*path[-2:], key))
                pos = self._skip(pos)
                if self.text[pos] == ",":
                    pos = self._skip(pos + 1)
            return values, pos + 1
        if char == "[":
            items: list[object] = []
            pos = self._skip(pos + 1)
            while self.text[pos] != "]":
                item, pos = self._value(pos, path)
                items.append(item)
                pos = self._skip(pos)
                if self.text[pos] == ",":
                    pos = self._skip(pos + 1)
            return items, pos + 1
        if char == '"':
            value, end = _scanstring(self.text, pos + 1)
            if path and path[-1] in ("source", "input"):
                return self._token(pos, end, value), end
            return None, end
        for word in ("true", "false", "null", "NaN", "-Infinity", "Infinity"):
            if self.text.startswith(word, pos):
                return None, pos + len(word)
        match = NUMBER_RE.match(self.text, pos)
        if match is None:
            raise NotebookError(f"unexpected character {char!r}", Span.point(*self.point(pos)))
        return None, match.end()

    def _token(self, start: int, end: int, value: str) -> _StringToken:
        """Map each decoded character to the file position of its first raw character."""
        raw_offsets: list[int] = []
        pos = start + 1
        stop = end - 1  # the closing quote
        while pos < stop:
            char = self.text[pos]
            if char != "\\":
                raw_offsets.append(pos)
                pos += 1
                continue
            escape = self.text[pos + 1]
            if escape == "u":
                code = int(self.text[pos + 2 : pos + 6], 16)
                if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", pos + 6):
                    raw_offsets.append(pos)
                    pos += 12
                    continue
                raw_offsets.append(pos)
                pos += 6
            else:
                raw_offsets.append(pos)
                pos += 2
        positions = [self.point(o) for o in raw_offsets[: len(value)]]
        while len(positions) < len(value):  # defensive: never index past the map
            positions.append(self.point(stop))
        return _StringToken(value, positions, self.point(stop))


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
    return remap(extraction, nb, path)


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
