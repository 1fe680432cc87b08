"""``lora-lint check --fix``: lint, apply the applicable fixes, write, re-lint.

One pass: lint every path; per file, take the findings whose fix is applicable
(safe ones always, unsafe ones with ``--unsafe-fixes``), drop fixes that
conflict (two findings on one entry wanting different things, or one of them
without a fix: e.g. a constant shared by configs of two models), keep the
non-overlapping rest in source order, apply them and validate the result
(:mod:`lora_lint.fix.apply`). A fix that fails validation is left out, the
others are kept. Files are written atomically (temporary file + ``os.replace``
in the same directory, file mode kept, UTF-8 with the original BOM and line
endings) and only when lora-lint itself checked them.

Then the same paths are linted again, so the findings reported are those of the
fixed files. A fix can enable another one (a misspelling corrected into a
duplicate that a safe fix then removes): passes repeat until nothing changes,
at most :data:`MAX_PASSES` times. With ``write=False`` (``--diff``) one pass is
made and nothing is written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lora_lint.diagnostics import Edit, Finding, Fix
from lora_lint.edits import source
from lora_lint.engine import Linter
from lora_lint.fix.apply import FixError, fixed_text
from lora_lint.paths import display_path
from lora_lint.results import RunResult

MAX_PASSES = 4


@dataclass
class FixReport:
    """What a fixing run did, and the findings that remain."""

    result: RunResult
    #: Findings resolved by an applied fix (over all passes).
    applied: list[Finding] = field(default_factory=list)
    #: path -> (text before the first fix, text after the last one).
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: One line per fix that was not applied because its result did not validate.
    skipped: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return len(self.applied)


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and (
        fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe")
    )


def run_fixes(
    linter: Linter, paths: Sequence[Path], *, unsafe: bool = False, write: bool = True
) -> FixReport:
    checked = {display_path(p) for p in linter.files(paths)}
    report = FixReport(linter.run(paths))
    history: dict[str, set[str]] = {}
    for _ in range(MAX_PASSES):
        progress = False
        for path, groups in plan(report.result.findings, unsafe).items():
            if path not in checked:
                continue
            outcome = _fix_file(path, groups, report)
            if outcome is None:
                continue
            src, new_text, resolved = outcome
            seen = history.setdefault(path, {src.text})
            if new_text in seen:  # a fix undoing an earlier one: stop here
                continue
            seen.add(new_text)
            if write:
                problem = _unwritable(path)
                if problem is None:
                    try:
                        write_atomic(path, src.encode(new_text))
                    except OSError as exc:
                        problem = f"cannot write it ({exc.strerror or exc})"
                if problem is not None:  # the findings stay reported, unfixed
                    report.skipped.append(f"{path}: {problem}; not fixed")
                    continue
                source.forget(path)
            report.applied.extend(resolved)
            before = report.changed.get(path, (src.text, ""))[0]
            report.changed[path] = (before, new_text)
            progress = True
        if not progress or not write:
            break
        report.result = linter.run(paths)
    return report


@dataclass
class _Group:
    """One fix and every finding it resolves (several configs may share one entry)."""

    fix: Fix
    findings: list[Finding]


def plan(findings: Sequence[Finding], unsafe: bool) -> dict[str, list[_Group]]:
    """Applicable, conflict-free fixes per file, in source order."""
    by_entry: dict[tuple[str, str, object], list[Finding]] = {}
    for finding in findings:
        by_entry.setdefault((finding.path, finding.code, finding.span), []).append(finding)
    groups: dict[str, dict[tuple[Edit, ...], _Group]] = {}
    for finding in findings:
        if not applicable(finding, unsafe):
            continue
        assert finding.fix is not None
        same = by_entry[(finding.path, finding.code, finding.span)]
        if any(other.fix != finding.fix for other in same):
            continue  # e.g. one config's model has a unique candidate, another's has not
        per_file = groups.setdefault(finding.path, {})
        group = per_file.setdefault(finding.fix.edits, _Group(finding.fix, []))
        group.findings.append(finding)
    plans: dict[str, list[_Group]] = {}
    for path, per_file in groups.items():
        ordered = sorted(per_file.values(), key=lambda g: min(e.span for e in g.fix.edits))
        chosen: list[_Group] = []
        for group in ordered:
            if not any(_overlap(group.fix, other.fix) for other in chosen):
                chosen.append(group)
        plans[path] = chosen
    return plans


def _overlap(a: Fix, b: Fix) -> bool:
    for x in a.edits:
        for y in b.edits:
            start_x, end_x = (x.span.line, x.span.column), (x.span.end_line, x.span.end_column)
            start_y, end_y = (y.span.line, y.span.column), (y.span.end_line, y.span.end_column)
            if start_x < end_y and start_y < end_x:
                return True
    return False


def _unwritable(path: str) -> str | None:
    """Why ``path`` must not be rewritten, or None. A file without write permission is
    left alone even where the OS would allow replacing it (root, a writable directory)."""
    try:
        mode = os.stat(os.path.realpath(path)).st_mode
    except OSError as exc:
        return f"cannot write it ({exc.strerror or exc})"
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        return "the file is read-only"
    return None


def _fix_file(
    path: str, groups: list[_Group], report: FixReport
) -> tuple[source.SourceText, str, list[Finding]] | None:
    """The file's fixed text (only fixes whose result validates) and the findings it
    resolves, or ``None``."""
    linted = source.seen(path)
    src = source.read(path)
    if src is None or (linted is not None and linted.text != src.text):
        report.skipped.append(f"{path}: changed while lora-lint was running; not fixed")
        return None
    edits = [edit for group in groups for edit in group.fix.edits]
    try:
        new_text = fixed_text(src, edits)
        accepted = groups
    except FixError:
        accepted, edits = [], []
        new_text = src.text
        for group in groups:  # one by one: keep every fix that validates
            try:
                candidate = fixed_text(src, [*edits, *group.fix.edits])
            except FixError as exc:
                first = group.findings[0]
                report.skipped.append(
                    f"{path}:{first.span.line}:{first.span.column}: {first.code} fix "
                    f"({group.fix.message}) not applied: {exc}"
                )
                continue
            accepted.append(group)
            edits.extend(group.fix.edits)
            new_text = candidate
    if not accepted or new_text == src.text:
        return None
    return src, new_text, [f for group in accepted for f in group.findings]


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file's content in one step (a reader never sees half a file).

    A symlink is followed (the link stays, its target is rewritten); the file's
    permission bits are kept.
    """
    real = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(real).st_mode)
    directory, name = os.path.split(real)
    fd, tmp = tempfile.mkstemp(dir=directory or ".", prefix=f".{name}.", suffix=".lora-lint")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
