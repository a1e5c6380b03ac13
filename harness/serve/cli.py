"""Serve one model behind Triton Inference Server: harness serve [options] model=... quant=...

The trailing arguments are harness-bench's config overrides (model=, quant=, target=, ...):
the artifact is exported and quantised exactly as a benchmark run would make it (same cache),
loaded on the target's backend, and served over KServe v2 REST and gRPC. Measure it from any
machine with harness-bench target=remote target.options.url=grpc://HOST:8001.

examples:
  .venv-serve/bin/harness serve model=resnet8 quant=fp32 target=cpu
  .venv-serve/bin/harness serve --dynamic-batching --max-queue-delay-us 500 model=vww
  .venv-serve/bin/harness serve --network eu_cloud_region model=resnet8   # as root: emulated
  .venv-serve/bin/harness serve --image-input model=vww   # also vww_image: JPEG/PNG in
  harness-bench model=resnet8 target=remote target.options.url=http://localhost:8000
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from harness.backends.registry import create_backend
from harness.core.errors import BackendUnavailable
from harness.models.inputs import batched_samples
from harness.models.source import load_model
from harness.run.compose import compose_config
from harness.run.prepare import fixed_inputs, prepare_artifact
from harness.serve.config import ServeConfig
from harness.serve.energy import ServerEnergy
from harness.serve.image_model import image_spec
from harness.serve.link import serve_behind_link
from harness.serve.side_channel import served_artifact, side_channel_name
from harness.serve.triton import serve


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add serve's options; everything after them is a config override."""
    defaults = ServeConfig()
    for f in fields(ServeConfig):
        flag = "--" + f.name.replace("_", "-")
        value = getattr(defaults, f.name)
        if isinstance(value, bool):
            parser.add_argument(flag, action="store_true", help=f"(default: {value})")
        else:
            parser.add_argument(flag, type=type(value), default=value,
                                help=f"(default: {value!r})")
    parser.add_argument("--log-file", type=Path, default=None,
                        help="Triton's log (default: results/serve/<model>.triton.log)")
    parser.add_argument("overrides", nargs="*", help="model=... quant=... target=... overrides")


def run(args: argparse.Namespace) -> int:
    """Build the artifact, load it, serve it until interrupted; return 0."""
    serve_cfg = ServeConfig(**{f.name: getattr(args, f.name) for f in fields(ServeConfig)})
    if serve_cfg.network:
        return serve_behind_link(args, serve_cfg)
    cfg = compose_config(list(args.overrides))
    model = load_model(cfg.model, Path(cfg.cache_dir))
    backend = create_backend(cfg.target)
    probe = backend.probe()
    if not probe.available:
        raise BackendUnavailable(f"{cfg.target.name}: {probe.reason}",
                                 f"Install it: pip install -e '.[{backend.extra}]'.")
    artifact, _ = prepare_artifact(cfg, model, backend.formats)
    artifact = backend.prepare(artifact, fixed_inputs(model, artifact), Path(cfg.cache_dir))
    if serve_cfg.image_input:
        image_spec(artifact)  # an image model, before anything is loaded
    sessions = [backend.load(artifact) for _ in range(serve_cfg.instances)]
    image_sessions = [backend.load(artifact) for _ in range(serve_cfg.instances)] \
        if serve_cfg.image_input else None
    sample = batched_samples(model, 1, cfg.seed, artifact.inputs)[0]
    name = serve_cfg.model_name or model.name
    log_file = args.log_file or Path(cfg.results_dir) / "serve" / f"{name}.triton.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    batching = (f"dynamic batching up to {serve_cfg.max_batch_size}, "
                f"{serve_cfg.max_queue_delay_us} us queue delay" if serve_cfg.dynamic_batching
                else f"no dynamic batching, requests of batch <= {serve_cfg.max_batch_size}")
    if serve_cfg.image_input:
        batching += (f"; encoded images (JPEG/PNG) as '{name}{serve_cfg.image_model_suffix}', "
                     "decoded on the server")

    def ready() -> None:
        print(f"harness serve: model '{name}' ({artifact.precision} {artifact.format}, "
              f"sha256 {artifact.sha256[:12]}, {backend.name} on {cfg.target.device}, "
              f"{serve_cfg.instances} instance(s), {batching}) ready at "
              f"http://{serve_cfg.host}:{serve_cfg.http_port} (REST) and "
              f"grpc://{serve_cfg.host}:{serve_cfg.grpc_port} (gRPC); Triton log {log_file}; "
              "Ctrl-C stops it.", flush=True)

    side = None
    if not serve_cfg.no_side_channel:
        energy = ServerEnergy(cfg.meter, cfg.target.device)
        side = (served_artifact(artifact, backend.name, backend.version(), cfg.target.device),
                energy)
        print(f"harness serve: side channel '{side_channel_name(name)}' reports the artifact "
              f"and this server's energy ({energy.meter_choice}).", flush=True)
    try:
        serve(name, sessions, sample, artifact, serve_cfg, log_file, ready, side,
              image_sessions)
    finally:
        if side is not None:
            side[1].close()
        for session in sessions + (image_sessions or []):
            session.close()
    print("harness serve: stopped.", file=sys.stderr)
    return 0
