"""Bundled, offline copies of popular base models' ``config.json`` architecture fields.

lora-lint builds each base model on the meta device from its config alone to learn its module
names. Many popular repos are gated (``meta-llama/*``) or the Hub is unreachable, so the
architecture fields of the most common base models ship with the package, one JSON file per
architecture under ``configs/``::

    {
      "id": "meta-llama/Llama-3.1-8B",          # canonical Hub id the values were copied from
      "ids": ["meta-llama/Llama-3.1-8B-Instruct", ...],   # official repos, same architecture
      "mirrors": ["unsloth/Meta-Llama-3.1-8B", ...],      # third-party re-uploads
      "source": "https://huggingface.co/... (provenance of the values)",
      "remote_code": true,     # optional: the real config.json has an ``auto_map``
      "config": {"architectures": [...], "model_type": "llama", ...}
    }

``remote_code`` marks a model whose repository ships its own modeling code: loaded with
``trust_remote_code=True``, that code (not transformers') builds the module tree, so the
bundled architecture (transformers' own class) is not the model that runs.

This module is deliberately stdlib-only (no torch/transformers import) so that it is cheap to
use on the warm path, e.g. for "did you mean" suggestions.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

__all__ = ["BundledModel", "MatchKind", "all_models", "all_names", "lookup", "normalize_name"]

MatchKind = Literal["id", "ids", "mirror"]

_PACKAGE = __name__
_CONFIG_DIR = "configs"
_HUB_PREFIXES = (
    "https://huggingface.co/",
    "http://huggingface.co/",
    "https://www.huggingface.co/",
    "huggingface.co/",
)


@dataclass(frozen=True)
class BundledModel:
    """One bundled base-model architecture, as found by :func:`lookup`."""

    id: str
    """Canonical Hub id (the repo whose ``config.json`` the values were copied from)."""
    config: dict[str, object]
    """The architecture config; a fresh deep copy per call, safe to mutate."""
    source: str
    """Where the values came from (URL plus how they were verified)."""
    matched_as: MatchKind
    """How the looked-up name matched: the canonical ``id``, an official ``ids`` variant, or a
    third-party ``mirror``."""
    file: str
    """File name of the entry inside ``configs/``."""
    remote_code: bool = False
    """The real ``config.json`` has an ``auto_map``: ``trust_remote_code=True`` runs the
    repository's own modeling code instead of the bundled (transformers) architecture."""


@dataclass(frozen=True)
class _Entry:
    id: str
    ids: tuple[str, ...]
    mirrors: tuple[str, ...]
    source: str
    config: dict[str, Any]
    file: str
    remote_code: bool = False


# Module-level caches, filled once per process on first use.
_ENTRIES: list[_Entry] | None = None
_INDEX: dict[str, tuple[_Entry, MatchKind]] | None = None


def normalize_name(name: str) -> str:
    """Canonical lookup key for a Hub id: trimmed, URL prefix and trailing ``/`` removed,
    lower-cased."""
    key = name.strip()
    lowered = key.lower()
    for prefix in _HUB_PREFIXES:
        if lowered.startswith(prefix):
            key = key[len(prefix) :]
            break
    return key.strip("/").lower()


def _read_entry(file: str, text: str) -> _Entry:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"bundled config {file}: top level must be an object")
    try:
        entry = _Entry(
            id=str(data["id"]),
            ids=tuple(str(n) for n in data.get("ids", [])),
            mirrors=tuple(str(n) for n in data.get("mirrors", [])),
            source=str(data["source"]),
            config=dict(data["config"]),
            file=file,
            remote_code=bool(data.get("remote_code", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"bundled config {file}: malformed entry ({exc})") from exc
    return entry


def _load() -> tuple[list[_Entry], dict[str, tuple[_Entry, MatchKind]]]:
    global _ENTRIES, _INDEX
    if _ENTRIES is not None and _INDEX is not None:
        return _ENTRIES, _INDEX
    root = resources.files(_PACKAGE).joinpath(_CONFIG_DIR)
    entries: list[_Entry] = []
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json") and item.is_file():
            entries.append(_read_entry(item.name, item.read_text(encoding="utf-8")))
    entries.sort(key=lambda e: e.id.lower())
    index: dict[str, tuple[_Entry, MatchKind]] = {}
    for entry in entries:
        kinds: list[tuple[MatchKind, tuple[str, ...]]] = [
            ("id", (entry.id,)),
            ("ids", entry.ids),
            ("mirror", entry.mirrors),
        ]
        for kind, names in kinds:
            for name in names:
                # First registration wins; uniqueness across files is enforced by the tests.
                index.setdefault(normalize_name(name), (entry, kind))
    _ENTRIES, _INDEX = entries, index
    return entries, index


def _to_model(entry: _Entry, kind: MatchKind) -> BundledModel:
    return BundledModel(
        id=entry.id,
        config=copy.deepcopy(entry.config),
        source=entry.source,
        matched_as=kind,
        file=entry.file,
        remote_code=entry.remote_code,
    )


def lookup(name: str) -> BundledModel | None:
    """Find a bundled architecture by Hub id, official variant id or known mirror.

    Matching is case-insensitive; a leading ``https://huggingface.co/`` and a trailing ``/``
    are ignored. Returns ``None`` for unknown names.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    _, index = _load()
    hit = index.get(normalize_name(name))
    if hit is None:
        return None
    entry, kind = hit
    return _to_model(entry, kind)


def all_models() -> list[BundledModel]:
    """Every bundled architecture (one per file), sorted by canonical id."""
    entries, _ = _load()
    return [_to_model(entry, "id") for entry in entries]


def all_names() -> list[str]:
    """Every known name (ids, variants and mirrors, original spelling), sorted; for "did you
    mean" suggestions."""
    entries, _ = _load()
    names = {name for e in entries for name in (e.id, *e.ids, *e.mirrors)}
    return sorted(names, key=str.lower)
