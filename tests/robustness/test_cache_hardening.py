"""Cache entries are checked, not trusted: valid JSON of the wrong shape, an entry of another
key, a FIFO or a link is a miss and gets rebuilt; ``--cache-dir ''`` is refused; a killed
run's temporary result directory is removed by the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lora_lint.extract.filecache import FileCache
from lora_lint.extract.parallel import TEMP_PREFIX, clean_stale_dirs
from lora_lint.extract.types import FileExtraction
from lora_lint.models.cache import InventoryCache
from tests.robustness.helpers import (
    ROOT,
    WITNESS,
    WITNESS_FINDING,
    WITNESS_NAME,
    assert_witness,
    codes,
    lint,
    run_cli,
    write,
)

QWEN = "Qwen/Qwen2.5-0.5B"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (instead of hanging the suite) when the body blocks for 20 s."""

    def boom(_signum: int, _frame: object) -> None:
        raise TimeoutError("blocked")

    previous = signal.signal(signal.SIGALRM, boom)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _qwen_entry(tmp_path: Path, cache_dir: Path) -> Path:
    """The inventory entry the witness's model is cached under (after a first run)."""
    lint(tmp_path, {}, cache_dir=cache_dir)
    (entry,) = (cache_dir).glob("inventory-v*/*.json")
    return entry


# -- the inventory cache --------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize(
    "planted",
    [
        {"failure": "planted failure"},  # the old shape, or a hand-made entry: no key
        {"key": "0" * 32, "failure": "planted failure"},  # another entry's content
        {"key": "KEY", "failure": ["not", "a", "str"]},
        {"key": "KEY", "inventory": {"format": 0}},
        {"key": "KEY", "failure": "x", "inventory": {}},
    ],
)
def test_ill_shaped_inventory_entry_is_rebuilt(tmp_path: Path, planted: dict[str, object]) -> None:
    cache_dir = tmp_path / "cache"
    entry = _qwen_entry(tmp_path, cache_dir)
    text = json.dumps(planted).replace('"KEY"', json.dumps(entry.stem))
    entry.write_text(text)
    result = lint(tmp_path, {}, cache_dir=cache_dir)
    assert WITNESS_FINDING in codes(result, WITNESS_NAME), codes(result)
    assert not [f for f in result.findings if f.code == "LL010"]
    assert json.loads(entry.read_text()).get("inventory")  # rebuilt and rewritten


@pytest.mark.torch
def test_inventory_with_wrong_field_types_is_rebuilt(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    entry = _qwen_entry(tmp_path, cache_dir)
    data = json.loads(entry.read_text())
    data["inventory"]["modules"][3][0] = 12345  # a module name that is not a str
    entry.write_text(json.dumps(data))
    assert InventoryCache(cache_dir).get(entry.stem) is None
    result = lint(tmp_path, {}, cache_dir=cache_dir)
    assert_witness(result)
    assert not result.errors


def test_fifo_and_symlink_entries_are_misses(tmp_path: Path, deadline: None) -> None:
    cache = InventoryCache(tmp_path)
    assert cache.directory is not None
    cache.directory.mkdir(parents=True)
    os.mkfifo(cache.directory / "fifo.json")
    assert cache.get("fifo") is None
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"key": "link", "failure": "planted"}))
    (cache.directory / "link.json").symlink_to(target)
    assert cache.get("link") is None
    (cache.directory / "real.json").write_text(json.dumps({"key": "real", "failure": "kept"}))
    assert cache.get("real") == "kept"  # the positive control


# -- the extraction cache ---------------------------------------------------------------------


def _filled_file_cache(tmp_path: Path) -> tuple[FileCache, Path]:
    from lora_lint.extract.parallel import extract_files

    cache = FileCache(tmp_path / "cache")
    path = tmp_path / "witness.yaml"
    path.write_text(WITNESS)
    extract_files([path], project_root=tmp_path, cache=cache)
    assert cache.directory is not None
    (entry,) = cache.directory.glob("*.json")
    return cache, entry


def test_extraction_entry_of_the_wrong_shape_is_a_miss(tmp_path: Path) -> None:
    cache, entry = _filled_file_cache(tmp_path)
    assert isinstance(cache.get(entry.stem), FileExtraction)  # the positive control
    original = entry.read_text()
    for bad in (
        original.replace('"line"', '"line_"', 1),  # a field renamed
        original.replace('"f":{"line":1,', '"f":{"line":[1],', 1),  # a wrong type
        json.dumps([1, 2, 3]),
    ):
        entry.write_text(bad)
        assert cache.get(entry.stem) is None
    data = json.loads(original)
    data["deps"] = {"probed": {}, "read": {"5": None}}
    entry.write_text(json.dumps(data))
    assert isinstance(cache.get(entry.stem), FileExtraction)
    data["deps"] = {"probed": {}, "read": {5: None}}
    entry.write_text(json.dumps(data).replace('"5"', "5"))
    assert cache.get(entry.stem) is None  # an int "path" would read file descriptor 5


def test_extraction_entry_with_a_wrong_field_type_is_a_miss(tmp_path: Path) -> None:
    cache, entry = _filled_file_cache(tmp_path)
    data = json.loads(entry.read_text())

    def poison(node: object) -> bool:
        """Make the first Span's line a str."""
        if isinstance(node, dict):
            if node.get("$c") == "Span":
                node["f"]["line"] = "five"
                return True
            return any(poison(v) for v in node.values())
        if isinstance(node, list):
            return any(poison(v) for v in node)
        return False

    assert poison(data["result"])
    entry.write_text(json.dumps(data))
    assert cache.get(entry.stem) is None


def test_fifo_extraction_entry(tmp_path: Path, deadline: None) -> None:
    cache, entry = _filled_file_cache(tmp_path)
    entry.unlink()
    os.mkfifo(entry)
    assert cache.get(entry.stem) is None


# -- --cache-dir '' -----------------------------------------------------------------------------


def test_empty_cache_dir_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {WITNESS_NAME: WITNESS})
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["check", "--cache-dir", "", "."], ["inspect", "--cache-dir", "", QWEN]):
        proc = run_cli(*command, cwd=tmp_path, timeout=120)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "--cache-dir" in proc.stderr and "--no-cache" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_empty_cache_dir_in_pyproject_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.lora-lint]\ncache-dir = ""\n', WITNESS_NAME: WITNESS})
    proc = run_cli("check", ".", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "cache-dir" in proc.stderr, proc.stdout + proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml", WITNESS_NAME]


# -- temporary result directories of killed runs ----------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_result_dirs_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f"{TEMP_PREFIX}{_dead_pid()}-abc"
    alive = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def"
    other = tmp_path / "lora-lint-something-else"
    for d in (dead, alive, other):
        d.mkdir()
        (d / "0.res").write_text("{}")
    assert clean_stale_dirs(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and alive.exists() and other.exists()


def _many_configs(root: Path, n: int = 40) -> None:
    body = "from peft import LoraConfig\n" + "".join(
        f"c{i} = LoraConfig(target_modules=['q_proj', 'v_proj'], r={i + 1})\n" for i in range(60)
    )
    write(root, {f"train_{i}.py": body for i in range(n)})


def test_sigkill_leftover_is_cleaned_by_the_next_run(tmp_path: Path) -> None:
    """A real SIGKILL in the middle of parallel parsing, then a second run."""
    project, tmp = tmp_path / "p", tmp_path / "tmp"
    tmp.mkdir()
    _many_configs(project)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp),
        "LORA_LINT_JOBS": "2",
        "LORA_LINT_CACHE_DIR": str(tmp_path / "cache"),
    }
    cmd = [sys.executable, "-m", "lora_lint", "check", "--offline", "--no-cache", "."]
    proc = subprocess.Popen(
        cmd, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(600):
            if any(p.name.startswith(TEMP_PREFIX) for p in tmp.iterdir()) or proc.poll():
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    time.sleep(0.5)  # the orphaned workers finish their share and exit
    left = [p for p in tmp.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert left, "SIGKILL should leave the result directory behind (control)"
    subprocess.run(cmd, cwd=project, env=env, capture_output=True, timeout=300, check=False)
    assert not [p for p in tmp.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_the_pool_survives_its_directory_being_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cleaner of another namespace removing a live run's directory costs only speed."""
    import shutil

    from lora_lint.extract import parallel

    _many_configs(tmp_path, n=20)
    real = parallel._notify
    gone = threading.Event()

    def remove_then_notify(on_outcome: object, outcomes: object) -> None:
        if not gone.is_set():
            gone.set()
            for p in Path(tempfile.gettempdir()).iterdir():
                if p.name.startswith(f"{TEMP_PREFIX}{os.getpid()}-"):
                    shutil.rmtree(p, ignore_errors=True)
        real(on_outcome, outcomes)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_notify", remove_then_notify)
    paths = sorted(tmp_path.glob("train_*.py"))
    out = parallel.extract_files(paths, project_root=tmp_path, cache=FileCache(None), workers=2)
    assert gone.is_set()
    assert all(isinstance(o, FileExtraction) and len(o.configs) == 60 for _, _, o in out)
