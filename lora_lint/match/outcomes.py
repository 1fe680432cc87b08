"""What ``get_peft_model`` does with a config: adapts modules, or raises one of its errors.

One enum for both sides of the differential tests: the PEFT model
(:func:`lora_lint.match.peft_semantics.simulate`) predicts a :class:`PeftOutcome`, and
the test oracle and ``scripts/ecosystem_verify.py`` turn the exception the real PEFT
raised into one with :func:`classify_peft_error`, so the two are compared as values of
the same type and a kind one side does not know cannot slip through as a string.

The values are the strings earlier versions used (``str`` enum: JSON shows the value).
"""

from __future__ import annotations

import enum
import re


class PeftOutcome(str, enum.Enum):
    """The outcome of ``LoraConfig(...)`` + ``get_peft_model`` (``OK``: it adapts something)."""

    #: get_peft_model succeeds.
    OK = "ok"
    #: The transformers-5 MoE rewrite gets half of a fused expert pair (``w1`` without ``w3``).
    FUSED_PAIR = "fused-pair"
    #: ``target_modules`` unset and PEFT has no default targets for the model type.
    NO_DEFAULTS = "no-defaults"
    #: A targeted module is of a type the method cannot wrap.
    UNSUPPORTED = "unsupported"
    #: LoRA on a Mamba mixer's ``out_proj``/``conv1d``.
    MAMBA_INCOMPATIBLE = "mamba-incompatible"
    #: ``nn.MultiheadAttention`` with different query/key/value sizes.
    MHA_UNEQUAL_DIMS = "mha-unequal-dims"
    #: ``target_parameters`` names a parameter of the top-level model itself.
    TOP_LEVEL_PARAMETER = "top-level-parameter"
    #: ``target_parameters`` names a parameter of a module ``target_modules`` already wraps.
    PARAMETER_OF_TARGETED_MODULE = "parameter-of-targeted-module"
    #: ``lora.ParamWrapper`` refuses an option (dropout, DoRA, fan_in_fan_out, lora_bias).
    PARAM_WRAPPER = "param-wrapper"
    #: ``lora.ParamWrapper`` gets a parameter of a shape it cannot adapt.
    PARAM_DIMS = "param-dims"
    #: ``LoraConfig.__post_init__`` rejects the options (before get_peft_model).
    CONFIG_INVALID = "config-invalid"
    #: ``bias="lora"``: accepted by the config, not implemented at injection.
    BIAS_LORA = "bias-lora"
    #: A ``modules_to_save`` entry PEFT cannot wrap for full training.
    MODULES_TO_SAVE_INVALID = "modules-to-save-invalid"
    #: A pattern is not a valid regular expression (``re.error``).
    REGEX_INVALID = "regex-invalid"
    # PEFT's NoMatchingPeftModuleError variants: nothing is adapted.
    #: Every module the targets match is excluded.
    ALL_EXCLUDED = "all-excluded"
    #: No ``target_modules`` and no ``target_parameters`` found.
    NO_TARGETS = "no-targets"
    #: The targets match no module.
    NOT_FOUND = "not-found"
    #: Matching modules exist but none is adapted (layer filter, exclusions).
    NONE_TARGETED = "none-targeted"

    def __str__(self) -> str:  # f-strings show the value on every Python version
        return self.value

    @property
    def nothing_matched(self) -> bool:
        """PEFT raises because the config reaches nothing (``NoMatchingPeftModuleError``)."""
        return self in _NOTHING_MATCHED


_NOTHING_MATCHED = frozenset(
    {
        PeftOutcome.ALL_EXCLUDED,
        PeftOutcome.NO_TARGETS,
        PeftOutcome.NOT_FOUND,
        PeftOutcome.NONE_TARGETED,
    }
)

#: Fragments of the installed PEFT's messages -> the outcome they stand for, most
#: specific first ("top-level module is not supported" before "is not supported").
_MESSAGES: tuple[tuple[str, PeftOutcome], ...] = (
    ("Cannot convert PEFT target", PeftOutcome.FUSED_PAIR),
    ("Please specify `target_modules`", PeftOutcome.NO_DEFAULTS),
    ("top-level module is not supported", PeftOutcome.TOP_LEVEL_PARAMETER),
    ("is incompatible with Mamba", PeftOutcome.MAMBA_INCOMPATIBLE),
    ("Only same dim for query/key/value", PeftOutcome.MHA_UNEQUAL_DIMS),
    ("Trying to wrap an `nn.Parameter`", PeftOutcome.PARAMETER_OF_TARGETED_MODULE),
    ("ParamWrapper does not work", PeftOutcome.PARAM_WRAPPER),
    ("ParamWrapper was initialized with", PeftOutcome.PARAM_DIMS),
    ("All modules were excluded", PeftOutcome.ALL_EXCLUDED),
    ("No `target_modules` passed", PeftOutcome.NO_TARGETS),
    ("not found in the base model", PeftOutcome.NOT_FOUND),
    ("No modules were targeted", PeftOutcome.NONE_TARGETED),
    ("Requested bias: lora", PeftOutcome.BIAS_LORA),
    ("cannot be applied to modules of type", PeftOutcome.MODULES_TO_SAVE_INVALID),
    ("that is a child of", PeftOutcome.MODULES_TO_SAVE_INVALID),
    ("is not supported", PeftOutcome.UNSUPPORTED),
    ("not supported, currently only adapters for", PeftOutcome.UNSUPPORTED),  # LoHa, LoKr
    # VeRA, RandLoRA, PVeRA, FRoD size shared matrices over the matched modules first: when
    # none of them can be wrapped they say so before the unsupported-module error
    ("No layers types compatible", PeftOutcome.UNSUPPORTED),
    ("No layer types compatible", PeftOutcome.UNSUPPORTED),
    ("is not a plain torch.nn.Linear", PeftOutcome.UNSUPPORTED),  # GLoRA
    ("does not support target modules of type", PeftOutcome.UNSUPPORTED),  # Lily, PEANuT
)


def classify_peft_error(exc: BaseException) -> PeftOutcome | None:
    """The outcome an exception of the real ``get_peft_model`` stands for.

    ``None`` when it is none lora-lint models (the caller decides: the differential tests
    re-raise it, the ecosystem check reports "PEFT raises" without a kind). Used by the
    oracles only: lora-lint itself never runs PEFT.
    """
    if isinstance(exc, re.error):
        return PeftOutcome.REGEX_INVALID
    text = str(exc)
    for needle, outcome in _MESSAGES:
        if needle in text:
            return outcome
    return None
