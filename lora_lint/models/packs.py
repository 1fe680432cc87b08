"""Inventory packs: the meta-device answers for the bundled models, shipped with lora-lint.

The light install (``pip install lora-lint``) has no torch, transformers or peft, so it
cannot build a model on the meta device. For every bundled config, ``scripts/build_packs.py``
records the inventories of its usual heads (and the build failures, with their messages),
plus the PEFT facts verdicts need beyond one model (the config schema), with the
transformers/peft/torch versions that produced them. Which answer wins:

* torch, transformers and peft importable: the live build with the installed versions,
  exactly as before (packs are never consulted);
* otherwise: the packs answer for a bundled config, byte-identical to what the live build
  gives on the pack's versions; any other model gets one "not checked" reason (LL010).

Packs are found by the SHA-256 of the config's canonical JSON, so a config that differs in
any field from the bundled one is never answered from a pack.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from lora_lint.models.inventory import INVENTORY_FORMAT, ModelInventory

#: Bump when the pack layout changes.
PACK_FORMAT = 1
PACK_DIR = "packs"
INDEX_FILE = "index.json"

#: The libraries a live build needs (the ``meta`` extra).
META_MODULES = ("torch", "transformers", "peft")

INSTALL_HINT = (
    "install `lora-lint[meta]` (torch, transformers, peft) to check it with your versions, "
    "or use the `lora-lint-system` pre-commit hook in your training environment"
)


def meta_available() -> bool:
    """True when torch, transformers and peft can be imported (found, not imported)."""
    return all(_found(name) for name in META_MODULES)


@cache
def _found(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def config_digest(config: dict[str, Any]) -> str:
    """Identity of a config.json's content (key order and whitespace do not matter)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def head_key(head: str | None) -> str:
    """Pack key of a head request (``None``: the class in the config's ``architectures``)."""
    return head or ""


def _pack_root() -> Any:
    return resources.files("lora_lint.models").joinpath(PACK_DIR)


@lru_cache(maxsize=1)
def index() -> dict[str, Any] | None:
    """The shipped pack index, or None when no usable packs ship with this build."""
    try:
        data = json.loads(_pack_root().joinpath(INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != PACK_FORMAT
        or data.get("inventory_format") != INVENTORY_FORMAT
    ):
        return None
    return data


def versions() -> dict[str, str]:
    """The transformers/peft/torch versions the packs were built with ({} without packs)."""
    data = index()
    return dict(data.get("versions") or {}) if data else {}


def peft_schema() -> dict[str, Any] | None:
    """The PEFT config schema (see ``models/peft_schema.py``) recorded in the packs."""
    data = index()
    schema = data.get("peft_schema") if data else None
    return dict(schema) if isinstance(schema, dict) else None


@lru_cache(maxsize=64)
def _model_pack(file: str) -> dict[str, Any] | None:
    try:
        raw = _pack_root().joinpath(file).read_bytes()
        data = json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError):
        return None
    return data if isinstance(data, dict) else None


def answer(config: dict[str, Any], model_id: str, head: str | None) -> ModelInventory | str:
    """The packed inventory for ``config`` with ``head``, or why it cannot be checked here.

    ``trust_remote_code`` does not matter: packed configs have no ``auto_map``, and for them
    the live build ignores the opt-in too.
    """
    data = index()
    entry = data.get("models", {}).get(config_digest(config)) if data else None
    pack = _model_pack(str(entry["file"])) if isinstance(entry, dict) else None
    if pack is None or "auto_map" in config:
        from lora_lint.models import bundled

        what = (
            f"the config.json used for {model_id} differs from lora-lint's bundled copy "
            "(e.g. the full one from your Hugging Face cache), so the shipped inventories "
            "do not apply"
            if bundled.lookup(model_id) is not None
            else f"{model_id} is not one of the bundled models whose inventories ship with "
            "lora-lint"
        )
        return (
            f"torch/transformers are not installed (the light lora-lint install), and {what}; "
            f"{INSTALL_HINT}"
        )
    heads: dict[str, Any] = pack.get("heads", {})
    inventories: dict[str, Any] = pack.get("inventories", {})
    target = heads.get(head_key(head))
    if target is None and head in inventories:  # a concrete class name, e.g. LlamaForCausalLM
        target = head
    if isinstance(target, dict) and isinstance(target.get("failure"), str):
        return str(target["failure"])
    if not isinstance(target, str) or target not in inventories:
        return (
            f"torch/transformers are not installed (the light lora-lint install), and the "
            f"shipped inventories of {model_id} do not include {head!r}; {INSTALL_HINT}"
        )
    from lora_lint.models.packcodec import decode_inventory

    inventory = decode_inventory(inventories[target])
    inventory.model_id = model_id
    return inventory


def libraries() -> dict[str, str]:
    """Where this run's module inventories come from, and which library versions made them:
    ``{"source": "installed" | "packs", "transformers": ..., "peft": ..., "torch": ...}``."""
    if meta_available():
        from lora_lint.models.versions import library_versions

        return {"source": "installed", **library_versions()}
    return {"source": "packs", **versions()}
