"""Registry and contract helpers: extras, unknown names, input errors, other backends' probes."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backends.base import input_error
from harness.backends.config import TargetConfig
from harness.backends.registry import BACKENDS, create_backend
from harness.core.errors import ConfigError, UnsupportedError
from tests.unit.conftest import SPEC


def test_builtins_name_their_pip_extra() -> None:
    assert BACKENDS.entry("openvino").extra == "openvino"
    assert BACKENDS.entry("executorch").extra == "executorch"
    assert {"onnxruntime", "torch", "openvino", "executorch"} <= set(BACKENDS.names())


def test_unknown_backend_lists_installed_ones() -> None:
    with pytest.raises(ConfigError, match="Valid backend names: .*onnxruntime"):
        create_backend(TargetConfig(backend="onnxruntme"))


def test_input_error_names_the_problem() -> None:
    assert "input names" in str(input_error({"y": np.zeros((1, 4))}, (SPEC,), True, "rt"))
    wrong = {"x": np.zeros((1, 5), np.float32)}
    assert "shape [1, 5]" in str(input_error(wrong, (SPEC,), True, "rt"))
    batch = {"x": np.zeros((3, 4), np.float32)}
    err = input_error(batch, (SPEC,), False, "rt")
    assert isinstance(err, UnsupportedError) and "static batch" in str(err)


def test_openvino_absent_device_gives_reason() -> None:
    pytest.importorskip("openvino")
    import openvino as ov

    if "NPU" in ov.Core().available_devices:
        pytest.skip("this machine has an NPU")
    probe = create_backend(TargetConfig(name="n", backend="openvino", device="NPU")).probe()
    assert not probe.available and probe.reason.startswith("OpenVINO device NPU not found")
    assert "available: CPU" in probe.reason


def test_torch_cuda_probe_explains_absence() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    probe = create_backend(TargetConfig(name="g", backend="torch", device="cuda")).probe()
    assert not probe.available and "no CUDA device" in probe.reason



def test_torch_tf32_is_an_option_and_off_by_default() -> None:
    import torch

    from harness.backends.torch_backend import set_tf32

    backend = create_backend(TargetConfig(name="g", backend="torch", device="cuda"))
    assert backend.options.tf32 is False
    before = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
    try:
        set_tf32(False)
        assert not torch.backends.cudnn.allow_tf32 and not torch.backends.cuda.matmul.allow_tf32
        set_tf32(True)
        assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = before
