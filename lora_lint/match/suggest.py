"""Suggestions for a target that matches nothing: close names and naming families.

Two sources, best first: the same *role* under this architecture's name (GPT-2
calls the fused q/k/v projection ``c_attn``, Falcon ``query_key_value``), then
close spellings among the model's real wrappable names (edit distance).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: Names different architectures use for the same projection.
ROLE_NAMES: dict[str, frozenset[str]] = {
    "query": frozenset({"q_proj", "q", "query", "wq", "q_lin", "to_q", "query_proj", "q_a_proj"}),
    "key": frozenset({"k_proj", "k", "key", "wk", "k_lin", "to_k", "key_proj"}),
    "value": frozenset({"v_proj", "v", "value", "wv", "v_lin", "to_v", "value_proj"}),
    "qkv": frozenset(
        {"qkv_proj", "query_key_value", "c_attn", "Wqkv", "qkv", "W_pack", "wqkv", "in_proj"}
    ),
    "attn_out": frozenset({"o_proj", "out_proj", "o", "wo", "out_lin", "to_out", "dense", "proj"}),
    "gate": frozenset({"gate_proj", "w1", "wi_0"}),
    "up": frozenset({"up_proj", "w3", "wi_1", "c_fc", "dense_h_to_4h", "fc_in", "fc1", "wi"}),
    "down": frozenset({"down_proj", "w2", "dense_4h_to_h", "fc_out", "fc2", "c_proj"}),
    "gate_up": frozenset({"gate_up_proj"}),
}

#: A separate role that this architecture may fuse into another module.
FUSED_INTO: dict[str, str] = {
    "query": "qkv",
    "key": "qkv",
    "value": "qkv",
    "gate": "gate_up",
    "up": "gate_up",
}


#: Roles of the feed-forward block (routed experts included).
MLP_ROLES = frozenset({"gate", "up", "down", "gate_up"})
_ATTENTION_ROLES = frozenset({"query", "key", "value", "qkv", "attn_out"})


def same_family(entry: str, candidate: str) -> bool:
    """False when one name is an attention projection and the other a feed-forward one:
    ``up_proj`` is never "almost" ``k_proj``, however close the spelling."""
    roles = {role_of(entry), role_of(candidate)}
    return not (roles & MLP_ROLES and roles & _ATTENTION_ROLES)


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), for "did you mean"."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def close_names(entry: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The closest candidates (ties only) within a small edit distance of ``entry``.

    Only the best distance is kept: for ``v_prj`` the answer is ``v_proj``, not
    also ``k_proj`` one edit further away.
    """
    scored = []
    lowered = entry.lower()
    budget = max(2, len(entry) // 3)
    for cand in dict.fromkeys(candidates):
        if abs(len(cand) - len(entry)) > budget:
            continue  # the distance is at least the difference in length
        dist = levenshtein(lowered, cand.lower())
        if dist <= budget:
            scored.append((dist, cand))
    if not scored:
        return []
    best = min(d for d, _ in scored)
    return [c for d, c in sorted(scored) if d == best][:limit]


def role_of(name: str) -> str | None:
    leaf = name.rsplit(".", 1)[-1]
    for role, names in ROLE_NAMES.items():
        if leaf in names:
            return role
    return None


def role_alternatives(entry: str, model_leaves: Sequence[str]) -> tuple[list[str], str | None]:
    """Names of the model playing ``entry``'s role, and an explanation when it is fused."""
    role = role_of(entry)
    if role is None:
        return [], None
    present = set(model_leaves)
    same = [n for n in model_leaves if n in ROLE_NAMES[role] and n != entry]
    fused_role = FUSED_INTO.get(role)
    fused = [n for n in model_leaves if fused_role and n in ROLE_NAMES[fused_role]]
    if same and role in ("query", "key", "value") and any(n in present for n in ROLE_NAMES["qkv"]):
        same = []  # e.g. "dense" is attention output, not query
    if not same and fused:
        parts = "q/k/v" if fused_role == "qkv" else "gate/up"
        return fused, f"this architecture fuses the {parts} projections into {fused[0]!r}"
    split_roles = [r for r, into in FUSED_INTO.items() if into == role]
    if not same and split_roles:
        split = [next((n for n in model_leaves if n in ROLE_NAMES[r]), None) for r in split_roles]
        if all(split):
            names = [n for n in split if n]
            parts = "q/k/v" if role == "qkv" else "gate/up"
            return names, (
                f"{entry!r} is a fused name from another architecture; this one has separate "
                f"{parts} projections: {', '.join(names)}"
            )
    return same, None
