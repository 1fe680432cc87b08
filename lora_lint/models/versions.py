"""Versions of the libraries whose behaviour an inventory or a verdict depends on.

Read from package metadata, never by importing the packages: the warm path
needs them for cache keys and must stay free of torch/transformers/peft.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

#: diffusers builds the diffusion models (``Flux2Transformer2DModel``...).
TRACKED = ("transformers", "peft", "torch", "diffusers")


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    out = []
    for dist in TRACKED:
        try:
            out.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            out.append((dist, "missing"))
    return tuple(out)


def library_versions() -> dict[str, str]:
    return dict(_versions())
