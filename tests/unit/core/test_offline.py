"""Importing the harness turns off OpenVINO's usage telemetry, with no consent file written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = ("{prelude}from openvino_telemetry import Telemetry; "
         "t = Telemetry(app_name='probe', app_version='0', tid='G-PROBE', backend='ga4', "
         "enable_opt_in_dialog=False, disable_in_ci=True); print(t.consent)")


def _consent(home: Path, prelude: str) -> str:
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", PROBE.format(prelude=prelude)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


def test_importing_the_harness_declines_openvino_telemetry(tmp_path: Path) -> None:
    pytest.importorskip("openvino_telemetry", reason="openvino_telemetry not installed")
    # without the harness, no consent file means "send" (NNCF and ovc initialise it this way)
    assert _consent(tmp_path / "a", "") == "True"
    assert _consent(tmp_path / "b", "import harness; ") == "False"
    assert not (tmp_path / "b" / "intel" / "openvino_telemetry").exists()  # nothing of the user's
