"""The model (and config) of a function parameter, followed to the calls in the same file,
and marimo cell inputs followed to the one cell defining them."""

from __future__ import annotations

import textwrap

from lora_lint.extract.python import extract_python
from lora_lint.extract.types import ExtractedConfig

HEADER = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
"""


def configs(code: str, header: str = HEADER) -> list[ExtractedConfig]:
    result = extract_python(header + textwrap.dedent(code).lstrip("\n"), "train.py")
    assert result.findings == []
    return result.configs


def model_name(code: str) -> str | None:
    (config,) = configs(code)
    return config.model.name if config.model is not None else None


def test_a_helper_parameter_takes_the_model_its_call_passes() -> None:
    code = """
        def apply(model):
            config = LoraConfig(target_modules=["q_proj"])
            return get_peft_model(model, config)

        base = AutoModelForCausalLM.from_pretrained("org/base")
        apply(base)
        """
    (config,) = configs(code)
    assert config.model is not None and config.model.name == "org/base"
    assert config.model.head == "causal-lm"
    assert config.model.span is not None and config.model.span.line == 7
    assert "parameter 'model' of apply()" in config.model.origin


def test_keyword_default_and_nested_helpers_are_followed() -> None:
    assert (
        model_name(
            """
            def apply(config, *, model):
                return get_peft_model(model, config)

            def train(name):
                model = AutoModelForCausalLM.from_pretrained(name)
                apply(LoraConfig(target_modules=["q_proj"]), model=model)

            train("org/kw")
            """
        )
        == "org/kw"  # the id, a parameter of train(), is what its one call passes
    )
    assert (
        model_name(
            """
            def apply(config, model=AutoModelForCausalLM.from_pretrained("org/default")):
                return get_peft_model(model, config)

            apply(LoraConfig(target_modules=["q_proj"]))
            """
        )
        == "org/default"
    )


def test_a_config_passed_in_is_linked_to_the_model_applied_inside() -> None:
    code = """
        def wrap(config):
            model = AutoModelForCausalLM.from_pretrained("org/inner")
            return get_peft_model(model, config)

        wrap(LoraConfig(target_modules=["q_proj"]))
        first = LoraConfig(target_modules=["v_proj"])
        wrap(first)
        """
    found = configs(code)
    assert [c.model.name if c.model else None for c in found] == ["org/inner", "org/inner"]


def test_calls_with_different_models_leave_the_config_unlinked() -> None:
    assert (
        model_name(
            """
            def apply(model):
                return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))

            apply(AutoModelForCausalLM.from_pretrained("org/a"))
            apply(AutoModelForCausalLM.from_pretrained("org/b"))
            """
        )
        is None
    )


def test_a_function_used_other_than_by_a_call_is_not_followed() -> None:
    for extra in (
        "callbacks = [apply]\n",  # passed around: other callers are unknown
        "apply(*[AutoModelForCausalLM.from_pretrained('org/a')])\n",  # unpacked arguments
        "apply(AutoModelForCausalLM.from_pretrained(unknown))\n",  # one call's model unknown
    ):
        code = (
            "def apply(model):\n"
            "    return get_peft_model(model, LoraConfig(target_modules=['q_proj']))\n"
            "\n"
            "apply(AutoModelForCausalLM.from_pretrained('org/a'))\n"
        ) + extra
        assert model_name(code) is None, extra


def test_uncalled_decorated_and_method_helpers_stay_unlinked() -> None:
    never_called = """
        def apply(model):
            return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    assert model_name(never_called) is None
    decorated = """
        import functools

        @functools.lru_cache
        def apply(model):
            return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))

        apply(AutoModelForCausalLM.from_pretrained("org/a"))
        """
    assert model_name(decorated) is None
    method = """
        class Runner:
            def apply(self, model):
                return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))

        Runner().apply(AutoModelForCausalLM.from_pretrained("org/a"))
        """
    assert model_name(method) is None
    shadowed = """
        def apply(model):
            return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))

        apply(AutoModelForCausalLM.from_pretrained("org/a"))

        def apply(model):
            return model
        """
    # The name is rebound: the call at line 6 still calls the first apply().
    assert model_name(shadowed) == "org/a"


def test_a_module_class_passed_to_a_helper_is_linked_with_its_static_tree() -> None:
    (config,) = configs(
        """
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin1 = nn.Linear(2, 2)

        def apply(model):
            return get_peft_model(model, LoraConfig(target_modules=["lin0"]))

        apply(MLP())
        """
    )
    assert config.model is not None and config.model.local is not None
    assert [m.name for m in config.model.local.modules] == ["lin1"]


def test_a_module_class_whose_tree_is_not_static_is_noted_not_linked() -> None:
    (config,) = configs(
        """
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

        def apply(model):
            return get_peft_model(model, LoraConfig(target_modules=["lin0"]))

        apply(MLP(nn.Linear(2, 2)))
        """
    )
    assert config.model is None
    assert "self.inner may hold a module" in (config.facts.applied_to or "")


MARIMO = """\
import marimo

app = marimo.App()
"""


def test_a_marimo_cell_input_comes_from_the_cell_defining_it() -> None:
    code = """
        @app.cell
        def _():
            from unsloth import FastLanguageModel
            model, tokenizer = FastLanguageModel.from_pretrained(model_name="org/unsloth")
            return FastLanguageModel, model, tokenizer

        @app.cell
        def _():
            from peft import LoraConfig
            config = LoraConfig(target_modules=["q_proj"])
            return (config,)

        @app.cell
        def _(FastLanguageModel, model, config):
            model_1 = FastLanguageModel.get_peft_model(model, r=16, target_modules=["v_proj"])
            from peft import get_peft_model
            other = get_peft_model(model, config)
            return (model_1, other)
        """
    found = configs(code, MARIMO)
    assert [c.model.name if c.model else None for c in found] == ["org/unsloth", "org/unsloth"]
    assert "marimo cell input 'model'" in (found[1].model.origin if found[1].model else "")


def test_marimo_inputs_defined_by_two_cells_or_outside_an_app_stay_unlinked() -> None:
    twice = """
        @app.cell
        def _():
            from unsloth import FastLanguageModel
            model, tokenizer = FastLanguageModel.from_pretrained(model_name="org/a")
            return FastLanguageModel, model, tokenizer

        @app.cell
        def _():
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("org/b")
            return (model,)

        @app.cell
        def _(FastLanguageModel, model):
            model_1 = FastLanguageModel.get_peft_model(model, r=16, target_modules=["v_proj"])
            return (model_1,)
        """
    (config,) = configs(twice, MARIMO)
    assert config.model is None
    not_marimo = """
        import other

        app = other.App()

        @app.cell
        def _():
            model = AutoModelForCausalLM.from_pretrained("org/a")
            return (model,)

        @app.cell
        def _(model):
            return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    (config,) = configs(not_marimo)
    assert config.model is None


def test_a_same_file_function_returns_the_model() -> None:
    code = """
        def load():
            return AutoModelForCausalLM.from_pretrained("org/loaded")

        model = load()
        model = get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    (config,) = configs(code)
    assert config.model is not None and config.model.name == "org/loaded"
    assert "returned by load()" in config.model.origin
    two_models = """
        def load(big):
            if big:
                return AutoModelForCausalLM.from_pretrained("org/big")
            return AutoModelForCausalLM.from_pretrained("org/small")

        model = get_peft_model(load(True), LoraConfig(target_modules=["q_proj"]))
        """
    assert model_name(two_models) is None


PYTEST = """\
import copy
import pytest
import torch.nn as nn
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
"""


def test_a_pytest_fixture_of_the_same_file_supplies_the_model() -> None:
    code = """
        @pytest.fixture
        def base():
            return AutoModelForCausalLM.from_pretrained("org/fixture")

        @pytest.fixture(name="other")
        def make_other():
            yield AutoModelForCausalLM.from_pretrained("org/renamed")

        def test_lora(base):
            model = get_peft_model(copy.deepcopy(base), LoraConfig(target_modules=["q_proj"]))

        def test_renamed(other):
            model = get_peft_model(other, LoraConfig(target_modules=["q_proj"]))

        class TestOverride:
            @pytest.fixture
            def base(self):
                return AutoModelForCausalLM.from_pretrained("org/class")

            def test_lora(self, base):
                model = get_peft_model(base, LoraConfig(target_modules=["q_proj"]))
        """
    found = configs(code, PYTEST)
    assert [c.model.name if c.model else None for c in found] == [
        "org/fixture",
        "org/renamed",
        "org/class",
    ]


def test_parametrized_or_unknown_fixtures_stay_unlinked() -> None:
    code = """
        @pytest.fixture
        def base():
            return AutoModelForCausalLM.from_pretrained("org/fixture")

        @pytest.mark.parametrize("base", [AutoModelForCausalLM.from_pretrained("org/x")])
        def test_parametrized(base):
            model = get_peft_model(base, LoraConfig(target_modules=["q_proj"]))

        def test_from_conftest(model):
            model = get_peft_model(model, LoraConfig(target_modules=["q_proj"]))

        def helper(base):
            model = get_peft_model(base, LoraConfig(target_modules=["q_proj"]))

        class TestInherited(Base):
            def test_lora(self, base):
                model = get_peft_model(base, LoraConfig(target_modules=["q_proj"]))
        """
    # Base (imported) may define its own `base` fixture, which pytest would prefer.
    header = PYTEST + "from helpers import Base\n"
    assert [c.model for c in configs(code, header)] == [None, None, None, None]


def test_toy_modules_from_fixtures_and_own_methods_are_linked_to_their_trees() -> None:
    code = """
        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin0 = nn.Linear(2, 2)

        @pytest.fixture
        def mlp():
            return MLP()

        def test_fixture(mlp):
            model = get_peft_model(mlp, LoraConfig(target_modules=["lin0"]))

        class TestInit:
            def get_model(self):
                class Inner(nn.Module):
                    pass

                return Inner().to("cpu")

            def test_method(self):
                model = self.get_model()
                model = get_peft_model(model, LoraConfig(target_modules=["lin0"]))
        """
    found = configs(code, PYTEST)
    assert [c.model.name if c.model else None for c in found] == ["MLP", "Inner"]
    assert [
        [m.name for m in c.model.local.modules] for c in found if c.model and c.model.local
    ] == [
        ["lin0"],
        [],
    ]
    # a subclass of the test class in this file may override get_model(): not followed
    subclassed = (
        code
        + """
        class TestMore(TestInit):
            def get_model(self):
                return MLP()
        """
    )
    fixture, method = configs(subclassed, PYTEST)
    assert fixture.model is not None and method.model is None
    assert "a subclass may override" in (method.facts.applied_to or "")


def test_a_model_id_comes_through_a_cell_input_or_the_calls_of_a_helper() -> None:
    cells = """
        @app.cell
        def _():
            model_name = "org/from-cell"
            return (model_name,)

        @app.cell
        def _(model_name):
            from unsloth import FastLanguageModel
            model, tokenizer = FastLanguageModel.from_pretrained(model_name, max_seq_length=8)
            model = FastLanguageModel.get_peft_model(model, r=16, target_modules=["v_proj"])
            return (model,)
        """
    (config,) = configs(cells, MARIMO)
    assert config.model is not None and config.model.name == "org/from-cell"
    helper = """
        def load(name):
            model = AutoModelForCausalLM.from_pretrained(name)
            return get_peft_model(model, LoraConfig(target_modules=["q_proj"]))

        load("org/by-call")
        """
    assert model_name(helper) == "org/by-call"
    assert model_name(helper + 'load("org/another")\n') is None


def test_a_fixture_that_returns_a_class_gives_the_instances_tree() -> None:
    code = """
        class TestX:
            @pytest.fixture
            def small_cls(self):
                class SmallModel(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.lin0 = nn.Linear(10, 10)

                return SmallModel

            def test_a(self, small_cls):
                model = small_cls()
                model = get_peft_model(model, LoraConfig(target_modules=["lin0"]))
        """
    (config,) = configs(code, PYTEST)
    assert config.model is not None and config.model.local is not None
    assert config.model.name == "SmallModel"
    # a fixture that returns one of two classes names no one tree
    two = code.replace("return SmallModel", "return SmallModel if x else nn.Linear")
    (config,) = configs(two, PYTEST)
    assert config.model is None


def test_configs_a_test_is_parametrized_with_meet_the_tests_model() -> None:
    code = """
        class Emb(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin0 = nn.Linear(10, 10)

        CASES = [("a", LoraConfig(target_modules=["lin0"])), pytest.param("b", LoraConfig(r=4, target_modules=["lin0"]), id="b")]

        @pytest.mark.parametrize("peft_config", [LoraConfig(target_modules=["lin0"])])
        def test_a(peft_config):
            model = get_peft_model(Emb(), peft_config)

        @pytest.mark.parametrize("name, config", CASES)
        def test_b(name, config):
            model = get_peft_model(Emb(), config)

        @pytest.mark.parametrize("config", make_configs())
        def test_c(config):
            model = get_peft_model(Emb(), config)

        def make_configs():
            return [LoraConfig(target_modules=["lin0"])]
        """
    found = configs(code, PYTEST)
    assert [c.model.name if c.model else None for c in found] == ["Emb", "Emb", "Emb", None]


def test_a_helper_method_s_parameters_come_from_its_self_calls() -> None:
    code = """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin0 = nn.Linear(2, 2)

        class TestX:
            def _apply(self, model_cls, config):
                model = model_cls()
                return get_peft_model(model, config)

            def test_a(self):
                self._apply(Net, LoraConfig(target_modules=["lin0"]))
        """
    (config,) = configs(code, PYTEST)
    assert config.model is not None and config.model.name == "Net"
    # a subclass in the file may override the helper; another use of its name hides callers
    for extra in (
        "\n        class TestY(TestX):\n            pass\n",
        "\n        def other(t):\n            t._apply(Net, None)\n",
    ):
        (config,) = configs(code + extra, PYTEST)
        assert config.model is None


def test_parameterized_expand_cases_meet_the_tests_model() -> None:
    code = """
        import itertools
        from parameterized import parameterized, param

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin0 = nn.Linear(2, 2)

        class TestX:
            @parameterized.expand([("a", LoraConfig(target_modules=["lin0"])), param("b", LoraConfig(r=2, target_modules=["lin0"]))])
            def test_cases(self, name, config):
                get_peft_model(Net(), config)

            @parameterized.expand(
                itertools.combinations([LoraConfig(target_modules=["lin0"]), LoraConfig(r=4, target_modules=["lin0"])], r=2)
            )
            def test_pairs(self, config0, config1):
                get_peft_model(Net(), config0)
                get_peft_model(Net(), config1)

            @parameterized.expand(make_cases())
            def test_unknown(self, config):
                get_peft_model(Net(), config)

        def make_cases():
            return [(LoraConfig(target_modules=["lin0"]),)]
        """
    found = configs(code, PYTEST)
    assert [c.model.name if c.model else None for c in found] == ["Net"] * 4 + [None]


def test_a_model_returned_by_a_method_of_the_test_class() -> None:
    code = """
        class TestX:
            def get_base_model(self):
                return AutoModelForCausalLM.from_pretrained("facebook/opt-125m").eval()

            def test_a(self):
                model = get_peft_model(self.get_base_model(), LoraConfig(target_modules=["q_proj"]))
        """
    (config,) = configs(code, PYTEST)
    assert config.model is not None and config.model.name == "facebook/opt-125m"
    subclassed = code + "\n        class TestY(TestX):\n            pass\n"
    (config,) = configs(subclassed, PYTEST)
    assert config.model is None


def test_a_fixture_of_a_class_under_a_testing_utils_skip_decorator() -> None:
    code = """
        from transformers.testing_utils import require_torch_gpu

        @require_torch_gpu
        class TestGpu:
            @pytest.fixture
            def model(self):
                return AutoModelForCausalLM.from_pretrained("facebook/opt-125m")

            @require_torch_gpu
            def test_a(self, model):
                get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    (config,) = configs(code, PYTEST)
    assert config.model is not None and config.model.name == "facebook/opt-125m"
    other = code.replace("from transformers.testing_utils import", "from mylib import")
    (config,) = configs(other, PYTEST)
    assert config.model is None  # an unknown decorator may pass the argument itself


def test_a_config_returned_by_a_helper_or_method_meets_the_model() -> None:
    code = """
        def make_config():
            return LoraConfig(target_modules=["q_proj"])

        class TestX:
            def get_config(self, r=4):
                return LoraConfig(target_modules=["v_proj"], r=r)

            def test_a(self):
                model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
                get_peft_model(model, self.get_config())

        base = AutoModelForCausalLM.from_pretrained("org/base")
        config = make_config()
        get_peft_model(base, config)
        """
    first, second = configs(code, PYTEST)
    assert first.model is not None and first.model.name == "org/base"
    assert second.model is not None and second.model.name == "facebook/opt-125m"
    subclassed = code + "\n        class TestY(TestX):\n            pass\n"
    first, second = configs(subclassed, PYTEST)
    assert first.model is not None and second.model is None  # TestY may override get_config


def test_a_function_returning_one_of_two_configs_is_not_followed() -> None:
    code = """
        def make_config(big):
            if big:
                return LoraConfig(target_modules=["q_proj", "v_proj"])
            return LoraConfig(target_modules=["q_proj"])

        base = AutoModelForCausalLM.from_pretrained("org/base")
        get_peft_model(base, make_config(True))
        """
    assert [c.model for c in configs(code)] == [None, None]


def test_a_class_nested_in_the_test_class_is_read() -> None:
    code = """
        from torch import nn

        class TestX:
            class MLP(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin0 = nn.Linear(4, 4)

            def test_a(self):
                get_peft_model(self.MLP(), LoraConfig(target_modules=["lin0"]))

            def test_b(self):
                get_peft_model(TestX.MLP(), LoraConfig(target_modules=["lin0"]))
        """
    for config in configs(code, PYTEST):
        assert config.model is not None and config.model.local is not None
        assert [m.name for m in config.model.local.modules] == ["lin0"]
    subclassed = code + "\n        class TestY(TestX):\n            pass\n"
    first, second = configs(subclassed, PYTEST)
    assert first.model is None  # TestY may define its own MLP
    assert second.model is not None  # TestX.MLP names the class itself
    reassigned = code.replace("def test_a(self):", "def test_a(self):\n                self.MLP = Other")
    first, _ = configs(reassigned, PYTEST)
    assert first.model is None


def test_corda_and_lora_ga_preprocessing_names_the_model_of_the_config() -> None:
    code = """
        from peft.tuners.lora import preprocess_corda, preprocess_loraga

        model = AutoModelForCausalLM.from_pretrained("org/base")
        config = LoraConfig(target_modules=["q_proj"], init_lora_weights="corda")
        preprocess_corda(model, config, run_model=lambda: None)
        other = LoraConfig(target_modules=["v_proj"], init_lora_weights="lora_ga")
        preprocess_loraga(model, lora_config=other, train_step=None)
        """
    for config in configs(code):
        assert config.model is not None and config.model.name == "org/base"
    mine = code.replace("from peft.tuners.lora import", "from mylib import")
    assert [c.model for c in configs(mine)] == [None, None]


def test_a_fixture_s_model_id_comes_from_the_fixture_it_requests() -> None:
    code = """
        class TestTokens:
            @pytest.fixture
            def model_id(self):
                return "facebook/opt-125m"

            @pytest.fixture
            def model(self, model_id):
                return AutoModelForCausalLM.from_pretrained(model_id)

            def test_a(self, model):
                get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    (config,) = configs(code, PYTEST)
    assert config.model is not None and config.model.name == "facebook/opt-125m"
    # a test parametrizing model_id overrides the fixture in every fixture it uses
    overridden = code + """
            @pytest.mark.parametrize("model_id", ["org/other"])
            def test_b(self, model):
                pass
        """
    (config,) = configs(overridden, PYTEST)
    assert config.model is None


def test_a_helper_s_parameters_size_the_module_it_returns() -> None:
    """``self.get_model(num_layers=4)`` returning ``MLP(num_layers)``: the tree has 4 blocks;
    a parameter the helper rebinds is not taken from the call."""
    code = """
        class TestX:
            def get_model(self, num_layers=2):
                class MLP(nn.Module):
                    def __init__(self, n):
                        super().__init__()
                        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(n)])

                return MLP(num_layers).eval()

            def test_a(self):
                num_layers = 4
                get_peft_model(self.get_model(num_layers=num_layers), LoraConfig(target_modules=["blocks.3"]))

            def test_b(self):
                get_peft_model(self.get_model(), LoraConfig(target_modules=["blocks.1"]))

        def make(n):
            n = n + 1
            return nn.Sequential(*[nn.Linear(2, 2) for _ in range(n)])

        get_peft_model(make(2), LoraConfig(target_modules=["0"]))
        """
    four, default, rebound = configs(code, PYTEST)
    assert four.model is not None and four.model.local is not None
    assert [m.name for m in four.model.local.modules][-1] == "blocks.3"
    assert default.model is not None and default.model.local is not None
    assert [m.name for m in default.model.local.modules][-1] == "blocks.1"
    assert rebound.model is None and "not static" in (rebound.facts.applied_to or "")


def test_a_class_defined_in_the_helper_reads_its_parameters() -> None:
    """``def get_model(self, bias=True)`` defining ``MyModule`` whose ``__init__`` reads
    ``bias``: the tree's parameters are exact, as the call that ran the helper set them."""
    code = """
        class TestX:
            def get_model(self, bias=True):
                class MyModule(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.linear = nn.Linear(10, 10, bias=bias)

                return MyModule()

            def test_a(self):
                get_peft_model(self.get_model(bias=False), LoraConfig(target_modules=["linear"]))

            def test_b(self):
                get_peft_model(self.get_model(), LoraConfig(target_modules=["linear"]))
        """
    without, with_bias = configs(code, PYTEST)
    for config, params in ((without, ("weight",)), (with_bias, ("weight", "bias"))):
        assert config.model is not None and config.model.local is not None
        assert config.model.local.exact_shapes
        (linear,) = config.model.local.modules
        assert tuple(name for name, _ in linear.params) == params


def test_parametrize_over_a_dict_s_values_or_items() -> None:
    code = """
        CONFIGS = {
            "lora": LoraConfig(target_modules=["q_proj"]),
            "dora": LoraConfig(target_modules=["v_proj"], use_dora=True),
        }

        class TestX:
            @pytest.fixture
            def model(self):
                return AutoModelForCausalLM.from_pretrained("facebook/opt-125m")

            @pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
            def test_a(self, model, config):
                get_peft_model(model, config)
        """
    for config in configs(code, PYTEST):
        assert config.model is not None and config.model.name == "facebook/opt-125m"
    items = code.replace('"config", CONFIGS.values(), ids=CONFIGS.keys()', '"name, config", CONFIGS.items()')
    items = items.replace("def test_a(self, model, config)", "def test_a(self, model, name, config)")
    for config in configs(items, PYTEST):
        assert config.model is not None and config.model.name == "facebook/opt-125m"


def test_trl_experimental_trainers_and_prepare_peft_model_name_the_model() -> None:
    code = """
        from trl.experimental.sdft import SDFTTrainer
        from trl.experimental.utils import prepare_peft_model

        SDFTTrainer(model="org/base", peft_config=LoraConfig(target_modules=["q_proj"]))
        model = AutoModelForCausalLM.from_pretrained("org/other")
        prepare_peft_model(model, LoraConfig(target_modules=["v_proj"]), None)
        """
    first, second = configs(code)
    assert first.model is not None and first.model.name == "org/base"
    assert second.model is not None and second.model.name == "org/other"


def test_a_trainer_called_with_a_kwargs_dict_links_its_model_and_config() -> None:
    code = """
        from trl import GRPOTrainer

        model = AutoModelForCausalLM.from_pretrained("org/base")
        kwargs = {"model": model, "args": None, "peft_config": LoraConfig(target_modules=["q_proj"])}
        GRPOTrainer(**kwargs)
        by_id = {"model": "org/other", "peft_config": LoraConfig(target_modules=["v_proj"])}
        GRPOTrainer(**by_id)
        changed = {"model": model, "peft_config": LoraConfig(target_modules=["k_proj"])}
        changed["model"] = None
        GRPOTrainer(**changed)
        """
    first, second, third = configs(code)
    assert first.model is not None and first.model.name == "org/base"
    assert second.model is not None and second.model.name == "org/other"
    assert third.model is None
