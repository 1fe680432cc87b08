"""What every tool adapter shares: the context it reads and helpers to build configs.

An adapter is one small module with ``detect(ctx) -> bool`` and
``extract(ctx) -> list[ExtractedConfig]``; it translates its tool's key names to
PEFT field names so the matcher and rules never need to know which tool wrote
the file. Adapters only read the positioned tree, so YAML and JSON (and later
TOML or CLI flags turned into a tree) share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from lora_lint.diagnostics import Span
from lora_lint.extract.positioned import Document
from lora_lint.extract.types import ExtractedConfig, Located, ModelRef, Unresolved, Value
from lora_lint.models import heads

#: ``LoraConfig`` dataclass fields in peft 0.21.2 (checked against peft in the tests).
LORA_FIELDS: frozenset[str] = frozenset(
    {
        "task_type",
        "peft_type",
        "auto_mapping",
        "peft_version",
        "base_model_name_or_path",
        "revision",
        "inference_mode",
        "r",
        "target_modules",
        "exclude_modules",
        "lora_alpha",
        "lora_dropout",
        "fan_in_fan_out",
        "bias",
        "use_rslora",
        "modules_to_save",
        "init_lora_weights",
        "layers_to_transform",
        "layers_pattern",
        "rank_pattern",
        "alpha_pattern",
        "megatron_config",
        "megatron_core",
        "trainable_token_indices",
        "loftq_config",
        "eva_config",
        "corda_config",
        "lora_ga_config",
        "use_dora",
        "velora_config",
        "alora_invocation_tokens",
        "use_qalora",
        "qalora_group_size",
        "monteclora_config",
        "layer_replication",
        "runtime_config",
        "lora_bias",
        "target_parameters",
        "use_bdlora",
        "arrow_config",
        "kasa_config",
        "ensure_weight_tying",
    }
)

#: PEFT ``TaskType`` -> the head kinds of :class:`ModelRef` (one table, in models.heads).
TASK_TYPE_HEADS = heads.TASK_TYPE_HEADS


#: The value LLaMA-Factory's lone ``all`` (and PEFT's own shortcut) stand for.
ALL_LINEAR = "all-linear"

#: How most trainers spell the core LoraConfig fields (TRL's ``ModelConfig``, Oumi,
#: axolotl, H2O LLM Studio): the start of their key tables.
LORA_R_KEYS: dict[str, str] = {
    "lora_r": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
}
#: TRL's ``ModelConfig`` and Oumi's ``PeftParams`` go on with the same list options.
TRAINER_LORA_KEYS: dict[str, str] = {
    **LORA_R_KEYS,
    "lora_modules_to_save": "modules_to_save",
    "lora_target_parameters": "target_parameters",
}
#: The same fields as ms-swift, LLaMA-Factory and torchtune spell them.
LORA_RANK_KEYS: dict[str, str] = {
    "lora_rank": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
}


@dataclass
class ToolContext:
    """One document of one file, as every adapter sees it."""

    path: str
    #: "yaml" or "json": the generic adapter's ``source``.
    kind: str
    document: Document
    #: Shown in text output for multi-document files ("document 2").
    location_hint: str | None = None
    #: ``id()`` of mappings a specific adapter already turned into a config.
    claimed: set[int] = field(default_factory=set)

    @property
    def root(self) -> Located | None:
        """The document's top-level mapping (``None`` for a list or scalar document)."""
        return as_mapping(self.document.root)

    @property
    def keys(self) -> dict[str, Value]:
        """The top-level keys (none when the document is not a mapping): what ``detect`` reads."""
        root = self.root
        return entries(root) if root is not None else {}

    def marked(self, key: str, markers: Iterable[str]) -> bool:
        """The top-level mapping has ``key`` and one of a tool's ``markers``: its detector."""
        keys = self.keys
        return key in keys and any(marker in keys for marker in markers)

    def section(self, key: str) -> Located | None:
        """The top-level mapping's sub-mapping ``key`` (``None`` when either is missing)."""
        return as_mapping(self.keys.get(key))

    def claim_root(self) -> Located | None:
        """The top-level mapping, claimed: an adapter that reads the whole document."""
        root = self.root
        if root is not None:
            self.claim(root)
        return root

    def claim_section(self, key: str) -> Located | None:
        """The sub-mapping ``key``, claimed: an adapter that reads one section (``peft:``)."""
        section = self.section(key)
        if section is not None:
            self.claim(section)
        return section

    def claim(self, mapping: Located) -> None:
        """Keep the generic adapter from extracting this mapping a second time."""
        self.claimed.add(id(mapping))

    def is_claimed(self, mapping: Located) -> bool:
        return id(mapping) in self.claimed

    def split_commas(self, value: Located) -> Located:
        return self.document.split_commas(value)


@dataclass(frozen=True)
class Adapter:
    """A registered tool adapter (see ``lora_lint.extract.tools.ADAPTERS``)."""

    name: str
    detect: Callable[[ToolContext], bool]
    extract: Callable[[ToolContext], list[ExtractedConfig]]


# --- reading the tree ------------------------------------------------------------


def as_mapping(value: Value | None) -> Located | None:
    """``value`` if it is a mapping, else ``None``."""
    if isinstance(value, Located) and value.container == "dict" and isinstance(value.value, dict):
        return value
    return None


def entries(mapping: Located) -> dict[str, Value]:
    return mapping.value if isinstance(mapping.value, dict) else {}


def get(mapping: Located, key: str) -> Value | None:
    return entries(mapping).get(key)


def key_span(mapping: Located, key: str) -> Span:
    return (mapping.key_spans or {}).get(key, mapping.span)


def text(value: Value | None) -> str | None:
    """The string a scalar holds (``None`` for anything else)."""
    if isinstance(value, Located) and isinstance(value.value, str) and not value.container:
        return value.value
    return None


def is_true(value: Value | None) -> bool:
    return isinstance(value, Located) and value.value is True


def is_blank(value: Value | None) -> bool:
    """Absent, null or empty: what ``if cfg.key:`` treats as unset."""
    if value is None:
        return True
    if isinstance(value, Unresolved):
        return False
    return value.value is None or value.value in ("", [], {})


def one_item_list(value: Located) -> Located:
    """Wrap a scalar into a list, as tools do with ``[value]`` (same span for both)."""
    return Located([value], value.span, container="list", path=value.path)


def iter_unresolved(value: Value | None) -> Iterator[Unresolved]:
    if isinstance(value, Unresolved):
        yield value
    elif isinstance(value, Located) and isinstance(value.value, dict):
        for item in value.value.values():
            yield from iter_unresolved(item)
    elif isinstance(value, Located) and isinstance(value.value, list):
        for item in value.value:
            yield from iter_unresolved(item)


def trainer_head(task_type: Value | None) -> str | None:
    """The head a trainer loads for PEFT's ``task_type`` as written (default ``CAUSAL_LM``);
    for a causal LM that is the image-text-to-text class its VLM scripts load too."""
    head = TASK_TYPE_HEADS.get((text(task_type) or "CAUSAL_LM").upper())
    return heads.TRAINER_LM if head == "causal-lm" else head


def head_from_class(name: str | None) -> str | None:
    """A head for an ``Auto*`` class or a concrete ``XxxForYyy`` class name."""
    if not name:
        return None
    if name in heads.AUTO_CLASS_HEADS:
        return heads.AUTO_CLASS_HEADS[name]
    if (
        not name.startswith("Auto")
        and name[:1].isupper()
        and ("For" in name or name.endswith("Model"))
    ):
        return name
    return None


# --- building configs ------------------------------------------------------------


class ConfigBuilder:
    """Accumulates one :class:`ExtractedConfig` from a mapping, key by key."""

    def __init__(
        self, ctx: ToolContext, mapping: Located, source: str, *, tool: str | None = None
    ) -> None:
        """``tool``: the training tool that hands the config to PEFT (``facts.tool``)."""
        self.ctx = ctx
        self.mapping = mapping
        self.config = ExtractedConfig(
            path=ctx.path, span=mapping.span, source=source, location_hint=ctx.location_hint
        )
        if tool is not None:
            self.config.facts = replace(self.config.facts, tool=tool)

    def take(self, key: str, peft_name: str) -> Value | None:
        """Copy ``key`` (as written) into ``options[peft_name]`` if the mapping has it."""
        value = get(self.mapping, key)
        if value is not None:
            self.put(peft_name, key, value)
        return value

    def take_all(self, key_map: Mapping[str, str]) -> None:
        """:meth:`take` every key of a tool's table (key as written -> PEFT field)."""
        for key, peft_name in key_map.items():
            self.take(key, peft_name)

    def inert(
        self,
        reason: str,
        *,
        switch: tuple[Located | None, str] | None = None,
        keep_earlier: bool = False,
    ) -> None:
        """The tool ignores these LoRA settings, because ``reason`` (LL016 says it).

        ``switch`` is (mapping, key) of the key that turns them off: LL016 points at it
        when it is written there. ``keep_earlier``: a reason recorded before stays (the
        tool checks that one first).
        """
        facts = self.config.facts
        if keep_earlier and facts.inert:
            return
        facts = replace(facts, inert=reason)
        if switch is not None:
            where, key = switch
            if where is not None and key in entries(where):
                facts = replace(facts, switch_span=key_span(where, key))
        self.config.facts = facts

    def put(self, peft_name: str, key: str, value: Value) -> None:
        """Set an option whose value the adapter computed (split, wrapped, renamed)."""
        self.config.options[peft_name] = value
        self.config.option_keys[peft_name] = key
        self.config.key_spans[peft_name] = key_span(self.mapping, key)

    def unknown(self, key: str) -> None:
        self.config.unknown_keys[key] = key_span(self.mapping, key)

    def model(
        self,
        key: str,
        origin: str,
        *,
        head: str | None = None,
        trust_remote_code: Value | None = None,
        mapping: Located | None = None,
    ) -> None:
        """Set ``config.model`` from a string-valued key (ignored when not a string)."""
        value = get(mapping or self.mapping, key)
        name = text(value)
        if not name or not isinstance(value, Located):
            return
        self.config.model = ModelRef(
            name=name,
            span=value.span,
            head=head,
            origin=origin,
            source_path=self.ctx.path,
            trust_remote_code=is_true(trust_remote_code),
        )

    def build(self) -> ExtractedConfig:
        self.config.unresolved = [
            u for v in self.config.options.values() for u in iter_unresolved(v)
        ]
        return self.config
