"""BERT-base at sequence length 384 (the MLPerf edge-class NLP shape), with random weights.

Built from transformers' `BertConfig()` defaults (12 layers, hidden 768, 12 heads, vocab 30522)
under a fixed seed; the three int64 inputs a deployment feeds, last hidden state out.
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

from harness.core.errors import BackendUnavailable
from harness.zoo.encoder import EncoderModule
from harness.zoo.entry import UNTRAINED, ZooEntry, ZooInput
from harness.zoo.layers import seeded

SEQ_LEN = 384
VOCAB_SIZE = 30522  # BertConfig().vocab_size
SEED = 3840


def _bert() -> nn.Module:
    try:
        from transformers import BertConfig, BertModel
    except ImportError as exc:
        raise BackendUnavailable("model=bert_base needs transformers, which is not installed.",
                                 "pip install 'edge-harness[hf]'.") from exc
    # no pooler: its output is not the model's output, so no exported graph would hold it
    return EncoderModule(BertModel(BertConfig(), add_pooling_layer=False))


def build(cache_dir: Path) -> nn.Module:
    """Return BERT-base in eval mode with seeded random weights (transformers' own init)."""
    del cache_dir  # nothing trained, nothing cached
    return seeded(_bert, SEED)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    shape = (SEQ_LEN,)
    return ZooEntry(
        name="bert_base",
        description="BERT-base encoder (transformers BertConfig() defaults) at sequence length "
        f"{SEQ_LEN}, last hidden state out" + UNTRAINED,
        input_name="input_ids", input_shape=shape, num_classes=None, task="other",
        published_params=110_000_000, builder=build,
        inputs=(ZooInput("input_ids", shape, "int64", low=0, high=VOCAB_SIZE),
                ZooInput("attention_mask", shape, "int64", value=1),
                ZooInput("token_type_ids", shape, "int64", value=0)),
    )
