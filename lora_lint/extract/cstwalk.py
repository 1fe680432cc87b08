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
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import libcst as cst

_CSTNode = cst.CSTNode

#: node class -> (child fields in libcst's visiting order, fields libcst did not visit there).
_ORDER: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}
#: Concrete node classes seen so far (``type(x) in`` is much cheaper than the ABC isinstance).
_NODE_TYPES: set[type] = set()

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
    unvisited = tuple(f.name for f in dataclasses.fields(cls) if f.name not in visited)
    _ORDER[cls] = (visited, unvisited)
    return _ORDER[cls]


def _holds_nodes(value: object) -> bool:
    if isinstance(value, _CSTNode):
        return True
    return isinstance(value, (tuple, list)) and any(isinstance(v, _CSTNode) for v in value)


@lru_cache(maxsize=None)
def _fast_path(visitor_cls: type) -> bool:
    """Whether :func:`walk` gives ``visitor_cls`` exactly the callbacks libcst would."""
    if not issubclass(visitor_cls, cst.CSTVisitor):
        return False  # a transformer: libcst must rebuild the tree
    if (
        visitor_cls.on_visit_attribute is not cst.CSTVisitor.on_visit_attribute
        or visitor_cls.on_leave_attribute is not cst.CSTVisitor.on_leave_attribute
    ):
        return False
    return not any(_ATTRIBUTE_HOOK.match(name) for name in dir(visitor_cls))


def walk(node: _CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a read-only visitor, without rebuilding the tree."""
    cls = type(visitor)
    if not _fast_path(cls):
        node.visit(visitor)
        return
    generic = (
        cls.on_visit is not cst.CSTVisitor.on_visit or cls.on_leave is not cst.CSTVisitor.on_leave
    )
    dispatch: dict[type, tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]] = {}

    def callbacks(node_cls: type) -> tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]:
        found = dispatch.get(node_cls)
        if found is None:
            name = node_cls.__name__
            found = dispatch[node_cls] = (
                getattr(visitor, f"visit_{name}", None),
                getattr(visitor, f"leave_{name}", None),
            )
        return found

    def visit(current: _CSTNode) -> None:
        node_cls = type(current)
        if generic:
            descend = visitor.on_visit(current)
        else:
            enter, _ = callbacks(node_cls)
            descend = enter is None or enter(current) is not False
        if descend:
            order = _ORDER.get(node_cls)
            if order is None:
                _NODE_TYPES.add(node_cls)
                order = _learn(current)
            fields, unvisited = order
            if unvisited and any(_holds_nodes(getattr(current, f)) for f in unvisited):
                # Children libcst did not visit when the order was learnt: let libcst
                # do this subtree (its callbacks are the reference).
                current._visit_and_replace_children(visitor)
            else:
                for name in fields:
                    value = getattr(current, name)
                    if type(value) in _NODE_TYPES or (
                        value is not None
                        and not isinstance(value, (tuple, list, str))
                        and isinstance(value, _CSTNode)
                    ):
                        visit(value)
                    elif isinstance(value, (tuple, list)):
                        for child in value:
                            visit(child)
        if generic:
            visitor.on_leave(current)
        else:
            _, leave = callbacks(node_cls)
            if leave is not None:
                leave(current)

    visit(node)
