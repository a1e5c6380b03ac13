"""The harness side of a cold-start process: rebuild the artifact, load it, run it once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact, TensorSpec


def artifact_from_job(job: dict[str, Any]) -> Artifact:
    """Return the Artifact the job describes; an in-memory module is read from its saved file."""
    art = job["artifact"]
    module = None
    if job.get("module_path"):
        import torch  # only in-memory (torch) artifacts get here; torch is the runtime then

        module = torch.load(job["module_path"], weights_only=False)  # our own file (parent)
    return Artifact(format=art["format"], precision=art["precision"],
                    inputs=tuple(TensorSpec(s["name"], tuple(s["shape"]), s["dtype"])
                                 for s in art["inputs"]),
                    path=Path(art["path"]) if art.get("path") else None,
                    sha256=art.get("sha256", ""), size_bytes=art.get("size_bytes", 0),
                    module=module, meta=dict(art.get("meta", {})))


def load_and_run(job: dict[str, Any]) -> dict[str, Any]:
    """Return the marks (ns) after the adapter, the load and the first inference, and describe()."""
    with np.load(job["inputs_path"]) as data:
        inputs = {name: data[name] for name in data.files}
    target = TargetConfig(**job["target"])
    backend = create_backend(target)
    marks: dict[str, Any] = {"adapted": time.perf_counter_ns()}
    session = backend.load(artifact_from_job(job))
    marks["loaded"] = time.perf_counter_ns()
    outputs = session.run(inputs)
    session.synchronize()
    marks["first_result"] = time.perf_counter_ns()
    marks["output_shapes"] = [list(o.shape) for o in outputs]
    marks["describe"] = {k: v for k, v in session.describe().items()
                         if isinstance(v, (str, int, float, bool, dict, list, type(None)))}
    session.close()
    return marks
