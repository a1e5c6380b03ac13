"""network= profiles: each loads, cites a source, and only a remote target may take one."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from harness.core.errors import ConfigError
from harness.network.config import NetworkConfig
from harness.serve.cli import compose_config
from harness.serve.link import load_profile

FOLDER = Path(__file__).resolve().parents[3] / "configs" / "network"
PROFILES = sorted(p.stem for p in FOLDER.glob("*.yaml"))


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_builds_and_an_emulated_one_names_its_source(name: str) -> None:
    profile = NetworkConfig(**OmegaConf.to_container(OmegaConf.load(FOLDER / f"{name}.yaml")))
    assert profile.name == name
    if profile.emulate:
        assert "Representative example" in profile.source
        assert profile.rtt_ms > 0 and profile.uplink_mbps and profile.downlink_mbps


def test_the_issue_s_profiles_are_there_with_their_round_trip_times() -> None:
    rtt = {n: load_profile(n).rtt_ms for n in PROFILES if n != "loopback"}
    assert {"eu_metro_edge": 2.0, "eu_cloud_region": 15.0, "transatlantic": 90.0}.items() \
        <= rtt.items()
    assert {"lte_uplink", "5g_uplink"} <= rtt.keys()


def test_an_unknown_or_empty_profile_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'transatlantic'"):
        load_profile("transatlantik")
    with pytest.raises(ConfigError, match="emulates nothing"):
        load_profile("loopback")
    with pytest.raises(ConfigError, match="source"):
        NetworkConfig(name="x", kind="emulated", rtt_ms=5.0)
    with pytest.raises(ConfigError, match="network.kind"):
        NetworkConfig(kind="emulatd")


def test_the_remote_target_takes_the_profile_and_a_local_target_refuses_it() -> None:
    cfg = compose_config(["target=remote", "network=transatlantic"])
    assert (cfg.target.options["network"], cfg.target.options["network_profile"]) \
        == ("emulated", "transatlantic")
    assert compose_config(["target=remote"]).target.options["network"] == "auto"
    with pytest.raises(ConfigError, match="target=remote"):
        compose_config(["target=cpu", "network=eu_cloud_region"])
