"""Run a session over reference inputs and a data set; return fidelity and task accuracy."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from harness.accuracy.fidelity import output_fidelity, top1_accuracy
from harness.models.source import LoadedModel
from harness.scenarios.session import Session


def run_batched(session: Session, name: str, data: np.ndarray, batch: int) -> np.ndarray:
    """Return the session's first output over `data`, run `batch` rows at a time."""
    outs = [session.run({name: data[i : i + batch]})[0] for i in range(0, len(data), batch)]
    return np.concatenate(outs)


def reference_outputs(model: LoadedModel, data: np.ndarray) -> np.ndarray:
    """Return the FP32 torch model's output for `data` (the fidelity reference)."""
    with torch.inference_mode():
        out = model.module(torch.from_numpy(data))
    return (out[0] if isinstance(out, (tuple, list)) else out).numpy()


def evaluate(session: Session, model: LoadedModel, fidelity_inputs: np.ndarray) -> dict[str, Any]:
    """Return fidelity vs FP32 on `fidelity_inputs` and, with a data set, held-out top-1."""
    name, batch = model.inputs[0].name, model.inputs[0].shape[0]
    classifier = model.task == "classification"
    got = run_batched(session, name, fidelity_inputs, batch)
    result: dict[str, Any] = {
        "reference": "fp32 torch",
        "fidelity_samples": len(fidelity_inputs),
        "fidelity": output_fidelity(got, reference_outputs(model, fidelity_inputs), classifier),
    }
    if model.dataset is not None and classifier:
        logits = run_batched(session, name, model.dataset.test_x.astype(np.float32), batch)
        result["task"] = {
            "metric": "top1",
            "dataset": model.dataset.name + ":test",
            "samples": len(model.dataset.test_y),
            "value": top1_accuracy(logits, model.dataset.test_y),
            "fp32_reference": top1_accuracy(reference_outputs(model, model.dataset.test_x
                                                              .astype(np.float32)),
                                            model.dataset.test_y),
        }
    return result
