"""Human output: ``path:line:col: CODE [severity] message`` plus a ``help:`` line.

Colour only on a terminal and never when ``NO_COLOR`` is set; ANSI codes are
written by hand here because this is the warm path and rich costs an import.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import TextIO

from lora_lint.diagnostics import Finding, Severity
from lora_lint.engine import RunResult

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def fixable(f: Finding, unsafe_fixes: bool = False) -> bool:
    """Whether ``--fix`` (with ``--unsafe-fixes`` when given) would fix ``f``."""
    return f.fix is not None and (f.fix.applicability == "safe" or unsafe_fixes)


def format_finding(f: Finding, colour: bool = False, unsafe_fixes: bool = False) -> str:
    where = f"{f.path}:{f.span.line}:{f.span.column}"
    if f.location_hint:
        where += f" ({f.location_hint})"
    mark = f" {_paint('[*]', '36', colour)}" if fixable(f, unsafe_fixes) else ""
    head = (
        f"{_paint(where, '1', colour)}: {_paint(f.code, '1', colour)}{mark} "
        f"[{_paint(f.severity.value, _COLOURS[f.severity], colour)}] {f.message}"
    )
    lines = [head]
    if f.help:
        lines.append(f"  {_paint('help', '36', colour)}: {f.help}")
    return "\n".join(lines)


def summary_line(result: RunResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    if not result.findings:
        return (
            f"All checks passed: {len(result.configs)} LoRA config"
            f"{'s' if len(result.configs) != 1 else ''} in {result.files_checked} files."
        )
    parts = [
        f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    return (
        f"Found {', '.join(parts)} in {len(result.configs)} LoRA config"
        f"{'s' if len(result.configs) != 1 else ''} ({result.files_checked} files checked)."
    )


def packs_note(result: RunResult) -> str | None:
    """Say so when module inventories came from the shipped packs (light install)."""
    if not result.models_from_packs or result.libraries.get("source") != "packs":
        return None
    versions = ", ".join(f"{k} {v}" for k, v in result.libraries.items() if k != "source")
    return (
        f"Module inventories from lora-lint's packs ({versions}); "
        "install `lora-lint[meta]` to check with your own versions and any model."
    )


def fix_hint(result: RunResult, unsafe_fixes: bool = False) -> str | None:
    """``[*] 2 fixable with `--fix`.`` and how many unsafe fixes ``--unsafe-fixes`` would add."""
    available = sum(fixable(f, unsafe_fixes) for f in result.findings)
    hidden = sum(f.fix is not None and not fixable(f, unsafe_fixes) for f in result.findings)
    plural = "es" if hidden != 1 else ""
    extra = f"{hidden} hidden fix{plural} can be enabled with `--unsafe-fixes`" if hidden else ""
    if available:
        option = "`--fix --unsafe-fixes`" if unsafe_fixes else "`--fix`"
        return f"[*] {available} fixable with {option}" + (f" ({extra})." if extra else ".")
    return f"No fixes available ({extra})." if extra else None


def write_text(
    result: RunResult, stream: TextIO, *, quiet: bool = False, unsafe_fixes: bool = False
) -> None:
    colour = use_colour(stream)
    for finding in result.findings:
        stream.write(format_finding(finding, colour, unsafe_fixes) + "\n")
    if not quiet:
        if result.findings:
            stream.write("\n")
        stream.write(summary_line(result) + "\n")
        hint = fix_hint(result, unsafe_fixes)
        if hint:
            stream.write(hint + "\n")
        source = packs_note(result)
        if source:
            stream.write(source + "\n")
