"""Registries answer unknown names with the valid ones and missing runtimes with the extra."""

import pytest

from harness.backends.base import Backend
from harness.backends.registry import BACKENDS
from harness.core.errors import BackendUnavailable, ConfigError
from harness.core.registry import Registry


def test_unknown_backend_suggests_the_closest() -> None:
    with pytest.raises(ConfigError) as info:
        BACKENDS.get("onnxruntim")
    assert "Did you mean 'onnxruntime'" in str(info.value)
    assert "torch" in str(info.value)


def test_missing_runtime_names_the_extra() -> None:
    registry: Registry[Backend] = Registry("backend", Backend)
    registry.register("nimbus", "nimbus_sdk_not_installed:Backend", extra="nimbus")
    with pytest.raises(BackendUnavailable, match=r"pip install -e '\.\[nimbus\]'"):
        registry.get("nimbus")


def test_builtins_are_backends() -> None:
    for name in ("onnxruntime", "torch"):
        assert issubclass(BACKENDS.get(name), Backend)
