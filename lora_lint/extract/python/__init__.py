"""PEFT configs in Python training code, read statically with libcst.

The code being linted is never imported or executed. Values are resolved only
as far as the source fixes them (see :mod:`.evaluator`); everything else is an
``Unresolved`` with its reason.

Modules, in the order data flows: :mod:`.source` (parse + positions),
:mod:`.imports` (import aliases, sibling modules), :mod:`.scopes` (which
assignment a name refers to), :mod:`.evaluator` (static values),
:mod:`.configs` / :mod:`.models` (what a call means), :mod:`.linking` (which
model a config applies to), :mod:`.extractor` (the visitor tying them up).
"""

from __future__ import annotations

import pathlib
import re

from lora_lint.diagnostics import Span, unreadable_input
from lora_lint.extract.python.catalog import PREFILTER_NEEDLES
from lora_lint.extract.types import FileExtraction

# libcst (~0.15 s to import) and the extractor are imported by ``extract_python`` only:
# the pre-filter runs on every .py file of a run and must not pay for them.

__all__ = ["extract_python", "might_contain_config"]


def might_contain_config(text: str) -> bool:
    """Cheap text pre-filter: False means the file certainly holds no PEFT config (skip libcst).

    True if it mentions any PEFT config class name, ``target_modules``,
    ``get_peft_model`` or ``use_peft`` (a TRL ``ModelConfig`` with default targets).
    """
    return any(needle in text for needle in PREFILTER_NEEDLES)


#: A line that starts with IPython syntax (``%pip install``, ``!nvidia-smi``).
_IPYTHON_LINE = re.compile(r"^[!%]", re.MULTILINE)


def notebook_export(source: str) -> str:
    """``source`` with its IPython-only lines blanked, when it is a notebook saved as ``.py``.

    Databricks notebook sources, Jupytext/Colab exports keep ``%pip install`` and
    ``!cmd`` lines: the notebook runs them, CPython cannot parse them. When the file
    fails to parse only because of such lines, they are blanked as the notebook front end
    blanks them in ``.ipynb`` cells (line count and columns kept). Any other file is
    returned as it is, so a real syntax error is still reported.
    """
    if _IPYTHON_LINE.search(source) is None:
        return source
    from lora_lint.extract.ipython import blank_ipython
    from lora_lint.extract.python.guard import cpython_syntax_error

    if cpython_syntax_error(source) is None:
        return source
    lines = source.split("\n")
    blanked = "\n".join(blank_ipython(lines))
    return blanked if cpython_syntax_error(blanked) is None else source


def _syntax_error(source: str, exc: Exception) -> tuple[Span, str]:
    """Where and why ``source`` is invalid: CPython's answer when it rejects the code too.

    libcst's error positions are often off (a line too far, past the end of the line);
    CPython's are what the training run itself would report. The point is kept inside
    the file either way.
    """
    from lora_lint.extract.python.guard import cpython_syntax_error

    found = cpython_syntax_error(source)
    if found is not None:
        line, column, reason = found
    else:  # syntax CPython accepts but libcst does not (newer than libcst knows)
        line = getattr(exc, "raw_line", 1)
        column = getattr(exc, "raw_column", 0) + 1
        reason = getattr(exc, "message", str(exc))
    lines = re.split(r"\r\n|\r|\n", source)
    line = min(max(line, 1), len(lines))
    column = min(max(column, 1), len(lines[line - 1]) + 1)
    return Span.point(line, column), reason


def extract_python(
    source: str,
    path: str,
    *,
    project_root: pathlib.Path | None = None,
    file_path: pathlib.Path | None = None,
) -> FileExtraction:
    """Every PEFT config in ``source`` with its values, spans and base model.

    ``path`` is the display path put into every config and finding;
    ``file_path`` is the file on disk (for relative imports); ``project_root``
    bounds the sibling modules that may be read. Never raises: a file that
    cannot be parsed or analysed yields one LL000 finding. Files the
    pre-filter rejects are not parsed at all.
    """
    if not might_contain_config(source):
        return FileExtraction(path=path)
    source = notebook_export(source)
    from lora_lint.extract.python.guard import with_deep_stack

    try:
        return _extract(source, path, project_root, file_path, deep=False)
    except _NeedsDeepStack:
        # Code CPython parses but that libcst's passes recurse through too deeply (a long
        # "a" + "b" + ... chain): once more with a raised limit and a large stack.
        return with_deep_stack(lambda: _extract(source, path, project_root, file_path, deep=True))


class _NeedsDeepStack(Exception):
    """A RecursionError on code the guard accepted: worth one retry with a deeper stack."""


def _extract(
    source: str,
    path: str,
    project_root: pathlib.Path | None,
    file_path: pathlib.Path | None,
    *,
    deep: bool,
) -> FileExtraction:
    import libcst as cst

    from lora_lint.extract.python.extractor import extract_module
    from lora_lint.extract.python.guard import TooDeep
    from lora_lint.extract.python.source import SourceModule

    result = FileExtraction(path=path)
    try:
        parsed = SourceModule.parse(source, path, file_path)
    except cst.ParserSyntaxError as exc:
        span, reason = _syntax_error(source, exc)
        result.findings.append(unreadable_input(path, f"cannot parse Python: {reason}", span))
        return result
    except TooDeep as exc:
        reason = str(exc) or "nested too deeply"
        result.findings.append(unreadable_input(path, f"cannot parse Python: {reason}"))
        return result
    except RecursionError:
        if not deep:
            raise _NeedsDeepStack() from None
        reason = "nested too deeply"
        result.findings.append(unreadable_input(path, f"cannot parse Python: {reason}"))
        return result
    try:
        return extract_module(parsed, project_root)
    except RecursionError:
        if not deep:
            raise _NeedsDeepStack() from None
        message = "cannot analyse Python: the code is nested too deeply"
    except Exception as exc:  # the linter must report, not crash, on any input
        message = f"cannot analyse Python: internal error ({type(exc).__name__}: {exc})"
    result.findings.append(unreadable_input(path, message))
    return result
