"""What the extractors produce: LoRA configs with every value tied to its source span.

Extractors never guess. A value is either a :class:`Located` (statically known,
with the span of the expression that produced it and, for containers, of each
element) or an :class:`Unresolved` (with the reason it could not be evaluated).
Downstream stages only see these types, so Python, YAML, JSON, notebooks and
shell launchers all feed the same matcher and rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lora_lint.diagnostics import Finding, Span
from lora_lint.models.inventory import ModuleInfo


@dataclass(frozen=True)
class Unresolved:
    """A value that could not be evaluated statically (reported as LL011)."""

    span: Span
    reason: str
    #: The expression as written, shortened for messages (e.g. ``args.targets``).
    text: str = ""
    #: Set when the expression lives in another file than the config (an imported constant).
    path: str | None = None


@dataclass(frozen=True)
class Located:
    """A statically known value and where it came from.

    ``value`` is a plain scalar (str, int, float, bool, None) or, for
    containers, a ``list[Located | Unresolved]`` (list/tuple/set: see
    ``container``) or ``dict[str, Located | Unresolved]``.
    """

    value: object
    span: Span
    #: "list", "tuple", "set", "dict" for containers, else "" (scalar).
    container: str = ""
    #: For a string that was split into entries (LLaMA-Factory's ``"q_proj,v_proj"``):
    #: the spans of the pieces are the item spans; ``value`` then holds the items.
    split_from_string: bool = False
    #: Set when the value was written in another file than the config that uses it
    #: (a constant imported from a sibling module): ``span`` then refers to that file.
    path: str | None = None
    #: For mappings: the span of each key as written (for "unknown key" findings).
    key_spans: dict[str, Span] | None = field(default=None, compare=False)

    @property
    def items(self) -> list[Located | Unresolved]:
        """Elements of a list/tuple/set value (empty for scalars and dicts)."""
        if self.container in ("list", "tuple", "set") and isinstance(self.value, list):
            return list(self.value)
        return []

    def plain(self) -> object:
        """The value as plain Python (unresolved parts become ``None``)."""
        return to_plain(self)


Value = Located | Unresolved


def to_plain(value: Value | None) -> object:
    if value is None or isinstance(value, Unresolved):
        return None
    if value.container == "dict" and isinstance(value.value, dict):
        return {k: to_plain(v) for k, v in value.value.items()}
    if value.container in ("list", "tuple", "set") and isinstance(value.value, list):
        return [to_plain(v) for v in value.value]
    return value.value


#: ``ModuleInfo.attrs`` keys of a row of a :class:`LocalModel` that stands for a Hugging Face
#: model the class loads (``self.encoder = AutoModel.from_pretrained("id")``): the engine
#: replaces the row's subtree with that model's own, built like any base model's.
HF_MODEL = "hf_model"
HF_HEAD = "hf_head"


@dataclass(frozen=True)
class LocalModel:
    """An ``nn.Module`` class of the linted code, its module tree read from the source
    (``extract/python/module_tree.py``): what ``named_modules()`` lists, root excluded."""

    class_name: str
    #: Line of the ``class`` statement (in the file of the config).
    line: int
    modules: tuple[ModuleInfo, ...]
    #: False when some parameter shape is not static: names and classes hold, counts do not.
    exact_shapes: bool = True
    #: What ``line`` points at, for messages: "the module class" (``class MLP``) or "the
    #: nn.Sequential built" (a torch container used as the model itself).
    what: str = "the module class"
    #: ``__init__`` sets ``self.config``: PEFT takes the model type (its default targets)
    #: from it, which the static tree does not know.
    has_config: bool = False


@dataclass(frozen=True)
class ModelRef:
    """Which base model a config applies to, as far as the source tells.

    ``name`` is a Hub id, a local path, or an alias; ``head`` is either a head
    kind ("causal-lm", "seq-cls", "token-cls", "seq2seq", "qa", "base") or a
    concrete transformers class name ("LlamaForCausalLM"); ``None`` means
    "take the config's ``architectures``".
    """

    name: str
    span: Span | None = None
    head: str | None = None
    #: Human description of where the reference came from, for messages.
    origin: str = ""
    #: The path of the file the reference was written in (for relative model paths).
    source_path: str | None = None
    trust_remote_code: bool = False
    #: The loader passes ``trust_remote_code`` as something other than a literal ``False``
    #: (a flag the user may set): a model known only by an alias may then run its own code.
    remote_code_flag: bool = False
    #: Set for an instance of a module class of the linted code: its static module tree.
    local: LocalModel | None = None


@dataclass(frozen=True)
class ToolFacts:
    """What an extractor learnt about how the training tool treats a config.

    The extractors (tool adapters, the Python front end, the shell reader) fill it in;
    the PEFT model (``match``) and the rules read it. Every field defaults to "nothing
    known" (``None``/``False``), so an extractor sets only what its tool does, with
    ``dataclasses.replace`` (the record is frozen: one stage never edits another's facts).
    """

    # -- which tool, which entry point ------------------------------------------------------
    #: The training tool that hands the config to PEFT ("unsloth", "trl", "xtuner",
    #: "torchtune", "mlx-lm", ...): the PEFT model applies what that tool changes first.
    tool: str | None = None
    #: The PEFT config class called in Python (``LoraConfig``, ``LoHaConfig``...): such a
    #: call rejects unknown keywords, so LL008 checks every key.
    config_class: str | None = None
    #: The unsloth helper that builds the config (``FastLanguageModel.get_peft_model``).
    helper: str | None = None
    #: How the tool was started when not from its own config file ("shell": a launch script).
    launcher: str | None = None
    #: torchtune's model builder (``torchtune.models.llama3_1.lora_llama3_1_8b``): the
    #: modules it builds are torchtune's, the model is the checkpoint it loads.
    builder: str | None = None

    # -- whether the tool applies the LoRA settings at all -----------------------------------
    #: Why the tool ignores these LoRA settings (LL016 reports it; nothing else is judged).
    inert: str | None = None
    #: The key that switches the adapter off (``use_peft: false``): LL016's anchor.
    switch_span: Span | None = None
    #: axolotl's ``adapter`` when it is not LoRA (``llama-adapter``...).
    adapter: str | None = None
    #: axolotl's ``lora_model_dir``: it loads that adapter, whose saved config decides.
    lora_model_dir: str | None = None
    #: LLaMA-Factory's ``adapter_name_or_path``: it resumes that adapter.
    adapter_name_or_path: str | None = None

    # -- targets the tool chooses itself -------------------------------------------------------
    #: What the tool targets when ``target_modules`` is not written (its own default:
    #: ``"all-linear"``, a description, or axolotl's empty list ``()``); ``None``: PEFT's default.
    implicit_target_modules: str | tuple[str, ...] | None = None
    #: The tool expands "all" itself, not as PEFT's ``all-linear`` would (e.g. on MoE
    #: models): a description of its expansion. Such configs are not judged by PEFT's rules.
    all_means: str | None = None
    #: The tool picks the targets from its own flags or defaults (unsloth, xtuner, ms-swift):
    #: a description for messages; such configs are not judged by PEFT's rules.
    tool_expands_targets: str | None = None
    #: Why lora-lint cannot tell what the tool does with these targets (an unknown script,
    #: a condition it does not model): the config is reported as not checked, with this reason.
    not_judged: str | None = None

    # -- how the tool rewrites what was written (LL015 explains each) --------------------------
    #: TRL's lone plain ``lora_target_modules`` entry, which TRL turns into a regex
    #: that matches no full module name.
    collapsed_to_regex: Located | None = None
    #: axolotl wrapped a string target into a list (``lora_target_linear``): the regex
    #: became one literal name.
    regex_became_literal: bool = False
    #: Unsloth Studio drops ``all-linear`` written beside other entries (these items).
    dropped_all_linear: tuple[Located, ...] = ()
    #: LLaMA-Factory v1 wraps a ``"q_proj,v_proj"`` string without splitting it.
    comma_not_split: bool = False
    #: Oumi joined ``lora_target_modules`` into one full-match regex (``..._regex: true``).
    targets_joined: bool = False
    #: Oumi joined ``lora_exclude_modules`` into one full-match regex.
    exclude_joined: bool = False
    #: torchtune's ``lora_attn_modules`` is a string, read by substring tests.
    attn_modules_string: bool = False
    #: torchtune ``lora_attn_modules`` entries it silently drops (not one of its names).
    dropped_entries: tuple[Located, ...] = ()
    #: MLX-LM compares keys for equality with paths inside a block (``self_attn.q_proj``),
    #: not by suffix as PEFT does.
    exact_block_paths: bool = False
    #: MLX-LM's ``num_layers`` (the last N blocks are adapted), as written.
    num_layers: Located | None = None
    #: The key ``num_layers`` was written under (``num_layers`` or older ``lora_layers``).
    num_layers_key: str | None = None

    # -- the model --------------------------------------------------------------------------------
    #: axolotl's ``type_of_model``/``model_type`` when it names no known head class.
    model_class: str | None = None
    #: The model revision the tool loads (TRL ``model_revision``, a saved config's ``revision``).
    revision: str | None = None
    #: The config is applied to something that is not a Hugging Face model (a module
    #: class of the linted code): why no model is checked.
    applied_to: str | None = None
    #: The code applies the config inside ``pytest.raises``/``pytest.warns``/``assertRaises``:
    #: it expects PEFT to fail or warn, so the config is judged but nothing is reported.
    expects_failure: str | None = None
    #: The repository's own script a shell launcher runs, read to learn how it parses the
    #: LoRA flags (its path as written relative to the project).
    script: str | None = None

    # -- Python front end -------------------------------------------------------------------------
    #: Some options hide behind an expression that could not be evaluated (``**kwargs``).
    partial: bool = False
    #: unsloth's own keywords (``use_gradient_checkpointing``...): valid, but no PEFT field.
    unsloth_options: dict[str, Value] | None = None
    #: Fields a PEFT config subclass adds to its base class (valid keywords for LL008).
    extra_fields: tuple[str, ...] | None = None
    #: A saved non-LoRA adapter config: its keys are not checked, and why.
    unknown_keys_unchecked: str | None = None


@dataclass
class ExtractedConfig:
    """One PEFT adapter configuration found in a file.

    ``options`` uses PEFT's own field names (``target_modules``, ``r``,
    ``modules_to_save``, ``layers_to_transform``, ...): each adapter translates
    its tool's keys, and records the key as written in ``option_keys`` so that
    messages can name what the user wrote.
    """

    path: str
    span: Span
    #: Where the config came from: "python", "peft-json", "axolotl", "llama-factory", "yaml", ...
    source: str
    #: PEFT method, upper-case as in ``PeftType`` ("LORA", "LOHA", "IA3", ...).
    peft_type: str = "LORA"
    options: dict[str, Value] = field(default_factory=dict)
    #: PEFT field name -> key as written in the source (e.g. "target_modules" -> "lora_target").
    option_keys: dict[str, str] = field(default_factory=dict)
    #: Spans of the keys/keywords themselves (for "unknown option" findings).
    key_spans: dict[str, Span] = field(default_factory=dict)
    #: Keys/keywords that are not PEFT fields, as written, with their spans (LL008 later).
    unknown_keys: dict[str, Span] = field(default_factory=dict)
    model: ModelRef | None = None
    #: axolotl ``lora_target_linear`` and similar: add every Linear leaf name to the targets.
    add_all_linear_leaves: bool = False
    #: Values that could not be resolved anywhere in this config (LL011).
    unresolved: list[Unresolved] = field(default_factory=list)
    #: What the extractor learnt about how the training tool treats this config.
    facts: ToolFacts = field(default_factory=ToolFacts)
    #: e.g. "cell 3" for notebooks: shown in text output.
    location_hint: str | None = None

    @property
    def target_modules(self) -> Value | None:
        return self.options.get("target_modules")

    def option(self, name: str) -> object:
        """Plain value of an option, ``None`` when absent or unresolved."""
        return to_plain(self.options.get(name))


@dataclass(frozen=True)
class Comment:
    """A real comment of a file (never text inside a string or a heredoc), found while the
    file is read, for the suppression directives it may hold."""

    line: int
    column: int
    #: From the ``#`` to the end of the line.
    text: str
    #: In a notebook: the cell and line it is written in ("cell 3, line 2").
    hint: str | None = None


@dataclass(frozen=True)
class CellHint:
    """Notebook characters ``column..end_column`` of file ``line`` are in ``hint``'s cell line."""

    line: int
    column: int
    end_column: int
    hint: str


def hint_at(hints: list[CellHint], line: int, column: int) -> str | None:
    """The hint of notebook position ``line:column`` (the line's first cell line if between)."""
    first = None
    for cell in hints:
        if cell.line == line:
            if cell.column <= column <= cell.end_column:
                return cell.hint
            first = first or cell.hint
    return first


@dataclass
class FileExtraction:
    """Everything one file yielded: its configs and any problems reading it."""

    path: str
    configs: list[ExtractedConfig] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: Model references found in the file that are not tied to a config
    #: (used as the "nearest in scope" model by other configs of the file).
    models: list[ModelRef] = field(default_factory=list)
    #: The file's comments that may hold a suppression directive (set when it is read).
    comments: list[Comment] = field(default_factory=list)
    #: Notebooks: where each code line's characters are (for the cell of any finding).
    cell_hints: list[CellHint] = field(default_factory=list)
