"""Hostile values: non-finite outputs, nonsense numbers in configs, broken meter CSVs.

Each is handled well: the accuracy gate fails with a count, a config value is rejected while
composing (before any model is loaded) with the key and its valid range, a CSV row is named.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from harness.accuracy.fidelity import output_fidelity, top1_accuracy
from harness.accuracy.gate import accuracy_gate
from harness.core.errors import ConfigError
from harness.energy.external import read_power_csv
from harness.records.schema import Status
from tests.faults.conftest import compose_config


def bad(override: str, *words: str) -> tuple[list[str], list[str]]:
    """Return the row for one `key=value` override whose error must name the key and `words`."""
    return [override], [override.split("=")[0], *words]


# (overrides, words the error must contain) — each fails in OmegaConf.to_object, i.e. while the
# composed config is checked, before any model is loaded; the record's reason is that error.
# bad(...) writes the common row: one override, its key the first word; the others are spelt out.
REJECTED_AT_COMPOSITION = [
    bad("run_timeout_s=0", "> 0"),
    bad("run_timeout_s=-5", "> 0"),
    bad("run_timeout_s=nan", "finite"),
    bad("memory_cap_mb=-1", ">= 0", "null"),
    bad("scenario.min_duration_s=-1", ">= 0"),
    bad("scenario.min_duration_s=nan", "finite"),
    bad("scenario.max_duration_s=inf", "finite"),
    bad("scenario.warmup_count=-5", ">= 0"),
    bad("scenario.warmup_s=-0.1", ">= 0"),
    bad("target.threads=-4", ">= 1", "runtime's default"),
    bad("target.threads=0", ">= 1"),
    bad("fidelity_samples=0", ">= 1"),
    bad("scenario.trials=0", ">= 1"),
    (["scenario=cold_start", "scenario.trials=0"], ["scenario.trials", ">= 1"]),
    (["scenario=cold_start", "scenario.compile_cache=maybe"], ["compile_cache", "off", "both"]),
    bad("scenario.confidence=1.5", "(0, 1)"),
    bad("scenario.confidence=0", "(0, 1)"),
    bad("scenario.drift_threshold=-1", "> 0"),
    bad("scenario.seed=-1", ">= 0"),
    bad("seed=-3", ">= 0"),
    (["scenario=server", "scenario.target_qps=null"], ["target_qps", "search_qps"]),
    (["scenario=server", "scenario.target_qps=-10"], ["scenario.target_qps", "> 0"]),
    (["scenario=server", "scenario.latency_bound_ms=null"], ["latency_bound_ms"]),
    (["scenario.min_count=500", "scenario.max_count=100"], ["min_count", "max_count"]),
    (["scenario.min_duration_s=9", "scenario.max_duration_s=1"], ["min_duration_s"]),
    bad("model.batch_size=-1", ">= 1"),
    bad("model.accuracy_target=1.5", "(0, 1]"),
    bad("model.accuracy_target=nan", "finite"),
    bad("model.export_atol=-1"),
    bad("quant.calibration_percentile=200", "(0, 100]"),
    bad("quant.calibration_num_bins=0"),
    bad("meter.sample_period_s=0", "> 0"),
    (["meter=external", "meter.options.csv_path=t.csv", "meter.options.csv_power_scale=nan"],
     ["meter.options.csv_power_scale", "finite"]),
    (["meter=external", "meter.options.csv_path=t.csv", "meter.options.clock_offset_s=inf"],
     ["meter.options.clock_offset_s", "finite"]),
    (["meter=nvml", "meter.options.gpu_index=-1"], ["meter.options.gpu_index", ">= 0"]),
    bad("meter.options.gpu_index=-1", ">= 0"),  # auto passes it on
    (["meter=estimated", "meter.options.tdp_w=-65"], ["meter.options.tdp_w", "> 0"]),
    (["meter=external"], ["data source", "meter.options.csv_path"]),
    (["++meter.options.idel_w=12"], ["meter.options.idel_w", "idle_w"]),
]
IDS = [" ".join(o) for o, _ in REJECTED_AT_COMPOSITION]


@pytest.mark.parametrize(("overrides", "words"), REJECTED_AT_COMPOSITION, ids=IDS)
def test_nonsense_is_rejected_at_composition(overrides: list[str], words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        OmegaConf.to_object(compose_config(*overrides))
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.parametrize("overrides", [o for o, _ in REJECTED_AT_COMPOSITION[:14:3]],
                         ids=IDS[:14:3])
def test_rejected_run_is_a_failed_record_with_nothing_measured(run_config, overrides) -> None:
    record = run_config(*overrides)
    assert record.status is Status.failed and record.error_type == "ConfigError"
    assert overrides[0].split("=")[0] in record.reason
    assert not record.scenario and not record.accuracy


# Accepted: null means auto, 0 means no cap, the profile fills in the server's latency bound.
ACCEPTED = [["memory_cap_mb=null"], ["memory_cap_mb=0"], ["memory_cap_mb=512"],
            ["target.threads=null"], ["target.threads=1"], ["scenario.min_duration_s=0"],
            ["scenario=server", "scenario.profile=mlperf", "scenario.latency_bound_ms=null"],
            ["scenario=server", "scenario.target_qps=null", "scenario.search_qps=true"]]


@pytest.mark.parametrize("overrides", ACCEPTED, ids=[" ".join(o) for o in ACCEPTED])
def test_sensible_values_still_compose(overrides: list[str]) -> None:
    OmegaConf.to_object(compose_config(*overrides))


# (backend, model, expected non-finite count per fidelity sample or None for "all elements")
NON_FINITE = [("NaNBackend", "autoencoder"), ("NaNBackend", "digits"),
              ("InfBackend", "autoencoder"), ("InfBackend", "digits")]


@pytest.mark.parametrize(("backend", "model"), NON_FINITE, ids=[f"{b}-{m}" for b, m in NON_FINITE])
def test_non_finite_outputs_fail_the_gate_with_a_count(run_config, backend: str,
                                                       model: str) -> None:
    record = run_config(f"model={model}", f"target.backend=tests.faults.backends:{backend}")
    assert record.status is Status.ok, record.reason  # measured; the gate judges the outputs
    gate, fidelity = record.accuracy.gate, record.accuracy.fidelity
    assert gate["passed"] is False
    samples = record.accuracy.get("fidelity_samples")
    expected = fidelity["elements"] if backend == "NaNBackend" else samples  # 1 inf per sample
    assert fidelity["nonfinite_elements"] == expected
    assert f"{expected} of {fidelity['elements']} elements" in gate["reason"]
    assert fidelity["cosine"] is None and fidelity["snr_db"] is None
    if model == "digits":  # the task metric: a NaN row never matches its label
        assert record.accuracy.task["nonfinite_elements"] > 0
        assert "task test set" in gate["reason"]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("classifier", [False, True])
def test_fidelity_never_scores_non_finite_outputs_as_good(bad: float, classifier: bool) -> None:
    ref = np.random.default_rng(0).normal(size=(8, 10)).astype(np.float32)
    for got in (np.full_like(ref, bad), np.where(np.eye(8, 10, dtype=bool), bad, ref)):
        metrics = output_fidelity(got, ref, classifier)
        assert metrics["nonfinite_elements"] == int(np.sum(~np.isfinite(got)))
        for name in ("cosine", "min_cosine", "snr_db", "max_abs_error", "mean_abs_error"):
            assert metrics[name] is None, name
        if classifier:
            assert metrics["top1_agreement"] < 1.0 and metrics["top5_agreement"] < 1.0
        gate = accuracy_gate({"fidelity": metrics, "fidelity_outputs": [metrics]}, 0.5)
        assert gate["passed"] is False and "non-finite" in gate["reason"]


def test_reference_nan_and_task_nan_fail_the_gate() -> None:
    ref = np.ones((4, 3), dtype=np.float32)
    metrics = output_fidelity(ref.copy(), np.where(ref > 0, np.nan, ref), False)
    assert metrics["nonfinite_reference_elements"] == 12 and metrics["cosine"] is None
    assert top1_accuracy(np.full((4, 3), np.nan), np.zeros(4, dtype=int)) == 0.0
    task = {"metric": "top1", "dataset": "d", "value": 1.0, "fp32_reference": 1.0,
            "nonfinite_elements": 3}
    clean = output_fidelity(ref, ref, False)
    gate = accuracy_gate({"fidelity": clean, "fidelity_outputs": [clean], "task": task}, 0.99)
    assert gate["passed"] is False and "task test set: 3 elements" in gate["reason"]


# (CSV text, words the error must contain) — one paragraph naming the line, no traceback.
BAD_CSVS = [
    ("", ["empty"]),
    ("timestamp_s,power_w\n1,2.0\n2,abc\n", ["line 3", "'power_w'", "'abc'"]),
    ("timestamp_s,power_w\n1,2.0\nnoon,2.0\n", ["line 3", "'timestamp_s'", "'noon'"]),
    ("timestamp_s,power_w\n1,nan\n", ["line 2", "'nan'", "finite"]),
    ("timestamp_s,power_w\n1,2.0\n2\n", ["line 3", "nothing"]),
    ("volts,amps\n1,2\n", ["no time column", "csv_time_column"]),
]


@pytest.mark.parametrize(("text", "words"), BAD_CSVS, ids=[w[0] for _, w in BAD_CSVS])
def test_external_csv_errors_name_the_row(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "power.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_power_csv(path)
    for word in words:
        assert word in str(info.value), str(info.value)


def test_external_csv_with_a_bad_row_is_a_failed_record(run_config, tmp_path: Path) -> None:
    csv_path = tmp_path / "power.csv"
    csv_path.write_text("timestamp_s,power_w\n1,2.0\n2,abc\n")
    record = run_config("meter=external", f"meter.options.csv_path={csv_path}")
    assert record.status is Status.failed and "line 3" in record.reason, record.reason
    assert "Unexpected" not in record.reason
