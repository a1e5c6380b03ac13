"""Run a session over reference inputs and a data set; return fidelity, task accuracy, gate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.accuracy.fidelity import all_outputs_fidelity, nonfinite_count
from harness.accuracy.gate import accuracy_gate
from harness.accuracy.tasks import DATA_FACTS, TASK_METRICS
from harness.backends.base import Session
from harness.core.artifact import TensorSpec
from harness.models.inputs import Feed, input_rows, split_feeds
from harness.models.source import LoadedModel


def _join(parts: list[list[np.ndarray]]) -> list[np.ndarray]:
    """Return each output concatenated over batches (rank-0 outputs stacked)."""
    joined = []
    for k in range(len(parts[0])):
        arrays = [np.asarray(p[k]) for p in parts]
        joined.append(np.stack(arrays) if arrays[0].ndim == 0 else np.concatenate(arrays))
    return joined


def feeds_for(model: LoadedModel, specs: Sequence[TensorSpec], data: np.ndarray,
              seed: int = 0) -> list[Feed]:
    """Return feeds running `data` (first input's rows) batch by batch; others from fills."""
    specs = tuple(specs)
    step = specs[0].shape[0] if specs[0].shape else 1
    batches = -(-len(data) // step)
    first = data.astype(np.dtype(specs[0].dtype), copy=False)
    return split_feeds(specs, input_rows(model, specs, batches, seed, first), batches)


def run_feeds(session: Session, feeds: Sequence[Feed]) -> list[np.ndarray]:
    """Return every output of the session over `feeds`, joined along the batch axis."""
    return _join([list(session.run(f)) for f in feeds])


def reference_feeds(model: LoadedModel, feeds: Sequence[Feed]) -> list[np.ndarray]:
    """Return the FP32 reference's outputs over `feeds` (cast to the model's own dtypes)."""
    dtypes = {s.name: np.dtype(s.dtype) for s in model.inputs}
    return _join([[np.asarray(o, dtype=np.float32) if np.asarray(o).dtype.kind == "f"
                   else np.asarray(o) for o in model.reference(
                       {k: np.asarray(v).astype(dtypes.get(k, v.dtype), copy=False)
                        for k, v in f.items()})] for f in feeds])


def reference_outputs(model: LoadedModel, data: np.ndarray) -> list[np.ndarray]:
    """Return every output of the FP32 reference for `data` (the first input's rows)."""
    return reference_feeds(model, feeds_for(model, model.inputs, data))


def _task(session: Session, model: LoadedModel, specs: Sequence[TensorSpec]
          ) -> dict[str, Any] | None:
    data, metric = model.dataset, TASK_METRICS.get(model.task)
    if data is None or metric is None:
        return None
    test_x = data.test_x.astype(np.float32)
    scores = run_feeds(session, feeds_for(model, specs, test_x))[0]
    got = metric(scores, data.test_y)
    ref = metric(reference_outputs(model, test_x)[0], data.test_y)
    extra = {k: v for k, v in got.items() if k not in ("metric", "value")}
    return {
        "metric": got["metric"],
        "dataset": data.name + ":test",
        "samples": len(data.test_y),
        "value": got["value"],
        "fp32_reference": ref["value"],
        **extra,
        **{f"fp32_{k}": ref[k] for k in extra if k not in DATA_FACTS},
        "nonfinite_elements": nonfinite_count(scores),
    }


def evaluate(
    session: Session,
    model: LoadedModel,
    fidelity_inputs: np.ndarray | Sequence[Feed],
    input_specs: Sequence[TensorSpec] | None = None,
    accuracy_target: float = 0.99,
) -> dict[str, Any]:
    """Return fidelity vs FP32 for every output, the held-out task metric (with data), the gate.

    `fidelity_inputs`: rows of the first input (other inputs from their fills), or feeds.
    """
    specs = tuple(input_specs or model.inputs)
    feeds = (feeds_for(model, specs, fidelity_inputs) if isinstance(fidelity_inputs, np.ndarray)
             else list(fidelity_inputs))
    classifier = model.task == "classification"
    per_output = all_outputs_fidelity(run_feeds(session, feeds), reference_feeds(model, feeds),
                                      classifier)
    first = feeds[0][specs[0].name]
    rows = sum(len(f[specs[0].name]) if np.ndim(first) else 1 for f in feeds)
    result: dict[str, Any] = {
        "reference": model.reference_name,
        "fidelity_samples": rows,
        "fidelity_inputs": "held-out data" if model.dataset is not None else "random-normal noise"
        if not model.fills else "input fills",
        "fidelity": {k: v for k, v in per_output[0].items() if k not in ("output", "shape")},
        "fidelity_outputs": per_output,
    }
    task = _task(session, model, specs)
    if task is not None:
        result["task"] = task
    result["gate"] = accuracy_gate(result, accuracy_target)
    return result
