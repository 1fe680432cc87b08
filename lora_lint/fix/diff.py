"""``--diff``: the fixes as a unified diff (``--- path`` / ``+++ path``), nothing written."""

from __future__ import annotations

import difflib

from lora_lint.lineindex import NEWLINE, split_keepends

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, old: str, new: str, context: int = 3) -> str:
    """A ``git apply``/``patch``-compatible diff of one file ('' when nothing changed).

    Lines end at ``\\n`` only, as ``patch`` and git count them (``str.splitlines`` would
    also cut at ``\\x0c`` or U+2028 and emit lines without a newline).
    """
    if old == new:
        return ""
    lines = difflib.unified_diff(
        split_keepends(old, NEWLINE),
        split_keepends(new, NEWLINE),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=context,
    )
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # the last line of a file without a final newline
            out.append(line + "\n" + _NO_NEWLINE)
    return "".join(out)
