"""Compact, generic JSON encoding of a :class:`ModelInventory` for the shipped packs.

Generic: every dataclass field of ``ModelInventory`` and ``ModuleInfo`` is written under
its own name, so a field added to either class flows into the packs when they are rebuilt
(``scripts/build_packs.py``), with no change here. Compact: a model repeats the same block
per layer (and per expert), so runs of sibling subtrees ``prefix.K`` that are identical
except for their index are stored once with the index range
(``model.layers.{0..31}`` -> one body and ``start``/``count``); runs nest, so experts inside
layers compress too. Class names go through a table. Decoding restores the exact module
order of ``named_modules()``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from lora_lint.models.inventory import ModelInventory, ModuleInfo

#: A name ending in an index: ``model.layers.7`` -> ("model.layers.", 7); ``3`` -> ("", 3).
_INDEXED = re.compile(r"^((?:.*\.)?)(\d+)$")

#: A plain module row: [name, value of each non-name field in ``module_fields`` order].
Row = list[Any]


def _plain(value: Any) -> Any:
    """JSON-ready value: tuples become lists (recursively)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _deep_tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_deep_tuple(v) for v in value)
    return value


def _is_tuple_field(f: dataclasses.Field[Any]) -> bool:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    return str(kind).startswith("tuple")


def module_fields() -> list[str]:
    """ModuleInfo's field names except ``name`` (the column order of a row)."""
    return [f.name for f in dataclasses.fields(ModuleInfo) if f.name != "name"]


def _rows(modules: list[ModuleInfo], classes: dict[str, int]) -> list[tuple[str, Row]]:
    cols = module_fields()
    out = []
    for m in modules:
        values: Row = []
        for col in cols:
            value = getattr(m, col)
            values.append(classes.setdefault(value, len(classes)) if col == "cls" else value)
        out.append((m.name, _plain(values)))
    return out


def _subtree(items: list[tuple[str, Row]], start: int) -> tuple[list[tuple[str, Row]], int]:
    """Rows of the subtree rooted at ``items[start]`` with names relative to its root."""
    root = items[start][0]
    body = [("", items[start][1])]
    end = start + 1
    while end < len(items) and items[end][0].startswith(root + "."):
        body.append((items[end][0][len(root) + 1 :], items[end][1]))
        end += 1
    return body, end


def _group(items: list[tuple[str, Row]]) -> list[Any]:
    """Preorder rows -> entries: ``[name, *values]`` or ``{"p", "s", "n", "b"}`` runs."""
    out: list[Any] = []
    i = 0
    while i < len(items):
        name, values = items[i]
        match = _INDEXED.match(name)
        if match:
            prefix, first = match.group(1), int(match.group(2))
            body, end = _subtree(items, i)
            count = 1
            while end < len(items) and items[end][0] == f"{prefix}{first + count}":
                nxt, nxt_end = _subtree(items, end)
                if nxt != body:
                    break
                count, end = count + 1, nxt_end
            if count >= 2:
                out.append({"p": prefix, "s": first, "n": count, "b": _group(body)})
                i = end
                continue
        out.append([name, *values])
        i += 1
    return out


def _join(root: str, rel: str) -> str:
    if not rel:
        return root
    return f"{root}.{rel}" if root else rel


def _expand(entries: list[Any], root: str, out: list[tuple[str, Row]]) -> None:
    for entry in entries:
        if isinstance(entry, dict):
            for k in range(entry["s"], entry["s"] + entry["n"]):
                _expand(entry["b"], _join(root, f"{entry['p']}{k}"), out)
        else:
            out.append((_join(root, entry[0]), entry[1:]))


def encode_inventory(inventory: ModelInventory) -> dict[str, Any]:
    """Every field of ``inventory`` as JSON data; ``modules`` grouped by layer pattern."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(ModelInventory):
        value = getattr(inventory, f.name)
        if f.name == "modules":
            classes: dict[str, int] = {}
            groups = _group(_rows(value, classes))
            out["modules"] = {"fields": module_fields(), "classes": list(classes), "rows": groups}
        else:
            out[f.name] = _plain(value)
    return out


def decode_inventory(data: dict[str, Any]) -> ModelInventory:
    """The inverse of :func:`encode_inventory`; fields missing from ``data`` keep defaults."""
    packed = data["modules"]
    cols: list[str] = list(packed["fields"])
    classes: list[str] = list(packed["classes"])
    tuple_cols = {f.name for f in dataclasses.fields(ModuleInfo) if _is_tuple_field(f)}
    known_cols = {f.name for f in dataclasses.fields(ModuleInfo)}
    rows: list[tuple[str, Row]] = []
    _expand(packed["rows"], "", rows)
    modules = []
    for name, values in rows:
        kwargs: dict[str, Any] = {"name": name}
        for col, raw in zip(cols, values, strict=True):
            if col == "cls":
                kwargs[col] = classes[raw]
            elif col in tuple_cols:
                kwargs[col] = _deep_tuple(raw)
            elif col in known_cols:
                kwargs[col] = raw
        modules.append(ModuleInfo(**kwargs))
    kwargs = {"modules": modules}
    for f in dataclasses.fields(ModelInventory):
        if f.name != "modules" and f.name in data:
            value = data[f.name]
            kwargs[f.name] = _deep_tuple(value) if _is_tuple_field(f) else value
    return ModelInventory(**kwargs)
