"""MLPerf profile settings and the machine stability snapshot (fake sysfs tree)."""

from __future__ import annotations

from pathlib import Path

from harness.scenarios import stability_snapshot
from harness.scenarios.config import Profile, apply_profile, is_compliant
from harness.scenarios.stability import cpu_frequencies, throttle_counts


def test_mlperf_profile_applies_loadgen_minimums(tiny) -> None:
    single = apply_profile(tiny("single_stream", profile="mlperf", min_count=1))
    multi = apply_profile(tiny("multi_stream", profile="mlperf", samples_per_query=1))
    offline = apply_profile(tiny("offline", profile="mlperf"))
    assert single.min_duration_s == 600.0 and single.min_count == 100
    assert multi.min_count == 662 and multi.samples_per_query == 8
    assert offline.offline_samples == 24576 and offline.profile is Profile.mlperf
    assert not is_compliant(single) and is_compliant(apply_profile(
        tiny("single_stream", profile="mlperf", engine="loadgen")))


def fake_sysfs(root: Path) -> Path:
    for cpu, cur in ((0, 2400000), (1, 1800000)):
        freq = root / f"devices/system/cpu/cpu{cpu}/cpufreq"
        freq.mkdir(parents=True)
        (freq / "scaling_governor").write_text("powersave\n")
        (freq / "scaling_cur_freq").write_text(f"{cur}\n")
        (freq / "scaling_min_freq").write_text("800000\n")
        (freq / "scaling_max_freq").write_text("3600000\n")
        throttle = root / f"devices/system/cpu/cpu{cpu}/thermal_throttle"
        throttle.mkdir()
        (throttle / "core_throttle_count").write_text("3\n")
    (root / "devices/system/cpu/cpu2").mkdir()  # a CPU whose cpufreq is unreadable
    return root


def test_stability_snapshot_reads_fake_sysfs(tmp_path: Path) -> None:
    root = fake_sysfs(tmp_path)
    cpus = cpu_frequencies(root)
    assert [c["cur_khz"] for c in cpus] == [2400000, 1800000, None]
    assert cpus[2]["governor"] is None
    assert throttle_counts(root) == {"core_throttle_count": 6}
    snap = stability_snapshot(root, interval_s=0.05)
    assert snap["governors"] == ["powersave"]
    assert any("governor" in w for w in snap["warnings"])
    assert 0.0 <= snap["cpu_percent"] <= 100.0


def test_stability_snapshot_on_missing_tree(tmp_path: Path) -> None:
    snap = stability_snapshot(tmp_path / "absent", interval_s=0.01)
    assert snap["cpus"] == [] and snap["throttle_counts"] == {}
