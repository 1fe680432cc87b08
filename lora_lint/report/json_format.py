"""Machine output: one JSON document (``--format json``).

The schema is public (documented in the README) and versioned by its
``version`` key; every finding has exactly the keys of :func:`finding_dict`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TextIO

from lora_lint.diagnostics import Finding
from lora_lint.report.safe import json_safe
from lora_lint.results import RunResult

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, object]:
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "message": f.message,
        "target": f.target,
        "suggestion": list(f.suggestion),
        "model": f.model,
    }


def result_dict(result: RunResult) -> dict[str, object]:
    return {
        "version": SCHEMA_VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "configs": [asdict(c) for c in result.configs],
        "errors": list(result.errors),
        "libraries": dict(result.libraries),
    }


def write_json(result: RunResult, stream: TextIO) -> None:
    """The document, every string UTF-8 encodable (a lone surrogate becomes ``\\udXXX``)."""
    json.dump(json_safe(result_dict(result)), stream, indent=2)
    stream.write("\n")
