"""IPython-only syntax in notebook code: what the notebook runs and CPython cannot parse.

Shared by the notebook front end (``.ipynb`` cells) and the Python front end (notebooks
saved as ``.py``: Databricks sources, Jupytext/Colab exports).
"""

from __future__ import annotations

import re

#: Cell magics whose body is still Python (the rest -- %%bash, %%writefile, ... -- is not).
_PYTHON_CELL_MAGICS = frozenset({"capture", "time", "timeit", "prun", "debug", "python", "python3"})
#: ``x = !cmd`` / ``x = %magic``: IPython assignments from a shell or magic command.
_MAGIC_ASSIGN = re.compile(r"^\s*[\w.]+\s*=\s*[!%]")
_LINE_MAGIC = re.compile(r"^\s*[!%]")
_HELP = re.compile(r"^\s*[\w.]+\?\??\s*$|^\s*\?")


def blank_ipython(lines: list[str]) -> list[str]:
    """IPython-only lines -> empty lines (line count kept)."""
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(None, 1)[0] if lines[0].strip() != "%%" else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return ["" for _ in lines]
        return ["", *blank_ipython(lines[1:])]
    out = []
    for line in lines:
        if _LINE_MAGIC.match(line) or _MAGIC_ASSIGN.match(line) or _HELP.match(line):
            out.append("")
        else:
            out.append(line)
    return out
