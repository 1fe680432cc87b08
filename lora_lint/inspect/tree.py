"""The model as a tree, identical repeated blocks folded, adapted modules marked.

A 32-layer model has 32 identical decoder layers; showing one of them, marked as standing for
32, is what a reader needs. Siblings named by an index (the children of a ``ModuleList``) are
folded into runs of *identical* subtrees - same relative names, classes, shapes and adaptation (a
``layers_to_transform`` choice or DeepSeek's dense first layers split the run) - and each run
is expanded once (shown as ``layers.0-31`` followed by the count).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lora_lint.match.cost import CostReport, TargetCost
from lora_lint.models.inventory import ModelInventory, ModuleInfo

_INDEX = re.compile(r"^\d+$")


@dataclass
class TreeNode:
    """One module (or a folded run of identical modules, or an adapted parameter)."""

    label: str
    cls: str
    kind: str
    shape: str = ""
    #: How many identical copies this node stands for (its own run times its ancestors').
    repeat: int = 1
    #: LoRA rank and parameters *per copy* when this node is adapted, else None.
    rank: int | None = None
    lora_params: int | None = None
    #: "module" or "parameter" (``target_parameters``) when adapted.
    via: str | None = None
    children: list[TreeNode] = field(default_factory=list)

    @property
    def adapted(self) -> bool:
        return self.rank is not None

    @property
    def adapted_below(self) -> int:
        """Adapted modules in this subtree, counting every copy."""
        own = self.repeat if self.adapted else 0
        return own + sum(c.adapted_below for c in self.children)

    @property
    def lora_below(self) -> int:
        own = (self.lora_params or 0) * self.repeat
        return own + sum(c.lora_below for c in self.children)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.label, "class": self.cls, "kind": self.kind}
        if self.shape:
            out["shape"] = self.shape
        if self.repeat != 1:
            out["repeat"] = self.repeat
        if self.adapted:
            out.update(rank=self.rank, lora_params=self.lora_params, via=self.via)
        if self.children:
            out["adapted_below"] = self.adapted_below
            out["children"] = [c.to_json() for c in self.children]
        return out


def _shape(m: ModuleInfo) -> str:
    if m.in_features is None or m.out_features is None:
        return ""
    return f"{m.in_features}→{m.out_features}"


@dataclass
class _Raw:
    name: str
    module: ModuleInfo | None
    children: list[_Raw] = field(default_factory=list)


def build_tree(inventory: ModelInventory, cost: CostReport | None = None) -> TreeNode:
    """The folded tree of ``inventory`` with ``cost``'s targets marked."""
    root = _Raw("", None)
    index: dict[str, _Raw] = {"": root}
    for m in inventory.modules:
        parent = m.name.rsplit(".", 1)[0] if "." in m.name else ""
        node = _Raw(m.name, m)
        index.setdefault(parent, _Raw(parent, None)).children.append(node)
        index[m.name] = node
    targets = {t.name: t for t in cost.targets} if cost else {}
    top = TreeNode(
        label=inventory.class_name or inventory.model_id, cls=inventory.class_name, kind="model"
    )
    top.children = _fold(root.children, inventory, targets, 1)
    return top


def _signature(raw: _Raw, targets: Mapping[str, TargetCost], prefix: str) -> tuple[object, ...]:
    """Everything that must be equal for two siblings to fold together."""
    m = raw.module
    rel = raw.name[len(prefix) :]
    target = targets.get(raw.name)
    own = (
        rel,
        m.cls if m else "",
        m.kind if m else "",
        m.in_features if m else None,
        m.out_features if m else None,
        m.params if m else (),
        _target_sig(target),
        tuple(_target_sig(targets.get(f"{raw.name}.{p}")) for p, _ in (m.params if m else ())),
    )
    return (own, tuple(_signature(c, targets, prefix) for c in raw.children))


def _target_sig(target: TargetCost | None) -> tuple[object, ...]:
    if target is None:
        return ()
    return (target.rank, target.lora_params)


def _fold(
    raws: list[_Raw], inventory: ModelInventory, targets: Mapping[str, TargetCost], repeat: int
) -> list[TreeNode]:
    out: list[TreeNode] = []
    i = 0
    while i < len(raws):
        raw = raws[i]
        leaf = raw.name.rsplit(".", 1)[-1]
        run = [raw]
        if _INDEX.match(leaf):
            sig = _signature(raw, targets, raw.name)
            j = i + 1
            while j < len(raws):
                other = raws[j]
                if not _INDEX.match(other.name.rsplit(".", 1)[-1]):
                    break
                if _signature(other, targets, other.name) != sig:
                    break
                run.append(other)
                j += 1
        out.append(_node(run, inventory, targets, repeat))
        i += len(run)
    return out


def _node(
    run: list[_Raw], inventory: ModelInventory, targets: Mapping[str, TargetCost], repeat: int
) -> TreeNode:
    raw = run[0]
    m = raw.module
    leaf = raw.name.rsplit(".", 1)[-1]
    parent_leaf = raw.name.rsplit(".", 2)[-2] if raw.name.count(".") >= 1 else ""
    if len(run) > 1:
        last = run[-1].name.rsplit(".", 1)[-1]
        label = f"{parent_leaf}.{leaf}-{last} ×{len(run)}" if parent_leaf else f"{leaf}-{last}"
    elif _INDEX.match(leaf) and parent_leaf:
        label = f"{parent_leaf}.{leaf}"
    else:
        label = leaf
    count = repeat * len(run)
    node = TreeNode(
        label=label,
        cls=m.cls if m else "",
        kind=m.kind if m else "container",
        shape=_shape(m) if m else "",
        repeat=count,
    )
    target = targets.get(raw.name)
    if target is not None:
        node.rank = target.rank
        node.lora_params = target.lora_params
        node.via = "module"
    if m is not None:
        for pname, shape in m.params:
            if len(shape) != 3 and f"{raw.name}.{pname}" not in targets:
                continue  # ordinary weights/biases are not worth a line
            ptarget = targets.get(f"{raw.name}.{pname}")
            child = TreeNode(
                label=pname,
                cls="Parameter",
                kind="parameter",
                shape="×".join(str(d) for d in shape),
                repeat=count,
            )
            if ptarget is not None:
                child.rank = ptarget.rank
                child.lora_params = ptarget.lora_params
                child.via = "parameter"
            node.children.append(child)
    node.children.extend(_fold(raw.children, inventory, targets, count))
    return node
