"""Rule documentation, rendered from the one place each rule is defined.

A rule's class holds everything a user reads about it: the docstring ("What it
does / Why is this bad? / Fix"), the one-line ``summary``, the fix
applicability and the ``VALID``/``INVALID`` examples that the test-suite also
runs. ``lora-lint rule``, SARIF's rule help, the README's rule table and the
per-rule pages in ``docs/rules/`` are all rendered here from those attributes, so
the docs cannot disagree with the rule (``tests/test_docs_drift.py`` checks them).

``python -m lora_lint.docs --update-readme`` regenerates the README table and the
rule pages; ``--check`` exits 1 when any of them is stale (for CI).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from lora_lint.extract.frontends import front_end
from lora_lint.rules import ALL_RULES, Example, Rule

TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"
REFERENCE_START = "<!-- rules-reference:start -->"
REFERENCE_END = "<!-- rules-reference:end -->"

#: What each ``Rule.fix`` value means for a user, in one sentence.
FIX_SAFETY = {
    "safe": "safe. `lora-lint check --fix` applies the fix; it never changes which modules train.",
    "unsafe": (
        "unsafe. The fix is applied only with `lora-lint check --fix --unsafe-fixes`, because "
        "it changes which modules train; review the diff."
    ),
    "mixed": (
        "mixed. `lora-lint check --fix` applies the safe fixes; the others, which change which "
        "modules train, only with `--fix --unsafe-fixes`."
    ),
    "none": "no automatic fix. lora-lint reports the problem and, where it can, suggests the "
    "correction.",
}


def fix_safety(rule: type[Rule]) -> str:
    """The "Fix safety: ..." sentence for ``rule`` (unknown values are shown as written)."""
    return "Fix safety: " + FIX_SAFETY.get(rule.fix, rule.fix)


def _language(filename: str) -> str:
    front = front_end(filename)
    return front.fence if front is not None else ""


def example_block(example: Example) -> str:
    """A fenced code block for ``example``, introduced by its file name (the front end),
    followed by the file as ``--fix`` leaves it when the example has a fix (the tests apply
    the real fix and compare)."""
    intro = f"`{example.filename}`"
    if example.model:
        intro += f", checked with `--model {example.model}`"
    language = _language(example.filename)
    block = f"{intro}:\n\n```{language}\n{example.code.rstrip()}\n```"
    if example.fixed is not None:
        command = "--fix --unsafe-fixes" if example.fix == "unsafe" else "--fix"
        block += (
            f"\n\nAfter `lora-lint check {command}`:\n\n"
            f"```{language}\n{example.fixed.rstrip()}\n```"
        )
    return block


def rule_markdown(rule: type[Rule]) -> str:
    """Full documentation of one rule, as ``lora-lint rule CODE`` prints it (Markdown).

    Title, summary, the docstring sections, a bad and a good example (the first
    ``INVALID`` and ``VALID`` examples, which the tests run through the linter,
    so the docs show real behaviour) and the fix safety.
    """
    parts = [
        f"# {rule.code} {rule.name} ({rule.severity.value})",
        rule.summary + ".",
        rule.docs().strip(),
    ]
    if rule.INVALID:
        parts.append("### Bad\n\n" + example_block(rule.INVALID[0]))
    if rule.VALID:
        parts.append("### Good\n\n" + example_block(rule.VALID[0]))
    parts.append(fix_safety(rule))
    return "\n\n".join(parts) + "\n"


def all_rules_markdown(rules: Iterable[type[Rule]] = ALL_RULES) -> str:
    """Every rule's documentation, separated by horizontal rules."""
    return "\n---\n\n".join(rule_markdown(r) for r in rules)


def section(rule: type[Rule], title: str) -> str:
    """The text of one ``## title`` section of the rule's docstring ("" when absent)."""
    lines = rule.docs().splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].strip().lower() == title.lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


#: Where the per-rule pages live, relative to the repository root.
RULE_PAGES = "docs/rules"


def rule_page_name(rule: type[Rule]) -> str:
    return f"{rule.code}.md"


def rule_page(rule: type[Rule]) -> str:
    """The rule's page in ``docs/rules/``: its whole documentation and every example."""
    parts = [rule_markdown(rule).rstrip()]
    extra_invalid = rule.INVALID[1:]
    extra_valid = rule.VALID[1:]
    if extra_invalid or extra_valid:
        parts.append("## More examples")
        parts.extend("Bad: " + example_block(e) for e in extra_invalid)
        parts.extend("Good: " + example_block(e) for e in extra_valid)
    return "<!-- generated by `python -m lora_lint.docs --update-readme`; do not edit -->\n\n" + (
        "\n\n".join(parts) + "\n"
    )


def rules_table(rules: Iterable[type[Rule]] = ALL_RULES) -> str:
    """The README's rule table (Markdown), generated from the rule classes."""
    rows = [
        "| Code | Name | Severity | Fix | What it catches |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        link = f"{RULE_PAGES}/{rule_page_name(rule)}"
        rows.append(
            f"| [`{rule.code}`]({link}) | `{rule.name}` | {rule.severity.value} | {rule.fix} "
            f"| {_cell(rule.summary)} |"
        )
    rows.append("")
    rows.append(
        "`lora-lint rule LL001` prints a rule's full documentation (what it does, why it "
        "matters, a bad and a good example, fix safety); `lora-lint rule --all` prints every "
        "rule. Select or ignore rules by code or name (`--select`, `--ignore`, "
        "`[tool.lora-lint]`)."
    )
    return "\n".join(rows)


def rules_reference(rules: Iterable[type[Rule]] = ALL_RULES) -> str:
    """The README's per-rule reference: what it does, why, the fix, a bad and a good example."""
    parts: list[str] = []
    for rule in rules:
        body = [f"### {rule.code} `{rule.name}` ({rule.severity.value})", rule.summary + "."]
        for title in ("What it does", "Why is this bad?", "Fix"):
            text = section(rule, title)
            if text:
                body.append(f"**{title}** {text}")
        if rule.INVALID:
            body.append("Bad: " + example_block(rule.INVALID[0]))
        if rule.VALID:
            body.append("Good: " + example_block(rule.VALID[0]))
        body.append(fix_safety(rule))
        parts.append("\n\n".join(body))
    return "\n\n".join(parts)


def _replace_block(text: str, start_marker: str, end_marker: str, content: str) -> str:
    start = text.find(start_marker)
    end = text.find(end_marker)
    if start < 0 or end < start:
        raise ValueError(f"README has no {start_marker} ... {end_marker} block")
    head = text[: start + len(start_marker)]
    return f"{head}\n{content}\n{text[end:]}"


def render_readme(text: str, rules: Iterable[type[Rule]] = ALL_RULES) -> str:
    """``text`` with the generated blocks (rule table, rule reference) regenerated.

    Only those blocks change, so the rest of the README (which other people
    edit) is left byte for byte as it was. The reference block is optional.
    """
    rules = list(rules)
    text = _replace_block(text, TABLE_START, TABLE_END, rules_table(rules))
    if REFERENCE_START in text:
        text = _replace_block(text, REFERENCE_START, REFERENCE_END, rules_reference(rules))
    return text


def default_readme() -> Path:
    return Path(__file__).resolve().parent.parent / "README.md"


def stale_pages(root: Path, rules: Iterable[type[Rule]] = ALL_RULES) -> dict[Path, str]:
    """Rule pages under ``root/docs/rules`` that are missing or differ: path -> content."""
    out: dict[Path, str] = {}
    for rule in rules:
        path = root / RULE_PAGES / rule_page_name(rule)
        wanted = rule_page(rule)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != wanted:
            out[path] = wanted
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lora_lint.docs",
        description="Render rule documentation; regenerate or check the README rule table.",
    )
    parser.add_argument("--readme", type=Path, default=None, help="README path (default: repo)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update-readme", action="store_true", help="rewrite the rule table")
    mode.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    args = parser.parse_args(argv)
    if not (args.update_readme or args.check):
        sys.stdout.write(all_rules_markdown())
        return 0
    readme: Path = args.readme or default_readme()
    current = readme.read_text(encoding="utf-8")
    wanted = render_readme(current)
    pages = stale_pages(readme.parent)
    if wanted == current and not pages:
        return 0
    if args.check:
        stale = [str(readme)] if wanted != current else []
        stale += [str(p) for p in pages]
        print(
            f"out of date: {', '.join(stale)}; run `python -m lora_lint.docs --update-readme`",
            file=sys.stderr,
        )
        return 1
    readme.write_text(wanted, encoding="utf-8")
    for path, content in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    print(f"updated {readme} and {len(pages)} rule page(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
