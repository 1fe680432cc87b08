"""Turning a recognised call or dict into an :class:`ExtractedConfig`.

Each form (PEFT config class, unsloth ``get_peft_model``, TRL ``ModelConfig``,
mmengine/xtuner ``dict(type=LoraConfig, ...)``) differs only in how its keys
map to PEFT field names; the argument walking is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import libcst as cst

from lora_lint.diagnostics import Span
from lora_lint.extract.python.catalog import TRL_MODEL_CONFIG_KEYS, UNSLOTH_ONLY_KEYWORDS
from lora_lint.extract.python.evaluator import Evaluator
from lora_lint.extract.python.values import DictEntries, iter_unresolved
from lora_lint.extract.types import ExtractedConfig, Located, ToolFacts, Unresolved, Value

#: Maps a key as written to the PEFT field it sets (``None``: not a PEFT option).
Route = Callable[[str], "str | None"]


def _same_name(key: str) -> str | None:
    return key


class ConfigBuilder:
    """Builds configs for one module."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.source = evaluator.source

    def _new(self, node: cst.CSTNode, peft_type: str, facts: ToolFacts) -> ExtractedConfig:
        return ExtractedConfig(
            path=self.source.path,
            span=self.source.span(node),
            source="python",
            peft_type=peft_type,
            facts=facts,
        )

    # -- forms --------------------------------------------------------------

    def peft_call(self, call: cst.Call, class_name: str, peft_type: str) -> ExtractedConfig:
        """``LoraConfig(r=8, target_modules=[...], **extra)``."""
        config = self._new(call, peft_type, ToolFacts(config_class=class_name))
        self._arguments(config, call, _same_name, positional_model=False)
        return self._finish(config)

    def unsloth_call(self, call: cst.Call, helper: str) -> ExtractedConfig:
        """``FastLanguageModel.get_peft_model(model, r=16, target_modules=[...])``.

        unsloth's own keywords (``use_gradient_checkpointing``, ``finetune_*``, ...)
        go to ``facts.unsloth_options``: they are valid there but are no PEFT field.
        """
        config = self._new(call, "LORA", ToolFacts(tool="unsloth", helper=helper))
        tool_options: dict[str, Value] = {}

        def route(key: str) -> str | None:
            return None if key in UNSLOTH_ONLY_KEYWORDS or key == "model" else key

        self._arguments(config, call, route, positional_model=True, ignored=tool_options)
        tool_options.pop("model", None)
        if "target_modules" not in config.options:
            # FastLanguageModel fills its own default list; FastModel/FastVisionModel build a
            # regex from the finetune_* flags: nothing written here names a module.
            config.facts = replace(
                config.facts, tool_expands_targets=f"unsloth's {helper} chooses the targets"
            )
        if tool_options:
            config.facts = replace(config.facts, unsloth_options=tool_options)
        return self._finish(config)

    def trl_model_config(self, call: cst.Call) -> ExtractedConfig:
        """TRL ``ModelConfig(use_peft=True, lora_target_modules=[...], lora_r=...)``."""
        config = self._new(call, "LORA", ToolFacts(tool="trl"))
        ignored: dict[str, Value] = {}
        self._arguments(
            config, call, TRL_MODEL_CONFIG_KEYS.get, positional_model=False, ignored=ignored
        )
        targets = config.options.get("target_modules")
        if targets is not None:
            from lora_lint.extract.tools.trl import collapse_single_target

            config.options["target_modules"] = collapse_single_target(targets, config)
        use_peft = ignored.get("use_peft")
        if isinstance(use_peft, Unresolved):
            config.unresolved.append(use_peft)
        if not (isinstance(use_peft, Located) and use_peft.value is True):
            config.facts = replace(config.facts, inert="use_peft is not set to True")
        return self._finish(config)

    def type_dict(
        self, node: cst.Dict | cst.Call, class_name: str, peft_type: str
    ) -> ExtractedConfig:
        """mmengine/xtuner ``dict(type=LoraConfig, r=64, ...)`` or ``{"type": LoraConfig, ...}``."""
        config = self._new(node, peft_type, ToolFacts(tool="xtuner", config_class=class_name))
        entries = self.evaluator.dict_entries(node)
        if isinstance(entries, Unresolved):
            return self._partial(config, entries)
        entries.entries.pop("type", None)
        self._entries(config, entries, _same_name, self.source.span(node))
        if "target_modules" not in config.options:
            config.facts = replace(
                config.facts,
                tool_expands_targets=(
                    "xtuner targets every linear layer but the head when target_modules is unset"
                ),
            )
        return self._finish(config)

    # -- arguments ----------------------------------------------------------

    def _arguments(
        self,
        config: ExtractedConfig,
        call: cst.Call,
        route: Route,
        *,
        positional_model: bool,
        ignored: dict[str, Value] | None = None,
    ) -> None:
        """Set options from keywords and ``**dict`` arguments of ``call``."""
        positional_seen = 0
        for arg in call.args:
            if arg.star == "**":
                entries = self.evaluator.dict_entries(arg.value)
                if isinstance(entries, Unresolved):
                    self._partial(config, entries)
                else:
                    self._entries(config, entries, route, self.source.span(arg), ignored)
            elif arg.star == "*":
                self._partial(
                    config, self.evaluator.unresolved(arg, "*args hide which options are set")
                )
            elif arg.keyword is None:
                positional_seen += 1
                if not (positional_model and positional_seen == 1):
                    reason = "a positional argument is not mapped to an option"
                    self._partial(config, self.evaluator.unresolved(arg, reason))
            else:
                key = arg.keyword.value
                value = self.evaluator.evaluate(arg.value)
                self._set(config, route, key, value, self.source.span(arg.keyword), ignored=ignored)

    def _entries(
        self,
        config: ExtractedConfig,
        entries: DictEntries,
        route: Route,
        fallback_span: Span,
        ignored: dict[str, Value] | None = None,
    ) -> None:
        """Options from a resolved ``**dict``; keys written in another file point at ``**``."""
        for key, entry in entries.entries.items():
            value = entry.value
            if entry.shadowed_by is not None:
                reason = f"'{key}' may be overridden by **{entry.shadowed_by.text}"
                value = Unresolved(entry.key_span, reason, text=key, path=entry.key_path)
            key_span = entry.key_span if entry.key_path is None else fallback_span
            self._set(config, route, key, value, key_span, ignored=ignored)
        for unknown in entries.unknown:
            self._partial(config, unknown)

    @staticmethod
    def _set(
        config: ExtractedConfig,
        route: Route,
        key: str,
        value: Value,
        key_span: Span,
        *,
        ignored: dict[str, Value] | None,
    ) -> None:
        field_name = route(key)
        if field_name is None:
            if ignored is not None:
                ignored[key] = value
            return
        config.options[field_name] = value
        config.option_keys[field_name] = key
        config.key_spans[field_name] = key_span

    @staticmethod
    def _partial(config: ExtractedConfig, why: Unresolved) -> ExtractedConfig:
        """Some options are hidden behind ``why``: the config is known only in part."""
        config.unresolved.append(why)
        config.facts = replace(config.facts, partial=True)
        return config

    @staticmethod
    def _finish(config: ExtractedConfig) -> ExtractedConfig:
        for value in config.options.values():
            config.unresolved.extend(iter_unresolved(value))
        return config
