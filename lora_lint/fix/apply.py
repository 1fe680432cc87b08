"""Apply edits to a file's text, then prove the result means what was intended.

Edits replace character ranges, so everything outside them stays byte for byte
(comments, quotes, indentation, line endings). Each edit must be one of two
kinds, recognised from the *old* text, and the new text is re-parsed and
compared with the old one changed in exactly that way:

* a rewrite inside the verbatim body of one string value (a Python string
  literal, a YAML/JSON scalar, a piece of a comma-separated string);
* the deletion of one list element with the separator next to it.

Python is checked on its AST (``ast.dump`` of the new module equals the old
module with those constants and elements changed) after libcst -- lora-lint's
own parser -- accepts it; YAML and JSON on the composed document tree (same
converter as the linter, every value compared, so a scalar that would change
type or a broken flow sequence is caught), JSON also with :func:`json.loads`;
notebooks on their JSON (only code-cell sources may change) and on the code of
their cells, as Python. Shell launchers are re-extracted and their configs
compared. Anything unexplained rejects the whole edit set.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lora_lint.diagnostics import Edit, Span
from lora_lint.edits.literals import PY_LITERAL, body_range
from lora_lint.edits.source import SourceText


class FixError(ValueError):
    """The edits cannot be applied, or do not mean what they should (the reason)."""


def apply_edits(src: SourceText, edits: Sequence[Edit]) -> str:
    """``src.text`` with ``edits`` applied; raises :class:`FixError` on overlap or bad spans."""
    ranges = sorted(_ranges(src, edits))
    for (_, end, _), (start, _, _) in itertools.pairwise(ranges):
        if start < end:
            raise FixError("overlapping edits")
    text = src.text
    for start, end, replacement in reversed(ranges):
        text = text[:start] + replacement + text[end:]
    return text


def _ranges(src: SourceText, edits: Sequence[Edit]) -> list[tuple[int, int, str]]:
    out = []
    for edit in edits:
        rng = src.offsets(edit.span)
        if rng is None:
            raise FixError(f"edit span {edit.span} is outside the file")
        out.append((rng[0], rng[1], edit.replacement))
    return out


def fixed_text(src: SourceText, edits: Sequence[Edit]) -> str:
    """Apply ``edits`` and validate the result for the file's format (raises :class:`FixError`)."""
    new = apply_edits(src, edits)
    VALIDATORS[src.fmt](src, new, edits)
    return new


# --- Python ---------------------------------------------------------------------------------


def check_python(src: SourceText, new: str, edits: Sequence[Edit]) -> None:
    import libcst

    try:
        libcst.parse_module(new)
        new_tree = ast.parse(new)
        expected = ast.parse(src.text)
    except (SyntaxError, ValueError, libcst.ParserSyntaxError) as exc:
        raise FixError(f"the fixed file is not valid Python: {exc}") from exc
    _expected_python(src, expected, edits)
    if ast.dump(expected) != ast.dump(new_tree):
        raise FixError("the fixed Python code differs from the intended change")


def _expected_python(src: SourceText, tree: ast.Module, edits: Sequence[Edit]) -> None:
    """Change ``tree`` (parsed from ``src``) the way ``edits`` should change the code."""
    strings: list[tuple[int, int, ast.Constant]] = []
    elements: list[tuple[int, int, ast.expr, list[ast.expr]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            rng = _node_range(src, node)
            if rng is not None:
                strings.append((*rng, node))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for elt in node.elts:
                rng = _node_range(src, elt)
                if rng is not None:
                    elements.append((*rng, elt, node.elts))
    changes: dict[int, list[tuple[int, int, str]]] = {}
    by_id: dict[int, ast.Constant] = {}
    removals: list[tuple[ast.expr, list[ast.expr]]] = []
    for start, end, replacement in _ranges(src, edits):
        constant = _string_containing(src, strings, start, end)
        if constant is not None:
            node, body_start = constant
            changes.setdefault(id(node), []).append(
                (start - body_start, end - body_start, replacement)
            )
            by_id[id(node)] = node
            continue
        removed = [
            (elt, owner)
            for e_start, e_end, elt, owner in elements
            if start <= e_start and e_end <= end
        ]
        rest = src.text[start:end]
        if len(removed) == 1 and replacement == "":
            e_start, e_end = _node_range(src, removed[0][0]) or (start, start)
            rest = src.text[start:e_start] + src.text[e_end:end]
        if len(removed) != 1 or replacement or not re.fullmatch(r"\s*,\s*", rest):
            raise FixError(
                f"edit at {src.position(start)} is neither inside a plain string "
                "nor the removal of one list element"
            )
        removals.append(removed[0])
    for key, node in by_id.items():
        value = str(node.value)
        for a, b, replacement in sorted(changes[key], reverse=True):
            value = value[:a] + replacement + value[b:]
        node.value = value
    for elt, owner in removals:
        owner.remove(elt)


def _node_range(src: SourceText, node: ast.expr) -> tuple[int, int] | None:
    """Character offsets of an AST node (``ast`` columns are UTF-8 byte offsets)."""
    if node.end_lineno is None or node.end_col_offset is None:
        return None
    start = src.index.byte_offset(node.lineno, node.col_offset)
    end = src.index.byte_offset(node.end_lineno, node.end_col_offset)
    return None if start is None or end is None else (start, end)


def _string_containing(
    src: SourceText, strings: list[tuple[int, int, ast.Constant]], start: int, end: int
) -> tuple[ast.Constant, int] | None:
    """The string constant whose verbatim body holds ``[start, end)``, and where the body starts."""
    for s_start, s_end, node in strings:
        if not (s_start <= start and end <= s_end):
            continue
        token = src.text[s_start:s_end]
        match = PY_LITERAL.match(token)
        if match is None or body_range(token, str(node.value), "python", bare=False) is None:
            return None
        body_start = s_start + match.start("body")
        if body_start <= start and end <= s_start + match.end("body"):
            return node, body_start
        return None
    return None


# --- YAML and JSON --------------------------------------------------------------------------


def check_yaml(src: SourceText, new: str, edits: Sequence[Edit]) -> None:
    from lora_lint.extract.positioned_yaml import load_json, load_yaml

    if src.fmt == "json":
        try:
            json.loads(new)
        except ValueError as exc:
            raise FixError(f"the fixed file is not valid JSON: {exc}") from exc
    load: Callable[[str, str], Any] = load_json if src.fmt == "json" else load_yaml
    old_parsed, new_parsed = load(src.text, src.path), load(new, src.path)
    if new_parsed.findings or len(new_parsed.documents) != len(old_parsed.documents):
        raise FixError("the fixed file does not parse like the original")
    ranges = _ranges(src, edits)
    used: set[int] = set()
    for old_doc, new_doc in zip(old_parsed.documents, new_parsed.documents, strict=True):
        expected = _Expected(src, old_doc, ranges, used).value(old_doc.root)
        if _plain(expected) != _plain(new_doc.root):
            raise FixError("the fixed document differs from the intended change")
    if used != set(range(len(ranges))):
        raise FixError("an edit is neither inside a plain scalar nor the removal of one item")


class _Expected:
    """A composed document with the edits applied to its values (what the new one must be)."""

    def __init__(
        self, src: SourceText, doc: Any, ranges: list[tuple[int, int, str]], used: set[int]
    ) -> None:
        self.src, self.doc, self.ranges, self.used = src, doc, ranges, used
        self.memo: dict[int, object] = {}

    def value(self, value: object) -> object:
        from lora_lint.extract.types import Located

        if not isinstance(value, Located):
            return value
        key = id(value)
        if key not in self.memo:
            self.memo[key] = value  # recursion guard; replaced below
            self.memo[key] = self._located(value)
        return self.memo[key]

    def _located(self, value: Any) -> object:
        if isinstance(value.value, str) and not value.container:
            return self._scalar(value)
        if isinstance(value.value, dict):
            return dataclasses.replace(
                value, value={k: self.value(v) for k, v in value.value.items()}
            )
        if isinstance(value.value, list):
            kept = []
            for item in value.value:
                rng = self.src.offsets(item.span)
                removal = None if rng is None else self._removal(*rng)
                if removal is None:
                    kept.append(self.value(item))
                else:
                    self.used.add(removal)
            return dataclasses.replace(value, value=kept)
        return value

    def _removal(self, start: int, end: int) -> int | None:
        for index, (e_start, e_end, replacement) in enumerate(self.ranges):
            if replacement or not (e_start <= start and end <= e_end):
                continue
            rest = self.src.text[e_start:start] + self.src.text[end:e_end]
            if re.fullmatch(r"\s*[,-]?\s*", rest):
                return index
        return None

    def _scalar(self, value: Any) -> object:
        rng = self.doc.raw_ranges.get(id(value))
        if rng is None:
            return value
        token = self.src.text[rng[0] : rng[1]]
        body = body_range(token, value.value, self.src.fmt, bare=True)
        inside = [
            (index, a, b, r)
            for index, (a, b, r) in enumerate(self.ranges)
            if rng[0] <= a and b <= rng[1]
        ]
        if not inside:
            return value
        if body is None:
            raise FixError("an edit falls inside a scalar that is not written verbatim")
        text = value.value
        for index, a, b, replacement in sorted(inside, key=lambda t: t[1], reverse=True):
            lo, hi = a - rng[0] - body[0], b - rng[0] - body[0]
            if lo < 0 or hi > body[1] - body[0]:
                raise FixError("an edit crosses the quotes of a scalar")
            text = text[:lo] + replacement + text[hi:]
            self.used.add(index)
        return dataclasses.replace(value, value=text)


def _plain(value: object) -> object:
    """Plain data of a converted value, with strings compared by value and type."""
    from lora_lint.extract.types import Located, Unresolved

    if isinstance(value, Unresolved):
        return ("unresolved",)  # its reason may quote positions, which edits shift
    if isinstance(value, Located):
        if isinstance(value.value, dict):
            return {k: _plain(v) for k, v in value.value.items()}
        if isinstance(value.value, list):
            return [_plain(v) for v in value.value]
        return (type(value.value).__name__, value.value)
    return value


# --- notebooks ------------------------------------------------------------------------------


def check_notebook(src: SourceText, new: str, edits: Sequence[Edit]) -> None:
    from lora_lint.extract.notebook import NotebookError, build_map

    try:
        old_data, new_data = json.loads(src.text), json.loads(new)
        old_map, new_map = build_map(src.text), build_map(new)
    except (ValueError, NotebookError) as exc:
        raise FixError(f"the fixed notebook is not valid: {exc}") from exc
    if _without_sources(old_data) != _without_sources(new_data):
        raise FixError("the fixed notebook changed outside its code cells")
    where: dict[tuple[int, int], tuple[int, int]] = {}
    for number, line in enumerate(old_map.lines, start=1):
        for column, position in enumerate(line.positions, start=1):
            where.setdefault(position, (number, column))
    code_edits = []
    for edit in edits:
        start = where.get((edit.span.line, edit.span.column))
        end = where.get((edit.span.end_line, edit.span.end_column))
        if start is None or end is None or start[0] != end[0]:
            raise FixError("an edit is not inside one line of a code cell")
        code_edits.append(Edit(Span(start[0], start[1], end[0], end[1]), edit.replacement))
    # The cells' lines as written, and as parsed (IPython syntax blanked): the edits must
    # turn the old ones into the new ones, and must not touch a blanked line.
    written = SourceText.from_text(src.path, _joined(old_map.lines), "notebook")
    if apply_edits(written, code_edits) != _joined(new_map.lines):
        raise FixError("the notebook edit does not map onto its code cells")
    old_code = SourceText.from_text(src.path, old_map.source, "notebook")
    if apply_edits(old_code, code_edits) != new_map.source:
        raise FixError("the notebook edit touches IPython syntax")
    check_python(old_code, new_map.source, code_edits)


def _joined(lines: Sequence[Any]) -> str:
    return "".join(line.text + "\n" for line in lines)


def _without_sources(data: object, key: str = "") -> object:
    if isinstance(data, dict):
        return {k: _without_sources(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return None if key in ("source", "input") else [_without_sources(v) for v in data]
    return None if key in ("source", "input") and isinstance(data, str) else data


# --- shell ----------------------------------------------------------------------------------


def check_shell(src: SourceText, new: str, edits: Sequence[Edit]) -> None:
    """Re-extract the launcher: every config must be the old one with the edited values replaced."""
    from lora_lint.extract.shell import extract_shell
    from lora_lint.extract.types import Located

    launcher = Path(src.path)  # the launched scripts are found as in the original run
    old = extract_shell(src.text, src.path, file_path=launcher)
    fresh = extract_shell(new, src.path, file_path=launcher)
    if len(old.configs) != len(fresh.configs) or len(fresh.findings) > len(old.findings):
        raise FixError("the fixed launcher does not parse like the original")
    wanted = {edit.span: edit.replacement for edit in edits}
    used: set[Span] = set()

    def expected(value: object) -> object:
        if not isinstance(value, Located):
            return _plain(value)
        if isinstance(value.value, list):
            return [expected(v) for v in value.value]
        if isinstance(value.value, dict):
            return {k: expected(v) for k, v in value.value.items()}
        if value.span in wanted and isinstance(value.value, str):
            used.add(value.span)
            return ("str", wanted[value.span])
        return _plain(value)

    for before, after in zip(old.configs, fresh.configs, strict=True):
        want = {k: expected(v) for k, v in before.options.items()}
        if want != {k: expected_plain(v) for k, v in after.options.items()}:
            raise FixError("the fixed launcher's configs differ from the intended change")
    if used != set(wanted):
        raise FixError("an edit does not replace a whole value of a launcher flag")


def expected_plain(value: object) -> object:
    from lora_lint.extract.types import Located

    if isinstance(value, Located) and isinstance(value.value, list):
        return [expected_plain(v) for v in value.value]
    if isinstance(value, Located) and isinstance(value.value, dict):
        return {k: expected_plain(v) for k, v in value.value.items()}
    return _plain(value)


VALIDATORS: dict[str, Callable[[SourceText, str, Sequence[Edit]], None]] = {
    "python": check_python,
    "yaml": check_yaml,
    "json": check_yaml,
    "notebook": check_notebook,
    "shell": check_shell,
}
