#!/usr/bin/env bash
# One check of edge-harness's GPU paths on a machine with an NVIDIA GPU and a CUDA build of
# torch but no network and no install of this repo. Run from the repo root:
#   bash .ci/gpu_check.sh
# Wheels the machine lacks (hydra-core, omegaconf, antlr4-python3-runtime 4.9.3,
# hydra-joblib-launcher, zeus, nvidia-ml-py, at the versions of `make setup`) go in .whl/
# beforehand: `pip download --no-deps --only-binary=:all: --python-version 3.12 ... -d .whl`
# (antlr4 4.9.3 is source-only on PyPI: `pip wheel --no-deps antlr4-python3-runtime==4.9.3`).
# Writes to $OUT: bench.log, pytest.log, summary.txt, results.tgz (<= 8 files, flat).
# Every step has its own timeout, cut to what is left of TOTAL seconds (default 480: run it with
# timeout_s >= 540), and the script goes on after a failing step.
# Local dry run (no GPU): OUT=/tmp/x PY=.venv/bin/python SITE=/tmp/site-dry bash .ci/gpu_check.sh
set -x
set -o pipefail
START=$(date +%s)
OUT=${OUT:-/tmp/gpu_check_out}
PY=${PY:-python3}
SITE=${SITE:-/tmp/site}
GPU_TARGET=${GPU_TARGET:-torch_cuda}
GPU_METER=${GPU_METER:-nvml}
MODELS=${MODELS:-resnet8,vww}
TOTAL=${TOTAL:-480}
RES=${RES:-/tmp/gpu_check_results}   # records live here; only results.tgz goes to $OUT
mkdir -p "$OUT" && rm -rf "$RES" && mkdir -p "$RES"
BLOG=$OUT/bench.log
export PYTHONUNBUFFERED=1 HYDRA_FULL_ERROR=1 COLUMNS=200

budget() {  # budget SECONDS: the step's limit, cut to what is left of TOTAL (minus 20 s to pack)
  local left=$(( START + TOTAL - 20 - $(date +%s) ))
  (( left < $1 )) && echo $(( left > 5 ? left : 5 )) || echo "$1"
}
step() {  # step NAME SECONDS CMD...: run with a timeout, log to bench.log, never abort the script
  local name=$1 secs; secs=$(budget "$2"); shift 2
  echo "===== [$name] $(date +%T) (t+$(( $(date +%s) - START ))s) limit ${secs}s: $*" | tee -a "$BLOG"
  timeout -k 10 "$secs" "$@" 2>&1 | tee -a "$BLOG"
  local rc=${PIPESTATUS[0]}
  echo "===== [$name] rc=$rc (t+$(( $(date +%s) - START ))s)" | tee -a "$BLOG"
}
pack() { tar -czf "$OUT/results.tgz" -C "$(dirname "$RES")" "$(basename "$RES")" 2>>"$BLOG" || true; }

# 1. the carried wheels (hydra-core, omegaconf, antlr4 4.9.3, hydra-joblib-launcher, zeus,
#    nvidia-ml-py) into $SITE; the repo itself goes on PYTHONPATH, not installed: the registry
#    registers the built-in backends itself, entry points are only for plugins.
step install 60 "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
  --upgrade --target "$SITE" .whl/*.whl
rm -rf "$SITE/tests" "$SITE/docs" "$SITE/examples"   # zeus's wheel ships these top-level folders
export PYTHONPATH=${PYTHONPATH_PREFIX:+$PYTHONPATH_PREFIX:}$PWD:$SITE

# 2. the machine
step nvidia-smi 20 nvidia-smi
step env 60 "$PY" - <<'EOF'
import sys, platform, importlib.metadata as md
print("python", sys.version.split()[0], sys.executable, platform.platform())
for d in ("torch", "onnx", "onnxruntime", "onnxscript", "numpy", "scikit-learn", "hydra-core",
          "omegaconf", "zeus", "nvidia-ml-py", "pytest"):
    try:
        print(f"  {d} {md.version(d)}")
    except md.PackageNotFoundError:
        print(f"  {d} MISSING")
import torch, onnxruntime, hydra, zeus, pynvml, harness, tests
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
if torch.cuda.is_available():
    print("device", torch.cuda.get_device_name(), torch.cuda.get_device_capability())
print("onnxruntime providers", onnxruntime.get_available_providers())
print("paths: harness", harness.__file__, "| tests", list(tests.__path__), "| hydra", hydra.__file__,
      "| zeus", zeus.__file__, "| pynvml", pynvml.__file__)
print("cudnn.allow_tf32 default", torch.backends.cudnn.allow_tf32)
from harness.energy.auto import create_meter
from harness.energy.nvml import NvmlMeter
print("nvml probe:", NvmlMeter().probe())
print("auto meter:", create_meter({"name": "auto"})[1])
EOF

# 3. the benchmark: GPU (torch eager on CUDA, NVML energy), then the CPU references, then the
#    onnxruntime CUDA target, which the device's CPU-only onnxruntime must record as skipped.
BENCH=(-c 'from harness.run.hydra_app import bench; bench()')
step bench-gpu 150 "$PY" "${BENCH[@]}" -m model="$MODELS" quant=fp32 target="$GPU_TARGET" \
  scenario=single_stream,offline meter="$GPU_METER" results_dir="$RES" sweep=gpu
pack
step bench-cpu 180 "$PY" "${BENCH[@]}" -m model="$MODELS" quant=fp32 target=torch_cpu,cpu \
  scenario=single_stream,offline meter=auto results_dir="$RES" sweep=cpu_ref
pack
step bench-ort-cuda 60 "$PY" "${BENCH[@]}" model=resnet8 quant=fp32 target=cuda \
  scenario=single_stream meter=auto results_dir="$RES" sweep=ort_cuda
pack

# 4. the tests that skip without a GPU (torch_cuda / onnxruntime-CUDA conformance, NVML meter,
#    torch TF32 option, auto meter on a GPU machine). No -x: one failure must not hide the rest.
echo "===== [pytest] t+$(( $(date +%s) - START ))s" | tee -a "$BLOG"
PT_TIMEOUT=(); "$PY" -c 'import pytest_timeout' 2>/dev/null && PT_TIMEOUT=(--timeout=120)
timeout -k 10 "$(budget 150)" "$PY" -m pytest -q -rsfE -p no:cacheprovider "${PT_TIMEOUT[@]}" \
  tests/conformance/test_builtin_backends.py tests/unit/energy/test_energy_nvml.py \
  tests/unit/energy/test_energy_auto.py tests/unit/backends/test_backend_registry.py \
  -k 'cuda or nvml or gpu or tf32 or auto_on_this_machine' 2>&1 | tee "$OUT/pytest.log"
echo "===== [pytest] rc=${PIPESTATUS[0]} (t+$(( $(date +%s) - START ))s)" | tee -a "$BLOG"

# 5. one line per record (status, headline, energy source, device, TF32, reason)
step summary 20 "$PY" - "$RES" <<'EOF' | tee "$OUT/summary.txt"
import json, sys
from pathlib import Path
for f in sorted(Path(sys.argv[1]).rglob("*.json")):
    r = json.loads(f.read_text())
    if "scenario" not in r or "status" not in r:
        continue
    s, e, b = r.get("scenario") or {}, r.get("energy") or {}, r.get("backend") or {}
    head = s.get("headline_value")
    head = (f"{head / 1e6:.4f} ms {s.get('headline_metric')}" if s.get("headline_unit") == "ns"
            else f"{head:.1f} {s.get('headline_unit')}" if head is not None else "-")
    thr = s.get("throughput_sps")
    energy = (f"{e.get('meter')}/{e.get('provenance')} {(e.get('gross_j_per_sample') or 0) * 1e3:.3f} "
              f"mJ/sample ({(e.get('scope') or '')[:30]})" if e.get("meter") else "-")
    dev = b.get("device_name") or b.get("device") or ""
    print(f"{f.parent.parent.name}/{f.stem}: {r['status']} | {head} | "
          f"{thr and round(thr, 1)} samples/s | {energy} | {b.get('runtime', '')} "
          f"{b.get('runtime_version', '')} {dev} tf32={b.get('tf32', '-')} | "
          f"warnings={len(r.get('warnings') or [])} | {(r.get('reason') or '')[:200]}")
EOF
pack
ls -la "$OUT"
echo "total t+$(( $(date +%s) - START ))s"
