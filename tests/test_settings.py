"""``[tool.lora-lint]``: per-file-ignores, excludes (ruff-like, with --force-exclude), errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.cli import main
from lora_lint.engine import Linter
from lora_lint.settings import Settings, SettingsError, load_settings

BAD = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_prj]\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def pyproject(body: str) -> str:
    return "[project]\nname = 'demo'\n\n[tool.lora-lint]\n" + body


# --- reading and validating ------------------------------------------------------------------


def test_per_file_ignores_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": pyproject(
                '[tool.lora-lint.per-file-ignores]\n"legacy/**" = ["LL001", "inert-lora-config"]\n'
            )
        },
    )
    settings = load_settings(tmp_path)
    assert settings.per_file_ignores == {"legacy/**": ["LL001", "inert-lora-config"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.lora-lint.per-file-ignores]\n"x/*" = ["LL999"]\n', "unknown rule 'LL999'"),
        ('[tool.lora-lint.per-file-ignores]\n"x/*" = "LL001"\n', "expected a list of rule codes"),
        ('per-file-ignores = ["LL001"]\n', 'expected a table of "glob"'),
        ("unknown-key = 1\n", "unknown-key: unknown setting"),
        ("offline = 'yes'\n", "offline: expected true or false"),
        ("extend-exclude = 'legacy'\n", "extend-exclude: expected a list of strings"),
        ("exclude = ['build', '!']\n", "exclude: '!': empty pattern"),
        ("extend-exclude = ['a\\']\n", "not a valid gitignore-style pattern"),
        ('[tool.lora-lint.per-file-ignores]\n"  " = ["LL001"]\n', "empty pattern"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    write(tmp_path, {"pyproject.toml": pyproject(body)})
    with pytest.raises(SettingsError) as info:
        load_settings(tmp_path)
    assert str(tmp_path / "pyproject.toml") in str(info.value)
    assert message in str(info.value)


def test_cli_reports_a_settings_error_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"pyproject.toml": pyproject("selct = ['LL001']\n"), "a.yaml": BAD})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--offline", "a.yaml"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: [tool.lora-lint] selct: unknown setting" in err
    assert "Traceback" not in err


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": pyproject("ignore = ['LL001']\n"),
            "lora-lint.toml": "ignore = ['LL016']\n",
        },
    )
    settings = load_settings(tmp_path)
    assert settings.ignore == ["LL016"] and settings.config_file == tmp_path / "lora-lint.toml"


# --- applying them ---------------------------------------------------------------------------


def run(root: Path, paths: list[Path], *, force_exclude: bool = False, **values: object):
    settings = Settings(project_root=root, offline=True)
    for key, value in values.items():
        setattr(settings, key, value)
    result = Linter(settings, force_exclude=force_exclude).run(paths)
    assert not result.errors
    return sorted(Path(f.path).name for f in result.findings)


@pytest.mark.torch
def test_per_file_ignores_by_glob_code_and_name(tmp_path: Path) -> None:
    write(tmp_path, {"legacy/old.yaml": BAD, "configs/new.yaml": BAD, "configs/x.yaml": BAD})
    paths = [tmp_path]
    assert run(tmp_path, paths) == ["new.yaml", "old.yaml", "x.yaml"]
    assert run(tmp_path, paths, per_file_ignores={"legacy/*": ["LL001"]}) == ["new.yaml", "x.yaml"]
    assert run(tmp_path, paths, per_file_ignores={"x.yaml": ["unknown-target-module"]}) == [
        "new.yaml",
        "old.yaml",
    ]
    assert run(tmp_path, paths, per_file_ignores={"configs/": ["LL0"]}) == ["old.yaml"]


@pytest.mark.torch
def test_exclude_applies_to_directories_but_not_explicit_files_unless_forced(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"legacy/old.yaml": BAD, "new.yaml": BAD})
    old = tmp_path / "legacy" / "old.yaml"
    assert run(tmp_path, [tmp_path], extend_exclude=["legacy"]) == ["new.yaml"]
    assert run(tmp_path, [tmp_path], exclude=["legacy/*.yaml"]) == ["new.yaml"]
    # pre-commit passes every file explicitly: only --force-exclude applies the excludes then
    assert run(tmp_path, [old], extend_exclude=["legacy"]) == ["old.yaml"]
    assert run(tmp_path, [old], extend_exclude=["legacy"], force_exclude=True) == []
    assert run(
        tmp_path, [old, tmp_path / "new.yaml"], exclude=["old.yaml"], force_exclude=True
    ) == ["new.yaml"]


@pytest.mark.torch
def test_command_line_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": pyproject("select = ['LL016']\nextend-exclude = ['skip']\n"),
            "a.yaml": BAD,
            "skip/b.yaml": BAD,
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--offline", "."]) == 0  # only LL016 selected by the file
    capsys.readouterr()
    assert main(["check", "--offline", "--select", "LL001", "."]) == 1
    out = capsys.readouterr().out
    assert "a.yaml:3:31: LL001" in out and "b.yaml" not in out
    assert main(["check", "--offline", "--select", "LL001", "--force-exclude", "skip/b.yaml"]) == 0
    assert main(["check", "--offline", "--select", "LL001", "skip/b.yaml"]) == 1


def test_config_option_file_is_the_project_root(tmp_path: Path) -> None:
    """``--config``: relative paths in the file are relative to its directory, as when found."""
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "lora-lint.toml").write_text(
        'cache-dir = "cache"\nignore = ["LL013"]\n', encoding="utf-8"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.lora-lint]\nignore = ["LL001"]\n')
    settings = load_settings(tmp_path, config=tmp_path / "ci" / "lora-lint.toml")
    assert settings.ignore == ["LL013"]
    assert settings.project_root == (tmp_path / "ci").resolve()
    assert settings.cache_dir == (tmp_path / "ci" / "cache").resolve()
    bare = load_settings(tmp_path, config=tmp_path / "pyproject.toml")
    assert bare.ignore == ["LL001"]


# --- one glob dialect for exclude and per-file-ignores ----------------------------------------
# Both settings read a pattern as a line of a .gitignore at the project root (pathspec), so the
# same pattern picks the same files in both.

BROKEN_PY = "from peft import LoraConfig\nconfig = LoraConfig(target_modules=[\n"
BROKEN_NB = '{"cells": [{"cell_type": "code", "source": "from peft import LoraConfig\\nLoraConfig('
GLOB_FILES = {
    "build/train.py": BROKEN_PY,
    "src/build/train.py": BROKEN_PY,
    "tests/test_a.py": BROKEN_PY,
    "a/tests/test_b.py": BROKEN_PY,
    "a/tests/deep/test_c.py": BROKEN_PY,
    "keep/keep.py": BROKEN_PY,
    "train.py": BROKEN_PY,
    "nb.ipynb": BROKEN_NB,
}


@pytest.mark.parametrize(
    ("patterns", "matched"),
    [
        (["./build"], {"build/train.py"}),
        (["/build"], {"build/train.py"}),
        (["build/"], {"build/train.py", "src/build/train.py"}),
        (["build"], {"build/train.py", "src/build/train.py"}),
        (["**/tests/*.py"], {"tests/test_a.py", "a/tests/test_b.py"}),
        (["tests/"], {"tests/test_a.py", "a/tests/test_b.py", "a/tests/deep/test_c.py"}),
        (["*.ipynb"], {"nb.ipynb"}),
        (["keep/*"], {"keep/keep.py"}),
        (
            ["*.py", "!keep.py", "!**/tests/**"],
            {"build/train.py", "src/build/train.py", "train.py"},
        ),
    ],
)
def test_exclude_and_per_file_ignores_read_patterns_alike(
    tmp_path: Path, patterns: list[str], matched: set[str]
) -> None:
    write(tmp_path, GLOB_FILES)
    files = [tmp_path / name for name in GLOB_FILES]

    def flagged(**values: object) -> set[str]:
        settings = Settings(project_root=tmp_path, offline=True)
        for key, value in values.items():
            setattr(settings, key, value)
        result = Linter(settings, force_exclude=True).run(files)
        assert not result.errors
        return {Path(f.path).relative_to(tmp_path).as_posix() for f in result.findings}

    everything = set(GLOB_FILES)
    assert flagged() == everything  # every file has an LL000
    assert flagged(exclude=patterns) == everything - matched
    assert flagged(extend_exclude=patterns) == everything - matched
    if not any(p.startswith("!") for p in patterns):  # one key per pattern
        ignores = {pattern: ["LL000"] for pattern in patterns}
        assert flagged(per_file_ignores=ignores) == everything - matched


def test_a_negated_per_file_ignores_key_matches_the_other_files(tmp_path: Path) -> None:
    write(tmp_path, GLOB_FILES)
    settings = Settings(
        project_root=tmp_path, offline=True, per_file_ignores={"!**/tests/**": ["LL000"]}
    )
    result = Linter(settings).run([tmp_path / name for name in GLOB_FILES])
    assert sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in result.findings) == [
        "a/tests/deep/test_c.py",
        "a/tests/test_b.py",
        "tests/test_a.py",
    ]
