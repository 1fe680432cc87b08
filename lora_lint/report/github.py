"""GitHub Actions workflow commands (``--format github``): one annotation per finding.

``::error file=P,line=L,col=C,endLine=L,endColumn=C,title=lora-lint (LL001)::message``
makes the runner attach the finding to the line in the pull request's diff, with
no upload step and no permissions. Severity maps to the command (error ->
``error``, warning -> ``warning``, info -> ``notice``).

Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the
message ``%``, CR and LF become ``%25``, ``%0D``, ``%0A`` (so a multi-line message
stays one command); in property values ``:`` and ``,`` are escaped as well, so a
path such as ``a,b.yaml`` cannot split the property list. ``col``/``endColumn``
are left out when the finding spans several lines, because GitHub then
misplaces the annotation (ruff #22074).
"""

from __future__ import annotations

from typing import TextIO

from lora_lint.diagnostics import Finding, Severity
from lora_lint.report import message_text
from lora_lint.report.safe import printable
from lora_lint.results import RunResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after ``::``).

    The runner's own escapes first (``%``, CR, LF); then every other control
    character (ESC, BEL...) is shown as a Python escape, as in text output, so a
    file name or value cannot send terminal sequences into the job log.
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_message(finding: Finding) -> str:
    """The annotation body: message, location hint and the help line, unescaped."""
    text = message_text(finding)
    note = finding.extra.get("model_note")
    if isinstance(note, str):
        text += f"\nnote: {note}"
    return text


def format_annotation(finding: Finding) -> str:
    """One ``::error ...::message`` line for ``finding``."""
    span = finding.span
    props = [("file", finding.path.replace("\\", "/")), ("line", str(span.line))]
    same_line = span.line == span.end_line
    if same_line:
        props.append(("col", str(span.column)))
    props.append(("endLine", str(span.end_line)))
    if same_line:
        props.append(("endColumn", str(max(span.end_column, span.column))))
    props.append(("title", f"lora-lint ({finding.code})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    command = COMMANDS.get(finding.severity, "error")
    return f"::{command} {rendered}::{escape_data(annotation_message(finding))}"


def write_github(
    result: RunResult, stream: TextIO, *, quiet: bool = False, clean_summary: bool = True
) -> None:
    """Every finding as an annotation, then (unless ``quiet``) the summary line for the log."""
    for finding in result.findings:
        stream.write(format_annotation(finding) + "\n")
    if not quiet and (result.findings or clean_summary):
        from lora_lint.report.text import summary_line

        stream.write(summary_line(result) + "\n")
