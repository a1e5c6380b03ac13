"""A .tflite file the user brings: its inputs, its precision (read from the tensors), and a
reference run on LiteRT's reference kernels (no delegate)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.cache import content_hash, file_sha256
from harness.core.errors import ModelError
from harness.models.config import ModelConfig
from harness.models.datasets import load_dataset
from harness.models.loaded import LoadedModel, Reference, lazy_reference
from harness.models.resolve import DeclaredInput, dynamic_batch, resolve_inputs
from harness.models.safety import model_file

#: TensorType codes of the LiteRT schema (tflite/schema.fbs) that the precision rule reads.
FLOAT32, FLOAT16, UINT8, INT16, INT8 = 0, 1, 3, 7, 9


def interpreter(path: Path, delegates: bool = False, threads: int | None = None) -> Any:
    """Return an allocated LiteRT Interpreter on `path`; `delegates=False`: reference kernels
    only (LiteRT's default XNNPACK delegate left off)."""
    from ai_edge_litert import interpreter as tfl

    resolver = (tfl.OpResolverType.AUTO if delegates
                else tfl.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    try:
        found = tfl.Interpreter(model_path=str(path), num_threads=threads,
                                experimental_op_resolver_type=resolver)
        found.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise ModelError(f"{path} is not a .tflite model LiteRT can load: {exc}".splitlines()[0],
                         "Check that the file is a complete LiteRT (.tflite) flatbuffer.") from exc
    return found


def tensor_types(path: Path) -> tuple[Counter[int], Counter[int], int]:
    """Return (types of constant tensors, types of activation tensors, constant elements) of
    the first subgraph."""
    from ai_edge_litert import schema_py_generated as schema

    model = schema.Model.GetRootAs(path.read_bytes(), 0)
    graph = model.Subgraphs(0)
    consts: Counter[int] = Counter()
    acts: Counter[int] = Counter()
    elements = 0
    for i in range(graph.TensorsLength()):
        tensor = graph.Tensors(i)
        buffer = tensor.Buffer()
        data = model.Buffers(buffer) if 0 < buffer < model.BuffersLength() else None
        stored = data is not None and (data.DataLength() > 0 or data.Size() > 0)
        (consts if stored else acts)[tensor.Type()] += 1
        elements += int(np.prod(tensor.ShapeAsNumpy())) if stored and tensor.ShapeLength() else 0
    return consts, acts, elements


def tflite_precision(path: Path) -> str:
    """Return the file's precision: int8_static (integer activations), int8_dynamic (integer
    weights, float activations), fp16 (half weights) or fp32."""
    consts, acts, _ = tensor_types(path)
    if acts[INT8] or acts[UINT8] or acts[INT16]:
        return "int8_static"
    if consts[INT8] or consts[UINT8]:
        return "int8_dynamic"
    return "fp16" if consts[FLOAT16] and acts[FLOAT32] else "fp32"


def real_dtype(detail: dict[str, Any]) -> str:
    """Return the dtype a caller feeds for one input or output: float32 where the tensor is
    quantised (scale != 0; the session converts), else the tensor's own dtype."""
    scale, _ = detail["quantization"]
    return "float32" if scale else np.dtype(detail["dtype"]).name


def declared_inputs(found: Any) -> list[DeclaredInput]:
    """Return the interpreter's inputs with their dims (-1 in the signature: dynamic)."""
    out = []
    for d in found.get_input_details():
        dims = tuple(None if int(n) < 0 else int(n) for n in d["shape_signature"])
        out.append(DeclaredInput(d["name"], dims, real_dtype(d)))
    if not out:
        raise ModelError("The .tflite model has no inputs, so there is nothing to feed.",
                         "Benchmark a model that takes at least one input tensor.")
    return out


def _run_reference(found: Any, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
    from harness.models.tflite_io import run_interpreter

    return run_interpreter(found, [feed[d["name"]] for d in found.get_input_details()])


def litert_reference(path: Path) -> Reference:
    """Return a function running the original file on LiteRT's reference kernels (opened once)."""
    return lazy_reference(lambda: interpreter(path), _run_reference)


def load_tflite_file(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Return the .tflite file as a model: specs from its inputs + model.inputs, run as it is."""
    path = model_file(cfg.path, "path", (".tflite",))
    if path.stat().st_size == 0:
        raise ModelError(f"{path} is empty (0 bytes), not a .tflite model.",
                         "Check the conversion or the copy that wrote it.")
    found = interpreter(path)
    declared = declared_inputs(found)
    specs = resolve_inputs(declared, cfg.inputs, cfg.batch_size, path.name)
    file_sha = file_sha256(path)
    dataset = None
    if cfg.dataset_path:
        dataset = load_dataset(cfg.dataset_path, cfg.dataset_format, specs[0].shape[1:])
    consts, _, elements = tensor_types(path)
    return LoadedModel(
        name=cfg.name, module=None, inputs=specs, task=cfg.task, num_classes=None,
        dataset=dataset, weights_sha256=content_hash("tflite-file", file_sha),
        parameter_count=elements, source="tflite_file", fills=dict(cfg.inputs),
        dynamic_batch=dynamic_batch(declared), formats=frozenset({"tflite"}), tflite_path=path,
        provenance={"path": str(path), "file_sha256": file_sha,
                    "file_precision": tflite_precision(path),
                    "constant_tensors": sum(consts.values())},
        reference_fn=litert_reference(path),
    )
