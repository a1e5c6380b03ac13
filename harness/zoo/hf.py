"""Zoo architectures defined by transformers: its lazy import and a tensor-only wrapper.

transformers is imported only when such a model is built, so listing the zoo (and every other
zoo model) works without it. Weights are the library's own random initialisation under the
zoo's seed; nothing is downloaded (configs are built in code, never fetched from the hub)."""

from __future__ import annotations

from types import ModuleType

import torch
from torch import nn

from harness.core.errors import ModelError


def transformers_module(model: str) -> ModuleType:
    """Return the transformers package; raise ModelError naming the extra if it is missing."""
    try:
        import transformers
    except ImportError as exc:
        raise ModelError(
            f"The zoo model '{model}' is defined by the transformers library, which is not "
            f"installed ({exc}).",
            "Install it with `pip install -e '.[hf]'` (or `make setup OPTIONAL=hf`); nothing is "
            "downloaded at run time.",
        ) from exc
    return transformers


class OutputField(nn.Module):
    """Runs a transformers model on one tensor and returns one field of its output (a tensor)."""

    def __init__(self, model: nn.Module, field: str) -> None:
        super().__init__()
        self.model = model
        self.field = field

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return `model(x).<field>` (e.g. logits, last_hidden_state)."""
        return getattr(self.model(x), self.field)


def image_classifier(model: str, family: str, num_classes: int, **settings: object) -> OutputField:
    """Return transformers' `<family>ForImageClassification` (random init) returning logits.

    Its config is `<family>Config(num_labels=num_classes, **settings)`, built in code; `model`
    is the zoo name the error names when transformers is missing."""
    tf = transformers_module(model)
    config = getattr(tf, f"{family}Config")(num_labels=num_classes, **settings)
    return OutputField(getattr(tf, f"{family}ForImageClassification")(config), "logits")
