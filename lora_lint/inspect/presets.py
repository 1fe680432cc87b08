"""Ready-made target choices (Q+V, all attention, attention + FFN, all-linear) and their cost.

Each preset is built from the module groups (:mod:`lora_lint.inspect.groups`), not from a
name table, and written as the shortest ``target_modules`` that makes PEFT adapt exactly the
intended modules: leaf names when they are unambiguous (``q_proj``), a dotted suffix when a
leaf also exists elsewhere (GPT-2's ``attn.c_proj`` vs ``mlp.c_proj``), and a regex when only
the path tells (a VLM's language-model ``q_proj`` vs the vision tower's). Every recipe is then
priced by :func:`~lora_lint.match.cost.estimate`, i.e. with PEFT's own rewrites applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lora_lint.inspect.groups import (
    ATTENTION,
    FEED_FORWARD,
    MOE,
    Classifier,
    GroupRow,
)
from lora_lint.match.cost import CostReport, estimate
from lora_lint.match.peft_semantics import PeftOptions, regex_fullmatch
from lora_lint.models import inventory as inv
from lora_lint.models.inventory import ModelInventory

_INDEX = re.compile(r"^\d+$")
_QUERY = re.compile(r"^(q|q_proj|query|wq|q_lin|query_proj|to_q|q_a_proj|q_b_proj)$", re.I)
_VALUE = re.compile(
    r"^(v|v_proj|value|wv|v_lin|value_proj|to_v|kv_proj|kv_a_proj_with_mqa|kv_b_proj)$", re.I
)
_FUSED_QKV = re.compile(r"^(qkv_proj|qkv|query_key_value|c_attn|wqkv|w_pack|in_proj)$", re.I)
_ROUTER_LEAF = re.compile(r"(^|_)(gate|router)$", re.I)

#: Preset keys, in display order.
PRESET_KEYS = ("qv", "qv-ffn", "attention", "attn-ffn", "all-linear")


@dataclass
class Recipe:
    """A concrete LoRA choice: what ``LoraConfig`` gets, and what it costs on the model."""

    key: str
    title: str
    target_modules: str | list[str] | None
    r: int
    alpha: int
    target_parameters: list[str] = field(default_factory=list)
    rank_pattern: dict[str, int] = field(default_factory=dict)
    task_type: str | None = None
    notes: list[str] = field(default_factory=list)
    cost: CostReport = field(default_factory=CostReport)

    @property
    def available(self) -> bool:
        return self.target_modules is not None or bool(self.target_parameters)

    @property
    def options(self) -> PeftOptions:
        return PeftOptions(
            target_modules=self.target_modules,
            target_parameters=self.target_parameters or None,
            task_type=self.task_type,
            r=self.r,
            lora_alpha=self.alpha,
            rank_pattern=self.rank_pattern or None,
        )

    def config_fields(self) -> dict[str, object]:
        """The ``LoraConfig`` fields of the recipe, as its JSON outputs write them."""
        return {
            "r": self.r,
            "lora_alpha": self.alpha,
            "lora_dropout": self.lora_dropout,
            "target_modules": self.target_modules,
            "target_parameters": self.target_parameters or None,
            "rank_pattern": self.rank_pattern,
        }

    @property
    def lora_dropout(self) -> float:
        """0.05, or 0 when PEFT wraps parameters (``lora.ParamWrapper`` rejects dropout)."""
        effective = self.cost.effective
        if self.target_parameters or (effective is not None and effective.target_parameters):
            return 0.0
        return 0.05

    def price(self, inventory: ModelInventory) -> Recipe:
        self.cost = estimate(self.options, inventory)
        self.notes.extend(n for n in self.cost.notes if n not in self.notes)
        return self


# -- target_modules that select exactly a set of modules ---------------------------------
def _suffix_matches(names: Sequence[str], suffix: str) -> set[str]:
    dotted = "." + suffix
    return {n for n in names if n == suffix or n.endswith(dotted)}


def minimal_entries(inventory: ModelInventory, wanted: Iterable[str]) -> str | list[str]:
    """The shortest ``target_modules`` PEFT matches to exactly ``wanted``.

    A list of leaf names or dotted suffixes when those select nothing else; otherwise a
    regex over the paths with the layer indices generalised (``layers\\.\\d+``); as a last
    resort the full names.
    """
    names = inventory.names
    want = list(dict.fromkeys(wanted))
    want_set = set(want)
    entries: list[str] = []
    for name in want:
        parts = name.split(".")
        chosen = None
        for k in range(1, len(parts) + 1):
            tail = parts[-k:]
            if _INDEX.match(tail[0]) and k < len(parts):
                continue  # never start an entry at a layer index
            if any(_INDEX.match(p) for p in tail[:-1]):
                break  # the suffix would name one layer only
            suffix = ".".join(tail)
            if _suffix_matches(names, suffix) <= want_set:
                chosen = suffix
                break
        if chosen is None:
            entries = []
            break
        if chosen not in entries:
            entries.append(chosen)
    if entries:
        return entries
    regex = _generalised_regex(want)
    if {n for n in names if regex_fullmatch(regex, n)} == want_set:
        return regex
    return want


def _generalised_regex(names: Sequence[str]) -> str:
    """One alternative per parent path, indices generalised.

    E.g. ``model\\.layers\\.\\d+\\.self_attn\\.(?:q_proj|v_proj)``.
    """
    by_parent: dict[str, list[str]] = {}
    for name in names:
        parent, _, leaf = name.rpartition(".")
        pattern = ".".join(r"\d+" if _INDEX.match(p) else re.escape(p) for p in parent.split("."))
        leaves = by_parent.setdefault(pattern, [])
        if re.escape(leaf) not in leaves:
            leaves.append(re.escape(leaf))
    parts = []
    for parent, leaves in by_parent.items():
        tail = leaves[0] if len(leaves) == 1 else "(?:" + "|".join(leaves) + ")"
        parts.append(rf"{parent}\.{tail}" if parent else tail)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def rank_key(entries: str | Sequence[str]) -> str:
    """One ``rank_pattern`` key selecting what ``entries`` select.

    PEFT tries ``re.match(rf"(.*\\.)?({key})$", name)``, so escaped suffixes joined by ``|``
    select exactly the suffix matches, and a ``target_modules`` regex works as it is.
    """
    if isinstance(entries, str):
        return entries
    return "|".join(re.escape(e) for e in entries)


# -- the presets --------------------------------------------------------------------------
def _attention_modules(classifier: Classifier) -> list[str]:
    return [
        m.name
        for m in classifier.inventory.modules
        if m.kind in inv.WRAPPABLE_KINDS
        and m.kind != inv.EMBEDDING
        and classifier.role(m.name) == ATTENTION
    ]


def _qv_modules(classifier: Classifier) -> tuple[list[str], str]:
    attention = _attention_modules(classifier)
    inventory = classifier.inventory
    leaf = {n: n.rsplit(".", 1)[-1] for n in attention}
    q = [n for n in attention if _QUERY.match(leaf[n])]
    v = [n for n in attention if _VALUE.match(leaf[n])]
    if q and v:
        return [n for n in attention if n in set(q) | set(v)], ""
    fused = [
        n for n in attention if _FUSED_QKV.match(leaf[n]) or inventory.by_name[n].kind == inv.MHA
    ]
    if fused:
        return fused, "Q and V are one fused projection here, so Q+V adapts the fused QKV"
    return [], "no separate query/value projections found"


def _ffn_targets(classifier: Classifier, rows: Sequence[GroupRow]) -> tuple[list[str], list[str]]:
    """Feed-forward modules (dense, shared experts) and the expert parameters of MoE blocks."""
    modules = []
    for m in classifier.inventory.modules:
        if m.kind not in inv.LINEAR_KINDS:
            continue
        role = classifier.role(m.name)
        if role == FEED_FORWARD or (role == MOE and not _ROUTER_LEAF.search(m.leaf)):
            modules.append(m.name)
    params = [
        row.leaf
        for row in rows
        if row.group == MOE and row.field == "target_parameters" and len(row.shape) == 3
    ]
    return modules, list(dict.fromkeys(params))


def build_presets(
    inventory: ModelInventory,
    r: int = 8,
    alpha: int | None = None,
    task_type: str | None = None,
    rows: Sequence[GroupRow] | None = None,
) -> list[Recipe]:
    """The four presets at rank ``r`` (attention + FFN puts the FFN at ``r // 2``), priced."""
    alpha = alpha if alpha is not None else 2 * r
    classifier = Classifier(inventory)
    rows = list(rows) if rows is not None else classifier.rows(r)
    out: list[Recipe] = []

    qv, qv_note = _qv_modules(classifier)
    recipe = Recipe("qv", f"attention Q+V (r={r})", None, r, alpha, task_type=task_type)
    if qv:
        recipe.target_modules = minimal_entries(inventory, qv)
    if qv_note:
        recipe.notes.append(qv_note)
    out.append(recipe)

    r_ffn = max(1, r // 2)
    ffn_modules, ffn_params = _ffn_targets(classifier, rows)
    # The recipe of the project's seed run: Q and V at rank r, the feed-forward projections
    # (gate/up/down, or the experts' parameters) at r // 2 through rank_pattern.
    out.append(
        _with_ffn(
            Recipe(
                "qv-ffn",
                f"attention Q+V r={r} + FFN r={r_ffn} (rank_pattern)",
                None,
                r,
                alpha,
                task_type=task_type,
            ),
            inventory,
            qv,
            ffn_modules,
            ffn_params,
            r_ffn,
        )
    )

    attention = _attention_modules(classifier)
    recipe = Recipe("attention", f"all attention (r={r})", None, r, alpha, task_type=task_type)
    if attention:
        recipe.target_modules = minimal_entries(inventory, attention)
    out.append(recipe)

    recipe = Recipe(
        "attn-ffn",
        f"attention r={r} + FFN r={r_ffn} (rank_pattern)",
        None,
        r,
        alpha,
        task_type=task_type,
    )
    out.append(_with_ffn(recipe, inventory, attention, ffn_modules, ffn_params, r_ffn))

    recipe = Recipe(
        "all-linear", f"all-linear (r={r})", "all-linear", r, alpha, task_type=task_type
    )
    vision = [row for row in rows if row.group in ("vision-tower", "projector")]
    if vision:
        recipe.notes.append("all-linear includes the vision tower and the projector")
    out.append(recipe)
    return [recipe.price(inventory) if recipe.available else recipe for recipe in out]


def _with_ffn(
    recipe: Recipe,
    inventory: ModelInventory,
    base: list[str],
    ffn_modules: list[str],
    ffn_params: list[str],
    r_ffn: int,
) -> Recipe:
    """``base`` modules at the recipe's rank plus the feed-forward part at ``r_ffn``."""
    if not base or not (ffn_modules or ffn_params):
        return recipe
    recipe.target_modules = minimal_entries(inventory, base + ffn_modules)
    pattern: dict[str, int] = {}
    if ffn_modules:
        pattern[rank_key(minimal_entries(inventory, ffn_modules))] = r_ffn
    if ffn_params:
        recipe.target_parameters = ffn_params
        pattern[rank_key(ffn_params)] = r_ffn
        recipe.notes.append(
            "routed experts are fused 3-D parameters: adapted through target_parameters "
            f"({', '.join(ffn_params)}), one rank-{r_ffn} pair per expert"
        )
    recipe.rank_pattern = pattern
    return recipe


def custom_recipe(
    inventory: ModelInventory,
    target_modules: str | list[str] | None,
    *,
    r: int = 8,
    alpha: int | None = None,
    target_parameters: Sequence[str] | None = None,
    task_type: str | None = None,
) -> Recipe:
    """The user's ``--targets`` as a priced recipe."""
    recipe = Recipe(
        "targets",
        f"--targets (r={r})",
        target_modules,
        r,
        alpha if alpha is not None else 2 * r,
        target_parameters=list(target_parameters or []),
        task_type=task_type,
    )
    return recipe.price(inventory)
