"""Ground truth: what ``get_peft_model`` really does on a meta-device model."""

from __future__ import annotations

import contextlib
import copy
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

#: PEFT message fragments -> lora-lint's Injection.error kinds.
_KINDS = (
    ("Cannot convert PEFT target", "fused-pair"),
    ("Please specify `target_modules`", "no-defaults"),
    ("is not supported", "unsupported"),
    ("is incompatible with Mamba", "mamba-incompatible"),
    ("Only same dim for query/key/value", "mha-unequal-dims"),
    ("top-level module is not supported", "top-level-parameter"),
    ("Trying to wrap an `nn.Parameter`", "parameter-of-targeted-module"),
    ("ParamWrapper does not work", "param-wrapper"),
    ("ParamWrapper was initialized with", "param-dims"),
    ("All modules were excluded", "all-excluded"),
    ("No `target_modules` passed", "no-targets"),
    ("not found in the base model", "not-found"),
    ("No modules were targeted", "none-targeted"),
    ("Requested bias: lora", "bias-lora"),
    ("cannot be applied to modules of type", "modules-to-save-invalid"),
    ("that is a child of", "modules-to-save-invalid"),
)


@dataclass
class Outcome:
    kind: str
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


def _kind(exc: BaseException) -> str:
    text = str(exc)
    for needle, kind in _KINDS:
        if needle in text:
            return kind
    raise exc


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
            return Outcome("config-invalid")
        try:
            peft_model = get_peft_model(model, config)
        except re.error:
            return Outcome("regex-invalid")
        except (ValueError, TypeError, NotImplementedError) as exc:
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
        "ok",
        sorted(base.targeted_module_names),
        sorted(base.targeted_parameter_names),
        ranks,
    )


def peft_verdict(model: Any, **lora_kwargs: Any) -> tuple[str, list[str]]:
    """("ok", targeted module names) or (error kind, [])."""
    outcome = peft_outcome(model, **lora_kwargs)
    return outcome.kind, outcome.modules
