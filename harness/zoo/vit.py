"""Image classification: ViT-S/16 (ViT-Small, patch 16; DeiT-S has the same shape) on 224×224.

Built from transformers' ViT with eager attention: the export is then plain MatMul + Softmax,
without the NaN guard (Where + IsNaN) that torch's scaled_dot_product_attention exports."""

from __future__ import annotations

from torch import nn

from harness.zoo.hf import image_classifier
from harness.zoo.seeded_model import IMAGENET_CLASSES, imagenet_classifier


def vit_small() -> nn.Module:
    """Return ViT-S/16 (random init) returning logits (N, 1000) from the class token."""
    return image_classifier("vit_small", "ViT", IMAGENET_CLASSES, hidden_size=384,
                            num_hidden_layers=12, num_attention_heads=6, intermediate_size=1536,
                            hidden_act="gelu", image_size=224, patch_size=16, qkv_bias=True,
                            layer_norm_eps=1e-6, attn_implementation="eager")


#: published_params: timm vit_small_patch16_224 reports 22,050,664 (DeiT paper, DeiT-S: 22M).
#: No BatchNorm to calibrate.
MODEL = imagenet_classifier("vit_small", "ViT-S/16 (ViT-Small, patch 16), 224×224", vit_small,
                            seed=1616, published_params=22_050_664, calibration_batch=None)
#: The harness.zoo entry point.
entry = MODEL.entry
