"""Static tables of the names the extractor recognises (PEFT, transformers, TRL, unsloth).

Kept apart from the logic so that supporting a new PEFT method or loader is a
one-line data change.
"""

from __future__ import annotations

import re

from lora_lint.models.heads import AUTO_CLASS_HEADS, TRAINER_LM

#: PEFT config class -> ``PeftType`` value (the methods that take target modules).
PEFT_CONFIG_CLASSES: dict[str, str] = {
    "LoraConfig": "LORA",
    "LoHaConfig": "LOHA",
    "LoKrConfig": "LOKR",
    "AdaLoraConfig": "ADALORA",
    "IA3Config": "IA3",
    "VeraConfig": "VERA",
    "OFTConfig": "OFT",
    "BOFTConfig": "BOFT",
    "HRAConfig": "HRA",
    "FourierFTConfig": "FOURIERFT",
    "VBLoRAConfig": "VBLORA",
    "LNTuningConfig": "LN_TUNING",
    "MissConfig": "MISS",
    "RandLoraConfig": "RANDLORA",
    "C3AConfig": "C3A",
    "ShiraConfig": "SHIRA",
    "DeloraConfig": "DELORA",
    "RoadConfig": "ROAD",
    "PveraConfig": "PVERA",
    "UniLoraConfig": "UNILORA",
    "WaveFTConfig": "WAVEFT",
    "GraloraConfig": "GRALORA",
    "DeftConfig": "DEFT",
    "BeftConfig": "BEFT",
    "SupertuningConfig": "SUPERTUNING",
    "PolyConfig": "POLY",
    "PsoftConfig": "PSOFT",
    "HiraConfig": "HIRA",
    "GloraConfig": "GLORA",
    "LilyConfig": "LILY",
    "PeanutConfig": "PEANUT",
}

#: Substrings whose absence proves a file holds no config (see ``might_contain_config``).
#: ``use_peft`` catches a TRL ``ModelConfig`` that relies on the default targets.
#: Top-level packages whose config classes are PEFT's own (ms-swift's ``swift.tuners``
#: re-exports them and subclasses ``LoraConfig``).
PEFT_CONFIG_PACKAGES: frozenset[str] = frozenset({"peft", "swift"})

#: Fields a known subclass adds to PEFT's class: (package, class) -> extra fields.
#: ms-swift's ``swift.tuners.LoraConfig(peft.LoraConfig)`` drops them before PEFT sees it.
SUBCLASS_EXTRA_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("swift", "LoraConfig"): ("lora_dtype", "lorap_lr_ratio", "lorap_emb_lr"),
}

PREFILTER_NEEDLES: tuple[str, ...] = (
    *PEFT_CONFIG_CLASSES,
    "target_modules",
    "get_peft_model",
    "use_peft",
)

#: unsloth classes whose ``get_peft_model``/``from_pretrained`` we understand.
UNSLOTH_CLASSES: frozenset[str] = frozenset({"FastLanguageModel", "FastModel", "FastVisionModel"})

#: Keywords of unsloth's ``get_peft_model`` that are unsloth's own, not PEFT fields.
UNSLOTH_ONLY_KEYWORDS: frozenset[str] = frozenset(
    {
        "use_gradient_checkpointing",
        "random_state",
        "max_seq_length",
        "temporary_location",
        "qat_scheme",
        "ensure_weight_tying",
        "finetune_vision_layers",
        "finetune_language_layers",
        "finetune_attention_modules",
        "finetune_mlp_modules",
        "finetune_audio_layers",
        "finetune_last_n_layers",
    }
)

#: TRL ``ModelConfig`` field -> PEFT field.
TRL_MODEL_CONFIG_KEYS: dict[str, str] = {
    "lora_target_modules": "target_modules",
    "lora_r": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "lora_modules_to_save": "modules_to_save",
    "lora_target_parameters": "target_parameters",
    "lora_task_type": "task_type",
    "use_dora": "use_dora",
    "use_rslora": "use_rslora",
}

#: TRL trainers that accept ``model="hub-id"``, with the head they load it with.
TRL_TRAINER_HEADS: dict[str, str] = {
    "SFTTrainer": "causal-lm",
    "DPOTrainer": "causal-lm",
    "ORPOTrainer": "causal-lm",
    "KTOTrainer": "causal-lm",
    "CPOTrainer": "causal-lm",
    "GRPOTrainer": "causal-lm",
    "RLOOTrainer": "causal-lm",
    "OnlineDPOTrainer": "causal-lm",
    "NashMDTrainer": "causal-lm",
    "XPOTrainer": "causal-lm",
    "GKDTrainer": "causal-lm",
    "RewardTrainer": "seq-cls",
    "PRMTrainer": "token-cls",
    # trl.experimental trainers that load a model id with create_model_from_path and apply
    # peft_config with get_peft_model / prepare_peft_model (read in their sources)
    "SDFTTrainer": "causal-lm",
    "SSDTrainer": "causal-lm",
    "SDPOTrainer": "causal-lm",
    "TPOTrainer": "causal-lm",
    "DistillationTrainer": "causal-lm",
    "IWOPDTrainer": "causal-lm",
}

#: transformers auto classes -> head kind.
AUTO_HEADS: dict[str, str] = {
    **AUTO_CLASS_HEADS,
    "AutoModelForImageTextToText": "image-text-to-text",
    "AutoModelForVision2Seq": "image-text-to-text",
    # unsloth's FastModel (and FastLanguageModel for every family it has no own class for)
    # loads a config with a vision tower through the image-text-to-text auto class, else the
    # causal LM (unsloth/models/loader.py, ``is_vlm``): the trainer's class.
    "FastLanguageModel": TRAINER_LM,
    "FastModel": TRAINER_LM,
    # unsloth's vision loader goes through the image-text-to-text auto class.
    "FastVisionModel": "image-text-to-text",
    # TRL's value-head wrappers load the plain model underneath.
    "AutoModelForCausalLMWithValueHead": "causal-lm",
    "AutoModelForSeq2SeqLMWithValueHead": "seq2seq",
}

#: ``from_pretrained`` receivers that load something other than a base model.
_NOT_A_BASE = re.compile(
    r"^(AutoPeft\w*|Peft\w*|Auto(Tokenizer|Config|Processor|ImageProcessor|FeatureExtractor))$"
    r"|(Tokenizer|TokenizerFast|Config|Processor|FeatureExtractor)$"
)
#: Concrete transformers classes with a task head (``LlamaForCausalLM``, ...).
_CONCRETE_HEAD = re.compile(r"^[A-Z]\w*For[A-Z]\w*$")
#: Concrete head-less classes (``LlamaModel``): only trusted when imported from transformers.
_CONCRETE_BASE = re.compile(r"^[A-Z]\w*Model$")

#: Calls that return (a wrapper of) their first argument's model: ``model = f(model)``
#: keeps ``model`` bound to the loaded base.
MODEL_WRAPPERS: frozenset[str] = frozenset(
    {
        "prepare_model_for_kbit_training",
        "prepare_model_for_int8_training",
        "get_peft_model",
        "PeftModel",
        "PeftModelForCausalLM",
        "PeftMixedModel",
        "prepare",
    }
)
#: Methods of a model that return the model itself (``model = model.to(device)``).
MODEL_SELF_METHODS: frozenset[str] = frozenset(
    {"to", "cuda", "cpu", "half", "float", "bfloat16", "eval", "train", "requires_grad_"}
)


def loader_head(qualified: str) -> str | None:
    """Head kind for ``<qualified>.from_pretrained``, ``None`` when it loads no base model.

    Auto classes map to head kinds; concrete classes keep their own name, which
    downstream instantiates as-is.
    """
    if qualified.startswith("peft.") or qualified == "peft":
        return None
    name = qualified.rsplit(".", 1)[-1]
    if name in AUTO_HEADS:
        return AUTO_HEADS[name]
    if _NOT_A_BASE.search(name):
        return None
    if _CONCRETE_HEAD.match(name):
        return name
    if _CONCRETE_BASE.match(name) and qualified.startswith(("transformers.", "diffusers.")):
        return name  # diffusers: Flux2Transformer2DModel, UNet2DConditionModel...
    return None


def testing_utils_skip(dotted: str) -> bool:
    """``@require_torch_gpu``/``@slow`` from a ``testing_utils`` module (transformers', peft's,
    accelerate's ``test_utils`` or the repository's own copy): skip decorators that return
    the class unchanged or skipped."""
    module, _, name = dotted.rpartition(".")
    is_testing = any(part in ("testing_utils", "test_utils") for part in module.split("."))
    return is_testing and (name.startswith("require_") or name in ("slow", "nightly"))
