"""One entry per file type: everything lora-lint does differently for ``.py``, ``.yaml``...

Whatever switches on a file's suffix reads this table, so a file type is added (or
changed) in one place:

* ``max_bytes`` -- the size limit above which the file is not read (LL000);
* ``prefilter`` -- the cheap text test that lets most files skip parsing;
* ``extract`` -- the front end that turns the text into configs and findings;
* ``comments`` -- the scanner that finds the real comments of the text (for
  suppression directives), run while the file is read, so it is read once;
* ``fix_format`` -- how fixes edit it (the literal syntax);
* ``line_breaks`` -- which characters end a line for the tool that reads the file
  (``tokenize`` and bash: ``\\n``; PyYAML: also U+0085, U+2028, U+2029), so its own
  ``(line, column)``s can be converted; every *reported* position counts lines by
  :data:`lora_lint.lineindex.REPORTED`, whatever the file type;
* ``reads_siblings`` -- whether its extraction may read other project files;
* ``fence`` -- the Markdown code-fence language of its examples in the rule docs.

The front ends are imported lazily (the table itself imports nothing heavy): a
warm run answers most files from the extraction cache without libcst or PyYAML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from lora_lint.extract import comments
from lora_lint.extract.types import Comment, FileExtraction
from lora_lint.lineindex import NEWLINE, REPORTED, YAML_BREAKS

#: 5 MiB: no training script or config is larger; a larger file is data, not read.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Notebooks carry their outputs (images, logs): a larger limit, the code cells are small.
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


Extract = Callable[[Path, str, str, "Path | None"], FileExtraction]


@dataclass(frozen=True)
class FrontEnd:
    """What lora-lint does with one file type (see the module docstring)."""

    fix_format: str
    suffixes: tuple[str, ...]
    max_bytes: int
    line_breaks: re.Pattern[str]
    prefilter: Callable[[PurePath, str], bool]
    extract: Extract
    comments: Callable[[str], Iterable[Comment]]
    reads_siblings: bool = False
    fence: str = ""


def _python_prefilter(path: PurePath, text: str) -> bool:
    from lora_lint.extract import python

    return python.might_contain_config(text)


def _python(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    from lora_lint.extract import python
    from lora_lint.extract.prefilter import needs_parse
    from lora_lint.extract.python.catalog import PREFILTER_NEEDLES

    if not needs_parse(text, PREFILTER_NEEDLES):
        return FileExtraction(shown)  # LoRA named in docstrings only: libcst not needed
    return python.extract_python(text, shown, project_root=project_root, file_path=path)


def _notebook_prefilter(path: PurePath, text: str) -> bool:
    from lora_lint.extract import notebook

    return notebook.might_contain_config(text)


def _notebook(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    from lora_lint.extract import notebook

    return notebook.extract_notebook(text, shown, project_root=project_root, file_path=path)


def _yaml_prefilter(path: PurePath, text: str) -> bool:
    from lora_lint.extract import yaml

    return yaml.might_contain_config(text)


def _yaml(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    from lora_lint.extract import yaml

    return yaml.extract_yaml(text, shown)


def _json_prefilter(path: PurePath, text: str) -> bool:
    from lora_lint.extract import yaml

    return not yaml.is_foreign_json(path) and yaml.might_contain_config(text)


def _json(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    from lora_lint.extract import yaml

    return yaml.extract_json(text, shown)


def _shell_prefilter(path: PurePath, text: str) -> bool:
    from lora_lint.extract import shell

    return shell.might_contain_config(text)


def _shell(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    from lora_lint.extract import shell

    return shell.extract_shell(text, shown, file_path=path, project_root=project_root)


FRONT_ENDS: tuple[FrontEnd, ...] = (
    FrontEnd(
        "python",
        (".py",),
        MAX_FILE_BYTES,
        NEWLINE,
        _python_prefilter,
        _python,
        comments.python_comments,
        reads_siblings=True,
        fence="python",
    ),
    FrontEnd(
        "notebook",
        (".ipynb",),
        MAX_NOTEBOOK_BYTES,
        REPORTED,
        _notebook_prefilter,
        _notebook,
        comments.notebook_comments,
        reads_siblings=True,
    ),
    FrontEnd(
        "yaml",
        (".yaml", ".yml"),
        MAX_FILE_BYTES,
        YAML_BREAKS,
        _yaml_prefilter,
        _yaml,
        comments.yaml_comments,
        fence="yaml",
    ),
    FrontEnd(
        "json",
        (".json",),
        MAX_FILE_BYTES,
        REPORTED,
        _json_prefilter,
        _json,
        comments.no_comments,
        fence="json",
    ),
    FrontEnd(
        "shell",
        (".sh",),
        MAX_FILE_BYTES,
        NEWLINE,
        _shell_prefilter,
        _shell,
        comments.shell_comments,
        reads_siblings=True,
    ),
)
_BY_SUFFIX = {suffix: front for front in FRONT_ENDS for suffix in front.suffixes}
#: Every suffix lora-lint reads.
SUFFIXES: frozenset[str] = frozenset(_BY_SUFFIX)
#: Suffixes of the files whose extraction may read sibling modules (``from x import T``).
READS_SIBLINGS: frozenset[str] = frozenset(
    suffix for front in FRONT_ENDS if front.reads_siblings for suffix in front.suffixes
)
_BY_FORMAT = {front.fix_format: front for front in FRONT_ENDS}


def front_end(path: PurePath | str) -> FrontEnd | None:
    """The front end for ``path``'s suffix (any case); None for a file type lora-lint skips."""
    suffix = PurePath(path).suffix.lower()
    return _BY_SUFFIX.get(suffix)


def by_format(fix_format: str) -> FrontEnd:
    """The front end whose fixes are written in ``fix_format`` (``"yaml"``, ``"shell"``...)."""
    return _BY_FORMAT[fix_format]


def might_contain_config(path: PurePath, text: str) -> bool:
    """The front end's text pre-filter: False means the file holds no config (never parsed).

    Cheap on purpose: no front end imports libcst or parses anything here.
    """
    front = front_end(path)
    return front is not None and front.prefilter(path, text)


def extract_text(path: Path, shown: str, text: str, project_root: Path | None) -> FileExtraction:
    """Extract the configs of ``text`` (the content of ``path``, shown as ``shown``), which
    passed :func:`might_contain_config`. Runs in a worker process for large runs."""
    front = front_end(path)
    if front is None:
        return FileExtraction(shown)
    return front.extract(path, shown, text, project_root)


def comments_of(path: PurePath, text: str) -> list[Comment]:
    """The comments of ``text`` that may hold a suppression directive (only those)."""
    if not comments.may_hold_directive(text):
        return []
    front = front_end(path)
    return list(front.comments(text) if front is not None else comments.hash_comments(text))
