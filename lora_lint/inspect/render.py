"""Human output of ``inspect``: rich tables and trees on a terminal, plain text on pipes.

Both renderers show the same fields of :class:`~lora_lint.inspect.report.InspectReport`;
rich is imported only when stdout is a terminal, so piping ``inspect`` into a file or
``grep`` neither pays for rich nor gets escape codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from lora_lint.inspect.groups import GroupRow, summarize
from lora_lint.inspect.presets import Recipe
from lora_lint.inspect.report import SUMMARY_FIELDS, InspectReport
from lora_lint.inspect.tree import TreeNode
from lora_lint.match.cost import CostReport


# -- formatting helpers --------------------------------------------------------------------
def num(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return "?" if value is None else str(value)


def human_count(n: int) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def percent(value: float) -> str:
    return f"{value:.4f}%"


def peft_line(cost: CostReport) -> str:
    """Exactly what ``PeftModel.print_trainable_parameters()`` prints."""
    return (
        f"trainable params: {cost.trainable:,d} || all params: {cost.all_params:,d} "
        f"|| trainable%: {cost.percent:.4f}"
    )


def targets_text(recipe: Recipe) -> str:
    parts = []
    if recipe.target_modules is not None:
        parts.append(f"target_modules={recipe.target_modules!r}")
    if recipe.target_parameters:
        parts.append(f"target_parameters={recipe.target_parameters!r}")
    if recipe.rank_pattern:
        parts.append(f"rank_pattern={recipe.rank_pattern!r}")
    return ", ".join(parts) or "(no targets)"


def summary_lines(report: InspectReport) -> list[tuple[str, str]]:
    out = []
    summary = report.summary
    for key, label in SUMMARY_FIELDS:
        value = summary.get(key)
        if value is None and key in ("num_experts", "intermediate_size"):
            continue
        text = num(value)
        if key == "total_params" and isinstance(value, int):
            text += f" ({human_count(value)})"
        out.append((label, text))
    versions = ", ".join(f"{k} {v}" for k, v in report.versions.items())
    out.append(("counts hold for", versions or "?"))
    return out


def cost_cells(cost: CostReport) -> list[str]:
    if cost.error:
        return ["-", "-", "-", "-", "-"]
    return [
        num(cost.matched_modules),
        num(cost.trainable),
        percent(cost.percent),
        human_bytes(cost.size_bytes("bf16")),
        human_bytes(cost.size_bytes("fp32")),
    ]


def node_text(node: TreeNode) -> str:
    parts = [node.label]
    if node.cls and node.kind != "model":
        parts.append(node.cls)
    if node.shape:
        parts.append(node.shape)
    text = "  ".join(parts)
    if node.adapted:
        each = node.lora_params or 0
        via = "target_parameters" if node.via == "parameter" else "LoRA"
        extra = f", {each * node.repeat:,} total" if node.repeat > 1 else ""
        text += f"  ◀ {via} r={node.rank}: {each:,}{' each' if node.repeat > 1 else ''}{extra}"
    elif node.children and node.adapted_below:
        text += f"  [{node.adapted_below:,} adapted]"
    return text


def tree_lines(
    node: TreeNode, prefix: str = "", last: bool = True, top: bool = True
) -> Iterator[tuple[str, TreeNode]]:
    """(line, node) pairs of a plain-text tree drawn with box characters."""
    if top:
        yield node_text(node), node
        child_prefix = ""
    else:
        yield prefix + ("└── " if last else "├── ") + node_text(node), node
        child_prefix = prefix + ("    " if last else "│   ")
    for i, child in enumerate(node.children):
        yield from tree_lines(child, child_prefix, i == len(node.children) - 1, False)


# -- plain text ------------------------------------------------------------------------------
def _group_columns(r: int) -> list[tuple[str, str]]:
    """Titles and alignment of a module-group table (plain and rich output alike)."""
    return [
        ("name", "left"),
        ("class", "left"),
        ("in→out/shape", "left"),
        ("count", "right"),
        ("parameters", "right"),
        (f"LoRA r={r}", "right"),
        ("LoRA field", "left"),
    ]


def _group_cells(row: GroupRow) -> list[str]:
    """One module's row of a group table."""
    return [
        row.leaf,
        row.cls,
        row.shape_text,
        num(row.count),
        num(row.params_total),
        num(row.lora_each),
        row.field or "-",
    ]


def _table(rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def write_text(report: InspectReport, stream: TextIO) -> None:
    if report.emitted is not None:
        stream.write(report.emitted)
        return
    lines: list[str] = [f"{report.model_id} ({report.how})"]
    width = max(len(label) for label, _ in summary_lines(report))
    lines += [f"  {label.ljust(width)}  {value}" for label, value in summary_lines(report)]
    lines += [f"  note: {n}" for n in report.notes]

    if report.selection is not None:
        # What --targets/--preset adapt; the groups and presets are in the plain run (and JSON).
        lines += ["", *_selection_lines(report.selection)]
        if report.tree is not None and not report.selection.cost.error:
            lines += [""] + [line for line, _ in tree_lines(report.tree)]
        stream.write("\n".join(lines) + "\n")
        return

    lines += ["", f"Module groups (LoRA cost per module at r={report.r})"]
    columns = _group_columns(report.r)
    right = {i for i, (_, justify) in enumerate(columns) if justify == "right"}
    for group in summarize(report.rows):
        lines.append(f"  {group.heading}")
        table = [[title for title, _ in columns]]
        notes = []
        for row in group.rows:
            table.append(_group_cells(row))
            if row.note:
                notes.append(f"      {row.leaf}: {row.note}")
        lines += _table(table, right, indent="    ")
        lines += notes

    lines += ["", f"Presets (r={report.r}; trainable% as PEFT's print_trainable_parameters)"]
    table = [["preset", "modules", "trainable", "% of model", "bf16", "fp32"]]
    for recipe in report.presets:
        table.append(
            [recipe.title, *cost_cells(recipe.cost)]
            if recipe.available
            else [recipe.title, "-", "-", "-", "-", "-"]
        )
    lines += _table(table, {1, 2, 3, 4, 5})
    for recipe in report.presets:
        lines.append(f"  {recipe.key}: {targets_text(recipe)}")
        if recipe.cost.error and recipe.available:
            lines.append(f"    PEFT raises: {recipe.cost.error_message or recipe.cost.error}")
        lines += [f"    note: {n}" for n in recipe.notes]
    stream.write("\n".join(lines) + "\n")


def _selection_lines(recipe: Recipe) -> list[str]:
    cost = recipe.cost
    lines = [f"{recipe.title}: {targets_text(recipe)}, lora_alpha={recipe.alpha}"]
    if cost.error:
        lines.append(f"  PEFT raises ({cost.error}): {cost.error_message or ''}".rstrip())
    else:
        lines.append(f"  {peft_line(cost)}")
        adapted = f"{len(cost.module_targets):,} modules"
        if cost.parameter_targets:
            adapted += f" and {len(cost.parameter_targets):,} parameter tensors"
        lines.append(
            f"  {adapted} adapted; adapter on disk {human_bytes(cost.size_bytes('bf16'))} (bf16), "
            f"{human_bytes(cost.size_bytes('fp32'))} (fp32)"
        )
        if cost.saved:
            lines.append(
                "  modules_to_save (full copies): "
                + ", ".join(f"{n} ({p:,})" for n, p in cost.saved)
            )
    lines += [f"  note: {n}" for n in recipe.notes]
    return lines


# -- rich ------------------------------------------------------------------------------------
def write_rich(report: InspectReport, stream: TextIO) -> None:
    """The same content as :func:`write_text`, as rich tables and a rich tree."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

    console = Console(file=stream, highlight=False)
    if report.emitted is not None:
        from rich.syntax import Syntax

        lexer = {"python": "python", "peft-json": "json"}.get(report.emit_format or "", "yaml")
        console.print(Syntax(report.emitted, lexer, theme="ansi_dark", background_color="default"))
        return

    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim")
    head.add_column()
    for label, value in summary_lines(report):
        head.add_row(label, value)
    console.print(Text(f"{report.model_id}", style="bold"), Text(f"({report.how})", style="dim"))
    console.print(head)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}")
    if report.selection is not None:
        console.print()
        for i, line in enumerate(_selection_lines(report.selection)):
            console.print(Text(line, style="bold" if i == 0 else ""))
        if report.tree is not None and not report.selection.cost.error:
            console.print(_rich_tree(report.tree, Tree))
        return

    for group in summarize(report.rows):
        table = Table(
            title=group.heading,
            title_justify="left",
            title_style="bold",
        )
        for col, justify in _group_columns(report.r):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for row in group.rows:
            table.add_row(*_group_cells(row))
        console.print(table)
        for row in group.rows:
            if row.note:
                console.print(f"  [dim]{row.leaf}: {row.note}[/]")

    table = Table(title=f"Presets (r={report.r})", title_justify="left", title_style="bold")
    table.add_column("preset")
    table.add_column("targets", overflow="fold", max_width=60)
    for col in ("modules", "trainable", "% of model", "bf16", "fp32"):
        table.add_column(col, justify="right")
    for recipe in report.presets:
        cells = cost_cells(recipe.cost) if recipe.available else ["-"] * 5
        table.add_row(recipe.title, targets_text(recipe), *cells)
    console.print(table)
    for recipe in report.presets:
        if recipe.cost.error and recipe.available:
            console.print(f"  [red]{recipe.key}: PEFT raises[/] {recipe.cost.error_message or ''}")
        for note in recipe.notes:
            console.print(f"  [dim]{recipe.key}: {note}[/]")


def _rich_tree(node: TreeNode, tree_cls: Any, parent: Any = None) -> Any:
    style = "bold green" if node.adapted else ("" if node.adapted_below else "dim")
    label = node_text(node)
    branch = tree_cls(label, style=style) if parent is None else parent.add(label, style=style)
    for child in node.children:
        _rich_tree(child, tree_cls, branch)
    return branch


def write_human(report: InspectReport, stream: TextIO) -> None:
    """Rich on a terminal, plain text otherwise."""
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        write_rich(report, stream)
    else:
        write_text(report, stream)
