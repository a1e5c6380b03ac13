"""The example out-of-tree plugin (examples/fictional_npu): conformance, install, and a sweep.

The plugin adds a backend, an energy meter and an artifact format (exporter + quantiser); each
passes the same suite as the built-ins. Until the package is installed, the source tree is on
sys.path and the tests register its objects by import path, as a developer would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from harness.backends.config import TargetConfig
from harness.backends.registry import BACKENDS
from harness.energy.config import MeterConfig
from harness.energy.registry import METERS
from harness.export.registry import EXPORTERS
from harness.quantise.registry import QUANTISERS
from tests.conformance.exporter_suite import ExporterConformance
from tests.conformance.meter_suite import MeterConformance
from tests.conformance.suite import BackendConformance, import_ok

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "fictional_npu"
if not import_ok("fictional_npu"):  # not installed yet: test the source tree directly
    sys.path.insert(0, str(PLUGIN / "src"))
NIMBUS = TargetConfig(name="nimbus_npu", backend="nimbus_npu", device="nimbus0")


@pytest.fixture(autouse=True)
def _registered() -> None:
    """Register the plugin's objects by import path (what its entry points say, once installed)."""
    BACKENDS.register("nimbus_npu", "fictional_npu.backend:NimbusBackend")
    METERS.register("nimbus_power", "fictional_npu.meter:NimbusPowerMeter")
    EXPORTERS.register("nimbus", "fictional_npu.exporter:export_nimbus")
    QUANTISERS.register("nimbus", "fictional_npu.exporter:quantise_nimbus")


class TestNimbusPlugin(BackendConformance):
    """The plugin's backend passes the same suite as the built-ins (on `nimbus` artifacts)."""

    target = NIMBUS
    runtime_module = "fictional_npu"

    def test_absent_device_is_a_reason(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from fictional_npu.backend import NimbusBackend

        monkeypatch.setenv("NIMBUS_VISIBLE_DEVICES", "")
        probe = NimbusBackend(self.target).probe()
        assert not probe.available and "nimbus0 not found" in probe.reason

    def test_prefers_its_own_format(self) -> None:
        assert BACKENDS.get("nimbus_npu").formats[0] == "nimbus"


class TestNimbusExporter(ExporterConformance):
    """The plugin's `nimbus` format: exported, cached, loaded on the plugin's backend."""

    artifact_format = "nimbus"
    target = NIMBUS
    runtime_module = "fictional_npu"

    def test_blob_holds_the_onnx_it_was_compiled_from(self, built) -> None:
        from fictional_npu import sdk

        header, onnx_bytes = sdk.read_blob(Path(built[0].path).read_bytes())
        assert header["precision"] == "fp32" and header["sdk"] == sdk.sdk_version()
        assert onnx.load_from_string(onnx_bytes).graph.node  # a real ONNX model inside


def _matmul_blob(path: Path) -> None:
    """Write a small real model (a 256x256 MatMul) compiled to a .nimbus file at `path`."""
    from fictional_npu import sdk

    w = helper.make_tensor("w", TensorProto.FLOAT, [256, 256], [0.01] * 256 * 256)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "mm",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, 256])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 256])],
                              [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path.write_bytes(sdk.compile_model(model.SerializeToString(), "fp32"))


class TestNimbusMeter(MeterConformance):
    """The plugin's meter reads the SDK's (simulated) board counter while the NPU works."""

    meter_name = "nimbus_power"
    options = {"device": "nimbus0"}

    def config(self, tmp_path: Path) -> MeterConfig:
        """Return the meter's config, with a graph loaded for during_window to execute."""
        import numpy as np
        from fictional_npu import sdk

        _matmul_blob(tmp_path / "mm.nimbus")
        self.graph = sdk.load_compiled(str(tmp_path / "mm.nimbus"), "nimbus0", "performance", 1)
        self.x = np.ones((64, 256), np.float32)
        return MeterConfig(name="nimbus_power", options=dict(self.options))

    def during_window(self) -> None:
        """Keep the NPU busy for the window (the counter's active part follows busy time)."""
        import time

        end = time.perf_counter() + self.window_s
        while time.perf_counter() < end:
            self.graph.execute({"x": self.x})

    def test_readings_are_labelled_estimated_and_rise_with_load(self, meter) -> None:
        from fictional_npu import sdk

        with meter.window() as idle:
            __import__("time").sleep(self.window_s)
        with meter.window() as busy:
            self.during_window()
        (idle_r,), (busy_r,) = idle.readings, busy.readings
        assert idle_r.provenance == busy_r.provenance == "estimated"  # simulated, not measured
        assert idle_r.average_power_w == pytest.approx(sdk.BOARD_IDLE_W, rel=0.1)
        assert busy_r.average_power_w > idle_r.average_power_w + 1.0


def test_auto_tries_the_plugin_meter_for_its_device_first() -> None:
    from harness.energy.auto import create_meter

    meter, why = create_meter(MeterConfig(name="auto"), "nimbus0")
    try:
        assert meter.name == "nimbus_power" and why.startswith("chose nimbus_power")
    finally:
        meter.close()
    meter, why = create_meter(MeterConfig(name="auto"), "cpu")  # not its device: not tried
    try:
        assert meter.name != "nimbus_power" and "nimbus_power" not in why
    finally:
        meter.close()


def _pip_install() -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
           "--no-index", "-q", "-e", str(PLUGIN)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        pytest.skip(f"pip could not install the plugin here: {done.stderr.strip()[-300:]}")


NAMES = ("from harness.backends.registry import BACKENDS; from harness.energy import meter_names; "
         "from harness.export.registry import EXPORTERS; print(' '.join(BACKENDS.names()), '|', "
         "' '.join(meter_names()), '|', ' '.join(EXPORTERS.names()))")


@pytest.mark.slow
def test_installed_plugin_is_discovered_and_sweeps(tmp_path: Path) -> None:
    _pip_install()
    names = subprocess.run([sys.executable, "-c", NAMES], capture_output=True, text=True,
                           check=True)
    backends, meters, formats = (part.split() for part in names.stdout.split("|"))
    assert "nimbus_npu" in backends and "nimbus_power" in meters and "nimbus" in formats
    bench = Path(sys.executable).with_name("harness-bench")
    cmd = [str(bench), "-m", "target=nimbus_npu", "model=digits", "quant=fp32,int8_static",
           "hydra.searchpath=[pkg://fictional_npu.configs]", f"results_dir={tmp_path}",
           "sweep=plugin", "meter=nimbus_power", "meter.idle_baseline_s=0.2",
           "scenario.min_count=20", "scenario.warmup_count=2", "scenario.min_duration_s=0.05",
           "scenario.max_duration_s=0.2"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(p.read_text()) for p in tmp_path.glob("plugin/*/*.json")]
    assert len(records) == 2, done.stderr[-2000:]
    for record in records:
        assert record["status"] == "ok", record.get("reason")
        assert record["backend"]["runtime"] == "nimbus-sdk"
        assert record["artifact"]["format"] == "nimbus", record["artifact"]
        energy = record["energy"]
        assert energy["meter"] == "nimbus_power" and energy["provenance"] == "estimated"
        assert energy["gross_energy_j"] > 0 and energy["readings"][0]["domain"] == "nimbus0"
    assert {r["artifact"]["precision"] for r in records} == {"fp32", "int8_static"}
