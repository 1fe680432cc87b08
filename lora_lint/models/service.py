"""Inventories on demand: cache first, then one in-process meta-device build.

All cold models of a run are built in the same process (torch and transformers
are imported once), and failures are cached like successes so that a warm run
never imports torch, even for a model transformers cannot build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lora_lint.models.build import BuildError, BuildTimedOut, build_inventory
from lora_lint.models.cache import InventoryCache, inventory_key
from lora_lint.models.inventory import ModelInventory
from lora_lint.models.resolve import ResolvedModel

#: (resolved model, head, trust_remote_code)
Request = tuple[ResolvedModel, "str | None", bool]


class ModelService:
    def __init__(self, cache: InventoryCache) -> None:
        self.cache = cache
        self._memo: dict[str, ModelInventory | str] = {}
        #: Number of inventories built (instantiated) in this process.
        self.built = 0

    @staticmethod
    def key(resolved: ResolvedModel, head: str | None, trust_remote_code: bool) -> str:
        return inventory_key(resolved.config, head, trust_remote_code)

    def cached(self, resolved: ResolvedModel, head: str | None, trust: bool) -> bool:
        key = self.key(resolved, head, trust)
        if key in self._memo:
            return True
        hit = self.cache.get(key)
        if hit is not None:
            self._memo[key] = hit
            return True
        return False

    def prefetch(
        self,
        requests: Iterable[Request],
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        """Build every request missing from the cache (one process, torch imported once)."""
        cold: dict[str, Request] = {}
        for req in requests:
            if not self.cached(*req):
                cold.setdefault(self.key(*req), req)
        for n, (key, (resolved, head, trust)) in enumerate(cold.items(), start=1):
            if progress:
                progress(n, len(cold), resolved.model_id)
            self._memo[key] = self._build(key, resolved, head, trust)

    def get(self, resolved: ResolvedModel, head: str | None, trust: bool) -> ModelInventory | str:
        """The inventory, or the reason it could not be built."""
        key = self.key(resolved, head, trust)
        if key not in self._memo and not self.cached(resolved, head, trust):
            self._memo[key] = self._build(key, resolved, head, trust)
        return self._memo[key]

    def _build(
        self, key: str, resolved: ResolvedModel, head: str | None, trust: bool
    ) -> ModelInventory | str:
        self.built += 1
        try:
            value: ModelInventory | str = build_inventory(
                resolved.config,
                model_id=resolved.model_id,
                head=head,
                trust_remote_code=trust,
                local_dir=resolved.local_dir,
            )
        except BuildTimedOut as exc:
            return str(exc)  # not cached: a less busy run may finish in time
        except BuildError as exc:
            value = str(exc)
        except Exception as exc:  # a transformers bug must not kill the lint run
            value = f"building it on the meta device failed ({type(exc).__name__}: {exc})"
        self.cache.put(key, value)
        return value
