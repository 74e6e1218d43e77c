"""Records a training run in the MLTrail store using only Python's standard library.

Usage: python3 log_run.py [store-dir]   (default: .mltrail)
"""
import json
import math
import os
import secrets
import socket
import sys
import time


def now_ms():
    return int(time.time() * 1000)


def append(path, record):
    # One line, one write, opened for appending: safe beside other appenders.
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, allow_nan=False) + "\n")


def json_number(value):
    # JSON has no NaN or Infinity: the store writes them as strings.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


store = sys.argv[1] if len(sys.argv) > 1 else ".mltrail"
run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
run_dir = os.path.join(store, "runs", run_id)
os.makedirs(run_dir, exist_ok=True)
run_file = os.path.join(run_dir, "run.jsonl")
metrics_file = os.path.join(run_dir, "metrics.jsonl")

params = {"lr": 0.01, "epochs": 5, "optimizer": "adam"}
append(run_file, {"type": "start", "time": now_ms(), "experiment": "python-demo", "name": "lr=0.01",
                  "command": sys.argv[:1], "host": socket.gethostname(), "pid": os.getpid()})
append(run_file, {"type": "params", "values": params})

try:
    for step in range(params["epochs"]):
        loss = 1 / (step + 1)
        append(metrics_file, {"name": "train/loss", "step": step, "value": json_number(loss), "time": now_ms()})
        append(metrics_file, {"name": "val/acc", "step": step, "value": json_number(1 - loss / 2), "time": now_ms()})
except BaseException:
    append(run_file, {"type": "end", "time": now_ms(), "status": "failed", "exitCode": 1})
    raise

append(run_file, {"type": "end", "time": now_ms(), "status": "finished", "exitCode": 0})
print(run_id)
