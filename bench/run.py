"""lora-lint performance benchmark (run by hand; not a test).

    python bench/run.py [--runs 5] [--heavy-runs 3] [--only examples,large,inspect]
                        [--json results.json] [--keep]

Builds its inputs in a temporary directory (a copy of ``examples/``, a generated
2,000-file repository, see ``bench/genrepo.py``), then runs every scenario in fresh
subprocesses (``python -m lora_lint ...``, the real interpreter, no shims) and
prints Markdown tables: medians with min-max, peak RSS, CPU time, and ratios
measured side by side. The scenarios of a group run in rounds (A B C, A B C, ...)
so that load changes on a shared machine hit them alike; a ratio is the median of
the per-round ratios.

Scenarios:
  examples  warm / cold ``lora-lint check`` on examples/, the scripted alternative
            (bench/alternative.py: meta-device model + get_peft_model per config),
            and the bare ``import torch, transformers, peft`` (the floor of any cold path)
  large     the generated repository: warm, cold, cold with serial extraction
            (LORA_LINT_JOBS=1), and the alternative on its configs
  inspect   ``lora-lint inspect`` of a 70B-sized model (80 layers), cold and warm

"cold" means an empty cache directory (no model inventories, no per-file extraction
results); "warm" means the cache a previous run left. Every scenario is run once,
untimed, before its timed runs (bytecode compiled, files in the page cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import genrepo  # noqa: E402

PY = sys.executable
INSPECT_MODEL = "meta-llama/Llama-3.1-70B"
HEAVY = ("torch", "transformers", "peft", "accelerate")

PROBE = (
    "import sys, runpy\n"
    "sys.argv = ['lora-lint', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('lora_lint', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "mods = ('torch', 'transformers', 'peft', 'accelerate', 'libcst', 'huggingface_hub', 'rich')\n"
    "print('LOADED=' + ','.join(m for m in mods if m in sys.modules), file=sys.stderr)\n"
)


# -- measuring one subprocess ---------------------------------------------------------------
@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    rc: int


@dataclass
class Scenario:
    key: str
    label: str
    cmd: list[str]
    cwd: Path
    env: dict[str, str]
    #: Emptied before every run (cold scenarios).
    fresh: Path | None = None
    ok_codes: tuple[int, ...] = (0,)
    samples: list[Sample] = field(default_factory=list)
    failure: str | None = None
    last_stdout: str = ""

    def run(self, record: bool = True) -> None:
        if self.failure is not None:
            return
        if self.fresh is not None:
            shutil.rmtree(self.fresh, ignore_errors=True)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=out, stderr=err)
            # wait4: this child's own rusage (its waited-for children, e.g. extraction
            # workers, are included in the CPU time; ru_maxrss is the largest process).
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            self.last_stdout = out.read().decode(errors="replace")
            stderr = err.read().decode(errors="replace")
        if proc.returncode not in self.ok_codes:
            self.failure = f"exit {proc.returncode}: {stderr.strip()[-600:]}"
            return
        if record:
            cpu = usage.ru_utime + usage.ru_stime
            self.samples.append(Sample(wall, cpu, usage.ru_maxrss / 1024, proc.returncode))


def run_rounds(group: list[Scenario], rounds: int) -> None:
    for scenario in group:  # warm-up, untimed
        scenario.run(record=False)
    for n in range(rounds):
        for scenario in group:
            scenario.run()
        print(f"  round {n + 1}/{rounds} done", file=sys.stderr)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def paired_ratio(a: Scenario, b: Scenario) -> float:
    """Median over rounds of a.wall / b.wall (same round: same machine load)."""
    pairs = [x.wall / y.wall for x, y in zip(a.samples, b.samples, strict=False) if y.wall]
    return median(pairs)


# -- inputs -------------------------------------------------------------------------------------
def snapshot(work: Path) -> tuple[Path, str]:
    """A copy of the lora_lint package: the runs measure one version of the code, even
    when the working tree is being edited meanwhile (the per-file cache's code
    fingerprint would otherwise turn warm runs into misses)."""
    src = work / "src"
    shutil.copytree(
        REPO / "lora_lint", src / "lora_lint", ignore=shutil.ignore_patterns("__pycache__")
    )
    rev = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return src, rev or "unknown"


def child_env(work: Path, src: Path) -> tuple[dict[str, str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LORA_LINT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    env.update(
        HF_HUB_OFFLINE="1",
        HF_HOME=str(work / "hf-home"),  # an empty Hub cache: bundled configs only
        TRANSFORMERS_VERBOSITY="error",
        NO_COLOR="1",
        TOKENIZERS_PARALLELISM="false",
    )
    env.pop("GITHUB_ACTIONS", None)
    note = "bytecode: as configured"
    if sys.flags.dont_write_bytecode or env.get("PYTHONDONTWRITEBYTECODE"):
        # An installed package has .pyc files; give the children a private bytecode cache
        # (compiled during the untimed warm-up runs) rather than compiling every run.
        prefix = Path(tempfile.gettempdir()) / "lora-lint-bench-pycache"
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(prefix)
        note = (
            "bytecode: PYTHONDONTWRITEBYTECODE was set; the children use "
            f"PYTHONPYCACHEPREFIX={prefix}"
        )
    return env, note


def config_specs(root: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every LoRA config under ``root`` with its resolved base model (for the alternative),
    and how many files reached each stage of extraction."""
    import libcst

    from lora_lint.engine import Linter, might_contain_config
    from lora_lint.extract.filecache import FileCache
    from lora_lint.extract.parallel import extract_files
    from lora_lint.extract.types import FileExtraction
    from lora_lint.models.resolve import ResolvedModel
    from lora_lint.settings import load_settings

    cwd = Path.cwd()
    os.chdir(root)
    original_parse = libcst.parse_module
    parsed: list[int] = []

    def counting(source: str, *args: object, **kwargs: object) -> object:
        parsed.append(1)
        return original_parse(source, *args, **kwargs)  # type: ignore[arg-type]

    try:
        settings = load_settings(root)
        settings.offline = True
        settings.no_cache = True
        linter = Linter(settings)
        files = linter.files([Path(".")])
        prefiltered = sum(
            1 for f in files if might_contain_config(f, f.read_text(encoding="utf-8"))
        )
        libcst.parse_module = counting  # type: ignore[assignment]
        os.environ["LORA_LINT_JOBS"] = "1"
        results = extract_files(files, project_root=settings.project_root, cache=FileCache(None))
    finally:
        libcst.parse_module = original_parse
        os.environ.pop("LORA_LINT_JOBS", None)
        os.chdir(cwd)
    specs: list[dict[str, Any]] = []
    for _, _, outcome in results:
        if not isinstance(outcome, FileExtraction):
            continue
        for config in outcome.configs:
            os.chdir(root)
            try:
                ctx = linter._context(config)
                head = linter._head(ctx)
            finally:
                os.chdir(cwd)
            if not isinstance(ctx.resolution, ResolvedModel):
                continue
            options = ctx.options
            kwargs = {
                name: getattr(options, name)
                for name in (
                    "target_modules",
                    "exclude_modules",
                    "modules_to_save",
                    "layers_to_transform",
                    "layers_pattern",
                    "target_parameters",
                    "task_type",
                    "r",
                    "lora_alpha",
                    "rank_pattern",
                    "alpha_pattern",
                    "lora_dropout",
                    "use_dora",
                    "bias",
                )
                if getattr(options, name) is not None
            }
            if config.add_all_linear_leaves:
                kwargs["target_modules"] = "all-linear"
            specs.append(
                {
                    "where": f"{config.path}:{config.span.line}",
                    "config": ctx.resolution.config,
                    "head": head,
                    "peft_type": options.peft_type,
                    "kwargs": kwargs,
                }
            )
    counts = {
        "files": len(files),
        "python_files": sum(1 for f in files if f.suffix == ".py"),
        "pass_text_prefilter": prefiltered,
        "parsed_by_libcst": len(parsed),
        "configs": sum(len(o.configs) for _, _, o in results if isinstance(o, FileExtraction)),
        "models": len({json.dumps(s["config"], sort_keys=True) for s in specs}),
    }
    return specs, counts


# -- machine ------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "missing"

    try:
        import yaml

        libyaml = "yes" if getattr(yaml, "__with_libyaml__", False) else "no"
    except ImportError:
        libyaml = "no"
    return {
        "cpu": f"{cpu}, {usable} usable cores ({os.cpu_count()} logical)",
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": ", ".join(
            f"{d} {version(d)}"
            for d in ("lora-lint", "torch", "transformers", "peft", "libcst", "PyYAML")
        )
        + f" (libyaml: {libyaml})",
    }


# -- report -------------------------------------------------------------------------------------
def fmt(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def table(scenarios: list[Scenario]) -> list[str]:
    lines = [
        "| Scenario | Runs | Median wall (s) | Min–max (s) | CPU (s) | Peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        if s.failure is not None:
            lines.append(f"| {s.label} | – | failed: {s.failure[:80]} | | | |")
            continue
        walls = [x.wall for x in s.samples]
        lines.append(
            f"| {s.label} | {len(walls)} | {fmt(median(walls))} | "
            f"{fmt(min(walls))}–{fmt(max(walls))} | {fmt(median([x.cpu for x in s.samples]))} | "
            f"{max(x.rss_mb for x in s.samples):.0f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of cheap scenarios")
    parser.add_argument("--heavy-runs", type=int, default=3, help="timed runs of slow ones")
    parser.add_argument("--only", default="examples,large,inspect")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    groups = set(args.only.split(","))

    work = Path(tempfile.mkdtemp(prefix="lora-lint-bench-"))
    src, revision = snapshot(work)
    sys.path.insert(0, str(src))  # the bench's own (untimed) analysis uses the snapshot too
    env, bytecode_note = child_env(work, src)
    info = machine()
    load_before = os.getloadavg()
    print("## lora-lint benchmark\n")
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(f"- code: lora-lint {revision} (a snapshot copied at start)")
    print(f"- {bytecode_note}")
    print(f"- load average at start: {load_before[0]:.2f}\n")

    lint = [PY, "-m", "lora_lint"]
    all_scenarios: list[Scenario] = []
    ratios: list[tuple[str, float, str]] = []
    facts: list[str] = []
    verdicts: list[tuple[str, str, bool | None]] = []

    if "examples" in groups:
        print("building inputs: examples/ ...", file=sys.stderr)
        ex = work / "examples"
        shutil.copytree(REPO / "examples", ex)
        specs, counts = config_specs(ex)
        (work / "specs-examples.json").write_text(json.dumps(specs))
        warm_cache = work / "cache-examples-warm"
        check = [*lint, "check", ".", "--offline", "-q", "--cache-dir"]
        warm = Scenario(
            "ex-warm", "examples/: warm check", [*check, str(warm_cache)], ex, env, ok_codes=(0, 1)
        )
        cold_cache = work / "cache-examples-cold"
        cold = Scenario(
            "ex-cold",
            "examples/: cold check (empty cache)",
            [*check, str(cold_cache)],
            ex,
            env,
            fresh=cold_cache,
            ok_codes=(0, 1),
        )
        alt = Scenario(
            "ex-alt",
            "examples/: scripted alternative (meta + get_peft_model)",
            [PY, str(HERE / "alternative.py"), str(work / "specs-examples.json")],
            ex,
            env,
        )
        each = Scenario(
            "ex-alt-each",
            "examples/: alternative, one script run per config",
            [PY, str(HERE / "alternative.py"), str(work / "specs-examples.json"), "--each"],
            ex,
            env,
        )
        floor = Scenario(
            "floor",
            "bare `import torch, transformers, peft`",
            [PY, "-c", "import torch, transformers, peft"],
            ex,
            env,
        )
        group = [warm, cold, each, alt, floor]
        print("running: examples", file=sys.stderr)
        run_rounds(group, args.runs)
        all_scenarios += group
        facts.append(
            f"examples/: {counts['files']} files, {counts['configs']} LoRA configs, "
            f"{counts['models']} distinct base models; the alternative checked "
            f"{len(specs)} of them ({alt.last_stdout.strip()[:160]})"
        )
        probe = subprocess.run(
            [PY, "-c", PROBE, "check", ".", "--offline", "-q", "--cache-dir", str(warm_cache)],
            cwd=ex,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        loaded = probe.stderr.rsplit("LOADED=", 1)[-1].strip()
        heavy = [m for m in loaded.split(",") if m in HEAVY]
        facts.append(
            f"modules a warm run of examples/ imports, of {', '.join(HEAVY)}, libcst, "
            f"huggingface_hub, rich: {loaded or 'none'}"
        )
        r_cold = paired_ratio(cold, floor)
        r_each_warm = paired_ratio(each, warm)
        r_each_cold = paired_ratio(each, cold)
        r_alt_warm = paired_ratio(alt, warm)
        r_alt_cold = paired_ratio(alt, cold)
        ratios += [
            ("examples cold / import floor", r_cold, "≤ 1.3"),
            ("examples alternative (one run per config) / warm", r_each_warm, "≥ 10"),
            ("examples alternative (one run per config) / cold", r_each_cold, "≥ 2"),
            ("examples alternative (one process) / warm", r_alt_warm, "≥ 10"),
            ("examples alternative (one process) / cold", r_alt_cold, "≥ 2"),
        ]
        warm_wall = median([x.wall for x in warm.samples])
        warm_rss = max((x.rss_mb for x in warm.samples), default=float("nan"))
        verdicts += [
            ("warm examples/ < 0.4 s", f"{fmt(warm_wall)} s", warm_wall < 0.4),
            ("warm run imports no torch/transformers/peft", loaded or "none", not heavy),
            ("cold ≤ 1.3 × import floor", f"{r_cold:.2f}×", r_cold <= 1.3),
            (
                "≥ 10× faster than the alternative, warm (examples/: per config | one process)",
                f"{r_each_warm:.1f}× | {r_alt_warm:.1f}×",
                min(r_each_warm, r_alt_warm) >= 10,
            ),
            (
                "≥ 2× faster than the alternative, cold (examples/: per config | one process)",
                f"{r_each_cold:.1f}× | {r_alt_cold:.2f}×",
                min(r_each_cold, r_alt_cold) >= 2,
            ),
            ("peak RSS of a warm check < 150 MB", f"{warm_rss:.0f} MB", warm_rss < 150),
        ]

    if "large" in groups:
        print("building inputs: generated repository ...", file=sys.stderr)
        big = work / "large-repo"
        shape = genrepo.generate(big)
        specs, counts = config_specs(big)
        (work / "specs-large.json").write_text(json.dumps(specs))
        check = [*lint, "check", ".", "--offline", "-q", "--cache-dir"]
        warm_cache = work / "cache-large-warm"
        cold_cache = work / "cache-large-cold"
        warm = Scenario(
            "lg-warm",
            "large repo: warm check",
            [*check, str(warm_cache)],
            big,
            env,
            ok_codes=(0, 1),
        )
        cold = Scenario(
            "lg-cold",
            "large repo: cold check",
            [*check, str(cold_cache)],
            big,
            env,
            fresh=cold_cache,
            ok_codes=(0, 1),
        )
        serial_env = {**env, "LORA_LINT_JOBS": "1"}
        serial = Scenario(
            "lg-serial",
            "large repo: cold check, serial extraction",
            [*check, str(cold_cache)],
            big,
            serial_env,
            fresh=cold_cache,
            ok_codes=(0, 1),
        )
        alt = Scenario(
            "lg-alt",
            "large repo: scripted alternative",
            [PY, str(HERE / "alternative.py"), str(work / "specs-large.json")],
            big,
            env,
        )
        group = [warm, cold, serial, alt]
        print("running: large", file=sys.stderr)
        run_rounds(group, args.heavy_runs)
        all_scenarios += group
        facts.append(
            f"large repo: {shape['python_files']} Python files ({shape['python_lines']:,} lines), "
            f"{shape['yaml_files']} YAML files; {counts['pass_text_prefilter']} files pass the "
            f"text pre-filter, {counts['parsed_by_libcst']} reach libcst "
            f"({shape['python_with_lora']} Python files with LoRA; "
            f"{shape['python_mentioning_lora']} name it in docstrings only); "
            f"{counts['configs']} LoRA configs over {counts['models']} base models"
        )
        from lora_lint.extract.parallel import worker_count

        py_candidates = counts["parsed_by_libcst"]
        workers = worker_count(py_candidates)
        cpu_ratio = median([x.cpu / x.wall for x in cold.samples])
        facts.append(
            f"large repo cold: extraction used {workers} worker processes; CPU time / wall "
            f"{cpu_ratio:.2f} (serial extraction: "
            f"{median([x.cpu / x.wall for x in serial.samples]):.2f})"
        )
        w = median([x.wall for x in warm.samples])
        c = median([x.wall for x in cold.samples])
        r_alt_warm = paired_ratio(alt, warm)
        r_alt_cold = paired_ratio(alt, cold)
        ratios += [
            ("large cold / cold with serial extraction", paired_ratio(cold, serial), "< 1"),
            ("large alternative / warm", r_alt_warm, "≥ 10"),
            ("large alternative / cold", r_alt_cold, "≥ 2"),
        ]
        verdicts += [
            (
                "≥ 10× / ≥ 2× faster than the alternative (large repo, one process), warm / cold",
                f"{r_alt_warm:.1f}× / {r_alt_cold:.2f}×",
                r_alt_warm >= 10 and r_alt_cold >= 2,
            ),
            ("large repo warm < 2 s", f"{fmt(w)} s", w < 2),
            ("large repo cold < 6 s", f"{fmt(c)} s", c < 6),
            (
                "files without LoRA keys never reach libcst",
                f"{counts['parsed_by_libcst']} of {counts['python_files']} Python files parsed",
                counts["parsed_by_libcst"] <= shape["python_with_lora"],
            ),
            (
                "parsing uses both cores",
                f"{workers} workers, CPU/wall {cpu_ratio:.2f}",
                workers >= 2,
            ),
        ]

    if "inspect" in groups:
        cache = work / "cache-inspect"
        inspect = [*lint, "inspect", INSPECT_MODEL, "--offline", "--cache-dir", str(cache)]
        cold = Scenario(
            "in-cold", f"inspect {INSPECT_MODEL} (80 layers): cold", inspect, work, env, fresh=cache
        )
        warm = Scenario("in-warm", f"inspect {INSPECT_MODEL}: warm", inspect, work, env)
        available = subprocess.run(
            [*lint, "inspect", "--help"], env=env, capture_output=True, check=False
        )
        if available.returncode != 0:
            print("inspect: `lora-lint inspect` is not available; skipped", file=sys.stderr)
            facts.append("inspect: skipped (`lora-lint inspect` not available)")
        else:
            group = [cold, warm]  # cold first in each round: warm then reads its cache
            print("running: inspect", file=sys.stderr)
            run_rounds(group, args.runs)
            all_scenarios += group
            iw = median([x.wall for x in warm.samples])
            verdicts.append(("inspect warm < 0.5 s", f"{fmt(iw)} s", iw < 0.5))

    load_after = os.getloadavg()
    print("### Timings\n")
    print("\n".join(table(all_scenarios)))
    print("\n### Ratios (median of per-round ratios, same rounds)\n")
    print("| Ratio | Value | Goal |\n|---|---:|---|")
    for ratio_name, ratio, goal in ratios:
        print(f"| {ratio_name} | {ratio:.2f}× | {goal} |")
    print("\n### Goals\n")
    print("| Goal | Measured | Holds |\n|---|---|---|")
    for goal_name, measured, holds in verdicts:
        print(f"| {goal_name} | {measured} | {'yes' if holds else 'NO'} |")
    print("\n### Inputs and facts\n")
    for fact in facts:
        print(f"- {fact}")
    print(f"- load average at end: {load_after[0]:.2f} (start {load_before[0]:.2f})")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "scenarios": {
                        s.key: {
                            "label": s.label,
                            "failure": s.failure,
                            "samples": [x.__dict__ for x in s.samples],
                        }
                        for s in all_scenarios
                    },
                    "ratios": ratios,
                    "goals": verdicts,
                    "facts": facts,
                    "load": [load_before, load_after],
                },
                indent=2,
            )
        )
    if args.keep:
        print(f"\n(inputs kept in {work})", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any(s.failure for s in all_scenarios) else 0


if __name__ == "__main__":
    raise SystemExit(main())
