"""Turn run records into deployment-model inputs: measurements, payload sizes and run pairs.

Output tensor size, in order of preference: `record.model["outputs"]` (shape/dtype list, like
`inputs`), `record.model["num_classes"]` (float32 logits), the zoo entry of the same name
(classification: num_classes float32), the input size for reconstruction models, else
FALLBACK_OUTPUT_BYTES with a note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.core.errors import HarnessError
from harness.energy.method import provenance_mark
from harness.records.schema import Status
from harness.report.deployment import Payload, SideMeasurement
from harness.report.load import Run
from harness.report.select import lookup

FALLBACK_OUTPUT_BYTES = 1024


def tensor_bytes(specs: Sequence[dict[str, Any]]) -> int:
    """Return the bytes of tensors given as [{'shape': [...], 'dtype': 'float32'}, ...]."""
    total = 0
    for spec in specs:
        dims = [d if isinstance(d, int) and d > 0 else 1 for d in spec.get("shape", [])]
        total += math.prod(dims) * np.dtype(spec.get("dtype", "float32")).itemsize
    return total


def _zoo_classes(name: str) -> int | None:
    try:
        from harness import zoo  # imports torch; only reached when the record lacks outputs
        return zoo.get(name).num_classes
    except (HarnessError, ImportError):  # not a zoo model, or no torch here: fall back
        return None


def payload_of(run: Run) -> tuple[Payload, str]:
    """Return the request/response bytes of one inference and how the response was sized."""
    model = run.record.model
    request = tensor_bytes(model.inputs or [])
    batch = max(int(run.record.config.get("model", {}).get("batch_size", 1) or 1), 1)
    if model.outputs:
        return Payload(request, tensor_bytes(model.outputs)), "record outputs"
    classes = model.num_classes
    if classes is None and model.task == "classification":
        classes = _zoo_classes(model.name or "")
    if classes:
        return Payload(request, int(classes) * 4 * batch), f"{classes} float32 logits"
    if model.task == "reconstruction":
        return Payload(request, request), "same size as the input (reconstruction)"
    return Payload(request, FALLBACK_OUTPUT_BYTES), "output size unknown: 1 KiB assumed"


def measurement(run: Run, percentile: str = "p50") -> SideMeasurement:
    """Return the run's latency percentile (s), mean service time (s), energy and labels."""
    scenario, energy = run.record.scenario, run.record.energy
    est = scenario.percentile(percentile) or scenario.percentile("p50")
    mean_ns = scenario.summary.mean_ns if scenario.summary else math.nan
    latency_s = (est.value_ns if est else mean_ns) / 1e9
    return SideMeasurement(
        latency_s=latency_s,
        service_s=(mean_ns if scenario.summary else latency_s * 1e9) / 1e9,
        gross_j=energy.gross_j_per_inference,
        net_j=energy.net_j_per_inference,
        idle_power_w=energy.idle_power_w,
        estimated=bool(provenance_mark(energy.provenance or "")),
        run_id=f"{run.record.run_id}@{lookup(run, 'host')}",
    )


def pair_runs(device: Sequence[Run], datacenter: Sequence[Run]) -> list[tuple[Run, Run]]:
    """Pair each ok device run with the fastest ok datacenter run of the same model and
    scenario, preferring the same quantisation."""
    pairs = []
    dc_ok = [r for r in datacenter if r.record.status is Status.ok]
    for dev in (r for r in device if r.record.status is Status.ok):
        same = [r for r in dc_ok if all(lookup(r, k) == lookup(dev, k)
                                        for k in ("model", "scenario"))]
        same_quant = [r for r in same if lookup(r, "quant") == lookup(dev, "quant")]
        pool = same_quant or same
        if pool:
            pairs.append((dev, min(pool, key=lambda r: measurement(r).latency_s)))
    return pairs
