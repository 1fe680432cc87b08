"""On-disk cache of model inventories (and of build failures).

Keyed by everything the answer depends on: the config content, the head
requested, the trust-remote-code opt-in, the transformers/peft/torch versions,
and lora-lint's version and inventory format, so an entry from another version
is never used. Entries are written atomically (temporary file in the same directory,
then ``os.replace``), so concurrent pre-commit processes can share the cache;
an unreadable, corrupt or ill-shaped entry is treated as a miss and rebuilt. A cache
directory that cannot be created or written degrades to "no cache" with one
warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from lora_lint import __version__
from lora_lint.cache_io import conforms, read_entry, write_json
from lora_lint.models.inventory import INVENTORY_FORMAT, ModelInventory, ModuleInfo
from lora_lint.models.versions import library_versions


def default_cache_dir() -> Path:
    env = os.environ.get("LORA_LINT_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("lora-lint", appauthor=False))


def inventory_key(config: dict[str, Any], head: str | None, trust_remote_code: bool = False) -> str:
    payload = json.dumps(
        {
            "config": config,
            "head": head,
            "trust_remote_code": trust_remote_code,
            "versions": library_versions(),
            "lora_lint": __version__,
            "format": INVENTORY_FORMAT,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class InventoryCache:
    """A directory of ``<key>.json`` entries; ``None`` directory means disabled."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory / f"inventory-v{INVENTORY_FORMAT}" if directory else None
        self._warned = False
        self.warnings: list[str] = []

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _path(self, key: str) -> Path | None:
        return self.directory / f"{key}.json" if self.directory else None

    def get(self, key: str) -> ModelInventory | str | None:
        """The cached inventory, the cached build-failure reason (str), or None (miss).

        An entry must be a regular file holding exactly ``{"key": KEY, "failure": str}`` or
        ``{"key": KEY, "inventory": ...}`` whose inventory has the declared field types;
        anything else (another shape, another key, a FIFO, a link) is a miss and rebuilt.
        """
        path = self._path(key)
        if path is None:
            return None
        raw = read_entry(path)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("key") != key or len(data) != 2:
            return None
        if "failure" in data:
            failure = data["failure"]
            return failure if isinstance(failure, str) and failure else None
        try:
            inventory = ModelInventory.from_json(data["inventory"])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError):
            return None  # corrupt or foreign entry: rebuild
        return inventory if _well_formed(inventory) else None

    def put(self, key: str, value: ModelInventory | str) -> None:
        path = self._path(key)
        if path is None:
            return
        data: dict[str, object] = {"key": key}
        if isinstance(value, str):
            data["failure"] = value
        else:
            data["inventory"] = value.to_json()
        try:
            write_json(path, data, prefix=key)
        except OSError as exc:
            self._disable(f"cannot write the model cache in {path.parent} ({exc.strerror})")

    def _disable(self, reason: str) -> None:
        if not self._warned:
            self._warned = True
            message = f"lora-lint: warning: {reason}; continuing without a cache"
            self.warnings.append(message)
            print(message, file=sys.stderr)
        self.directory = None


def _well_formed(inventory: ModelInventory) -> bool:
    """Every field has its declared type; the module rows by a fast loop (100k modules)."""
    if not conforms(replace(inventory, modules=[]), ModelInventory):
        return False
    for m in inventory.modules:
        if not (
            type(m) is ModuleInfo
            and type(m.name) is str
            and type(m.cls) is str
            and type(m.kind) is str
            and (m.in_features is None or type(m.in_features) is int)
            and (m.out_features is None or type(m.out_features) is int)
            and type(m.has_children) is bool
            and type(m.params) is tuple
            and type(m.attrs) is tuple
            and all(
                type(p) is tuple
                and len(p) == 2
                and type(p[0]) is str
                and type(p[1]) is tuple
                and all(type(d) is int for d in p[1])
                for p in m.params
            )
            and all(type(a) is tuple and len(a) == 2 and type(a[0]) is str for a in m.attrs)
        ):
            return False
    return True
