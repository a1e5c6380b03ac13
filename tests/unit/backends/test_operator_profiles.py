"""Per-operator profiles on real runtimes: an int8 QDQ model shows its int8 kernels' share.

The model is a real QDQ int8 ONNX file: a small Conv-Relu-Conv-Sigmoid net (conv_net.py)
quantised by onnxruntime's own quantize_static on seeded data (under a second).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

from harness.backends.base import ProfiledSession
from harness.backends.config import TargetConfig
from harness.backends.profile import NodeTime, OperatorProfile, Precision, precision_of
from harness.backends.profile_summary import summarise
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact, TensorSpec
from tests.unit.backends.conv_net import SHAPE, write_conv_net

SPEC = TensorSpec("x", SHAPE, "float32")


class _Reader(CalibrationDataReader):
    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.batches = iter([{"x": rng.standard_normal(SPEC.shape, dtype=np.float32)}
                             for _ in range(4)])

    def get_next(self) -> dict | None:
        return next(self.batches, None)


@pytest.fixture(scope="module")
def qdq_int8(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    """Return a real int8 QDQ artifact (U8S8, per-channel) quantised by onnxruntime."""
    folder = tmp_path_factory.mktemp("qdq")
    write_conv_net(folder / "fp32.onnx")
    quantize_static(str(folder / "fp32.onnx"), str(folder / "int8.onnx"), _Reader(),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    return Artifact(format="onnx", precision="int8_static", inputs=(SPEC,),
                    path=folder / "int8.onnx")


def _profile(target: TargetConfig, artifact: Artifact, folder: Path,
             runs: int = 5) -> OperatorProfile:
    backend = create_backend(target)
    session = backend.load_profiled(artifact)
    assert isinstance(session, ProfiledSession)
    x = {"x": np.random.default_rng(2).standard_normal(SPEC.shape, dtype=np.float32)}
    session.run(x)
    session.begin_profile()
    for _ in range(runs):
        session.run(x)
    profile = session.end_profile(folder)
    session.close()
    assert profile.runs == runs
    return profile


def test_onnxruntime_int8_profile(qdq_int8: Artifact, tmp_path: Path) -> None:
    profile = _profile(TargetConfig(backend="onnxruntime", threads=1), qdq_int8, tmp_path)
    kinds = {n.op_type: n.precision for n in profile.nodes}
    assert kinds.get("QLinearConv") == Precision.int8, kinds  # ORT fused DQ-Conv-Q
    assert all(n.provider == "CPUExecutionProvider" and n.calls == 5 for n in profile.nodes)
    summary = summarise(profile, quantised=True)
    assert 0 < summary["int8_fraction"] <= 1
    assert summary["other_provider_nodes"] == 0
    assert summary["top_op_types"][0]["time_share"] >= summary["top_op_types"][-1]["time_share"]
    assert (tmp_path / "onnxruntime_profile.json").is_file()


def test_openvino_int8_profile(qdq_int8: Artifact, tmp_path: Path) -> None:
    pytest.importorskip("openvino", reason="openvino not installed")
    target = TargetConfig(backend="openvino", device="CPU", threads=1, options={"cache_dir": ""})
    profile = _profile(target, qdq_int8, tmp_path)
    int8 = [n for n in profile.nodes if n.precision == Precision.int8]
    assert int8 and all(n.kernel.upper().endswith(("I8", "U8")) for n in int8), profile.nodes
    assert 0 < summarise(profile, quantised=True)["int8_fraction"] <= 1
    convert = {n.name for n in profile.nodes if n.precision == Precision.convert}
    assert "x_QuantizeLinear" in convert  # fused into a Subgraph, named after the ONNX node
    assert (tmp_path / "openvino_profile.json").is_file()


def test_warmup_runs_are_left_out(qdq_int8: Artifact, tmp_path: Path) -> None:
    """ORT traces from session creation: the runs before begin_profile() must not count."""
    backend = create_backend(TargetConfig(backend="onnxruntime", threads=1))
    session = backend.load_profiled(qdq_int8)
    x = {"x": np.zeros(SPEC.shape, dtype=np.float32)}
    for _ in range(4):
        session.run(x)
    session.begin_profile()
    session.run(x)
    profile = session.end_profile(tmp_path)
    session.close()
    assert profile.runs == 1 and {n.calls for n in profile.nodes} == {1}


def test_precision_rule() -> None:
    assert precision_of("QLinearConv", ["uint8", "int8", "float"]) == Precision.int8
    assert precision_of("DequantizeLinear", ["uint8", "float"]) == Precision.convert
    assert precision_of("Sigmoid", ["float"]) == Precision.fp32
    assert precision_of("Shape", ["int64"]) == Precision.other
    assert precision_of("Add", []) == Precision.unknown


def _nodes(*rows: tuple[str, int, str]) -> tuple[NodeTime, ...]:
    return tuple(NodeTime(f"n{i}", op, t, p, "CPU") for i, (op, t, p) in enumerate(rows))


def test_int8_note_names_the_fp32_ops_and_the_conversions() -> None:
    fp32_heavy = OperatorProfile("p", 1, "CPU", _nodes(
        ("QLinearConv", 20, "int8"), ("Resize", 40, "fp32"), ("Sigmoid", 25, "fp32"),
        ("Concat", 15, "fp32")))
    note = summarise(fp32_heavy, quantised=True)["int8_note"]
    assert note == "80% of the time in fp32 ops: Resize, Sigmoid, Concat ran without an int8 kernel"
    converting = OperatorProfile("p", 1, "CPU", _nodes(
        ("QLinearConv", 69, "int8"), ("QuantizeLinear", 20, "convert"),
        ("DequantizeLinear", 11, "convert")))
    summary = summarise(converting, quantised=True)
    assert summary["int8_note"] == ("quantise/dequantise (QuantizeLinear, DequantizeLinear) "
                                    "takes 31% of the time")
    assert summary["fp32_fallback_nodes"] == 0 and summary["int8_fraction"] == pytest.approx(0.69)
    mostly_int8 = OperatorProfile("p", 1, "CPU", _nodes(("QLinearConv", 95, "int8"),
                                                        ("Sigmoid", 5, "fp32")))
    assert summarise(mostly_int8, quantised=True)["int8_note"] is None
    assert summarise(mostly_int8, quantised=False)["fp32_fallback_nodes"] is None
