"""The positioned tree of a YAML or JSON file, and the one positioned JSON reader.

:func:`decode_json_fragment` is the one way from the characters of a JSON string to
where each is written (the notebook front end and the fixer both need it).

:class:`Document` is what the YAML loader composes and what :class:`JsonReader`
reads; it does not import PyYAML, so the notebook front end (which reads its JSON
here) does not either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from json.scanner import NUMBER_RE

from lora_lint.diagnostics import Span
from lora_lint.extract.types import Located, Unresolved, Value
from lora_lint.lineindex import LineIndex

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


def read_json_positioned(text: str) -> Document:
    """The positioned tree of JSON text that ``json.loads`` accepts (no PyYAML involved)."""
    document = Document(root=None, text=text)
    document.root = JsonReader(text, document).read()
    return document


_WS = re.compile(r"[ \t\n\r]*")


class JsonReader:
    """A positioned reader for JSON text that ``json.loads`` accepts.

    Used for the JSON files PyYAML's composer chokes on (tabs, odd escapes) and for
    notebooks; every value is a :class:`Located` and the raw range of every scalar
    is kept in :attr:`Document.raw_ranges`.
    """

    def __init__(self, text: str, document: Document) -> None:
        self.text = text
        self.doc = document
        self.lines = LineIndex(text)

    def read(self) -> Value:
        value, _ = self._value(self._skip(0), 0)
        return value

    def _skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def _span(self, start: int, end: int) -> Span:
        return self.lines.span(start, end)

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


# --- JSON string bodies ----------------------------------------------------------------

_JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


def decode_json_fragment(raw: str) -> tuple[str, list[int]] | None:
    """Decode characters written inside a JSON string (a notebook's cell source).

    Returns the text and, for each of its characters, the offset in ``raw`` where
    it is written, plus ``len(raw)``; ``None`` if ``raw`` leaves the string.
    """
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == '"' or char < " ":
            return None
        offsets.append(i)
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escape = raw[i + 1 : i + 2]
        if escape in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[escape])
            i += 2
            continue
        if escape != "u" or not re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6]):
            return None
        code = int(raw[i + 2 : i + 6], 16)
        i += 6
        low = raw[i + 2 : i + 6] if raw.startswith("\\u", i) else ""
        if 0xD800 <= code < 0xDC00 and re.fullmatch(r"[dD][c-fC-F][0-9a-fA-F]{2}", low):
            code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
            i += 6
        out.append(chr(code))
    offsets.append(len(raw))
    return "".join(out), offsets
