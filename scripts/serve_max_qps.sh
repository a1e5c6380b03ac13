#!/usr/bin/env bash
# Loopback, fp32, quick profile. Per model: in-process single-stream and server-search
# (max_in_flight=1), then Triton without / with dynamic batching: remote single-stream and
# server-search with 8 concurrent clients, REST and gRPC. BOUND_<model> = p99 bound (ms).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-results/dynbatch2}
declare -A BOUND=([resnet8]=25 [mobilenet_v2]=50)
for model in resnet8 mobilenet_v2; do
  b=${BOUND[$model]}
  SRV="scenario.search_qps=true scenario.latency_bound_ms=$b scenario.search_budget_s=40"
  .venv/bin/harness-bench -m model=$model quant=fp32 target=cpu scenario=single_stream,server \
    $SRV results_dir=$OUT/inproc sweep=${model} >> $OUT.log 2>&1
  for db in off on; do
    extra=""; [ $db = on ] && extra="--dynamic-batching --max-queue-delay-us 2000"
    .venv-serve/bin/harness serve --host 127.0.0.1 --http-port 18100 --grpc-port 18101 \
      --metrics-port 18102 $extra model=$model quant=fp32 target=cpu results_dir=$OUT/serve \
      > $OUT-serve-${model}_$db.log 2>&1 &
    pid=$!
    for i in $(seq 1 240); do curl -sf localhost:18100/v2/models/$model/ready && break; sleep 1; done
    URL="target.options.url=http://127.0.0.1:18100,grpc://127.0.0.1:18101"
    [ $db = off ] && .venv/bin/harness-bench -m model=$model quant=fp32 target=remote $URL \
      scenario=single_stream results_dir=$OUT/remote_db_off sweep=${model}_ss >> $OUT.log 2>&1
    .venv/bin/harness-bench -m model=$model quant=fp32 target=remote $URL scenario=server $SRV \
      scenario.max_in_flight=8 results_dir=$OUT/remote_db_$db sweep=${model}_server >> $OUT.log 2>&1
    kill -TERM $pid; wait $pid
  done
done
echo finished
