"""Where a string value is written verbatim inside the source of one literal.

A fix may only rewrite characters that *are* the value: the body of a plain
string literal written without escapes (``"v_prj"``, ``'v_prj'``, ``r"v_prj"``),
a plain YAML scalar, a piece of a comma-separated string. Anything else --
f-strings, bytes, escapes, implicit concatenation, multi-line scalars, YAML
anchors or tags in front of the value -- is refused, so the rest of the token
(prefix, quotes) is kept byte for byte.
"""

from __future__ import annotations

import re

#: One single-line Python string literal; bytes and f-strings are not matched.
PY_LITERAL = re.compile(r"(?P<prefix>[rRuU]?)(?P<quote>'''|\"\"\"|'|\")(?P<body>.*)(?P=quote)\Z")
#: What a fix may write: a module name (letters, digits, ``_``, ``.``, ``-``).
SAFE_NAME = re.compile(r"[\w.\-]+\Z")


def body_range(token: str, value: str, fmt: str, *, bare: bool) -> tuple[int, int] | None:
    """The ``[start, end)`` of ``value`` inside ``token``, when written there verbatim.

    ``bare`` allows the token to be the value itself (a YAML plain scalar, a shell
    word, a piece of a split string); in Python a bare token would be a name.
    """
    if not value or "\n" in token or "\r" in token:
        return None
    if token == value:
        return (0, len(token)) if bare else None
    if fmt in ("python", "notebook"):
        match = PY_LITERAL.match(token)
        if match is None:
            return None
        body, quote = match["body"], match["quote"]
        if body != value or "\\" in body or quote[0] in body:
            return None
        return match.start("body"), match.end("body")
    if len(token) >= 2 and token[0] in "'\"" and token[-1] == token[0]:
        body = token[1:-1]
        if body == value and "\\" not in body and token[0] not in body:
            return 1, len(token) - 1
    return None
