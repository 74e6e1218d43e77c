"""Records metrics, params, tags, inputs and models from a job started by `mltrail run` (or MLTrail's Run locally
and Run on Kubernetes), with only the standard library: each call prints one line of MLTrail's stdout protocol,
which the runner applies to the run. See docs/jobs.md. Outside a job the lines are plain output.

    from mltrail_log import log_metric, log_params
    log_params(lr=0.01, epochs=10)
    log_metric("train/loss", 0.42, step=3)

Copy this file next to your script (or anywhere on PYTHONPATH). In multi-process training, log from one process
(rank 0), or each point is recorded once per process.
"""
import json
import math
import sys
import threading
import time

__all__ = ["log_metric", "log_metrics", "log_params", "log_tags", "log_input", "log_model"]

_write_lock = threading.Lock()


def _json_value(value):
    # NumPy values and PyTorch tensors become plain numbers and lists (both have tolist(); neither is imported).
    if hasattr(value, "tolist") and callable(value.tolist):
        value = value.tolist()
    # JSON has no NaN or Infinity: the store writes them as these strings.
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    return value


def _emit(record):
    line = json.dumps(_json_value(record), allow_nan=False, default=str) + "\n"
    # One write per line, flushed, under a lock: threads never interleave records, and the runner reads each line
    # as soon as it is complete.
    with _write_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def log_metric(name, value, step=None):
    """One point of a metric (a number, a NumPy number or a one-element tensor); without `step`, the metric's
    highest step so far plus one."""
    record = {"mltrail": "metric", "name": str(name), "value": float(value), "time": int(time.time() * 1000)}
    if step is not None:
        record["step"] = int(step)
    _emit(record)


def log_metrics(values, step=None):
    """One point of each metric in `values` ({"loss": 0.4, "acc": 0.9}), all at the same step."""
    for name, value in values.items():
        log_metric(name, value, step)


def log_params(values=None, /, **more):
    """Params merged into the run's: as keywords, or as a dict for names that are no Python identifiers
    (log_params({"optimizer.lr": 0.01}))."""
    _emit({"mltrail": "params", "values": {**(values or {}), **more}})


def log_tags(values=None, /, **more):
    """Tags merged into the run's, as keywords or as a dict."""
    _emit({"mltrail": "tags", "values": {**(values or {}), **more}})


def log_input(dataset, version=None):
    """A dataset version the run read; without `version`, the latest recorded when the runner applies the line."""
    record = {"mltrail": "input", "dataset": str(dataset)}
    if version is not None:
        record["version"] = int(version)
    _emit(record)


def log_model(name, path):
    """Asks for `path` to be registered as the next version of model `name` when the run finishes."""
    _emit({"mltrail": "model", "name": str(name), "path": str(path)})
