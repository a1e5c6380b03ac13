"""Measure the methodology against independent tools, side by side in one run; write one JSON.

Native loop vs bare session.run, native vs LoadGen percentiles, the openvino backend vs
benchmark_app, and the server max-QPS search (ResNet-8 fp32, 1 CPU thread). Each pair is
interleaved many times; a ratio is the median of the per-pair ratios with its 95% interval.
About 3 minutes (--quick: under a minute). FAIL rows are findings, not errors: exit 0.

With --generative: instead, our openai_remote TTFT / TPOT p50 against AIPerf's on the same
OpenAI-compatible endpoint ('local': a transformers serve this command starts; or a base URL).

examples:
  harness selfcheck --quick
  harness selfcheck --out results/selfcheck/laptop.json
  harness selfcheck --generative local
  harness selfcheck --generative http://10.0.0.5:8000/v1 --generative-model M
      --generative-folder DIR   (one command line)
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from harness.records.io import write_json_atomic
from harness.report.summary import wide_console
from harness.run.callbacks import ensure_writable
from harness.selfcheck.plan import plan_for
from harness.selfcheck.render import selfcheck_table


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of `harness selfcheck` to `p`."""
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="JSON file to write (default: results/selfcheck/<time>/selfcheck.json)")
    p.add_argument("--quick", action="store_true",
                   help="short durations (a smoke test, ~30 s); figures are noisier")
    p.add_argument("--cache-dir", type=Path, default=Path("models/.cache"), metavar="FOLDER",
                   help="model/export cache (default: models/.cache)")
    g = p.add_argument_group("generative cross-check (our openai_remote vs AIPerf)")
    g.add_argument("--generative", metavar="URL|local",
                   help="check this OpenAI-compatible base URL, or 'local' (transformers serve)")
    g.add_argument("--generative-model", metavar="NAME",
                   help="the served model's name (with a URL)")
    g.add_argument("--generative-folder", metavar="DIR",
                   help="a local copy of the served model's folder: config and tokenizer")
    g.add_argument("--generative-shape", default="smollm2_135m", metavar="NAME",
                   help="with 'local': configs/model/NAME.yaml, random weights")
    g.add_argument("--generative-layers", type=int, metavar="N",
                   help="with 'local': only N hidden layers (a quick model)")
    g.add_argument("--generative-threads", type=int, metavar="N",
                   help="with 'local': torch threads of the server and the in-process engine")
    g.add_argument("--generative-rounds", type=int, default=3, metavar="N",
                   help="interleaved rounds (default 3)")
    g.add_argument("--generative-requests", type=int, default=16, metavar="N",
                   help="single-stream requests per tool per round (default 16)")


def default_out() -> Path:
    """Return results/selfcheck/<YYYYmmdd-HHMMSS>/selfcheck.json."""
    return Path("results") / "selfcheck" / f"{datetime.now():%Y%m%d-%H%M%S}" / "selfcheck.json"


def run(args: argparse.Namespace) -> int:
    """Run the checks, print the table, write the JSON; return 0 (FAIL rows are not errors)."""
    out = args.out or default_out()
    ensure_writable(out.parent)  # before minutes of measuring, not after
    if args.generative:
        from harness.selfcheck.generative_run import run_generative_selfcheck
        doc = run_generative_selfcheck(args, out.parent / "logs",
                                       log=lambda text: print(text, file=sys.stderr))
        return _finish(out, doc, doc["mode"])
    plan = plan_for(args.quick)
    # torch, onnx and the runtimes load here, not when `harness` starts
    from harness.selfcheck.run import run_selfcheck
    doc = run_selfcheck(plan, args.cache_dir, out.parent / "logs",
                        log=lambda text: print(text, file=sys.stderr))
    return _finish(out, doc, plan.label)


def _finish(out: Path, doc: dict, label: str) -> int:
    """Write the document, print its table; return 0."""
    write_json_atomic(out, doc)
    counts = doc["counts"]
    title = (f"edge-harness self-check ({label}): {counts['PASS']} pass, "
             f"{counts['FAIL']} fail, {counts['ERROR']} error, {counts.get('INFO', 0)} context")
    console = wide_console()
    console.print(selfcheck_table(doc["rows"], title))
    for warning in doc["stability_before"].get("warnings", []):
        console.print(f"[yellow]machine:[/] {warning}")
    print(f"wrote {out} ({doc['wall_s']:.1f} s)", file=sys.stderr)
    return 0
