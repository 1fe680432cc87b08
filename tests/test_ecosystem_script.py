"""scripts/ecosystem.py on a tiny fake repository: checkouts, counts, verdicts, comparison."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lora_lint.extract.types import ToolFacts
from tests.tiny_models import TINY

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import ecosystem  # noqa: E402
import ecosystem_verify  # noqa: E402

TRAIN = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("./tiny")
config = LoraConfig(r=8, target_modules=["q_proj", "v_prj"])
model = get_peft_model(model, config)
"""

#: Applied to no model in the file: an info-level LL010, so this config is not checked.
ORPHAN = """\
from peft import LoraConfig

config = LoraConfig(r=8, target_modules=["q_proj"])
"""


def _fake_repo(root: Path) -> Path:
    (root / "tiny").mkdir(parents=True)
    (root / "tiny" / "config.json").write_text(json.dumps(TINY["llama"]), encoding="utf-8")
    (root / "train.py").write_text(TRAIN, encoding="utf-8")
    (root / "orphan.py").write_text(ORPHAN, encoding="utf-8")
    (root / "README.md").write_text("not linted\n", encoding="utf-8")
    return root


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[ecosystem.Repo, Path]:
    """A git repository with one commit, materialized the way the script does it."""
    if shutil.which("git") is None or shutil.which("tar") is None:
        pytest.skip("needs git and tar")
    source = _fake_repo(tmp_path / "mirror" / "me+fake")
    _git(source, "init", "-q")
    _git(source, "add", ".")
    _git(source, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    repo = ecosystem.Repo("me/fake", _git(source, "rev-parse", "HEAD"))
    repos_dir = tmp_path / "repos"
    assert ecosystem.checkout_problem(repo, repos_dir) is not None  # not there yet
    failures = ecosystem.prepare_from_mirror(tmp_path / "mirror", repos_dir, [repo])
    assert failures == 0
    return repo, repos_dir


def test_prepare_writes_the_pinned_commit_and_detects_a_stale_checkout(
    checkout: tuple[ecosystem.Repo, Path],
) -> None:
    repo, repos_dir = checkout
    folder = repos_dir / repo.folder
    assert (folder / "train.py").read_text(encoding="utf-8") == TRAIN
    assert ecosystem.checkout_problem(repo, repos_dir) is None
    moved = dataclasses.replace(repo, commit="0" * 40)
    problem = ecosystem.checkout_problem(moved, repos_dir)
    assert problem is not None and repo.commit in problem
    missing = ecosystem.run_repo(
        ecosystem.Repo("me/absent", "1" * 40), repos_dir, repos_dir / "c", False, 10
    )
    assert missing.status == "missing"
    assert "--prepare-from-mirror" in missing.detail


@pytest.mark.torch
def test_counts_and_verdicts_on_a_fake_repository(
    checkout: tuple[ecosystem.Repo, Path], tmp_path: Path
) -> None:
    repo, repos_dir = checkout
    root = repos_dir / repo.folder
    run = ecosystem.lint_checkout(root, tmp_path / "cache")
    verifier = ecosystem_verify.Verifier(60)
    report = ecosystem.report_of(repo, root, run, verifier)
    assert (report.files, report.configs, report.checked) == (3, 2, 1)  # + tiny/config.json
    assert report.errors == {"LL001": 1}
    assert report.warnings == {}
    assert report.infos == {"LL010": 1}
    [error] = report.findings
    assert (error.path, error.line, error.code, error.target) == ("train.py", 5, "LL001", "v_prj")
    assert error.model_class == "LlamaForCausalLM"
    assert error.link_scope == "module level"
    assert error.verdict == "TRUE"
    assert report.verdicts == {"TRUE": 1}

    # The same claim about an entry that does exist: real PEFT adapts it, so FALSE.
    finding = next(f for f in run.result.findings if f.code == "LL001")
    ctx = run.config_of[ecosystem.link_key(finding)]
    wrong = dataclasses.replace(finding, target="q_proj")
    verdict = verifier.verify(wrong, ctx, root)
    assert verdict.label == "FALSE"
    assert "q_proj" in verdict.reason
    # An LL009 claim on a config PEFT accepts is FALSE; LL015 (tool behaviour) is UNVERIFIED.
    assert verifier.verify(dataclasses.replace(finding, code="LL009"), ctx, root).label == "FALSE"
    tool = verifier.verify(dataclasses.replace(finding, code="LL015"), ctx, root)
    assert tool.label == "UNVERIFIED"
    # Through a tool wrapper (unsloth): an omitted target_modules is the tool's to fill in.
    options = {k: val for k, val in ctx.config.options.items() if k != "target_modules"}
    wrapped = dataclasses.replace(
        ctx,
        config=dataclasses.replace(ctx.config, options=options, facts=ToolFacts(tool="unsloth")),
    )
    no_targets = verifier.verify(dataclasses.replace(finding, code="LL009"), wrapped, root)
    assert no_targets.label == "UNVERIFIED"
    via_tool = dataclasses.replace(
        ctx, config=dataclasses.replace(ctx.config, facts=ToolFacts(tool="unsloth"))
    )
    labelled = verifier.verify(finding, via_tool, root)
    assert labelled.label == "TRUE" and "unsloth" in labelled.reason
    assert verifier.applications >= 3
    assert len(verifier._models) == 1  # built once, reused

    doc = ecosystem.document([report], verify=True)
    table = ecosystem.markdown(doc)
    row = next(line for line in table.splitlines() if line.startswith("| me/fake"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:12] == ["3", "2", "1", "1/2 (50%)", "1/2 (50%)", "LL001 1", "-", "1", "0", "0"]
    assert "## FALSE errors (0)" in table
    # Both configs name their targets; the orphan is not checked: no model linked.
    assert (report.explicit, report.explicit_checked) == (2, 1)
    assert report.unchecked_explicit == {"no model linked": 1}
    assert "| no model linked | 1 | 1 |" in table


def test_unreadable_python_is_checked_with_the_reference_parser(tmp_path: Path) -> None:
    from lora_lint.diagnostics import Span, unreadable_input

    (tmp_path / "bad.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "good.py").write_text("x = 1\n", encoding="utf-8")
    bad = unreadable_input("bad.py", "syntax error", Span.point(1, 7))
    good = unreadable_input("good.py", "syntax error", Span.point(1, 1))
    assert ecosystem_verify.verify_unreadable(bad, tmp_path).label == "TRUE"
    assert ecosystem_verify.verify_unreadable(good, tmp_path).label == "FALSE"


def _record(code: str, line: int, verdict: str) -> ecosystem.FindingRecord:
    return ecosystem.FindingRecord(
        "a.py", line, 1, code, "error", "msg", "x", None, verdict=verdict, reason="r"
    )


def test_compare_lists_true_errors_lost_and_new_false_ones() -> None:
    old = ecosystem.RepoReport(
        "me/fake",
        "c" * 40,
        configs=3,
        checked=2,
        errors={"LL001": 2},
        findings=[_record("LL001", 3, "TRUE"), _record("LL001", 9, "FALSE")],
    )
    new = ecosystem.RepoReport(
        "me/fake",
        "c" * 40,
        configs=3,
        checked=3,
        errors={"LL001": 1, "LL005": 1},
        findings=[_record("LL001", 9, "FALSE"), _record("LL005", 4, "FALSE")],
    )
    text = ecosystem.compare(
        ecosystem.document([old], verify=True), ecosystem.document([new], verify=True)
    )
    assert "| me/fake | LL001 | 2 | 1 | -1 |" in text
    assert "| me/fake | LL005 | 0 | 1 | +1 |" in text
    assert "## TRUE errors lost (1)" in text and "`a.py:3` LL001" in text
    assert "## New FALSE errors (1)" in text and "`a.py:4` LL005" in text
    round_trip = ecosystem.RepoReport.from_dict(json.loads(json.dumps(dataclasses.asdict(new))))
    assert round_trip == new


def test_compare_shows_explicit_target_coverage_and_n_a_for_old_reports() -> None:
    old = ecosystem.RepoReport("me/fake", "c" * 40, configs=4, checked=1)  # before the metric
    measured = ecosystem.RepoReport(
        "me/fake", "c" * 40, configs=4, checked=1, explicit=3, explicit_checked=1
    )
    new = ecosystem.RepoReport(
        "me/fake",
        "c" * 40,
        configs=4,
        checked=3,
        explicit=3,
        explicit_checked=3,
        missing_models={"org/x": 2},
        unchecked_explicit={"model not bundled": 2},
    )
    doc = ecosystem.document([new], verify=False)
    legacy = json.loads(json.dumps(ecosystem.document([old], verify=False)))
    for repo in legacy["repos"]:  # a stored run from before the metric has no such keys
        for key in ("explicit", "explicit_checked", "unchecked_explicit", "missing_models"):
            repo.pop(key)
    text = ecosystem.compare(legacy, doc)
    assert "| me/fake | explicit-target checked | n/a | 3/3 (100%) | n/a |" in text
    assert "| total | explicit-target checked | n/a | 3/3 (100%) | n/a |" in text
    text = ecosystem.compare(ecosystem.document([measured], verify=False), doc)
    assert "| me/fake | explicit-target checked | 1/3 (33%) | 3/3 (100%) | +2 |" in text
    assert "| total | configs checked | 1/4 | 3/4 | +2 |" in text
    table = ecosystem.markdown(doc)
    assert "| `org/x` | 2 |" in table
    assert "| total |  | 0 | 4 | 3 | 3/3 (100%) | 3/3 (100%) |" in table


def test_missing_checkout_is_reported_and_skipped(tmp_path: Path) -> None:
    out = tmp_path / "eco.md"
    data = tmp_path / "eco.json"
    args = ["--repos-dir", str(tmp_path), "--repo", "huggingface/peft"]
    code = ecosystem.main([*args, "--output", str(out), "--json", str(data)])
    assert code == 0
    doc = json.loads(data.read_text(encoding="utf-8"))
    assert doc["repos"][0]["status"] == "missing"
    assert "| huggingface/peft |" in out.read_text(encoding="utf-8")


def test_stored_runs_are_rendered_and_compared_without_linting(tmp_path: Path) -> None:
    before = ecosystem.RepoReport(
        "me/fake", "c" * 40, errors={"LL001": 1}, findings=[_record("LL001", 3, "TRUE")]
    )
    after = ecosystem.RepoReport("me/fake", "c" * 40)
    old, new, out = tmp_path / "old.json", tmp_path / "new.json", tmp_path / "cmp.md"
    old.write_text(json.dumps(ecosystem.document([before], verify=True)), encoding="utf-8")
    new.write_text(json.dumps(ecosystem.document([after], verify=True)), encoding="utf-8")
    args = ["--from-json", str(new), "--compare", str(old), "--output", str(out)]
    assert ecosystem.main([*args, "--repos-dir", str(tmp_path / "none")]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| me/fake | LL001 | 1 | 0 | -1 |" in text
    assert "## TRUE errors lost (1)" in text


def test_link_scope_says_when_the_model_comes_from_another_function(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from lora_lint.diagnostics import Span

    (tmp_path / "t.py").write_text(
        "def load():\n    return 1\n\n\ndef test():\n    config = 2\n    model = 3\n",
        encoding="utf-8",
    )

    def ctx(model_line: int, config_line: int) -> SimpleNamespace:
        ref = SimpleNamespace(span=Span.point(model_line), source_path="t.py")
        config = SimpleNamespace(path="t.py", span=Span.point(config_line))
        return SimpleNamespace(model_ref=ref, config=config)

    scopes = ecosystem._Scopes(tmp_path)
    assert scopes.scope(ctx(2, 6)) == "another function"
    assert scopes.scope(ctx(7, 6)) == "same function"
    assert scopes.scope(ctx(4, 6)) == "module level"


def test_the_share_without_own_modules_leaves_out_toy_model_configs() -> None:
    report = ecosystem.RepoReport(
        "me/fake",
        "c" * 40,
        configs=5,
        checked=1,
        explicit=4,
        explicit_checked=1,
        unchecked_explicit={ecosystem.OWN_MODULE: 2, ecosystem.NOT_BUNDLED: 1},
    )
    table = ecosystem.markdown(ecosystem.document([report], verify=False))
    row = next(line for line in table.splitlines() if line.startswith("| me/fake"))
    assert "| 1/4 (25%) | 1/2 (50%) |" in row
