"""int8 through torch's PT2E flow with the XNNPACK quantizer (for ExecuTorch lowering)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from harness.core.errors import QuantisationError
from harness.models.inputs import CalibrationSet


def _imports() -> tuple[Any, Any, Any, Any]:
    """Return (XNNPACKQuantizer, get_symmetric_quantization_config, prepare, convert)."""
    try:
        from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
            XNNPACKQuantizer,
            get_symmetric_quantization_config,
        )
    except ImportError as exc:
        raise QuantisationError(
            "PT2E int8 needs ExecuTorch's XNNPACK quantizer, which is not installed.",
            "pip install executorch (it brings torchao's PT2E flow).",
        ) from exc
    try:
        from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    except ImportError:  # older stacks keep the flow in torch itself
        from torch.ao.quantization.quantize_pt2e import convert_pt2e, prepare_pt2e
    return XNNPACKQuantizer, get_symmetric_quantization_config, prepare_pt2e, convert_pt2e


def pt2e_int8(
    module: torch.nn.Module,
    example_inputs: tuple[torch.Tensor, ...],
    calib: CalibrationSet | np.ndarray,
    per_channel: bool = True,
) -> torch.fx.GraphModule:
    """Return the module exported, calibrated on `calib` (whole batches), converted to int8 QDQ."""
    quantizer_cls, config_fn, prepare, convert = _imports()
    data = calib.inputs if isinstance(calib, CalibrationSet) else calib
    batch = int(example_inputs[0].shape[0])  # torch.export fixes the batch: calibrate with it
    if len(data) < batch:
        raise QuantisationError(
            f"PT2E int8 needs at least {batch} calibration samples (the example batch); "
            f"got {len(data)}.", "Raise quant.calibration_size.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = torch.export.export(module.eval(), example_inputs).module()
            quantizer = quantizer_cls().set_global(config_fn(is_per_channel=per_channel))
            prepared = prepare(graph, quantizer)
            with torch.no_grad():
                for i in range(0, len(data) - batch + 1, batch):
                    prepared(torch.from_numpy(np.ascontiguousarray(data[i : i + batch])))
            return convert(prepared)
    except Exception as exc:  # torch.export and the quantizer raise many exception types
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise QuantisationError(
            f"PT2E int8 (XNNPACK quantizer) failed: {type(exc).__name__}: {reason}",
            "Check that the module exports with torch.export.export, or use an ONNX recipe.",
        ) from exc
