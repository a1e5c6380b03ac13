"""Speech: the Whisper-tiny encoder on an 80×3000 log-mel spectrogram (30 s of 16 kHz audio).

transformers' WhisperEncoder with the tiny sizes of Radford et al. 2022 (Table 1: 4 layers,
width 384, 6 heads; 39M parameters for encoder and decoder together). The output is the encoder's
last hidden state (N, 1500, 384), the tensor a decoder would attend to. Eager attention, as in
vit.py, keeps the exported graph free of the SDPA NaN guard."""

from __future__ import annotations

from torch import nn

from harness.zoo.hf import OutputField, transformers_module
from harness.zoo.seeded_model import SeededModel

INPUT_SHAPE = (80, 3000)
#: No reference publishes the encoder alone; this is the count of the published architecture:
#: conv1 92,544 + conv2 442,752 + 1500×384 positions 576,000 + 4 layers × 1,774,080 (attention
#: 590,976, MLP 1,181,568, two LayerNorms 1,536) + final LayerNorm 768.
PUBLISHED_PARAMS = 8_208_384


def whisper_tiny_encoder() -> nn.Module:
    """Return the Whisper-tiny encoder (random init) returning hidden states (N, 1500, 384)."""
    tf = transformers_module("whisper_tiny_encoder")
    config = tf.WhisperConfig(num_mel_bins=80, d_model=384, encoder_layers=4,
                              encoder_attention_heads=6, encoder_ffn_dim=1536,
                              max_source_positions=1500, activation_function="gelu",
                              attn_implementation="eager")
    from transformers.models.whisper.modeling_whisper import WhisperEncoder

    return OutputField(WhisperEncoder(config), "last_hidden_state")


#: No BatchNorm to calibrate; the published count is the whole encoder's.
MODEL = SeededModel("whisper_tiny_encoder", "Whisper-tiny encoder on 80×3000 log-mel",
                    whisper_tiny_encoder, seed=3000, input_shape=INPUT_SHAPE, num_classes=None,
                    published_params=PUBLISHED_PARAMS, task="speech_encoding",
                    calibration_batch=None, params_folded=False)
#: The harness.zoo entry point.
entry = MODEL.entry
