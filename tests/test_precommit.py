"""lora-lint under the real ``pre-commit`` binary, and parallel hook processes.

Each test builds a throw-away git repository with good and bad training
configs and runs ``pre-commit run --all-files --color never`` in it, with a
private ``PRE_COMMIT_HOME``:

* a ``repo: local`` hook that is the shipped ``lora-lint-system`` hook, copied
  from ``.pre-commit-hooks.yaml``;
* the README's own pre-commit snippets, unchanged except that ``repo:`` points
  at a git snapshot of this checkout (tagged with the snippet's ``rev:``)
  instead of GitHub, which this machine cannot reach.

``lora-lint`` on ``PATH`` is a shim that runs this checkout
(``python -m lora_lint``), so the tests never pick up another installed copy.

The ``language: python`` hook (README's first snippet) makes pre-commit build a
virtualenv and ``pip install`` lora-lint's light core (no torch; the bundled models
are answered by the shipped inventory packs) from the package index: it needs the
network (or a local index) and about half a minute to two minutes, so it is marked
``slow`` and runs only with ``LORA_LINT_SLOW=1``.

The last test starts 8 ``lora-lint check`` processes at once on a cold shared
cache, as pre-commit does when it splits the file list, and checks they agree
and leave only valid cache entries.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT = shutil.which("pre-commit")

pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")

GOOD_YAML = """\
base_model: Qwen/Qwen2.5-0.5B
adapter: lora
lora_target_modules:
  - q_proj
  - v_proj
"""
BAD_YAML = GOOD_YAML.replace("  - v_proj", "  - v_prj")
GOOD_ADAPTER = json.dumps(
    {
        "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
        "peft_type": "LORA",
        "target_modules": ["q_proj", "v_proj"],
    },
    indent=2,
)
GOOD_SCRIPT = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
model = get_peft_model(model, config)
"""
BAD_SCRIPT = GOOD_SCRIPT.replace('"v_proj"]', '"v_prj"]')
#: What the text reporter prints for BAD_YAML (path relative to the repository root).
BAD_YAML_LINE = "configs/bad.yaml:5:5: LL001 [error] 'v_prj' matches no module of"
BAD_SCRIPT_LINE = "train_bad.py:5:52: LL001 [error] 'v_prj' matches no module of"


def _python_front_end_ready() -> bool:
    """The Python front end is being built in parallel; skip its cases until it exists."""
    from lora_lint.extract import python as front

    return hasattr(front, "might_contain_config") and hasattr(front, "extract_python")


# -- helpers ------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [
            "git",
            "-c",
            "user.name=lora-lint tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


@pytest.fixture
def shim_env(tmp_path: Path) -> dict[str, str]:
    """Environment with a ``lora-lint`` on PATH that runs this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "lora-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m lora_lint "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        NO_COLOR="1",
        HF_HUB_OFFLINE="1",
    )
    return env


def make_repo(root: Path, files: dict[str, str], config: dict[str, Any]) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git(root, "add", "-A")  # `run --all-files` lints what git tracks
    return root


def run_precommit(repo: Path, env: dict[str, str], timeout: float = 600) -> tuple[int, str]:
    assert PRE_COMMIT is not None
    proc = subprocess.run(
        [PRE_COMMIT, "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout + proc.stderr


def shipped_hook(hook_id: str) -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == hook_id]
    return dict(hook)


def readme_precommit_snippets() -> list[dict[str, Any]]:
    """The ``.pre-commit-config.yaml`` examples of the README's pre-commit section."""
    text = README.read_text(encoding="utf-8")
    start = text.index("### pre-commit")
    section = text[start : text.index("\n### ", start + 1)]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    snippets = [yaml.safe_load(b) for b in blocks if b.lstrip().startswith("repos:")]
    assert snippets, "README has no pre-commit snippet"
    return snippets


def readme_snippet(hook_id: str) -> dict[str, Any]:
    for snippet in readme_precommit_snippets():
        if [h["id"] for h in snippet["repos"][0]["hooks"]] == [hook_id]:
            return snippet
    raise AssertionError(f"README has no pre-commit snippet for {hook_id}")


@pytest.fixture(scope="session")
def snapshot_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this checkout's files, committed and tagged with README's rev.

    pre-commit clones hooks repositories by ``rev``, so uncommitted work in the
    checkout has to be committed somewhere; this is that somewhere.
    """
    dest = tmp_path_factory.mktemp("lora-lint-snapshot")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot of the lora-lint checkout under test")
    revs = {s["repos"][0]["rev"] for s in readme_precommit_snippets()}
    for rev in revs:
        git(dest, "tag", rev)
    return dest


def _point_at(snippet: dict[str, Any], repo: Path) -> dict[str, Any]:
    """The README snippet with its GitHub URL replaced by the local snapshot, rest as written."""
    config = json.loads(json.dumps(snippet))
    entry = config["repos"][0]
    assert entry["repo"] == "https://github.com/lora-lint/lora-lint"
    entry["repo"] = str(repo)
    return config


# -- shipped hook as a local hook ---------------------------------------------------------

SCENARIOS = [
    pytest.param(
        {"configs/good.yaml": GOOD_YAML, "adapter/adapter_config.json": GOOD_ADAPTER},
        {"configs/bad.yaml": BAD_YAML},
        BAD_YAML_LINE,
        id="yaml-json",
    ),
    pytest.param(
        {"train.py": GOOD_SCRIPT},
        {"train_bad.py": BAD_SCRIPT},
        BAD_SCRIPT_LINE,
        id="python",
        marks=pytest.mark.skipif(
            not _python_front_end_ready(), reason="the Python front end is not in this tree yet"
        ),
    ),
]


@pytest.mark.torch
@pytest.mark.parametrize(("good", "bad", "expected"), SCENARIOS)
def test_local_system_hook(
    tmp_path: Path,
    shim_env: dict[str, str],
    good: dict[str, str],
    bad: dict[str, str],
    expected: str,
) -> None:
    hook = shipped_hook("lora-lint-system")
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    notes = {"README.md": "# not a config\n", "setup.cfg": "[metadata]\nname = x\n"}

    clean = make_repo(tmp_path / "clean", {**good, **notes}, config)
    status, output = run_precommit(clean, shim_env)
    assert status == 0, output
    assert re.search(r"lora-lint \(training environment\)\.+Passed", output), output

    dirty = make_repo(tmp_path / "dirty", {**good, **bad, **notes}, config)
    status, output = run_precommit(dirty, shim_env)
    assert status == 1, output
    assert re.search(r"lora-lint \(training environment\)\.+Failed", output), output
    assert "- hook id: lora-lint-system" in output
    assert "- exit code: 1" in output
    assert expected in output
    assert "did you mean 'v_proj'?" in output
    assert "good" not in output.split("- exit code: 1", 1)[1].split("Found", 1)[0]


@pytest.mark.torch
def test_force_exclude_applies_to_files_precommit_passes(
    tmp_path: Path, shim_env: dict[str, str]
) -> None:
    """pre-commit passes every file explicitly; ``extend-exclude`` must still apply."""
    config = {"repos": [{"repo": "local", "hooks": [shipped_hook("lora-lint-system")]}]}
    files = {
        "configs/good.yaml": GOOD_YAML,
        "legacy/bad.yaml": BAD_YAML,
        "pyproject.toml": '[tool.lora-lint]\nextend-exclude = ["legacy"]\n',
    }
    status, output = run_precommit(make_repo(tmp_path / "repo", files, config), shim_env)
    assert status == 0, output


@pytest.mark.torch
def test_parallel_batches_do_not_contradict_each_other(
    tmp_path: Path, shim_env: dict[str, str]
) -> None:
    """pre-commit splits the files over processes and prints their merged output: the clean
    batches say nothing (PRE_COMMIT=1), so "All checks passed" never sits next to a finding."""
    config = {"repos": [{"repo": "local", "hooks": [shipped_hook("lora-lint-system")]}]}
    files = {f"configs/good_{i:02d}.yaml": GOOD_YAML for i in range(11)}
    files["configs/bad.yaml"] = BAD_YAML
    env = {k: v for k, v in shim_env.items() if k != "PRE_COMMIT_NO_CONCURRENCY"}
    status, output = run_precommit(make_repo(tmp_path / "repo", files, config), env)
    assert status == 1, output
    assert BAD_YAML_LINE in output
    assert "All checks passed" not in output, output
    assert output.count("Found 1 error") == 1, output


# -- the README's snippets, for real ------------------------------------------------------


@pytest.mark.torch
def test_readme_system_snippet(
    tmp_path: Path, shim_env: dict[str, str], snapshot_repo: Path
) -> None:
    config = _point_at(readme_snippet("lora-lint-system"), snapshot_repo)
    dirty = make_repo(
        tmp_path / "dirty", {"configs/good.yaml": GOOD_YAML, "configs/bad.yaml": BAD_YAML}, config
    )
    status, output = run_precommit(dirty, shim_env)
    assert status == 1, output
    assert BAD_YAML_LINE in output and "- hook id: lora-lint-system" in output

    clean = make_repo(tmp_path / "clean", {"configs/good.yaml": GOOD_YAML}, config)
    status, output = run_precommit(clean, shim_env)
    assert status == 0, output


@pytest.mark.slow
@pytest.mark.torch
@pytest.mark.skipif(os.environ.get("LORA_LINT_SLOW") != "1", reason="set LORA_LINT_SLOW=1")
def test_readme_python_snippet(
    tmp_path: Path, shim_env: dict[str, str], snapshot_repo: Path
) -> None:
    """The README's main snippet: pre-commit builds its own venv and pip-installs lora-lint."""
    config = _point_at(readme_snippet("lora-lint"), snapshot_repo)
    env = dict(shim_env)
    env["PATH"] = env["PATH"].split(os.pathsep, 1)[1]  # the hook's venv provides lora-lint
    env.pop("PYTHONPATH")
    dirty = make_repo(
        tmp_path / "dirty", {"configs/good.yaml": GOOD_YAML, "configs/bad.yaml": BAD_YAML}, config
    )
    status, output = run_precommit(dirty, env, timeout=1800)
    assert status == 1, output
    assert BAD_YAML_LINE in output and "- hook id: lora-lint" in output

    clean = make_repo(tmp_path / "clean", {"configs/good.yaml": GOOD_YAML}, config)
    status, output = run_precommit(clean, env)  # the venv is reused: fast
    assert status == 0, output


# -- parallel hook processes share the cache ----------------------------------------------


@pytest.mark.torch
def test_parallel_processes_share_a_cold_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"}
    env.pop("GITHUB_ACTIONS", None)
    cmd = [
        sys.executable,
        "-m",
        "lora_lint",
        "check",
        "examples",
        "--offline",
        "--format",
        "json",
        "--cache-dir",
        str(cache),
    ]
    started = time.monotonic()
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    outputs = [(p.communicate(timeout=300), p.returncode) for p in procs]
    elapsed = time.monotonic() - started

    (first_out, first_err), first_status = outputs[0]
    assert first_status in (0, 1, 2)
    for (out, err), status in outputs[1:]:
        assert status == first_status
        assert out == first_out
        assert err == first_err
    findings = json.loads(first_out)["findings"]
    assert any(f["code"] == "LL001" for f in findings)

    entries = list(cache.rglob("*"))
    files = [p for p in entries if p.is_file()]
    assert files, "nothing was cached"
    assert not [p for p in files if p.name.endswith(".tmp")], "temporary files left behind"
    inventories = [p for p in files if p.parent.name.startswith("inventory-v")]
    assert inventories, "no model inventory was cached"
    for path in files:
        data = json.loads(path.read_bytes())  # every entry, of any kind, is complete JSON
        if path in inventories:
            assert ("inventory" in data) != ("failure" in data), path

    warm = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False, timeout=300)
    assert warm.stdout == first_out
    assert elapsed < 120, f"8 parallel cold runs took {elapsed:.0f}s"
