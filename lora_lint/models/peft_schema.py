"""The installed PEFT's config schema: field names per method, task types, bias values.

LL008 needs to know which keywords ``LoraConfig`` (or ``LoHaConfig``...) accepts, for the
peft version the user trains with. Importing peft costs seconds, so the schema is read
once per peft version and cached next to the model inventories; warm runs read JSON.
Without peft (the light install), the schema recorded in the inventory packs answers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from lora_lint.cache_io import write_json
from lora_lint.models.versions import library_versions

SCHEMA_FORMAT = 1


def collect_schema() -> dict[str, Any] | None:
    """The schema of the installed peft (imports it); None without peft."""
    try:
        from peft import TaskType
        from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING
    except ImportError:
        return None
    methods: dict[str, dict[str, Any]] = {}
    for peft_type, cls in PEFT_TYPE_TO_CONFIG_MAPPING.items():
        if not dataclasses.is_dataclass(cls):
            continue
        key = getattr(peft_type, "value", str(peft_type))
        methods[key] = {
            "class": cls.__name__,
            "fields": sorted(f.name for f in dataclasses.fields(cls)),
        }
    return {
        "format": SCHEMA_FORMAT,
        "methods": methods,
        "task_types": sorted(t.value for t in TaskType),
        "lora_bias_values": ["none", "all", "lora_only"],
    }


def _cache_file(cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    version = library_versions().get("peft", "missing")
    return cache_dir / f"peft-schema-v{SCHEMA_FORMAT}-{version}.json"


def load_schema(cache_dir: Path | None) -> dict[str, Any] | None:
    """The installed peft's schema; without torch/transformers/peft, the packs' schema."""
    from lora_lint.models import packs

    if not packs.meta_available():
        return packs.peft_schema()
    return _installed_schema(cache_dir)


@lru_cache(maxsize=4)
def _installed_schema(cache_dir: Path | None) -> dict[str, Any] | None:
    """The schema from the cache, else from the installed peft (then cached); None without peft."""
    path = _cache_file(cache_dir)
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") == SCHEMA_FORMAT and data.get("methods"):
                return dict(data)
        except (OSError, ValueError, AttributeError):
            pass
    data = collect_schema()
    if data is not None and path is not None:
        with contextlib.suppress(OSError, ValueError):
            write_json(path, data, prefix="schema")
    return data


def method_fields(schema: dict[str, Any], peft_type: str) -> tuple[str, list[str]] | None:
    entry = schema.get("methods", {}).get(peft_type.upper())
    if not entry:
        return None
    return str(entry["class"]), list(entry["fields"])
