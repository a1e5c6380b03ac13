"""Compose a benchmark's config from harness-bench overrides and build what it would time.

The audit exercises the exact model, artifact and backend a `harness-bench` run with the same
overrides would (same export and quantisation cache), so an audited backend is the one timed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hydra.core.override_parser.overrides_parser import OverridesParser

from harness.backends.base import Backend
from harness.backends.registry import create_backend
from harness.config import BenchConfig
from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import BackendUnavailable
from harness.export.formats import format_mismatch, fp32_artifact
from harness.models.inputs import calibration_set
from harness.models.source import LoadedModel, load_model
from harness.quantise.apply import NEEDS_CALIBRATION, quantise
from harness.run.prepare import fixed_inputs


@dataclass
class Prepared:
    """The model, its artifact for the backend, and the backend (sessions are loaded per audit)."""

    model: LoadedModel
    artifact: Artifact
    backend: Backend


def expand_sweep(overrides: Sequence[str]) -> list[list[str]]:
    """Return one override list per point of the sweep (`target=cpu,torch_cpu` gives two)."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    choices = [[f"{o.get_key_element()}={v}" for v in o.sweep_string_iterator()]
               if o.is_sweep_override() else [o.input_line] for o in parsed]
    return [list(point) for point in itertools.product(*choices)]


def prepare(cfg: BenchConfig) -> Prepared:
    """Return the model, artifact and backend of the run; BackendUnavailable when it can't."""
    cache = ArtifactCache(Path(cfg.cache_dir))
    model = load_model(cfg.model, Path(cfg.cache_dir))
    backend = create_backend(cfg.target)
    probe = backend.probe()
    if not probe.available:
        raise BackendUnavailable(f"{cfg.target.name}: {probe.reason}")
    if (mismatch := format_mismatch(model, backend.name, backend.formats)) is not None:
        raise BackendUnavailable(f"{cfg.target.name}: {mismatch}")
    fp32 = fp32_artifact(model, backend.formats, cfg.model, cache)
    calib = None
    if cfg.quant.recipe in NEEDS_CALIBRATION:
        calib = calibration_set(model, cfg.quant.calibration_size, cfg.seed)
    artifact = quantise(model, fp32, cfg.quant, calib, cache, backend.name)
    artifact = backend.prepare(artifact, fixed_inputs(model, artifact), Path(cfg.cache_dir))
    return Prepared(model, artifact, backend)
