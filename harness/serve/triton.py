"""The served model: a backend session bound to Triton Inference Server through PyTriton.

PyTriton runs the real `tritonserver` (REST, gRPC, dynamic batcher, statistics extension);
this module is only the adapter from Triton's batched requests to Session.run."""

from __future__ import annotations

import os
import signal
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from harness.backends.base import Session
from harness.core.artifact import Artifact
from harness.core.errors import BackendUnavailable, ConfigError, HarnessError, reason_of
from harness.serve.config import ServeConfig
from harness.serve.energy import ServerEnergy
from harness.serve.image_model import check_round_trip, image_infer_func, image_tensor
from harness.serve.side_channel import (
    INFO,
    QUERY,
    counting,
    side_channel_func,
    side_channel_name,
)

FIX = ("Run it from the serving environment: make serve-env, then .venv-serve/bin/harness serve "
       "... (PyTriton pins numpy<2, so it has an environment of its own).")


def matching_libpython() -> None:
    """Point the loader at this interpreter's own libpython before Triton starts.

    Triton's Python-backend stub links `libpython3.X.so.1.0` by name; on a host with a second
    Python of the same minor version (Debian's 3.11.2 beside a pyenv 3.11.7) it loads the other
    one, whose C core then fails on this interpreter's standard library (`'_thread.RLock'
    object has no attribute '_recursion_count'`)."""
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    name = sysconfig.get_config_var("INSTSONAME") or ""
    if libdir and name and (Path(libdir) / name).exists():
        current = os.environ.get("LD_LIBRARY_PATH", "")
        if libdir not in current.split(":"):
            os.environ["LD_LIBRARY_PATH"] = f"{libdir}:{current}" if current else libdir


def _pytriton() -> Any:
    try:
        import pytriton.triton as triton
    except ImportError as exc:
        raise BackendUnavailable(f"harness serve needs PyTriton ({reason_of(exc)}).", FIX) \
            from exc
    if int(np.__version__.split(".")[0]) >= 2:
        raise BackendUnavailable(f"PyTriton returns empty responses with numpy {np.__version__} "
                                 "(its wheel requires numpy<2).", FIX)
    return triton


def output_names(artifact: Artifact, count: int) -> list[str]:
    """Return the artifact's output names (the ONNX graph's), else output_0, output_1, ..."""
    if artifact.format == "onnx" and artifact.path is not None:
        import onnx

        graph = onnx.load(str(artifact.path), load_external_data=False).graph
        names = [o.name for o in graph.output]
        if len(names) == count:
            return names
    return [f"output_{i}" for i in range(count)]


def check_batching(session: Session, sample: dict[str, np.ndarray], cfg: ServeConfig) -> None:
    """Raise ConfigError when max_batch_size > 1 but the session cannot run batch 2."""
    if cfg.max_batch_size == 1:
        return
    doubled = {k: np.concatenate([v, v]) for k, v in sample.items()}
    try:
        session.run(doubled)
    except HarnessError as exc:
        raise ConfigError(f"The artifact does not run batch 2, so it cannot be served with "
                          f"max_batch_size {cfg.max_batch_size}: {exc.message}",
                          "Serve it with --max-batch-size 1, or export it with a dynamic "
                          "batch axis.") from exc


def _infer_func(session: Session, names: list[str]) -> Callable:
    from pytriton.decorators import batch

    @batch
    def infer(**inputs: np.ndarray) -> dict[str, np.ndarray]:
        return dict(zip(names, session.run(inputs), strict=True))

    return infer


def serve(name: str, sessions: list[Session], sample: dict[str, np.ndarray], artifact: Artifact,
          cfg: ServeConfig, log_file: Path, on_ready: Callable[[], None],
          side: tuple[dict[str, Any], ServerEnergy] | None = None,
          image_sessions: list[Session] | None = None) -> None:
    """Serve `sessions` (one per instance) as model `name` until SIGINT/SIGTERM; with `side`
    (the served artifact's facts, the energy totals) also the side channel `<name>.harness`;
    with `image_sessions`, also `name + cfg.image_model_suffix`, which takes encoded images."""
    triton = _pytriton()
    from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor

    matching_libpython()
    outputs = sessions[0].run(sample)
    check_batching(sessions[0], sample, cfg)
    names = output_names(artifact, len(outputs))
    inputs = [Tensor(name=k, dtype=v.dtype.type, shape=tuple(v.shape[1:]))
              for k, v in sample.items()]
    outs = [Tensor(name=n, dtype=o.dtype.type, shape=tuple(o.shape[1:]))
            for n, o in zip(names, outputs, strict=True)]
    batcher = (DynamicBatcher(max_queue_delay_microseconds=cfg.max_queue_delay_us)
               if cfg.dynamic_batching else None)
    model_cfg = ModelConfig(batching=True, max_batch_size=cfg.max_batch_size, batcher=batcher)
    config = triton.TritonConfig(http_address=cfg.host, http_port=cfg.http_port,
                                 grpc_address=cfg.host, grpc_port=cfg.grpc_port,
                                 metrics_port=cfg.metrics_port, log_file=log_file,
                                 allow_gpu_metrics=False)
    # PyTriton guards statistics with an access token by default; statistics are read-only
    # and are what splits a remote query's time, so they stay open; the rest stays guarded.
    guarded = [e for e in triton.DEFAULT_PROTECTED_ENDPOINTS if e != "statistics"]
    security = triton.TritonSecurityConfig(restricted_endpoints=guarded)
    triton.DEFAULT_TRITON_STARTUP_TIMEOUT_S = cfg.startup_timeout_s  # read by Triton.run()
    with triton.Triton(config=config, security_config=security) as server:
        funcs = [_infer_func(s, names) for s in sessions]
        if side is not None:
            funcs = [counting(f, side[1]) for f in funcs]
            server.bind(model_name=side_channel_name(name),
                        infer_func=side_channel_func(*side),
                        inputs=[Tensor(name=QUERY, dtype=np.uint8, shape=(1,))],
                        outputs=[Tensor(name=INFO, dtype=np.bytes_, shape=(1,))],
                        config=ModelConfig(batching=False), strict=False)
        server.bind(model_name=name, infer_func=funcs,
                    inputs=inputs, outputs=outs, config=model_cfg, strict=False)
        if image_sessions:
            check_round_trip(image_sessions[0], sample, artifact)
            image_funcs = [image_infer_func(s, names, artifact) for s in image_sessions]
            if side is not None:  # encoded-image requests count in the server's energy too
                image_funcs = [counting(f, side[1]) for f in image_funcs]
            server.bind(model_name=name + cfg.image_model_suffix, infer_func=image_funcs,
                        inputs=[image_tensor(Tensor, artifact)], outputs=outs, config=model_cfg,
                        strict=False)
        server.run()
        if side is not None:
            side[1].start()
        on_ready()
        _wait(server)


def _wait(server: Any) -> None:
    """Block while Triton and the model are alive; SIGTERM and SIGINT stop it cleanly."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while server.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass  # leaving the with-block stops Triton and removes its workspace
