"""Untrusted model files: paths that stay in their folder, ONNX external data checked first,
arrays read without pickle."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx.external_data_helper import uses_external_data

from harness.core.errors import ModelError


def model_file(raw: str | None, field: str, suffixes: tuple[str, ...], folder: bool = False
               ) -> Path:
    """Return the resolved path of a configured model file (or folder); ModelError if missing."""
    if not raw:
        raise ModelError(f"model.{field} is not set.",
                         f"Set model.{field}=/path/to/model{suffixes[0] if suffixes else ''}.")
    path = Path(raw).expanduser().resolve()
    if folder and not path.is_dir():
        raise ModelError(f"model.{field}={raw} is not a folder.",
                         "Point it at the folder holding the model's files.")
    if not folder and not path.is_file():
        raise ModelError(f"model.{field}={raw} is not a file.", "Check the path.")
    if suffixes and path.suffix.lower() not in suffixes:
        raise ModelError(f"model.{field}={raw} does not end in {' or '.join(suffixes)}.",
                         "Point it at a file of that kind (or pick the matching model.source).")
    return path


def inside(folder: Path, location: str) -> Path | None:
    """Return folder/location resolved if it stays inside `folder` (no absolute, no ..)."""
    rel = Path(location)
    if rel.is_absolute() or ".." in rel.parts or not location:
        return None
    target = (folder / rel).resolve()
    return target if target.is_relative_to(folder.resolve()) else None


def _attribute_tensors(attr: onnx.AttributeProto) -> list[onnx.TensorProto]:
    sparse = [attr.sparse_tensor] if attr.HasField("sparse_tensor") else []
    sparse += list(attr.sparse_tensors)
    return ([attr.t] if attr.HasField("t") else []) + list(attr.tensors) + [
        t for s in sparse for t in (s.values, s.indices)]


def external_locations(model: onnx.ModelProto) -> list[str]:
    """Return the external-data `location` of every tensor stored outside the file: graph and
    sparse initializers, node attributes, subgraphs, and model-local function bodies."""
    found: list[str] = []
    bodies: list[list[onnx.NodeProto]] = [list(f.node) for f in model.functions]
    graphs = [model.graph]
    while graphs or bodies:
        tensors: list[onnx.TensorProto] = []
        if graphs:
            graph = graphs.pop()
            tensors += list(graph.initializer) + [
                t for s in graph.sparse_initializer for t in (s.values, s.indices)]
            bodies.append(list(graph.node))
        for node in bodies.pop() if bodies else []:
            for attr in node.attribute:
                tensors += _attribute_tensors(attr)
                graphs += ([attr.g] if attr.HasField("g") else []) + list(attr.graphs)
        found += [e.value for t in tensors if uses_external_data(t)
                  for e in t.external_data if e.key == "location"]
    return found


def check_onnx(path: Path) -> tuple[onnx.ModelProto, list[Path]]:
    """Return the graph (external data not loaded) and its data files; reject escaping paths."""
    if path.stat().st_size == 0:
        raise ModelError(f"{path} is empty (0 bytes), not an ONNX model.",
                         "Check the export or the copy that wrote it.")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf raises DecodeError and others for a corrupt file
        raise ModelError(f"{path} is not a readable ONNX model: {exc}".splitlines()[0],
                         "Check that the file is a complete .onnx model.") from exc
    if not model.HasField("graph") or not (model.graph.node or model.graph.output):
        raise ModelError(f"{path} holds no ONNX graph (no nodes, no outputs); it is not a model.",
                         "Check that the file is a complete .onnx model.")
    files: list[Path] = []
    for location in sorted(set(external_locations(model))):
        target = inside(path.parent, location)
        if target is None:
            raise ModelError(
                f"{path.name} refers to external data at '{location}', outside its folder "
                f"{path.parent}; refusing to read it.",
                "Keep external data files next to the .onnx file with relative names "
                "(onnx.save_model(..., location='weights.bin')).")
        if not target.is_file():
            raise ModelError(f"{path.name} needs external data '{location}', which is missing.",
                             f"Copy it next to the model into {path.parent}.")
        files.append(target)
    return model, files


def read_arrays(path: Path, field: str) -> dict[str, np.ndarray]:
    """Return the arrays of an .npy ({"": array}) or .npz file, never unpickling; ModelError
    naming the file when it holds Python objects or is not an array file."""
    try:
        with open(path, "rb") as fh:
            loaded = np.load(fh, allow_pickle=False)
            if isinstance(loaded, np.ndarray):
                return {"": loaded}
            with loaded as npz:
                return {k: npz[k] for k in npz.files}
    except ValueError as exc:
        if "pickle" not in str(exc) and "Object arrays" not in str(exc):
            raise ModelError(f"{field}: {path} is not a readable .npy/.npz array file: {exc}"
                             .splitlines()[0], "Save it with np.save or np.savez.") from exc
        raise ModelError(
            f"{field}: {path.name} holds pickled Python objects (an object array or a pickle), "
            "which are refused: loading them could run code.",
            "Save plain numeric arrays, e.g. np.save(path, array.astype(np.float32)).") from exc
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{field}: {path} is not a readable .npy/.npz array file: {exc}"
                         .splitlines()[0], "Save it with np.save or np.savez.") from exc
