"""Skip interpreter teardown at the end of a ``lora-lint`` run that imported torch.

Once torch, transformers and peft are loaded, Python's shutdown (module teardown,
finalizers, atexit hooks of those libraries) takes about one second on the reference
machine: a third of a cold run's own cost. When the command is done (output written,
caches written atomically, worker pools joined), the ``lora-lint`` program flushes its
streams and leaves with ``os._exit``.

Only for the program itself (``lora-lint`` or ``python -m lora_lint`` calling
``main()`` without arguments), never for callers of ``main(argv)`` in their own process,
and only when a heavy library was imported (a warm run exits normally, in ~10 ms).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

#: Libraries whose teardown is worth skipping.
HEAVY = ("torch", "transformers", "peft")


def _is_program() -> bool:
    first = sys.argv[0] if sys.argv else ""
    name = os.path.basename(first).lower()
    return name.startswith("lora-lint") or first.replace("\\", "/").endswith(
        "lora_lint/__main__.py"
    )


def finish(code: int, argv: Sequence[str] | None) -> int:
    """Return ``code``, or end the process with it right away when that is safe and worth it."""
    if argv is not None or not _is_program() or not any(m in sys.modules for m in HEAVY):
        return code
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)
