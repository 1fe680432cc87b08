"""Every rule's VALID/INVALID examples, run through the whole pipeline (Fixit style)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.rules import ALL_RULES, Example, Rule
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
