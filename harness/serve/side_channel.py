"""The side channel of `harness serve`: a companion model `<name>.harness` beside the served one.

A client infers it like any model (same endpoint, protocol, TLS and emulated link) and gets
one JSON document: the served artifact (sha256, format, precision, backend) and the server's
running energy totals (harness.serve.energy). Triton's model configuration cannot carry the
sha256 through PyTriton, and a plain OIP server has no such model: the client then records
that the server does not report them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from harness.backends.remote_energy import INFO, QUERY, SUFFIX
from harness.core.artifact import Artifact
from harness.serve.energy import ServerEnergy

__all__ = ["INFO", "QUERY", "counting", "info_document", "served_artifact", "side_channel_func",
           "side_channel_name"]
VERSION = 1


def side_channel_name(model_name: str) -> str:
    """Return the companion model's name for a served model name."""
    return model_name + SUFFIX


def served_artifact(artifact: Artifact, backend: str, backend_version: str,
                    device: str) -> dict[str, Any]:
    """Return what the side channel says about the served artifact."""
    out = {"sha256": artifact.sha256, "format": artifact.format,
           "precision": artifact.precision, "size_bytes": artifact.size_bytes,
           "backend": backend, "backend_version": backend_version, "device": device}
    if artifact.meta.get("prepared_from_sha256"):  # a copy prepared for the runtime
        out["prepared_from_sha256"] = artifact.meta["prepared_from_sha256"]
    return out


def info_document(artifact: dict[str, Any], energy: ServerEnergy) -> bytes:
    """Return the side channel's JSON document (artifact, energy totals) as UTF-8 bytes."""
    return json.dumps({"version": VERSION, "artifact": artifact,
                       "energy": energy.snapshot()}).encode()


def side_channel_func(artifact: dict[str, Any], energy: ServerEnergy) -> Callable:
    """Return the companion model's infer function (PyTriton: a list of requests in, out)."""
    def infer(requests: list[Any]) -> list[dict[str, np.ndarray]]:
        body = info_document(artifact, energy)
        return [{INFO: np.array([body], dtype=np.bytes_)} for _ in requests]

    return infer


def counting(infer: Callable, energy: ServerEnergy) -> Callable:
    """Return `infer` (PyTriton: a list of requests) counting requests and samples first."""
    def counted(requests: list[Any]) -> Any:
        samples = sum(len(next(iter(r.values()))) if len(r) else 1 for r in requests)
        energy.count(len(requests), samples)
        return infer(requests)

    return counted
