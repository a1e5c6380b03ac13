"""Run the audits on one configuration: accuracy run, timed run with output log, repeats."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace
from typing import Any

import numpy as np

from harness.accuracy.evaluate import reference_feeds
from harness.audit.accuracy_mode import judge_logged
from harness.audit.caching import judge_rounds, time_rounds
from harness.audit.config import AUDITS, AuditConfig
from harness.audit.output_log import OutputLog
from harness.audit.prepare import Prepared
from harness.audit.skipped_work import flat_rows, judge_outputs, judge_skipped_work
from harness.audit.verdict import AuditResult
from harness.config import BenchConfig
from harness.models.inputs import batched_samples
from harness.scenarios import run_scenario
from harness.scenarios.config import ScenarioName

SAME_INDEX = 3  # the repeated sample, as in TEST04's performance_issue_same_index = 3


def _copy(outputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [np.array(o, copy=True) for o in outputs]


def run_audits(cfg: BenchConfig, prep: Prepared, audit: AuditConfig,
               names: Sequence[str] = AUDITS) -> tuple[list[AuditResult], dict[str, Any]]:
    """Return the results of the audits `names` on `prep`, and facts about the runs."""
    model, artifact, backend = prep.model, prep.artifact, prep.backend
    samples = batched_samples(model, audit.samples, cfg.seed, artifact.inputs)
    with closing(backend.load(artifact)) as session:  # accuracy mode: each input once
        accuracy_run = [_copy(session.run(s)) for s in samples]
        described = session.describe()
    scenario = cfg.scenario
    if scenario.name is ScenarioName.multi_stream:  # log whole samples, not stacked batches
        scenario = replace(scenario, batch_samples=False)
    with closing(backend.load(artifact)) as session:  # performance mode, a sample logged
        log = OutputLog(session, samples, audit.log_probability, cfg.seed)
        timed = run_scenario(log, samples, scenario)
    facts: dict[str, Any] = {"samples": len(samples), "timed_queries": timed.query_count,
                             "timed_calls": log.calls, "logged": len(log.logged),
                             "backend": described}
    results = []
    if "accuracy_in_performance" in names:
        results.append(judge_logged(accuracy_run, log.logged, model.task == "classification",
                                    audit.min_centered_cosine))
    if "skipped_work" in names:
        results.append(_skipped(model, samples, accuracy_run, log, audit))
    if "caching" in names:
        results.append(_caching(cfg, prep, samples, audit, facts))
    return results, facts


def _skipped(model: Any, samples: Sequence[dict], accuracy_run: list, log: OutputLog,
             audit: AuditConfig) -> AuditResult:
    reference = [reference_feeds(model, [s]) for s in samples]
    parts = [judge_outputs("accuracy run", flat_rows(accuracy_run), flat_rows(reference),
                           audit.min_spread_ratio, audit.max_repeat_fraction)]
    if len(log.logged) >= 2:
        parts.append(judge_outputs("timed run", flat_rows([o for _, o in log.logged]),
                                   flat_rows([reference[i] for i, _ in log.logged]),
                                   audit.min_spread_ratio, audit.max_repeat_fraction))
    return judge_skipped_work(parts)


def _caching(cfg: BenchConfig, prep: Prepared, samples: Sequence[dict], audit: AuditConfig,
             facts: dict[str, Any]) -> AuditResult:
    wanted = audit.rounds * audit.block_queries
    unique = batched_samples(prep.model, wanted + 2 * audit.block_queries, cfg.seed + 1,
                             prep.artifact.inputs)
    warm, unique = unique[: 2 * audit.block_queries], unique[2 * audit.block_queries:]
    rounds = min(audit.rounds, len(unique) // audit.block_queries)
    facts["unique_inputs"] = rounds * audit.block_queries
    same = samples[SAME_INDEX % len(samples)]
    with closing(prep.backend.load(prep.artifact)) as session:
        for feed in [*warm, *[same] * audit.block_queries]:  # warm both paths alike
            session.run(feed)
        pairs = time_rounds(session, same, unique, rounds, audit.block_queries)
    return judge_rounds(pairs, audit.max_repeat_speedup, audit.confidence)
