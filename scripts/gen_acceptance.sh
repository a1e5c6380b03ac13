#!/usr/bin/env bash
# Issue 18's acceptance sweep: the SmolLM2-135M shape (random weights), prompt 128 / output 64,
# single stream, 8 requests, on every local engine at its fp32 and its smaller weight format,
# each judged against the transformers float32 reference (generative.quality), into one folder.
# Usage: bash scripts/gen_acceptance.sh results/gen_acceptance [THREADS]
set -uo pipefail
out=${1:-results/gen_acceptance}; threads=${2:-2}
bench=(.venv/bin/harness-bench model=smollm2_135m scenario=gen_single_stream
       generative.prompts.input_tokens=128 generative.prompts.output_tokens=64
       generative.prompts.requests=8 generative.quality.enabled=true meter=estimated
       generative.options.threads="$threads" "results_dir=$out")
"${bench[@]}" generative.engine=transformers
for fmt in fp32 int4; do
  "${bench[@]}" generative.engine=onnxruntime_genai generative.options.weight_format=$fmt; done
for fmt in fp32 int8 int4; do
  "${bench[@]}" generative.engine=openvino_genai generative.options.weight_format=$fmt; done
for fmt in f32 q8_0 q4_k_m; do
  "${bench[@]}" generative.engine=llama_cpp generative.options.weight_format=$fmt; done
