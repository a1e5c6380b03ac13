"""The server-rate search through the real CLI on a tiny model: it keeps to its budget and
reports the highest valid probe itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import bench, records
from tests.e2e.gen_tiny import LENGTHS, TINY

pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")


def test_the_search_keeps_to_its_budget_and_reports_the_best_probe(tmp_path: Path) -> None:
    budget_s = 6.0
    proc = bench(tmp_path, *TINY, *LENGTHS, "scenario=gen_server", "generative.prompts.requests=8",
                 f"generative.scenario.search_budget_s={budget_s}")
    (record,) = records(tmp_path)
    assert record["status"] == "ok", record["reason"] + proc.stderr[-2000:]
    gen = record["generative"]
    search = gen["search"]
    # each probe is planned to fit what is left; a slower machine mid-probe can overrun a little
    assert search["elapsed_s"] <= budget_s + 2 * search["service_s"] + 1.0, search
    assert search["probes"] and all(p["requests"] <= 8 for p in search["probes"])
    best = max(p["rate_rps"] for p in search["probes"] if p["valid"])
    assert gen["rate_rps"] == search["best_rate_rps"] == best and gen["valid"] is True
    reported = next(p for p in search["probes"] if p["rate_rps"] == best)
    assert gen["requests"] == reported["requests"] == len(gen["traces"])
