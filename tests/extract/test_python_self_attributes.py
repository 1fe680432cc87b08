"""``from_pretrained(self.model_id)`` takes the model id the class assigns once (setUp,
``__init__``, the class body), and nothing when the attribute may hold something else."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lora_lint.extract.python import extract_python
from tests.lint_helpers import lint_files

HEADER = """\
import os
import unittest
from dataclasses import dataclass

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
"""

TEST = """
            def test_lora(self):
                model = AutoModelForCausalLM.from_pretrained(self.model_id)
                config = LoraConfig(target_modules=["q_projj"])
                model = get_peft_model(model, config)
"""


def model_name(code: str) -> str | None:
    source = HEADER + textwrap.dedent(code).lstrip("\n")
    result = extract_python(source, "test_x.py")
    (config,) = result.configs
    return config.model.name if config.model is not None else None


def with_test(code: str) -> str:
    """``code`` with the test method, at its ``{test}`` line or else at the end."""
    marker = "        {test}\n"
    return code.replace(marker, TEST.lstrip("\n")) if marker in code else code + TEST


POSITIVE = {
    "setUp": """
        class T(unittest.TestCase):
            def setUp(self):
                self.model_id = "facebook/opt-350m"
        """,
    "setup_method": """
        class T:
            def setup_method(self, method):
                self.model_id = "facebook/" + "opt-350m"
        """,
    "__init__": """
        class T:
            def __init__(self):
                self.other = 1
                self.model_id = "facebook/opt-350m"
        """,
    "class body": """
        class T(unittest.TestCase):
            model_id = "facebook/opt-350m"
        """,
    "class body under pytest marks": """
        import pytest
        @pytest.mark.slow
        @pytest.mark.skipif(True, reason="gpu")
        @unittest.skip("later")
        class T:
            model_id = "facebook/opt-350m"
        """,
    "class body under skip decorators of a testing_utils module": """
        from transformers.testing_utils import require_torch_gpu, slow
        from .testing_utils import require_non_cpu
        @require_non_cpu
        @require_torch_gpu
        @slow
        class T:
            model_id = "facebook/opt-350m"
        """,
    "module constant": """
        MODEL = "facebook/opt-350m"
        class T:
            model_id = MODEL
        """,
    "same-file base without the attribute": """
        class Base(unittest.TestCase):
            pass
        class T(Base):
            model_id = "facebook/opt-350m"
        """,
}


@pytest.mark.parametrize("where", sorted(POSITIVE))
def test_the_one_assignment_of_the_class_gives_the_model(where: str) -> None:
    assert model_name(with_test(POSITIVE[where])) == "facebook/opt-350m"


def test_cls_and_the_class_name_read_the_class_attribute() -> None:
    code = """
        class T(unittest.TestCase):
            model_id = "facebook/opt-350m"

            @classmethod
            def setUpClass(cls):
                cls.model = AutoModelForCausalLM.from_pretrained(cls.model_id)

            def test_lora(self):
                config = LoraConfig(target_modules=["q_proj"])
                get_peft_model(AutoModelForCausalLM.from_pretrained(T.model_id), config)
        """
    assert model_name(code) == "facebook/opt-350m"


NEGATIVE = {
    "assigned twice in setUp": """
        class T:
            def setUp(self):
                self.model_id = "facebook/opt-350m"
                self.model_id = "facebook/opt-125m"
        """,
    "assigned in setUp and the class body": """
        class T:
            model_id = "facebook/opt-125m"
            def setUp(self):
                self.model_id = "facebook/opt-350m"
        """,
    "assigned in two setup methods": """
        class T:
            def __init__(self):
                self.model_id = "facebook/opt-350m"
            def setUp(self):
                self.model_id = "facebook/opt-350m"
        """,
    "overridden in a same-file subclass": """
        class T(unittest.TestCase):
            model_id = "facebook/opt-350m"
        class U(T):
            model_id = "facebook/opt-125m"
        """,
    "subclass of a same-file class assigning it": """
        class Base(unittest.TestCase):
            model_id = "facebook/opt-125m"
        class T(Base):
            model_id = "facebook/opt-350m"
        """,
    "assigned from a non-static value": """
        class T:
            def setUp(self):
                self.model_id = os.environ["MODEL"]
        """,
    "assigned from a parameter with a default": """
        class T:
            def __init__(self, model_id="facebook/opt-350m"):
                self.model_id = model_id
        """,
    "assigned in a non-setup method": """
        class T:
            def prepare(self):
                self.model_id = "facebook/opt-350m"
        """,
    "assigned conditionally in setUp": """
        class T:
            def setUp(self):
                if os.environ.get("X"):
                    self.model_id = "facebook/opt-350m"
        """,
    "assigned conditionally in the class body": """
        class T:
            if os.environ.get("X"):
                model_id = "facebook/opt-350m"
        """,
    "also assigned from outside the class": """
        class T:
            model_id = "facebook/opt-350m"
        {test}
        T.model_id = "facebook/opt-125m"
        """,
    "changed with setattr": """
        class T:
            model_id = "facebook/opt-350m"
        {test}
        setattr(T, "model_id", "facebook/opt-125m")
        """,
    "changed with a computed setattr on self": """
        class T:
            model_id = "facebook/opt-350m"
            def setUp(self):
                for key in ("a", "model_id"):
                    setattr(self, key, "facebook/opt-125m")
        """,
    "a class body under another decorator": """
        from testing import require_gpu
        @require_gpu
        class T:
            model_id = "facebook/opt-350m"
        """,
    "a class body under a testing_utils decorator that is not a skip": """
        from transformers.testing_utils import make_fields
        @make_fields
        class T:
            model_id = "facebook/opt-350m"
        """,
    "a class body of an unknown base (pydantic, NamedTuple...)": """
        from pydantic import BaseModel
        class T(BaseModel):
            model_id: str = "facebook/opt-350m"
        """,
}


@pytest.mark.parametrize("where", sorted(NEGATIVE))
def test_an_attribute_that_may_hold_another_value_gives_no_model(where: str) -> None:
    assert model_name(with_test(NEGATIVE[where])) is None


def test_an_unrelated_class_assigning_the_same_name_does_not_matter() -> None:
    code = """
        class Other:
            def setUp(self):
                self.model_id = "facebook/opt-125m"
        class T:
            def setUp(self):
                self.model_id = "facebook/opt-350m"
        """
    assert model_name(with_test(code)) == "facebook/opt-350m"


def test_a_computed_setattr_on_another_object_does_not_matter() -> None:
    code = """
        def replace(parent, name, layer):
            setattr(parent, name, layer)
        class T:
            model_id = "facebook/opt-350m"
        """
    assert model_name(with_test(code)) == "facebook/opt-350m"


def test_the_class_name_does_not_read_what_setup_assigns_the_instance() -> None:
    code = """
        class T:
            def setUp(self):
                self.model_id = "facebook/opt-350m"
            def test_lora(self):
                model = AutoModelForCausalLM.from_pretrained(T.model_id)
                get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    assert model_name(code) is None
    class_setup = code.replace("def setUp(self):", "@classmethod\n            def setUpClass(cls):")
    class_setup = class_setup.replace("self.model_id =", "cls.model_id =")
    assert model_name(class_setup) == "facebook/opt-350m"


def test_a_read_before_the_assignment_in_setup_gives_no_model() -> None:
    code = """
        class T:
            def setUp(self):
                model = AutoModelForCausalLM.from_pretrained(self.model_id)
                self.model_id = "facebook/opt-350m"
                get_peft_model(model, LoraConfig(target_modules=["q_proj"]))
        """
    assert model_name(code) is None


def test_a_typo_is_ll001_on_the_model_setup_assigns(tmp_path: Path) -> None:
    source = HEADER + textwrap.dedent(with_test(POSITIVE["setUp"])).lstrip("\n")
    result = lint_files(tmp_path, {"test_x.py": source})
    assert not result.errors
    codes = [(f.code, f.span.line) for f in result.findings]
    line = source.splitlines().index('        config = LoraConfig(target_modules=["q_projj"])') + 1
    assert ("LL001", line) in codes


def test_a_dataclass_field_is_not_a_class_attribute_value() -> None:
    """The constructor sets a field (what an argparse-style default gives is another flow)."""
    import libcst as cst

    from lora_lint.extract.python.attributes import ClassAttributes
    from lora_lint.extract.python.context import ModuleContext
    from lora_lint.extract.python.source import SourceModule

    def value(code: str) -> cst.BaseExpression | None:
        source = SourceModule.parse(HEADER + textwrap.dedent(code).lstrip("\n"), "t.py", None)
        ctx = ModuleContext.build(source, None)
        reads = [
            n
            for n in _attributes(source.module)
            if isinstance(n.value, cst.Name) and n.value.value == "self"
        ]
        return ClassAttributes(ctx).value(reads[0])

    def _attributes(module: cst.Module) -> list[cst.Attribute]:
        found: list[cst.Attribute] = []

        class Visitor(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                found.append(node)

        module.visit(Visitor())
        return found

    plain = """
        class T:
            model_id: str = "facebook/opt-350m"
            def run(self):
                return self.model_id
        """
    assert value(plain) is not None
    assert value(plain.replace("class T", "@dataclass\n        class T")) is None
