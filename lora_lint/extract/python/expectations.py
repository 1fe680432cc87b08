"""What the linted code itself expects of PEFT: a test that asserts a failure.

``with pytest.raises(ValueError): get_peft_model(model, config)`` (``pytest.warns``,
``pytest.deprecated_call``, ``self.assertRaises*``/``self.assertWarns*``) tests that PEFT
fails or warns on purpose; a finding there would report the test's subject as a bug. The
linker marks configs created or applied inside such a block; they are judged (they count as
checked) but nothing is reported for them.
"""

from __future__ import annotations

import libcst as cst

from lora_lint.extract.cstwalk import descendants
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.source import Pos

#: Context managers in which a test expects the code to raise or warn.
_PYTEST_EXPECTS = frozenset({"pytest.raises", "pytest.warns", "pytest.deprecated_call"})
_UNITTEST_EXPECTS = frozenset(
    {"assertRaises", "assertRaisesRegex", "assertWarns", "assertWarnsRegex"}
)


class Expectations:
    """The ``with`` blocks of one module in which the code expects a failure or warning."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self._failure_blocks: list[tuple[cst.With, str]] | None = None

    def failure_at(self, at: Pos) -> str | None:
        """The expectation of the block around ``at`` (a config's creation or the call that
        applies it), as written (``pytest.raises(...)``); None when there is none."""
        if self._failure_blocks is None:
            self._failure_blocks = [
                (node, text)
                for node in descendants(self.ctx.source.module)
                if isinstance(node, cst.With)
                for text in [_failure_context(self.ctx, node)]
                if text is not None
            ]
        for node, text in self._failure_blocks:
            if self.ctx.source.contains(node.body, at):
                return text
        return None


def _failure_context(ctx: ModuleContext, node: cst.With) -> str | None:
    """The expectation a ``with`` statement sets up, as written (None: none)."""
    for item in node.items:
        call = item.item
        if not isinstance(call, cst.Call):
            continue
        func = call.func
        qualified = ctx.imports.qualify(func)
        if qualified is not None and qualified.dotted in _PYTEST_EXPECTS:
            return f"{qualified.dotted}(...)"
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
            and func.attr.value in _UNITTEST_EXPECTS
        ):
            return f"self.{func.attr.value}(...)"
    return None
