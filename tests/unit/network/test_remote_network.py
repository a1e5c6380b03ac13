"""What a remote record says about the path: loopback, real, or the emulated link it reached."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.backends.remote_config import RemoteOptions
from harness.backends.remote_network import network_section
from harness.core.errors import ConfigError
from harness.network import link


@pytest.fixture
def link_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(link, "LINK_DIR", tmp_path)
    state = {"profile": "eu_cloud_region", "kind": "emulated", "rtt_ms": 15.0,
             "uplink_mbps": 100.0, "downlink_mbps": 100.0, "mechanism": "proxy+tbf",
             "netns": "eh-1", "client_address": "10.231.9.1", "ports": [8000, 8001],
             "pid": os.getpid()}
    (tmp_path / "eh-1.json").write_text(json.dumps(state))
    (tmp_path / "eh-2.json").write_text(json.dumps({**state, "client_address": "10.231.8.1",
                                                    "pid": 2 ** 22 + 7}))  # owner gone
    return tmp_path


def _opts(url: str, network: str = "auto", profile: str | None = None) -> RemoteOptions:
    return RemoteOptions(url=url, model_name="m", network=network, network_profile=profile)


def test_the_link_behind_the_url_is_recorded_even_when_the_run_did_not_name_it(
        link_dir: Path) -> None:
    for o in (_opts("grpc://10.231.9.1:8001"),
              _opts("http://10.231.9.1:8000", "emulated", "eu_cloud_region")):
        section = network_section(o)
        assert (section["kind"], section["profile"], section["mechanism"]) \
            == ("emulated", "eu_cloud_region", "proxy+tbf")
        assert section["rtt_ms"] == 15.0


def test_loopback_and_real_stay_what_they_are_without_a_link(link_dir: Path) -> None:
    assert network_section(_opts("http://127.0.0.1:8000")) == {"kind": "loopback",
                                                               "profile": None}
    assert network_section(_opts("http://10.231.8.1:8000"))["kind"] == "real"  # stale file


def test_a_profile_the_link_does_not_have_or_a_missing_link_is_refused(link_dir: Path) -> None:
    with pytest.raises(ConfigError, match="network=transatlantic.*eu_cloud_region"):
        network_section(_opts("http://10.231.9.1:8000", "emulated", "transatlantic"))
    with pytest.raises(ConfigError, match="no emulated link.*harness serve --network"):
        network_section(_opts("http://10.0.0.5:8000", "emulated", "transatlantic"))
