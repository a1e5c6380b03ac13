"""An ONNX file the user brings: checked (external data stays in its folder), specs, reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper

from harness.core.cache import content_hash, file_sha256
from harness.core.errors import ModelError
from harness.core.onnx_utils import default_opset
from harness.models.config import ModelConfig
from harness.models.datasets import load_dataset
from harness.models.loaded import LoadedModel, Reference, lazy_reference
from harness.models.resolve import DeclaredInput, dynamic_batch, resolve_inputs
from harness.models.safety import check_onnx, model_file

#: The dim_value exporters write for "unknown": read as dynamic, like dim_param.
#: 0 is not: onnxruntime takes it literally (a zero-size axis), so a run could not feed it.
UNKNOWN_DIMS = (-1,)


def _dim(d: onnx.TensorShapeProto.Dimension, name: str, axis: int) -> int | str | None:
    if d.HasField("dim_value"):
        if d.dim_value in UNKNOWN_DIMS:
            return None
        if d.dim_value <= 0:
            raise ModelError(f"Input '{name}' declares size {d.dim_value} on axis {axis}, which "
                             "no input can have (-1 alone is read as 'dynamic'; onnxruntime "
                             "takes 0 literally).",
                             "Fix the model's input shape (re-export it), or give the shape "
                             f"with model.inputs.{name}.shape=[...] after fixing the file.")
        return int(d.dim_value)
    return d.dim_param if d.HasField("dim_param") else None


def declared_inputs(model: onnx.ModelProto) -> list[DeclaredInput]:
    """Return the graph's real inputs (initializers excluded) with dims and numpy dtype;
    a dim_value of -1 is read as dynamic, 0 or below -1 is refused (ModelError)."""
    inits = {t.name for t in model.graph.initializer}
    found = []
    for value in model.graph.input:
        if value.name in inits:
            continue
        if not value.type.HasField("tensor_type"):
            raise ModelError(f"Input '{value.name}' is not a tensor (sequence/map/optional).",
                             "Only tensor inputs can be benchmarked; wrap the model.")
        ttype = value.type.tensor_type
        dims = (tuple(_dim(d, value.name, a) for a, d in enumerate(ttype.shape.dim))
                if ttype.HasField("shape") else None)
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(ttype.elem_type)).name
        found.append(DeclaredInput(value.name, dims, dtype))
    if not found:
        raise ModelError(f"The model '{model.graph.name}' has no inputs (every graph input is "
                         "an initializer, or there are none), so there is nothing to feed.",
                         "Benchmark a model that takes at least one input tensor.")
    return found


def _ort_cpu_session(path: Path) -> Any:
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def ort_reference(path: Path) -> Reference:
    """Return a function running the original file on onnxruntime's CPU EP (opened on first use)."""
    return lazy_reference(lambda: _ort_cpu_session(path),
                          lambda session, feed: [np.asarray(o) for o in session.run(None, feed)])


def load_onnx_file(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Return the checked ONNX file as a model: specs from its inputs + model.inputs."""
    path = model_file(cfg.path, "path", (".onnx",))
    model, data_files = check_onnx(path)
    declared = declared_inputs(model)
    specs = resolve_inputs(declared, cfg.inputs, cfg.batch_size, path.name)
    file_sha = file_sha256(path)
    data_shas = {f.name: file_sha256(f) for f in data_files}
    dataset = None
    if cfg.dataset_path:
        dataset = load_dataset(cfg.dataset_path, cfg.dataset_format, specs[0].shape[1:])
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    return LoadedModel(
        name=cfg.name, module=None, inputs=specs, task=cfg.task, num_classes=None,
        dataset=dataset, weights_sha256=content_hash("onnx-file", file_sha, data_shas),
        parameter_count=params, source="onnx_file", fills=dict(cfg.inputs),
        dynamic_batch=dynamic_batch(declared), formats=frozenset({"onnx"}), onnx_path=path,
        provenance={"path": str(path), "file_sha256": file_sha, "external_data": data_shas,
                    "opset": default_opset(model),
                    "producer": f"{model.producer_name} {model.producer_version}".strip()},
        reference_fn=ort_reference(path),
    )
