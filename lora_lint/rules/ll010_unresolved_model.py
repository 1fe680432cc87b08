"""LL010 unresolved-model."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import ExtractedConfig, Located
from lora_lint.match.peft_semantics import is_all_linear
from lora_lint.models.resolve import ResolutionFailure
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid
from lora_lint.rules.ll011_unresolved_value import CHECKED_OPTIONS


class UnresolvedModel(Rule):
    """
    ## What it does
    Reports, once, a LoRA config lora-lint could not check against real module
    names, and why: the code never shows which model the config is applied to
    (lora-lint follows data flow such as `get_peft_model(model, config)` and never
    guesses from a nearby loader), a path that does not exist, a gated repo without
    a token, the Hub offline, custom model code that is never run without
    `--trust-remote-code`, ... Configs where nothing could be architecture-specific
    (`all-linear`, the tool's own default targets, no other option naming modules)
    are not reported. A config the code never applies to a model gets this finding at
    info severity (it may be applied elsewhere, by a caller or a test helper), as does one
    whose model is a placeholder still to be filled in (`${BASE_MODEL}` in a template);
    one applied to a module class defined in the linted code is checked against the module
    tree read from the class's source, and when that tree is not static the finding (info)
    says what stopped the reading.

    ## Why is this bad?
    An unchecked config is exactly where a typo slips through. The other checks
    that need no model (regex syntax, comma-joined strings) still run. With
    `--unchecked=error` (or `unchecked = "error"` in `[tool.lora-lint]`) this
    finding is an error, so CI fails on a config it could not check.

    ## Fix
    Pass `--model ID_OR_PATH`, set `default-model` or map the name to a local
    `config.json` in `[tool.lora-lint] models`, set `HF_TOKEN` for a gated model,
    run once online, or use a model id lora-lint bundles.
    """

    code = "LL010"
    name = "unresolved-model"
    severity = Severity.WARNING
    summary = "The base model could not be resolved or built, so targets were not checked"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1")
            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("./checkpoints/does-not-exist")
            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            model = get_peft_model(model, config)
            """,
            expect=[(4, 46)],
            message="does not exist",
        ),
        Invalid(
            """
            from peft import LoraConfig

            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            """,
            expect=[(3, 10)],
            message="no base model",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        config = ctx.config
        if names_nothing(config):
            return  # all-linear or the tool's own targets: no model could make it wrong
        if ctx.model_ref is None and config.facts.applied_to:
            yield self.finding(
                ctx,
                config.span,
                f"applied to {config.facts.applied_to}, so its targets were not checked",
                help="lora-lint reads a module class of the linted code from its __init__ "
                "and stops at anything that may register modules it cannot see",
                severity=Severity.INFO,
            )
            return
        if ctx.model_ref is None:
            yield self.finding(
                ctx,
                config.span,
                "no base model found for this config, so its targets were not checked",
                help="lora-lint checks a config against the model the code applies it to "
                "(get_peft_model(model, config), a trainer's model= and peft_config=); "
                "pass --model ID_OR_PATH or set `default-model` in [tool.lora-lint] "
                "to name it",
                # Said once, quietly: the code may apply it elsewhere (a caller, a test
                # helper); --unchecked=error makes it an error like every LL010.
                severity=Severity.INFO,
            )
            return
        span = (
            ctx.model_ref.span
            if ctx.model_ref.span
            and ctx.model_ref.source_path
            in (
                None,
                config.path,
            )
            else config.span
        )
        if isinstance(ctx.resolution, ResolutionFailure) and is_placeholder(ctx.model_ref.name):
            yield self.finding(
                ctx,
                span,
                f"the base model {ctx.model_ref.name!r} is a placeholder filled in when the "
                "config is used, so its targets were not checked",
                help="pass --model ID_OR_PATH (or set `default-model` in [tool.lora-lint]) "
                "to check it against the model you fill in",
                # Like a config applied to no model: the file itself names none.
                severity=Severity.INFO,
            )
        elif isinstance(ctx.resolution, ResolutionFailure):
            yield self.finding(
                ctx,
                span,
                f"cannot resolve base model {ctx.model_ref.name!r}: {ctx.resolution.reason}",
                help=ctx.resolution.hint or None,
            )
        elif ctx.inventory_error:
            yield self.finding(
                ctx,
                span,
                f"cannot build base model {ctx.model_id!r} on the meta device: "
                f"{ctx.inventory_error}",
                help="targets of this config were not checked; map the name to a "
                "supported config.json with `[tool.lora-lint] models`",
            )


#: ``${VAR}``, ``$VAR``, ``{{ var }}``: a template or shell variable, substituted before use.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_]\w*|\{\{.*?\}\}")


def is_placeholder(name: str) -> bool:
    """A model name with a variable still to be substituted (a template, a launcher's
    environment): it names no model yet, and "not a valid repo id" would mislead."""
    return _PLACEHOLDER.search(name) is not None


#: Options that name modules, layers or parameters of one architecture (the targets aside).
_NAME_SPECIFIC = CHECKED_OPTIONS - {"target_modules", "task_type", "bias"}


def names_nothing(config: ExtractedConfig) -> bool:
    """True when nothing the config writes is specific to one architecture: its targets
    are ``all-linear``, PEFT's or the tool's defaults, and no other option names a module.
    Not checking such a config loses nothing, so it gets no "not checked" finding."""
    if names_explicit_targets(config):
        return False
    return not any(name in config.options for name in _NAME_SPECIFIC)


def names_explicit_targets(config: ExtractedConfig) -> bool:
    """True when the config names its targets itself: ``target_modules`` written as names or
    a regex (or as a value lora-lint cannot evaluate), or ``target_parameters``. Not
    ``all-linear``, not absent (PEFT's or the tool's defaults), not a tool's own expansion.
    These are the configs a wrong name can break: the coverage that matters is theirs."""
    if "target_parameters" in config.options:
        return True
    target = config.target_modules
    if target is None or (
        isinstance(target, Located) and (target.value is None or is_all_linear(target.value))
    ):
        return False
    return not (config.facts.tool_expands_targets or config.facts.all_means)
