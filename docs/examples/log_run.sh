#!/bin/sh
# Records a training run in the MLTrail store with nothing but POSIX shell tools.
# Usage: sh log_run.sh [store-dir]   (default: .mltrail)
set -eu

store="${1:-.mltrail}"
run_id="$(date -u +%Y%m%d-%H%M%S)-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
run_dir="$store/runs/$run_id"
mkdir -p "$run_dir"

now_ms() { echo "$(date +%s)000"; }
# Each record is one line, written with one printf: safe beside other appenders.
record() { printf '%s\n' "$1" >> "$run_dir/run.jsonl"; }
metric() { printf '{"name":"%s","step":%s,"value":%s,"time":%s}\n' "$1" "$2" "$3" "$(now_ms)" >> "$run_dir/metrics.jsonl"; }

record "{\"type\":\"start\",\"time\":$(now_ms),\"experiment\":\"shell-demo\",\"name\":\"lr=0.1\",\"command\":[\"sh\",\"log_run.sh\"],\"host\":\"$(hostname)\",\"pid\":$$}"
record '{"type":"params","values":{"lr":0.1,"epochs":5}}'
trap 'record "{\"type\":\"end\",\"time\":$(now_ms),\"status\":\"failed\",\"exitCode\":1}"' EXIT

step=0
while [ "$step" -lt 5 ]; do
  loss=$(awk -v s="$step" 'BEGIN { printf "%.4f", 1 / (s + 1) }')
  metric "train/loss" "$step" "$loss"
  step=$((step + 1))
done

trap - EXIT
record "{\"type\":\"end\",\"time\":$(now_ms),\"status\":\"finished\",\"exitCode\":0}"
echo "$run_id"
