"""onnxruntime.quantization recipes over ONNX artifacts: int8 dynamic and int8 static QDQ."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from onnxruntime import quantization as q
from onnxruntime.quantization.shape_inference import quant_pre_process

from harness.artifact import Artifact
from harness.cache import ArtifactCache, content_hash
from harness.config import QuantConfig, Recipe
from harness.errors import QuantisationError
from harness.models.inputs import CalibrationSet
from harness.quantise.cpu import default_reduce_range

_QTYPES = {"int8": q.QuantType.QInt8, "uint8": q.QuantType.QUInt8}
_METHODS = {
    "minmax": q.CalibrationMethod.MinMax,
    "entropy": q.CalibrationMethod.Entropy,
    "percentile": q.CalibrationMethod.Percentile,
}


class _Reader(q.CalibrationDataReader):
    """Feeds calibration samples one at a time under the model's input name."""

    def __init__(self, name: str, data: np.ndarray) -> None:
        self._items = iter([{name: data[i : i + 1]} for i in range(len(data))])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._items, None)


def _settings(cfg: QuantConfig) -> dict[str, Any]:
    settings = {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(cfg).items()}
    if settings["reduce_range"] is None:
        settings["reduce_range"] = default_reduce_range()
    settings.pop("name")
    return settings


def _static(src: Path, dst: Path, cfg: dict[str, Any], calib: CalibrationSet, name: str) -> None:
    pre = dst.with_name("preprocessed.onnx")
    quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
    q.quantize_static(
        str(pre), str(dst), _Reader(name, calib.inputs), quant_format=q.QuantFormat.QDQ,
        per_channel=cfg["per_channel"], reduce_range=cfg["reduce_range"],
        activation_type=_QTYPES[cfg["activation_type"]], weight_type=_QTYPES[cfg["weight_type"]],
        calibrate_method=_METHODS[cfg["calibration_method"]],
        op_types_to_quantize=cfg["op_types"] or None, nodes_to_exclude=cfg["nodes_to_exclude"],
    )
    pre.unlink(missing_ok=True)


def _dynamic(src: Path, dst: Path, cfg: dict[str, Any]) -> None:
    q.quantize_dynamic(
        str(src), str(dst), per_channel=cfg["per_channel"], reduce_range=cfg["reduce_range"],
        weight_type=_QTYPES[cfg["weight_type"]],
        op_types_to_quantize=cfg["op_types"] or ["MatMul", "Gemm"],
        nodes_to_exclude=cfg["nodes_to_exclude"],
    )


def quantise_onnx(
    fp32: Artifact, cfg: QuantConfig, calib: CalibrationSet | None, cache: ArtifactCache
) -> Artifact:
    """Return the quantised ONNX artifact for `cfg.recipe`, building it unless cached."""
    settings = _settings(cfg)
    calib_hash = content_hash(calib.inputs.tobytes(), calib.indices) if calib else ""
    key = content_hash("onnx-quant/1", fp32.sha256, settings, calib_hash, ort.__version__)

    def build(path: Path) -> dict[str, Any]:
        logging.getLogger("root").setLevel(logging.WARNING)  # onnxruntime.quantization is chatty
        try:
            if cfg.recipe is Recipe.int8_static:
                assert calib is not None
                _static(fp32.path, path, settings, calib, fp32.inputs[0].name)
            else:
                _dynamic(fp32.path, path, settings)
        except Exception as exc:  # onnxruntime.quantization raises bare exceptions of many kinds
            raise QuantisationError(
                f"Recipe '{cfg.name}' failed on this model: {exc}".splitlines()[0],
                "Exclude the failing nodes (quant.nodes_to_exclude=[...]) or pick another recipe.",
            ) from exc
        return {"recipe": cfg.name, **settings}

    cached = cache.get_or_build("quant", key, "model.onnx", build)
    meta = dict(cached.meta)
    if calib is not None:
        meta.update(calibration_source=calib.source, calibration_size=len(calib.inputs))
    return Artifact(
        format="onnx", precision=cfg.recipe.value, inputs=fp32.inputs, path=cached.path,
        sha256=cached.sha256, size_bytes=cached.size_bytes, cache_hit=cached.hit, meta=meta,
    )
