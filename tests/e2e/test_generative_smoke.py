"""One generative run end to end: a 2-layer SmolLM2-shaped model, random weights, transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
ROOT = Path(__file__).resolve().parents[2]


def test_a_generative_run_records_ttft_tpot_and_enforced_token_counts(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()",
         "model=smollm2_135m", "scenario=gen_single_stream",
         "generative.model.config.num_hidden_layers=2", "generative.prompts.input_tokens=16",
         "generative.prompts.output_tokens=8", "generative.prompts.requests=4",
         "generative.quality.enabled=true", "generative.quality.prompts=2",
         "generative.quality.tokens=8",
         "meter=estimated", "isolation=none", f"results_dir={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    records = [json.loads(p.read_text()) for p in tmp_path.rglob("*.json")
               if '"run_id"' in p.read_text()[:200]]
    assert len(records) == 1, proc.stderr[-2000:]
    record = records[0]
    assert record["status"] == "ok", record["reason"]
    gen = record["generative"]
    prompts = record["config"]["generative"]["prompts"]
    assert (prompts["input_tokens"], prompts["output_tokens"]) == (16, 8)
    assert (gen["input_tokens"], gen["output_tokens"]) == (4 * 16, 4 * 8)  # over 4 requests
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    assert gen["system_output_tokens_per_s"] > 0
    assert gen["traces"], "the raw per-request timestamps are kept"
    quality = gen["quality"]  # the reference judged against itself
    assert quality["agreement"] == 1.0 and quality["positions"] == 16, quality
