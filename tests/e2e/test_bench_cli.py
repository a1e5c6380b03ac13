"""`harness-bench` end to end: real export, quantisation, onnxruntime and torch, real records."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import bench, records


def test_digits_sweep_is_measured_recorded_and_cached(tmp_path: Path, shared_cache: Path) -> None:
    sweep = ["-m", "model=digits", "quant=fp32,int8_static", "target=cpu,torch_cpu"]
    first = bench(tmp_path / "a", *sweep, cache=shared_cache)
    assert first.returncode == 0, first.stderr[-2000:]
    recs = records(tmp_path / "a")
    assert [r["status"] for r in recs] == ["ok"] * 4
    for rec in recs:
        assert rec["accuracy"]["task"]["value"] >= 0.95, rec["run_id"]
        assert rec["scenario"]["summary"]["p50"]["value_ns"] > 0
        assert len(rec["scenario"]["latencies_ns"]) == rec["scenario"]["query_count"]
        assert rec["energy"]["provenance"] == "estimated"
        assert {"export", "quantise", "session_create", "first_inference"} <= set(rec["phases_s"])
    summary = next((tmp_path / "a" / "results").rglob("summary.md")).read_text()
    assert "digits" in summary and "(est.)" in summary

    # one cell of the same sweep again: its exported and quantised files come from the cache
    second = bench(tmp_path / "b", "model=digits", "quant=int8_static", "target=cpu",
                   cache=shared_cache)
    assert second.returncode == 0, second.stderr[-2000:]
    (again,) = records(tmp_path / "b")
    assert again["artifact"]["format"] == "onnx" and again["artifact"]["cache_hit"]


def test_a_failing_run_does_not_stop_the_sweep(tmp_path: Path, shared_cache: Path) -> None:
    proc = bench(tmp_path, "-m", "model=digits", "target.backend=onnxruntim,onnxruntime",
                 cache=shared_cache)
    assert proc.returncode == 0, proc.stderr[-2000:]
    by_backend = {r["config"]["target"]["backend"]: r for r in records(tmp_path)}
    assert by_backend["onnxruntime"]["status"] == "ok"
    failed = by_backend["onnxruntim"]
    assert failed["status"] == "failed" and "Did you mean 'onnxruntime'" in failed["reason"]


def test_unknown_model_exits_with_the_valid_names(tmp_path: Path) -> None:
    proc = bench(tmp_path, "model=resnet9")
    assert proc.returncode != 0
    assert "resnet8" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_quant_exits_with_the_valid_names(tmp_path: Path) -> None:
    proc = bench(tmp_path, "quant=int9")
    assert proc.returncode != 0
    assert "int8_static" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_batch_size_is_a_failed_record(tmp_path: Path) -> None:
    proc = bench(tmp_path, "model=digits", "model.batch_size=0")
    assert proc.returncode == 1
    (rec,) = records(tmp_path)
    assert rec["status"] == "failed" and "batch_size" in rec["reason"]


def test_unwritable_results_folder_exits_cleanly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    proc = bench(tmp_path, "model=digits", f"results_dir={blocker}")
    assert proc.returncode == 2
    assert "Cannot write results" in proc.stderr and "Traceback" not in proc.stderr


def test_input_shapes_override_as_the_readme_spells_them(tmp_path: Path,
                                                         shared_cache: Path) -> None:
    """`model.inputs.<name>.shape=[...]` adds an input's shape on the command line."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, "H", "W"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph([helper.make_node("Relu", ["images"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(tmp_path / "dyn.onnx"))
    proc = bench(tmp_path, "model=onnx_file", f"model.path={tmp_path / 'dyn.onnx'}",
                 "model.name=dyn", "model.inputs.images.shape=[1,3,16,24]", cache=shared_cache)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (rec,) = records(tmp_path)
    assert rec["status"] == "ok", rec.get("reason")
    assert rec["model"]["inputs"][0]["shape"] == [1, 3, 16, 24]
