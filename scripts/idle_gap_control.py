"""Control: loopback, no emulation, the client idles 0/15/90 ms between requests; Triton's time.

  .venv-serve/bin/harness serve --host 127.0.0.1 --grpc-port 18101 model=resnet8 quant=fp32 &
  .venv/bin/python scripts/idle_gap_control.py resnet8 18101
"""
import statistics
import sys
import time

import numpy as np
import tritonclient.grpc as tg

model, port = sys.argv[1], int(sys.argv[2])
c = tg.InferenceServerClient(f"127.0.0.1:{port}")
meta = c.get_model_metadata(model)
shape = [1] + [int(d) for d in meta.inputs[0].shape[1:]]
x = np.random.rand(*shape).astype(np.float32)
inp = tg.InferInput(meta.inputs[0].name, x.shape, "FP32")
inp.set_data_from_numpy(x)


def infer_ns() -> tuple[int, int, int]:
    """Return Triton's cumulative success ns, success count and compute_infer ns."""
    s = c.get_inference_statistics(model).model_stats[0].inference_stats
    return s.success.ns, s.success.count, s.compute_infer.ns

for gap_ms in (0, 15, 90):
    for _ in range(5):
        c.infer(model, [inp])
    a = infer_ns()
    ts = []
    n = 40 if gap_ms < 50 else 25
    for _ in range(n):
        if gap_ms:
            time.sleep(gap_ms / 1e3)
        t = time.perf_counter()
        c.infer(model, [inp])
        ts.append((time.perf_counter() - t) * 1e3)
    b = infer_ns()
    count = b[1] - a[1]
    print(f"{model} gap {gap_ms} ms: client p50 {statistics.median(ts):.2f} ms, server request "
          f"mean {(b[0] - a[0]) / count / 1e6:.2f} ms, compute_infer mean "
          f"{(b[2] - a[2]) / count / 1e6:.2f} ms")
