"""What a lint run produced: findings, config summaries, model notes, counts, timings.

Its own module, below the engine that fills it, so that the reporters (and
``--fix``) read a run's results without importing the pipeline that made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lora_lint.diagnostics import Finding, Severity

#: ``ConfigSummary.not_checked`` when the model is named but could not be had.
NO_MODEL_BUILT = "the model could not be resolved or built"
#: ``not_checked`` when ``trust_remote_code=True`` runs the model repository's own code.
REMOTE_CODE = "trust_remote_code=True runs the model repository's own modeling code"


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
    #: What the cost figures assume because the source does not say (e.g. "r=8: r is
    #: not static"); empty when they are exact.
    assumptions: list[str] = field(default_factory=list)
    #: Whether lora-lint judged the config against its model, and if not, why.
    checked: bool = False
    not_checked: str | None = None
    #: What the training tool changes before PEFT sees the config (the verdict includes it).
    tool_note: str | None = None


@dataclass(frozen=True)
class ModelNote:
    """How one config's model reference was resolved (``--verbose``, alias notes)."""

    path: str
    line: int
    requested: str | None
    resolved: str | None
    #: "bundled offline config", "local config.json", ... or why it failed.
    how: str
    #: Set when the model checked is not the one named (a variant, mirror or alias).
    note: str | None = None


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    configs: list[ConfigSummary] = field(default_factory=list)
    #: Internal errors (bugs): one line each, exit code 2.
    errors: list[str] = field(default_factory=list)
    files_checked: int = 0
    models_built: int = 0
    #: Configs with at least one (unsuppressed) finding of their own.
    configs_with_findings: int = 0
    #: Files with findings that belong to no config (unreadable files, duplicate keys...).
    other_files_with_findings: int = 0
    #: Display paths of the files this run checked (None: unknown).
    checked_paths: set[str] | None = None
    #: After ``--fix``: the ``--unsafe-fixes`` flag it ran with (None: no fixing run).
    fixes_attempted: bool | None = None
    #: Seconds per stage ("extract", "models", "rules", "total") for ``--verbose``.
    timings: dict[str, float] = field(default_factory=dict)
    model_notes: list[ModelNote] = field(default_factory=list)
    #: Module inventories taken from the shipped packs (light install, no torch).
    models_from_packs: int = 0
    #: Where inventories come from and the library versions behind them (packs.libraries()).
    libraries: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


#: ``Finding.extra`` keys: what the training tool changed before PEFT judged the config,
#: and which config (path, line, column) the finding belongs to, so the text output says it
#: once under that config's findings.
TOOL_NOTE = "tool_note"
TOOL_NOTE_CONFIG = "tool_note_config"
