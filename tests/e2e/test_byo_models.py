"""`harness-bench` on the user's own models: ONNX file, torch module, .pt2 in one sweep."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from tests.e2e.conftest import FAST, records
from tests.unit.models import builders


def write_configs(tmp: Path) -> Path:
    """Build the model files and model configs (extending the shipped ones) under tmp."""
    builders.multi_input_onnx(tmp / "multi.onnx", 11)
    target = builders.write_net_package(tmp)
    torch.save(builders.tiny_net(32).state_dict(), tmp / "tiny.pt")
    builders.pt2_file(tmp / "tiny.pt2")
    group = tmp / "configs" / "model"
    group.mkdir(parents=True)
    (group / "my_onnx.yaml").write_text(
        f"defaults: [onnx_file, _self_]\npath: {tmp / 'multi.onnx'}\n"
        "inputs: {image: {shape: [1, 3, 8, 8]}, scale: {value: 2}}\n")
    (group / "my_torch.yaml").write_text(
        f"defaults: [torch_module, _self_]\nmodule: {{_target_: {target}, width: 32}}\n"
        f"weights: {tmp / 'tiny.pt'}\ninputs: {{x: {{shape: [1, 8]}}}}\n")
    (group / "my_pt2.yaml").write_text(f"defaults: [pt2_file, _self_]\npath: {tmp / 'tiny.pt2'}\n")
    return tmp / "configs"


def test_onnx_file_torch_module_and_pt2_in_one_sweep(tmp_path: Path) -> None:
    configs = write_configs(tmp_path)
    cmd = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()", "-m",
           f"hydra.searchpath=[file://{configs}]", "model=my_onnx,my_torch,my_pt2",
           "quant=int8_static", "target=cpu,torch_cpu", "sweep=byo",
           f"results_dir={tmp_path / 'results'}", f"cache_dir={tmp_path / 'cache'}",
           "isolation=none", *FAST]
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    recs = {(r["config"]["model"]["name"], r["config"]["quant"]["name"],
             r["config"]["target"]["name"]): r for r in records(tmp_path)}
    assert len(recs) == 6
    for (model, _quant, target), rec in recs.items():
        if model == "onnx_file" and target == "torch_cpu":
            assert rec["status"] == "skipped"
            assert "needs a torch model; this model is an ONNX file" in rec["reason"]
            continue
        assert rec["status"] == "ok", (model, target, rec.get("reason"))
        assert rec["accuracy"]["gate"]["passed"]
    onnx = recs[("onnx_file", "int8_static", "cpu")]
    assert onnx["accuracy"]["reference"].startswith("fp32 onnxruntime")
    assert onnx["model"]["file_sha256"] and onnx["model"]["source"] == "onnx_file"
    assert [i["name"] for i in onnx["model"]["inputs"]] == ["image", "scale", "state"]
    summary = next((tmp_path / "results").rglob("summary.md")).read_text()
    assert "pt2_file" in summary and "torch_module" in summary
