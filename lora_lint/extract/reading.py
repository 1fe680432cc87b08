"""Reading a file for linting: its text, or the LL000 that says why not.

Every file is read here once per run; the text then goes through its front end's
pre-filter, comment scanner and extractor (:mod:`lora_lint.extract.frontends`).
"""

from __future__ import annotations

import stat
from pathlib import Path

from lora_lint.diagnostics import Finding, unreadable_input
from lora_lint.extract.frontends import MAX_FILE_BYTES, front_end, might_contain_config


def read_source(path: Path, shown: str) -> tuple[str | None, Finding | None]:
    """Text of ``path`` or the LL000 finding that explains why it cannot be read
    (neither: a file that is not text and holds no config, see ``_might_hold_config``)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO blocks, /dev/zero never ends
            return None, unreadable_input(
                shown, "not a regular file (a FIFO, device or socket); not read"
            )
        size = info.st_size
        front = front_end(path)
        limit = front.max_bytes if front is not None else MAX_FILE_BYTES
        if size > limit:
            return None, unreadable_input(
                shown,
                f"file is {size / 1e6:.1f} MB, over lora-lint's {limit // 2**20} MiB limit "
                "for this file type; not checked",
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, unreadable_input(shown, f"cannot read file: {exc.strerror or exc}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # also the UTF-32 little-endian BOM
        return None, unreadable_input(shown, "encoded as UTF-16 or UTF-32; lora-lint reads UTF-8")
    if b"\0" in data[:8192]:
        if not _might_hold_config(path, data):
            return None, None
        return None, unreadable_input(shown, "binary content (NUL bytes), not a text file")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if not _might_hold_config(path, data):
            return None, None
        return None, unreadable_input(shown, f"not valid UTF-8 (byte {exc.start}): {exc.reason}")


def _might_hold_config(path: Path, data: bytes) -> bool:
    """The pre-filter on bytes that are not UTF-8 text (their ASCII needles survive).

    A file the pre-filter would pass over when readable (a GBK-encoded script, a binary
    blob named ``.json``) holds no config: that it is not UTF-8 is not lora-lint's
    business, so no LL000 is said for it.
    """
    return might_contain_config(path, data.decode("utf-8", errors="replace"))


def internal_error(path: str, exc: BaseException) -> str:
    """The one error line for a lora-lint bug met while handling ``path`` (exit code 2)."""
    return (
        f"{path}: internal error: {type(exc).__name__}: {exc} "
        "(this is a lora-lint bug; please report it with this file)"
    )
