"""Fidelity for every output, input-dependence metrics, and the MLPerf-style gate."""

from __future__ import annotations

import numpy as np
import pytest

from harness.accuracy.fidelity import all_outputs_fidelity, output_fidelity
from harness.accuracy.gate import accuracy_gate
from harness.core.errors import ConfigError

RNG = np.random.default_rng(0)


def test_identical_outputs_are_perfect() -> None:
    ref = RNG.standard_normal((8, 10))
    m = output_fidelity(ref.copy(), ref, classifier=True)
    assert m["max_abs_error"] == 0 and m["snr_db"] == float("inf")
    assert m["cosine"] == pytest.approx(1) and m["centered_cosine"] == pytest.approx(1)
    assert m["top1_agreement"] == 1 and m["top5_agreement"] == 1


def test_snr_and_errors_have_the_right_scale() -> None:
    ref = np.ones((4, 100))
    m = output_fidelity(ref + 0.1, ref, classifier=False)
    assert m["snr_db"] == pytest.approx(20.0)
    assert m["max_abs_error"] == pytest.approx(0.1) and "top1_agreement" not in m


def test_constant_reference_is_exposed_by_centered_cosine() -> None:
    ref = np.tile(RNG.standard_normal(10), (8, 1)) + 1e-6 * RNG.standard_normal((8, 10))
    noisy = ref + 1e-3 * RNG.standard_normal((8, 10))
    m = output_fidelity(noisy, ref, classifier=True)
    assert m["cosine"] > 0.999 and m["reference_spread"] < 1e-4
    assert abs(m["centered_cosine"]) < 0.5


def test_every_output_is_measured() -> None:
    logits, embed = RNG.standard_normal((6, 10)), RNG.standard_normal((6, 3, 4))
    per_output = all_outputs_fidelity([logits, -embed], [logits, embed], classifier=True)
    assert [o["output"] for o in per_output] == [0, 1]
    assert per_output[0]["top1_agreement"] == 1 and "top1_agreement" not in per_output[1]
    assert per_output[1]["shape"] == [3, 4] and per_output[1]["cosine"] == pytest.approx(-1)
    with pytest.raises(ValueError, match="1 outputs, the reference 2"):
        all_outputs_fidelity([logits], [logits, embed], classifier=True)


def test_gate_uses_task_metric_when_there_is_data() -> None:
    acc = {"task": {"metric": "top1", "dataset": "d:test", "value": 0.97, "fp32_reference": 0.99},
           "fidelity": {"cosine": 1.0, "top1_agreement": 1.0}}
    gate = accuracy_gate(acc, 0.99)
    assert gate["ratio"] == pytest.approx(0.97 / 0.99) and not gate["passed"]
    assert gate["basis"].startswith("task metric")


def test_gate_falls_back_to_agreement_then_cosine() -> None:
    classifier = accuracy_gate({"fidelity": {"cosine": 0.5, "top1_agreement": 0.995,
                                             "reference_spread": 0.3}}, 0.99)
    assert classifier["metric"] == "top1_agreement" and classifier["passed"]
    assert "warning" not in classifier
    other = accuracy_gate({"fidelity": {"cosine": 0.98, "reference_spread": 1e-5,
                                        "centered_cosine": 0.1}}, 0.99)
    assert other["metric"] == "cosine" and not other["passed"] and "weak" in other["warning"]


@pytest.mark.parametrize("target", [0.0, 1.5])
def test_gate_target_must_be_a_fraction(target: float) -> None:
    with pytest.raises(ConfigError, match="accuracy_target"):
        accuracy_gate({"fidelity": {"cosine": 1.0}}, target)


def test_input_independent_reference_has_no_centered_cosine() -> None:
    ref = np.ones((4, 3))
    m = output_fidelity(ref + 1e-3, ref, classifier=True)
    assert m["centered_cosine"] is None and m["reference_spread"] == 0
    gate = accuracy_gate({"fidelity": m}, 0.99)
    assert gate["passed"] and "undefined" in gate["warning"]
