"""Malicious model files, built in the test's tmp folder (no live payload is ever committed).

Each payload, if it ever ran, would create `marker`; the tests assert it never appears.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

from tests.unit.models import builders


class Payload:
    """Unpickling this runs `touch marker` (os.system through __reduce__)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def pickled(marker: Path) -> bytes:
    """Return a plain pickle whose loading creates `marker`."""
    return pickle.dumps(Payload(marker), protocol=4)


def torch_saved(marker: Path, legacy: bool = False) -> bytes:
    """Return a torch.save file: a state dict with one payload beside a real tensor."""
    buf = io.BytesIO()
    torch.save({"weight": torch.ones(2), "evil": Payload(marker)}, buf,
               _use_new_zipfile_serialization=not legacy)
    return buf.getvalue()


def rewrite_zip(path: Path, edit: Callable[[dict[str, bytes]], None]) -> Path:
    """Rewrite the zip at `path` after `edit` changes its {name: bytes} entries in place."""
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist()}
    edit(entries)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _root(entries: dict[str, bytes]) -> str:
    return next(iter(entries)).split("/", 1)[0]


def _add_constant(entries: dict[str, bytes], path_name: str, data: bytes) -> None:
    root = _root(entries)
    config_name = f"{root}/data/constants/model_constants_config.json"
    config = json.loads(entries[config_name])
    config["config"][path_name] = {"path_name": path_name, "is_param": False,
                                   "use_pickle": True, "tensor_meta": None}
    entries[config_name] = json.dumps(config).encode()
    entries[f"{root}/data/constants/{path_name}"] = data


def pt2(tmp: Path, kind: str, marker: Path) -> Path:
    """Write a .pt2 of TinyNet made hostile in one way (`kind`)."""
    path = builders.pt2_file(tmp / f"{kind}.pt2")

    def edit(entries: dict[str, bytes]) -> None:
        root = _root(entries)
        if kind == "opaque_obj":  # the repro: pickle.loads on load
            _add_constant(entries, "opaque_obj_0", pickled(marker))
        elif kind == "custom_obj":  # torchbind objects: torch's own unpickler
            _add_constant(entries, "custom_obj_0", pickled(marker))
        elif kind == "pickled_tensor_constant":  # torch.load(weights_only=False) on load
            _add_constant(entries, "tensor_9", torch_saved(marker))
        elif kind == "pickled_weight":
            name = f"{root}/data/weights/model_weights_config.json"
            config = json.loads(entries[name])
            fqn, meta = next(iter(config["config"].items()))
            meta["use_pickle"] = True
            entries[f"{root}/data/weights/{meta['path_name']}"] = torch_saved(marker)
            config["config"][fqn] = meta
            entries[name] = json.dumps(config).encode()
        elif kind == "sample_inputs":  # deserialize_torch_artifact falls back to a full unpickle
            entries[f"{root}/data/sample_inputs/model.pt"] = torch_saved(marker)
        elif kind == "legacy_weights":  # the pre-config layout: one pickled weights file
            entries[f"{root}/data/weights/model.pt"] = torch_saved(marker, legacy=True)
        elif kind == "sympy_eval":  # shape expressions go through sympy.sympify, i.e. eval
            name = f"{root}/models/model.json"
            text = entries[name].decode()
            start = text.index('"expr_str": "') + len('"expr_str": "')
            end = text.index('"', start)
            evil = f"__import__('os').system('touch {marker}')"
            entries[name] = (text[:start] + evil + text[end:]).encode()
        elif kind == "aotinductor":  # a compiled library torch would dlopen
            entries[f"{root}/data/aotinductor/model/model.so"] = b"\x7fELF not really"

    return rewrite_zip(path, edit)


def object_npy(path: Path, marker: Path) -> Path:
    """Write an .npy holding an object array whose unpickling creates `marker`."""
    np.save(path, np.array([Payload(marker), 1], dtype=object), allow_pickle=True)
    return path


def onnx_identity(path: Path, dims: list[int | str] | None) -> Path:
    """Write y = x + 1 with input dims `dims` (None: a model with no inputs at all)."""
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    if dims is None:
        nodes = [helper.make_node("Constant", [], ["y"], value=one)]
        inputs = []
    else:
        nodes = [helper.make_node("Constant", [], ["c"], value=one),
                 helper.make_node("Add", ["x", "c"], ["y"])]
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)]
    graph = helper.make_graph(nodes, "g", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def onnx_function_external(path: Path, location: str) -> Path:
    """Write a model whose local function holds a tensor attribute stored at `location`."""
    tensor = helper.make_tensor("w", TensorProto.FLOAT, [4], [0.0] * 4)
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "16")):
        tensor.external_data.add(key=key, value=value)
    body = [helper.make_node("Constant", [], ["w"], value=tensor),
            helper.make_node("Add", ["a", "w"], ["b"])]
    func = helper.make_function("local", "AddW", ["a"], ["b"], body,
                                [helper.make_opsetid("", 13)])
    graph = helper.make_graph(
        [helper.make_node("AddW", ["x"], ["y"], domain="local")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])])
    model = helper.make_model(graph, functions=[func], opset_imports=[
        helper.make_opsetid("", 13), helper.make_opsetid("local", 1)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path
