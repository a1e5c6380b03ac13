"""The record's summary of an operator profile: where the time went and how much ran in int8."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from harness.backends.profile import NodeTime, OperatorProfile, Precision

TOP_OP_TYPES = 5
#: int8_note thresholds: quantise/dequantise time share, fp32 time share of an int8 artifact.
CONVERT_NOTE_SHARE = 0.15
FP32_NOTE_SHARE = 0.30
NOTE_OPS = 3  # operator types named in the note


def _by_type(nodes: list[NodeTime]) -> dict[str, list[int]]:
    """Return op type -> [time_ns, node count], most time first."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for node in nodes:
        totals[node.op_type][0] += node.typical_ns
        totals[node.op_type][1] += 1
    return dict(sorted(totals.items(), key=lambda kv: -kv[1][0]))


def _pct(share: float) -> str:
    return f"{share:.0%}"


def int8_note(nodes: list[NodeTime], shares: dict[str, float], total_ns: int) -> str | None:
    """Return one line on why an int8 artifact's time is not in int8 kernels, or None."""
    parts = []
    convert = shares.get(Precision.convert, 0.0)
    if convert >= CONVERT_NOTE_SHARE:
        names = ", ".join(list(_by_type([n for n in nodes
                                         if n.precision == Precision.convert]))[:NOTE_OPS])
        parts.append(f"quantise/dequantise ({names}) takes {_pct(convert)} of the time")
    fp32 = shares.get(Precision.fp32, 0.0)
    if fp32 >= FP32_NOTE_SHARE:
        ops = list(_by_type([n for n in nodes if n.precision == Precision.fp32]))[:NOTE_OPS]
        parts.append(f"{_pct(fp32)} of the time in fp32 ops: {', '.join(ops)} ran without "
                     "an int8 kernel")
    if not parts and total_ns and shares.get(Precision.int8, 0.0) == 0.0:
        parts.append("no node ran in an int8 kernel")
    return "; ".join(parts) or None


def summarise(profile: OperatorProfile, quantised: bool) -> dict[str, Any]:
    """Return the record's profile section (flat JSON types) for `profile`.

    Shares and `time_per_run_ns` use each node's typical time (median call x calls), so a run
    that another process pre-empted does not skew them; `total_time_ns` is the plain sum.
    `quantised`: the artifact is int8, so fp32 nodes are fallbacks and a note may explain why
    int8 cannot win."""
    nodes = list(profile.nodes)
    typical_ns = sum(n.typical_ns for n in nodes)
    shares = ({p: sum(n.typical_ns for n in nodes if n.precision == p) / typical_ns
               for p in Precision.ALL} if typical_ns else {})
    top = [{"op_type": op, "time_share": time_ns / typical_ns if typical_ns else 0.0,
            "nodes": count, "time_ns": time_ns}
           for op, (time_ns, count) in list(_by_type(nodes).items())[:TOP_OP_TYPES]]
    fp32_nodes = sum(n.precision == Precision.fp32 for n in nodes)
    return {
        "profiler": profile.profiler, "runs": profile.runs,
        "total_time_ns": sum(n.time_ns for n in nodes),
        "time_per_run_ns": round(typical_ns / profile.runs) if profile.runs else None,
        "nodes": len(nodes), "int8_fraction": shares.get(Precision.int8, 0.0),
        "time_share_by_precision": {p: s for p, s in shares.items() if s},
        "top_op_types": top,
        "fp32_fallback_nodes": fp32_nodes if quantised else None,
        "other_provider_nodes": sum(n.provider != profile.main_provider for n in nodes),
        "main_provider": profile.main_provider,
        "int8_note": int8_note(nodes, shares, typical_ns) if quantised else None,
        "notes": list(profile.notes),
    }


def profile_json(profile: OperatorProfile) -> dict[str, Any]:
    """Return the full profile (every node, most time first) as JSON types, for its side file."""
    nodes = sorted(profile.nodes, key=lambda n: -n.time_ns)
    return {"profiler": profile.profiler, "runs": profile.runs,
            "main_provider": profile.main_provider, "trace_files": list(profile.trace_files),
            "notes": list(profile.notes), "nodes": [asdict(n) for n in nodes]}
