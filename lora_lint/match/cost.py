"""What a LoRA config costs: adapted modules, trainable parameters, share of the model.

The counts replay what ``get_peft_model`` builds, layer type by layer type (peft 0.21
``tuners/lora/layer.py``), so they equal ``PeftModel.get_nb_trainable_parameters()``; the
tests in ``tests/inspect`` compare them on meta-device models:

* ``nn.Linear`` / transformers ``Conv1D`` in->out: ``lora_A`` (r x in) + ``lora_B`` (out x r)
  = ``r * (in + out)``;
* ``nn.Embedding`` num x dim: ``r * (num + dim)``;
* ``nn.ConvNd`` (weight out x in/g x k...): ``lora_A`` is a conv in->r with the same kernel,
  ``lora_B`` a 1x1 conv r->out with the base layer's groups: ``r*in*prod(k) + out*r/g``;
* ``nn.MultiheadAttention`` E: ``in_proj`` E->3E plus its ``out_proj`` E->E = ``6 * r * E``;
* a ``target_parameters`` tensor (``lora.ParamWrapper``): 2-D out x in ``r * (in + out)``,
  3-D experts E x a x b ``r * E * (a + b)`` (one rank-r pair per expert);
* DoRA adds a magnitude vector of ``out`` values per Linear/Conv1D;
* ``modules_to_save`` (and the classifier PEFT adds for SEQ_CLS/TOKEN_CLS/QUESTION_ANS)
  trains a full copy of each matched module, which PEFT counts in both totals.

``trainable%`` is PEFT's: trainable over *all* parameters of the PEFT model (base + adapter +
copies), as ``print_trainable_parameters`` prints it. Only LoRA is counted; other methods
return ``None`` from :func:`config_cost`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from lora_lint.match.peft_semantics import PeftOptions, rank_and_alpha, simulate
from lora_lint.models import inventory as inv
from lora_lint.models.inventory import ModelInventory, ModuleInfo

#: Modules PEFT's task-specific model classes add to ``modules_to_save``.
TASK_MODULES_TO_SAVE: dict[str, tuple[str, ...]] = {
    "SEQ_CLS": ("classifier", "score"),
    "TOKEN_CLS": ("classifier", "score"),
    "QUESTION_ANS": ("qa_outputs",),
}
#: Tasks whose model class adds them only *after* injecting LoRA (peft 0.21
#: ``PeftModelForTokenClassification``): the heads are not excluded from the targets, and a
#: head that LoRA wrapped makes PEFT raise ``TypeError: modules_to_save cannot be applied``.
TASKS_SAVING_AFTER_INJECTION = frozenset({"TOKEN_CLS"})

BYTES_PER_PARAM = {"bf16": 2, "fp32": 4}


@dataclass(frozen=True)
class TargetCost:
    """One module (or parameter) LoRA wraps."""

    name: str
    #: "module" (``target_modules``) or "parameter" (``target_parameters``).
    via: str
    cls: str
    kind: str
    #: (in, out) for modules, the tensor shape for parameters.
    shape: tuple[int, ...]
    rank: int
    lora_params: int


@dataclass
class CostReport:
    """The outcome of one config on one model."""

    targets: list[TargetCost] = field(default_factory=list)
    #: ``modules_to_save`` copies: (module name, parameters in the copy).
    saved: list[tuple[str, int]] = field(default_factory=list)
    base_params: int = 0
    #: PEFT's error kind (``Injection.error``: "not-found", "unsupported", "fused-pair", ...)
    #: or "unsupported-method" (not LoRA: not counted).
    error: str | None = None
    error_message: str | None = None
    notes: list[str] = field(default_factory=list)
    #: The options PEFT really matches with (MoE rewrite, defaults, all-linear expanded).
    effective: PeftOptions | None = None
    #: ``target_modules`` entry -> expert parameter PEFT moved it to (transformers-5 MoE).
    moved_to_parameters: dict[str, str] = field(default_factory=dict)

    @property
    def lora_params(self) -> int:
        return sum(t.lora_params for t in self.targets)

    @property
    def saved_params(self) -> int:
        return sum(n for _, n in self.saved)

    @property
    def trainable(self) -> int:
        return self.lora_params + self.saved_params

    @property
    def all_params(self) -> int:
        """Parameters of the PEFT model, as ``get_nb_trainable_parameters()[1]``."""
        return self.base_params + self.trainable

    @property
    def percent(self) -> float:
        return 100.0 * self.trainable / self.all_params if self.all_params else 0.0

    @property
    def matched_modules(self) -> int:
        """Wrapped modules plus wrapped parameters (PEFT's ``targeted_module_names`` and
        ``targeted_parameter_names``)."""
        return len(self.targets)

    @property
    def module_targets(self) -> list[TargetCost]:
        return [t for t in self.targets if t.via == "module"]

    @property
    def parameter_targets(self) -> list[TargetCost]:
        return [t for t in self.targets if t.via == "parameter"]

    def size_bytes(self, dtype: str) -> int:
        """The adapter's tensors on disk (safetensors header not counted)."""
        return self.trainable * BYTES_PER_PARAM[dtype]


def _prod(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def module_lora_params(module: ModuleInfo, r: int, *, use_dora: bool = False) -> int:
    """Trainable parameters LoRA adds to one wrappable module at rank ``r``."""
    fin, fout = module.in_features or 0, module.out_features or 0
    dora = fout if use_dora else 0
    if module.kind in inv.LINEAR_KINDS:
        return r * (fin + fout) + dora
    if module.kind == inv.EMBEDDING:
        return r * (fin + fout) + (fout if use_dora else 0)
    if module.kind in (inv.CONV1D, inv.CONV2D, inv.CONV3D):
        weight = dict(module.params).get("weight")
        kernel = _prod(weight[2:]) if weight else 1
        groups = fin // weight[1] if weight and weight[1] else 1
        return r * fin * kernel + fout * (r // max(groups, 1)) + dora
    if module.kind == inv.MHA:
        embed = fin
        return r * (embed + 3 * embed) + r * (embed + embed)
    return 0


def parameter_lora_params(shape: Sequence[int], r: int) -> int:
    """Trainable parameters of a ``lora.ParamWrapper`` around a 2-D or 3-D tensor."""
    if len(shape) == 3:
        experts, a, b = shape
        return r * experts * (a + b)
    if len(shape) == 2:
        return r * (shape[0] + shape[1])
    return 0


def subtree_params(inventory: ModelInventory, name: str) -> int:
    """Parameters of ``name`` and everything below it."""
    prefix = name + "."
    return sum(m.n_params for m in inventory.modules if m.name == name or m.name.startswith(prefix))


def modules_to_save_of(options: PeftOptions) -> list[str]:
    saved = list(options.modules_to_save or [])
    saved.extend(TASK_MODULES_TO_SAVE.get((options.task_type or "").upper(), ()))
    return saved


def _saved_copies(options: PeftOptions, inventory: ModelInventory) -> list[tuple[str, int]]:
    """``_set_trainable``: every module whose name ends with an entry (no dot boundary)."""
    entries = modules_to_save_of(options)
    if not entries:
        return []
    out: list[tuple[str, int]] = []
    taken: list[str] = []
    for m in inventory.modules:
        if any(m.name.startswith(t + ".") for t in taken):
            continue
        if any(m.name.endswith(e) for e in entries):
            taken.append(m.name)
            out.append((m.name, subtree_params(inventory, m.name)))
    return out


def estimate(
    options: PeftOptions,
    inventory: ModelInventory,
    r: int | None = None,
    rank_pattern: Mapping[str, int] | None = None,
) -> CostReport:
    """Replay ``get_peft_model(model, LoraConfig(...))`` for ``options`` and count what it trains.

    ``r``/``rank_pattern`` override the values in ``options`` when given. Which modules and
    parameters are wrapped (MoE rewrite, defaults, exclusions, errors) is decided by
    :func:`~lora_lint.match.peft_semantics.simulate`; this function only prices them.
    """
    if r is not None:
        options = replace(options, r=r)
    if rank_pattern is not None:
        options = replace(options, rank_pattern=dict(rank_pattern))
    report = CostReport(base_params=inventory.total_params)
    if options.peft_type.upper() != "LORA":
        report.error = "unsupported-method"
        report.error_message = (
            f"parameter counts are computed for LoRA only, not {options.peft_type}"
        )
        return report
    task = (options.task_type or "").upper()
    if task in TASK_MODULES_TO_SAVE and task not in TASKS_SAVING_AFTER_INJECTION:
        # PEFT's task model extends modules_to_save before injecting, so the heads are
        # excluded from LoRA and trained as full copies.
        options = replace(options, modules_to_save=modules_to_save_of(options))
    injection = simulate(options, inventory)
    report.effective = injection.effective
    report.moved_to_parameters = dict(injection.moved_to_parameters)
    if injection.moved_to_parameters:
        moved = ", ".join(f"{k} -> {v}" for k, v in sorted(injection.moved_to_parameters.items()))
        report.notes.append(f"PEFT's transformers-5 MoE rewrite moves {moved} to target_parameters")
    if injection.error:
        report.error, report.error_message = injection.error.value, injection.message
        return report
    effective = injection.effective
    use_dora = bool(effective.use_dora)
    for name in injection.targeted:
        module = inventory.by_name[name]
        rank, _ = rank_and_alpha(effective, name)
        report.targets.append(
            TargetCost(
                name=name,
                via="module",
                cls=module.cls,
                kind=module.kind,
                shape=(module.in_features or 0, module.out_features or 0),
                rank=rank,
                lora_params=module_lora_params(module, rank, use_dora=use_dora),
            )
        )
    shapes = {key: (module_name, shape) for module_name, key, shape in inventory.parameters}
    for key in injection.targeted_parameters:
        module_name, shape = shapes[key]
        rank, _ = rank_and_alpha(effective, key)
        report.targets.append(
            TargetCost(
                name=key,
                via="parameter",
                cls=inventory.by_name[module_name].cls,
                kind="parameter",
                shape=tuple(shape),
                rank=rank,
                lora_params=parameter_lora_params(shape, rank),
            )
        )
    report.saved = _saved_copies(options, inventory)
    wrapped = {t.name for t in report.module_targets}
    clash = [name for name, _ in report.saved if name in wrapped]
    if clash:
        report.error = "modules-to-save-wrapped"
        report.error_message = (
            f"{clash[0]} is both adapted by LoRA and in modules_to_save; PEFT raises "
            "`TypeError: modules_to_save cannot be applied to modules of type lora.Linear`"
        )
    return report


def config_cost(
    options: PeftOptions,
    inventory: ModelInventory,
    r: int,
    rank_pattern: dict[str, int] | None,
) -> tuple[int, int, float] | None:
    """``(matched_modules, trainable_params, percent)`` of one LoRA config, for ``check``.

    ``matched_modules`` counts wrapped modules plus wrapped parameters (MoE experts);
    ``trainable_params`` and ``percent`` are what ``print_trainable_parameters`` prints.
    ``None`` when PEFT would raise for this config or the method is not LoRA, because any
    number would then be a guess.
    """
    report = estimate(options, inventory, r, rank_pattern)
    if report.error:
        return None
    return report.matched_modules, report.trainable, report.percent
