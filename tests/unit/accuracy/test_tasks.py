"""Task metrics on known outputs: CTC greedy decoding, edit distance, CER; a ctc user model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from harness.accuracy.evaluate import evaluate
from harness.accuracy.tasks import (
    TASK_METRICS,
    binary_metrics,
    ctc_greedy_decode,
    ctc_metrics,
    edit_distance,
    label_sequences,
)
from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact
from harness.core.errors import ConfigError
from harness.models.config import USER_TASKS, ModelConfig, ModelSource
from harness.models.source import load_model

CLASSES = 5


def one_hot_steps(paths: list[list[int]]) -> np.ndarray:
    """Return (N, T, CLASSES) scores whose per-step arg-max is each row of `paths`."""
    steps = max(len(p) for p in paths)
    scores = np.full((len(paths), steps, CLASSES), 0.01, dtype=np.float32)
    for i, path in enumerate(paths):
        for t, c in enumerate(path + [0] * (steps - len(path))):
            scores[i, t, c] = 0.9
    return scores


def test_greedy_decode_merges_repeats_and_drops_blanks() -> None:
    scores = one_hot_steps([[1, 1, 0, 1, 2, 2, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [3, 0, 3, 3, 4]])
    assert ctc_greedy_decode(scores) == [[1, 1, 2], [], [3, 3, 4]]


def test_greedy_decode_of_a_nonfinite_row_is_empty() -> None:
    scores = one_hot_steps([[1, 2], [2, 1]])
    scores[1, 0, 3] = np.nan
    assert ctc_greedy_decode(scores) == [[1, 2], []]
    with pytest.raises(ValueError, match="batch, steps, classes"):
        ctc_greedy_decode(scores[0])


@pytest.mark.parametrize(("got", "want", "distance"), [
    ([], [], 0), ([1, 2, 3], [1, 2, 3], 0), ([], [1, 2], 2), ([1, 2], [], 2),
    ([1, 3, 3], [1, 2, 3], 1), ([2, 1], [1, 2], 2), ([1, 2, 3, 4], [2, 3], 2),
])
def test_edit_distance(got: list[int], want: list[int], distance: int) -> None:
    assert edit_distance(got, want) == distance


def test_ctc_metrics_on_known_outputs() -> None:
    # decodes: [1,2,3] (exact), [4] vs label [4,4] (one deletion), [] vs [2] (one deletion)
    scores = one_hot_steps([[1, 2, 3], [4, 4], [0, 0]])
    labels = np.array([[1, 2, 3], [4, 4, -1], [2, -1, -1]])
    assert label_sequences(labels) == [[1, 2, 3], [4, 4], [2]]
    m = ctc_metrics(scores, labels)
    assert m["metric"] == "char_accuracy" and m["characters"] == 6
    assert m["cer"] == pytest.approx(2 / 6) and m["value"] == pytest.approx(4 / 6)
    assert m["exact_match"] == pytest.approx(1 / 3)


def test_char_accuracy_is_floored_at_zero() -> None:
    m = ctc_metrics(one_hot_steps([[1, 0, 2, 0, 3, 0, 4]]), np.array([[1]]))
    assert m["cer"] == pytest.approx(3.0) and m["value"] == 0.0


def test_every_user_task_but_other_has_a_metric() -> None:
    assert set(TASK_METRICS) == set(USER_TASKS) - {"other"}


def _softmax_model(path: Path, steps: int) -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", steps, CLASSES])
    y = helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", steps, CLASSES])
    graph = helper.make_graph([helper.make_node("Softmax", ["x"], ["probs"], axis=2)], "ctc",
                              [x], [y])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


#: (greedy path over 4 steps, label, edits of its decode against the label)
ROWS = [([1, 2, 0, 3], [1, 2, 3], 0), ([1, 2, 0, 3], [1, 2, 4], 1),  # exact, substitution
        ([2, 0, 2, 0], [2, 2, 2], 1), ([4, 1, 3, 2], [4, 1, 3], 1)]  # deletion, insertion


def test_ctc_user_model_reports_char_accuracy(tmp_path: Path) -> None:
    rows = ROWS * 4
    labels = np.full((len(rows), 3), -1)
    for i, (_, want, _) in enumerate(rows):
        labels[i, :len(want)] = want
    folder = tmp_path / "data"
    folder.mkdir()
    np.savez(folder / "set.npz", inputs=np.log(one_hot_steps([r[0] for r in rows])),
             labels=labels)
    _softmax_model(tmp_path / "ctc.onnx", 4)
    cfg = ModelConfig(name="ctc", source=ModelSource.onnx_file, path=str(tmp_path / "ctc.onnx"),
                      task="ctc", dataset_path=str(folder))
    model = load_model(cfg, tmp_path)
    session = create_backend(TargetConfig()).load(Artifact("onnx", "fp32", model.inputs,
                                                           path=model.onnx_path))
    result = evaluate(session, model, model.dataset.test_x[:2], model.inputs)
    edits = {tuple(want): e for _, want, e in ROWS}
    test = label_sequences(model.dataset.test_y)
    expected_cer = sum(edits[tuple(w)] for w in test) / sum(len(w) for w in test)
    task = result["task"]
    assert task["metric"] == "char_accuracy" and task["samples"] == len(test) == 12
    assert task["cer"] == pytest.approx(expected_cer)
    assert task["value"] == task["fp32_reference"] == pytest.approx(1 - expected_cer)
    assert task["exact_match"] == pytest.approx(np.mean([edits[tuple(w)] == 0 for w in test]))
    assert task["fp32_cer"] == task["cer"] and task["nonfinite_elements"] == 0
    assert result["gate"]["metric"].startswith("char_accuracy") and result["gate"]["passed"]


def test_unknown_task_lists_the_known_ones(tmp_path: Path) -> None:
    _softmax_model(tmp_path / "ctc.onnx", 4)
    cfg = ModelConfig(name="ctc", source=ModelSource.onnx_file, path=str(tmp_path / "ctc.onnx"),
                      task="ocr")
    with pytest.raises(ConfigError, match="model.task=ocr is not known") as err:
        load_model(cfg, tmp_path)
    assert "ctc (" in str(err.value.hint)


def test_binary_metrics_on_known_outputs() -> None:
    probs = np.array([[0.9], [0.6], [0.5], [0.2], [0.1], [0.7], [np.nan], [0.4]])
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    m = binary_metrics(probs, labels)  # said yes: rows 0,1,2,5; NaN row 6 is wrong
    assert m["metric"] == "binary_accuracy" and m["threshold"] == 0.5
    assert m["value"] == pytest.approx(5 / 8)  # rows 0,1,2 right; 4,7 right
    assert m["recall"] == pytest.approx(3 / 4) and m["precision"] == pytest.approx(3 / 4)
    assert m["balanced_accuracy"] == pytest.approx((3 / 4 + 2 / 4) / 2)
    assert m["positive_fraction"] == 0.5
    with pytest.raises(ValueError, match="one probability per row"):
        binary_metrics(np.zeros((3, 2)), np.zeros(3))
