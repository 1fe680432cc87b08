"""A read-only libcst traversal: the callbacks of ``node.visit(visitor)``, 4-6x faster.

libcst's ``CSTNode.visit`` rebuilds every node it passes (``_visit_and_replace_children``
constructs and validates a new node even for a read-only ``CSTVisitor``, then throws
it away), so an empty visitor pass costs more than parsing the file. The Python front
end makes several passes per file; :func:`walk` makes them without the rebuilding.

Equivalence with ``node.visit(visitor)``:

* the same ``visit_X``/``leave_X`` callbacks (or ``on_visit``/``on_leave`` overrides)
  on the same nodes in the same order, and children are skipped when ``visit_X``
  returns ``False``;
* the order of each class's children is learnt from libcst itself, once per class
  and process (one ``_visit_and_replace_children`` call that records its attribute
  visits), so it follows libcst's own code for the installed version;
* anything :func:`walk` cannot guarantee falls back to libcst: visitors with
  attribute hooks (``visit_Call_func``, ``on_visit_attribute`` overrides), transformers,
  and a node whose class left a child field unvisited when its order was learnt
  (libcst skips ``FormattedStringExpression.format_spec`` when it is ``None``).

tests/test_performance_guards.py checks event-for-event equality over real files.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Optional

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

_CSTNode = cst.CSTNode

#: node class -> (child fields in libcst's visiting order, fields libcst did not visit there).
_ORDER: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}
#: Concrete node classes seen so far (``type(x) in`` is much cheaper than the ABC isinstance).
_NODE_TYPES: set[type] = set()

#: A bound ``visit_X``/``leave_X`` method, or None when the visitor has none.
_Callback = Callable[[Any], Any] | None

#: Field annotations that can never hold a node.
#: (``typing.Optional`` as libcst writes its annotations.)
_NEVER_NODES: tuple[object, ...] = (str, Optional[str], bool, int, float)  # noqa: UP045

_ATTRIBUTE_HOOK = re.compile(r"^(visit|leave)_[A-Z]\w*?_\w+$")


class _Learner(cst.CSTVisitor):
    """Records the attribute visits of one node, without descending into its children."""

    def __init__(self, target: _CSTNode) -> None:
        self.target = target
        self.fields: list[str] = []

    def on_visit(self, node: _CSTNode) -> bool:
        return node is self.target

    def on_leave(self, original_node: _CSTNode) -> None:
        return None

    def on_visit_attribute(self, node: _CSTNode, attribute: str) -> None:
        if node is self.target:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: _CSTNode, attribute: str) -> None:
        return None


def _learn(node: _CSTNode) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cls = type(node)
    learner = _Learner(node)
    node.visit(learner)
    visited = tuple(dict.fromkeys(learner.fields))
    # Fields libcst did not visit on this node and that could hold nodes on another one
    # (``Name.value`` is always a str: no need to look at it for every name).
    unvisited = tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in visited and f.type not in _NEVER_NODES
    )
    _ORDER[cls] = (visited, unvisited)
    _NODE_TYPES.add(cls)
    return _ORDER[cls]


def _holds_nodes(value: object) -> bool:
    if isinstance(value, _CSTNode):
        return True
    return isinstance(value, (tuple, list)) and any(isinstance(v, _CSTNode) for v in value)


@cache
def _fast_path(visitor_cls: type) -> bool:
    """Whether :func:`walk` gives ``visitor_cls`` exactly the callbacks libcst would."""
    if not issubclass(visitor_cls, cst.CSTVisitor):
        return False  # a transformer: libcst must rebuild the tree
    if (
        visitor_cls.on_visit_attribute is not cst.CSTVisitor.on_visit_attribute
        or visitor_cls.on_leave_attribute is not cst.CSTVisitor.on_leave_attribute
    ):
        return False
    # libcst's own base classes declare every ``visit_X_attr`` as a no-op; only hooks
    # written by the visitor's author count.
    own = (k for k in visitor_cls.__mro__ if not k.__module__.startswith("libcst"))
    return not any(_ATTRIBUTE_HOOK.match(name) for k in own for name in vars(k))


def walk(node: _CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a read-only visitor, without rebuilding the tree."""
    cls = type(visitor)
    if not _fast_path(cls):
        node.visit(visitor)
        return
    generic = (
        cls.on_visit is not cst.CSTVisitor.on_visit or cls.on_leave is not cst.CSTVisitor.on_leave
    )
    dispatch: dict[type, tuple[_Callback, _Callback]] = {}
    order_of = _ORDER.get
    node_types = _NODE_TYPES

    def visit(current: _CSTNode) -> None:
        node_cls = type(current)
        if generic:
            descend = visitor.on_visit(current)
        else:
            found = dispatch.get(node_cls)
            if found is None:
                name = node_cls.__name__
                found = dispatch[node_cls] = (
                    getattr(visitor, f"visit_{name}", None),
                    getattr(visitor, f"leave_{name}", None),
                )
            enter = found[0]
            descend = enter is None or enter(current) is not False
        if descend:
            order = order_of(node_cls) or _learn(current)
            fields, unvisited = order
            if unvisited and any(_holds_nodes(getattr(current, f)) for f in unvisited):
                # Children libcst did not visit when the order was learnt: let libcst
                # do this subtree (its callbacks are the reference).
                current._visit_and_replace_children(visitor)
            else:
                for name in fields:
                    value = getattr(current, name)
                    if type(value) in node_types:
                        visit(value)
                    elif isinstance(value, (tuple, list)):
                        for child in value:
                            visit(child)
                    elif isinstance(value, _CSTNode):  # a class not met yet
                        visit(value)
        if generic:
            visitor.on_leave(current)
        else:
            leave = dispatch[node_cls][1]
            if leave is not None:
                leave(current)

    visit(node)


def positions(module: cst.Module) -> Mapping[_CSTNode, CodeRange]:
    """``MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)``, faster.

    The wrapper also runs a batched-visitor pass over the whole tree even when no
    batchable provider is requested (a full rebuilding traversal, ~45% of the cost);
    this runs the provider's own codegen pass only. Falls back to the wrapper if
    libcst's provider internals ever change.
    """
    try:
        provider = PositionProvider()
        provider._computed = {}
        provider._gen_impl(module)
        return MappingProxyType(provider._computed)  # type: ignore[arg-type]
    except (AttributeError, TypeError):
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def descendants(root: _CSTNode) -> Iterator[_CSTNode]:
    """``root`` and every node under it, in source order (for small subtrees: a statement,
    an expression; a whole-module pass should use :func:`walk` with a visitor)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
