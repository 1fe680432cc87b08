"""Rule docs come from the rule classes; the README table and `lora-lint rule` must match them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lora_lint import docs
from lora_lint.cli import main
from lora_lint.rules import ALL_RULES, Rule

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_readme_rule_table_is_generated_from_the_rules() -> None:
    text = README.read_text(encoding="utf-8")
    assert docs.render_readme(text) == text, (
        "README.md's rule table differs from the rules; run `python -m lora_lint.docs "
        "--update-readme`"
    )


def test_readme_table_lists_every_rule() -> None:
    text = README.read_text(encoding="utf-8")
    block = text[text.index(docs.TABLE_START) : text.index(docs.TABLE_END)]
    for rule in ALL_RULES:
        link = f"[`{rule.code}`](docs/rules/{rule.code}.md)"
        assert f"| {link} | `{rule.name}` | {rule.severity.value} |" in block
        assert (ROOT / "docs" / "rules" / f"{rule.code}.md").is_file()


def test_render_readme_only_touches_the_marked_block() -> None:
    text = f"# x\n\nbefore\n{docs.TABLE_START}\nstale\n{docs.TABLE_END}\nafter\n"
    out = docs.render_readme(text)
    assert out.startswith("# x\n\nbefore\n") and out.endswith(f"{docs.TABLE_END}\nafter\n")
    assert "stale" not in out and "`LL001`" in out
    assert docs.render_readme(out) == out  # idempotent


def test_rule_pages_are_generated_from_the_rules() -> None:
    assert docs.stale_pages(ROOT) == {}, "run `python -m lora_lint.docs --update-readme`"
    for rule in ALL_RULES:
        page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
        for example in [*rule.INVALID, *rule.VALID]:
            assert example.code.rstrip() in page, rule.code
            if example.fixed is not None:  # the fixed text the tests check, after the example
                after = page.index(example.code.rstrip()) + len(example.code.rstrip())
                assert example.fixed.rstrip() in page[after:], rule.code


def test_update_and_check_cli(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{docs.TABLE_START}\nold\n{docs.TABLE_END}\n", encoding="utf-8")
    assert docs.main(["--check", "--readme", str(readme)]) == 1
    assert docs.main(["--update-readme", "--readme", str(readme)]) == 0
    assert docs.main(["--check", "--readme", str(readme)]) == 0
    assert "`LL001`" in readme.read_text(encoding="utf-8")


def test_check_mode_runs_as_a_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lora_lint.docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_rule_command_prints_the_full_docs(
    rule: type[Rule], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rule", rule.code]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {rule.code} {rule.name} ({rule.severity.value})\n")
    for heading in ("## What it does", "## Why is this bad?", "## Fix", "### Bad", "### Good"):
        assert heading in out
    assert rule.INVALID[0].code.rstrip() in out and rule.VALID[0].code.rstrip() in out
    assert f"`{rule.INVALID[0].filename}`" in out
    assert "Fix safety: " in out
    # Bad comes before Good, both after the prose.
    assert out.index("## Fix") < out.index("### Bad") < out.index("### Good")


def test_rule_by_name_and_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "unknown-target-module"]) == 0
    by_name = capsys.readouterr().out
    assert main(["rule", "LL001"]) == 0
    assert capsys.readouterr().out == by_name
    assert main(["rule", "--all"]) == 0
    everything = capsys.readouterr().out
    for rule in ALL_RULES:
        assert f"# {rule.code} {rule.name}" in everything


def test_unknown_rule_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "LL999"]) == 2
    assert "unknown rule" in capsys.readouterr().err


def test_fix_safety_matches_the_rule_attribute() -> None:
    for rule in ALL_RULES:
        assert rule.fix in docs.FIX_SAFETY, f"{rule.code}: fix={rule.fix!r} has no description"
        assert docs.fix_safety(rule).startswith(f"Fix safety: {docs.FIX_SAFETY[rule.fix][:6]}")


def test_example_blocks_use_the_right_language() -> None:
    for rule in ALL_RULES:
        for example in (*rule.VALID[:1], *rule.INVALID[:1]):
            block = docs.example_block(example)
            suffix = Path(example.filename).suffix
            lang = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}[suffix]
            assert f"```{lang}\n" in block


def test_readme_is_for_users_and_short() -> None:
    """Details live in docs/; the README stays a page a user reads (issue: under 15 KB)."""
    assert len(README.read_bytes()) < 15_000


@pytest.mark.parametrize("doc", ["README.md", "CONTRIBUTING.md", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")
)])
def test_relative_links_point_to_files(doc: str) -> None:
    import re

    text = (ROOT / doc).read_text(encoding="utf-8")
    base = (ROOT / doc).parent
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (base / target).exists(), f"{doc} links to missing {target}"
