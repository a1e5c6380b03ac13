"""A harness-bench run on onnxruntime-genai's int4 build of a tiny llama (2 layers, hidden 64,
random weights): an ok record with exact token counts, the build described, quality judged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime_genai", reason="onnxruntime-genai is not installed (extra "
                    "'genai-ort')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
ROOT = Path(__file__).resolve().parents[2]
TINY = {"num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 512,
        "max_position_embeddings": 256}


@pytest.mark.slow
def test_an_int4_run_records_the_build_and_exact_token_counts(tmp_path: Path) -> None:
    shape = [f"generative.model.config.{k}={v}" for k, v in TINY.items()]
    proc = subprocess.run(
        [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()",
         "model=smollm2_135m", "scenario=gen_single_stream", *shape,
         "generative.engine=onnxruntime_genai", "generative.options.weight_format=int4",
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
    assert backend["name"] == "onnxruntime_genai" and backend["weight_format"] == "int4"
    assert backend["build_cache_hit"] is False and backend["build_s"] > 0
    built = Path(backend["built_model_dir"])
    assert built.parent == tmp_path / "cache" / "generative" / "ortgenai"
    assert built.name.endswith("-int4") and (built / "model.onnx").is_file()
    assert (gen["input_tokens"], gen["output_tokens"]) == (3 * 16, 3 * 8)
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    assert record["energy"]["meter"] == "estimated"
    quality = gen["quality"]  # int4 against the transformers float32 reference
    assert "error" not in quality and quality["positions"] == 16, quality
    assert 0.5 <= quality["agreement"] <= 1.0 and quality["kl_mean_nats"] >= 0
