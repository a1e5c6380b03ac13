"""OpenVINO's graph preparation on the real corpus models its ONNX reader cannot convert as they
are: an If on a fixed int64 input (silero_vad_v5's `sr`), an If condition of shape [1, 1]
(oww_hey_jarvis), a dead If branch that splits a 4-element tensor 5 ways (AffineGrid's function
expansion). Each now runs on openvino_cpu, the record naming the change and the prepared file's
hash, with fidelity to onnxruntime on the original file; and the int8 QDQ graph of oww_embedding,
whose requantised Pad OpenVINO's CPU compile failed on. Needs `python tests/corpus/fetch.py --ci`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact, TensorSpec
from harness.core.cache import file_sha256
from harness.core.errors import UnsupportedError
from tests.e2e.conftest import bench, records

pytest.importorskip("openvino", reason="the openvino extra is not installed")

HERE = Path(__file__).resolve().parent
DEST = HERE.parents[1] / "models" / "corpus"
_spec = importlib.util.spec_from_file_location("corpus_fetch", HERE / "fetch.py")
fetch = sys.modules.get("corpus_fetch") or importlib.util.module_from_spec(_spec)
if "corpus_fetch" not in sys.modules:
    sys.modules["corpus_fetch"] = fetch
    _spec.loader.exec_module(fetch)
ENTRIES = {e["name"]: e for e in fetch.load_corpus()}

#: failure class -> (corpus model, quant, what the record's graph_preparation must say)
CLASSES = {
    "if_on_a_fixed_int64_input": ("silero_vad_v5", "fp32", [
        "input sr folded as 16000", "input shapes fixed to the run's", "If nodes 25 -> 1",
        "auto: OpenVINO cannot convert the file as it is: Conv-16, ReduceMean-16"]),
    "if_condition_of_shape_1x1": ("oww_hey_jarvis", "fp32", [
        "1 If condition(s) reshaped to a scalar", "cannot convert the file as it is: If-13"]),
    "dead_branch_split_of_affine_grid": ("onnx_affine_grid20", "fp32", [
        "If nodes 5 -> 0", "cannot convert the file as it is: Split-20"]),
    # onnxruntime's QDQ graph (OpenVINO's own int8_static default, NNCF's, has no such Pad)
    "requantised_pad_in_a_qdq_graph": ("oww_embedding", "int8_static_ort", [
        "1 redundant QuantizeLinear/DequantizeLinear pair(s) before a Pad",
        "auto: it holds a Pad between equal QuantizeLinear/DequantizeLinear pairs"]),
}


def _need(name: str) -> Path:
    path = DEST / f"{name}.onnx"
    if not path.is_file():
        pytest.skip(f"not fetched: python tests/corpus/fetch.py --only {name} (writes {DEST})")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("failure", list(CLASSES))
def test_a_graph_openvino_cannot_convert_runs_prepared_and_says_so(failure: str,
                                                                  tmp_path: Path) -> None:
    name, quant, says = CLASSES[failure]
    source = _need(name)
    proc = bench(tmp_path, *fetch.harness_args(ENTRIES[name], DEST), f"quant={quant}",
                 "target=openvino_cpu", "isolation=none", "meter=none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (rec,) = records(tmp_path)
    assert rec["status"] == "ok", rec["reason"]
    art = rec["artifact"]
    assert art["graph_preparation"].startswith("graph prepared for OpenVINO: ")
    assert all(s in art["graph_preparation"] for s in says), art["graph_preparation"]
    if quant == "fp32":
        assert art["prepared_from_sha256"] == file_sha256(source)
    assert art["prepared_from_sha256"] != art["sha256"]
    assert file_sha256(Path(art["path"])) == art["sha256"]  # the hash of what actually ran
    assert rec["accuracy"]["reference"] and rec["accuracy"]["gate"]["passed"], rec["accuracy"]
    assert rec["accuracy"]["fidelity"]["cosine"] > (0.9999 if quant == "fp32" else 0.99)


def _silero(path: Path) -> Artifact:
    specs = (TensorSpec("input", (1, 576)), TensorSpec("state", (2, 1, 128)),
             TensorSpec("sr", (), "int64"))
    return Artifact("onnx", "fp32", specs, path, file_sha256(path))


def test_prepare_graph_false_keeps_the_precise_refusal(tmp_path: Path) -> None:
    artifact = _silero(_need("silero_vad_v5"))
    backend = create_backend(TargetConfig(name="ov", backend="openvino",
                                          options={"prepare_graph": False, "cache_dir": ""}))
    fixed = {"sr": np.array(16000, np.int64), "state": np.zeros((2, 1, 128), np.float32)}
    assert backend.prepare(artifact, fixed, tmp_path) is artifact
    with pytest.raises(UnsupportedError, match="cannot convert Conv-16, ReduceMean-16") as info:
        backend.load(artifact)
    assert "target.options.prepare_graph=auto" in str(info.value)  # the fix it now offers


def test_auto_leaves_a_graph_openvino_converts_untouched(tmp_path: Path) -> None:
    path = _need("silero_vad_op18")  # the same VAD with the If OpenVINO converts
    backend = create_backend(TargetConfig(name="ov", backend="openvino",
                                          options={"cache_dir": ""}))
    artifact = _silero(path)
    assert backend.prepare(artifact, {"sr": np.array(16000, np.int64)}, tmp_path) is artifact


def test_true_prepares_even_a_convertible_graph_and_folds_only_integer_inputs(
        tmp_path: Path) -> None:
    artifact = _silero(_need("silero_vad_op18"))
    backend = create_backend(TargetConfig(name="ov", backend="openvino",
                                          options={"prepare_graph": "true", "cache_dir": ""}))
    fixed = {"sr": np.array(16000, np.int64), "state": np.zeros((2, 1, 128), np.float32)}
    got = backend.prepare(artifact, fixed, tmp_path)
    assert got.meta["folded_inputs"] == "sr"  # the float state is data, never folded
    assert "(target.options.prepare_graph=true)" in got.meta["graph_preparation"]
    session = backend.load(got)
    x = np.random.default_rng(0).standard_normal((1, 576)).astype(np.float32)
    out = session.run({"input": x, "state": fixed["state"], "sr": fixed["sr"]})
    import onnxruntime as ort  # the reference: the original file, every input fed
    ref = ort.InferenceSession(str(artifact.path)).run(None, {"input": x, **fixed})
    session.close()
    for a, b in zip(out, ref, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_a_bad_prepare_graph_value_says_what_is_valid(tmp_path: Path) -> None:
    backend = create_backend(TargetConfig(name="ov", backend="openvino",
                                          options={"prepare_graph": "sometimes"}))
    with pytest.raises(Exception, match="auto .* true .* false"):
        backend.prepare(_silero(_need("silero_vad_op18")), {}, tmp_path)


def test_auto_falls_back_to_openvinos_own_refusal_when_preparation_fails(tmp_path: Path) -> None:
    path = tmp_path / "truncated.onnx"
    path.write_bytes(_need("oww_hey_jarvis").read_bytes()[:5000])  # neither reads nor folds
    artifact = Artifact("onnx", "fp32", (TensorSpec("x.1", (1, 16, 96)),), path, "x")
    backend = create_backend(TargetConfig(name="ov", backend="openvino",
                                          options={"cache_dir": ""}))
    got = backend.prepare(artifact, {}, tmp_path / "cache")
    assert got.path == path and "Preparing truncated.onnx for OpenVINO" in got.meta[
        "graph_preparation_failed"]
    with pytest.raises(UnsupportedError, match="Preparing truncated.onnx for OpenVINO"):
        backend.load(got)
