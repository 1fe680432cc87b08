"""Which part of a multimodal model a module belongs to: vision, projector or language.

Decided from the module's path, not from a list of architectures: transformers names
the towers consistently (``vision_tower``, ``visual``, ``vision_model``, ``image_encoder``
...; ``multi_modal_projector``, ``merger``, ``connector``...), so new VLMs land in the right
group as long as they follow the convention.
"""

from __future__ import annotations

import re

VISION = "vision tower"
PROJECTOR = "projector"
AUDIO = "audio tower"
LANGUAGE = "language model"

_PROJECTOR = re.compile(
    r"(^|\.)(multi_modal_projector|mm_projector|merger|connector|aligner|visual_projection|"
    r"vision_projection|image_projection|projector)(\.|$)"
)
_VISION = re.compile(
    r"(^|\.)(vision_tower|visual|vision_model|vision_encoder|image_encoder|vision|vit|"
    r"siglip|clip_vision|patch_embed|vision_embed_tokens)(\.|$)"
)
_AUDIO = re.compile(r"(^|\.)(audio_tower|audio_model|audio_encoder|speech_encoder)(\.|$)")


def tower_of(name: str) -> str:
    """The sub-model ``name`` lives in (projector checked first: it often sits in ``visual``)."""
    if _PROJECTOR.search(name):
        return PROJECTOR
    if _AUDIO.search(name):
        return AUDIO
    if _VISION.search(name):
        return VISION
    return LANGUAGE
