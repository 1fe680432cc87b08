"""The ecosystem check: lora-lint over public repositories at pinned commits.

Like ruff's ecosystem check, it shows what a change to lora-lint does on real code:
per repository, the files scanned, the LoRA configs found and checked, and the errors
and warnings by code. With ``--verify`` every ERROR is replayed with the real PEFT on
a meta-device model and labelled TRUE/FALSE/UNVERIFIED (see ``ecosystem_verify.py``);
``--compare OLD.json`` shows the change per code and lists every TRUE error lost.

It never downloads: checkouts are read from ``--repos-dir`` (default
``$LORA_LINT_ECOSYSTEM_DIR`` or ``~/.cache/lora-lint-ecosystem``), one folder per
repository, made by ``--prepare-from-mirror DIR`` from local git directories with
``git archive <pinned commit> | tar -x``. A missing checkout is reported and skipped.

    python scripts/ecosystem.py --prepare-from-mirror /path/to/git-dirs
    python scripts/ecosystem.py --verify --output docs/ecosystem.md --json docs/baseline.json
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: this checkout's lora_lint
    sys.path.insert(0, str(ROOT))

SCHEMA_VERSION = 1
#: The file in each checkout that records which commit it holds.
MARKER = ".lora-lint-ecosystem-commit"
DEFAULT_TIMEOUT = 3600
#: Findings that mean "this config was not checked" (no model, or unresolved values).
NOT_CHECKED = ("LL010", "LL011")


@dataclass(frozen=True)
class Repo:
    """A public repository at a pinned commit."""

    name: str
    commit: str

    @property
    def folder(self) -> str:
        return self.name.replace("/", "+")


REPOS: tuple[Repo, ...] = (
    Repo("huggingface/peft", "5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40"),
    Repo("huggingface/trl", "f2cd57710ae345ea6428ae95363267fcf38a3dc8"),
    Repo("unslothai/notebooks", "bdda2efc7ad5ae129ea63cd2065d23c391406283"),
    Repo("axolotl-ai-cloud/axolotl", "067b021c8b87a9e5e380b9173c704cf7340e30f5"),
    Repo("hiyouga/LLaMA-Factory", "ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30"),
    Repo("modelscope/ms-swift", "3602360a562313afbf2ef6065fdf61f271a2c5b9"),
)


@dataclass
class FindingRecord:
    path: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    target: str | None
    model: str | None
    model_class: str | None = None
    config_line: int | None = None
    #: How lora-lint linked the model to the config (origin and line): the replay trusts it.
    model_link: str | None = None
    #: Where that model reference sits relative to the config in a .py file: "same function",
    #: "module level", "another function" (a link the replay cannot vouch for) or None.
    link_scope: str | None = None
    verdict: str | None = None
    reason: str | None = None


@dataclass
class RepoReport:
    name: str
    commit: str
    #: "ok", "missing" (no checkout), "timeout" or "failed"
    status: str = "ok"
    detail: str = ""
    #: lint time (cold model builds included), then the --verify replay time
    seconds: float = 0.0
    verify_seconds: float = 0.0
    files: int = 0
    configs: int = 0
    checked: int = 0
    #: Configs that name their targets (``names_explicit_targets``) and how many of those
    #: lora-lint judged against their model (None: a report from before the metric existed).
    explicit: int | None = None
    explicit_checked: int | None = None
    #: Why the other explicit-target configs were not checked: reason -> count.
    unchecked_explicit: dict[str, int] = field(default_factory=dict)
    #: Model ids named by unchecked explicit-target configs that are neither bundled nor
    #: cached (offline): id -> configs.
    missing_models: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    infos: dict[str, int] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)
    #: every ERROR finding (with its verdict under --verify)
    findings: list[FindingRecord] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepoReport:
        data = dict(data)
        findings = [FindingRecord(**f) for f in data.pop("findings", [])]
        return cls(**data, findings=findings)


# -- checkouts ----------------------------------------------------------------------------


def default_repos_dir() -> Path:
    env = os.environ.get("LORA_LINT_ECOSYSTEM_DIR")
    return Path(env) if env else Path.home() / ".cache" / "lora-lint-ecosystem"


def checkout_problem(repo: Repo, repos_dir: Path) -> str | None:
    """Why the checkout of ``repo`` cannot be used (None: it is there, at the pinned commit)."""
    folder = repos_dir / repo.folder
    if not folder.is_dir():
        return (
            f"no checkout at {folder}; make it with --prepare-from-mirror DIR "
            "(a folder holding a git directory of the repository)"
        )
    marker = folder / MARKER
    held = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    if held != repo.commit:
        return (
            f"{folder} holds commit {held or 'unknown'}, pinned is {repo.commit}; "
            "rerun --prepare-from-mirror"
        )
    return None


def find_git_dir(repo: Repo, mirror: Path) -> Path | None:
    """A git directory of ``repo`` under ``mirror`` (several common layouts)."""
    owner, name = repo.name.split("/")
    for candidate in (
        mirror / repo.folder / "repo",
        mirror / repo.folder,
        mirror / f"{repo.folder}.git",
        mirror / owner / name,
        mirror / owner / f"{name}.git",
        mirror / name,
        mirror / f"{name}.git",
    ):
        if candidate.is_dir() and _has_commit(candidate, repo.commit):
            return candidate
    return None


def _has_commit(git_dir: Path, commit: str) -> bool:
    probe = subprocess.run(
        ["git", "-C", str(git_dir), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def prepare_checkout(repo: Repo, git_dir: Path, repos_dir: Path) -> Path:
    """Materialize the pinned commit: ``git archive <commit> | tar -x`` into a fresh folder."""
    repos_dir.mkdir(parents=True, exist_ok=True)
    target = repos_dir / repo.folder
    staging = Path(tempfile.mkdtemp(prefix=f".{repo.folder}-", dir=repos_dir))
    try:
        archive = subprocess.Popen(
            ["git", "-C", str(git_dir), "archive", "--format=tar", repo.commit],
            stdout=subprocess.PIPE,
        )
        untar = subprocess.run(["tar", "-x", "-C", str(staging)], stdin=archive.stdout, check=False)
        if archive.stdout is not None:
            archive.stdout.close()
        if archive.wait() != 0 or untar.returncode != 0:
            raise RuntimeError(f"git archive | tar -x failed for {repo.name}")
        (staging / MARKER).write_text(repo.commit + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp makes it private
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def prepare_from_mirror(
    mirror: Path, repos_dir: Path, repos: Sequence[Repo], out: Any = sys.stderr
) -> int:
    """Materialize every repository found under ``mirror``; the number of failures."""
    failures = 0
    for repo in repos:
        if checkout_problem(repo, repos_dir) is None:
            print(f"{repo.name}: checkout at {repo.commit[:12]} already there", file=out)
            continue
        git_dir = find_git_dir(repo, mirror)
        if git_dir is None:
            print(f"{repo.name}: no git dir with commit {repo.commit} under {mirror}", file=out)
            failures += 1
            continue
        path = prepare_checkout(repo, git_dir, repos_dir)
        print(f"{repo.name}: {repo.commit[:12]} -> {path}", file=out)
    return failures


# -- linting ------------------------------------------------------------------------------


class _Recorder:
    """Wraps one rule: remembers which config (context) produced each finding."""

    def __init__(
        self, rule: Any, sink: list[tuple[Any, Any]], seen: dict[int, Any] | None = None
    ) -> None:
        self.rule = rule
        self.code = rule.code
        self.sink = sink
        self.seen = seen if seen is not None else {}

    def check(self, ctx: Any) -> Iterator[Any]:
        self.seen.setdefault(id(ctx), ctx)
        found = list(self.rule.check(ctx))
        self.sink.extend((f, ctx) for f in found)
        return iter(found)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rule, name)


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def link_key(finding: Any) -> tuple[Any, ...]:
    """What identifies a rule's finding after the run (the engine rewrites some fields,
    e.g. a notebook finding's ``location_hint``, after the rules)."""
    return (finding.code, finding.path, finding.span, finding.target, finding.message)


@dataclass
class LintRun:
    """One lora-lint run over a checkout, with each rule finding's config."""

    result: Any
    #: link_key(finding) -> the ConfigContext whose rules produced it (rule findings only)
    config_of: dict[Any, Any]
    #: configs whose own findings include LL010/LL011
    unchecked: int
    seconds: float
    #: every config's context, in the order the rules saw them
    contexts: list[Any] = field(default_factory=list)


def lint_checkout(root: Path, cache_dir: Path) -> LintRun:
    """Run lora-lint offline over ``root`` (paths shown relative to it)."""
    from lora_lint.engine import Linter
    from lora_lint.settings import Settings

    root = root.resolve()
    sink: list[tuple[Any, Any]] = []
    seen: dict[int, Any] = {}
    started = time.perf_counter()
    with _cwd(root):
        settings = Settings(project_root=root, offline=True, cache_dir=cache_dir)
        linter = Linter(settings)
        linter.rules = [_Recorder(rule, sink, seen) for rule in linter.rules]  # type: ignore[misc]
        result = linter.run([Path(".")])
    seconds = time.perf_counter() - started
    config_of: dict[Any, Any] = {}
    unchecked: dict[int, Any] = {}
    for finding, ctx in sink:
        config_of.setdefault(link_key(finding), ctx)
        if finding.code in NOT_CHECKED:
            unchecked[id(ctx)] = ctx
    return LintRun(result, config_of, len(unchecked), seconds, list(seen.values()))


def report_of(repo: Repo, root: Path, run: LintRun, verifier: Any = None) -> RepoReport:
    """Summarize a run (and label its errors when a verifier is given)."""
    from lora_lint.diagnostics import Severity

    result = run.result
    report = RepoReport(repo.name, repo.commit, seconds=round(run.seconds, 1))
    report.files = result.files_checked
    report.configs = len(result.configs)
    report.checked = report.configs - run.unchecked
    coverage = explicit_coverage(run.contexts)
    report.explicit, report.explicit_checked = coverage.configs, coverage.checked
    report.unchecked_explicit = dict(coverage.reasons.most_common())
    report.missing_models = dict(coverage.missing_models.most_common())
    report.internal_errors = list(result.errors)
    by_severity = {
        Severity.ERROR: Counter[str](),
        Severity.WARNING: Counter[str](),
        Severity.INFO: Counter[str](),
    }
    for finding in result.findings:
        by_severity[finding.severity][finding.code] += 1
    report.errors = dict(sorted(by_severity[Severity.ERROR].items()))
    report.warnings = dict(sorted(by_severity[Severity.WARNING].items()))
    report.infos = dict(sorted(by_severity[Severity.INFO].items()))
    started = time.perf_counter()
    scopes = _Scopes(root)
    for finding in result.findings:
        if finding.severity is not Severity.ERROR:
            continue
        ctx = run.config_of.get(link_key(finding))
        inventory = getattr(ctx, "inventory", None)
        record = FindingRecord(
            path=finding.path,
            line=finding.span.line,
            column=finding.span.column,
            code=finding.code,
            severity=finding.severity.value,
            message=finding.message,
            target=finding.target,
            model=finding.model,
            model_class=inventory.class_name if inventory is not None else None,
            config_line=ctx.config.span.line if ctx is not None else None,
            model_link=_model_link(ctx),
            link_scope=scopes.scope(ctx),
        )
        if verifier is not None:
            verdict = verifier.verify(finding, ctx, root)
            record.verdict, record.reason = verdict.label, verdict.reason
        report.findings.append(record)
    if verifier is not None:
        report.verdicts = dict(sorted(Counter(f.verdict or "" for f in report.findings).items()))
        report.verify_seconds = round(time.perf_counter() - started, 1)
    return report


@dataclass
class Coverage:
    """The issue-13 metric: of the configs that name their targets, how many were checked."""

    configs: int = 0
    checked: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    missing_models: Counter[str] = field(default_factory=Counter)


#: ``unchecked_reason`` for a Hub id that is neither bundled nor cached (offline run).
NOT_BUNDLED = "model not bundled"
#: ``unchecked_reason`` for a config applied to an ``nn.Module`` class of the linted code
#: (a test's toy model): no Hugging Face model exists to check it against.
OWN_MODULE = "applied to a module class of the linted code"


def explicit_coverage(contexts: Sequence[Any]) -> Coverage:
    """Count the explicit-target configs and, for the unchecked ones, why (one reason each)."""
    from lora_lint.rules.ll010_unresolved_model import names_explicit_targets

    out = Coverage()
    for ctx in contexts:
        if not names_explicit_targets(ctx.config):
            continue
        out.configs += 1
        if ctx.verdict is not None:  # the JSON's "checked": judged against its model
            out.checked += 1
            continue
        reason = unchecked_reason(ctx)
        out.reasons[reason] += 1
        if reason == NOT_BUNDLED:
            out.missing_models[ctx.model_ref.name] += 1
    return out


def unchecked_reason(ctx: Any) -> str:
    """A short category of why lora-lint did not judge ``ctx`` (for the coverage table)."""
    from lora_lint.extract.types import Unresolved
    from lora_lint.models.resolve import ResolutionFailure

    if ctx.model_ref is None:
        if ctx.config.facts.applied_to:
            return OWN_MODULE
        return "no model linked"
    resolution = ctx.resolution
    if isinstance(resolution, ResolutionFailure):
        if "Hub is offline" in resolution.reason:
            return NOT_BUNDLED
        if "does not exist" in resolution.reason:
            return "local model path not in the repository"
        if "neither an existing path" in resolution.reason:
            return "model name is not a repo id or path"
        return "model not resolved"
    if ctx.inventory is None:
        return "model not built"
    if isinstance(ctx.config.target_modules, Unresolved):
        return "target_modules not evaluable"
    return ctx.not_judged or f"PEFT method {ctx.options.peft_type} not modelled"


class _Scopes:
    """Which function of a .py file holds a line (Python's own ast; parsed once a file)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._defs: dict[str, list[tuple[int, int]]] = {}

    def _functions(self, path: str) -> list[tuple[int, int]]:
        if path not in self._defs:
            spans: list[tuple[int, int]] = []
            try:
                tree = ast.parse((self.root / path).read_text(encoding="utf-8-sig"))
            except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                tree = None
            for node in ast.walk(tree) if tree is not None else ():
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    spans.append((node.lineno, node.end_lineno or node.lineno))
            self._defs[path] = spans
        return self._defs[path]

    def scope(self, ctx: Any) -> str | None:
        ref = getattr(ctx, "model_ref", None)
        if ref is None or ref.span is None or not ctx.config.path.endswith(".py"):
            return None
        if ref.source_path not in (None, ctx.config.path):
            return "another file"
        functions = self._functions(ctx.config.path)
        holding = [f for f in functions if f[0] <= ref.span.line <= f[1]]
        if not holding:
            return "module level"
        innermost = max(holding)
        line = ctx.config.span.line
        return "same function" if innermost[0] <= line <= innermost[1] else "another function"


def _model_link(ctx: Any) -> str | None:
    ref = getattr(ctx, "model_ref", None)
    if ref is None:
        return None
    where = f" at line {ref.span.line}" if ref.span is not None else ""
    source = f" of {ref.source_path}" if ref.source_path else ""
    return f"{ref.origin or 'model reference'}{where}{source}"


def run_repo(
    repo: Repo, repos_dir: Path, cache_dir: Path, verify: bool, time_limit: float
) -> RepoReport:
    """Lint one checkout in this process (the worker side of ``run_all``)."""
    problem = checkout_problem(repo, repos_dir)
    if problem is not None:
        return RepoReport(repo.name, repo.commit, status="missing", detail=problem)
    root = repos_dir / repo.folder
    run = lint_checkout(root, cache_dir)
    verifier = None
    if verify:
        from ecosystem_verify import Verifier

        verifier = Verifier(time_limit)
    return report_of(repo, root, run, verifier)


def run_all(
    repos: Sequence[Repo],
    repos_dir: Path,
    cache_dir: Path,
    *,
    verify: bool,
    jobs: int,
    timeout: float,
    time_limit: float,
) -> list[RepoReport]:
    """Each repository in its own process (a per-repo timeout; a crash stays local)."""

    def one(repo: Repo) -> RepoReport:
        problem = checkout_problem(repo, repos_dir)
        if problem is not None:
            print(f"{repo.name}: skipped: {problem}", file=sys.stderr)
            return RepoReport(repo.name, repo.commit, status="missing", detail=problem)
        print(f"{repo.name}: linting{' and verifying' if verify else ''}...", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp, "report.json")
            cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", repo.name]
            cmd += ["--worker-commit", repo.commit]
            cmd += ["--repos-dir", str(repos_dir), "--cache-dir", str(cache_dir)]
            cmd += ["--worker-output", str(out), "--time-limit", str(time_limit)]
            cmd += ["--verify"] if verify else []
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *_pythonpath()]))
            started = time.perf_counter()
            try:
                proc = subprocess.run(
                    cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False
                )
            except subprocess.TimeoutExpired:
                detail = f"timed out after {timeout:.0f} s"
                print(f"{repo.name}: {detail}", file=sys.stderr)
                return RepoReport(repo.name, repo.commit, status="timeout", detail=detail)
            if proc.returncode != 0 or not out.is_file():
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
                return RepoReport(repo.name, repo.commit, status="failed", detail=tail[0])
            report = RepoReport.from_dict(json.loads(out.read_text(encoding="utf-8")))
            print(f"{repo.name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            return report

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, repos))


def _pythonpath() -> list[str]:
    current = os.environ.get("PYTHONPATH", "")
    return [p for p in current.split(os.pathsep) if p]


# -- output -------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    from importlib import metadata

    import lora_lint

    out = {"python": platform.python_version(), "lora-lint": lora_lint.__version__}
    for dist in ("torch", "transformers", "peft"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def document(reports: Sequence[RepoReport], verify: bool) -> dict[str, Any]:
    order = {r.name: i for i, r in enumerate(REPOS)}
    reports = sorted(reports, key=lambda r: order.get(r.name, len(order)))
    return {
        "version": SCHEMA_VERSION,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions(),
        "verified": verify,
        "repos": [asdict(r) for r in reports],
    }


def _codes(counts: dict[str, int]) -> str:
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "-"


def markdown(doc: dict[str, Any]) -> str:
    reports = [RepoReport.from_dict(r) for r in doc["repos"]]
    verify = bool(doc.get("verified"))
    v = doc.get("versions", {})
    lines = [
        "# lora-lint ecosystem check",
        "",
        f"Run {doc.get('date')}: lora-lint {v.get('lora-lint')}, transformers "
        f"{v.get('transformers')}, peft {v.get('peft')}, torch {v.get('torch')}, "
        f"Python {v.get('python')}. Offline, a fresh cache (cold model builds).",
        "",
    ]
    head = ["repository", "commit", "files", "configs", "checked", "explicit-target checked"]
    head += ["same, not on own modules", "errors", "warnings"]
    if verify:
        head += ["TRUE", "FALSE", "UNVERIFIED"]
    head += ["lint s", "verify s"] if verify else ["lint s"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        if r.status != "ok":
            cells = [r.name, f"`{r.commit[:12]}`", f"{r.status}: {r.detail}"]
            cells += [""] * (len(head) - len(cells))
        else:
            cells = [r.name, f"`{r.commit[:12]}`", str(r.files), str(r.configs), str(r.checked)]
            cells += [_share(r.explicit_checked, r.explicit), _share(*_not_own(r))]
            cells += [_codes(r.errors), _codes(r.warnings)]
            if verify:
                cells += [str(r.verdicts.get(k, 0)) for k in ("TRUE", "FALSE", "UNVERIFIED")]
            cells += [f"{r.seconds:.0f}"] + ([f"{r.verify_seconds:.0f}"] if verify else [])
        lines.append("| " + " | ".join(cells) + " |")
    ok = [r for r in reports if r.status == "ok"]
    if ok:
        total = ["total", "", str(sum(r.files for r in ok)), str(sum(r.configs for r in ok))]
        total += [str(sum(r.checked for r in ok)), _share(*_explicit_total(ok))]
        total += [_share(*_not_own_total(ok))]
        lines.append("| " + " | ".join(total + [""] * (len(head) - len(total))) + " |")
    lines += ["", _METHOD, "", _REPRODUCE, "", "Pinned commits:", ""]
    lines += [f"- {r.name} `{r.commit}`" for r in reports]
    lines += _coverage_sections(ok)
    if verify:
        lines += _verdict_sections(reports)
    internal = [(r.name, e) for r in reports for e in r.internal_errors]
    if internal:
        lines += ["", "## Internal errors", ""]
        lines += [f"- {name}: {_cell(err)}" for name, err in internal]
    return "\n".join(lines) + "\n"


_METHOD = """\
*files*: files lora-lint read (its pre-filter keeps .py, .ipynb, .yaml/.yml, .json, .sh);
*configs*: LoRA/PEFT configs extracted; *checked*: configs with no LL010 (model not
resolved or built) and no LL011 (value not evaluable) finding of their own;
*explicit-target checked*: of the configs that name their targets (`target_modules` as
names or a regex, or a value lora-lint cannot evaluate, or `target_parameters`; not
`all-linear`, absent, or the tool's own default), how many lora-lint judged against
their model (the `checked` status of `lora-lint check --format json`); *same, not on own
modules*: the same share without the configs the code applies to its own `nn.Module`
classes (test toy models: no Hugging Face model exists to check them against). Errors
and warnings are counted by code (INFO findings are left out).

With `--verify` every ERROR is replayed with the installed PEFT on the meta-device model
lora-lint built (same class, same config.json), from lora-lint's reading of the config's
PEFT options: TRUE = real PEFT agrees with the claim, FALSE = it does not, UNVERIFIED =
the claim is not about PEFT or could not be replayed (the reason says which). Claims
replayed: LL001 the entry alone (with its fused MoE partner) adapts nothing; LL002 the
entry alone raises PEFT's unsupported-module error; LL003 the string target matches
nothing or is not a regex; LL004 the config class rejects the layer options, or the layer
selection adapts nothing; LL005 the key alone sets no adapted module's rank/alpha; LL006
the entry wraps no module / removes LoRA targets / cannot be wrapped; LL008 the config
class raises for the keyword or value (adapter_config.json: from_pretrained drops the
key); LL009 get_peft_model raises with the whole config for a reason other than a
non-match. LL015 is about the training tool's own code: UNVERIFIED. When the full config
fails for another reason first, the replay keeps only the matching options (and then uses
LoRA, whose matching is PEFT's shared BaseTuner code); the reason says so."""


_REPRODUCE = """\
Reproduce: `python scripts/ecosystem.py --prepare-from-mirror DIR` (DIR holds git
directories of the repositories; each pinned commit is unpacked with `git archive`), then
`python scripts/ecosystem.py --verify --output docs/ecosystem.md --json run.json`;
`--compare docs/ecosystem-baseline.json` adds the before/after table and the list of TRUE
errors lost (a stored run from before the explicit-target metric shows it as n/a;
`docs/ecosystem-before-coverage.json` has it for the code before issue 13's data-flow
work), `--from-json run.json` renders a stored run without linting again.
46 other public repositories, judged by hand as well: `docs/ecosystem-other.md`."""


def _share(part: int | None, whole: int | None) -> str:
    if part is None or whole is None:
        return "n/a"
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def _explicit_total(reports: Sequence[RepoReport]) -> tuple[int | None, int | None]:
    """Summed explicit-target coverage; None when any report predates the metric."""
    if not reports or any(r.explicit is None or r.explicit_checked is None for r in reports):
        return None, None
    return sum(r.explicit_checked or 0 for r in reports), sum(r.explicit or 0 for r in reports)


def _not_own(r: RepoReport) -> tuple[int | None, int | None]:
    """Explicit-target coverage without the configs applied to the code's own modules."""
    if r.explicit is None or r.explicit_checked is None:
        return None, None
    return r.explicit_checked, r.explicit - r.unchecked_explicit.get(OWN_MODULE, 0)


def _not_own_total(reports: Sequence[RepoReport]) -> tuple[int | None, int | None]:
    pairs = [_not_own(r) for r in reports]
    if not pairs or any(a is None or b is None for a, b in pairs):
        return None, None
    return sum(a or 0 for a, _ in pairs), sum(b or 0 for _, b in pairs)


def _coverage_sections(reports: Sequence[RepoReport]) -> list[str]:
    """Why explicit-target configs were not checked, and the model ids that were missing."""
    reasons: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    for r in reports:
        reasons.update(r.unchecked_explicit)
        missing.update(r.missing_models)
    if not reasons:
        return []
    lines = ["", "## Explicit-target configs not checked, by reason", ""]
    lines += ["| reason | " + " | ".join(r.name for r in reports) + " | total |"]
    lines += ["|" + "---|" * (len(reports) + 2)]
    for reason, n in reasons.most_common():
        counts = [str(r.unchecked_explicit.get(reason, 0)) for r in reports]
        lines.append(f"| {reason} | " + " | ".join(counts) + f" | {n} |")
    if missing:
        lines += ["", f"## Models not bundled ({len(missing)} ids, {missing.total()} configs)", ""]
        lines += ["| model id | configs |", "|---|---|"]
        lines += [f"| `{_cell(m)}` | {n} |" for m, n in missing.most_common()]
    return lines


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _verdict_sections(reports: Sequence[RepoReport]) -> list[str]:
    lines = [
        "",
        "## Verdicts by code",
        "",
        "| code | TRUE | FALSE | UNVERIFIED |",
        "|---|---|---|---|",
    ]
    by_code: dict[str, Counter[str]] = {}
    for r in reports:
        for f in r.findings:
            by_code.setdefault(f.code, Counter())[f.verdict or ""] += 1
    for code, counts in sorted(by_code.items()):
        lines.append(f"| {code} | {counts['TRUE']} | {counts['FALSE']} | {counts['UNVERIFIED']} |")
    false = [(r.name, f) for r in reports for f in r.findings if f.verdict == "FALSE"]
    lines += ["", f"## FALSE errors ({len(false)})", ""]
    lines += [
        f"- {name} `{f.path}:{f.line}` {f.code}: {_cell(f.message)} -- **{_cell(f.reason)}**"
        for name, f in false
    ]
    far = Counter(
        (r.name, f.code)
        for r in reports
        for f in r.findings
        if f.verdict == "TRUE" and f.link_scope in ("another function", "another file")
    )
    if far:
        lines += [
            "",
            f"## TRUE errors whose model was linked from another function ({sum(far.values())})",
            "",
            "The replay trusts lora-lint's link from config to model; these links cross a",
            "function boundary (`link_scope` in the JSON), so the error may be about a model",
            "the config is never applied to.",
            "",
        ]
        lines += [f"- {name} {code}: {n}" for (name, code), n in sorted(far.items())]
    unverified = Counter(
        (f.code, re.sub(r"'[^']*'", "'...'", f.reason or "").split(":")[0])
        for r in reports
        for f in r.findings
        if f.verdict == "UNVERIFIED"
    )
    if unverified:
        lines += ["", "## UNVERIFIED errors by reason", ""]
        lines += [f"- {code} ({n}): {_cell(why)}" for (code, why), n in unverified.most_common()]
    return lines


def _key(name: str, f: FindingRecord) -> tuple[str, str, int, str, str]:
    return (name, f.path, f.line, f.code, f.target or "")


def _delta(a: RepoReport, b: RepoReport) -> str:
    """``before | after | change |`` cells of the explicit-target coverage ("n/a": an old
    report without the metric)."""
    change = "n/a"
    if a.explicit_checked is not None and b.explicit_checked is not None:
        change = f"{b.explicit_checked - a.explicit_checked:+d}"
    before, after = _share(a.explicit_checked, a.explicit), _share(b.explicit_checked, b.explicit)
    return f"{before} | {after} | {change} |"


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Before/after per repository and code; every TRUE error of ``old`` missing in ``new``."""
    olds = {r["name"]: RepoReport.from_dict(r) for r in old["repos"]}
    news = {r["name"]: RepoReport.from_dict(r) for r in new["repos"]}
    lines = [
        "# lora-lint ecosystem comparison",
        "",
        f"Before: {old.get('date')} ({old.get('versions', {}).get('lora-lint')}); "
        f"after: {new.get('date')} ({new.get('versions', {}).get('lora-lint')}).",
        "",
        "| repository | code | before | after | change |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(set(olds) | set(news)):
        a, b = olds.get(name), news.get(name)
        before = {**(a.errors if a else {}), **(a.warnings if a else {})}
        after = {**(b.errors if b else {}), **(b.warnings if b else {})}
        for code in sorted(set(before) | set(after)):
            x, y = before.get(code, 0), after.get(code, 0)
            if x != y:
                lines.append(f"| {name} | {code} | {x} | {y} | {y - x:+d} |")
        if a and b and (a.checked, a.configs) != (b.checked, b.configs):
            lines.append(
                f"| {name} | configs checked | {a.checked}/{a.configs} | {b.checked}/{b.configs} "
                f"| {b.checked - a.checked:+d} |"
            )
        if a and b and (a.explicit_checked, a.explicit) != (b.explicit_checked, b.explicit):
            lines.append(f"| {name} | explicit-target checked | {_delta(a, b)}")
    ok_a = [olds[n] for n in olds if olds[n].status == "ok" and n in news]
    ok_b = [news[n] for n in news if news[n].status == "ok" and n in olds]
    if ok_a and ok_b:
        a_sum = RepoReport("total", "", configs=sum(r.configs for r in ok_a))
        b_sum = RepoReport("total", "", configs=sum(r.configs for r in ok_b))
        a_sum.checked, b_sum.checked = sum(r.checked for r in ok_a), sum(r.checked for r in ok_b)
        a_sum.explicit_checked, a_sum.explicit = _explicit_total(ok_a)
        b_sum.explicit_checked, b_sum.explicit = _explicit_total(ok_b)
        lines.append(
            f"| total | configs checked | {a_sum.checked}/{a_sum.configs} | "
            f"{b_sum.checked}/{b_sum.configs} | {b_sum.checked - a_sum.checked:+d} |"
        )
        lines.append(f"| total | explicit-target checked | {_delta(a_sum, b_sum)}")
        own_a, own_b = _not_own_total(ok_a), _not_own_total(ok_b)
        change = "n/a" if own_a[0] is None or own_b[0] is None else f"{own_b[0] - own_a[0]:+d}"
        lines.append(
            f"| total | explicit-target checked, not on own modules | {_share(*own_a)} | "
            f"{_share(*own_b)} | {change} |"
        )
    new_keys = {_key(n, f) for n, r in news.items() for f in r.findings}
    lost = [
        (n, f)
        for n, r in olds.items()
        if n in news and news[n].status == "ok"
        for f in r.findings
        if f.verdict == "TRUE" and _key(n, f) not in new_keys
    ]
    lines += ["", f"## TRUE errors lost ({len(lost)})", ""]
    lines += [f"- {n} `{f.path}:{f.line}` {f.code}: {_cell(f.message)}" for n, f in lost]
    old_keys = {_key(n, f) for n, r in olds.items() for f in r.findings}
    added_false = [
        (n, f)
        for n, r in news.items()
        for f in r.findings
        if f.verdict == "FALSE" and _key(n, f) not in old_keys
    ]
    lines += ["", f"## New FALSE errors ({len(added_false)})", ""]
    lines += [
        f"- {n} `{f.path}:{f.line}` {f.code}: {_cell(f.message)} -- {_cell(f.reason)}"
        for n, f in added_false
    ]
    return "\n".join(lines) + "\n"


# -- command line -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repos-dir", type=Path, default=None, help="folder of the checkouts")
    p.add_argument(
        "--prepare-from-mirror",
        type=Path,
        metavar="DIR",
        help="make the checkouts from git directories under DIR, then exit",
    )
    p.add_argument("--repo", action="append", help="only this repository (owner/name); repeatable")
    p.add_argument("--verify", action="store_true", help="label every error with the real PEFT")
    p.add_argument("--output", type=Path, help="write the Markdown report here (else stdout)")
    p.add_argument("--json", type=Path, dest="json_out", help="write the machine report here")
    p.add_argument("--compare", type=Path, metavar="OLD.json", help="compare with an old report")
    p.add_argument(
        "--from-json",
        type=Path,
        metavar="RUN.json",
        help="render a stored --json report (with --compare: compare two stored runs)",
    )
    p.add_argument("--cache-dir", type=Path, help="lora-lint cache (default: a fresh temp dir)")
    p.add_argument("--jobs", type=int, default=1, help="repositories linted at once")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per repo")
    p.add_argument(
        "--time-limit", type=float, default=120, help="seconds per model build / get_peft_model"
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--worker-commit", help=argparse.SUPPRESS)
    p.add_argument("--worker-output", type=Path, help=argparse.SUPPRESS)
    return p


def _select(names: Sequence[str] | None) -> list[Repo]:
    if not names:
        return list(REPOS)
    known = {r.name.lower(): r for r in REPOS}
    missing = [n for n in names if n.lower() not in known]
    if missing:
        raise SystemExit(f"ecosystem: unknown repository {missing[0]!r}")
    return [known[n.lower()] for n in names]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    repos_dir = (args.repos_dir or default_repos_dir()).expanduser().resolve()
    repos = [Repo(args.worker, args.worker_commit or "")] if args.worker else _select(args.repo)
    if args.prepare_from_mirror:
        return 1 if prepare_from_mirror(args.prepare_from_mirror, repos_dir, repos) else 0
    if args.from_json:
        return _write(json.loads(args.from_json.read_text(encoding="utf-8")), args)
    with contextlib.ExitStack() as stack:
        cache_dir = args.cache_dir
        if cache_dir is None:
            cache_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ll-eco-")))
        if args.worker:
            report = run_repo(repos[0], repos_dir, cache_dir, args.verify, args.time_limit)
            text = json.dumps(asdict(report))
            if args.worker_output:
                args.worker_output.write_text(text, encoding="utf-8")
            else:
                print(text)
            return 0
        reports = run_all(
            repos,
            repos_dir,
            cache_dir,
            verify=args.verify,
            jobs=args.jobs,
            timeout=args.timeout,
            time_limit=args.time_limit,
        )
    return _write(document(reports, args.verify), args)


def _write(doc: dict[str, Any], args: argparse.Namespace) -> int:
    text = markdown(doc)
    if args.compare:
        text += "\n" + compare(json.loads(args.compare.read_text(encoding="utf-8")), doc)
    if args.json_out and not args.from_json:
        args.json_out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
