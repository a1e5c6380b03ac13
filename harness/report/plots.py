"""Report figures (matplotlib, Agg) as inline SVG whose text stays text, so a browser (and the
report's test) sees every label. One panel per model; points labelled directly, placed so no two
labels collide (harness.report.label_place); log axes where the values span more than a decade.

Each function takes numeric rows and returns a `Plot` (SVG text and the labels left out for
want of room), or None when there is nothing to draw.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from harness.report.compare import NOISE_MARK  # noqa: E402
from harness.report.label_place import place  # noqa: E402

LABEL_PT = 7.0
PANEL_IN = (4.0, 3.0)
MAX_COLUMNS = 3
CDF_POINTS = 400  # points drawn per CDF line (quantiles of the raw samples; all are kept)
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "edge-harness", "font.family": "DejaVu Sans"}

Point = tuple[float, float, str]


@dataclass(frozen=True)
class Plot:
    """One figure: inline SVG text and the point labels that found no room."""

    svg: str
    unlabelled: list[str] = field(default_factory=list)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    with plt.rc_context(SVG_RC):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]


def plain(text: str) -> str:
    """Return `text` with '$' escaped, so matplotlib shows it as typed, never as mathtext."""
    return str(text).replace("$", r"\$")


def label(row: dict[str, Any]) -> str:
    """Return a short point label: model/quant/target (safe for matplotlib)."""
    return plain(f"{row['model']}/{row['quant']}/{row['target']}")


def short_label(row: dict[str, Any]) -> str:
    """Return a point label inside a model's panel: quant/target."""
    return plain(f"{row['quant']}/{row['target']}")


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Return indices of points not dominated in (x, y), both lower-is-better, sorted by x."""
    order = sorted(range(len(points)), key=lambda i: points[i])
    front, best_y = [], float("inf")
    for i in order:
        if points[i][1] < best_y:
            front.append(i)
            best_y = points[i][1]
    return front


def spans_decades(values: Sequence[float], ratio: float = 10.0) -> bool:
    """Return True when the positive values span more than `ratio` (log axis worth it)."""
    pos = [v for v in values if v and v > 0 and math.isfinite(v)]
    return bool(pos) and max(pos) / min(pos) > ratio


def _axis(ax: Any, which: str, values: Sequence[float]) -> None:
    if not spans_decades(values):
        return
    getattr(ax, f"set_{which}scale")("log")
    axis = getattr(ax, f"{which}axis")
    pos = [v for v in values if v and v > 0 and math.isfinite(v)]
    decades = math.log10(max(pos) / min(pos))
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if decades < 2.5 else (1.0,)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def direct_labels(ax: Any, points: Sequence[Point]) -> list[str]:
    """Write each point's label beside it where it collides with nothing; return those left
    out. Call after the figure's layout is final."""
    fig = ax.figure
    ax.get_xlim(), ax.get_ylim()  # settles the autoscaled limits the transform uses
    renderer = fig.canvas.get_renderer()
    pix = ax.transData.transform([(x, y) for x, y, _ in points])
    sizes = []
    for _, _, text in points:
        probe = ax.text(0, 0, text, fontsize=LABEL_PT)
        box = probe.get_window_extent(renderer)
        probe.remove()
        sizes.append((box.width * 1.08, box.height))  # a browser's glyphs run a little wider
    boxes = place([tuple(p) for p in pix], sizes, tuple(ax.bbox.extents),
                  gap=3 * fig.dpi / 72, marker=4 * fig.dpi / 72)
    left_out = []
    for (x, y, text), (px, py), box in zip(points, pix, boxes, strict=True):
        if box is None:
            left_out.append(text)
            continue
        dx, dy = (box[0] - px) * 72 / fig.dpi, (box[1] - py) * 72 / fig.dpi
        far = math.hypot(dx, dy) > 20
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="left",
                    va="bottom", fontsize=LABEL_PT,
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.5"} if far else None)
    return left_out


def panels(groups: dict[str, Sequence[Any]], title: str,
           draw: Callable[[Any, Sequence[Any]], list[Point]]) -> Plot | None:
    """Return one panel per group (a model), each drawn by `draw`, which returns the points to
    label; None when there are no groups."""
    groups = {k: v for k, v in groups.items() if v}
    if not groups:
        return None
    cols = min(MAX_COLUMNS, len(groups))
    nrows = math.ceil(len(groups) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(PANEL_IN[0] * cols, PANEL_IN[1] * nrows),
                             squeeze=False)
    todo = []
    for ax, (name, items) in zip(axes.flat, groups.items(), strict=False):
        todo.append((ax, draw(ax, items)))
        ax.set_title(plain(name), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, lw=0.3, alpha=0.5)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    left_out = [f"{ax.get_title()}: {t}" for ax, pts in todo for t in direct_labels(ax, pts)]
    return Plot(_svg(fig), left_out)


def by_model(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return the rows grouped by model name, in name order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: str(r["model"])):
        out.setdefault(str(row["model"]), []).append(row)
    return out


def _scatter(ax: Any, rows: Sequence[dict[str, Any]], ykey: str, xlabel: str, ylabel: str,
             front: bool = False) -> list[Point]:
    xy = [(r["p50_ms"], r[ykey]) for r in rows]
    ax.scatter(*zip(*xy, strict=True), s=14, color="C0", zorder=3)
    if front:
        line = [xy[i] for i in pareto_front(xy)]
        ax.step(*zip(*line, strict=True), where="post", color="k", lw=0.8)
    _axis(ax, "x", [x for x, _ in xy])
    _axis(ax, "y", [y for _, y in xy])
    ax.margins(0.15)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    return [(x, y, short_label(r)) for (x, y), r in zip(xy, rows, strict=True)]


def latency_energy(rows: Sequence[dict[str, Any]]) -> Plot | None:
    """Return p50 latency vs MEASURED energy per inference, Pareto front drawn, per model
    (None when no run has measured energy: estimated energy is proportional to latency)."""
    pts = [r for r in rows if r.get("p50_ms") and r.get("energy_mj_per_inf")
           and not r.get("energy_mark")]
    return panels(by_model(pts), "Latency vs measured energy per inference (line: Pareto front)",
                  lambda ax, rs: _scatter(ax, rs, "energy_mj_per_inf", "p50 latency (ms)",
                                          "energy (mJ/inference)", front=True))


def latency_throughput(rows: Sequence[dict[str, Any]]) -> Plot | None:
    """Return p50 latency vs throughput (inferences/s) per model."""
    pts = [r for r in rows if r.get("p50_ms") and r.get("throughput_sps")]
    return panels(by_model(pts), "Latency vs throughput",
                  lambda ax, rs: _scatter(ax, rs, "throughput_sps", "p50 latency (ms)",
                                          "throughput (inferences/s)"))


def accuracy_latency(rows: Sequence[dict[str, Any]]) -> Plot | None:
    """Return accuracy (the task metric, e.g. top-1, or fidelity cosine) vs p50, per model."""
    pts = [r for r in rows if r.get("p50_ms") and r.get("accuracy_value") is not None]

    def draw(ax: Any, rs: Sequence[dict[str, Any]]) -> list[Point]:
        kinds = sorted({str(r["accuracy_kind"]) for r in rs})
        return _scatter(ax, rs, "accuracy_value", "p50 latency (ms)",
                        f"accuracy ({', '.join(kinds)})")
    return panels(by_model(pts), "Accuracy vs latency", draw)


def speedup_bars(rows: Sequence[dict[str, Any]]) -> Plot | None:
    """Return bars of baseline-p50 / p50 (speed-up) per quant/target, one panel per model."""
    pts = [r for r in rows if r.get("p50_x")]

    def draw(ax: Any, rs: Sequence[dict[str, Any]]) -> list[Point]:
        ax.barh([short_label(r) for r in rs], [1.0 / r["p50_x"] for r in rs],
                color=["0.6" if r["p50_x_noise"] else "C0" for r in rs])
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xlabel(f"speed-up vs baseline (p50); grey: within noise ({NOISE_MARK})",
                      fontsize=7)
        return []
    return panels(by_model(pts), "Speed-up per backend and precision", draw)


def latency_cdf(series: dict[str, dict[str, Sequence[int]]]) -> Plot | None:
    """Return the empirical CDF of raw latencies (ms), one panel per model, a line per run."""
    def draw(ax: Any, items: Sequence[tuple[str, Sequence[int]]]) -> list[Point]:
        spans = []
        for name, samples in items:
            ms = np.sort(np.asarray(samples, dtype=np.float64)) / 1e6
            spans += [ms[0], ms[-1]]
            keep = np.unique(np.linspace(0, ms.size - 1, min(ms.size, CDF_POINTS)).astype(int))
            ax.step(ms[keep], (keep + 1) / ms.size, where="post", label=plain(name), lw=1)
        _axis(ax, "x", spans)
        ax.set_xlabel("latency per query (ms)", fontsize=8)
        ax.set_ylabel("fraction of queries", fontsize=8)
        ax.legend(fontsize=6, loc="lower right")
        return []
    groups = {m: [(k, v) for k, v in runs.items() if len(v)] for m, runs in series.items()}
    return panels(groups, "Latency CDF (raw samples)", draw)


def deployment_tradeoff(points: dict[str, Sequence[dict[str, Any]]]) -> Plot | None:
    """Return, per model, each deployment option's latency (ms) against its EUR per million
    inferences, with the ranges as error bars."""
    def draw(ax: Any, opts: Sequence[dict[str, Any]]) -> list[Point]:
        for o in opts:
            ax.errorbar(o["latency_ms"], o["eur"],
                        xerr=[[o["latency_ms"] - o["latency_lo"]], [o["latency_hi"] -
                                                                     o["latency_ms"]]],
                        yerr=[[o["eur"] - o["eur_lo"]], [o["eur_hi"] - o["eur"]]],
                        fmt="o", ms=4, color="C1" if o["option"] == "on_device" else "C0",
                        lw=0.8, zorder=3)
        _axis(ax, "x", [o["latency_ms"] for o in opts])
        _axis(ax, "y", [o["eur"] for o in opts])
        ax.margins(0.2)
        ax.set_xlabel("end-to-end latency (ms)", fontsize=8)
        ax.set_ylabel("EUR per million inferences", fontsize=8)
        return [(o["latency_ms"], o["eur"], plain(o["option"])) for o in opts]
    return panels(points, "Latency vs cost per deployment option (bars: range)", draw)
