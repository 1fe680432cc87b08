"""The lint pipeline: extract -> resolve models -> inventories -> match -> rules.

Each stage is a separate package; this module only wires them together and
guarantees the run's contract: every file is attempted, a bad file becomes a
finding (LL000), an internal error in one file becomes a short error line and
never hides the other files' findings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lora_lint import paths, suppress
from lora_lint.codes import UNRESOLVED_MODEL
from lora_lint.diagnostics import Finding, Severity, unreadable_input
from lora_lint.discover import iter_files
from lora_lint.edits import source as source_text
from lora_lint.extract.filecache import FileCache
from lora_lint.extract.frontends import (
    READS_SIBLINGS,
    comments_of,
    extract_text,
    might_contain_config,
)
from lora_lint.extract.parallel import extract_files
from lora_lint.extract.reading import internal_error
from lora_lint.extract.types import (
    HF_HEAD,
    HF_MODEL,
    ExtractedConfig,
    FileExtraction,
    LocalModel,
    Located,
    ModelRef,
    Unresolved,
    to_plain,
)
from lora_lint.match.methods import SUPPORTED_KINDS, judged_method
from lora_lint.match.peft_semantics import PeftOptions
from lora_lint.models import packs
from lora_lint.models.cache import InventoryCache, default_cache_dir
from lora_lint.models.heads import TASK_TYPE_HEADS
from lora_lint.models.inventory import ModelInventory, ModuleInfo
from lora_lint.models.resolve import (
    ModelResolver,
    ResolutionFailure,
    ResolvedModel,
    ResolverSettings,
    runs_remote_code,
)
from lora_lint.models.service import ModelService
from lora_lint.paths import display_path
from lora_lint.results import (
    NO_MODEL_BUILT,
    REMOTE_CODE,
    TOOL_NOTE,
    TOOL_NOTE_CONFIG,
    ConfigSummary,
    ModelNote,
    RunResult,
)
from lora_lint.rules import ALL_RULES, ConfigContext, Rule, lookup
from lora_lint.rules.ll019_catastrophic_regex import regex_hazards
from lora_lint.settings import Settings, SettingsError


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


#: Ranks above this are no real LoRA (and would overflow the cost arithmetic).
_MAX_RANK = 1 << 20


def _number(value: object, default: float) -> float:
    """A finite number, else ``default`` (NaN, infinities and ``1e999`` are LL008's)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return default


def _mapping(value: object) -> dict[str, float] | None:
    if not isinstance(value, dict):
        return None
    return {
        str(k): v
        for k, v in value.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
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
    if not (isinstance(r, int) and 0 < r <= _MAX_RANK):
        r = 8  # a float, huge or non-positive rank is LL008's; costs use PEFT's default
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
    return paths.matches(paths.relative_path(path, settings.project_root), patterns)


@dataclass(frozen=True)
class StdinSource:
    """``lora-lint check - --stdin-filename train.py``: the text and the name it is linted as.

    The name decides the front end (``.py``, ``.yaml``, ``.sh``...), is what the
    output shows, and is what ``--force-exclude`` and ``per-file-ignores`` match.
    """

    path: Path
    text: str

    @property
    def shown(self) -> str:
        return display_path(self.path)


def _identity(f: Finding) -> tuple[object, ...]:
    """What identifies a finding across the suppression pass (which may add a cell hint)."""
    return (f.path, f.span, f.code, f.message, f.target, f.model)


def _with_note(f: Finding, note: str) -> Finding:
    from dataclasses import replace

    return replace(f, extra={**f.extra, "model_note": note})


def _with_tool_note(f: Finding, ctx: ConfigContext, note: str) -> Finding:
    from dataclasses import replace

    span = ctx.config.span
    config = (ctx.config.path, span.line, span.column)
    return replace(f, extra={**f.extra, TOOL_NOTE: note, TOOL_NOTE_CONFIG: config})


def model_note(ctx: ConfigContext) -> ModelNote:
    """How ``ctx``'s model was resolved, and a note when the model checked is another one."""
    path, line = ctx.config.path, ctx.config.span.line
    requested = ctx.model_ref.name if ctx.model_ref else None
    resolution = ctx.resolution
    if isinstance(resolution, ResolvedModel):
        note = None
        renamed = resolution.model_id.rsplit("/", 1)[-1] == resolution.requested
        if resolution.model_id != resolution.requested and not resolution.local_dir and not renamed:
            why = resolution.alias_note or (
                f"{resolution.requested} is an alias of it: same architecture and module names"
            )
            note = f"checked as {resolution.model_id} ({why})"
        return ModelNote(path, line, requested, resolution.model_id, resolution.how, note)
    if resolution is not None:
        return ModelNote(path, line, requested, None, f"not resolved: {resolution.reason}")
    local = ctx.model_ref.local if ctx.model_ref else None
    if local is not None:
        how = f"{local.what} at line {local.line} of the file, its tree read from the source"
        return ModelNote(path, line, requested, local.class_name, how)
    return ModelNote(path, line, None, None, "no base model named")


class Linter:
    """One lint run over some paths with fixed settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        cli_model: str | None = None,
        force_exclude: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
        on_cold_start: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        #: Called once, before torch is imported for a model that is not in the cache.
        self.on_cold_start = on_cold_start
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

    def run(self, paths: Sequence[Path], *, stdin: StdinSource | None = None) -> RunResult:
        """Lint ``paths`` (and/or ``stdin``: text read from standard input under a file name)."""
        clock = time.perf_counter
        started = clock()
        result = RunResult()
        extractions: list[FileExtraction] = []
        checked: dict[str, Path] = {}
        #: Each checked file's extraction (with the comments found when it was read).
        sources: dict[str, FileExtraction] = {}
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
        reads: dict[Path, list[str]] = {}
        texts: dict[Path, str] = {}
        outcomes = extract_files(
            files,
            project_root=self.settings.project_root,
            cache=self.file_cache,
            on_outcome=self._warm_up_models,
            reads=reads,
            texts=texts,
        )
        importers = self._importers(paths, files, reads)
        if importers:
            outcomes += extract_files(
                importers,
                project_root=self.settings.project_root,
                cache=self.file_cache,
                on_outcome=self._warm_up_models,
                texts=texts,
            )
        for path, shown, outcome in outcomes:
            result.files_checked += 1
            checked[shown] = path
            if isinstance(outcome, FileExtraction):
                extractions.append(outcome)
                sources[shown] = outcome
                if outcome.configs and path in texts:  # what fixes are built on
                    source_text.remember(shown, texts[path])
            else:
                result.errors.append(outcome)
        if stdin is not None and not (self.force_exclude and _excluded(stdin.path, self.settings)):
            result.files_checked += 1
            checked[stdin.shown] = stdin.path
            try:
                extraction = self._extract_stdin(stdin)
                extractions.append(extraction)
                sources[stdin.shown] = extraction
                self._warm_up_models(extraction)
            except Exception as exc:
                result.errors.append(internal_error(stdin.shown, exc))
        result.checked_paths = set(checked)
        contexts: list[ConfigContext] = []
        for extraction in extractions:
            result.findings.extend(extraction.findings)
            for config in extraction.configs:
                try:
                    contexts.append(self._context(config))
                except Exception as exc:
                    result.errors.append(internal_error(config.path, exc))
        contexts.sort(key=lambda c: (c.config.path, c.config.span))
        extracted = clock()
        try:
            self._attach_inventories(contexts)
        except Exception as exc:
            result.errors.append(internal_error("<models>", exc))
        modelled = clock()
        allowed = {r.code for r in self.rules}
        result.findings = [f for f in result.findings if f.code in allowed]
        owned: list[set[tuple[object, ...]]] = []
        for ctx in contexts:
            note = model_note(ctx)
            result.model_notes.append(note)
            try:
                mine = [f for rule in self.rules for f in rule.check(ctx)]
                if ctx.config.facts.expects_failure:
                    # created or applied inside pytest.raises/warns: the failure is what the
                    # code tests, and "not checked" would tell the user nothing to do
                    mine = [
                        f
                        for f in mine
                        if f.severity is Severity.INFO and f.code != UNRESOLVED_MODEL
                    ]
                if note.note:  # the verdict is about another model than the one named
                    mine = [_with_note(f, note.note) for f in mine]
                summary = _summary(ctx)
                if summary.tool_note:  # the verdict depends on what the tool does first
                    mine = [_with_tool_note(f, ctx, summary.tool_note) for f in mine]
                result.findings.extend(mine)
                owned.append({_identity(f) for f in mine})
                result.configs.append(summary)
            except Exception as exc:
                result.errors.append(internal_error(ctx.config.path, exc))
        try:
            result.findings = suppress.apply(
                result.findings,
                checked,
                project_root=self.settings.project_root,
                per_file_ignores=self.settings.per_file_ignores,
                enabled=allowed,
                sources=sources,
            )
        except Exception as exc:
            result.errors.append(internal_error("<suppressions>", exc))
        if self.settings.unchecked == "error":
            result.findings = [
                dataclasses.replace(f, severity=Severity.ERROR) if f.code == "LL010" else f
                for f in result.findings
            ]
        # Sorted on every field a finding is compared by, then deduplicated keeping the
        # first: identical runs print identical output (a set's order varies per process).
        ordered = sorted(
            result.findings, key=lambda f: (f.sort_key(), str(f.extra.get("model_note", "")))
        )
        result.findings = list(dict.fromkeys(ordered))
        result.configs.sort(key=lambda c: (c.path, c.line))
        remaining = {_identity(f) for f in result.findings}
        result.configs_with_findings = sum(1 for ids in owned if ids & remaining)
        everything_owned = set().union(*owned) if owned else set()
        result.other_files_with_findings = len(
            {f.path for f in result.findings if _identity(f) not in everything_owned}
            - {f.path for f in result.findings if _identity(f) in everything_owned}
        )
        result.models_built = self.service.built
        done = clock()
        result.timings = {
            "extract": extracted - started,
            "models": modelled - extracted,
            "rules": done - modelled,
            "total": done - started,
        }
        result.models_from_packs = self.service.from_packs
        result.libraries = packs.libraries()
        return result

    def _extract_stdin(self, stdin: StdinSource) -> FileExtraction:
        extraction = FileExtraction(stdin.shown)
        if might_contain_config(stdin.path, stdin.text):
            extraction = extract_text(
                stdin.path, stdin.shown, stdin.text, self.settings.project_root
            )
        extraction.comments = comments_of(stdin.path, stdin.text)
        return extraction

    # -- stages ----------------------------------------------------------------------------
    def _importers(
        self, paths: Sequence[Path], files: list[Path], reads: dict[Path, list[str]]
    ) -> list[Path]:
        """Project files that import one of ``files`` (``from lora_targets import TARGETS``)
        and are not checked yet: a change to the module changes their configs.

        Known from the import index in the cache directory (no cache: not looked for). The
        first run over single files of a project the index has never seen extracts the
        whole project once to build it (see :mod:`lora_lint.extract.importers`)."""
        from lora_lint.extract.importers import ImportIndex

        if self.cache_dir is None:
            return []
        root = self.settings.project_root
        index = ImportIndex(self.cache_dir, root)
        index.record(reads)
        root_abs = os.path.abspath(root)
        if any(os.path.abspath(p) == root_abs for p in paths if p.is_dir()):
            index.mark_complete()
        modules = [f for f in files if f.suffix == ".py" and index.inside(f)]
        if modules and not index.complete and any(p.is_file() for p in paths):
            scanned: dict[Path, list[str]] = {}
            chosen = set(files)
            extract_files(  # Python files read sibling modules; excludes apply when adding
                [f for f in iter_files([root]) if f not in chosen and f.suffix in READS_SIBLINGS],
                project_root=root,
                cache=self.file_cache,
                reads=scanned,
            )
            index.record(scanned)
            index.mark_complete()
        chosen_abs = {os.path.abspath(f) for f in files}  # importers come back absolute
        found = [
            path
            for path in (index.importers_of(modules) if modules else [])
            if os.path.abspath(path) not in chosen_abs and not _excluded(path, self.settings)
        ]
        index.save()
        return found

    def _context(self, config: ExtractedConfig) -> ConfigContext:
        ref = config.model
        if ref is None and self.cli_model:
            ref = ModelRef(self.cli_model, origin="--model")
        if ref is None and self.settings.default_model:
            ref = ModelRef(self.settings.default_model, origin="default-model")
        ctx = ConfigContext(
            config=config, model_ref=ref, options=options_of(config), cache_dir=self.cache_dir
        )
        if ref is not None and ref.local is not None:
            if not hf_rows(ref.local):
                ctx.inventory = local_inventory(ref.local, {})
        elif ref is not None:
            ctx.resolution = self.resolver.resolve(ref.name, ref.source_path)
            if isinstance(ctx.resolution, ResolvedModel):
                ctx.resolution = (
                    runs_remote_code(
                        ctx.resolution, ref.trust_remote_code, flag=ref.remote_code_flag
                    )
                    or ctx.resolution
                )
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
                self._announce_cold_start()
                with contextlib.suppress(Exception):  # the build reports what is wrong
                    import peft  # noqa: F401  (imports torch and transformers)
                return

    def _announce_cold_start(self) -> None:
        if self.on_cold_start is not None:
            callback, self.on_cold_start = self.on_cold_start, None
            with contextlib.suppress(Exception):  # a status line must never stop a run
                callback()

    def _head(self, ctx: ConfigContext) -> str | None:
        if ctx.model_ref and ctx.model_ref.head:
            return ctx.model_ref.head
        task = ctx.options.task_type
        return TASK_TYPE_HEADS.get(task.upper()) if task else None

    def _attach_local(self, ctx: ConfigContext, local: LocalModel) -> None:
        """Build each Hugging Face model a module class of the file loads, then splice."""
        inside: dict[str, ModelInventory] = {}
        for row in hf_rows(local):
            model_id, head = str(row.attr(HF_MODEL)), row.attr(HF_HEAD)
            resolution = self.resolver.resolve(model_id, ctx.config.path)
            if not isinstance(resolution, ResolvedModel):
                ctx.inventory_error = f"{model_id} (loaded as self.{row.name}): {resolution.reason}"
                return
            value = self.service.get(resolution, str(head) if head else None, self._trust(ctx))
            if not isinstance(value, ModelInventory):
                ctx.inventory_error = f"{model_id} (loaded as self.{row.name}): {value}"
                return
            inside[row.name] = value
        ctx.inventory = local_inventory(local, inside)

    def _trust(self, ctx: ConfigContext) -> bool:
        return self.settings.trust_remote_code

    def _attach_inventories(self, contexts: list[ConfigContext]) -> None:
        requests = [
            (ctx.resolution, self._head(ctx), self._trust(ctx))
            for ctx in contexts
            if isinstance(ctx.resolution, ResolvedModel)
        ]
        if self.on_cold_start is not None and any(
            not self.service.cached(*request) for request in requests
        ):
            self._announce_cold_start()
        self.service.prefetch(requests, self.progress)
        for ctx in contexts:
            if regex_hazards(ctx.config):
                continue  # matching would hang like PEFT; LL019 says so and why
            local = ctx.model_ref.local if ctx.model_ref is not None else None
            if local is not None and hf_rows(local):
                self._attach_local(ctx, local)
            if isinstance(ctx.resolution, ResolvedModel):
                value = self.service.get(ctx.resolution, self._head(ctx), self._trust(ctx))
                if isinstance(value, ModelInventory):
                    ctx.inventory = value
                    if ctx.config.add_all_linear_leaves:
                        ctx.options = with_linear_leaves(ctx.options, value)
                else:
                    ctx.inventory_error = value


def hf_rows(local: LocalModel) -> list[ModuleInfo]:
    """The rows of a static tree that stand for a Hugging Face model loaded inside it."""
    return [m for m in local.modules if m.attr(HF_MODEL) is not None]


#: PEFT's model type of a module without a ``config`` (``DUMMY_MODEL_CONFIG``).
PEFT_CUSTOM_MODEL_TYPE = "custom"


def local_inventory(local: LocalModel, inside: dict[str, ModelInventory]) -> ModelInventory:
    """The inventory of a module class of the linted code, from its static tree, with the
    tree of each Hugging Face model it loads (``inside``: row name -> that model's
    inventory) spliced in under its attribute. Its model type is the one PEFT gives a
    module without a ``config`` (``custom``): no method has default targets for it (unless
    the class sets ``self.config``: then they are unknown), there is no MoE rewrite, and no
    output embedding."""
    modules: list[ModuleInfo] = []
    for row in local.modules:
        loaded = inside.get(row.name)
        if loaded is None:
            modules.append(row)
            continue
        modules.append(dataclasses.replace(row, cls=loaded.class_name, attrs=()))
        modules += [dataclasses.replace(m, name=f"{row.name}.{m.name}") for m in loaded.modules]
    return ModelInventory(
        model_id=local.class_name,
        model_type=PEFT_CUSTOM_MODEL_TYPE,
        class_name=local.class_name,
        modules=modules,
        total_params=sum(m.n_params for m in modules),
        exact_shapes=local.exact_shapes,
        # with a ``config`` of its own the model type (and PEFT's defaults) is not known
        peft_defaults={} if local.has_config else dict.fromkeys(SUPPORTED_KINDS),
    )


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
    verdict = ctx.verdict
    if ctx.injection is not None and verdict is not None:
        matched = len(ctx.injection.targeted) + len(ctx.injection.targeted_parameters)
        error = ctx.injection.error.value if ctx.injection.error else None
        if (
            error is None
            and ctx.inventory is not None
            and ctx.inventory.exact_shapes
            and ctx.options.peft_type == "LORA"
        ):
            from lora_lint.match.cost import config_cost

            options = verdict.peft_options
            cost = config_cost(options, ctx.inventory, options.r, dict(options.rank_pattern or {}))
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
        assumptions=assumptions(ctx) if trainable is not None else [],
        checked=verdict is not None,
        not_checked=None if verdict is not None else _why_not_checked(ctx),
        tool_note=verdict.tool_note if verdict is not None else None,
    )


def _why_not_checked(ctx: ConfigContext) -> str:
    if ctx.config.facts.applied_to:
        return f"applied to {ctx.config.facts.applied_to}, not a Hugging Face model"
    if ctx.model_ref is None:
        return "no model: the code does not show which model the config is applied to"
    if ctx.inventory is None:
        failure = ctx.resolution
        if isinstance(failure, ResolutionFailure) and failure.remote_code:
            return REMOTE_CODE
        return NO_MODEL_BUILT
    if isinstance(ctx.config.target_modules, Unresolved):
        return "target_modules is not statically known"
    reason = ctx.not_judged
    if reason is not None:
        return reason
    if judged_method(ctx.options.peft_type):
        return "target_modules is not set, and PEFT's default targets for this model are not known"
    return f"lora-lint does not model PEFT method {ctx.options.peft_type}"


def assumptions(ctx: ConfigContext) -> list[str]:
    """What the cost figures take for granted: options present but not statically known.

    An absent ``r`` is PEFT's default (exact); an ``r`` read from the command line or an
    environment variable is not, and the count must not pass for a fact.
    """
    out = []
    raw = ctx.config.options.get("r")
    if raw is not None and not (isinstance(raw, Located) and _is_number(raw.value)):
        out.append(f"r={ctx.options.r} assumed (r is not static)")
    pattern = ctx.config.options.get("rank_pattern")
    if pattern is not None and not (isinstance(pattern, Located) and pattern.container == "dict"):
        out.append("rank_pattern not applied (not static)")
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
