"""scenario=cold_start end to end: real harness-bench, real fresh processes, real onnxruntime.

Two trials per cache setting: the fewest that give an interval (the mean's t interval; the
median's needs 6 at 95 %), so 5 fresh processes with the cache filler. A bad cold-start setting
fails before anything is exported.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest

from tests.e2e.conftest import bench, records

#: The phases named in the issue; with interpreter_ns and adapter_ns they make up the total.
NAMED = ("import_ns", "load_ns", "first_inference_ns")
ALL = ("interpreter_ns", "import_ns", "adapter_ns", "load_ns", "first_inference_ns")
COLD = ["model=resnet8", "quant=fp32", "target=cpu", "scenario=cold_start", "fidelity_samples=8",
        "isolation=none"]  # the scenario spawns its own fresh processes


@pytest.fixture(scope="module")
def cold_dir(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Path:
    """The folder of one resnet8 cold start on onnxruntime, cache off and on, 2 trials each."""
    tmp = tmp_path_factory.mktemp("cold")
    proc = bench(tmp, *COLD, "scenario.trials=2", "scenario.compile_cache=both",
                 cache=shared_cache)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return tmp


@pytest.fixture(scope="module")
def cold_record(cold_dir: Path) -> dict:
    """That run's record (JSON)."""
    (rec,) = records(cold_dir)
    assert rec["status"] == "ok", rec["reason"]
    return rec


@pytest.mark.parametrize("setting", ["off", "on"])
def test_every_trial_splits_its_total_into_non_negative_phases(cold_record: dict,
                                                               setting: str) -> None:
    cold = cold_record["cold_start"]
    assert cold["trials"] == 2 and cold["variants"].keys() == {"off", "on"}
    phases = cold["variants"][setting]["phases"]
    totals = phases["first_result_ns"]["samples_ns"]
    assert len(totals) == 2 and min(totals) > 0
    for trial, total in enumerate(totals):
        named = [phases[p]["samples_ns"][trial] for p in NAMED]
        assert min(named) >= 0 and sum(named) <= total
        assert sum(phases[p]["samples_ns"][trial] for p in ALL) == total
    for name in (*ALL, "first_result_ns"):
        summary = phases[name]
        assert summary["min_ns"] <= summary["median_ns"] <= summary["max_ns"]
        low, high = summary["mean_ci_ns"]  # two trials: an interval for the mean
        assert low <= summary["mean_ns"] <= high
    assert phases["import_ns"]["median_ns"] > 0  # onnxruntime's own import, not the adapter's


def test_the_artifact_size_is_the_exported_file_size(cold_record: dict) -> None:
    size = cold_record["cold_start"]["artifact_size_bytes"]
    assert size == Path(cold_record["artifact"]["path"]).stat().st_size > 0


def test_the_cached_runs_load_the_optimized_model_file_from_disk(cold_record: dict) -> None:
    cache = cold_record["cold_start"]["cache"]
    assert cache["ran"] == ["off", "on"] and cache["used"] and cache["files"] == 1
    assert cache["loaded_from_cache"] == [True, True]
    cached = Path(cold_record["cold_start"]["variants"]["on"]["describe"]["optimized_model"])
    assert cached.parent == Path(cache["dir"]) and cached.stat().st_size == cache["bytes"]
    onnx.checker.check_model(str(cached))  # a real ONNX graph, as onnxruntime wrote it
    assert "loaded_from_cache" not in cold_record["cold_start"]["variants"]["off"]["describe"]
    assert cache["fill_phases"]["first_result_ns"] > 0  # the filler is kept apart


@pytest.mark.parametrize(("overrides", "words"), [
    (["scenario.compile_cache=maybe"], ["compile_cache='maybe'", "off", "on", "both"]),
    (["scenario.trials=0"], ["scenario.trials=0", ">= 1"]),
    (["target=torch_cpu", "scenario.compile_cache=on"],
     ["compile_cache=on", "eager mode", "target.options.compile=true"]),
])
def test_a_bad_cold_start_setting_fails_before_export(tmp_path: Path, overrides: list[str],
                                                      words: list[str]) -> None:
    proc = bench(tmp_path, *COLD, *overrides)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    (rec,) = records(tmp_path)
    assert rec["status"] == "failed" and rec["error_type"] == "ConfigError"
    for word in words:
        assert word in rec["reason"], rec["reason"]
    assert "export" not in rec["phases_s"] and not (tmp_path / "cache").exists()


def test_harness_cold_start_tabulates_the_phases_and_the_saving(cold_dir: Path) -> None:
    from harness.report.cold_start_tables import tables
    from harness.report.load import load_runs

    text = tables(run.record for run in load_runs([cold_dir / "results"]))
    rows = [line for line in text.splitlines() if line.startswith("| cpu (onnxruntime")]
    assert [row.split(" | ")[1] for row in rows[:2]] == ["off", "on"]
    assert rows[2].split(" | ")[3] == "2/2"  # loaded from cache in both cached trials


def test_litert_cold_start_times_its_import_and_says_it_has_no_cache(tmp_path: Path) -> None:
    """A real .tflite file (no converter needed); LiteRT's interpreter has no cache to fill."""
    pytest.importorskip("ai_edge_litert.interpreter")
    from tests.unit.backends.tflite_builders import fc_fp32

    model = fc_fp32(tmp_path / "fc.tflite")
    proc = bench(tmp_path, "model=tflite_file", f"model.path={model}", "target=litert_cpu",
                 "scenario=cold_start", "scenario.trials=2", "isolation=none",
                 "fidelity_samples=8")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (rec,) = records(tmp_path)
    assert rec["status"] == "ok", rec["reason"]
    cold = rec["cold_start"]
    assert cold["runtime_modules"] == ["ai_edge_litert.interpreter"]
    assert cold["variants"].keys() == {"off"} and cold["cache"]["ran"] == ["off"]
    assert "CompiledModel API" in cold["cache"]["note"]
    assert cold["variants"]["off"]["phases"]["import_ns"]["min_ns"] > 0
    assert cold["artifact_size_bytes"] == model.stat().st_size
