"""Split a remote query's time into network+serialisation, server queue and compute.

Pure functions of two snapshots: the server's cumulative statistics (KServe/Triton statistics
extension: success, queue, compute_input, compute_infer, compute_output, each a count and ns)
and the client's own cumulative count and time spent in its requests."""

from __future__ import annotations

from typing import Any

PARTS = ("queue", "compute_input", "compute_infer", "compute_output")


def _stat(stats: dict[str, Any] | None, name: str) -> tuple[int, int]:
    entry = ((stats or {}).get("inference_stats") or {}).get(name) or {}
    return int(entry.get("count", 0) or 0), int(entry.get("ns", 0) or 0)


def server_split(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return the mean per-request split over the window between two counter snapshots.

    Each snapshot: {"client_queries", "client_ns", "server": statistics or None}. The parts
    add up to the client's mean time per request: network_serialisation_ns is what the
    client waited beyond the server's own request time (success), server_other_ns what the
    server counted in a request beyond its queue and compute parts."""
    queries = after["client_queries"] - before["client_queries"]
    client_ns = after["client_ns"] - before["client_ns"]
    if queries <= 0:
        return {"available": False, "reason": "no queries in the window"}
    out: dict[str, Any] = {"queries": queries, "client_mean_ns": client_ns / queries}
    if after.get("server") is None or before.get("server") is None:
        out.update(available=False, reason=after.get("server_error") or before.get(
            "server_error") or "the server reports no statistics extension")
        return out
    count = _stat(after["server"], "success")[0] - _stat(before["server"], "success")[0]
    total_ns = _stat(after["server"], "success")[1] - _stat(before["server"], "success")[1]
    if count != queries:
        out.update(available=False, reason=f"the server counted {count} requests where this "
                   f"client sent {queries}: another client shares the model, or requests "
                   "failed")
        return out
    parts = {f"server_{p}_ns": (_stat(after["server"], p)[1] - _stat(before["server"], p)[1])
             / count for p in PARTS}
    server_ns = total_ns / count
    out.update(_batching(before["server"], after["server"]))
    out.update(available=True, server_request_ns=server_ns, **parts,
               server_other_ns=server_ns - sum(parts.values()),
               network_serialisation_ns=out["client_mean_ns"] - server_ns,
               scope="mean per request over the timed window (the server reports sums)")
    return out


def _batching(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return the executions in the window and the mean batch they ran (Triton's
    inference_count / execution_count), where the server reports both."""
    try:
        inferences = int(after["inference_count"]) - int(before["inference_count"])
        executions = int(after["execution_count"]) - int(before["execution_count"])
    except (KeyError, TypeError, ValueError):
        return {}
    if executions <= 0:
        return {}
    return {"server_executions": executions, "server_mean_batch": inferences / executions}
