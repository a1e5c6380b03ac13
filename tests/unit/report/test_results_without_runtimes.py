"""The results tools run where no inference runtime is installed (the import contract's promise)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.unit.report.records_factory import make_record, write_records

#: Run the `harness` command with every inference runtime made unimportable in that process.
NO_RUNTIMES = """
import sys
RUNTIMES = {"torch", "onnxruntime", "openvino", "executorch", "transformers", "ai_edge_litert"}

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in RUNTIMES:
            raise ImportError(f"{name} is not installed here (test)")

sys.meta_path.insert(0, Refuse())
from harness.cli import main
main(sys.argv[1:])
"""


def harness_without_runtimes(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Return the finished `harness ARGS` run in `cwd` with torch, onnxruntime and the rest
    refused."""
    return subprocess.run([sys.executable, "-c", NO_RUNTIMES, *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_compare_and_check_need_no_inference_runtime(tmp_path: Path) -> None:
    base = write_records(tmp_path / "base", [make_record(quant=q, median_ms=m)
                                             for q, m in (("fp32", 1.0), ("int8_static", 0.6))])
    new = write_records(tmp_path / "new", [make_record(quant=q, median_ms=m, seed=1)
                                           for q, m in (("fp32", 1.0), ("int8_static", 0.6))])
    out = tmp_path / "out"
    compare = harness_without_runtimes(tmp_path, "compare", str(base), str(new), "--out", str(out))
    assert compare.returncode == 0, compare.stderr[-2000:]
    assert "int8_static" in (out / "compare.md").read_text()
    check = harness_without_runtimes(tmp_path, "check", str(new), "--against", str(base))
    assert check.returncode == 0, check.stderr[-2000:]


def test_the_refusal_is_real(tmp_path: Path) -> None:
    probe = subprocess.run([sys.executable, "-c", NO_RUNTIMES.replace(
        "from harness.cli import main\nmain(sys.argv[1:])", "import torch")],
        capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "not installed here" in probe.stderr
