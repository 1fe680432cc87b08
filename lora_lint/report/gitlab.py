"""``--format gitlab``: a GitLab Code Quality report (a JSON array of issues).

GitLab reads it from a job's ``artifacts:reports:codequality`` file and shows the
findings in the merge request widget and the diff. Each issue has the fields
GitLab documents for the format:

* ``description``: the message (with the rule code, so it reads alone);
* ``check_name``: the rule code;
* ``fingerprint``: a stable hash: GitLab compares reports of the source and target
  branches by fingerprint, so it must not change when lines move, and must differ
  between two findings of one rule in one file (the same position-free hash as
  SARIF's ``partialFingerprints``, with an occurrence counter);
* ``severity``: ``info``/``minor``/``major``/``critical``/``blocker``; lora-lint's
  error, warning and info map to ``major``, ``minor`` and ``info``;
* ``location.path`` (relative to the project directory, ``CI_PROJECT_DIR`` inside
  GitLab CI, else the working directory; POSIX separators) and
  ``location.lines.begin`` (1-based).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from lora_lint.diagnostics import Finding, Severity
from lora_lint.report import message_text
from lora_lint.report.safe import json_safe
from lora_lint.report.sarif import base_fingerprint
from lora_lint.results import RunResult

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def report_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators (as given when outside it)."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(os.path.abspath(root))
    except ValueError:
        return PurePosixPath(Path(path).as_posix()).as_posix()
    return PurePosixPath(*rel.parts).as_posix()


def issue(finding: Finding, path: str, fingerprint: str) -> dict[str, Any]:
    text = f"{finding.code} {message_text(finding, help_label=None)}"
    return {
        "description": text,
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": SEVERITIES.get(finding.severity, "major"),
        "location": {"path": path, "lines": {"begin": max(finding.span.line, 1)}},
    }


def gitlab_report(result: RunResult, *, root: Path | None = None) -> list[dict[str, Any]]:
    """The issues of ``result``, in the run's (deterministic) order."""
    if root is None:
        root = Path(os.environ.get("CI_PROJECT_DIR") or Path.cwd())
    seen: Counter[str] = Counter()
    issues = []
    for finding in result.findings:
        path = report_path(finding.path, root)
        base = base_fingerprint(finding, path)
        seen[base] += 1
        digest = hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()[:32]
        issues.append(issue(finding, path, digest))
    return issues


def write_gitlab(result: RunResult, stream: TextIO, *, root: Path | None = None) -> None:
    json.dump(json_safe(gitlab_report(result, root=root)), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
