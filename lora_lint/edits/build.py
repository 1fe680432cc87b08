"""Turn what a rule wants changed into concrete edits of the file, or refuse.

Rules call these while linting: a finding gets a :class:`Fix` only when the
value sits in the file as a plain literal that can be edited without touching
anything else (see :mod:`lora_lint.edits.literals`). The file is read from disk
(cached by mtime and size): the same text the linter just read.

* :func:`replace_fix` rewrites the *body* of a string literal (``"v_prj"`` ->
  ``"v_proj"``: the quotes and prefix stay), a YAML/JSON scalar, or one piece of
  a comma-separated string (LLaMA-Factory's ``q_proj,v_prj``).
* :func:`remove_fix` deletes one element of a list together with the separator
  before it (``, "q_proj"``; ``\\n  - q_proj``) or, for a first element, after it.
  It refuses when a comment would be deleted or moved to another element.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lora_lint.diagnostics import Edit, Fix, Span
from lora_lint.edits import source
from lora_lint.edits.literals import SAFE_NAME, body_range
from lora_lint.extract.positioned import decode_json_fragment
from lora_lint.extract.types import Located, Unresolved
from lora_lint.lineindex import REPORTED

#: What may separate two list elements that a removal deletes, per front end.
_GAPS = {
    "python": re.compile(r"\s*,\s*"),
    "notebook": re.compile(r" *, *"),
    "json": re.compile(r"\s*,\s*"),
    "yaml": re.compile(r"\s*,\s*|[ \t]*(?:(?:\r\n|\r|\n)[ \t]*)+-[ \t]+"),
}


def body_span(src: source.SourceText, span: Span, value: str, *, bare: bool) -> Span | None:
    """The span of ``value``'s characters inside the literal at ``span``, if verbatim."""
    if span.line != span.end_line:
        return None
    raw = src.slice(span)
    if raw is None:
        return None
    offsets: list[int] | None = None
    token = raw
    if src.fmt == "notebook":
        decoded = decode_json_fragment(raw)
        if decoded is None:
            return None
        token, offsets = decoded
    rng = body_range(token, value, src.fmt, bare=bare or src.fmt in ("yaml", "json", "shell"))
    if rng is None:
        return None
    start, end = (offsets[rng[0]], offsets[rng[1]]) if offsets else rng
    if raw[start:end] != value:  # escaped in the notebook JSON: not verbatim
        return None
    return Span(span.line, span.column + start, span.line, span.column + end)


def replace_fix(
    path: str,
    item: Located,
    new: str,
    message: str,
    *,
    applicability: str = "unsafe",
    bare: bool = False,
) -> Fix | None:
    """Replace the string ``item`` (written in ``path``) by ``new``, keeping its quotes."""
    if not isinstance(item.value, str) or not SAFE_NAME.match(new) or new == item.value:
        return None
    src = source.cached(path)
    if src is None:
        return None
    body = body_span(src, item.span, item.value, bare=bare)
    if body is None:
        return None
    return Fix((Edit(body, new),), applicability, message)


def remove_fix(
    path: str,
    items: Sequence[Located | Unresolved],
    index: int,
    message: str,
    *,
    applicability: str = "safe",
    bare: bool = False,
) -> Fix | None:
    """Delete ``items[index]`` and one separator next to it from the list written in ``path``."""
    src = source.cached(path)
    if src is None or src.fmt not in _GAPS or not 0 <= index < len(items):
        return None
    item = items[index]
    if not _exact(src, item, bare) or any(
        other.span == item.span for j, other in enumerate(items) if j != index
    ):
        return None
    assert isinstance(item, Located)
    here = src.offsets(item.span)
    assert here is not None  # _exact checked it
    start, end = here
    gap_ok = _GAPS[src.fmt].fullmatch

    def neighbour(j: int) -> bool:
        """A neighbouring element written in the same file, as one exact literal."""
        if not 0 <= j < len(items):
            return False
        return items[j].path == item.path and _exact(src, items[j], bare)

    if neighbour(index - 1):
        previous = src.offsets(items[index - 1].span)
        if previous is not None and previous[1] <= start:
            gap = src.text[previous[1] : start]
            if gap_ok(gap) and not (REPORTED.search(gap) and _comment_after(src, end)):
                return Fix((Edit(src.span(previous[1], end), ""),), applicability, message)
    if neighbour(index + 1):
        following = src.offsets(items[index + 1].span)
        if following is not None and end <= following[0]:
            gap = src.text[end : following[0]]
            if gap_ok(gap) and not (REPORTED.search(gap) and _comment_before(src, start)):
                return Fix((Edit(src.span(start, following[0]), ""),), applicability, message)
    return None


def _exact(src: source.SourceText, item: Located | Unresolved, bare: bool) -> bool:
    """Whether ``item``'s span covers exactly one literal holding its string value."""
    return (
        isinstance(item, Located)
        and isinstance(item.value, str)
        and body_span(src, item.span, item.value, bare=bare) is not None
    )


def _comment_after(src: source.SourceText, offset: int) -> bool:
    """A comment on the rest of the line: joining lines would move it to another entry."""
    line, _ = src.position(offset)
    return "#" in src.text[offset : src.index.line_range(line)[1]]


def _comment_before(src: source.SourceText, offset: int) -> bool:
    line, _ = src.position(offset)
    return "#" in src.text[src.index.line_range(line)[0] : offset]
