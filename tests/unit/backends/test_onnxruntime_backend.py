"""onnxruntime backend: node placement, strict fallback, IO binding, wheel clashes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness.backends import onnxruntime_placement as placement
from harness.backends.config import TargetConfig
from harness.backends.onnxruntime_backend import OnnxRuntimeBackend
from harness.core.artifact import Artifact, TensorSpec
from harness.core.errors import ConfigError, UnsupportedError

X = np.ones((2, 4), dtype=np.float32)


def backend(**options) -> OnnxRuntimeBackend:
    """Return an onnxruntime backend on the CPU with `options`."""
    return OnnxRuntimeBackend(TargetConfig(name="t", backend="onnxruntime", options=options))


def test_describe_counts_nodes_per_provider(tiny_onnx) -> None:
    session = backend().load(tiny_onnx)
    assert "nodes_per_provider" not in session.describe()  # counted from the first real run
    session.run({"x": X})
    info = session.describe()
    assert info["providers"] == ["CPUExecutionProvider"]
    assert info["nodes_per_provider"] == {"CPUExecutionProvider": 2}
    session.close()


def _branching_onnx(tmp_path: Path) -> Artifact:
    """Return a model whose int64 scalar `mode` picks an If branch; mode 0 cannot run on x."""
    shape = numpy_helper.from_array(np.array([-1, 3], dtype=np.int64), "three")
    keep = helper.make_graph([helper.make_node("Identity", ["x"], ["kept"])], "keep", [],
                             [helper.make_tensor_value_info("kept", TensorProto.FLOAT, None)])
    bad = helper.make_graph([helper.make_node("Reshape", ["x", "three"], ["cut"])], "bad", [],
                            [helper.make_tensor_value_info("cut", TensorProto.FLOAT, None)])
    graph = helper.make_graph(
        [helper.make_node("Cast", ["mode"], ["flag"], to=TensorProto.BOOL),
         helper.make_node("If", ["flag"], ["y"], then_branch=keep, else_branch=bad)],
        "branching", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4]),
                      helper.make_tensor_value_info("mode", TensorProto.INT64, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [shape])
    path = tmp_path / "branching.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)
    specs = (TensorSpec("x", (1, 4)), TensorSpec("mode", (), "int64"))
    return Artifact(format="onnx", precision="fp32", inputs=specs, path=path)


def test_placement_is_profiled_on_the_runs_own_inputs(tmp_path: Path) -> None:
    """Zeros would take the branch that cannot run; the run's `mode: 1` takes the other."""
    session = backend().load(_branching_onnx(tmp_path))
    out = session.run({"x": np.ones((1, 4), np.float32), "mode": np.array(1, np.int64)})
    np.testing.assert_array_equal(out[0], np.ones((1, 4), np.float32))
    assert sum(session.describe()["nodes_per_provider"].values()) >= 2
    session.close()
    assert not list(tmp_path.glob("harness-ort-profile-*"))


def test_a_failed_profiled_run_leaves_no_profile_file(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    session = backend().load(_branching_onnx(tmp_path))
    with pytest.raises(UnsupportedError) as info:
        session.run({"x": np.ones((1, 4), np.float32), "mode": np.array(0, np.int64)})
    assert not list(tmp_path.glob("harness-ort-profile-*"))
    session.close()
    assert "'mode' was fed 0" in str(info.value)  # the scalar the If branches on is named
    assert "model.inputs.mode.value=" in str(info.value)


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
    session = strict.load(tiny_onnx)
    with pytest.raises(UnsupportedError, match="fell back to CPUExecutionProvider"):
        session.run({"x": X})


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


def _residual_layernorm_onnx(tmp_path: Path) -> Artifact:
    """Return x + y -> LayerNormalization over [1, 8, 16]: what SkipLayerNormFusion fuses."""
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal(16).astype(np.float32), n)
             for n in ("gamma", "beta")]
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "y"], ["s"]),
         helper.make_node("LayerNormalization", ["s", "gamma", "beta"], ["out"], axis=-1)],
        "residual_ln", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 8, 16])
                        for n in ("x", "y")],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 8, 16])], inits)
    path = tmp_path / "residual_ln.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return Artifact(format="onnx", precision="fp32", path=path, inputs=(
        TensorSpec("x", (1, 8, 16)), TensorSpec("y", (1, 8, 16))))


@pytest.mark.parametrize("disabled", [[], ["SkipLayerNormFusion"]])
def test_disabled_optimizers_reach_the_session(disabled: list[str], tmp_path: Path) -> None:
    artifact = _residual_layernorm_onnx(tmp_path)
    chosen = backend(disabled_optimizers=disabled, optimized_model_dir=str(tmp_path / "opt"))
    session = chosen.load(artifact)
    x = np.ones((1, 8, 16), dtype=np.float32)
    session.run({"x": x, "y": x})
    optimized = chosen.optimized_model_path(artifact)
    ops = {n.op_type for n in onnx.load(str(optimized)).graph.node}
    assert ("SkipLayerNormalization" in ops) is (not disabled), ops
    assert ("-noSkipLayerNormFusion-" in optimized.name) is bool(disabled)
    assert session.describe()["session_options"]["disabled_optimizers"] == disabled
    session.close()
