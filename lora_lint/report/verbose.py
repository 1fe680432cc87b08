"""``--verbose``: what a run used and how long it took, on stderr.

The settings file (or that none was found), the project root and the cache, the
rules selected, then per config the model named, the model checked and how it was
found (a bundled config, the local Hugging Face cache, an alias...), and the time
each stage took. Meant for "why did lora-lint say that?", never for parsing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from lora_lint.report.safe import printable

if TYPE_CHECKING:
    from lora_lint.engine import Linter
    from lora_lint.results import RunResult


def verbose_lines(result: RunResult, linter: Linter) -> list[str]:
    settings = linter.settings
    config = str(settings.config_file) if settings.config_file else "none found (defaults)"
    lines = [
        f"settings: {printable(config)}",
        f"project root: {printable(str(settings.project_root))}",
        f"cache: {printable(str(linter.cache_dir)) if linter.cache_dir else 'disabled'}",
        f"rules: {', '.join(r.code for r in linter.rules)}",
        f"files checked: {result.files_checked}",
    ]
    for note in result.model_notes:
        where = f"{printable(note.path)}:{note.line}"
        named = printable(note.requested) if note.requested else "-"
        if note.resolved:
            line = f"config {where}: model {named} -> {printable(note.resolved)} ({note.how})"
        else:
            line = f"config {where}: model {named}: {printable(note.how)}"
        if note.note:
            line += f"; {printable(note.note)}"
        lines.append(line)
    for summary in result.configs:
        where = f"{printable(summary.path)}:{summary.line}"
        if summary.tool_note:  # the verdict includes what the training tool does first
            lines.append(f"config {where}: {printable(summary.tool_note)}")
        if not summary.checked and summary.not_checked:
            lines.append(f"config {where}: not checked: {printable(summary.not_checked)}")
    lines.append(f"models built this run: {result.models_built}")
    timings = result.timings
    if timings:
        parts = ", ".join(
            f"{stage} {timings[stage]:.2f}s"
            for stage in ("extract", "models", "rules", "total")
            if stage in timings
        )
        lines.append(f"timings: {parts}")
    return lines


def write_verbose(result: RunResult, linter: Linter, stream: TextIO) -> None:
    for line in verbose_lines(result, linter):
        stream.write(f"lora-lint: {line}\n")
