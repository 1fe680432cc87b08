"""Compare lora-lint's static module trees with the modules PyTorch really builds.

For every ``nn.Module`` class defined at the top of a module of the installed transformers
and ``torch.nn`` packages, lora-lint reads the tree of ``ClassName()`` from the source
(``extract/python/module_tree.py``). Where it returns a tree (it gives up on the rest, as
it does on unknown code), the class is instantiated with no argument on the meta device
and ``named_modules()`` is compared: name, class and kind of every module. Any difference
is a defect of the reader. A development check (minutes, imports torch/transformers), not
part of the test-suite, whose own cases live in ``tests/extract/test_module_tree.py``.

Usage: ``python scripts/module_trees_vs_torch.py`` (prints the differences and a summary).
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _sources() -> Iterator[tuple[str, Path]]:
    """(importable module name, file) for the modules of transformers and torch.nn."""
    import torch
    import transformers

    for package, base in (
        ("transformers", Path(transformers.__file__).parent),
        ("torch.nn", Path(torch.__file__).parent / "nn"),
    ):
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            name = ".".join((package, *parts)).removesuffix(".__init__")
            yield name, path


def main() -> int:
    import libcst as cst
    import torch

    from lora_lint.extract.python.context import ModuleContext
    from lora_lint.extract.python.module_tree import ModuleTrees
    from lora_lint.extract.python.source import SourceModule
    from lora_lint.models.build import module_infos

    warnings.filterwarnings("ignore")
    same = differ = unbuildable = 0
    for module_name, path in _sources():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "nn.Module" not in text:
            continue
        try:
            parsed = SourceModule.parse(text, str(path))
        except cst.ParserSyntaxError:
            continue
        classes = [n.name.value for n in parsed.module.body if isinstance(n, cst.ClassDef)]
        if not classes:
            continue
        calls = "".join(f"\n_instance_{i} = {name}()" for i, name in enumerate(classes))
        parsed = SourceModule.parse(text + calls + "\n", str(path))
        trees = ModuleTrees(ModuleContext.build(parsed, None))
        for name, statement in zip(classes, parsed.module.body[-len(classes) :], strict=True):
            call = statement.body[0].value  # type: ignore[attr-defined]
            static = trees.read(call)
            if isinstance(static, str):
                continue  # not static: lora-lint says so and checks nothing
            try:
                cls = getattr(importlib.import_module(module_name), name)
                with torch.device("meta"):
                    real = module_infos(cls())
            except Exception:  # a class that needs more than no argument
                unbuildable += 1
                continue
            seen = [(m.name, m.cls, m.kind) for m in static.modules]
            built = [(m.name, m.cls, m.kind) for m in real]
            if seen == built:
                same += 1
            else:
                differ += 1
                print(f"DIFFERENT {module_name}.{name}:\n  read  {seen[:8]}\n  built {built[:8]}")
    print(f"{same} classes read exactly, {differ} different, {unbuildable} not buildable bare")
    return 1 if differ else 0


if __name__ == "__main__":
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    raise SystemExit(main())
