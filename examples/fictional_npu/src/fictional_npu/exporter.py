"""The `nimbus` artifact format: the harness's fp32 ONNX "compiled" by the Nimbus SDK.

`export_nimbus` (entry point `harness.exporters: nimbus`) builds the fp32 ONNX through the
harness's own `onnx` exporter and compiles it into a `.nimbus` file, cached by content hash in
the harness's artifact cache. `quantise_nimbus` (entry point `harness.quantisers: nimbus`) makes
quant=int8_static work on a `nimbus` artifact: it takes the ONNX out of the fp32 blob, runs the
harness's own ONNX recipe on it (calibrated QDQ, cached as usual) and compiles the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fictional_npu import sdk
from harness.core.artifact import Artifact, ArtifactFormat
from harness.core.cache import ArtifactCache, CachedFile, content_hash
from harness.export.registry import EXPORTERS
from harness.quantise.registry import QUANTISERS

NIMBUS = ArtifactFormat("nimbus")


def _artifact(cached: CachedFile, like: Artifact, fmt: str, meta: dict[str, Any]) -> Artifact:
    return Artifact(format=fmt, precision=like.precision, inputs=like.inputs, path=cached.path,
                    sha256=cached.sha256, size_bytes=cached.size_bytes, cache_hit=cached.hit,
                    meta=meta)


def compile_artifact(onnx: Artifact, cache: ArtifactCache) -> Artifact:
    """Return the `nimbus` artifact compiled from an ONNX artifact, building it unless cached."""
    key = content_hash("nimbus-compile/1", onnx.sha256, onnx.precision, sdk.sdk_version())

    def build(path: Path) -> dict[str, Any]:
        blob = sdk.compile_model(Path(str(onnx.path)).read_bytes(), onnx.precision)
        path.write_bytes(blob)
        return {"compiled_by": f"nimbus-sdk {sdk.sdk_version()}", "onnx_sha256": onnx.sha256}

    cached = cache.get_or_build(NIMBUS.value, key, "model.nimbus", build)
    return _artifact(cached, onnx, NIMBUS, {**onnx.meta, **cached.meta})


def export_nimbus(model: Any, cfg: Any, cache: ArtifactCache) -> Artifact:
    """Return the model's fp32 `nimbus` artifact (the harness's ONNX export, compiled)."""
    return compile_artifact(EXPORTERS.get("onnx")(model, cfg, cache), cache)


def onnx_inside(blob: Artifact, cache: ArtifactCache) -> Artifact:
    """Return the ONNX model a `nimbus` artifact was compiled from, as an ONNX artifact."""
    key = content_hash("nimbus-unwrap/1", blob.sha256)

    def build(path: Path) -> dict[str, Any]:
        _, onnx_bytes = sdk.read_blob(Path(str(blob.path)).read_bytes())
        path.write_bytes(onnx_bytes)
        return {}

    cached = cache.get_or_build("nimbus-onnx", key, "model.onnx", build)
    return _artifact(cached, blob, "onnx", dict(blob.meta))


def quantise_nimbus(model: Any, fp32: Artifact, cfg: Any, calib: Any,
                    cache: ArtifactCache) -> Artifact:
    """Return `fp32` quantised by the harness's ONNX recipe for cfg, compiled for Nimbus."""
    onnx = onnx_inside(fp32, cache)
    quantised = QUANTISERS.get("onnx")(model, onnx, cfg, calib, cache)
    if quantised is onnx:  # quant=fp32: nothing to do
        return fp32
    return compile_artifact(quantised, cache)
