"""A real OpenAI-compatible server on this host: `transformers serve` (pip install -e
'.[openai-serve]') over a model folder, for the openai_remote engine's tests and selfcheck.

The served copy of the folder links the weights and rewrites tokenizer.json so that every id of
the model's vocabulary decodes to text on its own: a random-weight model emits ids past the
synthetic tokenizer's 8000 pieces and lone byte-fallback bytes, which a streaming detokenizer
holds back (no chunk, so no arrival time). Prompts are unaffected (whole-word pieces only).

    python -m harness.generative.local_server --model smollm2_135m --port 8000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from harness.core.errors import BackendUnavailable, MeasurementError
from harness.generative.config import GenModelConfig
from harness.generative.model_folder import model_folder

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs" / "model"
LINKED = ("config.json", "generation_config.json", "model.safetensors", "harness_model.json")


def served_folder(folder: str | Path) -> Path:
    """Return folder's server copy (written once beside it): weights linked, tokenizer.json
    covering the whole vocabulary with byte fallback off (see the module docstring)."""
    src = Path(folder)
    dst = src.with_name(src.name + "-served")
    if (dst / ".complete").is_file():
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for name in LINKED:
        if (src / name).exists():
            os.symlink((src / name).resolve(), dst / name)
    vocab_size = int(json.loads((src / "config.json").read_text())["vocab_size"])
    tok = json.loads((src / "tokenizer.json").read_text())
    vocab = tok["model"]["vocab"]
    for i in range(len(vocab), vocab_size):
        vocab[f"<t{i}>"] = i
    tok["model"]["byte_fallback"] = False
    steps = tok["decoder"].get("decoders", [])
    tok["decoder"]["decoders"] = [d for d in steps if d.get("type") != "ByteFallback"]
    (dst / "tokenizer.json").write_text(json.dumps(tok))
    config = json.loads((src / "tokenizer_config.json").read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"  # tokenizer.json, not tokenizer.model
    (dst / "tokenizer_config.json").write_text(json.dumps(config, indent=1))
    (dst / ".complete").touch()
    return dst


def shipped_model(name: str, layers: int | None = None, cache_dir: str = "models/.cache"
                  ) -> GenModelConfig:
    """Return the generative model config of configs/model/<name>.yaml (layers: fewer)."""
    spec = yaml.safe_load((CONFIG_DIR / f"{name}.yaml").read_text())["generative"]["model"]
    config = dict(spec.get("config", {}))
    if layers:
        config["num_hidden_layers"] = layers
    return GenModelConfig(name=spec["name"], model_type=spec.get("model_type", "llama"),
                          config=config, source_note=spec.get("source_note", ""),
                          cache_dir=cache_dir)


def serve_command(folder: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """Return the `transformers serve` command line for folder (CPU, float32, pinned)."""
    return [sys.executable, "-c", "from transformers.cli.transformers import main; main()",
            "serve", str(folder), "--host", host, "--port", str(port), "--device", "cpu",
            "--dtype", "float32", "--log-level", "warning"]


def serving_available() -> str:
    """Return '' when transformers serve can run here, else why not."""
    try:
        import fastapi  # noqa: F401
        import openai  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return (f"transformers serve needs {exc.name} (pip install -e '.[openai-serve]', i.e. "
                "transformers[serving])")
    return ""


class LocalServer:
    """`transformers serve` in a child process; a context manager that waits until it serves."""

    def __init__(self, folder: str | Path, port: int, threads: int | None = None,
                 log: str | Path | None = None, start_timeout_s: float = 120.0) -> None:
        if why := serving_available():
            raise BackendUnavailable(f"Cannot start a local OpenAI-compatible server: {why}.",
                                     "Install it: pip install -e '.[openai-serve]'.")
        self.folder = served_folder(folder).resolve()
        self.port, self.threads, self.start_timeout_s = port, threads, start_timeout_s
        self.log = Path(log) if log else self.folder.with_name(f"serve-{port}.log")
        self.url = f"http://127.0.0.1:{port}/v1"
        self.model = str(self.folder)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LocalServer:
        env = dict(os.environ)
        if self.threads:
            env["OMP_NUM_THREADS"] = str(self.threads)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(serve_command(self.folder, self.port), env=env,
                                         stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-1500:]
                raise MeasurementError(f"transformers serve exited ({self.proc.returncode}) "
                                       f"before serving: {tail}", f"See {self.log}.")
            try:
                with urllib.request.urlopen(self.url + "/models", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise MeasurementError(f"transformers serve did not answer within "
                               f"{self.start_timeout_s:g} s.", f"See {self.log}.")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    """Serve a shipped model shape (random weights) or a folder until interrupted."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2_135m", help="configs/model/<name>.yaml")
    ap.add_argument("--folder", help="a save_pretrained folder instead of --model")
    ap.add_argument("--layers", type=int, help="fewer hidden layers (a quick test model)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--threads", type=int, help="the server's torch threads (OMP_NUM_THREADS)")
    ap.add_argument("--cache-dir", default="models/.cache")
    args = ap.parse_args(argv)
    folder = Path(args.folder) if args.folder else model_folder(
        shipped_model(args.model, args.layers, args.cache_dir), args.cache_dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the server stops with us
    with LocalServer(folder, args.port, args.threads) as server:
        print(f"serving: generative.options.url={server.url} "
              f"generative.options.model={server.model}", flush=True)
        try:
            server.proc.wait()  # type: ignore[union-attr]
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
