"""Untrusted model files: paths that stay in their folder, ONNX external data checked first."""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx.external_data_helper import uses_external_data

from harness.errors import ModelError


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


def external_locations(model: onnx.ModelProto) -> list[str]:
    """Return the external-data `location` of every tensor stored outside the file."""
    found: list[str] = []
    graphs = [model.graph]
    while graphs:
        graph = graphs.pop()
        tensors = list(graph.initializer) + [
            a.t for n in graph.node for a in n.attribute if a.HasField("t")]
        found += [e.value for t in tensors if uses_external_data(t)
                  for e in t.external_data if e.key == "location"]
        graphs += [a.g for n in graph.node for a in n.attribute if a.HasField("g")]
        graphs += [g for n in graph.node for a in n.attribute for g in a.graphs]
    return found


def check_onnx(path: Path) -> tuple[onnx.ModelProto, list[Path]]:
    """Return the graph (external data not loaded) and its data files; reject escaping paths."""
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf raises DecodeError and others for a corrupt file
        raise ModelError(f"{path} is not a readable ONNX model: {exc}".splitlines()[0],
                         "Check that the file is a complete .onnx model.") from exc
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
