"""The example out-of-tree plugin (examples/fictional_npu): conformance, install, and a sweep."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.backends.config import TargetConfig
from tests.conformance.suite import BackendConformance, import_ok

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "fictional_npu"
if not import_ok("fictional_npu"):  # not installed yet: test the source tree directly
    sys.path.insert(0, str(PLUGIN / "src"))


class TestNimbusPlugin(BackendConformance):
    """The plugin passes the same suite as the built-ins."""

    target = TargetConfig(name="nimbus_npu", backend="nimbus_npu", device="nimbus0")
    runtime_module = "fictional_npu"

    @pytest.fixture(autouse=True)
    def _registered(self) -> None:
        from harness.backends.registry import BACKENDS

        BACKENDS.register("nimbus_npu", "fictional_npu.backend:NimbusBackend")

    def test_absent_device_is_a_reason(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from fictional_npu.backend import NimbusBackend

        monkeypatch.setenv("NIMBUS_VISIBLE_DEVICES", "")
        probe = NimbusBackend(self.target).probe()
        assert not probe.available and "nimbus0 not found" in probe.reason


def _pip_install() -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
           "--no-index", "-q", "-e", str(PLUGIN)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        pytest.skip(f"pip could not install the plugin here: {done.stderr.strip()[-300:]}")


@pytest.mark.slow
def test_installed_plugin_is_discovered_and_sweeps(tmp_path: Path) -> None:
    _pip_install()
    names = subprocess.run(
        [sys.executable, "-c", "from harness.backends.registry import BACKENDS; "
         "print(' '.join(BACKENDS.names()))"], capture_output=True, text=True, check=True)
    assert "nimbus_npu" in names.stdout.split()
    bench = Path(sys.executable).with_name("harness-bench")
    cmd = [str(bench), "-m", "target=nimbus_npu", "model=digits", "quant=int8_static",
           "hydra.searchpath=[pkg://fictional_npu.configs]", f"results_dir={tmp_path}",
           "sweep=plugin", "meter=none", "scenario.min_count=20", "scenario.warmup_count=2",
           "scenario.min_duration_s=0.05", "scenario.max_duration_s=0.2"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(p.read_text()) for p in tmp_path.glob("plugin/*/*.json")]
    assert len(records) == 1, done.stderr[-2000:]
    for record in records:
        assert record["status"] == "ok", record.get("reason")
        assert record["backend"]["runtime"] == "nimbus-sdk"
