"""The drift bench's comparison: the same work as `mltrail drift` with details, done with pandas + scipy.

Reads both CSVs with pandas.read_csv, then for every numerical column KS (scipy.stats.ks_2samp), Wasserstein
(scipy.stats.wasserstein_distance, normed as Evidently) and PSI on Sturges bins; for every categorical one
chi-square (scipy.stats.chisquare, as Evidently) and Jensen-Shannon (scipy.spatial.distance.jensenshannon).
Prints one JSON line: the wall time in seconds and the number of columns compared.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def psi(reference, current, edges):
    ref = np.histogram(reference, edges)[0] / len(reference)
    cur = np.histogram(current, edges)[0] / len(current)
    ref = np.where(ref == 0, 0.0001, ref)
    cur = np.where(cur == 0, 0.0001, cur)
    return float(np.sum((ref - cur) * np.log(ref / cur)))


def main(reference_file, current_file):
    started = time.perf_counter()
    reference = pd.read_csv(reference_file)
    current = pd.read_csv(current_file)
    compared = 0
    for name in reference.columns:
        ref = reference[name].dropna()
        cur = current[name].dropna()
        if pd.api.types.is_float_dtype(ref):
            stats.ks_2samp(ref, cur)
            stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
            edges = np.histogram_bin_edges(pd.concat([ref, cur]), bins='sturges')
            psi(ref, cur, edges)
        else:
            keys = sorted(set(ref.unique()) | set(cur.unique()))
            ref_counts = ref.value_counts()
            cur_counts = cur.value_counts()
            observed = np.array([cur_counts.get(key, 0) for key in keys], dtype=float)
            expected = np.array([ref_counts.get(key, 0) for key in keys], dtype=float) * len(cur) / len(ref)
            stats.chisquare(observed, expected)
            distance.jensenshannon(observed / observed.sum(), expected / expected.sum())
        compared += 1
    print(json.dumps({"seconds": time.perf_counter() - started, "columns": compared}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
