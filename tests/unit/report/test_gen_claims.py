"""Claims on generative records, hand-checked: the interval decides, a users level selects one
level's own requests, and what cannot be judged says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.errors import ConfigError
from harness.records.schema import Status
from harness.report.claims import Claim, judge, load_claims
from harness.report.gen_record import summary, weight_format
from harness.report.load import load_runs
from tests.unit.report.gen_records_factory import make_gen_record, traces
from tests.unit.report.records_factory import make_record, write_records

# 40 requests, TTFT 10..49 ms, TPOT 5 ms, 8 tokens: TTFT p50 = 30 ms (nearest rank 20th = 29
# or 30), its 95% interval a few ms either side; TPOT exactly 5 ms in every request.
ONE_USER = traces([10 + i for i in range(40)], 5.0, 8)
FOUR_USERS = traces([100 + 2 * i for i in range(40)], 20.0, 8, start_ns=10**12)


def runs_of(tmp_path: Path, *records) -> list:
    return load_runs([write_records(tmp_path / "r", list(records))])


def claim(metric: str, op: str, bound: float, **match) -> Claim:
    return Claim(id="c", metric=metric, op=op, bound=bound, match=match)


@pytest.fixture()
def sweep(tmp_path: Path) -> list:
    return runs_of(tmp_path, make_gen_record({1: ONE_USER, 4: FOUR_USERS}))


def test_the_interval_decides_pass_fail_inconclusive(sweep: list) -> None:
    low, high = summary(sweep[0].record, 1)["ttft"]["p50"]["ci_low_ns"] / 1e6, \
        summary(sweep[0].record, 1)["ttft"]["p50"]["ci_high_ns"] / 1e6
    assert low < 30 < high < 49
    assert judge(claim("ttft_p50_ms", "<=", high, users=1), sweep)[0] == "PASS"  # edge counts
    assert judge(claim("ttft_p50_ms", "<=", low - 0.001, users=1), sweep)[0] == "FAIL"
    verdict, evidence = judge(claim("ttft_p50_ms", "<=", 30, users=1), sweep)
    assert verdict == "INCONCLUSIVE" and "straddles" in evidence[0].note


def test_a_users_level_is_judged_on_its_own_requests(sweep: list) -> None:
    # 4 users: TTFT 100..178 ms, TPOT 20 ms; 1 user: TTFT 10..49 ms, TPOT 5 ms
    assert judge(claim("ttft_p50_ms", ">=", 100, users=4), sweep)[0] == "PASS"
    assert judge(claim("ttft_p50_ms", "<=", 50, users=1), sweep)[0] == "PASS"
    _, evidence = judge(claim("tpot_p50_ms", "<=", 21, users=4), sweep)
    assert evidence[0].value == pytest.approx(20.0)
    _, evidence = judge(claim("tpot_p90_ms", "<=", 6, users=1), sweep)
    assert evidence[0].value == pytest.approx(5.0)


def test_tokens_per_s_of_a_level(sweep: list) -> None:
    # one request at a time: 8 tokens in (TTFT + 7 x 20 ms) each, back to back
    expected = 8 * 40 / sum((100 + 2 * i + 140) / 1e3 for i in range(40))
    verdict, evidence = judge(claim("tokens_per_s", ">=", 1, users=4), sweep)
    assert verdict == "PASS" and evidence[0].value == pytest.approx(expected, rel=1e-3)
    assert evidence[0].low < expected < evidence[0].high


def test_a_level_the_run_did_not_measure_matches_nothing(sweep: list) -> None:
    verdict, evidence = judge(claim("tokens_per_s", ">=", 1, users=2), sweep)
    assert verdict == "INCONCLUSIVE" and evidence == []


def test_too_few_requests_for_p90_says_so(tmp_path: Path) -> None:
    runs = runs_of(tmp_path, make_gen_record({1: traces([10, 11, 12, 13, 14, 15], 5.0, 4)},
                                             scenario="single_stream"))
    verdict, evidence = judge(claim("ttft_p90_ms", "<=", 1000), runs)
    assert verdict == "INCONCLUSIVE" and "6 TTFT samples" in evidence[0].note


def test_one_output_token_has_no_tpot(tmp_path: Path) -> None:
    runs = runs_of(tmp_path, make_gen_record({1: traces(range(10, 50), 5.0, 1)},
                                             scenario="single_stream", out=1))
    assert judge(claim("tpot_p50_ms", "<=", 1000), runs)[0] == "INCONCLUSIVE"
    assert judge(claim("ttft_p50_ms", "<=", 1000), runs)[0] == "PASS"


def test_energy_estimated_or_spanning_levels_is_inconclusive(tmp_path: Path, sweep: list) -> None:
    measured = runs_of(tmp_path / "m", make_gen_record(scenario="single_stream"))
    assert judge(claim("j_per_output_token", "<=", 0.02), measured)[0] == "PASS"
    assert judge(claim("j_per_output_token", "<=", 0.005), measured)[0] == "FAIL"
    estimated = runs_of(tmp_path / "e", make_gen_record(scenario="single_stream",
                                                        provenance="estimated"))
    _, evidence = judge(claim("j_per_output_token", "<=", 1), estimated)
    assert evidence[0].verdict == "INCONCLUSIVE" and "estimated" in evidence[0].note
    _, evidence = judge(claim("j_per_output_token", "<=", 1, users=4), sweep)
    assert "every users level" in evidence[0].note


def test_metric_of_the_other_kind_says_why(tmp_path: Path) -> None:
    runs = runs_of(tmp_path, make_gen_record(scenario="single_stream"), make_record())
    _, evidence = judge(claim("p90_ms", "<=", 1, model="tiny_llm"), runs)
    assert "tensor metric" in evidence[0].note
    _, evidence = judge(claim("tokens_per_s", ">=", 1, model="resnet8"), runs)
    assert "generative run" in evidence[0].note


def test_conditions_engine_weight_format_scenario(tmp_path: Path) -> None:
    runs = runs_of(tmp_path,
                   make_gen_record(scenario="single_stream", run_id="a"),
                   make_gen_record(scenario="offline", engine="ort_genai", run_id="b",
                                   backend={"weight_format": "int4"}))
    def ids(**match) -> list[str]:
        return [e.run.split("@")[0] for e in judge(claim("tokens_per_s", ">=", 1, **match),
                                                   runs)[1]]

    assert ids(engine="ort_genai") == ["b"]
    assert ids(weight_format="int4", scenario="gen_offline") == ["b"]
    assert ids(quant="fp32") == ["a"]
    # offline and server runs have no users level
    assert judge(claim("tokens_per_s", ">=", 1, users=1, engine="ort_genai"), runs)[1] == []


def test_failed_runs_are_not_evidence(tmp_path: Path) -> None:
    runs = runs_of(tmp_path, make_gen_record(scenario="single_stream", status=Status.failed))
    assert judge(claim("tokens_per_s", ">=", 1), runs) == ("INCONCLUSIVE", [])


def test_a_users_level_must_be_a_whole_number(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("claims: [{id: x, metric: tokens_per_s, op: '>=', bound: 20, "
                    "match: {users: four}}]")
    with pytest.raises(ConfigError, match="users"):
        load_claims(path)
    path.write_text("claims: [{id: x, metric: speed, op: '>=', bound: 20}]")
    with pytest.raises(ConfigError, match="ttft_p90_ms"):
        load_claims(path)


def test_weight_format_sources(tmp_path: Path) -> None:
    assert weight_format(make_gen_record()) == "fp32"
    assert weight_format(make_gen_record(dtype="bfloat16")) == "bf16"
    assert weight_format(make_gen_record(options={"precision": "int8"})) == "int8"
    assert weight_format(make_gen_record(backend={"weight_format": "Q4_K_M"},
                                         options={"precision": "int8"})) == "Q4_K_M"


def test_the_shipped_example_loads() -> None:
    root = Path(__file__).resolve().parents[3]
    claims = load_claims(root / "configs" / "claims" / "generative_example.yaml")
    assert {c.metric for c in claims} >= {"tokens_per_s", "ttft_p90_ms"}
