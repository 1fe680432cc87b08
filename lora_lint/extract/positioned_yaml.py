"""Compose YAML/JSON into a positioned tree of :class:`Located` values.

We never *construct* Python objects from the document (no ``yaml.load``): the
file is only composed into nodes, which keeps every value's marks, lets us see
duplicate keys that ``safe_load`` silently drops, and cannot run arbitrary
constructors. Scalars are then resolved here from their tag with PyYAML's safe
constructor semantics (YAML 1.1: ``yes``/``on`` are booleans, ``0o17`` is an
int, ...), so values match what the tools themselves read.

PyYAML marks are 0-based line and column and ``index`` is a character offset;
:class:`Span` is 1-based and end-exclusive, so every conversion adds one. Lines
are split at ``\r\n``, ``\r`` and ``\n`` only, as everywhere in lora-lint: when
a document holds one of the other breaks YAML 1.1 knows (U+0085, U+2028,
U+2029), positions are computed from the marks' character offsets instead.

Hostile input is refused with LL000 before it can hurt: documents nested deeper
than :data:`MAX_COMPOSE_DEPTH` (libyaml's composer recurses in C and overflows
the stack past ~20,000 levels) and documents whose aliases expand to more than
:data:`MAX_EXPANDED_VALUES` values (a "billion laughs" alias bomb: shared nodes
are converted once, but every consumer walks the expanded tree).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lora_lint.diagnostics import Finding, Span, unreadable_input
from lora_lint.extract.positioned import (
    MAX_DEPTH,
    Document,
    DuplicateKey,
    read_json_positioned,
)
from lora_lint.extract.types import Located, Unresolved, Value
from lora_lint.lineindex import LineIndex

#: The C loader is ~3x faster; marks are identical (checked in the reference notes).
LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MERGE, _MAP, _SEQ, _OMAP, _SET = (_TAG + t for t in ("merge", "map", "seq", "omap", "set"))
#: Collection tags the safe loader constructs; any other (``!!python/object``, ``!include``)
#: makes ``yaml.safe_load`` fail, so the value is left unresolved.
_COLLECTION_TAGS = frozenset({_MAP, _SEQ, _OMAP, _SET, _TAG + "pairs"})
#: Tags whose value we keep as the string written (what a tool would compare or print).
_KEEP_AS_TEXT = frozenset({_STR, _TAG + "timestamp", _TAG + "binary", _TAG + "value", "!"})
_SAFE = SafeConstructor()
#: Deeper documents are not composed at all (libyaml's composer would crash on them).
MAX_COMPOSE_DEPTH = 1000
#: Values a document may hold once every alias is expanded.
MAX_EXPANDED_VALUES = 100_000

#: Line breaks of YAML 1.1 that lora-lint (like editors and git) does not count as such.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
#: Every nesting level of a YAML document is opened by one of these characters.
_NESTING_CHARS = "[{-:?"


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

    def __init__(self, document: Document, json_mode: bool, lines: LineIndex | None) -> None:
        self.doc = document
        self.json_mode = json_mode
        self.memo: dict[int, Value] = {}
        self.active: set[int] = set()
        self.problems: list[tuple[str, Span]] = []
        #: Set when the marks' lines cannot be used (the text has other YAML line breaks).
        self.lines = lines
        self.size = len(document.text)

    def span(self, node: Node) -> Span:
        """The node's span; from the marks' offsets when their lines cannot be trusted.

        libyaml puts a mark at the very end of a text without a final line break on a
        line of its own (one past the last), so those are recomputed too.
        """
        if self.lines is None and node.end_mark.index < self.size:
            return span_of(node)
        if self.lines is None:
            self.lines = LineIndex(self.doc.text)
        return self.lines.span(node.start_mark.index, node.end_mark.index)

    def convert(self, node: Node, depth: int = 0) -> Value:
        key = id(node)
        if key in self.active:  # an alias to a collection that contains it
            return Unresolved(self.span(node), "recursive YAML alias", text="*alias")
        if key in self.memo:  # aliases share the converted value (no alias-bomb blow-up)
            return self.memo[key]
        if depth > MAX_DEPTH:
            return Unresolved(self.span(node), "nesting too deep to analyse")
        if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
            value: Value = Unresolved(self.span(node), f"unsupported YAML tag {node.tag}", node.tag)
            self.memo[key] = value
            return value
        self.active.add(key)
        try:
            if isinstance(node, MappingNode) and node.tag == _SET:
                value = self._set(node, depth)
            elif isinstance(node, MappingNode):
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
        span = self.span(node)
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
        return Unresolved(self.span(node), f"unsupported YAML tag {tag}", text=str(node.value))

    def _sequence(self, node: SequenceNode, depth: int) -> Located:
        items: list[Value] = []
        located = Located(items, self.span(node), container="list")
        items.extend(self.convert(child, depth + 1) for child in node.value)
        return located

    def _set(self, node: MappingNode, depth: int) -> Value:
        """``!!set {a, b}``: its keys are the members (PyYAML builds a Python set)."""
        items: list[Value] = []
        located = Located(items, self.span(node), container="set")
        items.extend(self.convert(key, depth + 1) for key, _ in node.value)
        return located

    def _mapping(self, node: MappingNode, depth: int) -> Value:
        values: dict[str, Value] = {}
        key_spans: dict[str, Span] = {}
        span = self.span(node)
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
            key_span = self.span(key_node)
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
                    ("expected a mapping or list of mappings for merging", self.span(source))
                )
                continue
            assert isinstance(merged.value, dict)
            for name, item in merged.value.items():
                values[name] = item
                key_spans[name] = (merged.key_spans or {}).get(name, merged.span)


def _error_span(exc: yaml.YAMLError, text: str) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        index = getattr(mark, "index", None)
        if isinstance(index, int) and 0 <= index <= len(text):
            return point_at(text, index)
        return Span.point(mark.line + 1, mark.column + 1)
    position = getattr(exc, "position", None)
    if isinstance(position, int):  # a ReaderError: libyaml counts UTF-8 bytes there
        if LOADER is not yaml.SafeLoader:
            head = text.encode("utf-8", "surrogatepass")[:position]
            position = len(head.decode("utf-8", "ignore"))
        return point_at(text, min(position, len(text)))
    return Span.point()


def point_at(text: str, index: int) -> Span:
    """1-based position of a character offset (lines split as :mod:`lora_lint.lineindex` does)."""
    return Span.point(*LineIndex(text).point(index))


def nesting_problem(text: str) -> Span | None:
    """Where ``text`` nests deeper than :data:`MAX_COMPOSE_DEPTH`, if it does.

    libyaml's parser is iterative, so its events are counted before anything is
    composed; the scan stops at the first level too deep, and is skipped when the
    text has too few nesting characters to get there.
    """
    if sum(text.count(c) for c in _NESTING_CHARS) <= MAX_COMPOSE_DEPTH:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_COMPOSE_DEPTH:
                    mark = event.start_mark
                    return point_at(text, mark.index) if mark is not None else Span.point()
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # composing stops at the same error, less deep than the limit
    return None


def _children(item: Value | None) -> list[Value]:
    inner = item.value if isinstance(item, Located) else None
    if isinstance(inner, dict):
        return list(inner.values())
    return inner if isinstance(inner, list) else []


def distinct_values(value: Value | None) -> int:
    """Values in the tree, each shared (aliased) value counted once."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) not in seen:
            seen.add(id(item))
            stack.extend(_children(item))
    return len(seen)


def alias_bomb(value: Value | None) -> bool:
    """Whether following the aliases adds more than :data:`MAX_EXPANDED_VALUES` values.

    A large file without aliases is not one: only the expansion counts.
    """
    limit = distinct_values(value) + MAX_EXPANDED_VALUES
    return expanded_size(value, limit) > limit


def expanded_size(value: Value | None, limit: int = MAX_EXPANDED_VALUES) -> int:
    """Values in the tree once aliases are expanded (shared values counted every time).

    Linear in the distinct values: each one's size is computed once. Stops counting
    past ``limit``.
    """
    sizes: dict[int, int] = {}

    def size(item: Value | None) -> int:
        key = id(item)
        if key in sizes:
            return sizes[key]
        total = 1
        for child in _children(item):
            total += size(child)
            if total > limit:
                break
        sizes[key] = total
        return total

    return size(value)


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
    deep = nesting_problem(text)
    if deep is not None:
        parsed.findings.append(
            unreadable_input(
                path, f"nested more than {MAX_COMPOSE_DEPTH} levels deep; not checked", deep
            )
        )
        return parsed
    lines = LineIndex(text) if any(b in text for b in _OTHER_BREAKS) else None
    try:
        for index, node in enumerate(_compose(text)):
            document = _document(node, index, text, json_mode, parsed, lines)
            if alias_bomb(document.root):
                span = point_at(text, node.start_mark.index)
                parsed.findings.append(
                    unreadable_input(
                        path,
                        f"its aliases expand to more than {MAX_EXPANDED_VALUES:,} values "
                        "(an alias bomb?); this document is not checked",
                        span,
                    )
                )
                continue
            parsed.documents.append(document)
    except yaml.YAMLError as exc:
        parsed.findings.append(
            unreadable_input(path, yaml_error_message(exc), _error_span(exc, text))
        )
    return parsed


def _document(
    node: Node,
    index: int,
    text: str,
    json_mode: bool,
    parsed: ParsedFile,
    lines: LineIndex | None = None,
) -> Document:
    document = Document(root=None, index=index, text=text)
    converter = _Converter(document, json_mode, lines)
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
    except RecursionError:
        message = "JSON nested too deeply to analyse; not checked"
        return ParsedFile(path, findings=[unreadable_input(path, message)])
    except ValueError as exc:
        return ParsedFile(path, findings=[unreadable_input(path, f"invalid JSON: {exc}")])
    parsed = load_yaml(text, path, json_mode=True)
    if not parsed.findings:
        return parsed
    try:
        return ParsedFile(path, documents=[read_json_positioned(text)])
    except (ValueError, IndexError, RecursionError) as exc:
        return ParsedFile(path, findings=[unreadable_input(path, f"invalid JSON: {exc}")])


def json_error(text: str, exc: json.JSONDecodeError) -> tuple[str, Span]:
    """Name the two usual culprits (comments, trailing commas) instead of 'Expecting value'."""
    pos = exc.pos
    if text.startswith(("//", "/*"), pos):
        return (
            "invalid JSON: comments are not allowed in JSON (PEFT and the tools read it "
            "with json.load)",
            point_at(text, pos),
        )
    before = text[:pos].rstrip()
    if before.endswith(",") and text[pos : pos + 1] in ("}", "]"):
        comma = point_at(text, len(before) - 1)
        return (
            "invalid JSON: trailing comma before "
            f"'{text[pos]}' (JSON does not allow it; json.load fails)",
            Span(comma.line, comma.column, comma.line, comma.column + 1),
        )
    return f"invalid JSON: {exc.msg}", point_at(text, pos)
