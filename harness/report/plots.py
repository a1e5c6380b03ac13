"""Report figures (matplotlib, Agg): each function takes numeric rows and returns PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402

from harness.report.compare import NOISE_MARK  # noqa: E402


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def plain(text: str) -> str:
    """Return `text` with '$' escaped, so matplotlib shows it as typed, never as mathtext."""
    return str(text).replace("$", r"\$")


def label(row: dict[str, Any]) -> str:
    """Return a short point label: model/quant/target (safe for matplotlib)."""
    return plain(f"{row['model']}/{row['quant']}/{row['target']}")


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Return indices of points not dominated in (x, y), both lower-is-better, sorted by x."""
    order = sorted(range(len(points)), key=lambda i: points[i])
    front, best_y = [], float("inf")
    for i in order:
        if points[i][1] < best_y:
            front.append(i)
            best_y = points[i][1]
    return front


def latency_energy(rows: Sequence[dict[str, Any]]) -> bytes | None:
    """Return p50 latency vs energy per inference with the Pareto front (None without data)."""
    pts = [r for r in rows if r.get("p50_ms") and r.get("energy_mj_per_inf")]
    if not pts:
        return None
    xy = [(r["p50_ms"], r["energy_mj_per_inf"]) for r in pts]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r, (x, y) in zip(pts, xy, strict=True):
        ax.scatter(x, y, marker="x" if r.get("energy_mark") else "o")
        ax.annotate(label(r), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    front = [xy[i] for i in pareto_front(xy)]
    ax.step(*zip(*front, strict=True), where="post", color="k", lw=1, label="Pareto front")
    ax.set(xscale="log", yscale="log", xlabel="p50 latency (ms)",
           ylabel="energy per inference (mJ); x = estimated", title="Latency vs energy")
    ax.legend(fontsize=8)
    return _png(fig)


def speedup_bars(rows: Sequence[dict[str, Any]]) -> bytes | None:
    """Return bars of baseline-p50 / p50 (speed-up) per model/quant/target."""
    pts = [r for r in rows if r.get("p50_x")]
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(pts) + 1.2))
    speed = [1.0 / r["p50_x"] for r in pts]
    ax.barh([label(r) for r in pts], speed, color=["0.6" if r["p50_x_noise"] else "C0"
                                                  for r in pts])
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set(xlabel=f"speed-up vs baseline (p50); grey = within noise ({NOISE_MARK})",
           title="Speed-up per backend and precision")
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig)


def latency_cdf(series: dict[str, Sequence[int]]) -> bytes | None:
    """Return the empirical CDF of raw latencies (ms) per run label."""
    series = {k: v for k, v in series.items() if len(v)}
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, samples in series.items():
        ms = np.sort(np.asarray(samples, dtype=np.float64)) / 1e6
        ax.step(ms, np.arange(1, ms.size + 1) / ms.size, where="post", label=plain(name), lw=1)
    ax.set(xscale="log", xlabel="latency per query (ms)", ylabel="fraction of queries",
           title="Latency CDF (raw samples)")
    ax.legend(fontsize=6)
    return _png(fig)


def accuracy_latency(rows: Sequence[dict[str, Any]]) -> bytes | None:
    """Return accuracy (the task metric, e.g. top-1, or fidelity cosine) vs p50 latency."""
    pts = [r for r in rows if r.get("p50_ms") and r.get("accuracy_value") is not None]
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in pts:
        kind, value = r["accuracy_kind"], r["accuracy_value"]
        ax.scatter(r["p50_ms"], value, marker="s" if kind == "cos" else "o")
        ax.annotate(f"{label(r)} ({kind})", (r["p50_ms"], value), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    ax.set(xscale="log", xlabel="p50 latency (ms)",
           ylabel="accuracy: task metric (o) or cosine vs FP32 (s)", title="Accuracy vs latency")
    return _png(fig)
