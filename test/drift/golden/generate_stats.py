"""Writes test/fixtures/drift/stats-golden.json: expected outputs of scipy 1.10.1 / numpy 1.24 (Debian's
/usr/bin/python3) for the drift statistics in src/drift/stats/, plus mpmath references for the special functions.

Run: /usr/bin/python3 test/drift/golden/generate_stats.py [OUT_DIR]
(OUT_DIR defaults to test/fixtures/drift/; test/unit/drift/golden.test.ts regenerates the file into a temporary
directory and compares it with the committed one.)

Samples are not stored: each is a (seed, n, distribution) spec that test/unit/drift/*.test.ts regenerates with the
same mulberry32 stream (golden_random.py / seededRandom) using only + - * and floor on the uniforms, so the values
are bit-identical on both sides. Non-finite numbers are written as the strings "Infinity", "-Infinity", "NaN".
"""

import json
import math
import os
import sys

import mpmath as mp
import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_random import SeededRandom  # noqa: E402

mp.mp.dps = 40
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures', 'drift')


def num(value):
    value = float(value)
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    return value


def sample(spec):
    """Mirror of sampleOf() in test/drift/golden/goldenStats.ts: keep the operations and their order identical."""
    rnd = SeededRandom(spec['seed'])
    dist = spec['dist']
    kind = dist['kind']
    out = []
    for _ in range(spec['n']):
        if kind == 'normal':
            s = 0.0
            for _ in range(12):
                s += rnd()
            out.append((s - 6.0) * dist['scale'] + dist['mean'])
        elif kind == 'uniform':
            out.append(dist['low'] + rnd() * (dist['high'] - dist['low']))
        elif kind == 'cubed':
            u = rnd()
            out.append(u * u * u * dist['scale'])
        elif kind == 'discrete':
            out.append(math.floor(rnd() * dist['levels']) * dist['step'])
        elif kind == 'constant':
            rnd()
            out.append(dist['value'])
        elif kind == 'category':
            u = rnd()
            if dist.get('skew'):
                u = u * u
            out.append(math.floor(u * dist['levels']))
        else:
            raise ValueError(kind)
    return np.array(out, dtype=np.float64)


def mp_pq(a, x):
    """(P, Q) at 40 digits, independent of scipy: the smaller tail directly (power series for x < a, Lentz continued
    fraction for x >= a), the other as 1 minus it. Cross-checked against mpmath.gammainc where that converges."""
    a, x = mp.mpf(a), mp.mpf(x)
    eps = mp.mpf(10) ** (-mp.mp.dps + 2)
    log_prefactor = a * mp.log(x) - x - mp.loggamma(a)
    if x < a:
        term, total, r = mp.mpf(1), mp.mpf(1), a
        while True:
            r += 1
            term *= x / r
            total += term
            if term < eps * total:
                break
        p = mp.exp(log_prefactor) * total / a
        return p, 1 - p
    tiny = mp.mpf(10) ** -600
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h, i = d, 0
    while True:
        i += 1
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = d if abs(d) > tiny else tiny
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < eps:
            break
    q = mp.exp(log_prefactor) * h
    return 1 - q, q


def mp_p(a, x):
    return mp_pq(a, x)[0]


def mp_q(a, x):
    return mp_pq(a, x)[1]


def gamma_cases():
    cases = []
    seen = set()
    a_values = [0.5, 1, 2.5, 10, 100, 1000, 19999 / 2, 10000, 1e5, 1e6]
    ratios = [1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 1, 1.01, 1.05, 1.1, 1.2, 1.5, 2, 3, 5, 10, 30, 100]
    sigmas = [-40, -30, -20, -10, -5, -4.5, -3, -2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 3, 4.5, 5, 10, 20, 30, 40]
    absolute = [1e-300, 1e-100, 1e-10, 0.1, 1, 2, 5, 10, 50, 100, 300, 700, 1500]
    for a in a_values:
        xs = [a * r for r in ratios] + absolute
        if a >= 10:
            xs += [a + k * math.sqrt(a) for k in sigmas]
        for x in xs:
            if x <= 0 or (a, x) in seen:
                continue
            seen.add((a, x))
            p_true, q_true = mp_pq(a, x)
            # keep values down to ~1e-300 (normal doubles) on the side that is not 1
            if min(p_true, q_true) < mp.mpf('1e-300') and min(p_true, q_true) != 0:
                continue
            cases.append([a, x, num(special.gammainc(a, x)), num(special.gammaincc(a, x)), num(p_true), num(q_true)])
    return cases


def chi2_cases():
    cases = []
    for df in [1, 2, 3, 10, 50, 4000, 19999, 20000, 20001, 100000]:
        spread = math.sqrt(2 * df)
        for k in [-8, -5, -3, -2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 3, 5, 8, 15, 30]:
            x = df + k * spread
            if x <= 0:
                continue
            truth = mp_q(mp.mpf(df) / 2, mp.mpf(x) / 2)
            if truth < mp.mpf('1e-300'):
                continue
            cases.append([x, df, num(stats.chi2.sf(x, df)), num(truth)])
    # the case @stdlib gets 0.8% wrong, and far tails
    for x, df in [(20000, 19999), (5000, 4000), (200, 10), (1000, 10), (3000, 100), (1e-5, 1), (1e-3, 5)]:
        cases.append([x, df, num(stats.chi2.sf(x, df)), num(mp_q(mp.mpf(df) / 2, mp.mpf(x) / 2))])
    return cases


def gammaln_cases():
    xs = [1e-300, 1e-10, 1e-3, 0.1, 0.5, 0.9, 1, 1.5, 2, 2.5, 3, 4.7, 7.3, 9.99, 10, 10.01, 33.3, 100.5, 1234.5, 1e5, 1e6, 1e10, 1e100,
          -0.5, -1.5, -2.7]
    return [[x, num(special.gammaln(x)), num(mp.log(abs(mp.gamma(mp.mpf(x)))))] for x in xs]


def normal_cases():
    zs = [-8, -3, -1.5, -0.3, 0, 1e-8, 0.1, 0.5, 0.7, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 35, 37,
          0.3333, 1.2345, 5.3, 7.77, 12.7, 18.9, 21.1, 24.6, 26.3, 31.7, 36.1]
    return [[z, num(stats.norm.sf(z)), num(mp.ncdf(-mp.mpf(z))), num(special.erfc(z)), num(mp.erfc(mp.mpf(z)))] for z in zs]


def counts_of(values, keys):
    return [int(np.sum(values == k)) for k in keys]


def categorical_cases():
    cases = []
    specs = []
    seed = 1000
    for levels_ref, levels_cur, skew_ref, skew_cur, n_ref, n_cur in [
        (2, 2, False, False, 500, 400), (2, 2, False, True, 1200, 800), (2, 2, True, True, 50, 70), (3, 3, False, True, 600, 600),
        (5, 5, False, False, 2000, 1500), (5, 6, False, False, 900, 700), (8, 8, True, False, 3000, 1000), (12, 12, False, False, 5000, 5000),
        (20, 20, True, True, 10000, 8000), (4, 4, False, False, 100000, 90000), (3, 4, True, True, 300, 200), (2, 3, False, False, 80, 90),
        (6, 6, True, False, 40, 35), (10, 10, False, True, 700, 900), (2, 2, False, False, 20, 30), (30, 30, False, False, 4000, 3000),
    ]:
        seed += 17
        specs.append(({'seed': seed, 'n': n_ref, 'dist': {'kind': 'category', 'levels': levels_ref, 'skew': skew_ref}},
                      {'seed': seed + 7, 'n': n_cur, 'dist': {'kind': 'category', 'levels': levels_cur, 'skew': skew_cur}}))
    # and a deterministic spread of further configurations
    rnd = SeededRandom(77)
    for _ in range(24):
        seed += 17
        levels = 2 + math.floor(rnd() * 9)
        extra = 1 if rnd() < 0.25 else 0
        n_ref = 20 + math.floor(rnd() * rnd() * 20000)
        n_cur = 20 + math.floor(rnd() * rnd() * 20000)
        specs.append(({'seed': seed, 'n': n_ref, 'dist': {'kind': 'category', 'levels': levels, 'skew': rnd() < 0.5}},
                      {'seed': seed + 7, 'n': n_cur, 'dist': {'kind': 'category', 'levels': levels + extra, 'skew': rnd() < 0.5}}))
    for ref_spec, cur_spec in specs:
        ref, cur = sample(ref_spec), sample(cur_spec)
        keys = sorted(set(ref.tolist()) | set(cur.tolist()))
        ref_counts, cur_counts = counts_of(ref, keys), counts_of(cur, keys)
        # Evidently chisquare_stattest
        f_exp = np.array(ref_counts, dtype=float) * (len(cur) / len(ref))
        with np.errstate(divide='ignore', invalid='ignore'):
            gof = stats.chisquare(np.array(cur_counts, dtype=float), f_exp)
        # chi2_contingency on [ref; cur] (NannyML / alibi-detect)
        cont = stats.chi2_contingency(np.array([ref_counts, cur_counts]))
        # Evidently z_stattest on x != keys[0]
        ref_success = float(np.sum(ref != keys[0]))
        cur_success = float(np.sum(cur != keys[0]))
        n1, n2 = len(ref), len(cur)
        p1, p2 = ref_success / n1, cur_success / n2
        pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        ref_share = np.array(ref_counts, dtype=float) / len(ref)
        cur_share = np.array(cur_counts, dtype=float) / len(cur)
        cases.append({
            'reference': ref_spec, 'current': cur_spec, 'keys': keys, 'referenceCounts': ref_counts, 'currentCounts': cur_counts,
            'chisquare': [num(gof.statistic), num(gof.pvalue)],
            'contingency': [num(cont[0]), num(cont[1]), int(cont[2])],
            'z': [num(z), num(2 * stats.norm.sf(abs(z))), num(2 * (1 - stats.norm.cdf(abs(z))))],
            'distances': distances(ref_share, cur_share),
        })
    return cases


def feel_zeroes(percents):
    """Evidently get_binned_data(feel_zeroes=True)."""
    percents = percents.copy()
    nonzero = percents[percents != 0]
    np.place(percents, percents == 0, min(nonzero) / 10**6 if min(nonzero) <= 0.0001 else 0.0001)
    return percents


def distances(ref_share, cur_share):
    r, c = feel_zeroes(ref_share), feel_zeroes(cur_share)
    psi = float(np.sum((r - c) * np.log(r / c)))
    p, q = ref_share / np.sum(ref_share), cur_share / np.sum(cur_share)
    return {
        'psi': num(psi),
        'js': num(distance.jensenshannon(ref_share, cur_share)),
        'js2': num(distance.jensenshannon(ref_share, cur_share, base=2)),
        'hellinger': num(np.sqrt(1 - np.sum(np.sqrt(p * q)))),
        'linf': num(np.max(np.abs(p - q))),
    }


def numeric_cases():
    cases = []
    seed = 5000
    pairs = [
        ({'kind': 'normal', 'mean': 0.0, 'scale': 1.0}, {'kind': 'normal', 'mean': 0.0, 'scale': 1.0}, 1000, 1000),
        ({'kind': 'normal', 'mean': 0.0, 'scale': 1.0}, {'kind': 'normal', 'mean': 0.25, 'scale': 1.0}, 5000, 3000),
        ({'kind': 'normal', 'mean': 10.0, 'scale': 2.0}, {'kind': 'normal', 'mean': 10.0, 'scale': 3.0}, 20000, 20000),
        ({'kind': 'normal', 'mean': -3.5, 'scale': 0.1}, {'kind': 'normal', 'mean': -3.4, 'scale': 0.1}, 777, 1333),
        ({'kind': 'uniform', 'low': 0.0, 'high': 1.0}, {'kind': 'uniform', 'low': 0.2, 'high': 1.2}, 1024, 1024),
        ({'kind': 'uniform', 'low': -1e6, 'high': 1e6}, {'kind': 'uniform', 'low': -1e6, 'high': 1e6}, 512, 512),
        ({'kind': 'cubed', 'scale': 100.0}, {'kind': 'cubed', 'scale': 120.0}, 4096, 2048),
        ({'kind': 'cubed', 'scale': 1e-3}, {'kind': 'normal', 'mean': 5e-4, 'scale': 1e-4}, 3000, 100),
        ({'kind': 'discrete', 'levels': 10, 'step': 0.5}, {'kind': 'discrete', 'levels': 12, 'step': 0.5}, 2500, 2500),
        ({'kind': 'discrete', 'levels': 40, 'step': 0.1}, {'kind': 'discrete', 'levels': 40, 'step': 0.1}, 100000, 50000),
        ({'kind': 'constant', 'value': 3.25}, {'kind': 'constant', 'value': 3.25}, 50, 60),
        ({'kind': 'normal', 'mean': 1.0, 'scale': 1.0}, {'kind': 'normal', 'mean': 4.0, 'scale': 0.5}, 30, 7),
        ({'kind': 'uniform', 'low': 0.0, 'high': 1.0}, {'kind': 'uniform', 'low': 0.0, 'high': 1.0}, 1, 1),
        ({'kind': 'normal', 'mean': 0.0, 'scale': 1.0}, {'kind': 'cubed', 'scale': 3.0}, 65536, 65536),
    ]
    rnd = SeededRandom(99)
    for _ in range(16):
        shift = (rnd() - 0.5) * 2
        scale = 0.5 + rnd() * 2
        pairs.append(({'kind': 'normal', 'mean': 0.0, 'scale': 1.0}, {'kind': 'normal', 'mean': shift, 'scale': scale},
                      10 + math.floor(rnd() * 20000), 10 + math.floor(rnd() * 20000)))
    for ref_dist, cur_dist, n_ref, n_cur in pairs:
        seed += 31
        ref_spec = {'seed': seed, 'n': n_ref, 'dist': ref_dist}
        cur_spec = {'seed': seed + 11, 'n': n_cur, 'dist': cur_dist}
        ref, cur = sample(ref_spec), sample(cur_spec)
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        ref_counts = np.histogram(ref, bins=edges)[0]
        cur_counts = np.histogram(cur, bins=edges)[0]
        ref_share = ref_counts / len(ref)
        cur_share = cur_counts / len(cur)
        quantile_edges = np.quantile(ref, np.linspace(0, 1, 11))
        # outside-range and edge values for histogram semantics
        probe = np.concatenate([edges, [edges[0] - 1, edges[-1] + 1], (edges[:-1] + edges[1:]) / 2])
        cases.append({
            'reference': ref_spec, 'current': cur_spec,
            'sturgesReference': [num(v) for v in np.histogram_bin_edges(ref, bins='sturges')],
            'edges': [num(v) for v in edges], 'referenceCounts': [int(v) for v in ref_counts], 'currentCounts': [int(v) for v in cur_counts],
            'probeCounts': [int(v) for v in np.histogram(probe, bins=edges)[0]],
            'quantileEdges': [num(v) for v in quantile_edges],
            'quantileEdges7': [num(v) for v in np.quantile(cur, np.linspace(0, 1, 8))],
            'distances': distances(ref_share, cur_share),
        })
    return cases


def bh(pvals):
    """statsmodels.stats.multitest.multipletests(method='fdr_bh') adjusted p-values (statsmodels is not installed here)."""
    pvals = np.asarray(pvals, dtype=float)
    order = np.argsort(pvals)
    sorted_p = np.take(pvals, order)
    nobs = len(sorted_p)
    ecdffactor = np.arange(1, nobs + 1) / float(nobs)
    raw = sorted_p / ecdffactor
    corrected = np.minimum.accumulate(raw[::-1])[::-1]
    corrected[corrected > 1] = 1
    out = np.empty_like(corrected)
    out[order] = corrected
    return out


def correction_cases():
    cases = []
    for seed, m in [(1, 1), (2, 5), (3, 20), (4, 100), (5, 7)]:
        rnd = SeededRandom(seed)
        pvals = []
        for i in range(m):
            u = rnd()
            pvals.append(u * u * u if i % 3 else u * 1e-3)
        if m == 7:
            pvals = [0.01, 0.01, 0.04, 0.04, 0.5, 1.0, 0.0]  # ties, 0 and 1
        bonf = np.minimum(np.asarray(pvals) * len(pvals), 1)
        cases.append({'pValues': [num(p) for p in pvals], 'bonferroni': [num(v) for v in bonf], 'bh': [num(v) for v in bh(pvals)]})
    return cases


def main(out_dir=OUT_DIR):
    out = os.path.join(out_dir, 'stats-golden.json')
    golden = {
        'generator': 'test/drift/golden/generate_stats.py',
        'versions': {'scipy': scipy.__version__, 'numpy': np.__version__, 'mpmath': mp.__version__},
        'gamma': gamma_cases(),
        'gammaln': gammaln_cases(),
        'chi2sf': chi2_cases(),
        'normal': normal_cases(),
        'categorical': categorical_cases(),
        'numeric': numeric_cases(),
        'corrections': correction_cases(),
    }
    os.makedirs(out_dir, exist_ok=True)
    with open(out, 'w') as handle:
        json.dump(golden, handle, separators=(',', ':'))
        handle.write('\n')
    counts = {key: len(value) for key, value in golden.items() if isinstance(value, list)}
    print(out, os.path.getsize(out), 'bytes', counts)


if __name__ == '__main__':
    main(*sys.argv[1:2])
