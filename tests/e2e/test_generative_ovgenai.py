"""A harness-bench run on engine=openvino_genai with int8 weights: a tiny 2-layer Llama in the
SmolLM2 shape, converted locally, measured, and judged against transformers in the record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("openvino_genai", reason="openvino-genai is not installed (extra 'genai-ov')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
ROOT = Path(__file__).resolve().parents[2]
TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 8000}


@pytest.mark.slow  # a conversion and a run in a subprocess: ~11 s CPU, ~30 s wall under load
def test_an_int8_openvino_genai_run_gives_an_ok_record(tmp_path: Path) -> None:
    shape = [f"generative.model.config.{k}={v}" for k, v in TINY.items()]
    proc = subprocess.run(
        [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()",
         "model=smollm2_135m", "scenario=gen_single_stream", *shape,
         "generative.engine=openvino_genai", "generative.options.weight_format=int8",
         "generative.prompts.input_tokens=16", "generative.prompts.output_tokens=8",
         "generative.prompts.requests=3", "generative.quality.enabled=true",
         "generative.quality.prompts=2", "generative.quality.tokens=8",
         "meter=estimated", "isolation=none", f"results_dir={tmp_path / 'results'}",
         f"cache_dir={tmp_path / 'cache'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    records = [json.loads(p.read_text()) for p in (tmp_path / "results").rglob("*.json")
               if '"run_id"' in p.read_text()[:200]]
    assert len(records) == 1, proc.stderr[-2000:]
    record = records[0]
    assert record["status"] == "ok", record["reason"]
    backend, gen = record["backend"], record["generative"]
    assert backend["engine"] == "openvino_genai" and backend["weight_format"] == "int8"
    assert backend["compression"]["mode"] == "INT8_ASYM" and backend["cache_hit"] is False
    assert (gen["input_tokens"], gen["output_tokens"]) == (3 * 16, 3 * 8)
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    assert gen["quality"]["agreement"] > 0.5 and "error" not in gen["quality"]
    converted = tmp_path / "cache" / "generative" / "ovgenai"
    assert [p.name.endswith("-int8") for p in converted.iterdir()] == [True]
