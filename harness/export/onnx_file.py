"""A user's ONNX file as the fp32 artifact: copied into the cache (external data folded in)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import onnx
from onnx import version_converter

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import ModelError
from harness.core.onnx_utils import default_opset
from harness.models.config import ModelConfig
from harness.models.safety import check_onnx
from harness.models.source import LoadedModel

#: Oldest default-domain opset onnxruntime runs; older files are upgraded to UPGRADE_TO.
MIN_OPSET = 7
UPGRADE_TO = 13


def _copy(src: Path, dst: Path) -> dict[str, Any]:
    """Write `src` to `dst` as one self-contained file; upgrade opsets ORT cannot run."""
    model, data_files = check_onnx(src)  # again: the file may have changed since load_model
    have = default_opset(model)
    if not data_files and have >= MIN_OPSET:
        shutil.copyfile(src, dst)
        return {"opset": have, "source_opset": have, "external_data_folded": False}
    full = onnx.load(str(src), load_external_data=True) if data_files else model
    if have < MIN_OPSET:
        try:
            full = version_converter.convert_version(full, UPGRADE_TO)
        except Exception as exc:  # the converter raises bare RuntimeErrors per unsupported op
            raise ModelError(
                f"{src.name} uses ONNX opset {have}, older than onnxruntime runs ({MIN_OPSET}), "
                f"and onnx's version converter could not upgrade it: {exc}".splitlines()[0],
                f"Re-export the model with opset {UPGRADE_TO} or newer.") from exc
    try:
        onnx.save(full, str(dst))
    except ValueError as exc:  # over protobuf's 2 GB limit
        raise ModelError(f"{src.name} with its external data is too large to fold into one "
                         f"file: {exc}".splitlines()[0],
                         "Use a model under 2 GB with this harness.") from exc
    return {"opset": default_opset(full), "source_opset": have,
            "external_data_folded": bool(data_files)}


def onnx_file_artifact(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the user's ONNX file as the fp32 ONNX artifact (cached by its content hash)."""
    src = model.onnx_path
    if src is None:
        raise ModelError(f"'{model.name}' has no ONNX file.", "Use model.source=onnx_file.")
    key = content_hash("onnx-file/1", model.weights_sha256, onnx.__version__)
    cached = cache.get_or_build("onnx", key, "model.onnx", lambda p: _copy(src, p))
    producer = model.provenance.get("producer") or "an unnamed producer"
    meta = {**cached.meta, "exporter": f"the user's file, as written by {producer}",
            "source_file": str(src),
            "source_sha256": model.provenance.get("file_sha256", "")}
    return Artifact(format="onnx", precision="fp32", inputs=model.inputs, path=cached.path,
                    sha256=cached.sha256, size_bytes=cached.size_bytes, cache_hit=cached.hit,
                    meta=meta)
