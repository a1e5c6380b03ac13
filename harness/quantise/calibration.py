"""Activation ranges from calibration, computed once per (model, data, method) and cached.

onnxruntime's quantize_static does not forward a histogram size to its calibrators, so entropy
calibration there runs with 128 bins = 128 quantised bins and can never clip (it equals
MinMax). Computing the ranges here lets `calibration_num_bins` reach the calibrator, and the
JSON range file (onnxruntime's own format) is reused by every recipe with the same settings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import onnxruntime as ort
from onnxruntime.quantization.calibrate import create_calibrator, save_tensors_data

from harness.core.cache import content_hash, file_sha256
from harness.models.inputs import CalibrationSet
from harness.quantise.config import CalibrationMethod, QuantConfig
from harness.quantise.job import CalibrationReader

QUANTISED_BINS = 128  # onnxruntime's entropy default: 2**(8-1)


def calibrator_options(cfg: QuantConfig) -> dict[str, Any]:
    """Return the create_calibrator extra_options for cfg's method."""
    if cfg.calibration_method is CalibrationMethod.minmax:
        return {}
    options: dict[str, Any] = {"num_bins": cfg.calibration_num_bins}
    if cfg.calibration_method is CalibrationMethod.entropy:
        options["num_quantized_bins"] = QUANTISED_BINS
    else:
        options["percentile"] = cfg.calibration_percentile
    return options


def ranges_file(model: Path, cfg: QuantConfig, calib: CalibrationSet, input_name: str,
                methods: dict[CalibrationMethod, Any], ranges_dir: Path) -> tuple[Path, bool]:
    """Return (path of the cached ranges JSON, whether it was already there), computing it once."""
    key = content_hash("calib-ranges/1", file_sha256(model), *calib.key_parts(),
                       cfg.calibration_method.value, calibrator_options(cfg),
                       sorted(cfg.op_types), ort.__version__)
    path = ranges_dir / f"{key[:24]}.json"
    if path.is_file():
        return path, True
    ranges_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ranges_dir) as tmp:
        calibrator = create_calibrator(
            model, cfg.op_types or None, augmented_model_path=str(Path(tmp) / "augmented.onnx"),
            calibrate_method=methods[cfg.calibration_method],
            extra_options=calibrator_options(cfg),
        )
        calibrator.collect_data(CalibrationReader(calib.batches(input_name)))
        staged = Path(tmp) / "ranges.json"
        save_tensors_data(calibrator.compute_data(), staged)
        os.replace(staged, path)
    return path, False
