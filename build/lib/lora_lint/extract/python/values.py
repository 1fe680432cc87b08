"""Helpers on evaluated values: partially known dicts and walks over Located trees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from lora_lint.diagnostics import Span
from lora_lint.extract.types import Located, Unresolved, Value

#: Makes an Unresolved at the place the user wrote the expression being resolved.
Anchor = Callable[[str], Unresolved]


@dataclass(frozen=True)
class DictEntry:
    key_span: Span
    #: File of ``key_span`` when it is not the linted file.
    key_path: str | None
    value: Value
    #: A later ``**spread`` that could not be resolved and may override this entry.
    shadowed_by: Unresolved | None = None


@dataclass
class DictEntries:
    """A dict as written, keeping what is known even when some ``**spread`` is not.

    ``{**base, "target_modules": [...]}`` with an unknown ``base`` still fixes
    ``target_modules``; only keys written *before* the unknown spread, or
    absent, are uncertain.
    """

    span: Span
    path: str | None
    entries: dict[str, DictEntry] = field(default_factory=dict)
    #: ``**spreads`` that could not be resolved: they may hold any further key.
    unknown: list[Unresolved] = field(default_factory=list)

    @classmethod
    def from_located(cls, value: Located) -> DictEntries:
        result = cls(value.span, value.path)
        if isinstance(value.value, dict):
            for key, item in value.value.items():
                key_span = (value.key_spans or {}).get(key, value.span)
                result.entries[key] = DictEntry(key_span, value.path, item)
        return result

    def put(self, key: str, entry: DictEntry) -> None:
        self.entries[key] = entry

    def spread(self, other: DictEntries | Unresolved) -> None:
        """Apply ``**other`` after the entries seen so far."""
        if isinstance(other, Unresolved):
            self._shadow(other)
            self.unknown.append(other)
            return
        if other.unknown:
            self._shadow(other.unknown[0])
        self.entries.update(other.entries)
        self.unknown.extend(other.unknown)

    def _shadow(self, by: Unresolved) -> None:
        for key, entry in self.entries.items():
            if entry.shadowed_by is None:
                self.entries[key] = replace(entry, shadowed_by=by)

    def lookup(self, key: str, anchor: Anchor) -> Value:
        entry = self.entries.get(key)
        if entry is not None:
            if entry.shadowed_by is None:
                return entry.value
            return anchor(f"'{key}' may be overridden by **{entry.shadowed_by.text}")
        if self.unknown:
            unknown = self.unknown[0].text
            return anchor(f"'{key}' may come from **{unknown}, which cannot be resolved")
        return anchor(f"the dict has no key '{key}'")

    def to_value(self, anchor: Anchor) -> Value:
        if self.unknown:
            return anchor(f"the dict unpacks **{self.unknown[0].text}, which cannot be resolved")
        return Located(
            {key: entry.value for key, entry in self.entries.items()},
            self.span,
            container="dict",
            path=self.path,
            key_spans={key: entry.key_span for key, entry in self.entries.items()},
        )


def iter_unresolved(value: Value) -> Iterator[Unresolved]:
    """Every Unresolved inside ``value`` (itself, container items, dict values)."""
    if isinstance(value, Unresolved):
        yield value
        return
    if value.container == "dict" and isinstance(value.value, dict):
        for item in value.value.values():
            yield from iter_unresolved(item)
        return
    for item in value.items:
        yield from iter_unresolved(item)


def has_unresolved(value: Value) -> bool:
    return next(iter_unresolved(value), None) is not None


def dedupe(items: list[Located | Unresolved]) -> list[Located | Unresolved]:
    """Set semantics on known scalars (first written wins); unknown items are kept."""
    seen: set[object] = set()
    kept: list[Located | Unresolved] = []
    for item in items:
        if isinstance(item, Located) and not item.container:
            key = (type(item.value), item.value)
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept


def sort_key(item: Located) -> str | float:
    """Key for ``sorted()`` over items already checked to be all strings or all numbers."""
    value = item.value
    assert isinstance(value, (str, int, float))
    return value
