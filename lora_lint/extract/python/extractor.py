"""The visitor: finds config, model and link sites in one module, then links them."""

from __future__ import annotations

import pathlib
from dataclasses import replace

import libcst as cst

from lora_lint.extract.cstwalk import walk
from lora_lint.extract.python.catalog import (
    PEFT_CONFIG_CLASSES,
    PEFT_CONFIG_PACKAGES,
    SUBCLASS_EXTRA_FIELDS,
    TRL_MODEL_CONFIG_KEYS,
    TRL_TRAINER_HEADS,
    UNSLOTH_CLASSES,
)
from lora_lint.extract.python.configs import ConfigBuilder
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.evaluator import Evaluator, Guard
from lora_lint.extract.python.imports import QualName
from lora_lint.extract.python.linking import ConfigSite, Linker, LinkSite
from lora_lint.extract.python.models import ModelFinder, ModelSite
from lora_lint.extract.python.scopes import Assigned
from lora_lint.extract.python.source import SourceModule
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, ModelRef

#: Calls that wrap a model and a config into a PEFT model.
_PEFT_MODEL_CLASSES = frozenset(
    {
        "PeftModel",
        "PeftMixedModel",
        "PeftModelForCausalLM",
        "PeftModelForSeq2SeqLM",
        "PeftModelForSequenceClassification",
        "PeftModelForTokenClassification",
        "PeftModelForQuestionAnswering",
        "PeftModelForFeatureExtraction",
    }
)


def extract_module(source: SourceModule, project_root: pathlib.Path | None) -> FileExtraction:
    """Configs and model references of a parsed module, each config linked to its model."""
    ctx = ModuleContext.build(source, project_root)
    guard = Guard()
    evaluator = Evaluator(ctx, guard)
    collector = _Collector(ctx, evaluator, ModelFinder(ctx, guard))
    walk(source.module, collector)
    Linker(ctx, collector.configs, collector.models, collector.links).link()
    return FileExtraction(
        path=source.path,
        configs=[site.config for site in collector.configs],
        models=[site.ref for site in sorted(collector.models, key=lambda m: m.at)],
    )


class _Collector(cst.CSTVisitor):
    def __init__(self, ctx: ModuleContext, evaluator: Evaluator, finder: ModelFinder) -> None:
        self.ctx = ctx
        self.evaluator = evaluator
        self.builder = ConfigBuilder(evaluator)
        self.finder = finder
        self.configs: list[ConfigSite] = []
        self.models: list[ModelSite] = []
        self.links: list[LinkSite] = []

    def _qualify(self, node: cst.BaseExpression) -> QualName | None:
        return self.ctx.imports.qualify(node)

    def _config_class(self, node: cst.BaseExpression) -> str | None:
        """The PEFT config class ``node`` names, proven through the imports.

        A class is PEFT's only when its name resolves to ``peft`` (or a package known to
        re-export or subclass it, such as ms-swift): axolotl's and Ludwig's pydantic
        ``LoraConfig`` schemas share the name but not the fields, and are never judged
        as PEFT configs. A bare, unimported name counts only under ``from peft import *``.
        """
        qualified = self._qualify(node)
        if qualified is None or qualified.last not in PEFT_CONFIG_CLASSES:
            return None
        if qualified.from_module(*PEFT_CONFIG_PACKAGES):
            return qualified.last
        if not qualified.imported and "." not in qualified.dotted:
            stars = self.ctx.imports.star_modules
            if any(ref.level == 0 and ref.module.split(".")[0] == "peft" for ref in stars):
                return qualified.last
        return None

    def _config_package(self, node: cst.BaseExpression) -> str:
        qualified = self._qualify(node)
        return qualified.dotted.split(".", 1)[0] if qualified is not None else "peft"

    def _add_config(
        self,
        config: ExtractedConfig,
        node: cst.CSTNode,
        model_arg: cst.BaseExpression | None = None,
        own_model: ModelRef | None = None,
    ) -> None:
        at = self.ctx.source.start(node)
        function = self.ctx.scopes.function_at(at)
        self.configs.append(ConfigSite(config, node, at, function, model_arg, own_model))

    # -- visiting -----------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        self._config_call(node)
        self._type_dict_call(node)
        loader = self.finder.loader(node)
        if loader is not None:
            self.models.append(loader)
        self._link_call(node, is_loader=loader is not None)

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = self.evaluator.evaluate(element.key)
            if isinstance(key, Located) and key.value == "type":
                class_name = self._config_class(element.value)
                if class_name is not None:
                    peft_type = PEFT_CONFIG_CLASSES[class_name]
                    self._add_config(self.builder.type_dict(node, class_name, peft_type), node)

    # -- configs ------------------------------------------------------------

    def _config_call(self, node: cst.Call) -> None:
        func = node.func
        class_name = self._config_class(func)
        if class_name is not None:
            peft_type = PEFT_CONFIG_CLASSES[class_name]
            config = self.builder.peft_call(node, class_name, peft_type)
            extra = SUBCLASS_EXTRA_FIELDS.get((self._config_package(func), class_name))
            if extra:
                config.facts = replace(config.facts, extra_fields=tuple(extra))
            self._add_config(config, node)
            return
        if isinstance(func, cst.Attribute) and func.attr.value == "get_peft_model":
            owner = self._qualify(func.value)
            if owner is not None and owner.last in UNSLOTH_CLASSES:
                helper = f"{owner.last}.get_peft_model"
                config = self.builder.unsloth_call(node, helper)
                self._add_config(config, node, model_arg=_argument(node, 0, "model"))
            return
        qualified = self._qualify(func)
        if qualified is not None and qualified.last == "ModelConfig" and self._from_trl(qualified):
            self._trl_model_config(node)

    def _from_trl(self, qualified: QualName) -> bool:
        if qualified.imported:
            return qualified.from_module("trl")
        return any(ref.module.split(".")[0] == "trl" for ref in self.ctx.imports.star_modules)

    def _trl_model_config(self, node: cst.Call) -> None:
        keywords = _keywords(node)
        uses_peft = "use_peft" in keywords or any(
            key.startswith("lora_") and key in TRL_MODEL_CONFIG_KEYS for key in keywords
        )
        if not uses_peft:
            return
        config = self.builder.trl_model_config(node)
        own = None
        if "model_name_or_path" in keywords:
            own = self.finder.named(
                node,
                keywords["model_name_or_path"],
                "causal-lm",
                "ModelConfig(model_name_or_path=...)",
                keywords.get("trust_remote_code"),
            )
        if own is not None:
            self.models.append(own)
        self._add_config(config, node, own_model=own.ref if own is not None else None)

    def _type_dict_call(self, node: cst.Call) -> None:
        """mmengine/xtuner ``dict(type=LoraConfig, ...)``, ``dict(type=X.from_pretrained, ...)``."""
        if not (isinstance(node.func, cst.Name) and node.func.value == "dict"):
            return
        keywords = _keywords(node)
        kind = keywords.get("type")
        if kind is None:
            return
        # xtuner's SupervisedFinetune / LLaVAModel: the LoRA config and the LLM it wraps are
        # siblings (``llm=dict(...), lora=dict(type=LoraConfig, ...)``): that is data flow.
        lora = keywords.get("lora") or keywords.get("llm_lora")
        if lora is not None and "llm" in keywords:
            self.links.append(LinkSite(node, [keywords["llm"]], [lora]))
        class_name = self._config_class(kind)
        if class_name is not None:
            peft_type = PEFT_CONFIG_CLASSES[class_name]
            self._add_config(self.builder.type_dict(node, class_name, peft_type), node)
        elif isinstance(kind, cst.Attribute) and kind.attr.value == "from_pretrained":
            site = self.finder.loader_dict(node, kind)
            if site is not None:
                self.models.append(site)

    # -- links --------------------------------------------------------------

    def _link_call(self, node: cst.Call, *, is_loader: bool) -> None:
        func = node.func
        qualified = self._qualify(func)
        last = qualified.last if qualified is not None else None
        if isinstance(func, cst.Attribute):
            last = func.attr.value
        keywords = {**self._splatted(node), **_keywords(node)}
        model_and_config = (
            _argument(node, 0, "model") or keywords.get("model"),
            _argument(node, 1, "peft_config") or keywords.get("peft_config"),
        )
        pair: tuple[cst.BaseExpression | None, cst.BaseExpression | None] | None = None
        if last == "get_peft_model":
            owner = self._qualify(func.value) if isinstance(func, cst.Attribute) else None
            if owner is None or owner.last not in UNSLOTH_CLASSES:
                pair = model_and_config
        elif last == "add_adapter" and isinstance(func, cst.Attribute):
            configs = [arg.value for arg in node.args]
            self.links.append(LinkSite(node, [func.value], configs))
        elif last in _PEFT_MODEL_CLASSES:
            pair = model_and_config
        elif last == "inject_adapter_in_model":
            pair = (_argument(node, 1, "model"), _argument(node, 0, "peft_config"))
        elif (
            last == "prepare_peft_model"
            and qualified is not None
            and qualified.dotted.startswith("trl.")
        ):
            # TRL's helper: get_peft_model(model, peft_config) after k-bit preparation
            pair = (_argument(node, 0, "model"), _argument(node, 1, "peft_config"))
        elif (
            last in _PREPROCESSORS
            and qualified is not None
            and qualified.dotted.startswith("peft.")
        ):
            # CorDA / LoRA-GA hook the modules the config targets on the model it is for
            pair = (_argument(node, 0, "model"), _argument(node, 1, "lora_config"))
        elif "peft_config" in keywords:
            pair = (node if is_loader else model_and_config[0], keywords["peft_config"])
        if pair is not None:
            model, config = pair
            self.links.append(LinkSite(node, _present(model), _present(config)))
        if last in TRL_TRAINER_HEADS:
            self._trainer_model(node, last)

    def _splatted(self, node: cst.Call) -> dict[str, cst.BaseExpression]:
        """``Trainer(**kwargs)`` with ``kwargs = {"model": ..., "peft_config": ...}``: the
        keywords of a dict literal bound once and never changed, passed with ``**``."""
        found: dict[str, cst.BaseExpression] = {}
        for arg in node.args:
            if arg.star != "**" or not isinstance(arg.value, cst.Name):
                continue
            name = arg.value
            at = self.ctx.source.start(name)
            binding = self.ctx.scopes.lookup(name.value, at)
            if not isinstance(binding, Assigned) or binding.index:
                continue
            if not isinstance(binding.value, cst.Dict) or self.ctx.scopes.mutation(
                name.value, binding, at
            ):
                continue
            for element in binding.value.elements:
                if not isinstance(element, cst.DictElement):
                    return {}  # {**other}: its keys are not known
                key = element.key
                if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
                    found[key.evaluated_value] = element.value
        return found

    def _trainer_model(self, node: cst.Call, trainer: str) -> None:
        """``SFTTrainer(model="org/name", ...)``: TRL loads the id itself."""
        model_expr = _argument(node, 0, "model") or self._splatted(node).get("model")
        if model_expr is None:
            return
        site = self.finder.named(
            model_expr, model_expr, TRL_TRAINER_HEADS[trainer], f"{trainer}(model=...)"
        )
        if site is not None:
            self.models.append(site)


#: PEFT functions that prepare the model a LoRA config is for, before ``get_peft_model``.
_PREPROCESSORS = frozenset({"preprocess_corda", "preprocess_loraga"})


def _present(*exprs: cst.BaseExpression | None) -> list[cst.BaseExpression]:
    return [expr for expr in exprs if expr is not None]


def _keywords(node: cst.Call) -> dict[str, cst.BaseExpression]:
    return {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}


def _argument(node: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    """An argument given by keyword or at a position (ignoring ``*``/``**`` arguments)."""
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
    return positional[position] if position < len(positional) else None
