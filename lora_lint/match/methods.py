"""Which module kinds each PEFT method can wrap (its ``_create_new_module`` dispatch).

Matching a module the method cannot wrap is not silent: PEFT raises while
injecting. Verified against peft 0.21 by the differential tests.
"""

from __future__ import annotations

from lora_lint.models import inventory as inv

_LORA = frozenset(
    {inv.LINEAR, inv.HF_CONV1D, inv.EMBEDDING, inv.CONV1D, inv.CONV2D, inv.CONV3D, inv.MHA}
)

_LINEAR_ONLY = frozenset({inv.LINEAR})
_LINEAR_CONV1D = frozenset({inv.LINEAR, inv.HF_CONV1D})

SUPPORTED_KINDS: dict[str, frozenset[str]] = {
    "LORA": _LORA,
    "LOHA": frozenset({inv.LINEAR, inv.CONV1D, inv.CONV2D}),
    "LOKR": frozenset({inv.LINEAR, inv.CONV1D, inv.CONV2D}),
    "ADALORA": frozenset({inv.LINEAR, inv.HF_CONV1D, inv.CONV2D}),
    "IA3": frozenset({inv.LINEAR, inv.CONV2D, inv.CONV3D, inv.HF_CONV1D}),
    "VERA": frozenset({inv.LINEAR, inv.HF_CONV1D}),
    "OFT": frozenset({inv.LINEAR, inv.CONV2D, inv.EMBEDDING}),
    "BOFT": frozenset({inv.LINEAR, inv.CONV2D}),
    # Methods whose injection is BaseTuner's (the same matching) and that raise on a matched
    # module they cannot wrap; tests/match/test_method_kinds.py runs each on every kind.
    "RANDLORA": _LINEAR_CONV1D,
    "PVERA": _LINEAR_CONV1D,
    "VBLORA": _LINEAR_CONV1D,
    "FOURIERFT": _LINEAR_CONV1D,
    "UNILORA": _LINEAR_CONV1D,
    "WAVEFT": _LINEAR_CONV1D,
    "GRALORA": _LINEAR_CONV1D,
    "DEFT": _LINEAR_CONV1D,
    "ROAD": _LINEAR_ONLY,
    "MISS": _LINEAR_ONLY,
    "SHIRA": _LINEAR_ONLY,
    "DELORA": _LINEAR_ONLY,
    "C3A": _LINEAR_ONLY,
    "BEFT": _LINEAR_ONLY,
    "SUPERTUNING": _LINEAR_ONLY,
    "POLY": _LINEAR_ONLY,
    "PSOFT": _LINEAR_ONLY,
    "HRA": frozenset({inv.LINEAR, inv.CONV2D}),
    "HIRA": frozenset(
        {inv.LINEAR, inv.HF_CONV1D, inv.EMBEDDING, inv.CONV1D, inv.CONV2D, inv.CONV3D}
    ),
    # GLoRA wraps only a plain nn.Linear (``type(...) is nn.Linear``: see can_wrap); Lily and
    # PEANuT any nn.Linear; each raises on anything else it matches.
    "GLORA": _LINEAR_ONLY,
    "LILY": _LINEAR_ONLY,
    "PEANUT": _LINEAR_ONLY,
    # LN-Tuning trains a copy of whatever module it matches (norms by design, but any module,
    # a whole block too): it never raises on a kind, so only "matches nothing" can be wrong.
    "LN_TUNING": frozenset(
        {
            inv.LINEAR,
            inv.HF_CONV1D,
            inv.EMBEDDING,
            inv.CONV1D,
            inv.CONV2D,
            inv.CONV3D,
            inv.MHA,
            inv.NORM,
            inv.DROPOUT,
            inv.ACTIVATION,
            inv.CONTAINER,
            inv.OTHER,
        }
    ),
}

#: Human names of the kinds, for messages.
KIND_LABELS: dict[str, str] = {
    inv.LINEAR: "torch.nn.Linear",
    inv.HF_CONV1D: "transformers Conv1D",
    inv.EMBEDDING: "torch.nn.Embedding",
    inv.CONV1D: "torch.nn.Conv1d",
    inv.CONV2D: "torch.nn.Conv2d",
    inv.CONV3D: "torch.nn.Conv3d",
    inv.MHA: "torch.nn.MultiheadAttention",
}


#: How PEFT's documentation spells each method.
METHOD_NAMES: dict[str, str] = {
    "LORA": "LoRA",
    "LOHA": "LoHa",
    "LOKR": "LoKr",
    "ADALORA": "AdaLoRA",
    "IA3": "IA3",
    "VERA": "VeRA",
    "OFT": "OFT",
    "BOFT": "BOFT",
    "RANDLORA": "RandLoRA",
    "PVERA": "PVeRA",
    "VBLORA": "VB-LoRA",
    "FOURIERFT": "FourierFT",
    "UNILORA": "Uni-LoRA",
    "WAVEFT": "WaveFT",
    "GRALORA": "GraLoRA",
    "DEFT": "DEFT",
    "ROAD": "RoAd",
    "MISS": "MiSS",
    "SHIRA": "SHiRA",
    "DELORA": "DeLoRA",
    "C3A": "C3A",
    "BEFT": "BEFT",
    "SUPERTUNING": "SuperTuning",
    "POLY": "Poly",
    "PSOFT": "PSOFT",
    "HRA": "HRA",
    "HIRA": "HiRA",
    "GLORA": "GLoRA",
    "LILY": "Lily",
    "PEANUT": "PEANuT",
    "LN_TUNING": "LN-Tuning",
}

#: What PEFT raises on a matched module a method cannot wrap, when it is not BaseTuner's
#: "Target module ... is not supported" (LL002 quotes it; tests/match/test_method_kinds.py
#: compares the quote with PEFT's message).
UNSUPPORTED_WORDING: dict[str, str] = {
    "LOHA": "Target module of type ... not supported",
    "LOKR": "Target module of type ... not supported",
    "GLORA": "Target module ... is not a plain torch.nn.Linear (after unwrapping)",
    "LILY": "Lily does not support target modules of type ...",
    "PEANUT": "PEANuT does not support target modules of type ...",
}


#: Methods that size shared matrices over the matched modules before injecting (VeRA's,
#: RandLoRA's, PVeRA's ``_find_dim``): they too raise on a module they cannot wrap, but with
#: "No layers types compatible with ... were found" or the unsupported-module error depending
#: on the module classes matched, so LL002 does not quote either.
SIZES_SHARED_MATRICES = frozenset({"VERA", "RANDLORA", "PVERA"})


def method_name(peft_type: str) -> str:
    return METHOD_NAMES.get(peft_type.upper(), peft_type)


def judged_method(peft_type: str) -> bool:
    """Whether lora-lint models ``peft_type``: its matching, defaults and what it can wrap.

    Other methods (AdaptionPrompt names an attention module, prompt methods have no
    targets, OSF silently skips what it cannot wrap...) are never judged with LoRA's rules.
    """
    return peft_type.upper() in SUPPORTED_KINDS


def supported_kinds(peft_type: str) -> frozenset[str]:
    """Kinds ``peft_type`` can wrap; unknown methods are assumed to be LoRA-like."""
    return SUPPORTED_KINDS.get(peft_type.upper(), _LORA)


def can_wrap(module: inv.ModuleInfo, peft_type: str) -> bool:
    if module.kind not in supported_kinds(peft_type):
        return False
    if peft_type.upper() == "GLORA" and module.cls != "Linear":
        return False  # an nn.Linear subclass is not "a plain torch.nn.Linear" to GLoRA
    return not (module.kind == inv.MHA and module.attr("qkv_same_embed_dim") is False)


def supported_label(peft_type: str) -> str:
    kinds = supported_kinds(peft_type)
    return ", ".join(label for kind, label in KIND_LABELS.items() if kind in kinds)
