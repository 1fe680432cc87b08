"""Inventories on demand: cache first, then one in-process meta-device build.

All cold models of a run are built in the same process (torch and transformers
are imported once), and failures are cached like successes so that a warm run
never imports torch, even for a model transformers cannot build.

Without torch/transformers/peft (the light install) nothing is built: the shipped inventory
packs answer for the bundled models and every other model gets its "not checked" reason
(see :mod:`lora_lint.models.packs`). Pack answers are not written to the cache.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from lora_lint.models import packs
from lora_lint.models.build import BuildError, build_inventory
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
        #: Number of answers taken from the shipped packs (light install).
        self.from_packs = 0

    @staticmethod
    def key(resolved: ResolvedModel, head: str | None, trust_remote_code: bool) -> str:
        return inventory_key(resolved.config, head, trust_remote_code)

    def cached(self, resolved: ResolvedModel, head: str | None, trust: bool) -> bool:
        """True when no meta-device build is needed (a cache hit, or nothing can be built)."""
        key = self.key(resolved, head, trust)
        if key in self._memo or not packs.meta_available():
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
        if key in self._memo:
            return self._memo[key]
        if not packs.meta_available():
            self.from_packs += 1
            self._memo[key] = packs.answer(resolved.config, resolved.model_id, head)
        elif not self.cached(resolved, head, trust):
            self._memo[key] = self._build(key, resolved, head, trust)
        return self._memo[key]

    def _build(
        self, key: str, resolved: ResolvedModel, head: str | None, trust: bool
    ) -> ModelInventory | str:
        self.built += 1
        try:
            value: ModelInventory | str = build_inventory(
                # A copy: transformers normalises nested values (rope_scaling) in place,
                # which would change this model's cache key for the rest of the run.
                copy.deepcopy(resolved.config),
                model_id=resolved.model_id,
                head=head,
                trust_remote_code=trust,
                local_dir=resolved.local_dir,
            )
        except BuildError as exc:
            value = str(exc)
        except Exception as exc:  # a transformers bug must not kill the lint run
            value = f"building it on the meta device failed ({type(exc).__name__}: {exc})"
        self.cache.put(key, value)
        return value
