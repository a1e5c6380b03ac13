"""Graph preparation for OpenVINO (target.options.prepare_graph): when, on what, and the record.

OpenVINO's ONNX frontend validates both branches of every `If` and needs conditions of rank 0
or 1, so models that onnxruntime runs can fail to convert: silero-vad's If on its `sr` input,
AffineGrid's function expansion (its dead 3-D branch splits a 4-element tensor 5 ways),
openWakeWord's If on a [1, 1] condition; and its CPU compile fails on a requantised Pad in a QDQ
graph. This module decides whether to prepare (auto: only such files), picks the fixed inputs
to fold, caches the prepared copy by content (openvino_rewrite.py writes it) and returns it as
an artifact whose meta says what changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import onnx_ir as ir
import onnxscript
import openvino as ov

from harness.backends.openvino_qdq import requantised_pads
from harness.backends.openvino_rewrite import rewrite
from harness.core.artifact import Artifact, TensorSpec
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import ConfigError, HarnessError, ModelError, reason_of

#: Bumped when the pass changes what it writes, so cached graphs are rebuilt.
PASS_VERSION = 2
#: Fixed inputs with more elements than this are left as inputs (a tensor of data, not a switch).
MAX_FOLDED_ELEMENTS = 16
FOLDABLE_KINDS = "iub"  # integer, unsigned and bool inputs: the values that select branches
UNCONVERTED = re.compile(r"Conversion is failed for:([^\n]+)")


@dataclass(frozen=True)
class Prepared:
    """The prepared graph: its file, hash, the record's note, and the inputs it no longer has."""

    path: Path
    sha256: str
    size_bytes: int
    note: str
    folded: tuple[str, ...]


def foldable(spec: TensorSpec, value: np.ndarray) -> bool:
    """Return whether an input fixed at `value` is folded: a small integer or bool tensor."""
    return np.dtype(spec.dtype).kind in FOLDABLE_KINDS and value.size <= MAX_FOLDED_ELEMENTS


def prepare_graph(artifact: Artifact, fixed: dict[str, np.ndarray], fix_shapes: bool,
                  cache_dir: Path) -> Prepared:
    """Return the prepared copy of the artifact's ONNX file, cached by content."""
    if artifact.path is None:
        raise ModelError("OpenVINO's graph preparation needs an ONNX file; this artifact has none.",
                         "Set target.options.prepare_graph=false.")
    specs = {s.name: s for s in artifact.inputs}
    fold = {n: v for n, v in fixed.items() if n in specs and foldable(specs[n], v)}
    key = content_hash("openvino-prepared", PASS_VERSION, onnxscript.__version__,
                       artifact.sha256, {n: v.tolist() for n, v in sorted(fold.items())},
                       [list(s.shape) for s in artifact.inputs] if fix_shapes else None)
    src = Path(artifact.path)
    try:
        got = ArtifactCache(cache_dir).get_or_build(
            "openvino_prepared", key, "model.onnx",
            lambda dest: rewrite(src, dest, artifact.inputs, fold, fix_shapes))
    except HarnessError:
        raise
    except Exception as exc:  # onnxscript raises many types on a graph it cannot fold
        raise ModelError(
            f"Preparing {src.name} for OpenVINO (folding fixed inputs and constant If's) "
            f"failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            "Set target.options.prepare_graph=false to hand OpenVINO the file as it is, or run "
            "it on onnxruntime (target=cpu).") from exc
    return Prepared(got.path, got.sha256, got.size_bytes, got.meta["note"],
                    tuple(got.meta["folded"]))


MODES = ("auto", "true", "false")


def prepare_mode(raw: Any) -> str:
    """Return target.options.prepare_graph as auto/true/false; anything else is a ConfigError."""
    mode = str(raw).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"target.options.prepare_graph={raw} is not valid.",
                          "Use auto (prepare only a graph OpenVINO cannot convert as it is), "
                          "true (always) or false (never).")
    return mode


def needs_preparation(path: Path) -> str | None:
    """Return why OpenVINO cannot take the file as it is, None if it can: the operators its
    reader cannot convert (its own words), or a requantised Pad its CPU compile fails on."""
    try:
        ov.Core().read_model(str(path))
    except RuntimeError as exc:
        failed = UNCONVERTED.search(str(exc))
        why = failed.group(1).strip() if failed else reason_of(exc, max_lines=3)
        return f"OpenVINO cannot convert the file as it is: {why}"
    if requantised_pads(ir.load(path).graph):
        return ("it holds a Pad between equal QuantizeLinear/DequantizeLinear pairs, which "
                "OpenVINO's int8 transformations fail to compile")
    return None


def prepared_artifact(artifact: Artifact, fixed: dict[str, np.ndarray], mode: str,
                      cache_dir: Path) -> Artifact:
    """Return `artifact`, or (mode true, or auto and OpenVINO cannot convert it) its prepared
    copy: new path and sha256, meta `graph_preparation` (what changed), `prepared_from_sha256`,
    `folded_inputs` (comma-separated) and `prepared_static_shapes`."""
    if mode == "false" or artifact.format != "onnx" or artifact.path is None:
        return artifact
    why = needs_preparation(Path(artifact.path)) if mode == "auto" else None
    if mode == "auto" and why is None:
        return artifact
    try:
        got = prepare_graph(artifact, fixed, True, cache_dir)
    except ModelError as exc:
        if mode == "true":
            raise
        # auto: OpenVINO's own refusal of the original file is the more useful error
        return replace(artifact, meta={**artifact.meta, "graph_preparation_failed": exc.message})
    note = got.note + (f" (auto: {why})" if why
                       else " (target.options.prepare_graph=true)")
    meta = {**artifact.meta, "graph_preparation": note, "prepared_from_sha256": artifact.sha256,
            "folded_inputs": ",".join(got.folded), "prepared_static_shapes": True}
    return replace(artifact, path=got.path, sha256=got.sha256, size_bytes=got.size_bytes,
                   meta=meta)


def folded_inputs(artifact: Artifact) -> frozenset[str]:
    """Return the names of the inputs a prepared artifact no longer has (folded as constants)."""
    return frozenset(n for n in str(artifact.meta.get("folded_inputs", "")).split(",") if n)
