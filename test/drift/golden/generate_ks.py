"""Golden cases for src/drift/stats/ks.ts, kolmogorov.ts and wasserstein.ts, computed by scipy.

Run with Debian's python3 (scipy 1.10.1, the version the TypeScript mirrors):

    /usr/bin/python3 test/drift/golden/generate_ks.py [OUT_DIR]

Writes ks-golden.json and wasserstein-golden.json to OUT_DIR (default test/fixtures/drift/; test/unit/drift/
golden.test.ts regenerates them into a temporary directory and compares them with the committed ones). Only case parameters
and scipy's outputs are stored: each sample is regenerated on both sides from a seed with the mulberry32 stream of
golden_random.py (test/support/tempStore.ts seededRandom in TypeScript), using only +, -, * by powers of two and
floor on the uniforms, so Python and JavaScript build bit-identical samples.
"""

import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_random import SeededRandom  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'drift')


def sample(spec):
    """spec = [seed, n, kind, k, scale, shift]; mirrored by sampleFromSpec in the tests.
    uniform:  u * scale + shift
    irwin:    (u1 + ... + uk - k/2) * scale + shift      (bell-shaped)
    discrete: floor(u * k) * scale + shift               (ties)
    constant: shift                                      (no draws)"""
    seed, n, kind, k, scale, shift = spec
    rng = SeededRandom(seed)
    out = []
    for _ in range(n):
        if kind == 'uniform':
            v = rng() * scale + shift
        elif kind == 'irwin':
            s = 0.0
            for _ in range(k):
                s += rng()
            v = (s - k / 2) * scale + shift
        elif kind == 'discrete':
            v = math.floor(rng() * k) * scale + shift
        elif kind == 'constant':
            v = shift
        else:
            raise ValueError(kind)
        out.append(v)
    return np.array(out, dtype=np.float64)


def num(x):
    x = float(x)
    if math.isnan(x):
        return None
    return x


def main(out_dir=OUT_DIR):
    ks_cases = []
    w_cases = []
    seed = [1000]

    def next_seed():
        seed[0] += 1
        return seed[0]

    def add(a_spec, b_spec, methods=('auto',), wasserstein=True, note=''):
        a = sample(a_spec)
        b = sample(b_spec)
        for method in methods:
            r = stats.ks_2samp(a, b, method=method)
            ks_cases.append({'a': a_spec, 'b': b_spec, 'method': method, 'statistic': num(r.statistic), 'pValue': num(r.pvalue), 'note': note})
        if wasserstein:
            w = stats.wasserstein_distance(a, b)
            normed = w / max(np.std(a, ddof=0), 0.001)
            w_cases.append({'a': a_spec, 'b': b_spec, 'distance': num(w), 'normed': num(normed), 'note': note})

    # Tiny samples, every pair of sizes 1..5, same and shifted distributions, exact and asymptotic.
    for n1 in range(1, 6):
        for n2 in range(1, 6):
            add([next_seed(), n1, 'uniform', 0, 1.0, 0.0], [next_seed(), n2, 'uniform', 0, 1.0, 0.0], ('auto', 'asymp'), note='tiny')
            add([next_seed(), n1, 'uniform', 0, 1.0, 0.0], [next_seed(), n2, 'uniform', 0, 1.0, 0.5], ('auto', 'asymp'), note='tiny shifted')
    # Ties: discrete values.
    for k in (2, 3, 5, 10):
        for n1, n2 in ((10, 10), (7, 12), (50, 80), (200, 200), (300, 1000), (2000, 3000)):
            add([next_seed(), n1, 'discrete', k, 1.0, 0.0], [next_seed(), n2, 'discrete', k, 1.0, 0.0], ('auto', 'asymp'), note='ties')
            add([next_seed(), n1, 'discrete', k, 1.0, 0.0], [next_seed(), n2, 'discrete', k + 1, 1.0, 0.0], ('auto', 'asymp'), note='ties shifted')
    # Equal sizes, a range of shifts (p from ~1 down to tiny).
    for n in (6, 10, 25, 50, 100, 250, 500, 1000, 3000, 10000):
        for shift in (0.0, 0.03125, 0.125, 0.5, 1.0, 2.0):
            add([next_seed(), n, 'irwin', 4, 1.0, 0.0], [next_seed(), n, 'irwin', 4, 1.0, shift], ('auto',) if n > 3000 else ('auto', 'asymp'), note='equal sizes')
    # Unequal sizes.
    for n1, n2 in ((7, 13), (20, 30), (33, 100), (100, 137), (250, 400), (999, 1000), (1000, 1500), (3000, 7001), (5000, 2000)):
        for shift in (0.0, 0.0625, 0.25, 1.0):
            add([next_seed(), n1, 'irwin', 3, 1.0, 0.0], [next_seed(), n2, 'irwin', 3, 1.0, shift], ('auto', 'asymp'), note='unequal sizes')
    # Near-identical samples: same seed, a tiny shift (Ruben-Gambino lower edge of kstwo).
    for n1, n2 in ((300, 300), (1000, 1000), (1000, 1001), (200, 203), (141, 143)):
        s = next_seed()
        add([s, n1, 'uniform', 0, 1.0, 0.0], [s, n2, 'uniform', 0, 1.0, 2.0 ** -40], ('auto', 'asymp'), note='near identical')
        add([s, n1, 'uniform', 0, 1.0, 0.0], [s, n2, 'uniform', 0, 1.0, 0.0], ('auto', 'asymp'), note='identical prefix')
    # The exact/asymptotic edge and the 9999 x 10000 inside method.
    for n1, n2 in ((10000, 10000), (10000, 10001), (9999, 10000), (10001, 10001)):
        for shift in (0.0, 0.015625, 0.0625):
            add([next_seed(), n1, 'irwin', 2, 1.0, 0.0], [next_seed(), n2, 'irwin', 2, 1.0, shift], note='auto edge')
    # Exact requested above the auto limit (inside method, lcm < 2^31), and one above the int32 lcm limit.
    add([next_seed(), 12000, 'uniform', 0, 1.0, 0.0], [next_seed(), 15000, 'uniform', 0, 1.0, 0.0078125], ('exact',), note='exact forced')
    add([next_seed(), 46349, 'uniform', 0, 1.0, 0.0], [next_seed(), 46351, 'uniform', 0, 1.0, 0.0], ('exact',), note='exact forced, lcm too big')
    # Large asymptotic, from p ~ 1 down to ~1e-300 and 0.
    for n1, n2 in ((20000, 30000), (25000, 25000), (15000, 40000)):
        for shift in (0.0, 0.0078125, 0.03125, 0.0625, 0.125, 0.16796875, 0.169921875, 0.2, 0.25, 0.375, 0.5):
            add([next_seed(), n1, 'uniform', 0, 1.0, 0.0], [next_seed(), n2, 'uniform', 0, 1.0, shift], note='large asymptotic')
    # Constant columns.
    for n1, n2 in ((1, 1), (5, 9), (100, 100), (1000, 20000)):
        add([0, n1, 'constant', 0, 1.0, 3.0], [0, n2, 'constant', 0, 1.0, 3.0], ('auto', 'asymp'), note='constant equal')
        add([0, n1, 'constant', 0, 1.0, 3.0], [0, n2, 'constant', 0, 1.0, 3.5], ('auto', 'asymp'), note='constant different')
        add([0, n1, 'constant', 0, 1.0, 0.5], [next_seed(), n2, 'uniform', 0, 1.0, 0.0], ('auto', 'asymp'), note='constant vs uniform')
    # Wasserstein at large magnitudes.
    for scale, shift in ((1024.0, 1e6), (2.0 ** 20, -3e9), (2.0 ** -20, 1.0)):
        add([next_seed(), 3000, 'irwin', 4, scale, shift], [next_seed(), 4000, 'irwin', 4, scale, shift + scale / 8], note='magnitude')

    # The kstwo distribution itself on a grid reaching every branch of _kolmogn.
    kstwo_cases = []
    for n in (1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 400000, 1000000, 3000000):
        xs = set()
        for t in (0.4, 0.5, 0.6, 0.75, 0.99, 1.0):
            xs.add(t / n)
        for nx2 in (0.05, 0.3, 0.7, 0.754693, 0.76, 1.0, 2.0, 2.19, 2.2, 3.0, 4.0, 4.1, 10.0, 17.9, 18.0, 50.0, 200.0, 345.0, 369.0, 370.0):
            xs.add(math.sqrt(nx2 / n))
        for x in (0.3, 0.49, 0.5, 0.51, 0.75, 0.9, 1.0 - 1.0 / n, 1.0 - 0.5 / n, 1.0, 1.5):
            xs.add(x)
        for x in sorted(xs):
            if not (0 < x):
                continue
            kstwo_cases.append([n, x, num(stats.kstwo.sf(x, n))])

    meta = {'generator': 'test/drift/golden/generate_ks.py', 'scipy': scipy.__version__, 'numpy': np.__version__}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'ks-golden.json'), 'w') as f:
        json.dump({**meta, 'cases': ks_cases, 'kstwoSf': kstwo_cases}, f, separators=(',', ':'))
        f.write('\n')
    with open(os.path.join(out_dir, 'wasserstein-golden.json'), 'w') as f:
        json.dump({**meta, 'cases': w_cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'{len(ks_cases)} ks cases, {len(kstwo_cases)} kstwo cases, {len(w_cases)} wasserstein cases')


if __name__ == '__main__':
    main(*sys.argv[1:2])
