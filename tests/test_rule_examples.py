"""Every rule's VALID/INVALID examples, run through the whole pipeline (Fixit style).

Each example asserts every finding of the pipeline; each INVALID example also goes
through the real ``--fix`` (:func:`lora_lint.fix.runner.run_fixes`), with and without
``--unsafe-fixes``, and the file it leaves must be the example's ``fixed`` text (or the
example unchanged when it has none). ``Rule.fix`` is derived from those texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.engine import Linter
from lora_lint.fix.runner import run_fixes
from lora_lint.rules import ALL_RULES, Example, Rule
from lora_lint.rules.base import Invalid, fix_of
from lora_lint.settings import Settings
from tests.lint_helpers import lint_files

CASES = [
    pytest.param(rule, kind, i, example, id=f"{rule.code}-{kind}-{i}")
    for rule in ALL_RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for i, example in enumerate(examples)
]


@pytest.mark.torch
@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_rule_example(
    tmp_path: Path, rule: type[Rule], kind: str, index: int, example: Example
) -> None:
    result = lint_files(tmp_path, {example.filename: example.code}, model=example.model)
    assert not result.errors
    # Every finding of the whole pipeline, not only this rule's: an example that also
    # triggers a wrong finding of another rule fails here.
    everything = sorted((f.code, f.span.line, f.span.column) for f in result.findings)
    expected = sorted([(rule.code, *pos) for pos in example.expect] + list(example.also))
    assert everything == expected, [
        f"{f.code} {f.span.line}:{f.span.column} {f.message}" for f in result.findings
    ]
    mine = [f for f in result.findings if f.code == rule.code]
    if kind == "valid":
        return
    if example.message:
        assert example.message in mine[0].message + " " + (mine[0].help or "")


INVALID_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
    for rule in ALL_RULES
    for i, example in enumerate(rule.INVALID)
]


def _after_fix(root: Path, rule: type[Rule], example: Example, *, unsafe: bool) -> str:
    """The example file as ``lora-lint check --fix --select CODE`` [``--unsafe-fixes``]
    leaves it: only this rule's fixes, as Fixit's ``expected_replacement``."""
    path = root / example.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.code, encoding="utf-8", newline="")
    settings = Settings(project_root=root, offline=True, select=[rule.code])
    report = run_fixes(Linter(settings, cli_model=example.model), [path], unsafe=unsafe)
    assert not report.skipped, report.skipped  # a fix whose result did not validate
    return path.read_bytes().decode("utf-8")


@pytest.mark.torch
@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_fix(tmp_path: Path, rule: type[Rule], example: Example) -> None:
    safe = _after_fix(tmp_path / "safe", rule, example, unsafe=False)
    unsafe = _after_fix(tmp_path / "unsafe", rule, example, unsafe=True)
    if example.fixed is None:
        assert unsafe == example.code, f"--fix changed the example; add fixed=:\n{unsafe}"
    elif example.fix == "safe":
        assert safe == example.fixed
        assert unsafe == example.fixed
    else:
        assert safe == example.code, "an unsafe fix was applied without --unsafe-fixes"
        assert unsafe == example.fixed


def test_rule_fix_is_derived_from_the_examples() -> None:
    for rule in ALL_RULES:
        assert rule.fix == fix_of(rule.INVALID), rule.code
    fixed = [rule.code for rule in ALL_RULES if rule.fix != "none"]
    assert fixed, "no rule shows a fix in its examples"


def test_fix_of_combines_the_examples() -> None:
    plain = Invalid("x = 1", expect=[(1, 1)])
    safe = Invalid("x = 1", expect=[(1, 1)], fixed="x = 2")
    unsafe = Invalid("x = 1", expect=[(1, 1)], fixed="x = 3", fix="unsafe")
    assert (safe.fixed, safe.fix, plain.fix) == ("x = 2\n", "safe", "none")
    assert fix_of([plain]) == "none"
    assert fix_of([plain, safe, safe]) == "safe"
    assert fix_of([unsafe, plain]) == "unsafe"
    assert fix_of([safe, unsafe]) == "mixed"


def test_a_rule_cannot_declare_its_fix() -> None:
    with pytest.raises(TypeError, match="derived from its INVALID examples"):

        class Declared(Rule):  # pragma: no cover - the class statement itself fails
            code = "LL999"
            fix = "safe"

    class Derived(Rule):
        code = "LL998"
        INVALID = [Invalid("x = 1", expect=[(1, 1)], fixed="x = 2", fix="unsafe")]

    assert Derived.fix == "unsafe"


def test_every_rule_is_documented_with_examples() -> None:
    for rule in ALL_RULES:
        docs = rule.docs()
        for section in ("## What it does", "## Why is this bad?", "## Fix"):
            assert section in docs, f"{rule.code} lacks {section}"
        assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"
        assert rule.code.startswith("LL") and rule.name == rule.name.lower()


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
