"""Which project files import a module: re-check them when only that module changed.

``train.py`` may take its targets from a shared ``lora_targets.py``
(``from lora_targets import TARGETS``). When a commit changes only ``lora_targets.py``,
pre-commit passes only that file, yet the configs that changed are in ``train.py``. The
Python front end reports every sibling file an extraction reads (see
:mod:`lora_lint.extract.filecache`); this index keeps, per project, "file -> files its
extraction read" for every file lora-lint has extracted, so a run over some files can add
the project files that read them.

The index lives in the cache directory (one JSON file per project root, written atomically).
It is *complete* once every lintable file of the project has been extracted: after a run
over the project root, or after the one-off scan :meth:`ImportIndex.importers_of` asks for
when it has never seen the project. From then on each run keeps it current for the files it
extracts (pre-commit passes every added or changed file). A stale entry only costs an extra
check of a file that no longer imports the module.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from lora_lint.cache_io import write_json

INDEX_FORMAT = 1


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class ImportIndex:
    """file -> the project files its extraction read, for one project root."""

    def __init__(self, cache_dir: Path | None, project_root: Path) -> None:
        self.root = os.path.abspath(project_root)
        digest = hashlib.sha256(self.root.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        self.file = (
            cache_dir / f"importers-v{INDEX_FORMAT}" / f"{digest}.json" if cache_dir else None
        )
        self.reads, self.complete = self._load()
        #: This run's changes (an empty list: the file reads nothing), merged on save.
        self._updates: dict[str, list[str]] = {}
        self._dirty = False

    def _load(self) -> tuple[dict[str, list[str]], bool]:
        if self.file is None:
            return {}, False
        try:
            data = json.loads(self.file.read_bytes())
            if data.get("format") != INDEX_FORMAT or data.get("root") != self.root:
                return {}, False
            reads = {str(k): [str(p) for p in v] for k, v in data["reads"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}, False  # missing or corrupt: as if never seen
        return reads, bool(data.get("complete"))

    def inside(self, path: Path) -> bool:
        return _inside(os.path.abspath(path), self.root)

    def record(self, reads: dict[Path, list[str]]) -> None:
        """What each extracted file read (only files inside the project are kept)."""
        for path, deps in reads.items():
            key = os.path.abspath(path)
            if not _inside(key, self.root):
                continue
            inside = sorted({d for d in deps if _inside(d, self.root) and d != key})
            if self.reads.get(key, []) != inside:
                self._dirty = True
                self._updates[key] = inside
                if inside:
                    self.reads[key] = inside
                else:
                    self.reads.pop(key, None)

    def mark_complete(self) -> None:
        if not self.complete:
            self.complete = self._dirty = True

    def importers_of(self, files: Iterable[Path]) -> list[Path]:
        """Existing project files (not in ``files``) whose extraction read one of ``files``."""
        wanted = {os.path.abspath(f) for f in files}
        out = []
        for importer, deps in sorted(self.reads.items()):
            if importer not in wanted and wanted.intersection(deps) and os.path.isfile(importer):
                out.append(Path(importer))
        return out

    def save(self) -> None:
        """Write the index, merged with what concurrent runs (pre-commit's parallel
        processes) saved since it was loaded."""
        if self.file is None or not self._dirty:
            return
        reads, complete = self._load()
        for key, deps in self._updates.items():
            if deps:
                reads[key] = deps
            else:
                reads.pop(key, None)
        self.reads, self.complete = reads, complete or self.complete
        data = {
            "format": INDEX_FORMAT,
            "root": self.root,
            "complete": self.complete,
            "reads": dict(sorted(self.reads.items())),
        }
        with contextlib.suppress(OSError):
            write_json(self.file, data, prefix="importers")
        self._dirty = False
