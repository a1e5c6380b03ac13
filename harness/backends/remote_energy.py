"""Energy on both ends of a remote query, and whether the served artifact is the run's.

The server's side comes from harness serve's side channel (harness.serve.side_channel): a
companion model `<name>.harness` whose one output is a JSON document with the served
artifact's sha256 and the server's running energy totals. The client reads it before and
after each timed window (`ServerEnergyBracket`), so the server's joules cover the same window
as the client's meter; `server_energy` turns two snapshots into J per query. A server without
the side channel (any other OIP server, or harness serve --no-side-channel) is recorded as
"not reported by this server"."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from harness.core.artifact import Artifact
from harness.core.errors import HarnessError

SUFFIX = ".harness"  # the side channel's model name: <served name>.harness
QUERY = "query"  # its input: one UINT8, ignored
INFO = "info"  # its output: one BYTES element, the JSON document
NOT_REPORTED = "not reported by this server"
CLIENT_SCOPE = ("the client's own window: it spans every query's round trip (serialisation, "
                "the network both ways and the wait for the server), so it includes waiting "
                "on the network; it does not include the network's or the server's energy")
NETWORK_SCOPE = ("not metered: harness deploy applies the deployment preset's network energy "
                 "per byte (configs/deployment/*.yaml, kWh/GB with its source) to the payload "
                 "bytes measured here (backend.payload)")


def read_side_channel(client: Any, model_name: str) -> tuple[dict[str, Any] | None, str]:
    """Return (the side channel's document, '') or (None, why it is missing)."""
    name = model_name + SUFFIX
    try:
        [body], _, _ = client.infer({QUERY: np.zeros(1, dtype=np.uint8)}, [INFO], model=name)
    except HarnessError as exc:
        if "unknown model" in exc.message.lower() or "not found" in exc.message.lower():
            return None, (f"{NOT_REPORTED}: it has no model '{name}', the side channel "
                          "harness serve adds")
        return None, f"{NOT_REPORTED}: its side channel '{name}' failed ({exc.message})"
    return parse_document(body, name)


def parse_document(body: Any, name: str) -> tuple[dict[str, Any] | None, str]:
    """Return (document, '') from the side channel's BYTES output, or (None, the reason)."""
    try:
        raw = body.reshape(-1)[0]
        doc = json.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
    except (AttributeError, IndexError, ValueError) as exc:
        return None, f"{NOT_REPORTED}: '{name}' answered something that is not its JSON ({exc})"
    if not isinstance(doc, dict) or "energy" not in doc or "artifact" not in doc:
        return None, f"{NOT_REPORTED}: '{name}' answered a document without energy/artifact"
    return doc, ""


def artifact_match(served: dict[str, Any] | None, config_sha256: str, local: Artifact,
                   why_missing: str) -> tuple[bool | None, str]:
    """Return (served artifact == the run's, the reason): sha256 of the same format, else
    None where the two cannot be compared (no report, another format)."""
    sha = (served or {}).get("sha256") or config_sha256
    if not sha:
        return None, (why_missing or NOT_REPORTED) + " (the served artifact's sha256)"
    fmt = (served or {}).get("format", local.format)
    precision = (served or {}).get("precision", local.precision)
    if precision != local.precision:
        return False, (f"the server serves precision {precision}, the run builds "
                       f"{local.precision}")
    if fmt != local.format:
        return None, (f"the server serves a {fmt} artifact, the run's reference is {local.format}"
                      f": their sha256 cannot be compared (precision {precision} matches)")
    if sha == local.sha256:
        return True, f"sha256 {sha[:12]}… equals the artifact this run builds"
    if (served or {}).get("prepared_from_sha256") == local.sha256:
        return True, (f"the server serves {sha[:12]}…, a copy its runtime prepared from the "
                      f"artifact this run builds ({local.sha256[:12]}…)")
    return False, (f"sha256 {sha[:12]}… differs from the artifact this run builds "
                   f"({local.sha256[:12]}…): another export, quantisation or model version")


def j_per_query(energy_j: float, queries: int) -> float | None:
    """Return joules per query over a window (None when no query fell in it)."""
    return energy_j / queries if queries > 0 else None


def server_energy(before: dict[str, Any], after: dict[str, Any], client_queries: int,
                  client_window_s: float | None = None) -> dict[str, Any]:
    """Return the server's energy over the window between two side-channel snapshots.

    J per query divides the server's joules by the requests the server itself answered in the
    window; net subtracts its idle power (measured before it served) over the metered time."""
    if not after.get("metered"):
        return {"reported": False, "meter": after.get("meter", "none"),
                "reason": "the server runs with meter=none: it measures no energy"}
    if before.get("instance") != after.get("instance"):
        return {"reported": False, "meter": after.get("meter", ""),
                "reason": (f"the side channel answered from two server instances "
                           f"({before.get('instance')} before the window, "
                           f"{after.get('instance')} after it): several replicas behind a "
                           "load balancer, or a restart; benchmark one replica to window "
                           "its energy")}
    energy_j = after["energy_j"] - before["energy_j"]
    window_s = after["metered_s"] - before["metered_s"]
    requests = after["requests"] - before["requests"]
    idle_w = after.get("idle_power_w")
    net_j = energy_j - idle_w * window_s if idle_w is not None else None
    out: dict[str, Any] = {
        "reported": True, "meter": after["meter"], "meter_choice": after.get("meter_choice", ""),
        "provenance": after.get("provenance", ""), "scope": after.get("scope", ""),
        "method": after.get("method", ""), "uncertainty_rel": after.get("accuracy_rel"),
        "gross_energy_j": energy_j, "window_s": window_s, "requests": requests,
        "samples": after["samples"] - before["samples"], "client_queries": client_queries,
        "gross_j_per_query": j_per_query(energy_j, requests),
        "net_j_per_query": j_per_query(net_j, requests) if net_j is not None else None,
        "idle_power_w": idle_w, "average_power_w": energy_j / window_s if window_s > 0 else None,
        "window_covered": window_s >= float(after.get("min_window_s", 0.0)),
        "window": ("the server's meter from the side-channel read just before the client's "
                   "timed window to the one just after it (last trial); the reads' one-way "
                   "trips widen it by about one RTT"),
    }
    if client_window_s is not None:
        out["client_window_s"] = client_window_s
    if requests != client_queries:
        out["shared"] = (f"the server answered {requests} requests where this client sent "
                         f"{client_queries}: another client shares it; J per query divides "
                         "by the server's count")
    return out


class ServerEnergyBracket:
    """Reads the side channel around each timed window: wrap(window) -> a context manager.

    read: returns a side-channel document (raises HarnessError when it fails); None when the
    server has no side channel (`missing` then says why, and windows are left as they are)."""

    def __init__(self, read: Callable[[], dict[str, Any]] | None,
                 client_queries: Callable[[], int], missing: str = "",
                 loopback: bool = False) -> None:
        self._read, self._queries, self.loopback = read, client_queries, loopback
        self.last: tuple[dict[str, Any], dict[str, Any], int] | None = None
        self.error = missing

    def wrap(self, window: AbstractContextManager) -> AbstractContextManager:
        """Return `window` bracketed by a side-channel read before and one after it."""
        return window if self._read is None else _Bracketed(self, window)

    def section(self, client_window_s: float | None = None) -> dict[str, Any]:
        """Return the server's energy over the last bracketed window (or why there is none)."""
        if self.last is None:
            return {"reported": False, "reason": self.error or "no timed window was read"}
        before, after, queries = self.last
        return server_energy(before["energy"], after["energy"], queries, client_window_s)


class _Bracketed(AbstractContextManager):
    def __init__(self, bracket: ServerEnergyBracket, window: AbstractContextManager) -> None:
        self._b, self._window = bracket, window
        self._before: dict[str, Any] | None = None

    def __enter__(self) -> Any:
        self._before, self._q0 = self._snap(), self._b._queries()
        return self._window.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        result = self._window.__exit__(*exc)
        after = self._snap()
        if self._before is not None and after is not None:
            self._b.last = (self._before, after, self._b._queries() - self._q0)
        return result

    def _snap(self) -> dict[str, Any] | None:
        try:
            return self._b._read()  # type: ignore[misc]
        except HarnessError as exc:  # the queries stand; only the server's energy is lost
            self._b.error = f"the side channel failed: {exc.message}"
            return None


def both_ends(ends: ServerEnergyBracket, client: dict[str, Any]) -> dict[str, Any]:
    """Return the energy section's remote parts: the server's energy, what the client's own
    window covers, and where the network's energy comes from."""
    server = ends.section(client.get("duration_s"))
    if ends.loopback and server.get("reported"):
        own = all("process" in str(m) for m in (server.get("method"), client.get("method")))
        server["same_machine"] = (
            "loopback: the client and the server share this machine; each end's estimate "
            "counts only its own processes' CPU time, so the two figures do not overlap" if own
            else "loopback: the client and the server share this machine, so their meters see "
            "the same CPUs and the two figures overlap; do not add them (meter=estimated "
            "meter.options.utilisation=process_tree on both ends separates them)")
    return {"server": server,
            "client": {"j_per_query": client.get("gross_j_per_inference"),
                       "provenance": client.get("provenance"), "scope": CLIENT_SCOPE,
                       "includes_network_wait": True},
            "network": {"scope": NETWORK_SCOPE}}
