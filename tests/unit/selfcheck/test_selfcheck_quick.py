"""`harness selfcheck --quick` on the real components: structure and numbers, not timing targets."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main

pytest.importorskip("mlperf_loadgen")
pytest.importorskip("openvino")

REPO = Path(__file__).resolve().parents[3]
ROW_KEYS = {"check", "ours", "reference", "unit", "target", "status", "ratio", "diff", "reason",
            "detail"}
EXPECTED_CHECKS = (
    "native vs bare session.run (median)", "null-session overhead per query",
    "p50 native vs LoadGen (single-stream)", "p90 native vs LoadGen (single-stream)",
    "p90 session time inside LoadGen vs LoadGen (same queries)",
    "p90 native vs LoadGen (control: fixed-work session)",
    "p90 native vs LoadGen (batch 8: longer queries)",
    "p50 openvino runtime timer vs benchmark_app", "p90 openvino runtime timer vs benchmark_app",
    "p50 openvino end to end vs benchmark_app", "p90 openvino end to end vs benchmark_app",
    "server max-QPS search: wall time", "server max-QPS search: QPS found",
    "server p99 at the QPS found (final run)",
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, float, str]:
    """Run `harness selfcheck` once in quick mode; return (JSON, seconds, stdout)."""
    out = tmp_path_factory.mktemp("selfcheck") / "selfcheck.json"
    start = time.perf_counter()
    with pytest.raises(SystemExit) as done:
        main(["selfcheck", "--quick", "--out", str(out),
              "--cache-dir", str(REPO / "models" / ".cache")])
    assert done.value.code == 0
    return json.loads(out.read_text()), time.perf_counter() - start, str(out)


@pytest.mark.slow
def test_quick_mode_finishes_within_a_minute(quick_run: tuple[dict, float, str]) -> None:
    doc, seconds, _ = quick_run
    assert seconds < 60.0
    assert doc["mode"] == "quick" and doc["tool"] == "harness-selfcheck"


@pytest.mark.slow
def test_json_has_context_and_every_row(quick_run: tuple[dict, float, str]) -> None:
    doc, _, _ = quick_run
    for key in ("schema_version", "started_at", "wall_s", "plan", "host", "versions", "model",
                "stability_before", "rows", "counts", "check_seconds"):
        assert key in doc, key
    assert doc["model"]["name"] == "resnet8" and doc["model"]["sha256"]
    assert [r["check"] for r in doc["rows"]] == list(EXPECTED_CHECKS)
    for row in doc["rows"]:
        assert set(row) == ROW_KEYS
        context = any(k in row["check"] for k in ("end to end", "control", "same queries"))
        assert row["status"] in (("INFO",) if context else ("PASS", "FAIL")), row["reason"]
    assert sum(doc["counts"].values()) == len(EXPECTED_CHECKS)


@pytest.mark.slow
def test_each_check_produced_numbers(quick_run: tuple[dict, float, str]) -> None:
    rows = {r["check"]: r for r in quick_run[0]["rows"]}
    for row in rows.values():
        assert isinstance(row["ours"], float) and math.isfinite(row["ours"]) and row["ours"] >= 0
    for name in EXPECTED_CHECKS[:1] + EXPECTED_CHECKS[2:11]:  # the ratio rows
        row = rows[name]
        pairs = row["detail"]["pair_ratios"]
        assert row["reference"] > 0 and pairs and all(x > 0 for x in pairs)
        assert row["ratio"] == pytest.approx(float(np.median(pairs)))
        assert row["detail"]["ratio_of_medians"] == pytest.approx(row["ours"] / row["reference"])
    assert rows["null-session overhead per query"]["ours"] > 0
    assert rows["server max-QPS search: QPS found"]["ours"] > 0
    assert rows["server p99 at the QPS found (final run)"]["reference"] == 10.0


@pytest.mark.slow
def test_details_keep_the_evidence(quick_run: tuple[dict, float, str]) -> None:
    rows = {r["check"]: r for r in quick_run[0]["rows"]}
    native = rows["native vs bare session.run (median)"]["detail"]
    assert len(native["repeats"]) == quick_run[0]["plan"]["overhead_repeats"]
    loadgen = rows["p50 native vs LoadGen (single-stream)"]["detail"]["repeats"][0]
    assert loadgen["loadgen_result"] in ("VALID", "INVALID")
    assert Path(loadgen["loadgen_log_dir"], "mlperf_log_summary.txt").is_file()
    ov = rows["p90 openvino runtime timer vs benchmark_app"]["detail"]
    app = ov["rounds"][0]["benchmark_app"]
    first = ov["rounds"][0]
    # OpenVINO's own timer sits inside our end-to-end time; the difference is the binding.
    assert 0 < first["runtime_p50_us"] < first["ours_p50_us"] and first["binding_p50_us"] > 0
    context = rows["p50 openvino end to end vs benchmark_app"]
    assert "Python binding" in context["target"] and context["detail"]["binding_p50_us"] > 0
    assert {app["50"]["percentile"], app["90"]["percentile"]} == {50, 90}
    assert "-shape" in app["90"]["argv"] and ov["session_describe"].get("num_streams") in (1, None)
    probes = rows["server max-QPS search: QPS found"]["detail"]["probes"]
    assert probes and all({"qps", "valid", "p99_ns"} <= set(p) for p in probes)
