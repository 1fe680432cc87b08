"""Compose YAML/JSON into a positioned tree of :class:`Located` values.

We never *construct* Python objects from the document (no ``yaml.load``): the
file is only composed into nodes, which keeps every value's marks, lets us see
duplicate keys that ``safe_load`` silently drops, and cannot run arbitrary
constructors. Scalars are then resolved here from their tag with PyYAML's safe
constructor semantics (YAML 1.1: ``yes``/``on`` are booleans, ``0o17`` is an
int, ...), so values match what the tools themselves read.

PyYAML marks are 0-based line and column and ``index`` is a character offset;
:class:`Span` is 1-based and end-exclusive, so every conversion adds one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from json.scanner import NUMBER_RE

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lora_lint.diagnostics import Finding, Span, unreadable_input
from lora_lint.extract.types import Located, Unresolved, Value

#: The C loader is ~3x faster; marks are identical (checked in the reference notes).
LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MERGE, _MAP, _SEQ, _OMAP, _SET = (_TAG + t for t in ("merge", "map", "seq", "omap", "set"))
#: Tags whose value we keep as the string written (what a tool would compare or print).
_KEEP_AS_TEXT = frozenset({_STR, _TAG + "timestamp", _TAG + "binary", _TAG + "value", "!"})
_SAFE = SafeConstructor()
#: json's own string scanner: ``(text, index after the opening quote) -> (value, end)``.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

#: Deeper than any real training config; guards the recursive conversion.
MAX_DEPTH = 200

#: ``&anchor`` and ``!tag`` properties written before a scalar (they are inside its marks).
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one mapping; loaders keep the last (``last``)."""

    key: str
    first: Span
    last: Span
    mapping: Span


@dataclass
class Document:
    """One YAML document (or the whole JSON file) as a positioned tree."""

    root: Value | None
    #: 0-based position of the document in a multi-document stream.
    index: int = 0
    duplicates: list[DuplicateKey] = field(default_factory=list)
    #: The text the marks refer to (BOM removed), for spans inside scalars.
    text: str = ""
    #: ``id(Located)`` of a scalar -> ``(start, end)`` character offsets of its raw text.
    raw_ranges: dict[int, tuple[int, int]] = field(default_factory=dict, repr=False)

    def split_commas(self, value: Located) -> Located:
        """Split a ``"q_proj, v_proj"`` string the way the tools do, one span per piece.

        Pieces are stripped and empty ones skipped. Exact piece spans need the
        scalar on one line with its text written verbatim (plain, or quoted
        without escapes); otherwise every piece gets the whole scalar's span.
        """
        text = value.value if isinstance(value.value, str) else str(value.value)
        base = self._value_column(value)
        items: list[Located | Unresolved] = []
        offset = 0
        for piece in text.split(","):
            name = piece.strip()
            if name:
                span = value.span
                if base is not None:
                    start = base + offset + (len(piece) - len(piece.lstrip()))
                    span = Span(value.span.line, start, value.span.line, start + len(name))
                items.append(Located(name, span, path=value.path))
            offset += len(piece) + 1
        return Located(items, value.span, container="list", split_from_string=True, path=value.path)

    def _value_column(self, value: Located) -> int | None:
        """1-based column where the scalar's characters start, if they are written verbatim."""
        rng = self.raw_ranges.get(id(value))
        if (
            rng is None
            or value.span.line != value.span.end_line
            or not isinstance(value.value, str)
        ):
            return None
        raw = self.text[rng[0] : rng[1]]
        skip = _PROPERTIES.match(raw)
        lead = skip.end() if skip else 0
        body = raw[lead:]
        if body == value.value:
            return value.span.column + lead
        if (
            len(body) >= 2
            and body[0] in "'\""
            and body[-1] == body[0]
            and body[1:-1] == value.value
        ):
            return value.span.column + lead + 1
        return None


@dataclass
class ParsedFile:
    """Every document of a file, plus LL000 findings when (part of) it is unreadable."""

    path: str
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def span_of(node: Node) -> Span:
    """Convert a node's 0-based marks to a 1-based, end-exclusive :class:`Span`."""
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def strip_bom(source: str) -> str:
    """Drop a leading BOM: libyaml does not count it in ``index`` while PyYAML does."""
    return source[1:] if source.startswith("\ufeff") else source


class _Converter:
    """Turn one composed document into ``Located`` values (shared nodes stay shared)."""

    def __init__(self, document: Document, json_mode: bool) -> None:
        self.doc = document
        self.json_mode = json_mode
        self.memo: dict[int, Value] = {}
        self.active: set[int] = set()
        self.problems: list[tuple[str, Span]] = []

    def convert(self, node: Node, depth: int = 0) -> Value:
        key = id(node)
        if key in self.active:  # an alias to a collection that contains it
            return Unresolved(span_of(node), "recursive YAML alias", text="*alias")
        if key in self.memo:  # aliases share the converted value (no alias-bomb blow-up)
            return self.memo[key]
        if depth > MAX_DEPTH:
            return Unresolved(span_of(node), "nesting too deep to analyse")
        self.active.add(key)
        try:
            if isinstance(node, MappingNode):
                value = self._mapping(node, depth)
            elif isinstance(node, SequenceNode):
                value = self._sequence(node, depth)
            else:
                value = self._scalar(node)
        finally:
            self.active.discard(key)
        self.memo[key] = value
        return value

    def _scalar(self, node: Node) -> Value:
        span = span_of(node)
        try:
            resolved = self._resolve(node)
        except (ConstructorError, ValueError, TypeError) as exc:
            return Unresolved(span, f"cannot read {node.tag} value: {exc}", text=str(node.value))
        if isinstance(resolved, Unresolved):
            return resolved
        located = Located(resolved, span)
        self.doc.raw_ranges[id(located)] = (node.start_mark.index, node.end_mark.index)
        return located

    def _resolve(self, node: Node) -> object:
        """The scalar's Python value, by tag, with the safe loader's rules."""
        tag = node.tag
        if self.json_mode and not getattr(node, "style", None):
            # Plain JSON scalars follow JSON rules: ``1e-05`` is a float in JSON but
            # a string in YAML 1.1.
            try:
                return json.loads(node.value)
            except ValueError:
                pass
        if tag in _KEEP_AS_TEXT:
            return str(node.value)
        if tag in (_INT, _FLOAT, _BOOL, _NULL):
            return SafeConstructor.yaml_constructors[tag](_SAFE, node)
        return Unresolved(span_of(node), f"unsupported YAML tag {tag}", text=str(node.value))

    def _sequence(self, node: SequenceNode, depth: int) -> Located:
        items: list[Value] = []
        located = Located(items, span_of(node), container="list")
        items.extend(self.convert(child, depth + 1) for child in node.value)
        return located

    def _mapping(self, node: MappingNode, depth: int) -> Value:
        values: dict[str, Value] = {}
        key_spans: dict[str, Span] = {}
        span = span_of(node)
        located = Located(values, span, container="dict", key_spans=key_spans)
        explicit: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge_into(value_node, values, key_spans, depth)
            else:
                explicit.append((key_node, value_node))
        seen: dict[str, Span] = {}
        for key_node, value_node in explicit:
            if not isinstance(key_node, ScalarNode):
                continue  # complex keys: no tool config uses them
            name = str(key_node.value)
            key_span = span_of(key_node)
            if name in seen:
                self.doc.duplicates.append(DuplicateKey(name, seen[name], key_span, span))
            seen[name] = key_span
            values[name] = self.convert(value_node, depth + 1)
            key_spans[name] = key_span
        return located

    def _merge_into(
        self, value_node: Node, values: dict[str, Value], key_spans: dict[str, Span], depth: int
    ) -> None:
        """Apply ``<<: *base`` / ``<<: [*a, *b]``: earlier sources win, explicit keys win."""
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for source in reversed(sources):
            merged = self.convert(source, depth + 1)
            if not (isinstance(merged, Located) and merged.container == "dict"):
                self.problems.append(
                    ("expected a mapping or list of mappings for merging", span_of(source))
                )
                continue
            assert isinstance(merged.value, dict)
            for name, item in merged.value.items():
                values[name] = item
                key_spans[name] = (merged.key_spans or {}).get(name, merged.span)


def _error_span(exc: yaml.YAMLError, text: str) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return Span.point(mark.line + 1, mark.column + 1)
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return point_at(text, position)
    return Span.point()


def point_at(text: str, index: int) -> Span:
    """1-based position of a character offset (lines split at ``\\n``)."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Span.point(line, column)


def yaml_error_message(exc: yaml.YAMLError) -> str:
    """``invalid YAML: <problem> <context>`` without PyYAML's multi-line mark dump."""
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [exc.problem or "syntax error"]
        if exc.context:
            parts.append(exc.context)
            if exc.context_mark is not None:
                parts.append(f"(started at line {exc.context_mark.line + 1})")
        return "invalid YAML: " + " ".join(parts)
    return f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def _compose(text: str) -> Iterator[Node]:
    return yaml.compose_all(text, Loader=LOADER)


def load_yaml(source: str, path: str, *, json_mode: bool = False) -> ParsedFile:
    """Compose every document of ``source``; a syntax error becomes LL000 at its mark.

    Documents before the error are kept: they were readable and are still worth checking.
    """
    text = strip_bom(source)
    parsed = ParsedFile(path)
    try:
        for index, node in enumerate(_compose(text)):
            parsed.documents.append(_document(node, index, text, json_mode, parsed))
    except yaml.YAMLError as exc:
        parsed.findings.append(
            unreadable_input(path, yaml_error_message(exc), _error_span(exc, text))
        )
    return parsed


def _document(node: Node, index: int, text: str, json_mode: bool, parsed: ParsedFile) -> Document:
    document = Document(root=None, index=index, text=text)
    converter = _Converter(document, json_mode)
    document.root = converter.convert(node)
    for message, span in converter.problems:
        parsed.findings.append(unreadable_input(parsed.path, f"invalid YAML: {message}", span))
    return document


# --- JSON ---------------------------------------------------------------------------


def load_json(source: str, path: str) -> ParsedFile:
    """Check ``source`` with :func:`json.loads`, then build the positioned tree.

    ``json.loads`` is the gate because YAML accepts things JSON tools reject
    (trailing commas in flow collections). Positions come from PyYAML's composer
    (fast, C) and, when it chokes on valid JSON (tabs, odd escapes), from a
    small positioned JSON reader.
    """
    text = strip_bom(source)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        message, span = json_error(text, exc)
        return ParsedFile(path, findings=[unreadable_input(path, message, span)])
    except (ValueError, RecursionError) as exc:
        return ParsedFile(path, findings=[unreadable_input(path, f"invalid JSON: {exc}")])
    parsed = load_yaml(text, path, json_mode=True)
    if not parsed.findings:
        return parsed
    try:
        return ParsedFile(path, documents=[read_json_positioned(text)])
    except (ValueError, IndexError, RecursionError) as exc:
        return ParsedFile(path, findings=[unreadable_input(path, f"invalid JSON: {exc}")])


def read_json_positioned(text: str) -> Document:
    """The positioned tree of JSON text that ``json.loads`` accepts (no PyYAML involved)."""
    document = Document(root=None, text=text)
    document.root = _JsonReader(text, document).read()
    return document


def json_error(text: str, exc: json.JSONDecodeError) -> tuple[str, Span]:
    """Name the two usual culprits (comments, trailing commas) instead of 'Expecting value'."""
    pos = exc.pos
    if text.startswith(("//", "/*"), pos):
        return (
            "invalid JSON: comments are not allowed in JSON (PEFT and the tools read it "
            "with json.load)",
            Span.point(exc.lineno, exc.colno),
        )
    before = text[:pos].rstrip()
    if before.endswith(",") and text[pos : pos + 1] in ("}", "]"):
        comma = point_at(text, len(before) - 1)
        return (
            "invalid JSON: trailing comma before "
            f"'{text[pos]}' (JSON does not allow it; json.load fails)",
            Span(comma.line, comma.column, comma.line, comma.column + 1),
        )
    return f"invalid JSON: {exc.msg}", Span.point(exc.lineno, exc.colno)


_WS = re.compile(r"[ \t\n\r]*")


class _JsonReader:
    """A positioned reader for JSON that ``json.loads`` accepted but PyYAML did not."""

    def __init__(self, text: str, document: Document) -> None:
        self.text = text
        self.doc = document

    def read(self) -> Value:
        value, _ = self._value(self._skip(0), 0)
        return value

    def _skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def _span(self, start: int, end: int) -> Span:
        first, last = point_at(self.text, start), point_at(self.text, end)
        return Span(first.line, first.column, last.line, last.column)

    def _value(self, pos: int, depth: int) -> tuple[Value, int]:
        if depth > MAX_DEPTH:
            raise ValueError("nesting too deep to analyse")
        char = self.text[pos]
        if char == "{":
            return self._object(pos, depth)
        if char == "[":
            return self._array(pos, depth)
        if char == '"':
            string, end = _scanstring(self.text, pos + 1)
            return self._scalar(string, pos, end), end
        for word, constant in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, pos):
                return self._scalar(constant, pos, pos + len(word)), pos + len(word)
        for word, number in (("NaN", float("nan")), ("Infinity", float("inf"))):
            if self.text.startswith(word, pos):
                return self._scalar(number, pos, pos + len(word)), pos + len(word)
        if self.text.startswith("-Infinity", pos):
            return self._scalar(float("-inf"), pos, pos + 9), pos + 9
        match = NUMBER_RE.match(self.text, pos)
        if match is None:
            raise ValueError(f"unexpected character {char!r}")
        return self._scalar(json.loads(match.group(0)), pos, match.end()), match.end()

    def _scalar(self, value: object, start: int, end: int) -> Located:
        located = Located(value, self._span(start, end))
        self.doc.raw_ranges[id(located)] = (start, end)
        return located

    def _array(self, start: int, depth: int) -> tuple[Located, int]:
        items: list[Value] = []
        pos = self._skip(start + 1)
        while self.text[pos] != "]":
            item, pos = self._value(pos, depth + 1)
            items.append(item)
            pos = self._skip(pos)
            if self.text[pos] == ",":
                pos = self._skip(pos + 1)
        return Located(items, self._span(start, pos + 1), container="list"), pos + 1

    def _object(self, start: int, depth: int) -> tuple[Located, int]:
        values: dict[str, Value] = {}
        key_spans: dict[str, Span] = {}
        firsts: dict[str, Span] = {}
        pending: list[tuple[str, Span, Span]] = []
        pos = self._skip(start + 1)
        while self.text[pos] != "}":
            key, key_end = _scanstring(self.text, pos + 1)
            key_span = self._span(pos, key_end)
            pos = self._skip(self._skip(key_end) + 1)  # past ':'
            value, pos = self._value(pos, depth + 1)
            if key in firsts:
                pending.append((key, firsts[key], key_span))
            firsts[key] = key_span
            values[key], key_spans[key] = value, key_span
            pos = self._skip(pos)
            if self.text[pos] == ",":
                pos = self._skip(pos + 1)
        span = self._span(start, pos + 1)
        self.doc.duplicates.extend(DuplicateKey(k, a, b, span) for k, a, b in pending)
        return Located(values, span, container="dict", key_spans=key_spans), pos + 1
