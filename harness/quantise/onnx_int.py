"""onnxruntime integer recipes: int8 dynamic, and int8 / int16 static QDQ calibrated on data."""

from __future__ import annotations

from typing import Any

from onnxruntime import quantization as q
from onnxruntime.quantization.shape_inference import quant_pre_process

from harness.core.errors import QuantisationError
from harness.core.onnx_utils import ensure_opset
from harness.quantise.calibration import calibrator_options, ranges_file
from harness.quantise.config import CalibrationMethod, QuantConfig, QuantType, Recipe
from harness.quantise.job import CalibrationReader, OnnxJob

QTYPES = {
    QuantType.int8: q.QuantType.QInt8,
    QuantType.uint8: q.QuantType.QUInt8,
    QuantType.int16: q.QuantType.QInt16,
    QuantType.uint16: q.QuantType.QUInt16,
}
METHODS = {
    CalibrationMethod.minmax: q.CalibrationMethod.MinMax,
    CalibrationMethod.entropy: q.CalibrationMethod.Entropy,
    CalibrationMethod.percentile: q.CalibrationMethod.Percentile,
}
#: Activation types each static recipe accepts, and the opset its QuantizeLinear needs.
STATIC_TYPES = {
    Recipe.int8_static: ({QuantType.int8, QuantType.uint8}, 13),
    Recipe.int16_static: ({QuantType.int16, QuantType.uint16}, 21),
}
_EIGHT_BIT = {QuantType.int8, QuantType.uint8}


def _check_types(cfg: QuantConfig) -> int:
    """Return the minimum opset for cfg's recipe; raise QuantisationError on bad types."""
    allowed, min_opset = STATIC_TYPES[cfg.recipe]
    if cfg.activation_type not in allowed or cfg.weight_type not in _EIGHT_BIT:
        raise QuantisationError(
            f"Recipe '{cfg.name}' ({cfg.recipe.value}) cannot use activation_type="
            f"{cfg.activation_type.value}, weight_type={cfg.weight_type.value}.",
            f"Use activation_type in {sorted(t.value for t in allowed)} and an 8-bit weight_type.",
        )
    return min_opset


def extra_options(cfg: QuantConfig) -> dict[str, Any]:
    """Return onnxruntime's extra_options for the symmetry and calibration settings."""
    options: dict[str, Any] = {"ActivationSymmetric": cfg.activation_symmetric}
    if cfg.weight_symmetric is not None:
        options["WeightSymmetric"] = cfg.weight_symmetric
    if cfg.calibration_method is CalibrationMethod.percentile:
        options["CalibPercentile"] = cfg.calibration_percentile
    return options


def quantise_static(job: OnnxJob) -> dict[str, Any]:
    """Write the QDQ model (pre-processed, calibrated) to job.dst; return recipe metadata."""
    cfg, calib = job.cfg, job.require_calibration()
    src = ensure_opset(job.src, job.scratch("upgraded.onnx"), _check_types(cfg), cfg.name)
    pre = job.scratch("preprocessed.onnx")
    quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
    ranges_dir = job.ranges_dir or job.scratch("ranges")
    ranges, ranges_hit = ranges_file(pre, cfg, calib, job.input_name, METHODS, ranges_dir)
    q.quantize_static(
        str(pre), str(job.dst), CalibrationReader(calib.batches(job.input_name)),
        calibration_cache_path=str(ranges),
        quant_format=q.QuantFormat.QDQ, per_channel=cfg.per_channel,
        reduce_range=job.reduce_range, activation_type=QTYPES[cfg.activation_type],
        weight_type=QTYPES[cfg.weight_type], calibrate_method=METHODS[cfg.calibration_method],
        op_types_to_quantize=cfg.op_types or None, nodes_to_exclude=cfg.nodes_to_exclude,
        extra_options=extra_options(cfg),
    )
    note = ""
    if cfg.recipe is Recipe.int16_static:
        note = ("16-bit QDQ: onnxruntime's CPU EP has no int16 compute kernels, so Q/DQ pairs run "
                "around fp32 ops (a fidelity proxy for NPUs such as QNN, not a CPU speed-up)")
    return {"extra_options": extra_options(cfg), "calibrator_options": calibrator_options(cfg),
            "calibration_ranges_cached": ranges_hit, "note": note}


def quantise_dynamic(job: OnnxJob) -> dict[str, Any]:
    """Write the dynamically quantised model (MatMul/Gemm by default) to job.dst."""
    cfg = job.cfg
    if cfg.weight_type not in _EIGHT_BIT:
        raise QuantisationError(
            f"int8_dynamic cannot use weight_type={cfg.weight_type.value}.",
            "Use weight_type=int8 or uint8.",
        )
    op_types = cfg.op_types or ["MatMul", "Gemm"]
    q.quantize_dynamic(
        str(job.src), str(job.dst), per_channel=cfg.per_channel, reduce_range=job.reduce_range,
        weight_type=QTYPES[cfg.weight_type], op_types_to_quantize=op_types,
        nodes_to_exclude=cfg.nodes_to_exclude,
    )
    return {"op_types": op_types}
