"""A transformers encoder as a plain module: the token inputs a deployment feeds in, one tensor out.

Shared by the zoo's BERT-base and the `hf` model source, so that both export the same way.
`TransformerShape` is what onnxruntime's transformer optimizer needs to fuse the graph.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch

#: The token inputs fed when the model's forward takes them, in this order.
TOKEN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
#: transformers model types whose graphs onnxruntime's "bert" optimizer fuses.
BERT_FAMILY = frozenset({"bert", "roberta", "xlm-roberta", "camembert", "distilbert", "electra"})
#: The attention implementation exported to ONNX (measured in docs/transformer_export.md).
EXPORT_ATTENTION = "eager"


@dataclass(frozen=True)
class TransformerShape:
    """What onnxruntime's transformer optimizer needs: its model type, heads and hidden size."""

    model_type: str  # an onnxruntime.transformers.optimizer model type, e.g. "bert"
    num_heads: int
    hidden_size: int


def token_inputs(model: torch.nn.Module) -> tuple[str, ...]:
    """Return the TOKEN_INPUTS that the model's forward takes (input_ids always first)."""
    params = inspect.signature(model.forward).parameters
    return tuple(n for n in TOKEN_INPUTS if n == "input_ids" or n in params)


def transformer_shape(config: Any) -> TransformerShape | None:
    """Return the optimizer's view of a transformers config, or None outside the BERT family."""
    kind = str(getattr(config, "model_type", ""))
    heads = getattr(config, "num_attention_heads", None) or getattr(config, "n_heads", None)
    hidden = getattr(config, "hidden_size", None) or getattr(config, "dim", None)
    if kind not in BERT_FAMILY or not heads or not hidden:
        return None
    return TransformerShape("bert", int(heads), int(hidden))


class EncoderModule(torch.nn.Module):
    """Wraps a transformers model: its token inputs in, logits (or last hidden state) out."""

    def __init__(self, model: torch.nn.Module, input_names: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.model = model
        self.input_names = input_names or token_inputs(model)
        self.shape = transformer_shape(getattr(model, "config", None))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Return the model's logits, or its last hidden state when it has no head.

        Tensors come in `input_names` order, which may skip attention_mask."""
        given = [t for t in (input_ids, attention_mask, token_type_ids) if t is not None]
        out: Any = self.model(**dict(zip(self.input_names, given, strict=True)))
        logits = getattr(out, "logits", None)
        return logits if logits is not None else out.last_hidden_state

    @contextmanager
    def export_mode(self) -> Iterator[str]:
        """Switch attention to EXPORT_ATTENTION for the block (yields the one in use), restore."""
        config = getattr(self.model, "config", None)
        before = getattr(config, "_attn_implementation", None)
        setter = getattr(self.model, "set_attn_implementation", None)
        if before is None or setter is None or before == EXPORT_ATTENTION:
            yield str(before or "default")
            return
        setter(EXPORT_ATTENTION)
        try:
            yield EXPORT_ATTENTION
        finally:
            setter(before)
