"""Whole-output snapshots of every reporter, on one fixed repository (syrupy).

``tests/data/snapshot_repo`` is linted by the real CLI (front ends, model resolution, the
PEFT model, rules, fixes, reporters) and the *entire* output of each ``--format`` is compared
with a file in ``__snapshots__/test_snapshots/``. Any change to what a reporter prints fails
here; when the change is intended, review and accept it with

    python -m pytest tests/report/test_snapshots.py --snapshot-update

and commit the updated files (see CONTRIBUTING.md). Only what truly differs between machines
is normalised: the temporary directory the repository is copied to and the versions of
lora-lint, transformers, peft and torch. Colour and terminal width are set explicitly, so
the user's terminal cannot change the result.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from lora_lint import __version__
from lora_lint.cli import main
from lora_lint.models.versions import library_versions

REPO = Path(__file__).resolve().parents[1] / "data" / "snapshot_repo"

#: Environment variables that could change what the CLI prints or where it writes.
_AMBIENT = (
    "FORCE_COLOR",
    "CLICOLOR_FORCE",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "CI_PROJECT_DIR",
    "PRE_COMMIT",
    "LORA_LINT_DEBUG",
)


class TextSnapshot(SingleFileSnapshotExtension):
    """One snapshot per file, stored as UTF-8 text so a review shows a readable diff."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class JsonSnapshot(TextSnapshot):
    file_extension = "json"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixture repository as the working directory, in a fixed terminal."""
    root = tmp_path / "repo"
    shutil.copytree(REPO, root)
    monkeypatch.chdir(root)
    for name in _AMBIENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("TERM", "dumb")
    return root


def normalise(text: str, root: Path) -> str:
    """Replace what differs between machines and releases, and nothing else."""
    replacements = {root.as_uri(): "file:///REPO", str(root): "/REPO"}
    versions = {f"lora-lint {__version__}": __version__} | {
        f"{name} {version}": version for name, version in library_versions().items()
    }
    for label, version in sorted(versions.items(), key=lambda kv: -len(kv[1])):
        replacements[f'"{version}"'] = f'"<{label.split()[0]} version>"'
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", ".", "--offline", *args])
    out, err = capsys.readouterr()
    return code, normalise(out, root), normalise(err, root)


FORMATS = [
    pytest.param(("--color", "never"), TextSnapshot, id="text"),
    pytest.param(("--color", "always"), TextSnapshot, id="text-colour"),
    pytest.param(("--statistics", "--color", "never"), TextSnapshot, id="text-statistics"),
    pytest.param(("--format", "json"), JsonSnapshot, id="json"),
    pytest.param(("--format", "json", "--statistics"), JsonSnapshot, id="json-statistics"),
    pytest.param(("--format", "json-lines"), TextSnapshot, id="json-lines"),
    pytest.param(("--format", "sarif"), JsonSnapshot, id="sarif"),
    pytest.param(("--format", "github"), TextSnapshot, id="github"),
    pytest.param(("--format", "gitlab"), JsonSnapshot, id="gitlab"),
]


@pytest.mark.parametrize(("args", "extension"), FORMATS)
def test_whole_report(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    snapshot: SnapshotAssertion,
    args: tuple[str, ...],
    extension: type[SingleFileSnapshotExtension],
) -> None:
    code, out, err = run(repo, capsys, *args)
    assert code == 1  # errors were found
    assert err == ""
    assert out == snapshot(extension_class=extension)


def test_fix_run_output(
    repo: Path, capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    """``--fix`` reports what it fixed and what remains, and writes the fixed file."""
    code, out, _ = run(repo, capsys, "--fix", "--color", "never")
    assert code == 1  # the unsafe fix and the other errors remain
    text = (repo / "train.py").read_text(encoding="utf-8")
    assert out + "\n--- train.py after --fix ---\n" + text == snapshot(extension_class=TextSnapshot)


def test_diff_output(
    repo: Path, capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    _, out, _ = run(repo, capsys, "--diff", "--unsafe-fixes", "--color", "never")
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before
    assert out == snapshot(extension_class=TextSnapshot)


@pytest.mark.parametrize("columns", ["20", "400"])
def test_terminal_width_does_not_change_the_text_report(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    _, reference, _ = run(repo, capsys, "--color", "never", "--statistics")
    monkeypatch.setenv("COLUMNS", columns)
    _, out, _ = run(repo, capsys, "--color", "never", "--statistics")
    assert out == reference
