"""Instantiate a model on the meta device and record its module inventory.

This is the only module of the lint path that imports torch and transformers,
and it does so lazily, inside :func:`build_inventory`: a warm run answers from
the cache and never gets here. No weights are read and no model code from a
repository is executed unless the user opted in with ``--trust-remote-code``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from typing import Any

from lora_lint.models import inventory as inv
from lora_lint.models import limits
from lora_lint.models.heads import (
    DIFFUSERS_COMPONENT,
    DIFFUSERS_COMPONENT_CLASS,
    DIFFUSERS_PIPELINE,
    resolve_head_class,
)
from lora_lint.models.versions import library_versions


class BuildError(Exception):
    """The model could not be instantiated; the message says why (shown in LL010)."""


class BuildTimedOut(BuildError):
    """The build ran out of time: reported, but not cached (a later run may have time)."""


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence transformers' warnings and prints while building on meta."""
    loggers = [logging.getLogger(n) for n in ("transformers", "torch", "accelerate", "peft")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=False):
            lg.setLevel(level)


def _make_config(config: dict[str, Any], trust_remote_code: bool, local_dir: str | None) -> Any:
    import transformers

    model_type = config.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        raise BuildError("its config.json has no `model_type`")
    try:
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING

        known = model_type in CONFIG_MAPPING
    except ImportError:  # pragma: no cover - very old transformers
        known = True
    if not known or ("auto_map" in config and not known):
        if config.get("auto_map") and trust_remote_code and local_dir:
            return transformers.AutoConfig.from_pretrained(local_dir, trust_remote_code=True)
        if config.get("auto_map"):
            raise BuildError(
                f"model_type {model_type!r} needs custom code from the model repository "
                "(`auto_map` in config.json); lora-lint never runs it unless you pass "
                "--trust-remote-code"
            )
        raise BuildError(
            f"model_type {model_type!r} is not known to transformers {transformers.__version__}"
        )
    kwargs = {k: v for k, v in config.items() if k not in ("model_type", "auto_map")}
    try:
        return transformers.AutoConfig.for_model(model_type, **kwargs)
    except limits.LimitExceeded:
        raise
    except Exception as exc:  # transformers validates values in many ways
        raise BuildError(f"transformers rejects its config.json: {exc}") from exc


def _classify(module: Any) -> tuple[str, int | None, int | None, tuple[tuple[str, object], ...]]:
    from torch import nn
    from transformers.pytorch_utils import Conv1D

    if isinstance(module, nn.Linear):
        return inv.LINEAR, module.in_features, module.out_features, ()
    if isinstance(module, Conv1D):
        w = module.weight
        return inv.HF_CONV1D, int(w.shape[0]), int(w.shape[1]), ()
    if isinstance(module, nn.Embedding):
        return inv.EMBEDDING, module.num_embeddings, module.embedding_dim, ()
    if isinstance(module, nn.Conv1d):
        return inv.CONV1D, module.in_channels, module.out_channels, ()
    if isinstance(module, nn.Conv2d):
        return inv.CONV2D, module.in_channels, module.out_channels, ()
    if isinstance(module, nn.Conv3d):
        return inv.CONV3D, module.in_channels, module.out_channels, ()
    if isinstance(module, nn.MultiheadAttention):
        attrs = (
            ("qkv_same_embed_dim", bool(module._qkv_same_embed_dim)),
            ("embed_dim", int(module.embed_dim)),
        )
        return inv.MHA, module.embed_dim, module.embed_dim, attrs
    has_children = next(iter(module.children()), None) is not None
    if has_children:
        return inv.CONTAINER, None, None, ()
    name = type(module).__name__
    if "Norm" in name or isinstance(
        module, (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._BatchNorm)
    ):
        return inv.NORM, None, None, ()
    if isinstance(module, nn.Dropout | nn.Dropout1d | nn.Dropout2d | nn.Dropout3d):
        return inv.DROPOUT, None, None, ()
    if type(module).__module__ == "torch.nn.modules.activation" or "Activation" in name:
        return inv.ACTIVATION, None, None, ()
    return inv.OTHER, None, None, ()


def module_infos(model: Any) -> list[inv.ModuleInfo]:
    """Every entry of ``model.named_modules()`` but the root, as the matcher sees it."""
    modules: list[inv.ModuleInfo] = []
    for name, module in model.named_modules():
        if not name:
            continue
        kind, fin, fout, attrs = _classify(module)
        params = tuple(
            (pname, tuple(int(d) for d in p.shape))
            for pname, p in module.named_parameters(recurse=False)
        )
        modules.append(
            inv.ModuleInfo(
                name=name,
                cls=type(module).__name__,
                kind=kind,
                in_features=fin,
                out_features=fout,
                params=params,
                has_children=next(iter(module.children()), None) is not None,
                attrs=attrs,
            )
        )
    return modules


def _config_value(cfg: Any, attr: str) -> Any:
    """``getattr(cfg, attr, None)``, also when transformers refuses a global read of a
    per-layer value (Gemma 4 raises its own error for ``num_key_value_heads``)."""
    try:
        return getattr(cfg, attr, None)
    except Exception:  # transformers' per-layer attribute errors are no AttributeError
        return None


def is_multimodal(config: dict[str, Any]) -> bool:
    """A config with a vision (or audio) tower: tools load its image-text-to-text class."""
    return any(
        isinstance(config.get(key), dict)
        for key in ("vision_config", "audio_config", "vision_tower_config")
    )


def _num_layers(cfg: Any) -> int | None:
    text = cfg.get_text_config() if hasattr(cfg, "get_text_config") else cfg
    for attr in ("num_hidden_layers", "n_layer", "num_layers"):
        value = _config_value(text, attr)
        if isinstance(value, int):
            return value
    return None


def _summary(cfg: Any, model_type: str) -> dict[str, object]:
    text = cfg.get_text_config() if hasattr(cfg, "get_text_config") else cfg
    out: dict[str, object] = {"model_type": model_type}
    for key, attrs in {
        "hidden_size": ("hidden_size", "n_embd", "d_model"),
        "intermediate_size": ("intermediate_size", "n_inner", "d_ff", "ffn_dim"),
        "num_layers": ("num_hidden_layers", "n_layer", "num_layers"),
        "num_attention_heads": ("num_attention_heads", "n_head", "num_heads"),
        "num_key_value_heads": ("num_key_value_heads", "num_kv_heads"),
        "vocab_size": ("vocab_size",),
        "num_experts": ("num_local_experts", "num_experts", "n_routed_experts"),
    }.items():
        for attr in attrs:
            value = _config_value(text, attr)
            if isinstance(value, int) and not isinstance(value, bool):
                out[key] = value
                break
    tie = _config_value(cfg, "tie_word_embeddings")
    if tie is None:
        tie = _config_value(text, "tie_word_embeddings")
    out["tie_word_embeddings"] = bool(tie) if tie is not None else None
    return out


def _peft_defaults(model_type: str) -> dict[str, object]:
    """PEFT's per-method default targets for ``model_type`` (``target_modules=None``)."""
    try:
        from peft.mapping import PEFT_TYPE_TO_TUNER_MAPPING
    except ImportError:  # pragma: no cover - declared dependency
        return {}
    from peft.utils import constants

    out: dict[str, object] = {}
    for peft_type, tuner in PEFT_TYPE_TO_TUNER_MAPPING.items():
        key = getattr(peft_type, "value", str(peft_type))
        # Most tuners expose their table; IA3 reads a module constant in _prepare_adapter_config.
        mapping = getattr(tuner, "target_module_mapping", None) or getattr(
            constants, f"TRANSFORMERS_MODELS_TO_{key}_TARGET_MODULES_MAPPING", None
        )
        if not isinstance(mapping, dict):
            continue
        value = mapping.get(model_type)
        out[key] = value if value is None or isinstance(value, str) else sorted(value)
    return out


def _moe_conversion(model_type: str) -> dict[str, object] | None:
    """The v4->v5 MoE target rewrite PEFT applies to ``model_type`` (LoRA only), if any.

    Mirrors ``peft.utils.transformers_weight_conversion.convert_peft_config_for_transformers``:
    it runs only when transformers has a checkpoint conversion for the type and PEFT maps
    the type to a family with fused expert targets.
    """
    try:
        from peft.utils import transformers_weight_conversion as twc
        from transformers.conversion_mapping import get_checkpoint_conversion_mapping
    except ImportError:  # transformers 4 / older peft: no rewrite
        return None
    try:
        if get_checkpoint_conversion_mapping(model_type) is None:
            return None
        base = twc._MODEL_TO_CONVERSION_PATTERN.get(model_type)
        mapping = twc._MOE_TARGET_MODULE_MAPPING.get(base) if base else None
        fused = twc._MOE_FUSED_TARGETS.get(base, {}) if base else {}
    except Exception:  # private API moved: behave like a peft without the rewrite
        return None
    if not mapping or not fused:
        return None
    return {
        "base": base,
        "mapping": dict(mapping),
        "fused": {k: list(v) for k, v in fused.items()},
    }


def _moe_quirk(model_type: str, conversion: dict[str, object] | None) -> str | None:
    """A model type PEFT names as a rewrite *family* but does not rewrite itself.

    peft 0.21 maps qwen3_moe, deepseek_v3, olmoe... onto the ``qwen2_moe`` rewrite, yet
    ``qwen2_moe`` itself has no entry, so its routed experts stay out of reach. lora-lint
    predicts what PEFT does and says that this looks like a PEFT bug.
    """
    if conversion is not None:
        return None
    try:
        from peft.utils import transformers_weight_conversion as twc
    except ImportError:
        return None
    families = set(getattr(twc, "_MODEL_TO_CONVERSION_PATTERN", {}).values())
    if model_type in families and model_type in getattr(twc, "_MOE_TARGET_MODULE_MAPPING", {}):
        return (
            f"peft maps other model types onto the {model_type!r} MoE rewrite but does not "
            f"rewrite {model_type!r} itself (this looks like a PEFT bug)"
        )
    return None


def build_inventory(
    config: dict[str, Any],
    *,
    model_id: str,
    head: str | None,
    trust_remote_code: bool = False,
    local_dir: str | None = None,
) -> inv.ModelInventory:
    """Instantiate ``config`` with the requested head on the meta device; raise BuildError.

    Bounded: a config asking for too many layers or modules is refused before building,
    and the build itself stops at a module count and a time budget (:mod:`.limits`).
    """
    try:
        limits.check_config(config)
    except limits.LimitExceeded as exc:
        raise BuildError(f"not checked: {exc}") from exc
    try:
        with limits.build_fence():
            return _build(config, model_id, head, trust_remote_code, local_dir)
    except limits.BuildTimeout as exc:
        raise BuildTimedOut(f"not checked: {exc}") from exc
    except limits.LimitExceeded as exc:
        raise BuildError(f"not checked: {exc}") from exc
    except RecursionError as exc:
        raise BuildError("not checked: building the model recursed too deeply") from exc


def is_diffusers_config(config: dict[str, Any]) -> bool:
    """A diffusers component's ``config.json`` (``transformer/``, ``unet/``): it names its
    class in ``_class_name`` and has no transformers ``model_type``."""
    return isinstance(config.get("_class_name"), str) and "model_type" not in config


def _component_mismatch(head: str | None, class_name: str) -> str | None:
    """Why the component config ``class_name`` is not what the code loads as ``head``."""
    if head is None:
        return None
    if head == DIFFUSERS_PIPELINE:
        return "a whole diffusers pipeline is not a model PEFT adapts; its components are"
    if head.startswith(DIFFUSERS_COMPONENT):
        component = head.removeprefix(DIFFUSERS_COMPONENT)
        if DIFFUSERS_COMPONENT_CLASS.get(component, "\0") in class_name:
            return None
        return (
            f"the code adapts the pipeline's {component}; the config lora-lint has for this "
            f"repository is its {class_name}"
        )
    if head[:1].isupper():  # a concrete class: Flux2Transformer2DModel, Qwen3ForCausalLM...
        if head == class_name:
            return None
        return f"the code loads a {head}, but this model's config is a {class_name}"
    return (
        f"the code loads it with a transformers auto class ({head}); lora-lint's config for "
        f"this repository is its diffusers {class_name}"
    )


def _build_diffusers(config: dict[str, Any], model_id: str, head: str | None) -> inv.ModelInventory:
    """A diffusers model (``Flux2Transformer2DModel``...) from its component config, on meta:
    the module tree PEFT sees when a pipeline's ``transformer`` or ``unet`` is adapted.

    A diffusers class the code loads must be the component's class, a pipeline's component
    (``pipe.transformer``) its kind; a transformers auto class (``AutoModel...``, a head
    kind) never loads this config, which may be another component's repository."""
    try:
        import diffusers
        import torch
    except ImportError as exc:
        raise BuildError(
            f"it is a diffusers model and diffusers cannot be imported ({exc}); "
            "install `lora-lint[meta]`"
        ) from exc
    class_name = str(config["_class_name"])
    mismatch = _component_mismatch(head, class_name)
    if mismatch is not None:
        raise BuildError(mismatch)
    cls = getattr(diffusers, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, diffusers.ModelMixin)):
        raise BuildError(f"diffusers {diffusers.__version__} has no model class {class_name}")
    values = {k: v for k, v in config.items() if not k.startswith("_")}
    with _quiet():
        try:
            with torch.device("meta"):
                model = cls.from_config(values)
        except limits.LimitExceeded:
            raise
        except Exception as exc:
            raise BuildError(
                f"{class_name} cannot be built from its config "
                f"({type(exc).__name__}: {str(exc)[:300]})"
            ) from exc
        modules = module_infos(model)
        total = sum(p.numel() for p in model.parameters())
    return inv.ModelInventory(
        model_id=model_id,
        model_type=class_name,
        class_name=class_name,
        modules=modules,
        total_params=int(total),
        summary={"model_type": class_name, "library": "diffusers"},
        versions=library_versions(),
    )


def _build(
    config: dict[str, Any],
    model_id: str,
    head: str | None,
    trust_remote_code: bool,
    local_dir: str | None,
) -> inv.ModelInventory:
    if is_diffusers_config(config):
        return _build_diffusers(config, model_id, head)
    if head is not None and head.startswith((DIFFUSERS_COMPONENT, DIFFUSERS_PIPELINE)):
        raise BuildError(f"{model_id} is a transformers model here, not a diffusers pipeline")
    try:
        import torch
        import transformers
    except ImportError as exc:  # pragma: no cover - dependencies are declared
        raise BuildError(f"cannot import torch/transformers ({exc})") from exc

    with _quiet():
        cfg = _make_config(config, trust_remote_code, local_dir)
        model_type = str(getattr(cfg, "model_type", config.get("model_type")))
        architectures = list(config.get("architectures") or [])
        try:
            class_name = resolve_head_class(
                model_type, architectures, head, multimodal=is_multimodal(config)
            )
        except LookupError as exc:
            if trust_remote_code and getattr(cfg, "auto_map", None):
                class_name = ""
            else:
                raise BuildError(str(exc)) from exc
        try:
            with torch.device("meta"):
                if class_name:
                    cls = getattr(transformers, class_name)
                    model = cls(cfg)
                else:
                    model = transformers.AutoModelForCausalLM.from_config(
                        cfg, trust_remote_code=True
                    )
                    class_name = type(model).__name__
        except limits.LimitExceeded:
            raise
        except Exception as exc:
            raise BuildError(
                f"{class_name or 'the model'} cannot be built from its config "
                f"({type(exc).__name__}: {str(exc)[:300]})"
            ) from exc

        modules = module_infos(model)
        output_embedding = None
        get_out = getattr(model, "get_output_embeddings", None)
        out_module = get_out() if callable(get_out) else None
        if out_module is not None:
            output_embedding = next(
                (n for n, m in model.named_modules() if m is out_module and n), None
            )
        seq_cls_head = None
        for head_name in ("score", "classifier"):
            head_module = getattr(model, head_name, None)
            if head_module is not None:
                seq_cls_head = next(
                    (n for n, m in model.named_modules() if m is head_module and n), None
                )
                break
        total = sum(p.numel() for p in model.parameters())
        # Names a shared module is also reachable under (tied embeddings: T5's encoder.embed_tokens
        # is `shared`); PEFT's modules_to_save walks named_modules(remove_duplicate=False).
        first_name: dict[int, str] = {}
        aliases: dict[str, str] = {}
        for name, module in model.named_modules(remove_duplicate=False):
            if name and id(module) in first_name and first_name[id(module)] != name:
                aliases[name] = first_name[id(module)]
            elif name:
                first_name.setdefault(id(module), name)

    conversion = _moe_conversion(model_type)
    return inv.ModelInventory(
        model_id=model_id,
        model_type=model_type,
        class_name=class_name,
        modules=modules,
        output_embedding=output_embedding,
        seq_cls_head=seq_cls_head,
        num_layers=_num_layers(cfg),
        total_params=int(total),
        summary=_summary(cfg, model_type),
        versions=library_versions(),
        peft_defaults=_peft_defaults(model_type),
        moe_conversion=conversion,
        aliases=aliases,
        notes=[q] if (q := _moe_quirk(model_type, conversion)) else [],
    )
