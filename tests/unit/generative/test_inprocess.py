"""The pieces in-process engines share: the module probe, the runtime version, the weights label
and a session's close(); on real modules (the standard library's, numpy, one written here)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.generative.config import GenModelConfig
from harness.generative.engine import OnToken
from harness.generative.inprocess import (
    LoadedModelSession,
    module_version,
    probe_modules,
    weights_label,
)

ABSENT = "harness_test_no_such_module_anywhere"


def test_the_probe_names_the_first_module_that_is_not_installed() -> None:
    probe = probe_modules([("json", "json"), (ABSENT, "absent-runtime (its reader)")], "all here")
    assert not probe.available
    assert probe.reason == "absent-runtime (its reader) is not installed"


def test_the_probe_is_available_with_its_reason_when_every_module_is_installed() -> None:
    probe = probe_modules([("json", "json"), ("numpy", "numpy")], "json and numpy",
                          imported={"numpy"})
    assert probe.available
    assert probe.reason == "json and numpy"


def test_a_module_that_must_import_and_raises_is_unavailable_before_later_checks(
        tmp_path, monkeypatch) -> None:
    (tmp_path / "harness_test_broken_wheel.py").write_text(
        "raise ImportError('built for another runtime')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    required = [("harness_test_broken_wheel", "broken-wheel"), (ABSENT, "absent")]
    probe = probe_modules(required, "never", imported={"harness_test_broken_wheel"})
    assert not probe.available
    assert probe.reason == ("harness_test_broken_wheel does not import "
                            "(built for another runtime)")
    # not asked to import it: only whether it is installed counts, so the next module decides
    assert probe_modules(required, "never").reason == "absent is not installed"


def test_the_version_is_the_module_s_own() -> None:
    assert module_version("numpy") == np.__version__


def test_the_weights_label_says_local_folder_or_seeded_random(tmp_path) -> None:
    assert weights_label(GenModelConfig()) == "random (seeded)"
    assert weights_label(GenModelConfig(path=str(tmp_path))) == "local folder"


class _Held(LoadedModelSession):
    """A session holding a plain object as its model."""

    def __init__(self) -> None:
        self.model = object()
        self._lock = threading.Lock()

    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        return []

    def describe(self) -> dict[str, Any]:
        return {}


def test_close_drops_the_model_and_may_be_called_twice() -> None:
    session = _Held()
    session.close()
    assert session.model is None
    session.close()
    assert session.model is None
