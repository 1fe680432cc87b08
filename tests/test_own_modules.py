"""Configs applied to a module class of the linted code are judged against the class's
static module tree, and agree with real PEFT on the class itself; configs the code expects
to fail (``pytest.raises``) or changes after creating are not reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lora_lint.codes import UNKNOWN_TARGET_MODULE, UNSUPPORTED_TARGET_MODULE
from lora_lint.diagnostics import Severity
from tests.lint_helpers import lint_files

HEADER = """\
import pytest
import torch
from torch import nn
from peft import LoraConfig, get_peft_model


class Block(nn.Module):
    def __init__(self, size=8):
        super().__init__()
        self.q = nn.Linear(size, size)
        self.v = nn.Linear(size, size)
        self.act = nn.GELU()


class Net(nn.Module):
    def __init__(self, layers=2):
        super().__init__()
        self.emb = nn.Embedding(50, 8)
        self.blocks = nn.ModuleList([Block() for _ in range(layers)])
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 3)
"""


def _errors(tmp_path: Path, body: str) -> list[tuple[int, str, str]]:
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    assert not result.errors
    return [
        (f.span.line, f.code, f.target or "")
        for f in result.findings
        if f.severity is Severity.ERROR
    ]


CASES = {
    "typo": ('["q", "v_proj"]', {"v_proj": UNKNOWN_TARGET_MODULE}),
    "all match": ('["q", "v", "head"]', {}),
    "regex": ('r"blocks\\.\\d+\\.(q|v)"', {}),
    "unsupported": ('["q", "act"]', {"act": UNSUPPORTED_TARGET_MODULE}),
    "embedding and norm": ('["emb", "norm"]', {"norm": UNSUPPORTED_TARGET_MODULE}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_findings_agree_with_peft_on_the_real_class(tmp_path: Path, case: str) -> None:
    targets, expected = CASES[case]
    body = f"""
        model = get_peft_model(Net(layers=3), LoraConfig(target_modules={targets}))
        """
    errors = _errors(tmp_path, body)
    assert {target: code for _, code, target in errors if target} == expected
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    (note,) = result.model_notes
    assert note.resolved == "Net" and "read from the source" in note.how
    # what real PEFT does with the same class: the entries lora-lint reports are the ones
    # that adapt nothing (LL001) or make get_peft_model raise (LL002)
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    namespace: dict[str, object] = {}
    exec(compile(HEADER, "<net>", "exec"), namespace)  # noqa: S102 - our own test code
    entries = eval(targets)  # noqa: S307 - our own literal
    for entry in [entries] if isinstance(entries, str) else entries:
        with torch.device("meta"):
            model = namespace["Net"](layers=3)  # type: ignore[operator]
        config = peft.LoraConfig(target_modules=[entry] if not isinstance(entries, str) else entry)
        try:
            peft.get_peft_model(model, config)
            outcome = "adapts"
        except ValueError as exc:
            outcome = "unsupported" if "is not supported" in str(exc) else "matches nothing"
        want = {
            UNKNOWN_TARGET_MODULE: "matches nothing",
            UNSUPPORTED_TARGET_MODULE: "unsupported",
        }.get(expected.get(entry, ""), "adapts")
        assert outcome == want, (entry, outcome)


def test_a_config_the_code_expects_to_fail_is_judged_but_not_reported(tmp_path: Path) -> None:
    body = """
        def test_typo_raises():
            model = Net()
            config = LoraConfig(target_modules=["nope"])
            with pytest.raises(ValueError, match="not found"):
                get_peft_model(model, config)

        def test_bad_option():
            with pytest.raises(TypeError):
                LoraConfig(rank=16)

        def test_invalid_config_without_a_model():
            with pytest.raises(ValueError):
                LoraConfig(target_modules=["q"], layers_pattern="blocks")

        def test_typo_warns():
            with pytest.warns(RuntimeWarning):
                get_peft_model(Net(), LoraConfig(target_modules=["q", "nope"]))

        def test_not_expected():
            get_peft_model(Net(), LoraConfig(target_modules=["q", "nope"]))
        """
    result = lint_files(tmp_path, {"test_x.py": HEADER + textwrap.dedent(body)})
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert [(f.span.line, f.code) for f in errors] == [
        (_last_line(body, '["q", "nope"]'), UNKNOWN_TARGET_MODULE)
    ]
    assert sum(c.checked for c in result.configs) == 3  # judged, the two without a model aside
    # created inside pytest.raises and never applied: no "not checked" (nothing to act on)
    assert not [f for f in result.findings if f.code == "LL010"]


def _last_line(body: str, needle: str) -> int:
    full = HEADER + textwrap.dedent(body)
    return [i for i, line in enumerate(full.splitlines(), 1) if needle in line][-1]


def test_a_config_changed_after_creation_is_not_judged(tmp_path: Path) -> None:
    body = """
        config = LoraConfig(target_modules=["q", "nope"])
        config.target_modules = ["q"]
        model = get_peft_model(Net(), config)

        custom = LoraConfig(target_modules=["act"])
        custom._register_custom_module({nn.GELU: object})
        model = get_peft_model(Net(), custom)
        """
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    reasons = [c.not_checked for c in result.configs]
    assert all(r and "changed after it is created" in r for r in reasons), reasons
    assert ".target_modules = ..." in reasons[0] and "_register_custom_module" in reasons[1]


def test_an_own_module_without_static_tree_says_why(tmp_path: Path) -> None:
    body = """
        class Wrapper(nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

        model = get_peft_model(Wrapper(Net()), LoraConfig(target_modules=["nope"]))
        """
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    (summary,) = result.configs
    assert summary.not_checked is not None
    assert "the module tree of Wrapper is not static: self.inner may hold a module" in (
        summary.not_checked
    )
    (info,) = result.findings  # said once, quietly
    assert info.code == "LL010" and info.severity is Severity.INFO
    assert "self.inner may hold a module" in info.message


def test_cost_of_a_static_tree_is_peft_s(tmp_path: Path) -> None:
    """Trainable parameters equal PEFT's count on the real class (r=4 on q and v of 3 blocks)."""
    body = """
        model = get_peft_model(Net(layers=3), LoraConfig(r=4, target_modules=["q", "v"]))
        """
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    (summary,) = result.configs
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    namespace: dict[str, object] = {}
    exec(compile(HEADER, "<net>", "exec"), namespace)  # noqa: S102 - our own test code
    with torch.device("meta"):
        model = namespace["Net"](layers=3)  # type: ignore[operator]
    wrapped = peft.get_peft_model(model, peft.LoraConfig(r=4, target_modules=["q", "v"]))
    trainable, total = wrapped.get_nb_trainable_parameters()
    assert summary.trainable_params == trainable
    assert summary.matched_modules == 6
    assert summary.trainable_percent == pytest.approx(100 * trainable / total, abs=1e-5)


def test_an_instance_changed_after_creation_is_not_judged(tmp_path: Path) -> None:
    """``model.extra = nn.Linear(...)`` adds a module the class does not build; a constant
    attribute (``model.flag = True``) adds none."""
    body = """
        changed = Net()
        changed.extra = nn.Linear(8, 8)
        changed = get_peft_model(changed, LoraConfig(target_modules=["extra"]))

        registered = Net()
        registered.add_module("more", nn.Linear(8, 8))
        registered = get_peft_model(registered, LoraConfig(target_modules=["more"]))

        flagged = Net()
        flagged.flag = True
        flagged = get_peft_model(flagged, LoraConfig(target_modules=["nope"]))
        """
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    errors = [(f.code, f.target) for f in result.findings if f.severity is Severity.ERROR]
    assert errors == [(UNKNOWN_TARGET_MODULE, "nope")]
    assert [c.checked for c in result.configs] == [False, False, True]


CLASSIFIER = """\
from torch import nn
from transformers import AutoModel
from peft import LoraConfig, get_peft_model


class Classifier(nn.Module):
    def __init__(self, name="FacebookAI/roberta-base", classes=2):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(name)
        self.head = nn.Linear(768, classes)


model = get_peft_model(Classifier(), LoraConfig(target_modules={targets}))
"""


def test_a_hugging_face_model_inside_a_class_is_spliced_in(tmp_path: Path) -> None:
    """``self.encoder = AutoModel.from_pretrained(id)``: the class's tree holds the real
    RobertaModel under ``encoder.``; findings and matches agree with PEFT on that wrapper."""
    targets = ["query", "value", "head", "q_proj"]
    result = lint_files(tmp_path, {"train.py": CLASSIFIER.format(targets=targets)})
    assert [(f.code, f.target) for f in result.findings] == [(UNKNOWN_TARGET_MODULE, "q_proj")]
    (summary,) = result.configs
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    transformers = pytest.importorskip("transformers")
    from lora_lint.models.build import _make_config
    from lora_lint.models.resolve import ModelResolver, ResolverSettings

    resolved = ModelResolver(ResolverSettings(offline=True)).resolve("FacebookAI/roberta-base")
    with torch.device("meta"):
        wrapper = torch.nn.Module()
        wrapper.encoder = transformers.AutoModel.from_config(
            _make_config(resolved.config, False, None)  # type: ignore[union-attr]
        )
        wrapper.head = torch.nn.Linear(768, 2)
    wrapped = peft.get_peft_model(wrapper, peft.LoraConfig(target_modules=targets))
    adapted = [n for n, m in wrapped.named_modules() if hasattr(m, "lora_A")]
    assert summary.matched_modules == len(adapted) == 2 * 12 + 1


def test_a_model_inside_a_class_that_cannot_be_resolved_is_not_checked(tmp_path: Path) -> None:
    source = CLASSIFIER.format(targets=["nope"]).replace(
        "FacebookAI/roberta-base", "./no/such/checkpoint"
    )
    result = lint_files(tmp_path, {"train.py": source})
    assert [f.severity for f in result.findings if f.code == "LL010"] == [Severity.WARNING]
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    (summary,) = result.configs
    assert not summary.checked


def test_target_parameters_on_a_tree_with_unknown_shapes_is_not_judged(tmp_path: Path) -> None:
    body = """
        def make(bias):
            class Inner(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.linear = nn.Linear(8, 8, bias=bias)

            return Inner()

        import sys

        flag = len(sys.argv) > 1
        model = get_peft_model(make(flag), LoraConfig(target_parameters=["linear.weight"]))
        names = get_peft_model(make(flag), LoraConfig(target_modules=["linear", "nope"]))
        """
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    params, names = result.configs
    assert not params.checked and "not all static" in (params.not_checked or "")
    assert names.checked and names.trainable_params is None  # names exact, counts unknown
    errors = [(f.code, f.target) for f in result.findings if f.severity is Severity.ERROR]
    assert errors == [(UNKNOWN_TARGET_MODULE, "nope")]


SEQUENTIAL = """\
import torch
from torch import nn
from peft import LoraConfig, get_peft_model


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)
        self.act = nn.GELU()


def build():
    return nn.Sequential(nn.Linear(4, 8), Block(), nn.ReLU(), nn.Linear(8, 2))


model = build()
model.train()
model = get_peft_model(model, LoraConfig(r=2, target_modules={targets}))
"""


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ('["0", "3"]', {}),
        ('["0", "q", "4"]', {"4": UNKNOWN_TARGET_MODULE}),
        ('["1.act", "q"]', {"1.act": UNSUPPORTED_TARGET_MODULE}),
        ('r"\\d\\.q"', {}),
    ],
)
def test_a_torch_container_as_the_model_agrees_with_peft(
    tmp_path: Path, targets: str, expected: dict[str, str]
) -> None:
    """``get_peft_model(nn.Sequential(...), config)``: the container's children are named
    ``0``, ``1``... as PyTorch names them; findings and the trainable count are PEFT's."""
    code = SEQUENTIAL.format(targets=targets)
    result = lint_files(tmp_path, {"train.py": code})
    found = {f.target: f.code for f in result.findings if f.severity is Severity.ERROR}
    assert found == expected
    (summary,) = result.configs
    assert summary.checked
    (note,) = result.model_notes
    assert note.resolved == "Sequential" and "nn.Sequential built at line 14" in note.how
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    namespace: dict[str, object] = {}
    exec(compile(code.split("\nmodel = build()")[0], "<seq>", "exec"), namespace)  # noqa: S102
    entries = eval(targets)  # noqa: S307 - our own literal
    with torch.device("meta"):
        built = namespace["build"]()  # type: ignore[operator]
    try:
        wrapped = peft.get_peft_model(built, peft.LoraConfig(r=2, target_modules=entries))
    except ValueError:
        assert expected and set(expected.values()) == {UNSUPPORTED_TARGET_MODULE}
        return
    assert summary.trainable_params == wrapped.get_nb_trainable_parameters()[0]
    for entry in [] if isinstance(entries, str) else entries:
        with torch.device("meta"):
            alone = namespace["build"]()  # type: ignore[operator]
        try:
            peft.get_peft_model(alone, peft.LoraConfig(r=2, target_modules=[entry]))
            adapts = True
        except ValueError:
            adapts = False
        assert adapts == (entry not in expected), entry


def test_a_torch_container_changed_after_creation_is_not_judged(tmp_path: Path) -> None:
    """``model[0] = ...``, ``model.append(...)`` and ``del model[1]`` change what the
    container holds: the tree read from where it is built is no longer the model's."""
    body = """
    from torch import nn
    from peft import LoraConfig, get_peft_model

    a = nn.Sequential(nn.Linear(2, 2))
    a[0] = nn.Conv1d(2, 2, 1)
    get_peft_model(a, LoraConfig(target_modules=["nope"]))

    b = nn.Sequential(nn.Linear(2, 2))
    b.append(nn.Linear(2, 2))
    get_peft_model(b, LoraConfig(target_modules=["1"]))

    c = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    del c[1]
    get_peft_model(c, LoraConfig(target_modules=["1"]))

    d = nn.Sequential(nn.Linear(2, 2))
    get_peft_model(d, LoraConfig(target_modules=["1"]))
    """
    result = lint_files(tmp_path, {"train.py": textwrap.dedent(body)})
    errors = [(f.code, f.span.line) for f in result.findings if f.severity is Severity.ERROR]
    assert errors == [(UNKNOWN_TARGET_MODULE, 18)]
    assert [c.checked for c in result.configs] == [False, False, False, True]


def test_a_module_class_has_no_default_targets_as_in_peft(tmp_path: Path) -> None:
    """PEFT gives a module without ``config`` the model type ``custom``: no method has default
    targets, so ``LoraConfig()`` raises, while ``target_parameters`` alone needs none."""
    body = """
        class Small(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin0 = nn.Linear(10, 20)

        class Configured(nn.Module):
            def __init__(self):
                super().__init__()
                self.config = {"model_type": "llama"}
                self.lin0 = nn.Linear(10, 20)

        params = get_peft_model(Small(), LoraConfig(target_parameters=["lin0.weight"]))
        bare = get_peft_model(Small(), LoraConfig())
        configured = get_peft_model(Configured(), LoraConfig())
        """
    result = lint_files(tmp_path, {"train.py": HEADER + textwrap.dedent(body)})
    params, bare, configured = result.configs
    assert params.checked and bare.checked and not configured.checked
    assert "default targets for this model are not known" in (configured.not_checked or "")
    errors = [(f.code, f.span.line) for f in result.findings if f.severity is Severity.ERROR]
    assert errors == [("LL009", _last_line(body, "bare = "))]
    peft = pytest.importorskip("peft")
    namespace: dict[str, object] = {}
    exec(compile(HEADER + textwrap.dedent(body).split("params = ")[0], "<small>", "exec"), namespace)  # noqa: S102
    wrapped = peft.get_peft_model(namespace["Small"](), peft.LoraConfig(target_parameters=["lin0.weight"]))  # type: ignore[operator]
    assert params.trainable_params == wrapped.get_nb_trainable_parameters()[0]
    with pytest.raises(ValueError, match="Please specify"):
        peft.get_peft_model(namespace["Small"](), peft.LoraConfig())  # type: ignore[operator]


def test_a_config_changed_through_a_parameter_or_with_hidden_options_is_not_judged(
    tmp_path: Path,
) -> None:
    """``config0.target_modules = [...]`` on a test's parametrized config, and
    ``LoraConfig(**kwargs)`` whose keys the code does not show: what PEFT gets is not what
    lora-lint can read, so neither is judged (here PEFT would not raise)."""
    body = """
        from parameterized import parameterized

        class TestMixed:
            @parameterized.expand([(LoraConfig(init_lora_weights=False),)])
            def test_a(self, config0):
                config0.target_modules = ["q"]
                get_peft_model(Net(), config0)

        def make(**kwargs):
            return LoraConfig(**kwargs)

        def test_b():
            get_peft_model(Net(), make(target_modules=["q"], r=4))
        """
    result = lint_files(tmp_path, {"test_x.py": HEADER + textwrap.dedent(body)})
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    reasons = [c.not_checked or "" for c in result.configs]
    assert any("changed after it is created" in r for r in reasons)
    assert any("targets may be among them" in r for r in reasons)
