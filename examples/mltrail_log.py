"""Records metrics, params, tags, inputs and models from a job started by `mltrail run`, with only the standard
library: each call prints one line of MLTrail's stdout protocol, which the runner applies to the run.
See docs/jobs.md. Outside `mltrail run` the lines are plain output.

    from mltrail_log import log_metric, log_params
    log_params(lr=0.01, epochs=10)
    log_metric("train/loss", 0.42, step=3)
"""
import json
import math
import time

__all__ = ["log_metric", "log_params", "log_tags", "log_input", "log_model"]


def _json_value(value):
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
    # One print, flushed: the runner reads the line as soon as it is complete.
    print(json.dumps(_json_value(record), allow_nan=False, default=str), flush=True)


def log_metric(name, value, step=None):
    """One point of a metric; without `step`, the metric's highest step so far plus one."""
    record = {"mltrail": "metric", "name": name, "value": float(value), "time": int(time.time() * 1000)}
    if step is not None:
        record["step"] = step
    _emit(record)


def log_params(**values):
    _emit({"mltrail": "params", "values": values})


def log_tags(**values):
    _emit({"mltrail": "tags", "values": values})


def log_input(dataset, version=None):
    """A dataset version the run read; without `version`, the latest recorded when the runner applies the line."""
    record = {"mltrail": "input", "dataset": dataset}
    if version is not None:
        record["version"] = version
    _emit(record)


def log_model(name, path):
    """Asks for `path` to be registered as the next version of model `name` when the run finishes."""
    _emit({"mltrail": "model", "name": name, "path": str(path)})
