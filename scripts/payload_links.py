"""Measure image models behind Triton with raw-tensor and encoded-image payloads, then compare
the measurements with the deployment model through `harness deploy`.

  .venv/bin/python scripts/payload_links.py run OUT --models resnet8 vww \
      --profiles loopback eu_metro_edge          # emulated profiles need root (namespaces, tc)
  .venv/bin/harness deploy --device OUT/inproc --datacenter OUT --out OUT/deploy --html
  .venv/bin/python scripts/payload_links.py table OUT    # markdown from OUT/deploy

`run` writes a photo data set (crops of the two photographs scikit-learn ships, class
sub-folders, so the inputs are natural images rather than noise, which no codec compresses),
measures each model in-process (target=cpu) on it, then per profile starts `harness serve
--image-input` (behind `--network PROFILE` unless loopback) and measures single-stream through
target=remote with target.options.payload=raw,jpeg,png (REST and gRPC on loopback, gRPC behind
an emulated link), and stops the server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from emulated_links import command_line, serve, stop  # noqa: E402  (shared with it)

ROOT = Path(__file__).resolve().parents[1]
BENCH = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()"]
PORTS = (18200, 18201, 18202)
TIMING = ["scenario.min_count=600", "scenario.min_duration_s=2", "scenario.max_duration_s=60"]


def photos(out: Path, per_class: int = 40, crop: int = 160, seed: int = 0) -> Path:
    """Write `per_class` random square crops of each scikit-learn sample photograph as PNG."""
    from PIL import Image
    from sklearn.datasets import load_sample_images

    folder = out / "photos"
    rng = np.random.default_rng(seed)
    images = load_sample_images()
    for name, image in zip(images.filenames, images.images, strict=True):
        cls = folder / Path(name).stem
        cls.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            y = rng.integers(0, image.shape[0] - crop)
            x = rng.integers(0, image.shape[1] - crop)
            Image.fromarray(image[y:y + crop, x:x + crop]).save(cls / f"{i:03d}.png")
    return folder


def _bench(out: Path, sweep: str, *overrides: str) -> None:
    subprocess.run([*BENCH, "-m", "quant=fp32", f"results_dir={out}", f"sweep={sweep}",
                    *TIMING, *overrides], cwd=ROOT, check=False, timeout=3600)


def _serve(out: Path, model: str, profile: str, data: Path) -> tuple[subprocess.Popen, str]:
    return serve(out / "serve", model, profile, PORTS,
                 ("--image-input", f"model.dataset_path={data}"), f"{model}_image")


def run(out: Path, models: list[str], profiles: list[str], inproc: bool = True) -> None:
    """Measure every model in-process (unless `inproc` is False) and behind every profile
    with every payload."""
    out.mkdir(parents=True, exist_ok=True)
    data = photos(out)
    for model in models:
        if inproc:
            _bench(out / "inproc", f"{model}-inproc", f"model={model}", "target=cpu",
                   f"model.dataset_path={data}")
        for profile in profiles:
            proc, host = _serve(out, model, profile, data)
            urls = (f"http://{host}:{PORTS[0]},grpc://{host}:{PORTS[1]}"
                    if profile == "loopback" else f"grpc://{host}:{PORTS[1]}")
            try:
                _bench(out / "remote", f"{model}-{profile}", f"model={model}",
                       "target=remote", f"network={profile}", f"model.dataset_path={data}",
                       f"target.options.url={urls}", "target.options.payload=raw,jpeg,png")
            finally:
                stop(proc)


def table(out: Path) -> str:
    """Return a markdown table of every comparison in OUT/deploy/deployment_measured.json with
    the remote record's encode time and server compute (its split of the mean query)."""
    import json

    data = json.loads((out / "deploy" / "deployment_measured.json").read_text())
    records = {}
    for path in (out / "remote").rglob("*.json"):
        text = path.read_text()
        if '"run_id"' in text[:300]:
            record = json.loads(text)
            records[record["run_id"]] = record
    rows = ["| model | deployment (link) | protocol | payload | request / response B | image B "
            "| encode ms | measured p50 ms [95% CI] | measured p99 ms | server compute ms "
            "| modelled p50 ms | model error p50 ms (%) |", "|" + "---|" * 12]
    order = sorted(data["comparisons"], key=lambda c: (c["model"], c["link"]["rtt_ms"] or 0,
                                                       c["protocol"], c["payload"]["encoding"]))
    for c in order:
        pay, rec = c["payload"], records.get(c["remote_run"], {})
        split = (rec.get("backend") or {}).get("server_split") or {}
        compute = sum(split.get(f"server_compute_{k}_ns", 0) for k in ("input", "infer",
                                                                       "output")) / 1e6
        lo, hi = c["measured_p50_ci_ms"]
        p99 = f"{c['measured_p99_ms']:.3g}" if c["measured_p99_ms"] else ""
        where = c["deployment"] if not c["matched"] else f"{c['deployment']} ({c['link']['label']})"
        rows.append(
            f"| {c['model']} | {where} | {c['protocol']} | {pay['encoding']} "
            f"| {pay['request_bytes']} / {pay['response_bytes']} | {pay.get('image_bytes', '')} "
            f"| {pay.get('encode_ms_mean', 0):.3f} "
            f"| {c['measured_p50_ms']:.3g} [{lo:.3g}-{hi:.3g}] "
            f"| {p99} | {compute:.2f} | {c['modelled_p50_ms']:.3g} "
            f"| {c['error_p50_ms']:+.3g} ({c['error_p50_pct']:+.0f}%) |")
    return "\n".join(rows)


def main() -> int:
    """Parse the command line and run."""
    parser, r = command_line(__doc__.splitlines()[0], ["loopback", "eu_metro_edge"])
    r.add_argument("--no-inproc", action="store_true", help="skip the in-process runs "
                   "(already measured in OUT/inproc)")
    args = parser.parse_args()
    if args.command == "run":
        run(args.out, args.models, args.profiles, not args.no_inproc)
    else:
        print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
