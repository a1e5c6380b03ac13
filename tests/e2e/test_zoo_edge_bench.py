"""An MLPerf edge-class zoo model through the real `harness-bench`: export, onnxruntime, record."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import bench, records


@pytest.mark.slow  # ~20 s on 2 idle cores: a subprocess, the dynamo export, a short timing
def test_mobilenet_v2_exports_and_runs_on_onnxruntime(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="MobileNetV2 is defined by transformers")
    done = bench(tmp_path, "model=mobilenet_v2", "target=cpu", "quant=fp32",
                 "fidelity_samples=2")
    assert done.returncode == 0, done.stderr[-2000:]
    (record,) = records(tmp_path)
    assert record["status"] == "ok", record.get("reason")
    model = record["model"]
    assert model["weights"] == "seeded random"
    assert "accuracy is meaningless" in model["weights_note"]
    assert model["parameter_count"] == 3_504_872
    assert model["outputs"][0]["shape"] == [1, 1000]
    assert "task" not in record["accuracy"]  # random weights: no task accuracy is reported
    assert record["accuracy"]["fidelity"]["cosine"] > 0.999
    assert record["artifact"]["format"] == "onnx"
