"""Static values: what is resolved, and what is reported Unresolved with a reason."""

from __future__ import annotations

import textwrap

import pytest

from lora_lint.extract.python import extract_python
from lora_lint.extract.types import ExtractedConfig, Located, Unresolved


def config_of(code: str) -> ExtractedConfig:
    result = extract_python(textwrap.dedent(code).lstrip("\n"), "train.py")
    assert result.findings == []
    assert len(result.configs) == 1
    return result.configs[0]


def targets_of(code: str) -> object:
    return config_of(code).option("target_modules")


def unresolved_target(code: str) -> Unresolved:
    config = config_of(code)
    value = config.options["target_modules"]
    assert isinstance(value, Unresolved)
    assert value in config.unresolved
    return value


# -- resolved -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('["q_proj", "v_proj"]', ["q_proj", "v_proj"]),
        ('("q_proj", "v_proj")', ["q_proj", "v_proj"]),
        ('{"q_proj"}', ["q_proj"]),
        ('"all-linear"', "all-linear"),
        ('r".*\\.(q|v)_proj"', ".*\\.(q|v)_proj"),
        ('"model.layers." "q_proj"', "model.layers.q_proj"),
        ('f"q_proj"', "q_proj"),
        ('f"{{q}}_proj\\n"', "{q}_proj\n"),
        ("None", None),
        ('["q_proj"] + ["v_proj"]', ["q_proj", "v_proj"]),
        ('list(("q_proj", "v_proj"))', ["q_proj", "v_proj"]),
        ('sorted({"v_proj", "q_proj"})', ["q_proj", "v_proj"]),
        ('"q_proj,v_proj".split(",")', ["q_proj", "v_proj"]),
        ('"q_proj v_proj".split()', ["q_proj", "v_proj"]),
        ('"|".join(["q_proj", "v_proj"])', "q_proj|v_proj"),
        ('["q_proj", "v_proj"][:1]', ["q_proj"]),
        ('{"a": ["q_proj"]}["a"]', ["q_proj"]),
        ('["x"] if True else ["x"]', ["x"]),
    ],
)
def test_literal_forms(expression: str, expected: object) -> None:
    code = f"from peft import LoraConfig\nconfig = LoraConfig(target_modules={expression})\n"
    assert targets_of(code) == expected


def test_scalars_and_task_type() -> None:
    config = config_of(
        """
        from peft import LoraConfig, TaskType
        RANK = 16
        config = LoraConfig(
            r=RANK,
            lora_alpha=RANK * 2,
            lora_dropout=0.05,
            bias="none",
            use_dora=False,
            fan_in_fan_out=True,
            layers_to_transform=[-1, -2],
            task_type=TaskType.CAUSAL_LM,
        )
        """
    )
    assert config.option("r") == 16
    assert config.option("lora_alpha") == 32
    assert config.option("lora_dropout") == 0.05
    assert config.option("bias") == "none"
    assert config.option("use_dora") is False
    assert config.option("fan_in_fan_out") is True
    assert config.option("layers_to_transform") == [-1, -2]
    assert config.option("task_type") == "CAUSAL_LM"
    assert config.unresolved == []


def test_every_keyword_becomes_an_option_with_its_key_span() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(target_modules=["q_proj"], rank_pattern={"q_proj": 4},
                            alpha_pattern={"q_proj": 8}, exclude_modules="vision.*",
                            layers_pattern="layers", target_parameters=["experts.down_proj"],
                            made_up_option=1)
        """
    )
    assert config.option("rank_pattern") == {"q_proj": 4}
    assert config.option("exclude_modules") == "vision.*"
    assert config.option("target_parameters") == ["experts.down_proj"]
    assert config.option("made_up_option") == 1
    assert config.option_keys["made_up_option"] == "made_up_option"
    span = config.key_spans["made_up_option"]
    assert (span.line, span.column, span.end_column) == (5, 21, 35)
    pattern = config.options["rank_pattern"]
    assert isinstance(pattern, Located) and pattern.container == "dict"
    assert pattern.key_spans is not None and pattern.key_spans["q_proj"].column == 62


def test_module_constants_concatenation_and_spreads() -> None:
    targets = targets_of(
        """
        from peft import LoraConfig

        ATTENTION = ["q_proj", "k_proj", "v_proj", "o_proj"]
        MLP: list[str] = ["gate_proj", "up_proj", "down_proj"]
        ALL = ATTENTION + MLP
        EXTRA = ("lm_head",)

        config = LoraConfig(target_modules=[*ALL, *list(EXTRA)])
        """
    )
    assert targets == [
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
        "lm_head",
    ]


def test_function_local_constant_uses_last_assignment_before_the_call() -> None:
    targets = targets_of(
        """
        from peft import LoraConfig

        def make_config():
            targets = ["q_proj"]
            targets = targets + ["v_proj"]
            targets += ["o_proj"]
            config = LoraConfig(target_modules=targets)
            targets = ["never_used"]
            return config
        """
    )
    assert targets == ["q_proj", "v_proj", "o_proj"]


def test_function_reads_module_constant_defined_after_it() -> None:
    targets = targets_of(
        """
        from peft import LoraConfig

        def main():
            return LoraConfig(target_modules=TARGETS)

        TARGETS = ["q_proj", "v_proj"]

        if __name__ == "__main__":
            main()
        """
    )
    assert targets == ["q_proj", "v_proj"]


def test_main_guard_block_is_straight_line_code() -> None:
    targets = targets_of(
        """
        from peft import LoraConfig

        if __name__ == "__main__":
            targets = ["q_proj", "v_proj"]
            config = LoraConfig(target_modules=targets)
        """
    )
    assert targets == ["q_proj", "v_proj"]


def test_split_of_a_constant_and_dict_subscripts() -> None:
    config = config_of(
        """
        from peft import LoraConfig

        TARGET_STRING = "q_proj,k_proj,v_proj"
        CONFIG = {"lora": {"targets": TARGET_STRING.split(","), "rank": 8}}
        SETTINGS = dict(alpha=16)

        config = LoraConfig(
            target_modules=CONFIG["lora"]["targets"],
            r=CONFIG["lora"].get("rank", 4),
            lora_alpha=SETTINGS["alpha"],
            lora_dropout=CONFIG.get("dropout", 0.1),
        )
        """
    )
    assert config.option("target_modules") == ["q_proj", "k_proj", "v_proj"]
    targets = config.options["target_modules"]
    assert isinstance(targets, Located) and targets.split_from_string
    assert config.option("r") == 8
    assert config.option("lora_alpha") == 16
    assert config.option("lora_dropout") == 0.1


def test_with_block_assignments_are_unconditional() -> None:
    targets = targets_of(
        """
        from peft import LoraConfig

        with open("x") as fh:
            targets = ["q_proj"]
        config = LoraConfig(target_modules=targets)
        """
    )
    assert targets == ["q_proj"]


# -- unresolved -----------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("args.lora_target_modules", "attribute of args"),
        ('args.lora_target_modules.split(",")', "attribute of args"),
        ("get_targets()", "get_targets()"),
        ('[m for m in ("q_proj", "v_proj")]', "comprehension"),
        ('os.environ.get("LORA_TARGETS", "q_proj")', "environment variable LORA_TARGETS"),
        ('os.getenv("LORA_TARGETS")', "environment variable LORA_TARGETS"),
        ('os.environ["LORA_TARGETS"]', "environment variable LORA_TARGETS"),
        ('f"{prefix}.q_proj"', "placeholders"),
        ('["q_proj"] if args.small else ["q_proj", "v_proj"]', "condition `args.small`"),
        ("UNDEFINED_NAME", "'UNDEFINED_NAME' is not defined"),
        ("json.loads(TEXT)", "json.loads()"),
    ],
)
def test_run_time_values_are_unresolved(expression: str, reason: str) -> None:
    code = (
        "import os, json\nfrom peft import LoraConfig\n"
        f"config = LoraConfig(target_modules={expression})\n"
    )
    value = unresolved_target(code)
    assert reason in value.reason
    assert value.text == expression
    assert value.path is None


def test_conditional_default_is_unresolved() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig
        config = LoraConfig(
            target_modules=args.targets.split(",") if args.targets else ["q_proj", "v_proj"],
        )
        """
    )
    assert "depends on the condition" in value.reason


def test_name_assigned_in_both_branches_is_unresolved() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig

        if args.model_type == "llama":
            targets = ["q_proj", "v_proj"]
        else:
            targets = ["query_key_value"]
        config = LoraConfig(target_modules=targets)
        """
    )
    assert value.reason == "'targets' is assigned in several branches of the if statement at line 3"
    assert (value.span.line, value.span.column) == (7, 36)


def test_conditional_reassignment_after_a_constant_is_unresolved() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig
        targets = ["q_proj", "v_proj"]
        if use_mlp:
            targets = targets + ["gate_proj"]
        config = LoraConfig(target_modules=targets)
        """
    )
    assert "assigned conditionally" in value.reason


def test_unconditional_assignment_after_a_branch_wins() -> None:
    targets = targets_of(
        """
        from peft import LoraConfig
        if use_mlp:
            targets = ["gate_proj"]
        targets = ["q_proj"]
        config = LoraConfig(target_modules=targets)
        """
    )
    assert targets == ["q_proj"]


def test_name_assigned_in_a_loop_is_unresolved() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig
        targets = []
        for name in model_names:
            targets = targets + [name]
        config = LoraConfig(target_modules=targets)
        """
    )
    assert value.reason == "'targets' is assigned in the loop at line 3"


def test_loop_variable_and_in_place_mutation_are_unresolved() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        TARGETS = ["q_proj"]
        TARGETS.append("v_proj")
        for rank in (8, 16):
            config = LoraConfig(r=rank, target_modules=TARGETS)
        """
    )
    rank = config.options["r"]
    targets = config.options["target_modules"]
    assert isinstance(rank, Unresolved) and "assigned in the loop" in rank.reason
    assert isinstance(targets, Unresolved)
    assert targets.reason == "'TARGETS' is modified in place (.append() at line 3)"
    assert config.unresolved == [rank, targets]


def test_function_parameter_is_unresolved_even_with_a_default() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig

        def build(targets=("q_proj", "v_proj")):
            return LoraConfig(target_modules=targets)
        """
    )
    assert value.reason == "'targets' is a parameter of build(), known only when it is called"


def test_rebinding_after_the_function_definition_is_unresolved() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig
        TARGETS = ["q_proj"]

        def build():
            return LoraConfig(target_modules=TARGETS)

        TARGETS = ["v_proj"]
        """
    )
    assert "rebound after build() is defined" in value.reason


def test_unresolved_items_inside_a_resolved_list_are_listed_too() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(target_modules=["q_proj", args.extra, *more])
        """
    )
    targets = config.options["target_modules"]
    assert isinstance(targets, Located)
    first, second, third = targets.items
    assert isinstance(first, Located) and first.value == "q_proj"
    assert isinstance(second, Unresolved) and second.text == "args.extra"
    assert isinstance(third, Unresolved) and third.text == "more"
    assert config.unresolved == [second, third]


def test_cycles_and_deep_nesting_are_unresolved_not_errors() -> None:
    deep = "[" * 100 + '"q_proj"' + "]" * 100
    config = config_of(
        f"""
        from peft import LoraConfig

        def build():
            return LoraConfig(target_modules=A, layers_to_transform=DEEP)

        A = B
        B = A
        DEEP = {deep}
        """
    )
    assert isinstance(config.options["target_modules"], Unresolved)
    layers = config.options["layers_to_transform"]
    assert any("nested too deeply" in u.reason for u in config.unresolved)
    assert layers is not None


def test_shadowed_builtin_is_not_trusted() -> None:
    value = unresolved_target(
        """
        from peft import LoraConfig
        def list(x):
            return ["surprise"]
        config = LoraConfig(target_modules=list(("q_proj",)))
        """
    )
    assert "list()" in value.reason
