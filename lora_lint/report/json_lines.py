"""``--format json-lines``: one finding per line, as a JSON object.

The objects have exactly the keys of ``--format json``'s findings
(:func:`lora_lint.report.json_format.finding_dict`), so a consumer can switch
formats without changing its parser. One line per finding streams well into
``jq -c``, ``grep`` and log shippers, and an empty run prints nothing.
"""

from __future__ import annotations

import json
from typing import TextIO

from lora_lint.report.json_format import finding_dict
from lora_lint.report.safe import json_safe
from lora_lint.results import RunResult


def write_json_lines(result: RunResult, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(json.dumps(json_safe(finding_dict(finding)), ensure_ascii=False) + "\n")
