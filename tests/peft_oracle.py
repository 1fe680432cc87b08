"""Ground truth: what ``get_peft_model`` really does on a meta-device model."""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any


def build_model(config: dict[str, Any], head: str | None = None) -> Any:
    import torch
    import transformers

    from lora_lint.models.heads import resolve_head_class

    cfg = dict(config)
    model_type = cfg.pop("model_type")
    hf_config = transformers.AutoConfig.for_model(model_type, **cfg)
    cls_name = resolve_head_class(model_type, list(config.get("architectures") or []), head)
    with torch.device("meta"):
        return getattr(transformers, cls_name)(hf_config)


def peft_verdict(model: Any, **lora_kwargs: Any) -> tuple[str, list[str]]:
    """("ok", targeted names) or (error kind, []) for ``LoraConfig(**lora_kwargs)``."""
    import copy

    from peft import LoraConfig, get_peft_model

    model = copy.deepcopy(model)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            peft_model = get_peft_model(model, LoraConfig(**lora_kwargs))
        except ValueError as exc:
            text = str(exc)
            if "is not supported" in text:
                return "unsupported", []
            if "not found in the base model" in text:
                return "not-found", []
            if "All modules were excluded" in text:
                return "all-excluded", []
            if "No modules were targeted" in text:
                return "not-found", []
            if "Please specify `target_modules`" in text:
                return "no-defaults", []
            raise
    return "ok", sorted(peft_model.base_model.targeted_module_names)
