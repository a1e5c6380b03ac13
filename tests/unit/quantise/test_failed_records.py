"""A recipe that cannot work for a model leaves a failed record with a clear reason."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from harness.config import BenchConfig
from harness.models.config import ModelConfig
from harness.quantise.config import QuantConfig, Recipe
from harness.records.schema import Status
from harness.run.child import run_and_record


def test_int4_on_a_conv_net_is_a_failed_record(tmp_path: Path) -> None:
    cfg = BenchConfig(
        model=ModelConfig(name="kws"),
        quant=QuantConfig(name="int4_weight_only", recipe=Recipe.int4_weight_only),
        cache_dir=str(tmp_path / "cache"), results_dir=str(tmp_path / "results"),
    )
    config = OmegaConf.to_container(OmegaConf.structured(cfg), enum_to_str=True)
    record = run_and_record(cfg, config, tmp_path / "out")
    assert record.status is Status.failed
    assert record.error_type == "QuantisationError"
    assert "MatMul weights only" in record.reason and "int8_static" in record.reason
    assert record.model.get("flops_per_inference") > 0
