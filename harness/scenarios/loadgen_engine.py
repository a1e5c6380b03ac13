"""LoadGen engine: the same scenarios driven by MLPerf LoadGen (`mlperf_loadgen`)."""

from __future__ import annotations

import queue
import threading
import time
from array import array
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from harness.core import stats
from harness.core.errors import BackendUnavailable, ConfigError
from harness.scenarios.config import Profile, ScenarioConfig, ScenarioName
from harness.scenarios.loadgen_log import parse_detail, parse_summary, parse_trace
from harness.scenarios.native_loop import Inputs, closed_loop, timed_region, warmup
from harness.scenarios.result import Measurement
from harness.scenarios.session import TimedSession

#: LoadGen's summary lines for the p50 and p90 latency (ns), keyed by fraction.
SUMMARY_KEYS = {0.5: "50.00 percentile latency (ns)", 0.9: "90.00 percentile latency (ns)"}

# Official seeds from loadgen/mlperf.conf, used by the mlperf profile.
MLPERF_SEEDS = {"qsl_rng_seed": 1780908523862526354,
                "sample_index_rng_seed": 14771362308971278857,
                "schedule_rng_seed": 18209322760996052031}


def _loadgen() -> Any:
    try:
        import mlperf_loadgen
    except ImportError as exc:
        raise BackendUnavailable("MLPerf LoadGen is not installed.",
                                 "pip install mlcommons-loadgen, or use scenario.engine=native."
                                 ) from exc
    return mlperf_loadgen


def loadgen_settings(lg: Any, cfg: ScenarioConfig, n_samples: int, est_latency_ns: float) -> Any:
    """Return lg.TestSettings for cfg; expected latency/QPS seeded from the warm-up (ns)."""
    s = lg.TestSettings()
    s.scenario = getattr(lg.TestScenario, cfg.name.value.title().replace("_", ""))
    s.mode = lg.TestMode.PerformanceOnly
    mlperf = cfg.profile is Profile.mlperf
    s.min_duration_ms = int(cfg.min_duration_s * 1000)
    s.max_duration_ms = 0 if mlperf else int(cfg.max_duration_s * 1000)
    s.min_query_count = cfg.offline_samples if cfg.name is ScenarioName.offline else cfg.min_count
    s.max_query_count = 0 if mlperf else cfg.max_count
    s.performance_sample_count_override = n_samples
    s.single_stream_expected_latency_ns = max(int(est_latency_ns), 1)
    s.single_stream_target_latency_percentile = 0.9
    s.multi_stream_expected_latency_ns = max(int(est_latency_ns * cfg.samples_per_query), 1)
    s.multi_stream_samples_per_query = cfg.samples_per_query
    s.multi_stream_target_latency_percentile = 0.99
    s.offline_expected_qps = 1e9 / max(est_latency_ns, 1.0)
    s.server_target_qps = float(cfg.target_qps or 1.0)
    s.server_target_latency_ns = int((cfg.latency_bound_ms or 10.0) * 1e6)
    s.server_target_latency_percentile = 0.99
    for name, seed in (MLPERF_SEEDS.items() if mlperf else ()):
        setattr(s, name, seed)
    return s


class LoadGenSut:
    """Runs LoadGen's queries on the session; server queries go through a worker thread.

    LoadGen's latency includes this callback, so it keeps the work after the inference to
    the completion call: ids and inputs are looked up before it, and the response objects are
    reused rather than built per query (costs: docs/methodology.md, "LoadGen agreement").
    Only one thread ever completes queries (the issuing thread, or the single worker), so
    reuse is safe, and `QuerySamplesComplete` copies the responses before it returns."""

    def __init__(self, lg: Any, session: TimedSession, samples: Sequence[Inputs], threaded: bool):
        self.lg, self.session, self.samples = lg, session, samples
        self.work: queue.Queue[Any] = queue.Queue()
        self.worker = threading.Thread(target=self._drain, daemon=True) if threaded else None
        self.responses: list[Any] = []
        self.session_ns = array("q")  # each query's session time, timed inside the callback

    def issue(self, query_samples: Any) -> None:
        """LoadGen callback: run (or enqueue) the query's samples and report completion."""
        if self.worker is None:
            self.complete(query_samples)
        else:
            self.work.put(query_samples)

    def complete(self, query_samples: Any) -> None:
        """Run the query's samples, then report them complete (LoadGen's callback when
        unthreaded: one Python frame less inside LoadGen's timed span)."""
        n, responses, samples = len(query_samples), self.responses, self.samples
        if len(responses) < n:
            responses.extend(self.lg.QuerySampleResponse(0, 0, 0)
                             for _ in range(n - len(responses)))
        inputs = []
        for q, r in zip(query_samples, responses, strict=False):  # responses may be longer
            r.id = q.id
            inputs.append(samples[q.index])
        run, clock = self.session.run, time.perf_counter_ns
        t0 = clock()
        for x in inputs:
            run(x)
        self.session.synchronize()
        t1 = clock()
        self.lg.QuerySamplesComplete(responses if n == len(responses) else responses[:n])
        self.session_ns.append(t1 - t0)  # after LoadGen has taken its completion time

    def _drain(self) -> None:
        while (item := self.work.get()) is not None:
            self.complete(item)

    def __enter__(self) -> LoadGenSut:
        if self.worker is not None:
            self.worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.worker is not None:
            self.work.put(None)
            self.worker.join()


def run_loadgen(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                window: AbstractContextManager | None = None,
                log_dir: Path | None = None) -> Measurement:
    """Return a measurement driven by LoadGen (the `loadgen` engine); its logs stay in log_dir."""
    if log_dir is None:
        raise ConfigError("The loadgen engine needs a log_dir.",
                          "Pass log_dir=<folder> so LoadGen's logs are kept.")
    lg = _loadgen()
    log_dir.mkdir(parents=True, exist_ok=True)
    n_warm, warm_ns = warmup(session, [[s] for s in samples], cfg.warmup_count, cfg.warmup_s,
                             cfg.max_duration_s)
    settings = loadgen_settings(lg, cfg, len(samples), _fastest_query_ns(session, samples))
    log_settings = lg.LogSettings()
    log_settings.log_output.outdir = str(log_dir)
    log_settings.log_output.copy_summary_to_stdout = False
    log_settings.enable_trace = cfg.loadgen_trace
    with LoadGenSut(lg, session, samples, cfg.name is ScenarioName.server) as sut:
        lg_sut = lg.ConstructSUT(sut.issue if sut.worker else sut.complete, lambda: None)
        qsl = lg.ConstructQSL(len(samples), len(samples), lambda _: None, lambda _: None)
        try:
            with timed_region(window):
                lg.StartTestWithLogSettings(lg_sut, qsl, settings, log_settings)
        finally:
            lg.DestroyQSL(qsl)
            lg.DestroySUT(lg_sut)
    return _measurement(cfg, log_dir, n_warm, warm_ns, sut.session_ns)


def _fastest_query_ns(session: TimedSession, samples: Sequence[Inputs]) -> float:
    """Return the fastest of 20 back-to-back queries (ns): an under-estimate is safe for
    LoadGen, which only over-generates queries, while an over-estimate can end the run
    before its minimum duration."""
    latencies_ns, _ = closed_loop(session, [[s] for s in samples], 20, 0.0, 20, 60.0)
    return float(latencies_ns.min())


def own_cost(summary: dict[str, Any], session_ns: array) -> dict[str, Any]:
    """Return the session time of LoadGen's queries, timed inside our callback, and LoadGen's
    percentiles minus it: LoadGen's own cost per query (ns), from the same queries."""
    session = np.frombuffer(session_ns, dtype=np.int64)
    out: dict[str, Any] = {"queries": int(session.size),
                           "how": "session.run ... synchronize timed inside the SUT callback; "
                                  "LoadGen's latency adds its issue path, the Python binding "
                                  "and the completion call (and, in the server scenario, the "
                                  "time a query waits for the worker)"}
    for f, key in SUMMARY_KEYS.items():
        if session.size and key in summary:
            ours = float(stats.percentile(session, f))
            out[f"session_p{f * 100:.0f}_ns"] = ours
            out[f"loadgen_minus_session_p{f * 100:.0f}_ns"] = float(summary[key]) - ours
    return out


def _measurement(cfg: ScenarioConfig, log_dir: Path, n_warm: int, warm_ns: int,
                 session_ns: array) -> Measurement:
    summary, detail = parse_summary(log_dir), parse_detail(log_dir)
    extra: dict[str, Any] = {"loadgen_log_dir": str(log_dir), "loadgen_summary": summary,
                             "loadgen_detail": detail,
                             "loadgen_own_cost": own_cost(summary, session_ns)}
    trace = parse_trace(log_dir)
    if trace is None:
        return Measurement(np.asarray([int(detail.get("result_mean_latency_ns", 0))]),
                           int(detail.get("result_query_count", 0)), 0, 0, n_warm, warm_ns,
                           extra=extra, valid=summary.get("Result is") == "VALID",
                           warnings=("loadgen trace disabled: no per-query latencies",))
    per_query, span_ns = trace
    if cfg.name is ScenarioName.multi_stream:
        lat = np.asarray([max(v) for v in per_query.values()], dtype=np.int64)
    else:
        lat = np.asarray([x for v in per_query.values() for x in v], dtype=np.int64)
    n_samples = sum(len(v) for v in per_query.values())
    return Measurement(lat, len(per_query), n_samples, span_ns, n_warm, warm_ns, extra=extra,
                       valid=summary.get("Result is") == "VALID")
