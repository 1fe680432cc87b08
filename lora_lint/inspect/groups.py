"""Which role each module plays: attention, feed-forward, MoE, embeddings, head, vision, other.

Names alone do not tell (``c_proj`` is attention *and* MLP in GPT-2, ``dense`` is everywhere
in BERT and Falcon, ``q_proj`` is in the vision tower of a VLM too), so a module's role is
read from its place in the tree first: the nearest enclosing block whose class or attribute
name says attention / MLP / mixture-of-experts / vision tower / projector decides. Leaf names
are only the fallback, and a Linear left over inside a repeated transformer block is
feed-forward (a block is attention plus a feed-forward network). New architectures whose
classes follow the transformers naming (``*Attention``, ``*MLP``, ``*SparseMoeBlock``,
``*VisionModel``, ``*Projector``) therefore land in the right group without a table entry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from lora_lint.match.cost import module_lora_params, parameter_lora_params
from lora_lint.models import inventory as inv
from lora_lint.models.inventory import ModelInventory, ModuleInfo

ATTENTION = "attention"
FEED_FORWARD = "feed-forward"
MOE = "moe"
EMBEDDINGS = "embeddings"
OUTPUT_HEAD = "output-head"
VISION_TOWER = "vision-tower"
PROJECTOR = "projector"
OTHER = "other"

#: Display order and titles.
GROUP_TITLES: dict[str, str] = {
    ATTENTION: "Attention",
    FEED_FORWARD: "Feed-forward",
    MOE: "Mixture of experts",
    EMBEDDINGS: "Embeddings",
    OUTPUT_HEAD: "Output head",
    VISION_TOWER: "Vision tower",
    PROJECTOR: "Multimodal projector",
    OTHER: "Other",
}

_ATTN_CLASS = re.compile(r"attention|attn", re.I)
_ATTN_NAME = re.compile(
    r"^(self_?attn|attn|attention|self_?attention|cross_?attn|cross_?attention|"
    r"encdec_?attention|selfattention|mixer_attn|self)$",
    re.I,
)
_FFN_CLASS = re.compile(
    r"mlp|feed_?forward|ffn|intermediate|dense(relu|gated)?act|layerff|densereludense", re.I
)
_FFN_NAME = re.compile(r"^(mlp|feed_?forward|ffn|ff|intermediate|densereludense|mlp_block)$", re.I)
#: The class of a block that routes between experts (``*SparseMoeBlock``, ``*MoE``, ``*Experts``),
#: not of a model or decoder layer that merely belongs to a MoE family (``Qwen2MoeDecoderLayer``).
_MOE_CLASS = re.compile(r"(moe|moe_?block|experts|mixture_?of_?experts)$", re.I)
_ROUTER = re.compile(r"router|topk|gate$", re.I)
_VISION_CLASS = re.compile(r"vision|visual|vit(?![a-z])|imageencoder", re.I)
_VISION_NAME = re.compile(
    r"^(vision_tower|vision_model|visual|vision_encoder|image_encoder|vision|vit|image_tower|"
    r"vision_backbone|img_encoder|vision_embed_tokens)$",
    re.I,
)
_PROJECTOR_CLASS = re.compile(r"projector|connector|merger|aligner|resampler", re.I)
_PROJECTOR_NAME = re.compile(
    r"^(multi_modal_projector|mm_projector|projector|connector|merger|aligner|resampler|"
    r"vision_proj|visual_projection|image_projection|mm_proj)$",
    re.I,
)
_HEAD_NAMES = frozenset(
    {
        "lm_head",
        "classifier",
        "score",
        "qa_outputs",
        "cls",
        "embed_out",
        "output",
        "head",
        "heads",
        "lm_heads",
        "pooler",
        "proj_out",
    }
)
_HEAD_CLASS = re.compile(r"head$|heads$|pooler", re.I)
#: Leaf names, used only when the tree does not tell.
_ATTN_LEAF = re.compile(
    r"^(q|k|v|o|q_proj|k_proj|v_proj|o_proj|qkv_proj|qkv|query|key|value|query_key_value|c_attn|"
    r"wqkv|w_pack|wq|wk|wv|wo|out_proj|q_a_proj|q_b_proj|kv_a_proj_with_mqa|kv_b_proj|"
    r"q_lin|k_lin|v_lin|out_lin|to_q|to_k|to_v|to_out)$",
    re.I,
)
_FFN_LEAF = re.compile(
    r"^(gate_proj|up_proj|down_proj|gate_up_proj|fc1|fc2|c_fc|w1|w2|w3|wi|wi_0|wi_1|wo|"
    r"dense_h_to_4h|dense_4h_to_h|fc_in|fc_out|lin1|lin2|ffn_up|ffn_down)$",
    re.I,
)
_INDEX = re.compile(r"^\d+$")


def _ancestors(name: str) -> list[str]:
    """``a.b.c`` -> ``["a.b", "a"]`` (nearest first)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def display_leaf(name: str) -> str:
    """The leaf, with its parent when the leaf is an index (``merger.mlp.0`` -> ``mlp.0``)."""
    parts = name.split(".")
    if len(parts) > 1 and _INDEX.match(parts[-1]):
        return ".".join(parts[-2:])
    return parts[-1]


def _in_repeated_block(name: str) -> bool:
    return any(_INDEX.match(p) for p in name.split(".")[:-1])


@dataclass(frozen=True)
class GroupRow:
    """Modules (or expert parameters) sharing a role, a leaf name, a class and a shape."""

    group: str
    #: The name to write in the config: a leaf (``q_proj``) or ``container.param``.
    leaf: str
    cls: str
    kind: str
    #: (in, out) for modules; the tensor shape for parameters.
    shape: tuple[int, ...]
    names: tuple[str, ...]
    params_each: int
    #: "target_modules", "target_parameters", or None (LoRA cannot reach it).
    field: str | None
    #: LoRA parameters one of them costs at the rank the rows were built for.
    lora_each: int
    note: str = ""

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def params_total(self) -> int:
        return self.params_each * self.count

    @property
    def shape_text(self) -> str:
        if self.kind == "parameter":
            return "×".join(str(d) for d in self.shape)
        return f"{self.shape[0]}→{self.shape[1]}"


@dataclass
class Classifier:
    """Role of every module of one inventory (see the module docstring for the rules)."""

    inventory: ModelInventory

    @cached_property
    def _children(self) -> dict[str, list[ModuleInfo]]:
        out: dict[str, list[ModuleInfo]] = defaultdict(list)
        for m in self.inventory.modules:
            parent = m.name.rsplit(".", 1)[0] if "." in m.name else ""
            out[parent].append(m)
        return out

    def _module(self, name: str) -> ModuleInfo | None:
        return self.inventory.by_name.get(name)

    def is_moe_block(self, name: str) -> bool:
        """A block that routes between experts: an ``experts`` child, fused 3-D expert
        parameters, a router child, or a MoE-named class."""
        module = self._module(name)
        if module is None:
            return False
        if any(len(s) == 3 for _, s in module.params):
            return True
        children = self._children.get(name, [])
        if any(c.leaf == "experts" for c in children):
            return True
        if any(c.leaf in ("router", "gate") and c.kind == inv.OTHER and c.params for c in children):
            return True
        return bool(_MOE_CLASS.search(module.cls))

    @cached_property
    def roles(self) -> dict[str, str]:
        return {m.name: self._role(m) for m in self.inventory.modules}

    def role(self, name: str) -> str:
        return self.roles.get(name, OTHER)

    def _role(self, module: ModuleInfo) -> str:
        inventory = self.inventory
        name = module.name
        chain = [name, *_ancestors(name)]
        if name in (inventory.output_embedding, inventory.seq_cls_head):
            return OUTPUT_HEAD
        top = name.split(".", 1)[0]
        top_module = self._module(top)
        if top in _HEAD_NAMES or (top_module is not None and _HEAD_CLASS.search(top_module.cls)):
            return OUTPUT_HEAD
        for anc in chain:
            m = self._module(anc)
            leaf = anc.rsplit(".", 1)[-1]
            cls = m.cls if m else ""
            if _PROJECTOR_NAME.match(leaf) or _PROJECTOR_CLASS.search(cls):
                return PROJECTOR
            if _VISION_NAME.match(leaf) or (
                m is not None and m.has_children and _VISION_CLASS.search(cls)
            ):
                return VISION_TOWER
        for anc in chain[1:]:
            m = self._module(anc)
            if m is not None and _HEAD_CLASS.search(m.cls):
                return OUTPUT_HEAD
        if module.kind == inv.EMBEDDING:
            return EMBEDDINGS
        if any(self.is_moe_block(a) for a in chain):
            return MOE
        for anc in chain:
            m = self._module(anc)
            leaf = anc.rsplit(".", 1)[-1]
            cls = m.cls if m else ""
            if module.kind == inv.MHA or _ATTN_CLASS.search(cls) or _ATTN_NAME.match(leaf):
                return ATTENTION
            if _FFN_CLASS.search(cls) or _FFN_NAME.match(leaf):
                return FEED_FORWARD
            if _INDEX.match(leaf):
                if anc == name:
                    continue  # an item of a container (attn.to_out.0): its parent tells
                break  # reached the repeated block: the tree says no more
        if module.kind in inv.WRAPPABLE_KINDS and _in_repeated_block(name):
            if _ATTN_LEAF.match(module.leaf):
                return ATTENTION
            return FEED_FORWARD
        if _ATTN_LEAF.match(module.leaf):
            return ATTENTION
        if _FFN_LEAF.match(module.leaf):
            return FEED_FORWARD
        return OTHER

    # -- rows --------------------------------------------------------------------------------
    def rows(self, r: int = 8) -> list[GroupRow]:
        """One row per (role, name, class, shape), in group order then model order."""
        buckets: dict[tuple[object, ...], list[str]] = {}
        info: dict[tuple[object, ...], tuple[str, str, str, int, str | None, int, str]] = {}
        conversion = self.inventory.moe_conversion or {}
        mapping: dict[str, str] = dict(conversion.get("mapping") or {})  # type: ignore[call-overload]
        for m in self.inventory.modules:
            role = self.role(m.name)
            if m.kind in inv.WRAPPABLE_KINDS:
                leaf = display_leaf(m.name)
                key: tuple[object, ...] = (role, leaf, m.cls, m.kind, m.in_features, m.out_features)
                buckets.setdefault(key, []).append(m.name)
                info[key] = (
                    role,
                    leaf,
                    m.kind,
                    m.n_params,
                    "target_modules",
                    module_lora_params(m, r),
                    _module_note(m),
                )
                continue
            for pname, shape in m.params:
                reachable = len(shape) == 3 or (
                    len(shape) == 2
                    and pname == "weight"
                    and m.kind == inv.OTHER
                    and role == MOE
                    and (_ROUTER.search(m.leaf) is not None or _ROUTER.search(m.cls) is not None)
                )
                if not reachable:
                    continue
                label = f"{m.leaf}.{pname}"
                key = (role, label, m.cls, "parameter", shape)
                buckets.setdefault(key, []).append(f"{m.name}.{pname}")
                n = 1
                for d in shape:
                    n *= d
                info[key] = (
                    role,
                    label,
                    "parameter",
                    n,
                    "target_parameters",
                    parameter_lora_params(shape, r),
                    _parameter_note(m, pname, shape, mapping),
                )
        order = list(GROUP_TITLES)
        rows = []
        for key, names in buckets.items():
            role, leaf, kind, n_each, fld, lora_each, note = info[key]
            cls = str(key[2])
            shape = (
                tuple(key[4])  # type: ignore[arg-type]
                if kind == "parameter"
                else (int(key[4] or 0), int(key[5] or 0))  # type: ignore[call-overload]
            )
            rows.append(
                GroupRow(
                    group=role,
                    leaf=leaf,
                    cls=cls,
                    kind=kind,
                    shape=shape,
                    names=tuple(names),
                    params_each=n_each,
                    field=fld,
                    lora_each=lora_each,
                    note=note,
                )
            )
        first_seen = {name: i for i, name in enumerate(self.inventory.names)}
        rows.sort(
            key=lambda row: (
                order.index(row.group),
                first_seen.get(
                    row.names[0].rsplit(".", 1)[0] if row.kind == "parameter" else row.names[0], 0
                ),
            )
        )
        return rows


def _module_note(m: ModuleInfo) -> str:
    if m.kind == inv.MHA:
        return "nn.MultiheadAttention: LoRA adapts in_proj and out_proj together"
    if m.kind == inv.HF_CONV1D:
        return "transformers Conv1D (PEFT sets fan_in_fan_out)"
    if m.kind in (inv.CONV1D, inv.CONV2D, inv.CONV3D):
        return "convolution: not in all-linear"
    if m.kind == inv.EMBEDDING:
        return "not in all-linear"
    return ""


def _parameter_note(
    m: ModuleInfo, pname: str, shape: tuple[int, ...], mapping: dict[str, str]
) -> str:
    old = sorted(k for k, v in mapping.items() if v in (pname, f"{m.leaf}.{pname}"))
    if len(shape) == 3:
        text = f"{shape[0]} experts fused in one 3-D tensor; reachable only via target_parameters"
    else:
        text = f"router ({m.cls}, not an nn.Linear); reachable only via target_parameters"
    if old:
        text += f"; PEFT rewrites target_modules {'/'.join(old)} to it"
    return text


def group_rows(inventory: ModelInventory, r: int = 8) -> list[GroupRow]:
    """The module groups ``inspect`` lists (wrappable modules and expert/router parameters)."""
    return Classifier(inventory).rows(r)


@dataclass
class GroupSummary:
    """Totals per group, for the JSON and the group headings."""

    group: str
    modules: int = 0
    #: Expert/router tensors reachable through ``target_parameters``.
    tensors: int = 0
    params: int = 0
    rows: list[GroupRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        parts = []
        if self.modules:
            parts.append(f"{self.modules:,} module{'s' if self.modules != 1 else ''}")
        if self.tensors:
            parts.append(f"{self.tensors:,} parameter tensor{'s' if self.tensors != 1 else ''}")
        return f"{GROUP_TITLES[self.group]}: {', '.join(parts)}, {self.params:,} parameters"


def summarize(rows: Iterable[GroupRow]) -> list[GroupSummary]:
    out: dict[str, GroupSummary] = {}
    for row in rows:
        summary = out.setdefault(row.group, GroupSummary(row.group))
        if row.kind == "parameter":
            summary.tensors += row.count
        else:
            summary.modules += row.count
        summary.params += row.params_total
        summary.rows.append(row)
    return [out[g] for g in GROUP_TITLES if g in out]
