"""ONNX opset checks: upgrade a model whose default-domain opset is too old for a recipe."""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import version_converter

from harness.core.errors import QuantisationError


def default_opset(model: onnx.ModelProto) -> int:
    """Return the model's default-domain ('' or 'ai.onnx') opset version (0 if absent)."""
    return max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)


def ensure_opset(src: Path, dst: Path, min_opset: int, recipe: str) -> Path:
    """Return `src` if its opset >= `min_opset`, else write an upgraded copy to `dst`."""
    model = onnx.load(str(src))
    have = default_opset(model)
    if have >= min_opset:
        return src
    try:
        upgraded = version_converter.convert_version(model, min_opset)
        onnx.checker.check_model(upgraded)
    except Exception as exc:  # the converter raises bare RuntimeErrors per unsupported op
        raise QuantisationError(
            f"Recipe '{recipe}' needs ONNX opset >= {min_opset}; this model has opset {have} "
            f"and onnx.version_converter could not upgrade it: {exc}".splitlines()[0],
            f"Re-export with model.opset={min_opset} (or newer).",
        ) from exc
    onnx.save(upgraded, str(dst))
    return dst
