"""Which base model each config applies to.

Only data flow counts: the model variable and the config that meet in
``get_peft_model(model, config)``, ``model.add_adapter(config)``,
``PeftModel(model, config)`` or ``SFTTrainer(model=..., peft_config=...)``. A config
that never meets a model in the code is not checked (the nearest loader in the file is
often another model: a test file loads several, a helper applies the config to a
caller's model), and a config applied to a module class defined in the file is no
Hugging Face model at all: it is noted as such and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from lora_lint.extract.python.catalog import MODEL_SELF_METHODS, MODEL_WRAPPERS
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.models import ModelSite
from lora_lint.extract.python.scopes import Assigned
from lora_lint.extract.python.source import Pos
from lora_lint.extract.types import ExtractedConfig, ModelRef

#: ``a = b`` / ``model = wrap(model)`` hops followed before giving up.
_MAX_HOPS = 16


@dataclass
class ConfigSite:
    config: ExtractedConfig
    node: cst.CSTNode
    at: Pos
    function: cst.FunctionDef | None
    #: unsloth: the model passed to ``get_peft_model`` along with the options.
    model_arg: cst.BaseExpression | None = None
    #: TRL ``ModelConfig(model_name_or_path=...)`` names its own model.
    own_model: ModelRef | None = None


@dataclass
class LinkSite:
    """A call that applies configs to a model."""

    node: cst.Call
    models: list[cst.BaseExpression] = field(default_factory=list)
    configs: list[cst.BaseExpression] = field(default_factory=list)


class Linker:
    def __init__(
        self,
        ctx: ModuleContext,
        configs: list[ConfigSite],
        models: list[ModelSite],
        links: list[LinkSite],
    ) -> None:
        self.ctx = ctx
        self.configs = configs
        self.models = sorted(models, key=lambda m: m.at)
        self.links = links
        self._config_by_node = {id(site.node): site for site in configs}
        self._model_by_node = {id(site.node): site for site in models}

    def link(self) -> None:
        """Set ``config.model`` on every config site for which some model is known."""
        for site in self.configs:
            site.config.model = site.own_model
        for link in self.links:
            model = next(filter(None, (self.model_of(expr) for expr in link.models)), None)
            if model is None:
                if any(self._local_module(expr) for expr in link.models):
                    for expr in link.configs:
                        target = self.config_of(expr)
                        if target is not None and target.config.model is None:
                            target.config.facts = replace(
                                target.config.facts, applied_to="a module class of this file"
                            )
                continue
            for expr in link.configs:
                target = self.config_of(expr)
                if target is not None and target.config.model is None:
                    target.config.model = model.ref
        for site in self.configs:
            if site.config.model is None and site.model_arg is not None:
                model = self.model_of(site.model_arg)
                site.config.model = model.ref if model is not None else None

    def _local_module(self, expr: cst.BaseExpression, hops: int = 0) -> bool:
        """``MLP()`` / ``model = MLP()``: an instance of a class defined in this file."""
        if hops >= _MAX_HOPS:
            return False
        if isinstance(expr, cst.Call):
            func = expr.func
            return isinstance(func, cst.Name) and func.value in self.ctx.imports.defined
        if isinstance(expr, cst.Name):
            binding = self._assigned(expr)
            return (
                binding is not None
                and not binding.index
                and self._local_module(binding.value, hops + 1)
            )
        return False

    # -- data flow ----------------------------------------------------------

    def _assigned(self, name: cst.Name) -> Assigned | None:
        binding = self.ctx.scopes.lookup(name.value, self.ctx.source.start(name))
        return binding if isinstance(binding, Assigned) else None

    def config_of(self, expr: cst.BaseExpression, hops: int = 0) -> ConfigSite | None:
        """The config site an expression evaluates to (through simple name bindings)."""
        if id(expr) in self._config_by_node:
            return self._config_by_node[id(expr)]
        if hops >= _MAX_HOPS:
            return None
        if isinstance(expr, cst.Call):
            qualified = self.ctx.imports.qualify(expr.func)
            if qualified is not None and qualified.last == "get_peft_config" and expr.args:
                return self.config_of(expr.args[0].value, hops + 1)
        if isinstance(expr, cst.Name):
            binding = self._assigned(expr)
            if binding is not None and not binding.index:
                return self.config_of(binding.value, hops + 1)
        return None

    def model_of(self, expr: cst.BaseExpression, hops: int = 0) -> ModelSite | None:
        """The model site an expression holds: ``model = prepare(model)`` keeps the binding."""
        if id(expr) in self._model_by_node:
            return self._model_by_node[id(expr)]
        if hops >= _MAX_HOPS:
            return None
        if isinstance(expr, cst.Call):
            inner = self._wrapped_model(expr)
            return self.model_of(inner, hops + 1) if inner is not None else None
        if isinstance(expr, cst.Name):
            binding = self._assigned(expr)
            if binding is None:
                return None
            if not binding.index:
                return self.model_of(binding.value, hops + 1)
            if binding.index == (0,):  # model, tokenizer = FastLanguageModel.from_pretrained(...)
                return self._model_by_node.get(id(binding.value))
        return None

    def _wrapped_model(self, call: cst.Call) -> cst.BaseExpression | None:
        """The model argument of a call that returns (a wrapper of) that model."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in MODEL_SELF_METHODS:
            return func.value
        qualified = self.ctx.imports.qualify(func)
        is_wrapper = qualified is not None and qualified.last in MODEL_WRAPPERS
        if not (
            is_wrapper or (isinstance(func, cst.Attribute) and func.attr.value == "get_peft_model")
        ):
            return None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "model":
                return arg.value
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        return positional[0] if positional else None
