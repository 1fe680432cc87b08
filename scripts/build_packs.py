#!/usr/bin/env python
"""Regenerate lora-lint's inventory packs from the installed transformers/peft/torch.

    python scripts/build_packs.py [--out DIR]

Writes ``lora_lint/models/packs/`` (or DIR): one ``<bundled config>.json.gz`` per bundled
model and ``index.json`` (versions, PEFT config schema, config digest -> file). Rerun after
adding a bundled config or upgrading transformers/peft/torch; the pack drift test
(tests/test_packs.py) fails until you do.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lora_lint.models.packbuild import build_packs  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "lora_lint" / "models" / "packs")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args()

    def progress(n: int, total: int, model_id: str) -> None:
        if not args.quiet:
            print(f"[{n}/{total}] {model_id}", file=sys.stderr, flush=True)

    start = time.perf_counter()
    index = build_packs(args.out, progress)
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    versions = ", ".join(f"{k} {v}" for k, v in index["versions"].items())
    print(
        f"{len(index['models'])} model packs ({size / 1e6:.2f} MB) in {args.out} "
        f"from {versions}; {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
