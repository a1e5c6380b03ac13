"""Run a session over reference inputs and a data set; return fidelity, task accuracy, gate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from harness.accuracy.fidelity import all_outputs_fidelity, top1_accuracy
from harness.accuracy.gate import accuracy_gate
from harness.artifact import TensorSpec
from harness.models.source import LoadedModel
from harness.scenarios.session import Session


def run_batched(session: Session, spec: TensorSpec, data: np.ndarray) -> list[np.ndarray]:
    """Return every output of the session over `data`, run one batch of spec's size at a time."""
    batch, dtype = spec.shape[0], np.dtype(spec.dtype)
    runs = [session.run({spec.name: data[i : i + batch].astype(dtype, copy=False)})
            for i in range(0, len(data), batch)]
    return [np.concatenate([np.asarray(r[k]) for r in runs]) for k in range(len(runs[0]))]


def reference_outputs(model: LoadedModel, data: np.ndarray) -> list[np.ndarray]:
    """Return every output of the FP32 torch model for `data` (the fidelity reference)."""
    with torch.inference_mode():
        out = model.module(torch.from_numpy(np.ascontiguousarray(data, dtype=np.float32)))
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o.float().numpy() for o in outs]


def _task(session: Session, model: LoadedModel, spec: TensorSpec) -> dict[str, Any] | None:
    data = model.dataset
    if data is None or model.task != "classification":
        return None
    test_x = data.test_x.astype(np.float32)
    return {
        "metric": "top1",
        "dataset": data.name + ":test",
        "samples": len(data.test_y),
        "value": top1_accuracy(run_batched(session, spec, test_x)[0], data.test_y),
        "fp32_reference": top1_accuracy(reference_outputs(model, test_x)[0], data.test_y),
    }


def evaluate(
    session: Session,
    model: LoadedModel,
    fidelity_inputs: np.ndarray,
    input_specs: Sequence[TensorSpec] | None = None,
    accuracy_target: float = 0.99,
) -> dict[str, Any]:
    """Return fidelity vs FP32 for every output, held-out top-1 (with data) and the gate."""
    spec = (input_specs or model.inputs)[0]
    classifier = model.task == "classification"
    per_output = all_outputs_fidelity(run_batched(session, spec, fidelity_inputs),
                                      reference_outputs(model, fidelity_inputs), classifier)
    result: dict[str, Any] = {
        "reference": "fp32 torch",
        "fidelity_samples": len(fidelity_inputs),
        "fidelity_inputs": "held-out data" if model.dataset is not None else "random-normal noise",
        "fidelity": {k: v for k, v in per_output[0].items() if k not in ("output", "shape")},
        "fidelity_outputs": per_output,
    }
    task = _task(session, model, spec)
    if task is not None:
        result["task"] = task
    result["gate"] = accuracy_gate(result, accuracy_target)
    return result
