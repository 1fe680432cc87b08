"""Making text from the linted repository safe to print and to serialize.

File names, targets and model ids come from files lora-lint does not control.
Two hazards, one helper each:

* :func:`printable` for human output (text, GitHub workflow commands): control
  characters (ESC, BEL, CR, LF...), bidirectional overrides, line separators and
  lone surrogates are shown as Python escapes (``\\x1b``, ``\\n``, ``\\u202e``),
  as targets already are (they are quoted with ``repr`` in messages). A file
  named ``a\\x1b]0;title\\x07.yaml`` can then neither retitle the terminal nor
  forge an extra finding line.
* :func:`json_safe` for machine output (JSON, JSON lines, SARIF, GitLab): a lone
  surrogate (a Python string such as ``"\\ud800"`` in a target list) cannot be
  encoded as UTF-8, so it is replaced by its escape text; every other character
  is kept as is (JSON represents control characters itself).
"""

from __future__ import annotations

import unicodedata

#: Format characters that reorder or hide text (Trojan-source style), besides the Cc/Cs classes.
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


def _escape(ch: str) -> str:
    return repr(ch)[1:-1] if ch != "\\" else ch


def printable(text: str) -> str:
    """``text`` with every control, bidi-override or surrogate character escaped."""
    if text.isprintable():  # the common case: nothing to do (space counts as printable)
        return text
    out = []
    for ch in text:
        if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def utf8_safe(text: str) -> str:
    """``text`` with lone surrogates replaced by their ``\\udXXX`` escape text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def json_safe(value: object) -> object:
    """``value`` (JSON-like: dicts, lists, scalars) with every string made UTF-8 encodable."""
    if isinstance(value, str):
        return utf8_safe(value)
    if isinstance(value, dict):
        return {utf8_safe(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
