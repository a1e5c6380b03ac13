"""The network a remote run went through, for the record: loopback, emulated or real."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from harness.backends.remote_config import RemoteOptions
from harness.core.errors import ConfigError
from harness.network.link import find_link


def network_section(o: RemoteOptions) -> dict[str, Any]:
    """Return kind and profile; for an emulated link also its RTT, rates and mechanism.

    An emulated link that `harness serve --network` set up on this host is found by the
    address the client connects to, so the record names it even when the run did not say
    network=; a run that names another profile, or names one with no link behind the URL,
    is a ConfigError (its figures would be labelled with a path they did not take)."""
    parts = urlsplit(o.url)
    link = find_link(parts.hostname or "", parts.port or 0)
    if link is not None:
        if o.network in ("loopback", "real") or (o.network == "emulated"
                                                  and o.network_profile != link["profile"]):
            said = o.network_profile if o.network == "emulated" else o.network
            raise ConfigError(
                f"The run says network={said}, but {parts.netloc} is the emulated link "
                f"'{link['profile']}' ({link['rtt_ms']} ms RTT, {link['mechanism']}, "
                f"namespace {link['netns']}).",
                f"Run with network={link['profile']}, or point target.options.url at the "
                "server the run means.")
        return {"kind": "emulated", **link}
    if o.network == "emulated":
        raise ConfigError(
            f"network={o.network_profile} is an emulated profile, but no emulated link on this "
            f"host serves {parts.netloc}.",
            f"Start the server behind one: harness serve --network {o.network_profile} "
            "model=... (as root), and use the client URL its banner prints; for a server on "
            "a real network use network=loopback (the record then says real).")
    kind = o.network_kind()
    return {"kind": kind, "profile": o.network_profile if kind == "real" and o.network == "real"
            else None}
