"""int8 static through NNCF (OpenVINO's post-training quantiser) on the ONNX graph: QDQ out.

NNCF places the quantisers where OpenVINO's CPU plugin has int8 kernels (its hardware
patterns), so its graph can differ from onnxruntime's quantiser's on the same model; both are
QDQ ONNX files that every ONNX backend runs.
"""

from __future__ import annotations

import logging
from typing import Any

import nncf
import onnx

from harness.core.errors import QuantisationError
from harness.core.onnx_utils import ensure_opset
from harness.quantise.config import QuantType
from harness.quantise.job import OnnxJob

#: Settings NNCF takes from the harness's config; the others are NNCF's own choices.
_PRESETS = {False: nncf.QuantizationPreset.PERFORMANCE, True: nncf.QuantizationPreset.MIXED}


def has_attention(model: onnx.ModelProto) -> bool:
    """Return True when a Softmax feeds a MatMul whose both inputs are computed (attention's
    probabilities x values), the graph NNCF's transformer scheme is for."""
    constants = {i.name for i in model.graph.initializer} | {
        o for n in model.graph.node if n.op_type == "Constant" for o in n.output}
    softmax_out = {o for n in model.graph.node if n.op_type == "Softmax" for o in n.output}
    return any(n.op_type == "MatMul" and not constants & set(n.input)
               and softmax_out & set(n.input) for n in model.graph.node)


def quantise_static_nncf(job: OnnxJob) -> dict[str, Any]:
    """Write NNCF's int8 QDQ model of job.src, calibrated on job's feeds, to job.dst."""
    cfg, calib = job.cfg, job.require_calibration()
    if cfg.weight_type is not QuantType.int8 or cfg.activation_type not in (
            QuantType.uint8, QuantType.int8):
        raise QuantisationError(
            f"quant.quantiser=nncf quantises to int8 weights and 8-bit activations; got "
            f"weight_type={cfg.weight_type.value}, activation_type={cfg.activation_type.value}.",
            "Use the int8_static defaults with quant.quantiser=nncf.")
    logging.getLogger("nncf").setLevel(logging.ERROR)
    # NNCF refuses opsets below 10; QuantizeLinear with per-channel axis needs 13
    model = onnx.load(str(ensure_opset(job.src, job.scratch("upgraded.onnx"), 13, cfg.name)))
    feeds = calib.batches(job.input_name)
    mixed = cfg.activation_symmetric is False  # asymmetric activations: NNCF's "mixed" preset
    ignored = nncf.IgnoredScope(names=list(cfg.nodes_to_exclude), types=[], validate=False)
    transformer = has_attention(model)
    quantised = nncf.quantize(
        model, nncf.Dataset(feeds), preset=_PRESETS[mixed], subset_size=len(feeds),
        ignored_scope=ignored, fast_bias_correction=True,
        model_type=nncf.ModelType.TRANSFORMER if transformer else None)
    onnx.save(quantised, str(job.dst))
    return {"quantiser": "nncf", "nncf_version": nncf.__version__,
            "nncf_preset": _PRESETS[mixed].value,
            "nncf_model_type": "transformer (the graph has attention)" if transformer else None}
