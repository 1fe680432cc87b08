"""Structural guards of the fast paths (not timings: those are in bench/run.py).

* a warm run over examples/ imports none of torch, transformers, peft, accelerate
  (nor libcst, huggingface_hub, rich: the per-file cache answers); tests/test_cache.py
  checks the same for torch on a small project, this extends it to the shipped examples
  and the lighter libraries;
* files without LoRA keys never reach libcst (text pre-filter), nor do files that name
  LoRA only in docstrings (second stage);
* the per-file extraction cache is keyed by content, invalidated when the file or a
  module it imports changes, and its JSON codec round-trips every extraction;
* parallel and serial extraction give identical, identically ordered results;
* the fast libcst traversal and positions give exactly libcst's callbacks and positions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from lora_lint.engine import Linter
from lora_lint.extract import filecache, parallel
from lora_lint.extract.cstwalk import positions, walk
from lora_lint.extract.filecache import FileCache, decode, encode
from lora_lint.extract.prefilter import needs_parse
from lora_lint.extract.python.catalog import PREFILTER_NEEDLES
from lora_lint.extract.types import FileExtraction
from lora_lint.settings import Settings

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = REPO / "tests" / "data"

PROBE = """
import sys
from lora_lint.cli import main
code = main(sys.argv[1:])
watched = ("torch", "transformers", "peft", "accelerate", "libcst", "huggingface_hub", "rich")
print("LOADED=" + ",".join(m for m in watched if m in sys.modules))
sys.exit(code)
"""

LORA_SCRIPT = """\
from peft import LoraConfig

TARGETS = ["q_proj", "v_proj"]
config = LoraConfig(r=8, target_modules=TARGETS)
"""

PLAIN_SCRIPT = """\
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.q_proj = nn.Linear(8, 8)

    def forward(self, x):
        return self.q_proj(x)
"""

DOCSTRING_ONLY = '''\
"""Training helpers.

The adapters use LoraConfig with target_modules from configs/lora.yaml (get_peft_model).
"""

def f(x):
    """Not a LoraConfig either."""
    return x
'''


def _probe(cache: Path, *paths: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--offline", "--cache-dir", str(cache), *paths],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _loaded(run: subprocess.CompletedProcess[str]) -> set[str]:
    return set(filter(None, run.stdout.rsplit("LOADED=", 1)[1].strip().split(",")))


def _report(run: subprocess.CompletedProcess[str]) -> str:
    return run.stdout.rsplit("LOADED=", 1)[0]


@pytest.mark.torch
def test_warm_examples_import_nothing_heavy(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _probe(cache, ".", cwd=EXAMPLES)
    assert cold.returncode in (0, 1), cold.stderr
    warm = _probe(cache, ".", cwd=EXAMPLES)
    assert warm.returncode == cold.returncode, warm.stderr
    assert _loaded(warm) == set(), "the warm path imported heavy modules"
    assert _report(warm) == _report(cold)


def test_run_without_lora_files_never_imports_libcst(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text(PLAIN_SCRIPT)
    (tmp_path / "ci.yaml").write_text("name: ci\non: push\njobs: {}\n")
    run = _probe(tmp_path / "cache", ".", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "libcst" not in _loaded(run)


class _ParseCounter:
    """Counts the files handed to libcst's parser (in this process)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        original = cst.parse_module

        def counting(source: str, *args: object, **kwargs: object) -> cst.Module:
            self.calls.append(source)
            return original(source, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(cst, "parse_module", counting)
        monkeypatch.setenv("LORA_LINT_JOBS", "1")  # extraction in this process


def _lint(root: Path, paths: list[Path], cache: Path | None) -> list[object]:
    settings = Settings(project_root=root, offline=True, cache_dir=cache, no_cache=cache is None)
    result = Linter(settings).run(paths)
    assert not result.errors
    return [encode(f) for f in result.findings] + [c.__dict__ for c in result.configs]


def test_files_without_lora_keys_never_reach_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _ParseCounter(monkeypatch)
    for i in range(20):
        (tmp_path / f"plain_{i}.py").write_text(PLAIN_SCRIPT)
    (tmp_path / "doc_only.py").write_text(DOCSTRING_ONLY)
    (tmp_path / "train.py").write_text(LORA_SCRIPT)
    (tmp_path / "data.yaml").write_text("shards:\n  - a.jsonl\n")
    _lint(tmp_path, sorted(tmp_path.iterdir()), cache=None)
    assert counter.calls == [LORA_SCRIPT]


def test_docstring_prefilter() -> None:
    assert not needs_parse(DOCSTRING_ONLY, PREFILTER_NEEDLES)
    assert not needs_parse(PLAIN_SCRIPT, PREFILTER_NEEDLES)
    assert needs_parse(LORA_SCRIPT, PREFILTER_NEEDLES)
    # a string that is not a statement by itself can feed a config
    assert needs_parse('KEY = "target_modules"\n', PREFILTER_NEEDLES)
    # comments are not analysed: conservative
    assert needs_parse("x = 1  # LoraConfig\n", PREFILTER_NEEDLES)
    # invalid syntax: libcst reports it
    assert needs_parse('"""LoraConfig"""\ndef (:\n', PREFILTER_NEEDLES)
    # non-ASCII text before a bare string on the same line (byte vs character columns)
    assert not needs_parse('x = "éé"; """target_modules"""\n', PREFILTER_NEEDLES)
    assert needs_parse('x = "éé"; y = "target_modules"\n', PREFILTER_NEEDLES)
    # a needle both in a docstring and in code
    assert needs_parse('"""LoraConfig"""\nfrom peft import LoraConfig\n', PREFILTER_NEEDLES)


def test_file_cache_is_keyed_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _ParseCounter(monkeypatch)
    project = tmp_path / "project"
    project.mkdir()
    script = project / "train.py"
    script.write_text(LORA_SCRIPT)
    cache = tmp_path / "cache"
    first = _lint(project, [script], cache)
    assert len(counter.calls) == 1
    second = _lint(project, [script], cache)
    assert len(counter.calls) == 1, "an unchanged file must come from the cache"
    assert second == first
    os.utime(script, ns=(1, 1))  # same content, other mtime: still a hit
    assert _lint(project, [script], cache) == first
    assert len(counter.calls) == 1
    script.write_text(LORA_SCRIPT.replace('"v_proj"', '"v_proj", "o_proj"'))
    changed = _lint(project, [script], cache)
    assert len(counter.calls) == 2
    assert changed != first
    assert "o_proj" in json.dumps(changed)


def test_file_cache_follows_imported_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _ParseCounter(monkeypatch)
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "consts.py").write_text('TARGETS = ["q_proj"]\n')
    script = project / "pkg" / "train.py"
    script.write_text(
        "from peft import LoraConfig\nfrom .consts import TARGETS\nfrom .later import EXTRA\n"
        "a = LoraConfig(target_modules=TARGETS)\nb = LoraConfig(target_modules=EXTRA)\n"
    )
    cache = tmp_path / "cache"
    first = json.dumps(_lint(project, [script], cache))
    assert "q_proj" in first
    parsed = len(counter.calls)
    assert json.dumps(_lint(project, [script], cache)) == first
    assert len(counter.calls) == parsed  # hit
    # the imported constant changes: the entry is stale
    # (another size too: context.py's in-process sibling cache goes by mtime and size)
    (project / "pkg" / "consts.py").write_text('TARGETS = ["k_proj", "o_proj"]\n')
    second = json.dumps(_lint(project, [script], cache))
    assert "k_proj" in second and len(counter.calls) > parsed
    parsed = len(counter.calls)
    # a module that did not exist appears: the entry is stale too
    (project / "pkg" / "later.py").write_text('EXTRA = ["gate_proj"]\n')
    third = json.dumps(_lint(project, [script], cache))
    assert "gate_proj" in third and len(counter.calls) > parsed


def test_corrupt_file_cache_entry_is_a_miss(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(LORA_SCRIPT)
    cache = tmp_path / "cache"
    first = _lint(tmp_path, [script], cache)
    (entry,) = (cache / f"extract-v{filecache.CACHE_FORMAT}").glob("*.json")
    for content in (b"", b"{", b'{"format": 1}', b'{"format": 1, "deps": {}, "result": 3}'):
        entry.write_bytes(content)
        assert _lint(tmp_path, [script], cache) == first


def _data_files() -> list[Path]:
    suffixes = {".py", ".yaml", ".yml", ".json", ".ipynb", ".sh"}
    found = [p for p in [*EXAMPLES.rglob("*"), *DATA.rglob("*")] if p.suffix in suffixes]
    return sorted(p for p in found if p.is_file() and p.stat().st_size < 1_000_000)


def test_codec_round_trips_every_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    results = parallel.extract_files(
        _data_files(), project_root=REPO, cache=FileCache(None), workers=1
    )
    configs = 0
    for _, _, outcome in results:
        if not isinstance(outcome, FileExtraction):
            continue
        data = json.loads(json.dumps(encode(outcome)))
        back = decode(data)
        assert back == outcome
        assert encode(back) == encode(outcome)  # fields excluded from == (key_spans...)
        configs += len(outcome.configs)
    assert configs >= 20


def test_parallel_and_serial_extraction_are_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    files = _data_files()
    assert len(files) >= parallel.MIN_PARALLEL
    serial = parallel.extract_files(files, project_root=REPO, cache=FileCache(None), workers=1)
    pooled = parallel.extract_files(files, project_root=REPO, cache=FileCache(None), workers=2)
    assert [(p, s) for p, s, _ in pooled] == [(p, s) for p, s, _ in serial]
    assert [p for p, _, _ in serial] == files
    assert [encode(o) for _, _, o in pooled] == [encode(o) for _, _, o in serial]


def test_a_dead_worker_costs_time_not_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies (a native crash in a parser...) leaves its files to this process."""
    monkeypatch.chdir(REPO)
    files = _data_files()
    serial = parallel.extract_files(files, project_root=REPO, cache=FileCache(None), workers=1)
    parent, victim = os.getpid(), display_path_of(files[len(files) // 2])
    original = parallel.run_job

    def crashing(job: parallel.Job, root: Path | None) -> tuple[object, dict[str, object]]:
        if os.getpid() != parent and job.shown == victim:
            os._exit(3)  # in a forked worker only
        return original(job, root)  # type: ignore[return-value]

    monkeypatch.setattr(parallel, "run_job", crashing)
    pooled = parallel.extract_files(files, project_root=REPO, cache=FileCache(None), workers=2)
    assert [encode(o) for _, _, o in pooled] == [encode(o) for _, _, o in serial]


def display_path_of(path: Path) -> str:
    from lora_lint.paths import display_path

    return display_path(path)


def test_pool_only_for_many_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LORA_LINT_JOBS", raising=False)
    assert parallel.worker_count(parallel.MIN_PARALLEL - 1) == 1
    many = parallel.worker_count(200)
    linux = sys.platform.startswith("linux")
    assert many == (2 if linux and parallel._cpu_count() >= 2 else 1)
    monkeypatch.setenv("LORA_LINT_JOBS", "1")
    assert parallel.worker_count(200) == 1


# -- the fast libcst traversal -------------------------------------------------------------

EDGE_SYNTAX = """\
x = f"{a}"
y = f"{a:>{width}.{prec}f} {b!r:10} {c=}"
match command.split():
    case [action]:
        pass
    case {"x": 1, **rest}:
        pass
    case Point(x=0, y=yy) | Point(x=yy):
        pass
if (n := len(a)) > 10:
    print(n)
try:
    pass
except* ValueError as e:
    pass
@dec(1)
async def skip_me(a, /, b, *, c=lambda q: q + 1, **kw) -> "T":
    async with a as b, c:
        await x
    async for i in y:
        yield from z
del a[1:2, ::3]
print(*a, **b); x = [i for i in range(3) if i for j in i]; s = {**a}
"""


class _Generic(cst.CSTVisitor):
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return not isinstance(node, cst.Lambda)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


class _Typed(cst.CSTVisitor):
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.events.append(("call", id(node)))

    def leave_Call(self, original_node: cst.Call) -> None:
        self.events.append(("/call", id(original_node)))

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", node.value))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.events.append(("def", node.name.value))
        return node.name.value != "skip_me"

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self.events.append(("fse", id(node)))


class _AttributeHooks(_Typed):
    def visit_Call_func(self, node: cst.Call) -> None:
        self.events.append(("call.func", id(node)))


def _sources() -> list[str]:
    files = sorted((REPO / "lora_lint").rglob("*.py")) + sorted(EXAMPLES.rglob("*.py"))
    return [EDGE_SYNTAX, *(f.read_text(encoding="utf-8") for f in files)]


@pytest.mark.parametrize("visitor", [_Generic, _Typed, _AttributeHooks])
def test_walk_gives_libcst_callbacks(visitor: type) -> None:
    for source in _sources():
        module = cst.parse_module(source)
        reference, fast = visitor(), visitor()
        module.visit(reference)
        walk(module, fast)
        assert fast.events == reference.events


def test_fast_positions_equal_metadata_wrapper() -> None:
    for source in _sources():
        module = cst.parse_module(source)
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        assert dict(positions(module)) == dict(expected)


# -- the program's fast exit after a cold run ------------------------------------------------


@pytest.mark.torch
def test_cold_program_run_output_is_complete(tmp_path: Path) -> None:
    """`python -m lora_lint` skips the teardown after importing torch: output and exit code
    must be intact."""
    (tmp_path / "adapter.yaml").write_text(
        "base_model: HuggingFaceTB/SmolLM2-135M\nadapter: lora\n"
        "lora_target_modules:\n  - q_proj\n  - v_prj\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "lora_lint",
            "check",
            ".",
            "--offline",
            "--format",
            "json",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert [f["code"] for f in report["findings"]] == ["LL001"]


def test_fast_exit_only_for_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    from lora_lint import fastexit

    monkeypatch.setitem(sys.modules, "torch", sys.modules.get("torch", object()))  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "argv", ["/usr/bin/lora-lint", "check"])
    assert fastexit.finish(3, ["check"]) == 3  # main(argv) from another program: no exit
    monkeypatch.setattr(sys, "argv", ["pytest"])
    assert fastexit.finish(2, None) == 2
    assert fastexit._is_program() is False
    monkeypatch.setattr(sys, "argv", ["/x/lora_lint/__main__.py"])
    assert fastexit._is_program() is True
