"""One run, wired: model -> artifact -> quantise -> session -> accuracy -> scenario + energy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.accuracy.evaluate import evaluate
from harness.backends.registry import create_backend
from harness.backends.remote_energy import both_ends
from harness.backends.remote_split import server_split
from harness.backends.remote_traffic import payload_window
from harness.config import BenchConfig, Workload
from harness.core.errors import BackendUnavailable
from harness.energy.auto import create_meter
from harness.export.formats import format_mismatch
from harness.generative.run import execute_generative
from harness.models.inputs import (
    batched_samples,
    fidelity_batches,
    input_record,
)
from harness.models.source import load_model
from harness.models.work import model_work
from harness.records.builder import RunBuilder
from harness.records.io import RUN_FILES
from harness.run.locks import timing_lock
from harness.run.measure import measure
from harness.run.prepare import fixed_inputs, prepare_artifact
from harness.run.profile import take_profile
from harness.run.sessions import TrialSessions
from harness.scenarios.cold_start import cache_settings, run_cold_start
from harness.scenarios.config import CompileCache, ScenarioName
from harness.scenarios.stability import stability_snapshot


def execute(cfg: BenchConfig, run: RunBuilder, out_dir: Path) -> None:
    """Do the run, filling `run` as each phase completes; raises on the first failure."""
    if cfg.workload is Workload.generative:
        gen = replace(cfg.generative, model=replace(cfg.generative.model,
                                                    cache_dir=str(cfg.cache_dir)))
        if cfg.model.path:  # model.path=DIR: a local folder with real weights
            gen = replace(gen, model=replace(gen.model, path=cfg.model.path))
        execute_generative(gen, cfg.meter, cfg.target.device, run)
        return
    with run.phase("load_model"):
        model = load_model(cfg.model, Path(cfg.cache_dir))
    run.set(model={"name": model.name, "task": model.task, "weights_sha256": model.weights_sha256,
                   "parameter_count": model.parameter_count, "source": model.source,
                   "inputs": input_record(model), **dict(model.provenance), **model_work(model)})
    backend = create_backend(cfg.target)
    probe = backend.probe()
    run.set(backend={"name": backend.name, "version": backend.version(), "probe": vars(probe)})
    if not probe.available:
        raise BackendUnavailable(f"{cfg.target.name}: {probe.reason}")
    if (mismatch := format_mismatch(model, backend.name, backend.formats)) is not None:
        raise BackendUnavailable(f"{cfg.target.name}: {mismatch}")
    if cfg.scenario.name is ScenarioName.cold_start:  # compile_cache=on without a cache: now
        cache_settings(backend, CompileCache(cfg.scenario.compile_cache))
    artifact, calib_indices = prepare_artifact(cfg, model, backend.formats, run.phase)
    with run.phase("prepare_graph"):  # a backend's own graph preparation, if it needs one
        artifact = backend.prepare(artifact, fixed_inputs(model, artifact), Path(cfg.cache_dir))
    run.set(artifact={**artifact.describe(), "calibration_indices": calib_indices})
    with TrialSessions(lambda: backend.load(artifact)) as sessions:  # closes each one once
        with run.phase("session_create"):
            session = sessions.first()
        samples = batched_samples(model, 64, cfg.seed, artifact.inputs, run.fields["model"])
        with run.phase("first_inference"):
            outputs = session.run(samples[0])
        run.fields["model"]["outputs"] = [
            {"index": i, "shape": list(out.shape), "dtype": str(out.dtype)}
            for i, out in enumerate(outputs)
        ]
        run.set(backend={**run.fields["backend"], **session.describe()})
        fidelity_inputs = batched_samples(model, fidelity_batches(artifact, cfg.fidelity_samples),
                                          cfg.seed, artifact.inputs)
        run.set(accuracy=evaluate(session, model, fidelity_inputs, artifact.inputs,
                                  cfg.model.accuracy_target))
        if cfg.scenario.name is ScenarioName.cold_start:  # fresh processes, not this session
            with timing_lock() as waited_s:
                run.phases_s["timing_lock_wait"] = waited_s
                run.set(cold_start=run_cold_start(backend, artifact, samples[0], cfg.scenario,
                                                  out_dir / RUN_FILES / run.run_id / "cold"),
                        scenario={"name": cfg.scenario.name.value, "engine": "fresh processes",
                                  "profile": cfg.scenario.profile.value, "compliant": False})
            return
        meter, why = create_meter(cfg.meter, cfg.target.device)
        stability = stability_snapshot()
        try:
            with timing_lock() as waited_s:
                run.phases_s["timing_lock_wait"] = waited_s
                counters = backend.server_counters()
                ends = backend.server_energy()  # a remote server's own energy, or None
                scenario, energy = measure(sessions, samples, cfg.scenario, meter, cfg.meter,
                                           out_dir / RUN_FILES / run.run_id,
                                           ends.wrap if ends is not None else None)
        finally:
            meter.close()
        if counters is not None:  # a remote backend: split each query's time by where it went
            after = backend.server_counters()
            run.fields["backend"]["server_split"] = server_split(counters, after)
            window = payload_window(counters, after)  # bytes each way, same window as the split
            if window:
                run.fields["backend"]["payload"] = window
        if ends is not None:
            energy.update(both_ends(ends, energy))
        run.set(scenario={**scenario, "stability_before": stability},
                energy={**energy, "meter_choice": why})
        if cfg.profile.wanted(cfg.quant.recipe):  # after the trials: never in a timed query
            take_profile(run, backend, artifact, sessions, samples, cfg.profile, out_dir)
