"""Head kinds: which transformers class a training script instantiates.

The head decides the module paths PEFT sees (``model.layers.0...`` for
``LlamaForCausalLM`` but ``layers.0...`` for ``LlamaModel``), so every model
reference keeps it. The kinds map onto transformers' auto-class mappings; the
mapping names are looked up only on the cold path (transformers imported).
"""

from __future__ import annotations

#: head kind -> name of the transformers ``*_MAPPING_NAMES`` dict in ``modeling_auto``.
HEAD_MAPPINGS: dict[str, str] = {
    "causal-lm": "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES",
    "seq-cls": "MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES",
    "token-cls": "MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES",
    "seq2seq": "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES",
    "qa": "MODEL_FOR_QUESTION_ANSWERING_MAPPING_NAMES",
    "masked-lm": "MODEL_FOR_MASKED_LM_MAPPING_NAMES",
    "image-text-to-text": "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES",
    "base": "MODEL_MAPPING_NAMES",
}

HEAD_KINDS = tuple(HEAD_MAPPINGS)

#: The class a fine-tuning tool (axolotl, LLaMA-Factory, TRL's scripts) loads for a
#: language-model run: the image-text-to-text class for a multimodal config (names then
#: start ``model.language_model.``), else the causal LM, else the seq2seq LM.
TRAINER_LM = "trainer-lm"

#: transformers ``Auto*`` classes -> head kinds (other Auto classes: take ``architectures``).
AUTO_CLASS_HEADS: dict[str, str] = {
    "AutoModelForCausalLM": "causal-lm",
    "AutoModelForSequenceClassification": "seq-cls",
    "AutoModelForTokenClassification": "token-cls",
    "AutoModelForSeq2SeqLM": "seq2seq",
    "AutoModelForQuestionAnswering": "qa",
    "AutoModel": "base",
}

#: PEFT ``task_type`` -> head kind (adapter_config.json, ``LoraConfig(task_type=...)``).
TASK_TYPE_HEADS: dict[str, str] = {
    "CAUSAL_LM": "causal-lm",
    "SEQ_CLS": "seq-cls",
    "TOKEN_CLS": "token-cls",
    "SEQ_2_SEQ_LM": "seq2seq",
    "QUESTION_ANS": "qa",
    "FEATURE_EXTRACTION": "base",
}


def resolve_head_class(
    model_type: str, architectures: list[str], head: str | None, *, multimodal: bool = False
) -> str:
    """Name of the transformers class to instantiate (needs transformers; cold path only)."""
    import transformers
    from transformers.models.auto import modeling_auto

    if head == TRAINER_LM:
        order = ["image-text-to-text"] if multimodal else []
        order += ["causal-lm", "seq2seq", "image-text-to-text"]
        for kind in order:
            mapping: dict[str, str] = getattr(modeling_auto, HEAD_MAPPINGS[kind], {})
            name = mapping.get(model_type)
            if name and hasattr(transformers, name):
                return name
        head = None  # take the config's architectures
    if head and head not in HEAD_MAPPINGS:
        if not hasattr(transformers, head):
            raise LookupError(f"transformers {transformers.__version__} has no class {head!r}")
        return head
    if head is None:
        for arch in architectures:
            if hasattr(transformers, arch):
                return arch
        order = ["causal-lm", "seq2seq", "image-text-to-text", "base"]
    else:
        order = [head]
    for kind in order:
        mapping = getattr(modeling_auto, HEAD_MAPPINGS[kind], {})
        name = mapping.get(model_type)
        if name and hasattr(transformers, name):
            return name
    wanted = head or "any known head"
    raise LookupError(
        f"transformers {transformers.__version__} has no {wanted} class "
        f"for model_type {model_type!r}"
    )


#: Head of a diffusers pipeline (``FluxPipeline.from_pretrained(id)``): not a model itself;
#: its components are (``pipe.transformer``: head ``component:transformer``).
DIFFUSERS_PIPELINE = "diffusers-pipeline"
DIFFUSERS_COMPONENT = "component:"
#: A pipeline component's attribute name -> what its class name says it is.
DIFFUSERS_COMPONENT_CLASS = {"transformer": "Transformer", "unet": "UNet"}
