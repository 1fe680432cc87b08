"""Human output: ``path:line:col: CODE [severity] message`` plus a ``help:`` line.

Colour follows ``--color`` (``auto``: only on a terminal, never when ``NO_COLOR``
is set, always when ``FORCE_COLOR`` is); ANSI codes are written by hand here
because this is the warm path and rich costs an import. Everything that comes
from the linted repository (file names, messages quoting it) goes through
:func:`lora_lint.report.safe.printable`, so it cannot forge lines or send
terminal escapes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from typing import TextIO

from lora_lint.diagnostics import Finding, Severity
from lora_lint.report.safe import printable
from lora_lint.results import NO_MODEL_BUILT, TOOL_NOTE, TOOL_NOTE_CONFIG, RunResult

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_colour(
    stream: TextIO, when: str = "auto", environ: Mapping[str, str] | None = None
) -> bool:
    """``--color``: ``always``/``never`` win; ``auto`` reads NO_COLOR, FORCE_COLOR, then the TTY."""
    if when == "always":
        return True
    if when == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files`` (``many`` for irregular plurals: ``fix`` -> ``fixes``)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def fixable(f: Finding, unsafe_fixes: bool = False) -> bool:
    """Whether ``f`` has a fix of the applicability ``--fix`` (``--unsafe-fixes``) applies."""
    return f.fix is not None and (f.fix.applicability == "safe" or unsafe_fixes)


def available_fixes(result: RunResult, unsafe_fixes: bool = False) -> set[int]:
    """``id()`` of the findings ``--fix`` would really fix in this run.

    Not every finding that carries a fix: ``--fix`` leaves out fixes that conflict
    (one entry shared by configs of two models that want different things), that
    overlap, or that lie in files this run did not check (a constant imported from
    a module that was not passed); and after ``--fix`` nothing applicable is left
    that it could still apply. Only what remains available is advertised.
    """
    attempted = result.fixes_attempted  # None, or the --unsafe-fixes flag of a --fix run
    candidates = {
        id(f)
        for f in result.findings
        if fixable(f, unsafe_fixes) and not (attempted is not None and fixable(f, attempted))
    }
    if not candidates:
        return set()
    from lora_lint.fix.runner import plan

    out: set[int] = set()
    for path, groups in plan(result.findings, unsafe_fixes).items():
        if result.checked_paths is not None and path not in result.checked_paths:
            continue
        for group in groups:
            out.update(id(f) for f in group.findings if id(f) in candidates)
    return out


def format_finding(
    f: Finding, colour: bool = False, unsafe_fixes: bool = False, *, mark: bool | None = None
) -> str:
    where = f"{printable(f.path)}:{f.span.line}:{f.span.column}"
    if f.location_hint:
        where += f" ({printable(f.location_hint)})"
    if mark is None:
        mark = fixable(f, unsafe_fixes)
    star = f" {_paint('[*]', '36', colour)}" if mark else ""
    head = (
        f"{_paint(where, '1', colour)}: {_paint(f.code, '1', colour)}{star} "
        f"[{_paint(f.severity.value, _COLOURS[f.severity], colour)}] {printable(f.message)}"
    )
    lines = [head]
    if f.help:
        lines.append(f"  {_paint('help', '36', colour)}: {printable(f.help)}")
    note = f.extra.get("model_note")
    if isinstance(note, str):
        lines.append(f"  {_paint('note', '36', colour)}: {printable(note)}")
    return "\n".join(lines)


def last_of_config(findings: list[Finding]) -> set[int]:
    """Indexes of the last finding of each config whose verdict depends on its training tool
    (the tool note goes once under that config's findings, not under each of them)."""
    last: dict[object, int] = {}
    for index, finding in enumerate(findings):
        if isinstance(finding.extra.get(TOOL_NOTE), str):
            last[finding.extra.get(TOOL_NOTE_CONFIG)] = index
    return set(last.values())


def format_tool_note(f: Finding, colour: bool = False) -> str:
    """``  tool: unsloth adds target_parameters=[...] for the MoE experts``."""
    note = str(f.extra.get(TOOL_NOTE, ""))
    return f"  {_paint('tool', '36', colour)}: {printable(note)}"


def summary_line(result: RunResult) -> str:
    """One line that cannot be misread: how many findings, in how many of the configs."""
    configs = len(result.configs)
    files = plural(result.files_checked, "file")
    if not result.findings:
        return f"All checks passed: {plural(configs, 'LoRA config')} in {files}."
    counts = Counter(f.severity for f in result.findings)
    found = ", ".join(
        plural(counts[s], s.value)
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    )
    affected = result.configs_with_findings
    others = result.other_files_with_findings
    if affected:
        where = f"in {affected} of {plural(configs, 'LoRA config')}"
        if others:
            where += f" and {plural(others, 'other file')}"
        return f"Found {found} {where} ({files} checked)."
    if others:
        where = f"in {plural(others, 'file')}"
        return f"Found {found} {where} ({plural(configs, 'LoRA config')}, {files} checked)."
    return f"Found {found} ({plural(configs, 'LoRA config')}, {files} checked)."


def coverage_line(result: RunResult, limit: int = 3) -> str | None:
    """How many configs were judged, and the models that would make the others checkable."""
    configs = result.configs
    checked = sum(1 for c in configs if c.checked)
    if not configs or checked == len(configs):
        return None
    line = f"{checked} of {plural(len(configs), 'LoRA config')} checked"
    missing = Counter(
        c.model for c in configs if not c.checked and c.model and c.not_checked == NO_MODEL_BUILT
    )
    if missing:
        names = ", ".join(f"{name} ({n})" for name, n in missing.most_common(limit))
        more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
        count = sum(missing.values())
        line += (
            f"; {count} need models that are not bundled or cached: {names}{more} "
            "(use --model, [tool.lora-lint] models, HF_TOKEN, or run online)"
        )
    return line + "."


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
    available = len(available_fixes(result, unsafe_fixes))
    hidden = 0
    if not unsafe_fixes:
        hidden = len(available_fixes(result, True)) - available
    extra = (
        f"{plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled with `--unsafe-fixes`"
        if hidden
        else ""
    )
    if available:
        option = "`--fix --unsafe-fixes`" if unsafe_fixes else "`--fix`"
        return f"[*] {available} fixable with {option}" + (f" ({extra})." if extra else ".")
    return f"No fixes available ({extra})." if extra else None


def write_text(
    result: RunResult,
    stream: TextIO,
    *,
    quiet: bool = False,
    unsafe_fixes: bool = False,
    colour: bool | None = None,
    clean_summary: bool = True,
) -> None:
    """The findings, then (unless ``quiet``) the summary and the fix hint.

    ``clean_summary=False`` prints nothing at all for a clean run (pre-commit
    splits the files over several processes and shows their merged output: a
    clean batch's "All checks passed" next to a failing batch's findings would
    contradict them).
    """
    if colour is None:
        colour = use_colour(stream)
    marked = available_fixes(result, unsafe_fixes)
    last = last_of_config(result.findings)
    for index, finding in enumerate(result.findings):
        line = format_finding(finding, colour, unsafe_fixes, mark=id(finding) in marked)
        stream.write(line + "\n")
        if index in last:
            stream.write(format_tool_note(finding, colour) + "\n")
    if quiet or (not result.findings and not clean_summary):
        return
    if result.findings:
        stream.write("\n")
    stream.write(summary_line(result) + "\n")
    coverage = coverage_line(result)
    if coverage:
        stream.write(coverage + "\n")
    hint = fix_hint(result, unsafe_fixes)
    if hint:
        stream.write(hint + "\n")
    source = packs_note(result)
    if source:
        stream.write(source + "\n")
