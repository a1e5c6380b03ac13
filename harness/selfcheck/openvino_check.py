"""Check 3: our p50/p90 on the openvino backend vs OpenVINO's own benchmark_app."""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core import stats
from harness.core.artifact import Artifact
from harness.core.errors import BackendUnavailable, HarnessError, MeasurementError
from harness.scenarios import ScenarioConfig, run_scenario
from harness.selfcheck.benchmark_app import CPU_CONFIG, run_benchmark_app
from harness.selfcheck.components import Components, warm_up
from harness.selfcheck.plan import Plan
from harness.selfcheck.rows import CheckRow, info_row, ratio_row

OPENVINO_TOLERANCE = 0.05  # our percentiles within 5 % of benchmark_app's
#: Same settings as benchmark_app's CPU_CONFIG; static shapes because benchmark_app needs them.
OV_OPTIONS = {"performance_hint": "LATENCY", "num_streams": 1, "inference_precision": "f32",
              "cache_dir": "", "static_shape": True}


class DirectOpenVinoSession:
    """Fallback when the harness has no openvino backend: compile_model with the same config."""

    def __init__(self, artifact: Artifact) -> None:
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(artifact.path))
        model.reshape({s.name: list(s.shape) for s in artifact.inputs})
        self.request = core.compile_model(model, "CPU", dict(CPU_CONFIG["CPU"])
                                          ).create_infer_request()

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one synchronous inference and return host copies of the outputs."""
        return list(self.request.infer(inputs, share_inputs=True).to_tuple())

    def synchronize(self) -> None:
        """Nothing is queued: infer() is synchronous."""

    runtime_timer = "OpenVINO InferRequest.latency (C++ infer call)"

    def runtime_latency_ns(self) -> int:
        """Return OpenVINO's own timing of the last infer() (ns)."""
        return round(self.request.latency * 1e6)

    def close(self) -> None:
        """Drop the infer request."""
        self.request = None


def openvino_session(artifact: Artifact) -> tuple[Any, str]:
    """Return (session, how it was made): the harness backend if present, else direct."""
    target = TargetConfig(name="openvino_cpu", backend="openvino", device="CPU", threads=1,
                          options=dict(OV_OPTIONS))
    try:
        return create_backend(target).load(artifact), "harness openvino backend"
    except (ImportError, BackendUnavailable, HarnessError) as exc:
        try:
            return DirectOpenVinoSession(artifact), f"openvino.Core().compile_model ({exc})"
        except ImportError as missing:
            raise BackendUnavailable("OpenVINO is not installed.",
                                     "pip install 'edge-harness[openvino]'.") from missing


def ours_config(duration_s: float) -> ScenarioConfig:
    """Return the single-stream quick config run for about benchmark_app's duration."""
    return ScenarioConfig(warmup_count=50, warmup_s=0.2, min_count=100,
                          min_duration_s=duration_s, max_count=1_000_000,
                          max_duration_s=duration_s * 2)


def runtime_percentile_us(extra: dict[str, Any], p: int) -> float:
    """Return the session's runtime-timed percentile (µs) from a scenario's extra."""
    timer = extra.get("runtime_timer")
    estimate = (timer or {}).get("summary", {}).get(f"p{p}")
    if not estimate:
        raise MeasurementError("The openvino session reported no runtime timer for p"
                               f"{p}.", "Use the harness openvino backend (pip install openvino).")
    return float(estimate["value_ns"]) / 1e3


def run_openvino_check(comp: Components, plan: Plan) -> list[CheckRow]:
    """Return p50/p90 rows: rounds of [benchmark_app p50, ours, benchmark_app p90].

    The verdict compares like with like: OpenVINO's own timer read in our loop (what
    benchmark_app reports) against benchmark_app. Our end-to-end latency, which adds
    OpenVINO's Python binding, is given beside it as context with that cost measured."""
    session, how = openvino_session(comp.artifact)
    spec = comp.artifact.inputs[0]
    wall: dict[int, list[float]] = {50: [], 90: []}
    runtime: dict[int, list[float]] = {50: [], 90: []}
    ref: dict[int, list[float]] = {50: [], 90: []}
    rounds = []

    def bench(p: int) -> dict[str, object]:
        return run_benchmark_app(comp.artifact.path, spec.name, spec.shape, plan.openvino_s, p,
                                 plan.benchmark_app_timeout_s)

    try:
        warm_up(session, comp.samples, plan.warmup_s)
        for _ in range(plan.openvino_repeats):
            # ours between benchmark_app's two runs: adjacent to both in time, so the
            # per-round ratios see the same machine state (docs/methodology.md, warm-up)
            runs = {50: bench(50)}
            res = run_scenario(session, comp.samples, ours_config(float(plan.openvino_s)))
            runs[90] = bench(90)
            for p in ref:
                wall[p].append(stats.percentile(res.latencies_ns, p / 100) / 1e3)
                runtime[p].append(runtime_percentile_us(res.extra, p))
                ref[p].append(float(runs[p]["latency_us"]))  # type: ignore[arg-type]
            gap = res.extra["runtime_timer"]
            rounds.append({"ours_queries": res.query_count, "ours_p50_us": wall[50][-1],
                           "ours_p90_us": wall[90][-1], "runtime_p50_us": runtime[50][-1],
                           "runtime_p90_us": runtime[90][-1],
                           "binding_p50_us": gap["wall_minus_runtime_p50_ns"] / 1e3,
                           "benchmark_app": runs})
    finally:
        session.close()
    describe = session.describe() if hasattr(session, "describe") else {}
    detail = {"rounds": rounds, "session": how, "options": OV_OPTIONS,
              "benchmark_app_config": CPU_CONFIG, "session_describe": describe,
              "how": "median over interleaved rounds of [benchmark_app -latency_percentile 50, "
                     "our single-stream run, benchmark_app -latency_percentile 90]. "
                     "benchmark_app reports InferRequest.latency "
                     "(the C++ infer call); 'runtime timer' is that same value read after each "
                     "query of our loop; 'end to end' is our headline, session.run() as the "
                     "application sees it, which adds OpenVINO's Python binding"}
    binding_us = float(np.median([r["binding_p50_us"] for r in rounds]))
    rows = []
    for p in (50, 90):
        pairs = [o / r for o, r in zip(runtime[p], ref[p], strict=True)]
        rows.append(ratio_row(f"p{p} openvino runtime timer vs benchmark_app",
                              float(np.median(runtime[p])), float(np.median(ref[p])), "µs",
                              OPENVINO_TOLERANCE, detail, pairs))
    for p in (50, 90):
        pairs = [o / r for o, r in zip(wall[p], ref[p], strict=True)]
        rows.append(info_row(f"p{p} openvino end to end vs benchmark_app",
                             float(np.median(wall[p])), float(np.median(ref[p])), "µs",
                             f"context: + Python binding, p50 {binding_us:.1f} µs/query",
                             {"binding_p50_us": binding_us}, pairs))
    return rows
