"""Hostile model files through the real loaders: refused with one paragraph, nothing executes.

Every payload is generated in tmp_path (tests/faults/hostile_files.py) and would create a
marker file if any loader unpickled or evaluated it; each test asserts the marker never appears.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from harness.core.pickle_scan import check_torch_file
from harness.models import budget
from harness.models.pt2_check import check_pt2
from harness.records.schema import RunRecord, Status
from tests.faults import hostile_files as hostile
from tests.unit.models import builders

TINY = ["model=torch_module", "model.module._target_=tests.unit.models.nets.TinyNet",
        "+model.inputs={x:{shape:[1,8]}}"]


def refused(record: RunRecord, *words: str) -> None:
    """Assert a failed record whose reason is one paragraph containing `words`."""
    assert record.status is Status.failed, record.reason
    for word in words:
        assert word in record.reason, record.reason
    assert "Traceback" not in record.reason and "Unexpected" not in record.reason, record.reason
    assert "\n" not in record.reason.strip(), record.reason


PT2_KINDS = ["opaque_obj", "custom_obj", "pickled_tensor_constant", "pickled_weight",
             "sample_inputs", "legacy_weights", "sympy_eval", "aotinductor"]


@pytest.mark.parametrize("kind", PT2_KINDS)
def test_hostile_pt2_is_refused_before_loading(run_config, tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "MARKER"
    path = hostile.pt2(tmp_path, kind, marker)
    refused(run_config("model=pt2_file", f"model.path={path}"), "refused", "ONNX")
    assert not marker.exists()


def test_a_clean_pt2_passes_the_inspection(tmp_path: Path) -> None:
    check_pt2(builders.pt2_file(tmp_path / "clean.pt2"))


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_state_dict_with_a_reduce_payload(run_config, tmp_path: Path, legacy: bool) -> None:
    marker = tmp_path / "MARKER"
    weights = tmp_path / "evil.pt"
    weights.write_bytes(hostile.torch_saved(marker, legacy))
    refused(run_config(*TINY, f"model.weights={weights}"), "evil.pt", "posix.system")
    assert not marker.exists()


def test_plain_state_dicts_pass_the_scan() -> None:
    import io

    for legacy in (False, True):
        buf = io.BytesIO()
        torch.save({"state_dict": builders.tiny_net().state_dict(), "epoch": 3,
                    "half": torch.ones(2, dtype=torch.float16)}, buf,
                   _use_new_zipfile_serialization=not legacy)
        check_torch_file(buf.getvalue(), "plain.pt")


def test_hf_bin_payload_is_refused_before_transformers(run_config, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    folder = tmp_path / "hf"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"architectures": ["BertModel"]}))
    (folder / "pytorch_model.bin").write_bytes(hostile.torch_saved(marker))
    refused(run_config("model=hf_folder", f"model.path={folder}"), "pytorch_model.bin",
            "refused")
    assert not marker.exists()


def test_pickled_npy_as_input_data(run_config, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    model = builders.mlp_onnx(tmp_path / "mlp.onnx")
    data = hostile.object_npy(tmp_path / "evil.npy", marker)
    record = run_config("model=onnx_file", f"model.path={model}",
                        f"+model.inputs={{x:{{data:{data}}}}}")
    refused(record, "model.inputs.x.data", "evil.npy", "pickled")
    assert not marker.exists()


@pytest.mark.parametrize("layout", ["npy", "npz"])
def test_pickled_arrays_in_a_dataset(run_config, tmp_path: Path, layout: str) -> None:
    marker = tmp_path / "MARKER"
    folder = tmp_path / "data"
    folder.mkdir()
    if layout == "npy":
        hostile.object_npy(folder / "inputs.npy", marker)
        np.save(folder / "labels.npy", np.zeros(2, dtype=np.int64))
    else:
        evil = np.array([hostile.Payload(marker), 1], dtype=object)
        np.savez(folder / "part.npz", inputs=evil, labels=np.zeros(2, dtype=np.int64))
    refused(run_config(f"model.dataset_path={folder}"), "model.dataset_path", "pickled")
    assert not marker.exists()


def test_torchscript_stays_refused_without_trust(run_config, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = builders.torchscript_file(tmp_path / "net.pt")

    def never(*_: object, **__: object) -> None:
        raise AssertionError("torch.jit.load ran on an untrusted file")

    monkeypatch.setattr(torch.jit, "load", never)
    refused(run_config("model=torchscript_file", f"model.path={path}"), "trust_torchscript")


# (dims of input x, expected status, words in the reason) — ONNX declarations item 9 names.
ONNX_DIMS = [
    ([-5, 3], "failed", ["-5", "axis 0"]),
    ([1, 0], "failed", ["size 0 on axis 1"]),
    ([2, -1], "failed", ["#1 (axis 1)"]),
    ([1, "C"], "failed", ["'C' (axis 1)"]),
    ([-1, 3], "ok", []),
    ([0, 3], "failed", ["size 0 on axis 0"]),
]


@pytest.mark.parametrize(("dims", "status", "words"), ONNX_DIMS,
                         ids=[str(d) for d, _, _ in ONNX_DIMS])
def test_onnx_input_dims(run_config, tmp_path: Path, dims: list, status: str,
                         words: list[str]) -> None:
    path = hostile.onnx_identity(tmp_path / "dims.onnx", dims)
    record = run_config("model=onnx_file", f"model.path={path}")
    if status == "ok":
        assert record.status is Status.ok, record.reason
        assert record.model.inputs[0]["shape"] == [1, 3]
        return
    refused(record, *words)


def test_onnx_without_inputs(run_config, tmp_path: Path) -> None:
    path = hostile.onnx_identity(tmp_path / "none.onnx", None)
    refused(run_config("model=onnx_file", f"model.path={path}"), "no inputs")


def test_zero_byte_onnx_says_empty(run_config, tmp_path: Path) -> None:
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    record = run_config("model=onnx_file", f"model.path={path}")
    refused(record, "empty (0 bytes)")
    assert "opset" not in record.reason


def test_external_data_in_a_local_function_is_checked(run_config, tmp_path: Path) -> None:
    (tmp_path / "outside.bin").write_bytes(b"\0" * 16)
    folder = tmp_path / "model"
    folder.mkdir()
    path = hostile.onnx_function_external(folder / "func.onnx", "../outside.bin")
    refused(run_config("model=onnx_file", f"model.path={path}"), "../outside.bin",
            "outside its folder")


def test_huge_batch_is_refused_before_any_allocation(run_config) -> None:
    record = run_config("model.batch_size=50000000")  # digits: 12.8 GB per batch
    refused(record, "GiB", "model.batch_size", "nothing was allocated")
    assert record.memory.peak_rss_bytes < 4 << 30


def test_the_issues_batch_500000_fails_fast(run_config, monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    real = psutil.virtual_memory()
    fake = real._replace(available=8 << 30)  # the same answer on any machine
    monkeypatch.setattr(psutil, "virtual_memory", lambda: fake)
    record = run_config("model.batch_size=500000")  # took 24 GB RSS and an OOM kill before
    refused(record, "intermediate tensors", "per sample", "model.batch_size")
    assert record.phases_s.keys() <= {"load_model"}, record.phases_s
    assert record.memory.peak_rss_bytes < 4 << 30


def test_batch_500000_under_a_small_budget(run_config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "BUDGET_MAX_BYTES", 64 << 20)
    refused(run_config("model.batch_size=500000"), "122.1 MiB", "model.batch_size")


def test_fewer_batches_are_prepared_and_recorded(run_config,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "BUDGET_MAX_BYTES", 16 << 20)
    record = run_config("model.batch_size=5000")  # 1.2 MiB per batch: 4 fit 3x in 16 MiB
    assert record.status is Status.ok, record.reason
    prepared = record.model.get("prepared_batches")
    assert prepared["requested"] == 64 and prepared["prepared"] == 4, prepared
    assert "cut to 4" in prepared["why"]
