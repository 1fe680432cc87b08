"""Which base model each config applies to.

Only data flow counts: the model variable and the config that meet in
``get_peft_model(model, config)``, ``model.add_adapter(config)``,
``PeftModel(model, config)`` or ``SFTTrainer(model=..., peft_config=...)``. A config
that never meets a model in the code is not checked (the nearest loader in the file is
often another model: a test file loads several, a helper applies the config to a
caller's model), and a config applied to a module class defined in the file is no
Hugging Face model at all: it is noted as such and left alone.

A function's parameter is followed to the arguments of its calls in the same file (see
:mod:`.callers`): ``def train(model, config)`` called as ``train(loaded, cfg)`` links
``cfg`` to ``loaded``. When the calls pass different models the config stays unlinked
(lora-lint judges a config against one model), as it does when the function is not
only called in the file. A marimo cell's parameter comes from the one cell defining it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.python.callers import Callers
from lora_lint.extract.python.catalog import MODEL_SELF_METHODS, MODEL_WRAPPERS
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.models import ModelSite
from lora_lint.extract.python.scopes import Assigned, Binding, Parameter
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
        self.callers = Callers(ctx)

    def link(self) -> None:
        """Set ``config.model`` on every config site for which some model is known."""
        for site in self.configs:
            site.config.model = site.own_model
        for link in self.links:
            model = next(filter(None, (self.model_of(expr) for expr in link.models)), None)
            if model is None:
                if any(self._local_module(expr) for expr in link.models):
                    for expr in link.configs:
                        for target in self.configs_of(expr):
                            if target.config.model is None:
                                target.config.facts = dataclasses.replace(
                                    target.config.facts, applied_to="a module class of this file"
                                )
                continue
            for expr in link.configs:
                for target in self.configs_of(expr):
                    if target.config.model is None:
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
            if isinstance(func, cst.Name) and func.value in self.ctx.imports.defined:
                return True
            inner = self._wrapped_model(expr)
            if inner is not None:
                return self._local_module(inner, hops + 1)
            values = self.callers.returns(expr) or self.callers.method_returns(expr)
            return bool(values) and all(self._local_module(v, hops + 1) for v in values or ())
        if isinstance(expr, cst.Name):
            binding = self._binding(expr)
            if isinstance(binding, Parameter):
                cell = self.callers.cell_input(binding)
                if cell is not None:
                    binding = cell
                else:
                    args = self.callers.arguments(binding) or self.callers.fixture_values(binding)
                    return bool(args) and all(self._local_module(a, hops + 1) for a in args or ())
            return (
                isinstance(binding, Assigned)
                and not binding.index
                and self._local_module(binding.value, hops + 1)
            )
        return False

    # -- data flow ----------------------------------------------------------

    def _binding(self, name: cst.Name) -> Binding | None:
        return self.ctx.scopes.lookup(name.value, self.ctx.source.start(name))

    def _assigned(self, name: cst.Name) -> Assigned | None:
        binding = self._binding(name)
        return binding if isinstance(binding, Assigned) else None

    def configs_of(self, expr: cst.BaseExpression, hops: int = 0) -> list[ConfigSite]:
        """The config sites an expression may hold: one, or through a parameter, each
        config the calls of its function pass (a marimo cell: the defining cell's)."""
        site = self.config_of(expr, hops)
        if site is not None:
            return [site]
        if hops >= _MAX_HOPS or not isinstance(expr, cst.Name):
            return []
        binding = self._binding(expr)
        if not isinstance(binding, Parameter):
            return []
        cell = self.callers.cell_input(binding)
        if isinstance(cell, Assigned) and not cell.index:
            return self.configs_of(cell.value, hops + 1)
        found: list[ConfigSite] = []
        for arg in self.callers.arguments(binding) or ():
            found += [s for s in self.configs_of(arg, hops + 1) if all(s is not f for f in found)]
        return found

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
            if inner is not None:
                return self.model_of(inner, hops + 1)
            values = self.callers.returns(expr)
            return self._one_model(values, hops, "a value returned by {}()", expr.func)
        if isinstance(expr, cst.Name):
            return self._model_of_binding(self._binding(expr), hops)
        return None

    def _one_model(
        self,
        exprs: list[cst.BaseExpression] | None,
        hops: int,
        via: str,
        func: cst.BaseExpression | None = None,
    ) -> ModelSite | None:
        """The model all of ``exprs`` hold (None: one is unknown, or they differ)."""
        sites = [self.model_of(e, hops + 1) for e in exprs or ()]
        if not sites or any(s is None for s in sites):
            return None
        if len({(s.ref.name, s.ref.head) for s in sites if s is not None}) != 1:
            return None  # several models: a config is judged against one
        site = sites[0]
        assert site is not None
        if isinstance(func, cst.Name):
            via = via.format(func.value)
        ref = dataclasses.replace(site.ref, origin=f"{site.ref.origin}, {via}")
        return dataclasses.replace(site, ref=ref)

    def _model_of_binding(self, binding: Binding | None, hops: int) -> ModelSite | None:
        if isinstance(binding, Parameter):
            return self._model_from_callers(binding, hops)
        if not isinstance(binding, Assigned):
            return None
        if not binding.index:
            return self.model_of(binding.value, hops + 1)
        if binding.index == (0,):  # model, tokenizer = FastLanguageModel.from_pretrained(...)
            return self._model_by_node.get(id(binding.value))
        return None

    def _model_from_callers(self, param: Parameter, hops: int) -> ModelSite | None:
        """The model a parameter holds: the one every call of its function passes."""
        if hops >= _MAX_HOPS:
            return None
        name, function = param.param.name.value, param.function.name.value
        cell = self.callers.cell_input(param)
        if cell is not None:
            site = self._model_of_binding(cell, hops + 1)
            if site is None:
                return None
            ref = dataclasses.replace(
                site.ref, origin=f"{site.ref.origin}, passed as the marimo cell input '{name}'"
            )
            return dataclasses.replace(site, ref=ref)
        args = self.callers.arguments(param)
        if args is not None:
            return self._one_model(args, hops, f"passed as the parameter '{name}' of {function}()")
        fixture = self.callers.fixture_values(param)
        return self._one_model(fixture, hops, f"the pytest fixture '{name}'")

    def _wrapped_model(self, call: cst.Call) -> cst.BaseExpression | None:
        """The model argument of a call that returns (a wrapper of) that model."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in MODEL_SELF_METHODS:
            return func.value
        qualified = self.ctx.imports.qualify(func)
        if qualified is not None and qualified.dotted in ("copy.deepcopy", "copy.copy"):
            positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
            return positional[0] if len(positional) == 1 and len(call.args) == 1 else None
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
