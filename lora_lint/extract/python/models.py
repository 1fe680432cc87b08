"""Base-model references: ``from_pretrained`` loaders, TRL ``model="id"`` and their model ids.

A model id is often not a literal at the call: scripts pass a parameter with a
default, an argparse option or a dataclass field of ``HfArgumentParser``. Those
defaults are what the script runs with when nobody overrides them, so they are
the best static answer for *which model*, unlike config values, where a default
that may be overridden is never trusted.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import libcst as cst

from lora_lint.diagnostics import Span
from lora_lint.extract.cstwalk import walk
from lora_lint.extract.python.attributes import ClassAttributes
from lora_lint.extract.python.callers import Callers
from lora_lint.extract.python.catalog import loader_head
from lora_lint.extract.python.context import ModuleContext
from lora_lint.extract.python.evaluator import Evaluator, Guard
from lora_lint.extract.python.scopes import Assigned, Parameter
from lora_lint.extract.python.source import Pos
from lora_lint.extract.types import Located, ModelRef
from lora_lint.models.heads import DIFFUSERS_PIPELINE

#: Keywords that carry the model id of a loader.
_NAME_KEYWORDS = ("pretrained_model_name_or_path", "model_name", "model_id")
#: ``name = other_name`` hops followed when looking for a model id.
_MAX_HOPS = 8


@dataclass
class ModelSite:
    """A place in the file that names a base model."""

    #: The call (or, for a TRL trainer, the ``model=`` expression) that names the model.
    node: cst.CSTNode
    ref: ModelRef
    at: Pos
    function: cst.FunctionDef | None
    #: False for ids handed to something else (TRL): only loaders count as "nearest model".
    from_loader: bool = True


class ModelFinder:
    """Finds model references of one module."""

    def __init__(self, ctx: ModuleContext, guard: Guard) -> None:
        self.ctx = ctx
        self.evaluator = Evaluator(ctx, guard, parameter_defaults=True)
        self._defaults: dict[str, list[cst.BaseExpression]] | None = None
        self._copies: dict[str, tuple[str, Span]] | None = None
        self.callers = Callers(ctx)
        self.attributes = ClassAttributes(ctx)
        #: Evaluates what a class assigns its attributes; defaults are not what callers pass.
        self._strict = Evaluator(ctx, guard)

    def site(self, node: cst.CSTNode, ref: ModelRef, *, from_loader: bool = True) -> ModelSite:
        at = self.ctx.source.start(node)
        return ModelSite(node, ref, at, self.ctx.scopes.function_at(at), from_loader)

    def loader(self, call: cst.Call) -> ModelSite | None:
        """``AutoModelForCausalLM.from_pretrained("id", ...)`` and the unsloth loaders."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "from_pretrained":
            return None
        qualified = self.ctx.imports.qualify(func.value)
        head = loader_head(qualified.dotted) if qualified is not None else None
        pipeline = qualified is not None and _is_diffusers_pipeline(qualified.dotted)
        if qualified is None or (head is None and not pipeline):
            return None
        arguments = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        name_expr = positional[0] if positional else _first(arguments, _NAME_KEYWORDS)
        origin = f"{qualified.last}.from_pretrained at {self._where(call)}"
        if head is None:  # a pipeline, not a model: ``pipe.transformer`` is one
            return self._site_for(
                call, name_expr, DIFFUSERS_PIPELINE, origin, None, from_loader=False
            )
        return self._site_for(call, name_expr, head, origin, arguments.get("trust_remote_code"))

    def loader_dict(self, call: cst.Call, loader: cst.Attribute) -> ModelSite | None:
        """mmengine/xtuner ``dict(type=AutoModelForCausalLM.from_pretrained, ...)``."""
        qualified = self.ctx.imports.qualify(loader.value)
        head = loader_head(qualified.dotted) if qualified is not None else None
        if qualified is None or head is None:
            return None
        arguments = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
        origin = f"{qualified.last}.from_pretrained at {self._where(call)}"
        name_expr = _first(arguments, _NAME_KEYWORDS)
        return self._site_for(call, name_expr, head, origin, arguments.get("trust_remote_code"))

    def named(
        self,
        node: cst.CSTNode,
        name_expr: cst.BaseExpression,
        head: str,
        origin: str,
        trust: cst.BaseExpression | None = None,
    ) -> ModelSite | None:
        """A model given by id to something else (``SFTTrainer(model=...)``, ``ModelConfig``)."""
        origin = f"{origin} at {self._where(node)}"
        return self._site_for(node, name_expr, head, origin, trust, from_loader=False)

    def _site_for(
        self,
        node: cst.CSTNode,
        name_expr: cst.BaseExpression | None,
        head: str,
        origin: str,
        trust: cst.BaseExpression | None,
        *,
        from_loader: bool = True,
    ) -> ModelSite | None:
        if name_expr is None:
            return None
        found = self.model_name(name_expr)
        if found is None:
            return None
        name, span = found
        copied = self.local_copies().get(_local_key(name))
        if copied is not None:
            name = copied[0]
            origin = f"{origin} (a snapshot_download of {name})"
        trusted = False
        if trust is not None:
            flag = self.evaluator.evaluate(trust)
            trusted = isinstance(flag, Located) and flag.value is True
        written_false = isinstance(trust, cst.Name) and trust.value == "False"
        ref = ModelRef(
            name=name,
            span=span,
            head=head,
            origin=origin,
            source_path=self.ctx.source.path,
            trust_remote_code=trusted,
            remote_code_flag=trust is not None and not written_false,
        )
        return self.site(node, ref, from_loader=from_loader)

    def _where(self, node: cst.CSTNode) -> str:
        return f"{self.ctx.source.path}:{self.ctx.source.start(node)[0]}"

    # -- model ids ----------------------------------------------------------

    def model_name(self, expr: cst.BaseExpression, hops: int = 0) -> tuple[str, Span] | None:
        """The model id ``expr`` stands for, with the span where it is written."""
        value = self.evaluator.evaluate(expr)
        if isinstance(value, Located) and isinstance(value.value, str) and value.value:
            span = value.span if value.path is None else self.ctx.source.span(expr)
            return value.value, span
        if hops >= _MAX_HOPS:
            return None
        if isinstance(expr, cst.Name):
            binding = self.ctx.scopes.lookup(expr.value, self.ctx.source.start(expr))
            if isinstance(binding, Parameter):
                return self._parameter_name(binding, hops)
            if isinstance(binding, Assigned) and not binding.index:
                return self.model_name(binding.value, hops + 1)
            return None
        if isinstance(expr, cst.Attribute):
            assigned = self.attributes.value(expr)
            if assigned is not None:
                return self._attribute_name(assigned)
            return self._option_default(expr.attr.value)
        if isinstance(expr, cst.Call):
            return self._call_result(expr, hops)
        return None

    def _attribute_name(self, assigned: cst.BaseExpression) -> tuple[str, Span] | None:
        """The model id of ``self.X`` from the one value its class assigns (see
        :mod:`.attributes`): only a value known statically, never a parameter default."""
        value = self._strict.evaluate(assigned)
        if isinstance(value, Located) and isinstance(value.value, str) and value.value:
            span = value.span if value.path is None else self.ctx.source.span(assigned)
            return value.value, span
        return None

    def _parameter_name(self, param: Parameter, hops: int) -> tuple[str, Span] | None:
        """A parameter's model id: a marimo cell input's defining cell, or the one id every
        call of the function in this file passes, or a test's (fixture's) same-file pytest
        fixture returns (see :mod:`.callers`)."""
        cell = self.callers.cell_input(param)
        if isinstance(cell, Assigned) and not cell.index:
            return self.model_name(cell.value, hops + 1)
        values = self.callers.passed(param) or self.callers.fixture_values(param)
        names = [self.model_name(arg, hops + 1) for arg in values or ()]
        if not names or any(n is None for n in names):
            return None
        return names[0] if len({n[0] for n in names if n is not None}) == 1 else None

    def _call_result(self, call: cst.Call, hops: int) -> tuple[str, Span] | None:
        """Calls whose result is a model id the code names: an environment variable's
        default (``os.environ.get("BASE", "org/name")``) and ``snapshot_download``, whose
        result is the local copy of ``repo_id``."""
        qualified = self.ctx.imports.qualify(call.func)
        name = qualified.dotted if qualified is not None else ""
        args = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
        if name in ("os.getenv", "os.environ.get") and len(args) >= 2:
            return self.model_name(args[1], hops + 1)
        if name in ("os.getenv", "os.environ.get") and "default" in keywords:
            return self.model_name(keywords["default"], hops + 1)
        if name.rsplit(".", 1)[-1] == "snapshot_download":
            repo = args[0] if args else keywords.get("repo_id")
            return self.model_name(repo, hops + 1) if repo is not None else None
        return None

    def local_copies(self) -> dict[str, tuple[str, Span]]:
        """``snapshot_download(repo, local_dir="./ckpt")`` in this file: ``./ckpt`` -> repo."""
        if self._copies is None:
            self._copies = {}
            for call in _calls_named(self.ctx.source.module, "snapshot_download"):
                keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
                args = [a.value for a in call.args if a.keyword is None and not a.star]
                repo = args[0] if args else keywords.get("repo_id")
                target = keywords.get("local_dir")
                if repo is None or target is None:
                    continue
                found = self.model_name(repo)
                where = self.evaluator.evaluate(target)
                if found and isinstance(where, Located) and isinstance(where.value, str):
                    self._copies[_local_key(where.value)] = found
        return self._copies

    def _option_default(self, dest: str) -> tuple[str, Span] | None:
        """The one default of an argparse option / dataclass field named ``dest``."""
        found: dict[str, Span] = {}
        for expr in self._option_defaults().get(dest, []):
            value = self.evaluator.evaluate(expr)
            if not (isinstance(value, Located) and isinstance(value.value, str) and value.value):
                return None
            span = value.span if value.path is None else self.ctx.source.span(expr)
            found.setdefault(value.value, span)
        if len(found) != 1:
            return None
        return next(iter(found.items()))

    def _option_defaults(self) -> dict[str, list[cst.BaseExpression]]:
        if self._defaults is None:
            collector = _DefaultCollector(self.evaluator)
            walk(self.ctx.source.module, collector)
            self._defaults = collector.defaults
        return self._defaults


def _local_key(path: str) -> str:
    """``./ckpt``, ``ckpt/`` and ``ckpt`` are one directory (relative to the same cwd)."""
    return posixpath.normpath(path) if path else path


def _calls_named(module: cst.Module, name: str) -> list[cst.Call]:
    """Every call of a function whose (last) name is ``name``."""
    found: list[cst.Call] = []

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            last = func.attr.value if isinstance(func, cst.Attribute) else None
            if isinstance(func, cst.Name):
                last = func.value
            if last == name:
                found.append(node)

    walk(module, _Finder())
    return found


def _first(
    arguments: dict[str, cst.BaseExpression], names: tuple[str, ...]
) -> cst.BaseExpression | None:
    for name in names:
        if name in arguments:
            return arguments[name]
    return None


class _DefaultCollector(cst.CSTVisitor):
    """argparse ``add_argument``/``set_defaults`` and ``@dataclass`` field defaults, by name."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.defaults: dict[str, list[cst.BaseExpression]] = {}

    def _add(self, name: str, expr: cst.BaseExpression) -> None:
        self.defaults.setdefault(name, []).append(expr)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
        if func.attr.value == "set_defaults":
            for name, expr in keywords.items():
                self._add(name, expr)
        elif func.attr.value == "add_argument" and "default" in keywords:
            dest = self._dest(node, keywords)
            if dest is not None:
                self._add(dest, keywords["default"])

    def _dest(self, node: cst.Call, keywords: dict[str, cst.BaseExpression]) -> str | None:
        """argparse's dest: ``dest=``, else the first long flag, else the first flag."""
        if "dest" in keywords:
            value = self.evaluator.evaluate(keywords["dest"])
            return (
                value.value if isinstance(value, Located) and isinstance(value.value, str) else None
            )
        flags = []
        for arg in node.args:
            if arg.keyword is None and not arg.star:
                value = self.evaluator.evaluate(arg.value)
                if isinstance(value, Located) and isinstance(value.value, str):
                    flags.append(value.value)
        if not flags:
            return None
        chosen = next((flag for flag in flags if flag.startswith("--")), flags[0])
        return chosen.lstrip("-").replace("-", "_") or None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not any(_is_dataclass(decorator.decorator) for decorator in node.decorators):
            return
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if (
                    isinstance(small, cst.AnnAssign)
                    and isinstance(small.target, cst.Name)
                    and small.value is not None
                ):
                    default = _field_default(small.value)
                    if default is not None:
                        self._add(small.target.value, default)


def _is_dataclass(decorator: cst.BaseExpression) -> bool:
    if isinstance(decorator, cst.Call):
        decorator = decorator.func
    if isinstance(decorator, cst.Attribute):
        return decorator.attr.value == "dataclass"
    return isinstance(decorator, cst.Name) and decorator.value == "dataclass"


def _field_default(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """``= field(default=X)`` -> X; ``= X`` -> X; ``default_factory`` has no static default."""
    func = value.func if isinstance(value, cst.Call) else None
    is_field = (isinstance(func, cst.Name) and func.value == "field") or (
        isinstance(func, cst.Attribute) and func.attr.value == "field"
    )
    if not is_field:
        return value
    assert isinstance(value, cst.Call)
    for arg in value.args:
        if arg.keyword is not None and arg.keyword.value == "default":
            return arg.value
    return None


def _is_diffusers_pipeline(dotted: str) -> bool:
    """``diffusers.FluxPipeline``, ``diffusers.AutoPipelineForText2Image``..."""
    return dotted.startswith("diffusers.") and "Pipeline" in dotted.rsplit(".", 1)[-1]
