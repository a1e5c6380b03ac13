"""Scale-out: the launcher configs compose, joblib never times two runs at once, and a sweep
through the Ray launcher on a local cluster comes back to the driver in per-host folders."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from harness.records.env import fingerprint
from harness.run.fleet import host_dir_name
from harness.run.hydra_app import CONFIG_DIR
from tests.e2e.conftest import bench, records
from tests.faults.conftest import compose_config

SWEEP = ["-m", "model=digits", "quant=fp32,int8_static,int8_dynamic", "target=cpu"]
HAS_RAY = all(importlib.util.find_spec(m) for m in ("ray", "hydra_plugins.hydra_ray_launcher"))
HAS_SUBMITIT = importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is not None
HAS_JOBLIB = importlib.util.find_spec("hydra_plugins.hydra_joblib_launcher") is not None


def launcher_config(name: str, *overrides: str):
    """Return the composed config, hydra node included, for launcher=`name`."""
    compose_config()  # registers the schema and resolvers
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose("config", overrides=[f"launcher={name}", *overrides],
                       return_hydra_config=True)


@pytest.mark.parametrize(("name", "plugin", "installed"), [
    ("joblib", "joblib", HAS_JOBLIB),
    ("ray", "ray", HAS_RAY),
    ("slurm", "submitit_slurm", HAS_SUBMITIT),
])
def test_launcher_config_composes(name: str, plugin: str, installed: bool) -> None:
    if not installed:
        pytest.skip(f"the launcher plugin for launcher={name} is not installed "
                    "(pip install -e . , '.[cluster]' or '.[slurm]')")
    cfg = launcher_config(name)
    assert cfg.hydra.runtime.choices["hydra/launcher"] == plugin
    assert cfg.host_folders is (name != "joblib")


@pytest.mark.skipif(not HAS_RAY, reason="ray / hydra-ray-launcher not installed (.[cluster])")
def test_ray_device_class_override_composes() -> None:
    cfg = launcher_config("ray", "hydra.launcher.ray.remote.resources={jetson-orin:1}",
                          "hydra.launcher.ray.init.address=auto")
    assert dict(cfg.hydra.launcher.ray.remote.resources) == {"jetson-orin": 1}
    assert cfg.hydra.launcher._target_.endswith("FleetRayLauncher")


@pytest.mark.skipif(not HAS_SUBMITIT, reason="hydra-submitit-launcher not installed (.[slurm])")
def test_slurm_partition_and_constraint_compose() -> None:
    cfg = launcher_config("slurm", "hydra.launcher.partition=edge",
                          "hydra.launcher.constraint=jetson-orin")
    assert cfg.hydra.launcher.constraint == "jetson-orin"
    assert cfg.hydra.launcher.additional_parameters.exclusive is True


def _windows(recs: list[dict]) -> list[tuple[float, float]]:
    return [(r["scenario"]["window_start_unix_s"], r["scenario"]["window_end_unix_s"])
            for r in recs]


@pytest.mark.skipif(not HAS_JOBLIB, reason="hydra-joblib-launcher not installed (pip install -e .)")
def test_joblib_runs_in_parallel_but_never_times_two_at_once(tmp_path: Path,
                                                             shared_cache: Path) -> None:
    proc = bench(tmp_path, *SWEEP, "launcher=joblib", "scenario.min_duration_s=0.5",
                 cache=shared_cache)
    assert proc.returncode == 0, proc.stderr[-3000:]
    recs = records(tmp_path)
    assert [r["status"] for r in recs] == ["ok"] * 3
    assert {r["config"]["launcher"] for r in recs} == {"joblib"}
    for (a_start, a_end), (b_start, b_end) in combinations(_windows(recs), 2):
        assert a_end <= b_start or b_end <= a_start, "two timed windows overlapped"
    assert all(r["phases_s"]["timing_lock_wait"] >= 0 for r in recs)


def _ray_sweep(tmp: Path, cache: Path, workdir: Path) -> subprocess.CompletedProcess:
    """Run the sweep through the Ray launcher on a local two-slot cluster; workers start in
    `workdir` (a Ray working_dir), so their relative results folder is not the driver's."""
    tmp.mkdir(parents=True, exist_ok=True)
    fast = ["scenario.warmup_count=2", "scenario.warmup_s=0.01", "scenario.min_count=20",
            "scenario.min_duration_s=0.05", "scenario.max_duration_s=0.3",
            "meter.idle_baseline_s=0", "isolation=none"]
    ray = ["launcher=ray", "+hydra.launcher.ray.init.num_cpus=2",
           "+hydra.launcher.ray.init.include_dashboard=false",
           "+hydra.launcher.ray.init.resources={edge-harness-test:2}",
           "hydra.launcher.ray.init.object_store_memory=78643200",
           f"+hydra.launcher.ray.init.runtime_env={{working_dir:{workdir}}}",
           "hydra.launcher.ray.remote.resources={edge-harness-test:1}"]
    cmd = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()", *SWEEP,
           "results_dir=results", f"cache_dir={cache}", *fast, *ray]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_RAY, reason="ray / hydra-ray-launcher not installed (.[cluster])")
def test_ray_sweep_comes_back_to_the_driver_and_compares(tmp_path: Path,
                                                         shared_cache: Path) -> None:
    workdir = tmp_path / "ray-workdir"
    workdir.mkdir()
    (workdir / "README").write_text("the Ray workers' working directory\n")
    proc = _ray_sweep(tmp_path / "driver", shared_cache, workdir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (sweep,) = (tmp_path / "driver" / "results" / "single").iterdir()
    host = host_dir_name(fingerprint()["hostname"])
    written = sorted(p.parent.name for p in sweep.rglob("*.json") if "runs" not in p.parts)
    assert written == [host] * 3  # brought back: the workers wrote into their own folder

    recs = records(tmp_path / "driver")
    assert [r["status"] for r in recs] == ["ok"] * 3
    assert sorted(r["config"]["quant"]["name"] for r in recs) == \
        ["fp32", "int8_dynamic", "int8_static"]
    assert {(r["config"]["launcher"], r["environment"]["hostname"]) for r in recs} == \
        {("ray", fingerprint()["hostname"])}

    compare = subprocess.run(
        [str(Path(sys.executable).with_name("harness")), "compare", str(sweep),
         "--baseline", "quant=fp32"], capture_output=True, text=True, timeout=120)
    assert compare.returncode == 0, compare.stderr[-3000:]
    table = (sweep / "compare.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| digits |")]
    assert len(rows) == 3 and all(f"| {fingerprint()['hostname']} | ok |" in r for r in rows)
    assert "3 runs compared" in compare.stderr
