"""onnxruntime backend: node placement, strict fallback, IO binding, wheel clashes."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from harness.backends import onnxruntime_placement as placement
from harness.backends.config import TargetConfig
from harness.backends.onnxruntime_backend import OnnxRuntimeBackend
from harness.core.errors import ConfigError, UnsupportedError

X = np.ones((2, 4), dtype=np.float32)


def backend(**options) -> OnnxRuntimeBackend:
    """Return an onnxruntime backend on the CPU with `options`."""
    return OnnxRuntimeBackend(TargetConfig(name="t", backend="onnxruntime", options=options))


def test_describe_counts_nodes_per_provider(tiny_onnx) -> None:
    session = backend().load(tiny_onnx)
    info = session.describe()
    assert info["providers"] == ["CPUExecutionProvider"]
    assert info["nodes_per_provider"] == {"CPUExecutionProvider": 2}
    session.close()


def test_io_binding_matches_plain_run(tiny_onnx) -> None:
    plain = backend().load(tiny_onnx).run({"x": X})[0]
    bound = backend(io_binding=True).load(tiny_onnx)
    np.testing.assert_array_equal(bound.run({"x": X})[0], plain)
    np.testing.assert_array_equal(bound.run({"x": X})[0], plain)  # reuses the bound copy
    assert bound.describe()["io_binding"] is True


@pytest.mark.skipif("AzureExecutionProvider" not in ort.get_available_providers(),
                    reason="needs a second provider that takes no nodes")
def test_strict_fails_when_nodes_fall_back_to_cpu(tiny_onnx) -> None:
    strict = backend(providers=["AzureExecutionProvider", "CPUExecutionProvider"], strict=True)
    with pytest.raises(UnsupportedError, match="fell back to CPUExecutionProvider"):
        strict.load(tiny_onnx)


def test_missing_provider_is_a_probe_reason() -> None:
    probe = backend(providers=["NoSuchExecutionProvider"]).probe()
    assert not probe.available and "NoSuchExecutionProvider" in probe.reason


def test_provider_options_must_pair_with_providers(tiny_onnx) -> None:
    with pytest.raises(ConfigError, match="one entry per provider"):
        backend(provider_options=[{}, {}]).load(tiny_onnx)


def test_wheel_clash_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(placement, "installed_ort_wheels",
                        lambda: ["onnxruntime", "onnxruntime-gpu"])
    assert "onnxruntime, onnxruntime-gpu" in placement.wheel_clash_warning()
    assert backend().probe().warnings


def test_cpu_fallbacks_only_count_under_an_accelerator() -> None:
    counts = placement.Counter({"CPUExecutionProvider": 3, "CUDAExecutionProvider": 9})
    assert placement.cpu_fallbacks(counts, ["CUDAExecutionProvider", "CPUExecutionProvider"]) == 3
    assert placement.cpu_fallbacks(counts, ["CPUExecutionProvider"]) == 0
