"""``--statistics``: how many findings each rule produced, most frequent first.

Useful when adopting lora-lint on a large repository (which rules fire most,
what to ``--ignore`` first) and in CI logs. Text output is a table, as ruff's
``--statistics`` prints it; with ``--format json``/``json-lines`` the counts are
JSON so scripts can read them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from lora_lint.report.safe import json_safe, printable
from lora_lint.results import RunResult


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    severity: str
    count: int

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "count": self.count,
        }


def rule_counts(result: RunResult) -> list[RuleCount]:
    """Counts per (code, name, severity), most frequent first, then by code."""
    counts = Counter((f.code, f.name, f.severity) for f in result.findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], -item[0][2].rank))
    return [RuleCount(code, name, sev.value, n) for (code, name, sev), n in ordered]


def format_statistics(result: RunResult) -> str:
    """The text table: ``count  code  name  [severity]`` per line ("" for no findings)."""
    rows = rule_counts(result)
    if not rows:
        return ""
    width = max(len(str(r.count)) for r in rows)
    name_width = max(len(r.name) for r in rows)
    return "\n".join(
        f"{r.count:>{width}}  {r.code}  {r.name:<{name_width}}  [{r.severity}]" for r in rows
    )


def config_rows(result: RunResult) -> list[dict[str, object]]:
    """Per config: where it is, its model and what it would train (None when unknown)."""
    return [
        {
            "path": c.path,
            "line": c.line,
            "model": c.model,
            "matched_modules": c.matched_modules,
            "trainable_params": c.trainable_params,
            "trainable_percent": c.trainable_percent,
            "assumptions": list(c.assumptions),
        }
        for c in result.configs
    ]


def format_config_costs(result: RunResult) -> str:
    """One line per config: ``path:line  model  N modules  trainable T (P%)``.

    A figure that rests on an assumption (an ``r`` that is not static) is marked
    ``~`` and says what was assumed, so it never passes for what will train.
    """
    lines = []
    for c in result.configs:
        where = f"{printable(c.path)}:{c.line}"
        if c.trainable_params is not None and c.trainable_percent is not None:
            approx = "~" if c.assumptions else ""
            cost = (
                f"{c.matched_modules} modules, trainable {approx}{c.trainable_params:,} "
                f"({approx}{c.trainable_percent:.4f}%)"
            )
            if c.assumptions:
                cost += f" [{'; '.join(c.assumptions)}]"
        elif c.error:
            cost = f"get_peft_model would fail ({c.error})"
        elif c.model is None:
            cost = "no base model"
        else:
            cost = "not computed"
        lines.append(f"  {where}  {printable(c.model or '-')}  {cost}")
    return "\n".join(lines)


def write_statistics(
    result: RunResult, stream: TextIO, *, fmt: str = "text", quiet: bool = False
) -> None:
    """Write the counts in ``fmt`` ("text", "json" or "json-lines")."""
    rows = rule_counts(result)
    if fmt == "json":
        doc = {"rules": [r.as_dict() for r in rows], "configs": config_rows(result)}
        json.dump(json_safe(doc), stream, indent=2)
        stream.write("\n")
        return
    if fmt == "json-lines":
        for r in rows:
            stream.write(json.dumps({"kind": "rule", **r.as_dict()}) + "\n")
        for c in config_rows(result):
            stream.write(json.dumps(json_safe({"kind": "config", **c})) + "\n")
        return
    table = format_statistics(result)
    if table:
        stream.write(table + "\n")
    costs = format_config_costs(result)
    if costs:
        if table:
            stream.write("\n")
        stream.write("LoRA configs:\n" + costs + "\n")
    if not quiet:
        from lora_lint.report.text import summary_line

        if table:
            stream.write("\n")
        stream.write(summary_line(result) + "\n")
