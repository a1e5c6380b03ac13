"""A 2-layer, hidden-64 SmolLM2-shaped model (random weights) for fast generative CLI runs."""

from __future__ import annotations

TINY_SHAPE = ["generative.model.config.num_hidden_layers=2",
              "generative.model.config.hidden_size=64",
              "generative.model.config.intermediate_size=128",
              "generative.model.config.num_attention_heads=2",
              "generative.model.config.num_key_value_heads=1",
              "generative.model.config.head_dim=32",
              "generative.model.config.vocab_size=512"]
#: model=smollm2_135m in the tiny shape, estimated energy, in-process
TINY = ["model=smollm2_135m", *TINY_SHAPE, "meter=estimated", "isolation=none"]
#: 16 tokens in, 8 out
LENGTHS = ["generative.prompts.input_tokens=16", "generative.prompts.output_tokens=8"]
