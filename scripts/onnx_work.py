"""Compare ONNX graphs by CPU time per inference, interleaved: a comparison that holds on a
busy machine, where wall-clock latency measures the neighbours (docs/transformer_export.md).

    .venv/bin/python scripts/onnx_work.py theirs.onnx ours.onnx --rounds 10

Each graph gets a session with one intra-op thread and spinning off; every round runs each
graph `--runs` times back to back and takes the process CPU time per inference. Inputs are
token inputs (input_ids uniform in [0, --vocab), attention_mask ones, token_type_ids zeros)
of length --seq-len, batch 1; a graph gets the ones it declares. Prints the median of the
rounds per graph and its ratio to the first graph.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort


def token_feeds(seq_len: int, vocab: int) -> dict[str, np.ndarray]:
    """Return batch-1 token inputs of `seq_len`: uniform ids, a mask of ones, zero segments."""
    ids = np.random.default_rng(0).integers(0, vocab, (1, seq_len)).astype(np.int64)
    return {"input_ids": ids, "attention_mask": np.ones((1, seq_len), np.int64),
            "token_type_ids": np.zeros((1, seq_len), np.int64)}


def open_session(path: str) -> ort.InferenceSession:
    """Return a CPU session with one intra-op thread and no spinning."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def cpu_ns_per_inference(paths: list[str], feeds: dict[str, np.ndarray], rounds: int,
                         runs: int) -> dict[str, list[float]]:
    """Return, per graph, the CPU time per inference (ns) of each interleaved round."""
    sessions = {}
    for path in paths:
        session = open_session(path)
        names = {i.name for i in session.get_inputs()}
        feed = {k: v for k, v in feeds.items() if k in names}
        for _ in range(5):
            session.run(None, feed)  # warm-up
        sessions[path] = (session, feed)
    out: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(rounds):
        for path, (session, feed) in sessions.items():
            start = time.process_time_ns()
            for _ in range(runs):
                session.run(None, feed)
            out[path].append((time.process_time_ns() - start) / runs)
    return out


def main() -> None:
    """Parse the command line, measure, print one line per graph."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", nargs="+")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--vocab", type=int, default=30522)
    args = parser.parse_args()
    work = cpu_ns_per_inference(args.graphs, token_feeds(args.seq_len, args.vocab),
                                args.rounds, args.runs)
    base = float(np.median(work[args.graphs[0]]))
    for path, values in work.items():
        median = float(np.median(values))
        print(f"{path}: {median / 1e6:.2f} ms CPU/inference (rounds {min(values) / 1e6:.2f}-"
              f"{max(values) / 1e6:.2f}), x{median / base:.3f}")


if __name__ == "__main__":
    main()
