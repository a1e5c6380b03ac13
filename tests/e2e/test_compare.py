"""`harness compare`, `deploy` and `claims` on records written by harness-bench (two targets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import bench

pytestmark = pytest.mark.slow


HARNESS = Path(sys.executable).with_name("harness")


def tool(*args: str) -> subprocess.CompletedProcess:
    """Run the installed `harness` console script with `args` in a subprocess."""
    return subprocess.run([str(HARNESS), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> tuple[Path, Path]:
    """Two results folders from two targets: digits fp32+int8 on cpu, fp32 on cpu_1thread."""
    tmp = tmp_path_factory.mktemp("compare")
    first = bench(tmp, "-m", "model=digits", "quant=fp32,int8_static", "target=cpu", "sweep=a",
                  cache=shared_cache)
    second = bench(tmp, "model=digits", "target=cpu_1thread", "sweep=b", cache=shared_cache)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    return tmp / "results" / "a", tmp / "results" / "b"


def test_compare_prints_and_writes_everything(folders: tuple[Path, Path], tmp_path: Path) -> None:
    done = tool("compare", str(folders[0]), str(folders[1]), "--out", str(tmp_path),
                "--baseline", "target=cpu", "--html", "--pytest-benchmark")
    assert done.returncode == 0, done.stderr
    assert "×base" in done.stdout and "comparison" in done.stdout
    table = (tmp_path / "compare.md").read_text()
    assert "p50 ×base" in table and "cpu_1thread" in table and "Baseline: target=cpu" in table
    for name in ("compare.md", "compare.csv", "report.html", "compare.benchmark.json"):
        assert (tmp_path / name).stat().st_size > 0
    assert "<svg" in (tmp_path / "report.html").read_text()


def test_deployment_verdicts_on_real_runs(folders: tuple[Path, Path], tmp_path: Path) -> None:
    done = tool("deploy", "--device", str(folders[1]), "--datacenter",
                str(folders[0]), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "latency: on_device wins" in done.stdout
    assert "crossover cloud_fixed" in (tmp_path / "deployment.md").read_text()


def test_claims_pass_and_fail(folders: tuple[Path, Path], tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n"
        "  - {id: generous, metric: p50_ms, op: '<=', bound: 1000.0, match: {model: digits}}\n"
        "  - {id: impossible, metric: p50_ms, op: '<=', bound: 0.000001, match: {model: digits}}\n")
    done = tool("claims", str(claims), str(folders[0]), str(folders[1]))
    assert done.returncode == 1, done.stderr
    lines = {line.split("│")[1].strip(): line for line in done.stdout.splitlines()
             if line.startswith("│") and line.split("│")[1].strip()}
    assert "PASS" in lines["generous"] and "FAIL" in lines["impossible"]
