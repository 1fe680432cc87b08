"""Build the inventory packs from the installed transformers/peft/torch (maintainers only).

Run by ``scripts/build_packs.py`` and by the pack drift test. For every bundled config it
asks the live builder (:func:`lora_lint.models.build.build_inventory`) for each head request
a training script can make (see :data:`HEAD_REQUESTS`), stores each distinct class once and
maps every request to its class or to the build failure's message. Output is deterministic
(sorted keys, gzip without a timestamp), so an unchanged environment rebuilds identical
bytes.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lora_lint.models import bundled
from lora_lint.models.build import is_multimodal
from lora_lint.models.heads import (
    DIFFUSERS_COMPONENT,
    DIFFUSERS_COMPONENT_CLASS,
    HEAD_KINDS,
    TRAINER_LM,
    resolve_head_class,
)
from lora_lint.models.inventory import INVENTORY_FORMAT
from lora_lint.models.packcodec import decode_inventory, encode_inventory
from lora_lint.models.packs import INDEX_FILE, PACK_FORMAT, config_digest, head_key
from lora_lint.models.versions import library_versions

#: ``None`` (the class in ``architectures``) and every head kind lora-lint's extractors
#: emit; concrete class names from ``architectures`` are added per model.
HEAD_REQUESTS: tuple[str | None, ...] = (None, *HEAD_KINDS, TRAINER_LM)


def _dump(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def build_model_pack(entry: bundled.BundledModel) -> dict[str, Any]:
    """Inventories (one per class) and head -> class/failure for one bundled config."""
    from lora_lint.models.build import BuildError, build_inventory, is_diffusers_config

    config = entry.config
    digest = config_digest(config)  # before building: transformers may normalise nested values
    raw_archs = config.get("architectures")
    archs = [a for a in raw_archs if isinstance(a, str)] if isinstance(raw_archs, list) else []
    heads: dict[str, object] = {}
    inventories: dict[str, dict[str, Any]] = {}
    components: list[str] = []
    if is_diffusers_config(config):  # pipe.transformer / pipe.unet of the repository
        components = [f"{DIFFUSERS_COMPONENT}{name}" for name in DIFFUSERS_COMPONENT_CLASS]
    for head in (*HEAD_REQUESTS, *archs, *components):
        try:
            class_name = resolve_head_class(
                str(config.get("model_type")), archs, head, multimodal=is_multimodal(config)
            )
        except (LookupError, ImportError):
            class_name = None
        if class_name is not None and class_name in inventories:
            heads[head_key(head)] = class_name
            continue
        try:
            inventory = build_inventory(copy.deepcopy(config), model_id=entry.id, head=head)
        except BuildError as exc:
            heads[head_key(head)] = {"failure": str(exc)}
            continue
        encoded = encode_inventory(inventory)
        if decode_inventory(json.loads(_dump(encoded))) != inventory:
            raise AssertionError(f"{entry.id} {head}: the pack codec does not round-trip")
        inventories[inventory.class_name] = encoded
        heads[head_key(head)] = inventory.class_name
    return {
        "format": PACK_FORMAT,
        "id": entry.id,
        "config_sha256": digest,
        "heads": heads,
        "inventories": inventories,
    }


def build_packs(
    out_dir: Path, progress: Callable[[int, int, str], None] | None = None
) -> dict[str, Any]:
    """Write ``index.json`` and one ``<bundled file>.json.gz`` per bundled config to
    ``out_dir`` (replacing stale packs); return the index."""
    from lora_lint.models.peft_schema import collect_schema

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.json.gz"):
        old.unlink()
    models = bundled.all_models()
    entries: dict[str, dict[str, str]] = {}
    for n, entry in enumerate(models, start=1):
        if progress:
            progress(n, len(models), entry.id)
        if config_digest(entry.config) in entries:
            continue  # the same architecture under another name: one pack answers both
        file = entry.file.removesuffix(".json") + ".json.gz"
        pack = build_model_pack(entry)
        (out_dir / file).write_bytes(gzip.compress(_dump(pack), compresslevel=9, mtime=0))
        entries[pack["config_sha256"]] = {"id": entry.id, "file": file}
    index = {
        "format": PACK_FORMAT,
        "inventory_format": INVENTORY_FORMAT,
        "versions": library_versions(),
        "peft_schema": collect_schema(),
        "models": entries,
    }
    (out_dir / INDEX_FILE).write_text(json.dumps(index, sort_keys=True, indent=1) + "\n")
    return index


def read_pack_dir(directory: Path) -> dict[str, Any]:
    """Decoded content of a pack directory (for comparing two builds)."""
    out: dict[str, Any] = {INDEX_FILE: json.loads((directory / INDEX_FILE).read_text())}
    for path in sorted(directory.glob("*.json.gz")):
        out[path.name] = json.loads(gzip.decompress(path.read_bytes()))
    return out
