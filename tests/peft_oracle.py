"""Ground truth: what ``get_peft_model`` really does on a meta-device model."""

from __future__ import annotations

import contextlib
import copy
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from lora_lint.match.outcomes import PeftOutcome, classify_peft_error


@dataclass
class Outcome:
    """What the real PEFT did, as the same :class:`PeftOutcome` lora-lint predicts."""

    kind: PeftOutcome
    modules: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    ranks: dict[str, tuple[int, float]] = field(default_factory=dict)


def build_model(config: dict[str, Any], head: str | None = None) -> Any:
    import torch
    import transformers

    from lora_lint.models.heads import resolve_head_class

    cfg = dict(config)
    model_type = cfg.pop("model_type")
    hf_config = transformers.AutoConfig.for_model(model_type, **cfg)
    cls_name = resolve_head_class(model_type, list(config.get("architectures") or []), head)
    with torch.device("meta"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(transformers, cls_name)(hf_config)


def _kind(exc: BaseException) -> PeftOutcome:
    """The outcome of a real PEFT exception; one lora-lint does not model fails the test."""
    kind = classify_peft_error(exc)
    if kind is None:
        raise exc
    return kind


def peft_outcome(model: Any, **lora_kwargs: Any) -> Outcome:
    """Run LoraConfig + get_peft_model for real and summarise what happened."""
    from peft import LoraConfig, get_peft_model
    from peft.tuners.tuners_utils import BaseTunerLayer

    model = copy.deepcopy(model)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            config = LoraConfig(**lora_kwargs)
        except (ValueError, TypeError):
            return Outcome(PeftOutcome.CONFIG_INVALID)
        try:
            peft_model = get_peft_model(model, config)
        except (re.error, ValueError, TypeError, NotImplementedError) as exc:
            return Outcome(_kind(exc))
    base = peft_model.base_model
    ranks: dict[str, tuple[int, float]] = {}
    for name, module in base.model.named_modules():
        if not isinstance(module, BaseTunerLayer) or "default" not in getattr(module, "r", {}):
            continue
        if ".modules_to_save." in name:
            continue
        clean = name.replace(".base_layer", "").replace(".original_module", "")
        if type(module).__name__ == "ParamWrapper":
            clean = f"{clean}.{module.parameter_name}"
        ranks.setdefault(clean, (int(module.r["default"]), float(module.lora_alpha["default"])))
    return Outcome(
        PeftOutcome.OK,
        sorted(base.targeted_module_names),
        sorted(base.targeted_parameter_names),
        ranks,
    )


def peft_verdict(model: Any, **lora_kwargs: Any) -> tuple[PeftOutcome, list[str]]:
    """(OK, targeted module names) or (the error's outcome, [])."""
    outcome = peft_outcome(model, **lora_kwargs)
    return outcome.kind, outcome.modules
