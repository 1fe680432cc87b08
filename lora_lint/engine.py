"""The lint pipeline: extract -> resolve models -> inventories -> match -> rules.

Each stage is a separate package; this module only wires them together and
guarantees the run's contract: every file is attempted, a bad file becomes a
finding (LL000), an internal error in one file becomes a short error line and
never hides the other files' findings.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lora_lint import suppress
from lora_lint.diagnostics import Finding, Severity, unreadable_input
from lora_lint.discover import iter_files
from lora_lint.extract.filecache import FileCache
from lora_lint.extract.parallel import extract_files
from lora_lint.extract.types import ExtractedConfig, FileExtraction, ModelRef, to_plain
from lora_lint.match.peft_semantics import PeftOptions
from lora_lint.models.cache import InventoryCache, default_cache_dir
from lora_lint.models.heads import TASK_TYPE_HEADS
from lora_lint.models.inventory import ModelInventory
from lora_lint.models.resolve import ModelResolver, ResolvedModel, ResolverSettings
from lora_lint.models.service import ModelService
from lora_lint.rules import ALL_RULES, ConfigContext, Rule, lookup
from lora_lint.rules.ll019_catastrophic_regex import regex_hazards
from lora_lint.settings import Settings, SettingsError

MAX_FILE_BYTES = 5 * 1024 * 1024
#: Notebooks carry their outputs (images, logs): a larger limit, the code cells are small.
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


@dataclass
class ConfigSummary:
    """One extracted config, for the JSON ``configs`` list."""

    path: str
    line: int
    source: str
    peft_type: str
    model: str | None
    targets: object
    matched_modules: int | None
    error: str | None = None
    #: What training would cost: LoRA parameters as PEFT's print_trainable_parameters counts.
    trainable_params: int | None = None
    trainable_percent: float | None = None


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    configs: list[ConfigSummary] = field(default_factory=list)
    #: Internal errors (bugs): one line each, exit code 2.
    errors: list[str] = field(default_factory=list)
    files_checked: int = 0
    models_built: int = 0

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return _printable(str(path))
    return _printable(str(path) if rel.startswith("..") else rel)


def _printable(name: str) -> str:
    """A file name that was not valid UTF-8 (surrogate escapes) with its bad bytes as ``\\xNN``."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return name


def read_source(path: Path, shown: str) -> tuple[str | None, Finding | None]:
    """Text of ``path`` or the LL000 finding that explains why it cannot be read."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO blocks, /dev/zero never ends
            return None, unreadable_input(
                shown, "not a regular file (a FIFO, device or socket); not read"
            )
        size = info.st_size
        limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_FILE_BYTES
        if size > limit:
            return None, unreadable_input(
                shown,
                f"file is {size / 1e6:.1f} MB, over lora-lint's {limit // 2**20} MiB limit "
                "for this file type; not checked",
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, unreadable_input(shown, f"cannot read file: {exc.strerror or exc}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # also the UTF-32 little-endian BOM
        return None, unreadable_input(shown, "encoded as UTF-16 or UTF-32; lora-lint reads UTF-8")
    if b"\0" in data[:8192]:
        return None, unreadable_input(shown, "binary content (NUL bytes), not a text file")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, unreadable_input(shown, f"not valid UTF-8 (byte {exc.start}): {exc.reason}")


def extract_file(path: Path, settings: Settings) -> FileExtraction:
    """Dispatch one file to its front end (after a cheap text pre-filter)."""
    shown = display_path(path)
    text, problem = read_source(path, shown)
    if problem is not None:
        return FileExtraction(shown, findings=[problem])
    assert text is not None
    if not might_contain_config(path, text):
        return FileExtraction(shown)
    return extract_text(path, shown, text, settings.project_root)


def might_contain_config(path: Path, text: str) -> bool:
    """The front end's text pre-filter: False means the file holds no config (never parsed).

    Cheap on purpose: no front end imports libcst or parses anything here.
    """
    suffix = path.suffix.lower()
    if suffix == ".py":
        from lora_lint.extract import python as front

        return front.might_contain_config(text)
    if suffix in (".yaml", ".yml", ".json"):
        from lora_lint.extract import yaml as yfront

        return yfront.might_contain_config(text)
    if suffix == ".ipynb":
        from lora_lint.extract import notebook

        return notebook.might_contain_config(text)
    if suffix == ".sh":
        from lora_lint.extract import shell

        return shell.might_contain_config(text)
    return False


def extract_text(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    """Extract the configs of ``text`` (the content of ``path``, shown as ``shown``), which
    passed :func:`might_contain_config`. Runs in a worker process for large runs."""
    suffix = path.suffix.lower()
    if suffix == ".py":
        from lora_lint.extract import python as front

        return front.extract_python(text, shown, project_root=project_root, file_path=path)
    if suffix in (".yaml", ".yml", ".json"):
        from lora_lint.extract import yaml as yfront

        if suffix == ".json":
            return yfront.extract_json(text, shown)
        return yfront.extract_yaml(text, shown)
    if suffix == ".ipynb":
        from lora_lint.extract import notebook

        return notebook.extract_notebook(text, shown, project_root=project_root, file_path=path)
    if suffix == ".sh":
        from lora_lint.extract import shell

        return shell.extract_shell(text, shown)
    return FileExtraction(shown)


def selected_rules(settings: Settings) -> list[Rule]:
    def codes(names: Iterable[str], key: str) -> set[str]:
        out: set[str] = set()
        for name in names:
            if name.upper() == "ALL":
                out.update(r.code for r in ALL_RULES)
                continue
            matched = [r.code for r in ALL_RULES if r.code.startswith(name.upper())]
            rule = lookup(name)
            if rule is not None:
                matched = [rule.code]
            if not matched:
                raise SettingsError(f"{key}: unknown rule {name!r}")
            out.update(matched)
        return out

    chosen = codes(settings.select, "select") if settings.select else {r.code for r in ALL_RULES}
    chosen |= codes(settings.extend_select, "extend-select")
    chosen -= codes(settings.ignore, "ignore")
    return [r() for r in ALL_RULES if r.code in chosen]


def _number(value: object, default: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return default


def _mapping(value: object) -> dict[str, float] | None:
    if not isinstance(value, dict):
        return None
    return {
        str(k): v
        for k, v in value.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def options_of(config: ExtractedConfig) -> PeftOptions:
    """The PEFT options as plain values (unresolved or ill-typed parts fall back to defaults)."""

    def str_list(name: str) -> list[str] | str | None:
        value = to_plain(config.options.get(name))
        if isinstance(value, str):
            return value
        if isinstance(value, (list, tuple)):
            return [v for v in value if isinstance(v, str)]
        return None

    layers = to_plain(config.options.get("layers_to_transform"))
    if isinstance(layers, list):
        layers = [v for v in layers if isinstance(v, int) and not isinstance(v, bool)]
    elif not (isinstance(layers, int) and not isinstance(layers, bool)):
        layers = None
    saved = str_list("modules_to_save")
    params = str_list("target_parameters")
    task = to_plain(config.options.get("task_type"))
    bias = to_plain(config.options.get("bias"))
    r = _number(config.option("r"), 8)
    return PeftOptions(
        peft_type=config.peft_type.upper(),
        target_modules=str_list("target_modules"),
        exclude_modules=str_list("exclude_modules"),
        modules_to_save=[saved] if isinstance(saved, str) else saved,
        layers_to_transform=layers,
        layers_pattern=str_list("layers_pattern"),
        target_parameters=params,
        task_type=task if isinstance(task, str) else None,
        r=int(r),
        lora_alpha=_number(config.option("lora_alpha"), 8),
        rank_pattern=_mapping(config.option("rank_pattern")),  # type: ignore[arg-type]
        alpha_pattern=_mapping(config.option("alpha_pattern")),
        lora_dropout=_number(config.option("lora_dropout"), 0.0),
        use_dora=config.option("use_dora") is True,
        fan_in_fan_out=config.option("fan_in_fan_out") is True,
        lora_bias=config.option("lora_bias") is True,
        bias=bias if isinstance(bias, str) else "none",
    )


def _excluded(path: Path, settings: Settings) -> bool:
    patterns = [*settings.exclude, *settings.extend_exclude]
    if not patterns:
        return False
    try:
        rel = path.resolve().relative_to(settings.project_root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        rel = path.as_posix()
    parts = rel.split("/")
    for pattern in patterns:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or any(fnmatch.fnmatch(p, pat) for p in parts):
            return True
    return False


class Linter:
    """One lint run over some paths with fixed settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        cli_model: str | None = None,
        force_exclude: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.cli_model = cli_model
        self.force_exclude = force_exclude
        self.progress = progress
        self.rules = selected_rules(settings)
        self.cache_dir = None if settings.no_cache else (settings.cache_dir or default_cache_dir())
        self.service = ModelService(InventoryCache(self.cache_dir))
        self.file_cache = FileCache(self.cache_dir)
        #: Directories the last :meth:`files` could not list, with the reason (LL000).
        self.unlisted: list[tuple[Path, str]] = []
        self._models_warmed = False
        self.resolver = ModelResolver(
            ResolverSettings(
                project_root=settings.project_root,
                models=settings.models,
                offline=settings.offline,
            )
        )

    def files(self, paths: Sequence[Path]) -> list[Path]:
        """The files to lint; directories that cannot be listed go to ``self.unlisted``."""
        out = []
        self.unlisted = []
        for path in iter_files(paths, problems=self.unlisted):
            explicit = path in paths
            if (not explicit or self.force_exclude) and _excluded(path, self.settings):
                continue
            out.append(path)
        return out

    def run(self, paths: Sequence[Path]) -> RunResult:
        result = RunResult()
        extractions: list[FileExtraction] = []
        checked: dict[str, Path] = {}
        files = self.files(paths)
        for directory, reason in self.unlisted:  # the rest of the tree is still checked
            extractions.append(
                FileExtraction(
                    display_path(directory),
                    findings=[unreadable_input(display_path(directory), reason)],
                )
            )
        # Pre-filter, per-file cache, then libcst/PyYAML (2 processes for many files);
        # a bug in a front end comes back as an error line and the run goes on.
        for path, shown, outcome in extract_files(
            files,
            project_root=self.settings.project_root,
            cache=self.file_cache,
            on_outcome=self._warm_up_models,
        ):
            result.files_checked += 1
            checked[shown] = path
            if isinstance(outcome, FileExtraction):
                extractions.append(outcome)
            else:
                result.errors.append(outcome)
        contexts: list[ConfigContext] = []
        for extraction in extractions:
            result.findings.extend(extraction.findings)
            for config in extraction.configs:
                try:
                    contexts.append(self._context(config))
                except Exception as exc:
                    result.errors.append(_internal_error(config.path, exc))
        try:
            self._attach_inventories(contexts)
        except Exception as exc:
            result.errors.append(_internal_error("<models>", exc))
        allowed = {r.code for r in self.rules}
        result.findings = [f for f in result.findings if f.code in allowed]
        for ctx in contexts:
            try:
                for rule in self.rules:
                    result.findings.extend(rule.check(ctx))
                result.configs.append(_summary(ctx))
            except Exception as exc:
                result.errors.append(_internal_error(ctx.config.path, exc))
        try:
            result.findings = suppress.apply(
                result.findings,
                checked,
                project_root=self.settings.project_root,
                per_file_ignores=self.settings.per_file_ignores,
                enabled=allowed,
            )
        except Exception as exc:
            result.errors.append(_internal_error("<suppressions>", exc))
        result.findings = sorted(set(result.findings), key=Finding.sort_key)
        result.models_built = self.service.built
        return result

    # -- stages ----------------------------------------------------------------------------
    def _context(self, config: ExtractedConfig) -> ConfigContext:
        ref = config.model
        if ref is None and self.cli_model:
            ref = ModelRef(self.cli_model, origin="--model")
        if ref is None and self.settings.default_model:
            ref = ModelRef(self.settings.default_model, origin="default-model")
        ctx = ConfigContext(
            config=config, model_ref=ref, options=options_of(config), cache_dir=self.cache_dir
        )
        if ref is not None:
            ctx.resolution = self.resolver.resolve(ref.name, ref.source_path)
        return ctx

    def _warm_up_models(self, extraction: FileExtraction) -> None:
        """Called with each extraction while other files may still be parsed in worker
        processes: at the first config whose model is missing from the inventory cache,
        import torch/transformers/peft (seconds, needed by the first build anyway) now,
        on a core the parsing leaves idle. Warm runs never get past the cache check."""
        if self._models_warmed:
            return
        for config in extraction.configs:
            ctx = self._context(config)
            resolved = ctx.resolution
            if isinstance(resolved, ResolvedModel) and not self.service.cached(
                resolved, self._head(ctx), self._trust(ctx)
            ):
                self._models_warmed = True
                with contextlib.suppress(Exception):  # the build reports what is wrong
                    import peft  # noqa: F401  (imports torch and transformers)
                return

    def _head(self, ctx: ConfigContext) -> str | None:
        if ctx.model_ref and ctx.model_ref.head:
            return ctx.model_ref.head
        task = ctx.options.task_type
        return TASK_TYPE_HEADS.get(task.upper()) if task else None

    def _trust(self, ctx: ConfigContext) -> bool:
        return self.settings.trust_remote_code

    def _attach_inventories(self, contexts: list[ConfigContext]) -> None:
        requests = [
            (ctx.resolution, self._head(ctx), self._trust(ctx))
            for ctx in contexts
            if isinstance(ctx.resolution, ResolvedModel)
        ]
        self.service.prefetch(requests, self.progress)
        for ctx in contexts:
            if regex_hazards(ctx.config):
                continue  # matching would hang like PEFT; LL019 says so and why
            if isinstance(ctx.resolution, ResolvedModel):
                value = self.service.get(ctx.resolution, self._head(ctx), self._trust(ctx))
                if isinstance(value, ModelInventory):
                    ctx.inventory = value
                    if ctx.config.add_all_linear_leaves:
                        ctx.options = with_linear_leaves(ctx.options, value)
                else:
                    ctx.inventory_error = value


def with_linear_leaves(options: PeftOptions, inventory: ModelInventory) -> PeftOptions:
    """axolotl's ``lora_target_linear``: add every Linear leaf name except the output layer."""
    from dataclasses import replace

    from lora_lint.match.peft_semantics import all_linear_names

    leaves = [n.rsplit(".", 1)[-1] for n in all_linear_names(inventory, None)]
    current = options.target_modules
    base = [current] if isinstance(current, str) else list(current or [])
    return replace(options, target_modules=list(dict.fromkeys([*base, *leaves])))


def _summary(ctx: ConfigContext) -> ConfigSummary:
    matched = None
    error = None
    trainable = percent = None
    if ctx.injection is not None:
        matched = len(ctx.injection.targeted) + len(ctx.injection.targeted_parameters)
        error = ctx.injection.error
        if error is None and ctx.inventory is not None and ctx.options.peft_type == "LORA":
            from lora_lint.inspect.cost import config_cost

            cost = config_cost(
                ctx.options, ctx.inventory, ctx.options.r, dict(ctx.options.rank_pattern or {})
            )
            if cost is not None:
                matched, trainable, percent = cost[0], cost[1], round(cost[2], 6)
    return ConfigSummary(
        path=ctx.config.path,
        line=ctx.config.span.line,
        source=ctx.config.source,
        peft_type=ctx.config.peft_type,
        model=ctx.model_id,
        targets=to_plain(ctx.config.target_modules),
        matched_modules=matched,
        error=error,
        trainable_params=trainable,
        trainable_percent=percent,
    )


def _internal_error(path: str, exc: BaseException) -> str:
    return (
        f"{path}: internal error: {type(exc).__name__}: {exc} "
        "(this is a lora-lint bug; please report it with this file)"
    )
