"""The real components every check shares: ResNet-8, its ONNX export, sessions and inputs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.backends.base import Session
from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.export.onnx_export import export_onnx
from harness.models.config import ModelConfig
from harness.models.inputs import batched_samples
from harness.models.source import load_model

MODEL_NAME = "resnet8"
N_SAMPLES = 64  # the pipeline's timing pool size
SEED = 0


@dataclass
class Components:
    """The fp32 ONNX artifact, prepared inputs and the onnxruntime session (1 thread)."""

    artifact: Artifact
    samples: list[dict[str, np.ndarray]]
    ort_session: Session

    @property
    def raw_ort(self) -> Any:
        """Return the onnxruntime.InferenceSession under the harness session."""
        return self.ort_session.session  # type: ignore[attr-defined]

    def close(self) -> None:
        """Release the onnxruntime session."""
        self.ort_session.close()


def ort_target() -> TargetConfig:
    """Return the onnxruntime CPU target with one intra-op thread and no profiling run."""
    return TargetConfig(name="ort_cpu_1thread", backend="onnxruntime", device="cpu", threads=1,
                        options={"profile_placement": False})


def build_components(cache_dir: Path) -> Components:
    """Load ResNet-8, export it with the harness's exporter (cached) and open the session."""
    cfg = ModelConfig(name=MODEL_NAME)
    model = load_model(cfg, cache_dir)
    artifact = export_onnx(model, cfg, ArtifactCache(cache_dir))
    samples = batched_samples(model, N_SAMPLES, SEED, artifact.inputs)
    session = create_backend(ort_target()).load(artifact)
    return Components(artifact, samples, session)


def warm_up(session: Session, samples: list[dict[str, np.ndarray]], duration_s: float) -> None:
    """Run the session back to back for duration_s seconds (caches, allocator, clocks)."""
    end = time.perf_counter() + duration_s
    i = 0
    while time.perf_counter() < end:
        session.run(samples[i % len(samples)])
        i += 1
