"""Wrong inputs a user will type: each gets a clear message naming the fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException, MissingConfigException

from harness.records.schema import Status
from tests.faults.conftest import compose_config

# (overrides, words the message must contain) — rejected while composing, before any work.
COMPOSE_ERRORS = [
    (["quant=int9"], ["int8_static"]),
    (["model=resnet9"], ["resnet8"]),
    (["target=gpu9000"], ["cpu"]),
    (["scenario=burst"], ["single_stream"]),
    (["meter=wattmeter"], ["estimated"]),
    (["model.batch_size=abc"], ["batch_size"]),
    (["model.batchsize=4"], ["batchsize"]),
    (["quant.recipe=int9"], ["recipe", "int8_static"]),
    (["quant.calibration_method=magic"], ["calibration_method", "entropy"]),
    (["scenario.name=burst"], ["name", "server"]),
    (["isolation=thread"], ["isolation", "process"]),
    (["target.threads=many"], ["threads"]),
    (["quant.per_channel=maybe"], ["per_channel"]),
    (["run_timeout_s=soon"], ["run_timeout_s"]),
]


@pytest.mark.parametrize(("overrides", "words"), COMPOSE_ERRORS,
                         ids=[" ".join(o) for o, _ in COMPOSE_ERRORS])
def test_rejected_when_composing(overrides: list[str], words: list[str]) -> None:
    with pytest.raises((ConfigCompositionException, MissingConfigException)) as info:
        compose_config(*overrides)
    text = f"{info.value} {info.value.__cause__ or ''} {getattr(info.value, 'options', '')}"
    for word in words:
        assert word in text


# (overrides, expected status, words the record's reason must contain) — the run is recorded.
RUN_ERRORS = [
    (["model.name=resnet9"], "failed", ["resnet8"]),
    (["model.batch_size=0"], "failed", ["batch_size"]),
    (["target.backend=onnxruntim"], "failed", ["Did you mean 'onnxruntime'"]),
    (["target.backend=tests.faults.backends:NotABackend"], "failed", ["subclass"]),
    (["target.backend=no_such_sdk.runtime:Backend"], "skipped", ["cannot be imported"]),
    (["+target.options.bogus=1"], "failed", ["bogus", "Valid target.options keys"]),
    (["+target.options.graph_optimization_level=ultra"], "failed", ["graph_optimization_level"]),
    (["target.options.providers=[NoSuchExecutionProvider]"], "skipped", ["not available"]),
    (["meter=external"], "failed", ["csv_path"]),
    (["meter=external", "meter.options.csv_path=/nonexistent/power.csv"], "skipped",
     ["power.csv"]),
    (["meter=rapl"], "skipped", ["RAPL"]),
    (["meter.idle_baseline_s=-1"], "failed", ["idle_baseline_s"]),
    (["scenario.min_count=-1"], "failed", ["min_count"]),
    (["scenario.engine=loadgn"], "failed", ["Did you mean 'loadgen'", "loadgen, native"]),
    (["scenario.engine=turbo"], "failed", ["scenario engine", "loadgen, native"]),
    (["quant=int8_static", "quant.calibration_size=0"], "failed", ["calibration_size"]),
    (["model.opset=3"], "failed", ["opset"]),
    (["target=cpu", "target.device=cuda", "target.options.providers=[CUDAExecutionProvider]"],
     "skipped", ["CUDAExecutionProvider"]),
]


@pytest.mark.parametrize(("overrides", "status", "words"), RUN_ERRORS,
                         ids=[" ".join(o) for o, _, _ in RUN_ERRORS])
def test_recorded_with_a_clear_reason(run_config, overrides: list[str], status: str,
                                      words: list[str]) -> None:
    record = run_config(*overrides)
    assert record.status is Status(status), record.reason
    for word in words:
        assert word in record.reason, record.reason
    assert "Traceback" not in record.reason


def test_cache_dir_that_is_a_file(run_config, tmp_path: Path) -> None:
    blocker = tmp_path / "cache-file"
    blocker.write_text("")
    record = run_config(f"cache_dir={blocker}", "model=kws")
    assert record.status is Status.failed and "cache" in record.reason.lower()
