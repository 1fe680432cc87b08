"""An SFT script in the style of TRL's examples: its LoRA flags are TRL's ``ModelConfig``."""

from trl import ModelConfig, ScriptArguments, SFTConfig, SFTTrainer, TrlParser, get_peft_config

if __name__ == "__main__":
    parser = TrlParser((ScriptArguments, SFTConfig, ModelConfig))
    script_args, training_args, model_args = parser.parse_args_and_config()
    trainer = SFTTrainer(
        model=model_args.model_name_or_path,
        args=training_args,
        peft_config=get_peft_config(model_args),
    )
    trainer.train()
