"""Reporters: one module per output format, all reading the same :class:`RunResult`.

:func:`write_report` is the single dispatcher the CLI uses. Each format module
is imported only when chosen, so the text path (the common, warm one) pays for
nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from lora_lint.diagnostics import Finding
    from lora_lint.results import RunResult

FORMATS = ("text", "json", "json-lines", "sarif", "github", "gitlab")


def message_text(finding: Finding, help_label: str | None = "help") -> str:
    """The message, ``(location hint)`` after it, then ``<help_label>: help`` on its own
    line (left out with ``help_label=None``): the body the annotation formats share."""
    text = finding.message
    if finding.location_hint:
        text += f" ({finding.location_hint})"
    if finding.help and help_label is not None:
        text += f"\n{help_label}: {finding.help}"
    return text


def default_format(environ: Mapping[str, str] | None = None) -> str:
    """``github`` inside GitHub Actions (``GITHUB_ACTIONS=true``), else ``text``.

    Annotations are what a user wants to see in a workflow run; everywhere else
    the human format is the right default. An explicit ``--format`` always wins.
    """
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def write_report(
    result: RunResult,
    fmt: str,
    stream: TextIO,
    *,
    quiet: bool = False,
    statistics: bool = False,
    root: Path | None = None,
    stats_stream: TextIO | None = None,
    unsafe_fixes: bool = False,
    colour: bool | None = None,
    clean_summary: bool = True,
) -> None:
    """Write ``result`` to ``stream`` in ``fmt``.

    With ``statistics``, text/json/json-lines print the per-rule counts *instead
    of* the findings (as ruff does); sarif, github and gitlab still write their full
    document to ``stream`` (a truncated SARIF file or missing annotations would
    be worse) and the counts table goes to ``stats_stream`` (stderr in the CLI).
    ``root`` is the directory SARIF paths are relative to (default: cwd).
    ``unsafe_fixes`` counts unsafe fixes as available in text output (``[*]``).
    ``colour`` forces ANSI colour on or off in text output (None: decide from the
    stream and the environment). ``clean_summary=False`` prints no "All checks
    passed" line for a clean run (pre-commit merges the output of parallel batches).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if statistics:
        from lora_lint.report.statistics import write_statistics

        if fmt in ("text", "json", "json-lines"):
            write_statistics(result, stream, fmt=fmt, quiet=quiet or not clean_summary)
            return
        if stats_stream is not None:
            write_statistics(result, stats_stream, fmt="text", quiet=True)
    if fmt == "json":
        from lora_lint.report.json_format import write_json

        write_json(result, stream)
    elif fmt == "json-lines":
        from lora_lint.report.json_lines import write_json_lines

        write_json_lines(result, stream)
    elif fmt == "sarif":
        from lora_lint.report.sarif import write_sarif

        write_sarif(result, stream, root=root)
    elif fmt == "github":
        from lora_lint.report.github import write_github

        write_github(result, stream, quiet=quiet, clean_summary=clean_summary)
    elif fmt == "gitlab":
        from lora_lint.report.gitlab import write_gitlab

        write_gitlab(result, stream)
    else:
        from lora_lint.report.text import write_text

        write_text(
            result,
            stream,
            quiet=quiet,
            unsafe_fixes=unsafe_fixes,
            colour=colour,
            clean_summary=clean_summary,
        )


__all__ = ["FORMATS", "default_format", "write_report"]
