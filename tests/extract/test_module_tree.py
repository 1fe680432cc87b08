"""The module tree of a class of the linted code, read from its source, equals the tree
PyTorch builds: each case is run for real (``named_modules()`` of the instance, classified
as lora-lint classifies meta models) and compared with the static reading. Classes the
reading cannot be sure of give a reason and no tree."""

from __future__ import annotations

import textwrap

import pytest

from lora_lint.extract.python import extract_python
from lora_lint.extract.python.torch_modules import TORCH_MODULES

torch = pytest.importorskip("torch")
nn = torch.nn

HEADER = """\
from collections import OrderedDict

import torch
from torch import nn
from transformers.pytorch_utils import Conv1D
from peft import LoraConfig, get_peft_model

HIDDEN = 12
"""


def static_tree(code: str, call: str):
    """What lora-lint reads for ``get_peft_model(<call>, config)`` (a LocalModel or the
    reason it is not checked)."""
    source = (
        HEADER
        + textwrap.dedent(code)
        + (f"\n\nmodel = get_peft_model({call}, LoraConfig(target_modules=['x']))\n")
    )
    (config,) = extract_python(source, "models_x.py").configs
    if config.model is not None and config.model.local is not None:
        return config.model.local
    return config.facts.applied_to


def real_tree(code: str, call: str):
    from lora_lint.models.build import module_infos

    namespace: dict[str, object] = {}
    exec(compile(HEADER + textwrap.dedent(code), "<case>", "exec"), namespace)  # noqa: S102 - our own test code
    model = eval(call, namespace)  # noqa: S307 - our own test code
    return module_infos(model)


TREES = {
    # a torch container used as the model itself, built in place
    "sequential-root": ("", "nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 2))"),
    "sequential-root-of-classes": (
        """
        class Block(nn.Module):
            def __init__(self, size):
                super().__init__()
                self.q = nn.Linear(size, size)
        """,
        "nn.Sequential(Block(4), nn.Sequential(Block(8), nn.LayerNorm(8)))",
    ),
    "sequential-root-ordered": (
        "",
        'nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 4)), ("norm", nn.LayerNorm(4))]))',
    ),
    "moduledict-root": ("", 'nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.Conv2d(3, 4, 3)})'),
    "modulelist-root": ("", "nn.ModuleList([nn.Linear(3, 3) for _ in range(4)])"),
    "mlp": (
        """
        class MLP(nn.Module):
            def __init__(self, bias=True):
                super().__init__()
                self.lin0 = nn.Linear(10, 20, bias=bias)
                self.relu = nn.ReLU()
                self.drop = nn.Dropout(0.5)
                self.lin1 = nn.Linear(20, 2, bias=bias)
                self.sm = nn.LogSoftmax(dim=-1)
                self.dtype = torch.float
        """,
        "MLP(bias=False)",
    ),
    "deep-mlp": (
        """
        class Block(nn.Module):
            def __init__(self, bias=True, size=10):
                super().__init__()
                self.lin0 = nn.Linear(size, size * 2, bias=bias)
                self.act = nn.GELU()

        class DeepMLP(nn.Module):
            def __init__(self, bias=True, num_hidden_layers=12, size=10):
                super().__init__()
                self.layers = nn.ModuleList(
                    [Block(bias=bias, size=size) for _ in range(num_hidden_layers)]
                )
                self.out = nn.Linear(size * 2, 2, bias=bias)
        """,
        "DeepMLP(num_hidden_layers=3, size=HIDDEN)",
    ),
    "sequential-dict": (
        """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4))
                self.named = nn.Sequential(
                    OrderedDict([("fc1", nn.Linear(4, 4)), ("norm", nn.LayerNorm(4))])
                )
                self.heads = nn.ModuleDict({"a": nn.Linear(4, 1), "b": nn.Embedding(5, 4)})
                self.empty = nn.Sequential()
                layers = [nn.Conv1d(2, 3, 1) for i in range(2)]
                self.convs = nn.Sequential(*layers)
        """,
        "Net()",
    ),
    "inheritance-and-replacement": (
        """
        class Base(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.first = nn.Linear(width, width)
                self.second = nn.Linear(width, 1)

        class Child(Base):
            def __init__(self):
                super().__init__(width=6)
                self.first = nn.Conv2d(3, 6, (3, 3))
                self.extra = nn.Embedding(100, 6)

        class GrandChild(Child):
            pass
        """,
        "GrandChild()",
    ),
    "attention-conv1d-params": (
        """
        class Inner(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(3, 4))
                self.scale = 2.0 / HIDDEN

        class Model(nn.Module):
            def __init__(self, use_norm=False):
                super().__init__()
                self.mha = nn.MultiheadAttention(16, 4, bias=False)
                self.conv = Conv1D(8, 16)
                self.inner = Inner()
                if use_norm:
                    self.norm = nn.LayerNorm(16)
                else:
                    self.norm = nn.Identity()
                lin = nn.Linear(16, 16)
                self.lin = lin
                self.plain_list = [nn.Linear(2, 2)]
                for _ in range(3):
                    hidden = 4
                nn.init.zeros_(self.lin.weight)
        """,
        "Model(use_norm=True)",
    ),
    "nested-assignment-holder-and-plain-config": (
        """
        class ModelConfig:
            def __init__(self, tie):
                self.tie = tie

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(6, 6)

        class Model(nn.Module):
            def __init__(self, tie=True):
                super().__init__()
                self.config = ModelConfig(tie)
                self.model = nn.Module()
                self.model.layers = nn.ModuleList([Block() for _ in range(2)])
                self.model.embed = nn.Embedding(6, 6)
                self.block = Block()
                self.block.extra = nn.Linear(6, 2)
                self.lm_head = nn.Linear(6, 6, bias=False)
                if tie:
                    self.lm_head.weight = self.model.embed.weight
        """,
        "Model()",
    ),
    "weight-initialising-method": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(4, 4)
                self.emb = nn.Embedding(10, 4)
                self.reset_parameters()

            def reset_parameters(self):
                nn.init.zeros_(self.lin.weight)
                for module in self.modules():
                    if isinstance(module, nn.Embedding):
                        nn.init.normal_(module.weight)
        """,
        "Model()",
    ),
    "loops-append-setattr-add-module": (
        """
        class Model(nn.Module):
            def __init__(self, depth=3, dims=(4, 8)):
                super().__init__()
                self.layers = nn.ModuleList()
                for i in range(depth):
                    self.layers.append(nn.Linear(4, 4))
                    if i % 2 == 0:
                        self.layers.append(nn.GELU())
                self.seq = nn.Sequential()
                self.seq.extend([nn.Linear(4, 4), nn.ReLU()])
                for i, dim in [(0, 4), (1, 8)] if False else []:
                    pass
                for dim in dims:
                    setattr(self, f"proj_{dim}", nn.Linear(dim, dim))
                self.add_module("extra", nn.Embedding(10, 4))
                for name in ["a", "b"]:
                    self.register_module(name, nn.Linear(2, 2))
        """,
        "Model(depth=2)",
    ),
    "setattr-in-a-static-loop": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                for i in range(3):
                    setattr(self, f"lin{i}", nn.Linear(2, 2))
        """,
        "Model()",
    ),
    "modulelist-filled-in-a-static-loop": (
        """
        class Model(nn.Module):
            def __init__(self, n=2):
                super().__init__()
                self.layers = nn.ModuleList()
                for _ in range(n):
                    self.layers.append(nn.Linear(2, 2))
        """,
        "Model()",
    ),
    "childless-own-classes": (
        """
        class MyNorm(nn.Module):
            def __init__(self):
                super().__init__()
                self.eps = 1e-6

        class MyActivation(nn.Module):
            pass

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.norm = MyNorm()
                self.act = MyActivation()
                self.rnn = nn.GRU(4, 4)
                self.lin = nn.Linear(4, 4)
        """,
        "Model()",
    ),
}


def _comparable(modules, *, params: bool):
    return [
        (m.name, m.cls, m.kind, m.in_features, m.out_features, m.has_children, m.attrs)
        + ((m.params,) if params else ())
        for m in modules
    ]


@pytest.mark.parametrize("case", sorted(TREES))
def test_static_tree_equals_the_built_module(case: str) -> None:
    code, call = TREES[case]
    static = static_tree(code, call)
    assert not isinstance(static, str) and static is not None, static
    real = real_tree(code, call)
    assert _comparable(static.modules, params=False) == _comparable(real, params=False)
    if static.exact_shapes:
        assert _comparable(static.modules, params=True) == _comparable(real, params=True)


def test_a_hugging_face_model_inside_is_a_row_the_engine_fills_in() -> None:
    code = """
        from transformers import AutoModelForCausalLM

        class Model(nn.Module):
            def __init__(self, name="facebook/opt-125m"):
                super().__init__()
                self.lm = AutoModelForCausalLM.from_pretrained(name)
                self.head = nn.Linear(768, 2)
        """
    static = static_tree(code, 'Model(name="Qwen/Qwen2.5-0.5B")')
    assert not isinstance(static, str) and static is not None
    lm, head = static.modules
    assert (lm.name, lm.attr("hf_model"), lm.attr("hf_head")) == (
        "lm",
        "Qwen/Qwen2.5-0.5B",
        "causal-lm",
    )
    assert head.name == "head" and head.attr("hf_model") is None


def test_shapes_that_are_not_static_are_marked() -> None:
    code = """
        import sys

        def make(bias):
            class Model(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = nn.Linear(4, 4, bias=bias)
            return Model()
        """
    static = static_tree(code, "make(len(sys.argv) > 1)")
    assert not isinstance(static, str) and static is not None
    assert [m.name for m in static.modules] == ["lin"]
    assert static.exact_shapes is False
    # the call that runs the helper says what ``bias`` is: exact again
    assert static_tree(code, "make(True)").exact_shapes is True
    assert TREES["mlp"] and static_tree(*TREES["mlp"]).exact_shapes is True


NOT_STATIC = {
    "a Hugging Face model whose id is not static": (
        """
        import os
        from transformers import AutoModel

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = AutoModel.from_pretrained(os.environ["MODEL"])
                self.head = nn.Linear(768, 2)
        """,
        "model id of AutoModel.from_pretrained() is not static",
    ),
    "a Hugging Face model with remote code": (
        """
        from transformers import AutoModel

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = AutoModel.from_pretrained("org/x", trust_remote_code=True)
        """,
        "trust_remote_code",
    ),
    "another library's from_pretrained": (
        """
        from diffusers import UNet2DModel

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.unet = UNet2DModel.from_pretrained("org/x")
        """,
        "loads no transformers model",
    ),
    "a module passed in": (
        """
        class Model(nn.Module):
            def __init__(self, base):
                super().__init__()
                self.base = base
        """,
        "may hold a module",
    ),
    "a condition that is not static": (
        """
        import random

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                if random.random() > 0.5:
                    self.lin = nn.Linear(2, 2)
        """,
        "changes self",
    ),
    "a helper that builds modules": (
        """
        def make_block():
            return nn.Linear(2, 2)

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = make_block()
        """,
        "may return a module",
    ),
    "a torch.nn class with children of its own": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.layer = nn.TransformerEncoderLayer(16, 4)
        """,
        "does not read",
    ),
    "a foreign base class": (
        """
        from transformers import PreTrainedModel

        class Model(PreTrainedModel):
            def __init__(self, config):
                super().__init__(config)
                self.lin = nn.Linear(2, 2)
        """,
        "not nn.Module",
    ),
    "one module registered twice": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(2, 2)
                self.alias = self.lin
        """,
        "registered twice",
    ),
    "a method that may register modules": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.build()

            def build(self):
                self.lin = nn.Linear(2, 2)
        """,
        "may register modules",
    ),
    "a method that assigns to self": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(2, 2)
                self.setup()

            def setup(self):
                self.scale = 1.0
        """,
        "may register modules",
    ),
    "a decorated class": (
        """
        import functools

        @functools.total_ordering
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(2, 2)
        """,
        "decorated",
    ),
    "a module assigned into a submodule that is not static": (
        """
        import os

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.holder = nn.Module()
                if os.environ.get("X"):
                    self.holder.extra = nn.Linear(2, 2)
        """,
        "changes self",
    ),
    "a loop that breaks": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList()
                for i in range(4):
                    if i == 2:
                        break
                    self.layers.append(nn.Linear(2, 2))
        """,
        "changes self",
    ),
    "setattr with a computed name": (
        """
        import os

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                setattr(self, os.environ["NAME"], nn.Linear(2, 2))
        """,
        "name that is not static",
    ),
    "a list element replaced": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
                self.layers[0] = nn.Conv1d(2, 2, 1)
        """,
        "assignment to self.layers[0]",
    ),
    "a local module changed before it is registered": (
        """
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                block = nn.Module()
                block.extra = nn.Linear(2, 2)
                self.block = block
        """,
        "may hold a module",
    ),
    "a range that is not static": (
        """
        import os

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(int(os.environ["N"]))])
        """,
        "not static",
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_STATIC))
def test_trees_that_are_not_static_are_not_guessed(case: str) -> None:
    code, why = NOT_STATIC[case]
    call = "Model()" if "a module passed in" != case else "Model(nn.Linear(2, 2))"
    reason = static_tree(code, call)
    assert isinstance(reason, str), reason
    assert "module class of this file" in reason and why in reason


def _sample_arguments(name: str) -> tuple:
    if name in ("Linear", "Bilinear") or name.startswith(("Conv", "RNN", "LSTM", "GRU")):
        return (4, 4, 1) if name.startswith("Conv") or name == "Bilinear" else (4, 4)
    if name in ("Embedding", "EmbeddingBag"):
        return (10, 4)
    if name == "MultiheadAttention":
        return (8, 2)
    if name in ("LayerNorm", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "RMSNorm"):
        return (4,)
    if name == "GroupNorm":
        return (2, 4)
    if name == "Threshold":
        return (0.1, 0.0)
    if name.startswith(("MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool")):
        return (2,)
    if name == "Unflatten":
        return (1, (2, 2))
    return ()


@pytest.mark.parametrize("name", sorted(TORCH_MODULES))
def test_torch_table_matches_torch(name: str) -> None:
    """Every torch.nn class the reading knows has the kind and children lora-lint's
    inventory gives the real module (only MultiheadAttention has a child: out_proj)."""
    from lora_lint.models.build import _classify

    module = getattr(nn, name)(*_sample_arguments(name))
    kind = _classify(module)[0]
    assert kind == TORCH_MODULES[name].kind
    children = [n for n, _ in module.named_children()]
    assert children == (["out_proj"] if name == "MultiheadAttention" else [])
    if TORCH_MODULES[name].no_params:
        assert list(module.parameters()) == []


@pytest.mark.parametrize(
    ("code", "call", "why"),
    [
        ("layer = make()", "nn.Sequential(layer, nn.ReLU())", "not a known module"),
        ("lin = nn.Linear(2, 2)", "nn.Sequential(lin, lin)", "not a known module"),
        ("", "nn.Sequential(*make())", "not static"),
        ("", "nn.ModuleDict(make())", "not static"),
    ],
)
def test_a_torch_container_as_the_model_is_read_or_says_why(code: str, call: str, why: str) -> None:
    """A container of values the code does not show (a helper's result, a module bound to
    a name: PyTorch lists a module shared twice once) is not guessed."""
    reason = static_tree(code, call)
    assert isinstance(reason, str), reason
    assert "the nn." in reason and why in reason
