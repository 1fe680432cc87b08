"""The module inventory of a model: everything the matcher needs, without torch.

An inventory is built once per (config, head class, library versions) on the
meta device and then cached as JSON, so a warm lint run reads plain data and
never imports torch, transformers or peft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

#: Bump when the inventory layout or its meaning changes (part of the cache key).
INVENTORY_FORMAT = 3

# Module kinds, as PEFT's dispatchers distinguish them.
LINEAR = "linear"  # torch.nn.Linear and subclasses
HF_CONV1D = "hf_conv1d"  # transformers.pytorch_utils.Conv1D (GPT-2 style, transposed)
EMBEDDING = "embedding"
CONV1D = "conv1d"
CONV2D = "conv2d"
CONV3D = "conv3d"
MHA = "multihead_attention"  # torch.nn.MultiheadAttention
NORM = "norm"
DROPOUT = "dropout"
ACTIVATION = "activation"
CONTAINER = "container"  # has children: blocks, ModuleList, attention/MLP wrappers
OTHER = "other"  # a leaf LoRA cannot wrap (routers, rotary embeddings, ...)

WRAPPABLE_KINDS = frozenset({LINEAR, HF_CONV1D, EMBEDDING, CONV1D, CONV2D, CONV3D, MHA})
LINEAR_KINDS = frozenset({LINEAR, HF_CONV1D})


@dataclass(frozen=True)
class ModuleInfo:
    """One entry of ``model.named_modules()`` (the root excluded)."""

    name: str
    cls: str
    kind: str
    in_features: int | None = None
    out_features: int | None = None
    #: Direct parameters (``recurse=False``): name -> shape.
    params: tuple[tuple[str, tuple[int, ...]], ...] = ()
    has_children: bool = False
    #: Class-specific facts PEFT looks at (e.g. MultiheadAttention's ``_qkv_same_embed_dim``).
    attrs: tuple[tuple[str, object], ...] = ()

    @property
    def leaf(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def n_params(self) -> int:
        total = 0
        for _, shape in self.params:
            n = 1
            for d in shape:
                n *= d
            total += n
        return total

    def attr(self, key: str, default: object = None) -> object:
        for k, v in self.attrs:
            if k == key:
                return v
        return default


@dataclass
class ModelInventory:
    """The module tree of one model class built from one config."""

    model_id: str
    model_type: str
    class_name: str
    modules: list[ModuleInfo]
    #: Name of ``get_output_embeddings()`` (``lm_head``), excluded by ``all-linear``.
    output_embedding: str | None = None
    #: First of ``score``/``classifier`` that is a top-level attribute (SEQ_CLS heads).
    seq_cls_head: str | None = None
    num_layers: int | None = None
    total_params: int = 0
    #: Architecture summary: hidden_size, intermediate_size, heads, kv heads, vocab, tie...
    summary: dict[str, object] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: PEFT's default ``target_modules`` for this model_type, per method ("LORA", "IA3", ...),
    #: captured from the installed peft when the inventory was built (``None``: no default).
    peft_defaults: dict[str, object] = field(default_factory=dict)
    #: The transformers-5 MoE rewrite PEFT applies to this model type, captured from the
    #: installed peft: {"base": "mixtral", "mapping": {old: new}, "fused": {new: [old, ...]}}.
    moe_conversion: dict[str, object] | None = None
    #: Other names of shared (tied) modules: alias -> the name ``named_modules()`` reports.
    aliases: dict[str, str] = field(default_factory=dict)
    #: False for a tree read from source whose parameter shapes are not all static (a module
    #: class of the linted code): matching holds, parameter counts do not. Never cached.
    exact_shapes: bool = True

    @cached_property
    def parameters(self) -> list[tuple[str, str, tuple[int, ...]]]:
        """(module name, parameter key ``module.param``, shape) of every direct parameter."""
        return [(m.name, f"{m.name}.{p}", s) for m in self.modules for p, s in m.params]

    @cached_property
    def by_name(self) -> dict[str, ModuleInfo]:
        return {m.name: m for m in self.modules}

    @cached_property
    def names(self) -> list[str]:
        return [m.name for m in self.modules]

    @cached_property
    def wrappable_leaf_names(self) -> list[str]:
        """Distinct leaf names of modules LoRA can wrap, in model order (for suggestions)."""
        seen: dict[str, None] = {}
        for m in self.modules:
            if m.kind in WRAPPABLE_KINDS:
                seen.setdefault(m.leaf, None)
        return list(seen)

    # -- serialisation: compact rows, shared class/kind tables ---------------------------
    def to_json(self) -> dict[str, object]:
        classes: dict[str, int] = {}
        rows: list[list[object]] = []
        for m in self.modules:
            ci = classes.setdefault(m.cls, len(classes))
            rows.append(
                [
                    m.name,
                    ci,
                    m.kind,
                    m.in_features,
                    m.out_features,
                    [[p, list(s)] for p, s in m.params],
                    int(m.has_children),
                    [[k, v] for k, v in m.attrs],
                ]
            )
        return {
            "format": INVENTORY_FORMAT,
            "model_id": self.model_id,
            "model_type": self.model_type,
            "class_name": self.class_name,
            "output_embedding": self.output_embedding,
            "seq_cls_head": self.seq_cls_head,
            "num_layers": self.num_layers,
            "total_params": self.total_params,
            "summary": self.summary,
            "versions": self.versions,
            "notes": self.notes,
            "peft_defaults": self.peft_defaults,
            "moe_conversion": self.moe_conversion,
            "aliases": self.aliases,
            "classes": list(classes),
            "modules": rows,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ModelInventory:
        if data.get("format") != INVENTORY_FORMAT:
            raise ValueError(f"inventory format {data.get('format')!r} != {INVENTORY_FORMAT}")
        classes = list(data["classes"])  # type: ignore[call-overload]
        modules = [
            ModuleInfo(
                name=row[0],
                cls=classes[row[1]],
                kind=row[2],
                in_features=row[3],
                out_features=row[4],
                params=tuple((p, tuple(s)) for p, s in row[5]),
                has_children=bool(row[6]),
                attrs=tuple((k, v) for k, v in row[7]),
            )
            for row in data["modules"]  # type: ignore[attr-defined]
        ]
        return cls(
            model_id=str(data["model_id"]),
            model_type=str(data["model_type"]),
            class_name=str(data["class_name"]),
            modules=modules,
            output_embedding=data.get("output_embedding"),  # type: ignore[arg-type]
            seq_cls_head=data.get("seq_cls_head"),  # type: ignore[arg-type]
            num_layers=data.get("num_layers"),  # type: ignore[arg-type]
            total_params=int(data.get("total_params") or 0),  # type: ignore[call-overload]
            summary=dict(data.get("summary") or {}),  # type: ignore[call-overload]
            versions=dict(data.get("versions") or {}),  # type: ignore[call-overload]
            notes=list(data.get("notes") or []),  # type: ignore[call-overload]
            peft_defaults=dict(data.get("peft_defaults") or {}),  # type: ignore[call-overload]
            moe_conversion=data.get("moe_conversion"),  # type: ignore[arg-type]
            aliases=dict(data.get("aliases") or {}),  # type: ignore[call-overload]
        )
