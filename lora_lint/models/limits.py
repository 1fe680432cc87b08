"""Limits of a meta-device build, so that a hostile or broken config.json ends in LL010.

A ``config.json`` is input like any other file: ``"num_hidden_layers": 1000000`` makes
transformers create millions of modules (gigabytes, minutes, then more), and any Hub
repository could serve such a file. Three fences, from cheapest to last resort:

1. :func:`check_config` reads the numbers before anything is built: layer counts and the
   module count they imply (layers times experts) over the limits refuse the build;
2. :func:`build_fence` counts modules while the model is constructed (a torch module
   registration hook) and stops at :data:`MAX_MODULES`, whatever config key caused them;
3. the same hook stops the build after :data:`BUILD_SECONDS`.

The largest real models stay far below: ~130 layers, a few hundred experts per layer,
~100k modules with unfused experts.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

#: More layers than any released model has (Llama 3.1 405B: 126).
MAX_LAYERS = 1024
#: Modules a build may create (unfused MoE experts of the largest models: ~100k).
MAX_MODULES = 400_000
#: Wall-clock budget of one build; a build that takes longer is stopped.
BUILD_SECONDS = 240.0
#: Nesting of a config.json beyond which it is not a transformers config.
MAX_CONFIG_DEPTH = 32

_EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
#: A per-layer module estimate: attention + MLP + norms, and a few modules per expert.
_MODULES_PER_LAYER = 16
_MODULES_PER_EXPERT = 4
#: Keys that count layers but do not create them.
_NOT_LAYER_COUNTS = frozenset({"max_window_layers", "num_hidden_layers_to_skip"})


class LimitExceeded(Exception):
    """The build was refused or stopped by a limit; the message says which (for LL010)."""


class BuildTimeout(LimitExceeded):
    """The build ran out of time (not cached: a busy machine may do better next time)."""


def _is_layer_count(key: str) -> bool:
    if key in _NOT_LAYER_COUNTS:
        return False
    return key in ("n_layer", "n_layers", "depth", "num_layers") or key.endswith(
        ("_hidden_layers", "num_layers", "encoder_layers", "decoder_layers")
    )


def _ints(config: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """(path, key, value) of every int in ``config`` and its sub-configs (bounded depth)."""
    stack: list[tuple[str, dict[str, Any], int]] = [("", config, 0)]
    while stack:
        prefix, mapping, depth = stack.pop()
        for key, value in mapping.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                yield prefix, str(key), value
            elif isinstance(value, dict) and depth < MAX_CONFIG_DEPTH:
                stack.append((f"{prefix}{key}.", value, depth + 1))


def config_depth(value: object, limit: int = MAX_CONFIG_DEPTH) -> int:
    """How deeply ``value`` nests (stops counting at ``limit + 1``), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def check_config(config: dict[str, Any]) -> None:
    """Refuse a config whose numbers would make the build unbounded (before building)."""
    if config_depth(config) > MAX_CONFIG_DEPTH:
        raise LimitExceeded(
            f"the model config nests more than {MAX_CONFIG_DEPTH} levels deep, which no "
            "transformers config does"
        )
    layers: dict[str, int] = {}
    experts: dict[str, int] = {}
    for prefix, key, value in _ints(config):
        if _is_layer_count(key):
            if value > MAX_LAYERS:
                raise LimitExceeded(
                    f"the model config asks for {value:,} layers (`{prefix}{key}`), over "
                    f"lora-lint's limit of {MAX_LAYERS:,}"
                )
            layers[prefix] = max(layers.get(prefix, 0), value)
        elif key in _EXPERT_KEYS:
            experts[prefix] = max(experts.get(prefix, 0), value)
    estimate = sum(
        count * (_MODULES_PER_LAYER + _MODULES_PER_EXPERT * max(experts.get(prefix, 0), 0))
        for prefix, count in layers.items()
    )
    if estimate > MAX_MODULES:
        raise LimitExceeded(
            f"the model config asks for about {estimate:,} modules (layers times experts), "
            f"over lora-lint's limit of {MAX_MODULES:,}"
        )


@contextlib.contextmanager
def build_fence(max_modules: int | None = None, seconds: float | None = None) -> Iterator[None]:
    """Stop a build that creates more than ``max_modules`` modules or runs ``seconds``.

    Both are checked in a torch module-registration hook, i.e. an ordinary exception raised
    from the code that builds the model, between two module assignments. No signal: an
    exception delivered by a signal handler can land inside any lock's critical section
    (logging's, an import lock) and leave it held, hanging the rest of the run.
    """
    from torch.nn.modules import module as torch_module

    limit = MAX_MODULES if max_modules is None else max_modules
    budget = BUILD_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + budget
    count = 0

    def on_register(_parent: Any, _name: str, submodule: Any) -> None:
        nonlocal count
        if submodule is None:
            return
        count += 1
        if count > limit:
            raise LimitExceeded(
                f"building the model created more than {limit:,} modules, over lora-lint's "
                "limit (check the layer and expert counts of its config.json)"
            )
        if time.monotonic() > deadline:
            raise BuildTimeout(
                f"building the model took more than {budget:g} seconds, lora-lint's limit"
            )

    handle = torch_module.register_module_module_registration_hook(on_register)
    try:
        yield
    finally:
        handle.remove()
