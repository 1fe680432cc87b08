"""Which base model each config applies to.

Only data flow counts: the model variable and the config that meet in
``get_peft_model(model, config)``, ``model.add_adapter(config)``,
``PeftModel(model, config)`` or ``SFTTrainer(model=..., peft_config=...)``. A config
that never meets a model in the code is not checked (the nearest loader in the file is
often another model: a test file loads several, a helper applies the config to a
caller's model). A config applied to an instance of a module class defined in the file
is linked to that class's tree, read from its source (:mod:`.module_tree`); when the tree
is not static the config is noted as such and left alone.

A function's parameter is followed to the arguments of its calls in the same file (see
:mod:`.callers`): ``def train(model, config)`` called as ``train(loaded, cfg)`` links
``cfg`` to ``loaded``. When the calls pass different models the config stays unlinked
(lora-lint judges a config against one model), as it does when the function is not
only called in the file. A marimo cell's parameter comes from the one cell defining it;
a test's parameter from its ``parametrize``/``parameterized.expand`` cases or fixture.

The linker also records what the code itself says about a config: created or applied
inside ``pytest.raises`` (:mod:`.expectations`), changed after it is created
(``config.target_modules = ...``), or inert because unsloth loaded the model with
``full_finetuning=True``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import libcst as cst

from lora_lint.extract.cstwalk import descendants
from lora_lint.extract.python.callers import Callers
from lora_lint.extract.python.catalog import MODEL_SELF_METHODS, MODEL_WRAPPERS
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.evaluator import Evaluator
from lora_lint.extract.python.expectations import Expectations
from lora_lint.extract.python.models import ModelSite
from lora_lint.extract.python.module_tree import Closure, ModuleTrees
from lora_lint.extract.python.scopes import (
    Assigned,
    Binding,
    Defined,
    Parameter,
    binding_anchor,
    bound_names,
)
from lora_lint.extract.python.source import Pos
from lora_lint.extract.types import ExtractedConfig, LocalModel, Located, ModelRef
from lora_lint.models.heads import DIFFUSERS_COMPONENT, DIFFUSERS_PIPELINE

#: Instances of classes of the file: the call that creates one, its class (None: a torch
#: container built in place), and the helper function holding the call with the static
#: values the call that ran it gave its parameters (see ``ModuleTrees.read``).
_Instances = list[tuple[cst.Call, cst.ClassDef | None, Closure | None]]

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
        self.trees = ModuleTrees(ctx)
        self.expectations = Expectations(ctx)
        self.evaluator = Evaluator(ctx)
        self._instance_writes: list[tuple[cst.Name, cst.CSTNode]] | None = None

    def link(self) -> None:
        """Set ``config.model`` on every config site for which some model is known."""
        for site in self.configs:
            site.config.model = site.own_model
            expects = self.expectations.failure_at(site.at)
            if expects is not None:
                site.config.facts = dataclasses.replace(site.config.facts, expects_failure=expects)
        for link in self.links:
            expects = self.expectations.failure_at(self.ctx.source.start(link.node))
            if expects is not None:
                for expr in link.configs:
                    for target in self.configs_of(expr):
                        target.config.facts = dataclasses.replace(
                            target.config.facts, expects_failure=expects
                        )
            model = next(filter(None, (self.model_of(expr) for expr in link.models)), None)
            if model is None:
                local = self._local_model(link.models)
                if local is None:
                    continue
                for expr in link.configs:
                    for target in self.configs_of(expr):
                        if target.config.model is not None:
                            continue
                        if isinstance(local, ModelRef):
                            target.config.model = local
                        else:
                            target.config.facts = dataclasses.replace(
                                target.config.facts,
                                applied_to=f"a module class of this file ({local})",
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
                if model is not None and site.config.facts.helper:
                    self._unsloth_full_finetuning(site, model)

    def _unsloth_full_finetuning(self, site: ConfigSite, model: ModelSite) -> None:
        """unsloth's ``from_pretrained(full_finetuning=True)`` makes its ``get_peft_model``
        return the model unchanged (``UNSLOTH_ENABLE_FULL_FINETUNING``, read in unsloth's
        ``models/llama.py`` and ``models/vision.py``): the LoRA settings are never applied."""
        call = model.node
        if not isinstance(call, cst.Call):
            return
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value != "full_finetuning":
                continue
            value = self.evaluator.evaluate(arg.value)
            facts = site.config.facts
            if isinstance(value, Located) and value.value is True:
                site.config.facts = dataclasses.replace(
                    facts,
                    inert="the model is loaded with full_finetuning=True, so unsloth's "
                    "get_peft_model returns it unchanged and the whole model trains",
                    switch_span=self.ctx.source.span(arg),
                )
            elif not (isinstance(value, Located) and value.value in (False, None)):
                site.config.facts = dataclasses.replace(
                    facts,
                    not_judged="full_finetuning of the model's from_pretrained is not static "
                    "(unsloth's get_peft_model does nothing when it is true)",
                )

    def _local_model(self, exprs: list[cst.BaseExpression]) -> ModelRef | str | None:
        """The model of the first expression that is an instance of a module class of this
        file, read statically (a str: why its tree is not known; None: no such instance)."""
        for expr in exprs:
            calls = self._local_calls(expr)
            if calls is None:
                continue
            if isinstance(calls, str):
                return calls
            trees = [self.trees.read(call, cls, closure) for call, cls, closure in calls]
            reasons = [t for t in trees if isinstance(t, str)]
            if reasons:
                return reasons[0]
            models = [t for t in trees if isinstance(t, LocalModel)]
            if any(m.modules != models[0].modules for m in models):
                return "applied to instances of different module trees"
            tree, (call, cls, _) = models[0], calls[0]
            held = (
                f"an instance of the class {tree.class_name} of this file (line {tree.line})"
                if cls is not None or self.trees.class_of(call) is not None
                else f"{tree.what} at line {tree.line}"
            )
            return ModelRef(
                tree.class_name,
                span=self.ctx.source.span(call),
                origin=f"{held}, its modules read from the source",
                local=tree,
            )
        return None

    def _local_calls(self, expr: cst.BaseExpression, hops: int = 0) -> _Instances | str | None:
        """``MLP()`` / ``model = MLP()``: the calls creating an instance of a class of this
        file that ``expr`` holds (None: not such an instance; a str: it may be, but the
        code does not show which class or arguments for certain)."""
        if hops >= _MAX_HOPS:
            return None
        if isinstance(expr, cst.Call):
            cls = (
                self.trees.class_of(expr)
                or self._nested_class(expr)
                or self._class_held(expr.func, hops)
            )
            if cls is not None:
                return [(expr, cls, None)]
            if self.trees.container_of(expr) is not None:
                return [(expr, None, None)]  # nn.Sequential(nn.Linear(10, 10)) as the model
            inner = self._wrapped_model(expr)
            if inner is not None:
                return self._local_calls(inner, hops + 1)
            values = self.callers.returns(expr)
            via_method = False
            if values is None:
                values = self.callers.method_returns(expr)
                via_method = values is not None
            found = self._all_local(values, hops)
            if via_method and isinstance(found, list):
                owner = self.callers.method_owner(expr)
                if owner is None or self.callers.subclassed(owner):
                    return "a subclass may override the method that makes the model"
            if isinstance(found, list):
                found = self._with_arguments(expr, found)
            return found
        if isinstance(expr, cst.Name):
            binding = self._binding(expr)
            if isinstance(binding, Parameter):
                cell = self.callers.cell_input(binding)
                if cell is not None:
                    binding = cell
                else:
                    args = self.callers.passed(binding) or self.callers.fixture_values(binding)
                    return self._all_local(args, hops)
            if isinstance(binding, Assigned) and not binding.index:
                changed = self._instance_changed(expr, binding)
                if changed is not None:
                    return changed
                return self._local_calls(binding.value, hops + 1)
        return None

    def _with_arguments(self, call: cst.Call, found: _Instances) -> _Instances:
        """``self.get_model(num_layers=4)`` returning ``MLP(num_layers)``: the instances made
        in that function's body read its parameters as this call binds them (static values
        only; a name its body rebinds is left alone)."""
        bound = self.callers.call_arguments(call)
        if bound is None:
            return found
        function, arguments = bound
        env: dict[str, object] = {}
        for name, argument in arguments.items():
            value = self.evaluator.evaluate(argument)
            if isinstance(value, Located) and _is_static_scalar(value.value):
                env[name] = value.value
        if not env:
            return found
        out: _Instances = []
        for instance, cls, inner in found:
            # the names mean these values only in the body of that function (a class defined
            # there reads them as its closure)
            here = inner is None and self._inside(instance, function)
            out.append((instance, cls, Closure(function, env) if here else inner))
        return out

    def _inside(self, node: cst.CSTNode, function: cst.FunctionDef) -> bool:
        return self.ctx.source.contains(function.body, self.ctx.source.start(node))

    def _instance_changed(self, use: cst.Name, binding: Assigned) -> str | None:
        """``model.head = nn.Linear(...)``, ``model.add_module(...)`` or ``setattr(model, ...)``
        on the instance before ``use``: its tree is no longer the one its class builds."""
        if self._instance_writes is None:
            self._instance_writes = []
            for node in descendants(self.ctx.source.module):
                target = _instance_write(node)
                if target is not None:
                    self._instance_writes.append((target, node))
        use_at = self.ctx.source.start(use)
        function = self.ctx.scopes.function_at(use_at)
        for target, node in self._instance_writes:
            if target.value != use.value:
                continue
            at = self.ctx.source.start(node)
            if at >= use_at and self.ctx.scopes.function_at(at) is function:
                continue  # after the use
            seen = self.ctx.scopes.lookup(target.value, at)
            if seen is not None and binding_anchor(seen) == binding_anchor(binding):
                return f"the instance is changed after it is created (line {at[0]})"
        return None

    def _nested_class(self, call: cst.Call) -> cst.ClassDef | None:
        """``self.MLP()`` / ``TestLora.MLP()``: a class defined in the body of the class
        whose method makes the call (no class of the file derives from it, nothing assigns
        the name) or of the class named."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        owner: cst.ClassDef | None = None
        if func.value.value in ("self", "cls"):
            caller = self.ctx.scopes.function_at(self.ctx.source.start(call))
            owner = self.callers.method_owner(call)
            params = caller.params.params if caller is not None else ()
            if not params or params[0].name.value != func.value.value:
                return None
            if owner is not None and self.callers.subclassed(owner):
                return None  # a subclass may define its own MLP
        else:
            binding = self._binding(func.value)
            if isinstance(binding, Defined) and isinstance(binding.node, cst.ClassDef):
                owner = binding.node
        if owner is None:
            return None
        name = func.attr.value
        found = None
        for stmt in owner.body.body if isinstance(owner.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == name:
                found = stmt
            elif name in bound_names(stmt):
                return None  # MLP = ... in the class body too
        if found is None:
            return None
        for node in descendants(owner):
            if (
                isinstance(node, cst.AssignTarget | cst.AnnAssign)
                and isinstance(node.target, cst.Attribute)
                and node.target.attr.value == name
            ):
                return None  # self.MLP = ...: not the class of the body
        return found

    def _class_held(self, func: cst.BaseExpression, hops: int) -> cst.ClassDef | None:
        """The one class of this file a name holds: ``model_cls()`` where the pytest
        fixture (or every caller) ``model_cls`` returns (passes) that class."""
        if not isinstance(func, cst.Name) or hops >= _MAX_HOPS:
            return None
        binding = self._binding(func)
        values: list[cst.BaseExpression] | None = None
        if isinstance(binding, Parameter):
            values = self.callers.passed(binding) or self.callers.fixture_values(binding)
        elif isinstance(binding, Assigned) and not binding.index:
            values = [binding.value]
        classes = set()
        found = None
        for value in values or ():
            if not isinstance(value, cst.Name):
                return None
            held = self._binding(value)
            if isinstance(held, Defined) and isinstance(held.node, cst.ClassDef):
                classes.add(id(held.node))
                found = held.node
            else:
                nested = self._class_held(value, hops + 1)
                if nested is None:
                    return None
                classes.add(id(nested))
                found = nested
        return found if len(classes) == 1 else None

    def _all_local(
        self, exprs: list[cst.BaseExpression] | None, hops: int
    ) -> _Instances | str | None:
        """The local instances all of ``exprs`` hold (None unless every one is one)."""
        found: _Instances = []
        for value in exprs or ():
            calls = self._local_calls(value, hops + 1)
            if calls is None:
                return None
            if isinstance(calls, str):
                return calls
            found += calls
        return found or None

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
        values = self.callers.passed(binding) or self.callers.parametrized_values(binding)
        for arg in values or ():
            found += [s for s in self.configs_of(arg, hops + 1) if all(s is not f for f in found)]
        changed = self.ctx.scopes.mutation(expr.value, binding, self.ctx.source.start(expr))
        for site in found if changed else ():
            # config0.target_modules = [...] on the parameter: not what the call wrote
            if not site.config.facts.not_judged:
                site.config.facts = dataclasses.replace(
                    site.config.facts,
                    not_judged=f"the config is changed after it is created: {changed}",
                )
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
            return self._returned_config(expr, hops)
        if isinstance(expr, cst.Name):
            binding = self._assigned(expr)
            if binding is not None and not binding.index:
                site = self.config_of(binding.value, hops + 1)
                changed = self.ctx.scopes.mutation(expr.value, binding, self.ctx.source.start(expr))
                if site is not None and changed and not site.config.facts.not_judged:
                    # config.target_modules = [...] before get_peft_model: what PEFT gets
                    # is not what the call wrote
                    site.config.facts = dataclasses.replace(
                        site.config.facts,
                        not_judged=f"the config is changed after it is created: {changed}",
                    )
                return site
        return None

    def _returned_config(self, call: cst.Call, hops: int) -> ConfigSite | None:
        """``make_config()`` / ``self.get_config(r=4)``: the one config site every return
        of that function (or method, when no class of the file derives from its class)
        is."""
        values = self.callers.returns(call)
        if values is None:
            values = self.callers.method_returns(call)
            owner = self.callers.method_owner(call) if values is not None else None
            if values is not None and (owner is None or self.callers.subclassed(owner)):
                return None
        sites = [self.config_of(value, hops + 1) for value in values or ()]
        first = sites[0] if sites else None
        if first is None or any(site is not first for site in sites):
            return None
        return first

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
            if values is None:
                owner = self.callers.method_owner(expr)
                if owner is not None and not self.callers.subclassed(owner):
                    values = self.callers.method_returns(expr)  # self.get_base_model()
            return self._one_model(values, hops, "a value returned by {}()", expr.func)
        if isinstance(expr, cst.Name):
            return self._model_of_binding(self._binding(expr), hops)
        if isinstance(expr, cst.Attribute):
            return self._pipeline_component(expr, hops)
        return None

    def _pipeline_component(self, expr: cst.Attribute, hops: int) -> ModelSite | None:
        """``pipe.transformer`` / ``pipe.unet`` of a diffusers pipeline loaded from an id:
        that component of the pipeline's repository is the model."""
        site = self.model_of(expr.value, hops + 1)
        if site is None or site.ref.head != DIFFUSERS_PIPELINE:
            return None
        ref = dataclasses.replace(
            site.ref,
            head=f"{DIFFUSERS_COMPONENT}{expr.attr.value}",
            origin=f"the {expr.attr.value} of {site.ref.origin}",
        )
        return dataclasses.replace(site, ref=ref)

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
        args = self.callers.passed(param)
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


#: Methods that add, replace or remove a submodule of a module or torch container.
_REGISTERING_METHODS = frozenset(
    {"add_module", "register_module", "append", "extend", "insert", "update", "pop", "clear"}
)


def _instance_write(node: cst.CSTNode) -> cst.Name | None:
    """The variable whose instance ``node`` may give a new submodule or lose one:
    ``x.attr = value`` (a value that is not a plain constant), ``x[0] = value``,
    ``x.add_module(...)``, ``x.append(...)``, ``setattr(x, ...)``, ``del x.attr``."""
    if isinstance(node, cst.Assign | cst.AnnAssign):
        targets = (
            [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        )
        value = node.value
        constant = isinstance(
            value, cst.Integer | cst.Float | cst.SimpleString | cst.ConcatenatedString
        ) or (isinstance(value, cst.Name) and value.value in ("True", "False", "None"))
        for target in targets:
            if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                return target.value  # nn.Sequential / ModuleList / ModuleDict item
            if (
                isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and not constant
            ):
                return target.value
        return None
    if isinstance(node, cst.Del):
        deleted = node.target
        if isinstance(deleted, cst.Attribute | cst.Subscript) and isinstance(
            deleted.value, cst.Name
        ):
            return deleted.value
        return None
    if isinstance(node, cst.Call):
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _REGISTERING_METHODS
            and isinstance(func.value, cst.Name)
        ):
            return func.value
        if isinstance(func, cst.Name) and func.value == "setattr" and node.args:
            first = node.args[0].value
            return first if isinstance(first, cst.Name) else None
    return None


def _is_static_scalar(value: object) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))
