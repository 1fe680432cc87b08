"""Tiny configs of real architectures, for tests that build models on the meta device."""

from __future__ import annotations

TINY: dict[str, dict[str, object]] = {
    "llama": dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=64,
                  intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, vocab_size=256),
    "mistral": dict(model_type="mistral", architectures=["MistralForCausalLM"], hidden_size=64,
                    intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, vocab_size=256),
    "qwen2": dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=64,
                  intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, vocab_size=256),
    "phi3": dict(model_type="phi3", architectures=["Phi3ForCausalLM"], hidden_size=64,
                 intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=4, vocab_size=256, pad_token_id=0, bos_token_id=1,
                 eos_token_id=2),
    "gemma2": dict(model_type="gemma2", architectures=["Gemma2ForCausalLM"], hidden_size=64,
                   intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                   num_key_value_heads=2, head_dim=16, vocab_size=256),
    "gpt2": dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], n_embd=64, n_layer=2,
                 n_head=4, vocab_size=256, n_positions=128),
    "falcon": dict(model_type="falcon", architectures=["FalconForCausalLM"], hidden_size=64,
                   num_hidden_layers=2, num_attention_heads=4, vocab_size=256),
    "opt": dict(model_type="opt", architectures=["OPTForCausalLM"], hidden_size=64, ffn_dim=128,
                num_hidden_layers=2, num_attention_heads=4, vocab_size=256,
                word_embed_proj_dim=64, max_position_embeddings=128),
    "bert": dict(model_type="bert", architectures=["BertModel"], hidden_size=64,
                 intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 vocab_size=256, max_position_embeddings=128),
    "t5": dict(model_type="t5", architectures=["T5ForConditionalGeneration"], d_model=64, d_ff=128,
               d_kv=16, num_layers=2, num_decoder_layers=2, num_heads=4, vocab_size=256),
}
