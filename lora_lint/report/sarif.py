"""``--format sarif``: one SARIF 2.1.0 log, for GitHub code scanning and other viewers.

What GitHub needs and this module guarantees (tests validate against the
official OASIS schema shipped in ``tests/data``):

* stable ``ruleId`` (the rule code) and a ``ruleIndex`` into ``tool.driver.rules``,
  which lists *every* rule (not only those that fired), each with its summary,
  description, full help (text and Markdown, from :mod:`lora_lint.docs`) and
  default level, so alerts show the rule docs;
* locations relative to the source root (``uriBaseId: "%SRCROOT%"``, POSIX
  separators, percent-encoded), because GitHub matches results to files by
  repository-relative path; files outside the root get an absolute ``file:``
  URI instead;
* ``partialFingerprints`` that do not depend on line numbers (rule, path, target
  and the message with positions stripped, plus an occurrence counter for
  identical findings in one file), so an alert survives edits above it instead
  of being closed and reopened;
* internal errors as ``toolExecutionNotifications`` with
  ``executionSuccessful: false``.

Columns are Unicode code points, 1-based, end exclusive -- SARIF's
``unicodeCodePoints`` column kind and lora-lint's :class:`Span` convention.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from lora_lint import __version__
from lora_lint.diagnostics import Finding, Severity
from lora_lint.report import message_text
from lora_lint.report.safe import json_safe
from lora_lint.results import RunResult
from lora_lint.rules import ALL_RULES, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/lora-lint/lora-lint"
HELP_URI = f"{INFORMATION_URI}#what-it-checks"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "loraLint/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

#: Positions that may appear inside a message ("line 12", "12:5"); stripped for fingerprints.
_POSITIONS = re.compile(r"\b(?:line|column|col)s? \d+\b|\b\d+:\d+\b", re.IGNORECASE)


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """``reportingDescriptor`` for one rule: id, name, descriptions, help, default level."""
    from lora_lint.docs import rule_markdown, section

    markdown = rule_markdown(rule)
    full = section(rule, "What it does") or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(full.split())},
        "help": {"text": markdown, "markdown": markdown},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["lora", "peft"], "fix": rule.fix},
    }


def artifact_location(path: str, root: Path) -> dict[str, Any]:
    """Relative ``uri`` + ``uriBaseId`` when ``path`` is under ``root``, else a file URI."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(os.path.abspath(root))
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(PurePosixPath(*rel.parts).as_posix(), safe="/"), "uriBaseId": SRCROOT}


def base_fingerprint(finding: Finding, uri: str) -> str:
    """Hash of what identifies a finding independently of where in the file it sits."""
    message = " ".join(_POSITIONS.sub("", finding.message).split())
    payload = "\0".join((finding.code, uri, finding.target or "", message))
    # surrogatepass: a lone surrogate in a target (a Python "\ud800") still hashes stably.
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _region(finding: Finding) -> dict[str, int]:
    span = finding.span
    start = (max(span.line, 1), max(span.column, 1))
    end = max(start, (span.end_line, span.end_column))
    return {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}


def _fix(finding: Finding, location: dict[str, Any]) -> dict[str, Any]:
    """SARIF ``fix``: the edits of ``finding.fix``; ``properties.applicability`` is
    ``safe`` or ``unsafe`` (applied by ``--fix`` only with ``--unsafe-fixes``)."""
    assert finding.fix is not None
    replacements = []
    for edit in finding.fix.edits:
        span = edit.span
        region = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
        replacement: dict[str, Any] = {"deletedRegion": region}
        if edit.replacement:
            replacement["insertedContent"] = {"text": edit.replacement}
        replacements.append(replacement)
    return {
        "description": {"text": finding.fix.message},
        "artifactChanges": [{"artifactLocation": location, "replacements": replacements}],
        "properties": {"applicability": finding.fix.applicability},
    }


def sarif_log(
    result: RunResult,
    *,
    root: Path | None = None,
    rules: Sequence[type[Rule]] = ALL_RULES,
) -> dict[str, Any]:
    """The whole SARIF document for ``result``; paths are made relative to ``root`` (cwd)."""
    root = Path(os.path.abspath(root or Path.cwd()))
    index = {rule.code: i for i, rule in enumerate(rules)}
    seen: Counter[str] = Counter()
    results: list[dict[str, Any]] = []
    for finding in result.findings:
        location = artifact_location(finding.path, root)
        base = base_fingerprint(finding, location["uri"])
        seen[base] += 1
        entry: dict[str, Any] = {"ruleId": finding.code}
        if finding.code in index:
            entry["ruleIndex"] = index[finding.code]
        entry["level"] = LEVELS.get(finding.severity, "error")
        entry["message"] = {"text": message_text(finding, "Help")}
        entry["locations"] = [
            {"physicalLocation": {"artifactLocation": location, "region": _region(finding)}}
        ]
        entry["partialFingerprints"] = {FINGERPRINT_KEY: f"{base}:{seen[base]}"}
        if finding.fix is not None:
            entry["fixes"] = [_fix(finding, location)]
        properties: dict[str, Any] = {"name": finding.name}
        if finding.target is not None:
            properties["target"] = finding.target
        if finding.suggestion:
            properties["suggestions"] = list(finding.suggestion)
        if finding.model:
            properties["model"] = finding.model
        if finding.location_hint:
            properties["locationHint"] = finding.location_hint
        entry["properties"] = properties
        results.append(entry)
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": line}} for line in result.errors
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "lora-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(result: RunResult, stream: TextIO, *, root: Path | None = None) -> None:
    json.dump(json_safe(sarif_log(result, root=root)), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
