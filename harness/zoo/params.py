"""Parameter counting as the MLPerf Tiny reference reports it: BatchNorm folded away."""

from __future__ import annotations

from torch import nn

_FOLD_TARGETS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def folded_parameter_count(module: nn.Module) -> int:
    """Return the parameter count with each BatchNorm folded into the conv/linear before it.

    BN scale and shift are not counted; a conv or linear without bias that a BN follows gains
    one bias per output channel. "Before it" means the previous conv/linear in module definition
    order, which is the data-flow order for every zoo model.
    """
    total = 0
    previous: nn.Module | None = None
    for child in module.modules():
        if isinstance(child, _NORMS):
            if isinstance(previous, _FOLD_TARGETS) and previous.bias is None:
                total += child.num_features
            previous = None
            continue
        total += sum(p.numel() for p in child.parameters(recurse=False))
        if isinstance(child, _FOLD_TARGETS):
            previous = child
    return total
