"""Everything ``inspect`` shows, assembled once: the text, rich and JSON outputs render this.

Keeping the data in one place is what makes "JSON has everything the text shows" true by
construction: the renderers only format fields of :class:`InspectReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lora_lint.inspect.groups import GROUP_TITLES, GroupRow, summarize
from lora_lint.inspect.presets import Recipe
from lora_lint.inspect.tree import TreeNode
from lora_lint.match.cost import CostReport
from lora_lint.models.inventory import ModelInventory

JSON_VERSION = 1

#: (key, label) of the summary lines, in display order.
SUMMARY_FIELDS = (
    ("model_type", "model type"),
    ("class_name", "class"),
    ("hidden_size", "hidden size"),
    ("intermediate_size", "intermediate size"),
    ("num_layers", "layers"),
    ("num_attention_heads", "attention heads"),
    ("num_key_value_heads", "KV heads"),
    ("vocab_size", "vocabulary"),
    ("num_experts", "experts"),
    ("total_params", "total parameters"),
    ("tie_word_embeddings", "tied embeddings"),
)


def task_type_for(inventory: ModelInventory, head: str | None) -> str | None:
    """The PEFT ``task_type`` a training script would use with this head class."""
    by_head = {
        "causal-lm": "CAUSAL_LM",
        "seq-cls": "SEQ_CLS",
        "token-cls": "TOKEN_CLS",
        "seq2seq": "SEQ_2_SEQ_LM",
        "qa": "QUESTION_ANS",
        "base": "FEATURE_EXTRACTION",
        "image-text-to-text": "CAUSAL_LM",
    }
    if head in by_head:
        return by_head[head]
    cls = inventory.class_name
    for suffix, task in (
        ("ForSequenceClassification", "SEQ_CLS"),
        ("ForTokenClassification", "TOKEN_CLS"),
        ("ForQuestionAnswering", "QUESTION_ANS"),
        ("ForCausalLM", "CAUSAL_LM"),
        ("LMHeadModel", "CAUSAL_LM"),
    ):
        if cls.endswith(suffix):
            return task
    if cls.endswith("ForConditionalGeneration"):
        names = set(inventory.names)
        seq2seq = {"encoder", "decoder"} <= names or {"model.encoder", "model.decoder"} <= names
        return "SEQ_2_SEQ_LM" if seq2seq else "CAUSAL_LM"
    if cls.endswith("Model"):
        return "FEATURE_EXTRACTION"
    return None


def summary_of(inventory: ModelInventory) -> dict[str, object]:
    s = inventory.summary
    return {
        "model_type": inventory.model_type,
        "class_name": inventory.class_name,
        "hidden_size": s.get("hidden_size"),
        "intermediate_size": s.get("intermediate_size"),
        "num_layers": s.get("num_layers", inventory.num_layers),
        "num_attention_heads": s.get("num_attention_heads"),
        "num_key_value_heads": s.get("num_key_value_heads", s.get("num_attention_heads")),
        "vocab_size": s.get("vocab_size"),
        "num_experts": s.get("num_experts"),
        "total_params": inventory.total_params,
        "tie_word_embeddings": s.get("tie_word_embeddings"),
    }


def cost_json(cost: CostReport) -> dict[str, object]:
    effective = cost.effective
    return {
        "error": cost.error,
        "error_message": cost.error_message,
        "matched_modules": cost.matched_modules,
        "adapted_modules": [t.name for t in cost.module_targets],
        "adapted_parameters": [t.name for t in cost.parameter_targets],
        "modules_to_save": [name for name, _ in cost.saved],
        "lora_params": cost.lora_params,
        "trainable_params": cost.trainable,
        "all_params": cost.all_params,
        "trainable_percent": cost.percent,
        "size_bytes": {"bf16": cost.size_bytes("bf16"), "fp32": cost.size_bytes("fp32")},
        "ranks": sorted({t.rank for t in cost.targets}),
        "effective": None
        if effective is None
        else {
            "target_modules": _plain(effective.target_modules),
            "target_parameters": _plain(effective.target_parameters),
            "rank_pattern": dict(effective.rank_pattern or {}),
        },
        "notes": list(cost.notes),
    }


def _plain(value: object) -> object:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return value


def recipe_json(recipe: Recipe) -> dict[str, object]:
    return {
        "key": recipe.key,
        "title": recipe.title,
        "available": recipe.available,
        "config": {**recipe.config_fields(), "task_type": recipe.task_type},
        "notes": list(recipe.notes),
        "cost": cost_json(recipe.cost) if recipe.available else None,
    }


def row_json(row: GroupRow) -> dict[str, object]:
    return {
        "name": row.leaf,
        "class": row.cls,
        "kind": row.kind,
        "shape": list(row.shape),
        "count": row.count,
        "params_each": row.params_each,
        "params_total": row.params_total,
        "lora_field": row.field,
        "lora_params_each": row.lora_each,
        "note": row.note,
        "example": row.names[0],
    }


@dataclass
class InspectReport:
    model_id: str
    how: str
    head: str | None
    inventory: ModelInventory
    r: int
    rows: list[GroupRow]
    presets: list[Recipe]
    selection: Recipe | None = None
    tree: TreeNode | None = None
    emit_format: str | None = None
    emitted: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, object]:
        return summary_of(self.inventory)

    @property
    def versions(self) -> dict[str, str]:
        builder = (
            "diffusers" if self.inventory.summary.get("library") == "diffusers" else "transformers"
        )
        return {k: v for k, v in self.inventory.versions.items() if k in (builder, "peft")}

    def to_json(self) -> dict[str, object]:
        groups = []
        for summary in summarize(self.rows):
            groups.append(
                {
                    "group": summary.group,
                    "title": GROUP_TITLES[summary.group],
                    "modules": summary.modules,
                    "parameter_tensors": summary.tensors,
                    "params": summary.params,
                    "rows": [row_json(r) for r in summary.rows],
                }
            )
        out: dict[str, object] = {
            "version": JSON_VERSION,
            "model": {
                "id": self.model_id,
                "resolved_from": self.how,
                "head": self.head,
                **self.summary,
                "versions": self.versions,
            },
            "notes": list(self.notes),
            "groups": groups,
            "presets": [recipe_json(p) for p in self.presets],
            "rank": self.r,
            "selection": None,
            "emit": None,
        }
        if self.selection is not None:
            selection = recipe_json(self.selection)
            selection["tree"] = self.tree.to_json() if self.tree else None
            out["selection"] = selection
        if self.emitted is not None:
            out["emit"] = {"format": self.emit_format, "text": self.emitted}
        return out
