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
    #: Tool-specific notes for rules (e.g. {"inert": "adapter is not set"}).
    notes: dict[str, object] = field(default_factory=dict)
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
