"""The code registry owns every code: the rules, the front ends and the suppression pass use it."""

from __future__ import annotations

import pytest

from lora_lint import codes
from lora_lint.rules import ALL_RULES
from lora_lint.rules.base import Rule


def test_every_rule_has_a_registered_code_and_every_code_a_rule() -> None:
    assert [(r.code, r.name) for r in ALL_RULES] == list(codes.NAMES.items())


def test_a_rule_with_an_unregistered_code_fails_when_defined() -> None:
    with pytest.raises(TypeError, match="LL999"):

        class Bogus(Rule):
            code = "LL999"
            name = "bogus"

    with pytest.raises(TypeError, match="LL001"):

        class Renamed(Rule):
            code = "LL001"
            name = "renamed"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("LL001", "LL001"),
        ("ll017", "LL017"),
        (" unknown-target-module ", "LL001"),
        ("Unused-Suppression", "LL017"),
        ("LL999", None),
        ("E501", None),
        ("", None),
    ],
)
def test_resolve(written: str, expected: str | None) -> None:
    assert codes.resolve(written) == expected


def test_selected_codes() -> None:
    assert codes.selected("ALL") == set(codes.ALL_CODES)
    assert codes.selected("LL01") == {f"LL01{i}" for i in range(10)}
    assert codes.selected("duplicate-key") == {"LL018"}
    assert codes.selected("XX") == set()
