"""Image classification: ViT-S/16 (ViT-Small, patch 16; DeiT-S has the same shape) on 224×224.

Built from transformers' ViT with eager attention: the export is then plain MatMul + Softmax,
without the NaN guard (Where + IsNaN) that torch's scaled_dot_product_attention exports."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from harness.zoo.entry import ZooEntry, edge_entry
from harness.zoo.hf import OutputField, transformers_module
from harness.zoo.layers import seeded

INPUT_SHAPE = (3, 224, 224)
NUM_CLASSES = 1000
SEED = 1616
#: timm vit_small_patch16_224 reports 22,050,664 parameters (DeiT paper, DeiT-S: 22M).
PUBLISHED_PARAMS = 22_050_664


def vit_small() -> nn.Module:
    """Return ViT-S/16 (random init) returning logits (N, 1000) from the class token."""
    tf = transformers_module("vit_small")
    config = tf.ViTConfig(hidden_size=384, num_hidden_layers=12, num_attention_heads=6,
                          intermediate_size=1536, hidden_act="gelu", image_size=224,
                          patch_size=16, qkv_bias=True, layer_norm_eps=1e-6,
                          num_labels=NUM_CLASSES, attn_implementation="eager")
    return OutputField(tf.ViTForImageClassification(config), "logits")


def build(cache_dir: Path) -> nn.Module:
    """Return ViT-S/16 in eval mode with seeded random weights (no BatchNorm to calibrate)."""
    del cache_dir
    return seeded(vit_small, SEED)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return edge_entry("vit_small", "ViT-S/16 (ViT-Small, patch 16), 224×224", INPUT_SHAPE,
                      "classification", NUM_CLASSES, PUBLISHED_PARAMS, build)
