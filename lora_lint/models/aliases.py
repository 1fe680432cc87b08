"""Recognise mirrors and quantized re-uploads of a bundled base model by their name.

``unsloth/Llama-3.2-1B-Instruct-bnb-4bit``, ``TheBloke/Mistral-7B-Instruct-v0.2-GPTQ``,
``mlx-community/Qwen2.5-7B-Instruct-4bit`` or ``nvidia/Qwen3-30B-A3B-NVFP4`` keep the
architecture of the model they copy;
when the Hub cannot tell us their config, the repo name can. A name is an alias only
when, after removing the organisation and quantization/format suffixes, it equals the
repo name of exactly one bundled architecture (no fuzzy guessing).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lora_lint.models import bundled

#: Suffixes re-uploaders append; removed repeatedly, longest first.
_SUFFIXES = re.compile(
    r"(?:[-_.](?:unsloth-bnb-4bit|bnb-4bit|bnb-8bit|4bit|8bit|4-bit|8-bit|gptq|awq|gguf|exl2|"
    r"mlx|fp16|bf16|fp8|nvfp4|mxfp4|fp4|int4|int8|nf4|hqq|ggml|q4_k_m|q5_k_m|q8_0|"
    r"(?:\d+(?:\.\d+)?)bpw|"
    r"w4a16|w8a8|w8a16|fp8-dynamic|dynamic|hf))+$",
    re.IGNORECASE,
)


#: Re-uploads known to change the architecture's module names (unsloth "llamafies" Phi-3/4:
#: fused qkv_proj/gate_up_proj become q/k/v_proj and gate/up_proj), so never aliases.
_CONVERTED = re.compile(r"^unsloth/phi-(3|3\.5|4)\b", re.IGNORECASE)

#: Tiny test checkpoints: each organisation generates its own (``hf-internal-testing``,
#: ``trl-internal-testing``, ``peft-internal-testing`` ... ``tiny-random-LlamaForCausalLM``) with
#: its own sizes, so the same repo name under another organisation is no re-upload.
_TEST_CHECKPOINT = re.compile(r"^[^/]*/tiny[-_]", re.IGNORECASE)


def _key(repo_name: str) -> str:
    name = repo_name.rsplit("/", 1)[-1].lower()
    previous = None
    while previous != name:
        previous = name
        name = _SUFFIXES.sub("", name)
    return name.removeprefix("meta-")


@lru_cache(maxsize=1)
def _index() -> dict[str, set[str]]:
    """Stripped repo name -> canonical ids of the bundled architectures it names."""
    index: dict[str, set[str]] = {}
    for name in bundled.all_names():
        entry = bundled.lookup(name)
        if entry is not None:
            index.setdefault(_key(name), set()).add(entry.id)
    return index


def alias_target(name: str) -> str | None:
    """The canonical bundled id ``name`` is a re-upload of, or None if unknown/ambiguous."""
    if _CONVERTED.match(name) or _TEST_CHECKPOINT.match(name.strip()):
        return None
    ids = _index().get(_key(name))
    if ids is None or len(ids) != 1:
        return None
    return next(iter(ids))
