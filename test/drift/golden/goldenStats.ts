/**
 * Loads test/fixtures/drift/stats-golden.json (written by generate_stats.py from scipy/numpy) and regenerates its
 * samples from their (seed, n, distribution) specs with the same mulberry32 stream and the same arithmetic as the
 * generator, so the samples are bit-identical to the ones scipy/numpy saw.
 */

import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../support/tempStore.ts';

export type GoldenNumber = number | 'Infinity' | '-Infinity' | 'NaN';

export type Distribution =
  | { kind: 'normal'; mean: number; scale: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'cubed'; scale: number }
  | { kind: 'discrete'; levels: number; step: number }
  | { kind: 'constant'; value: number }
  | { kind: 'category'; levels: number; skew: boolean };

export interface SampleSpec {
  seed: number;
  n: number;
  dist: Distribution;
}

export interface GoldenDistances {
  psi: GoldenNumber;
  js: GoldenNumber;
  js2: GoldenNumber;
  hellinger: GoldenNumber;
  linf: GoldenNumber;
}

export interface Golden {
  versions: Record<string, string>;
  /** [a, x, scipy gammainc, scipy gammaincc, mpmath P, mpmath Q] */
  gamma: [number, number, GoldenNumber, GoldenNumber, GoldenNumber, GoldenNumber][];
  /** [x, scipy gammaln, mpmath] */
  gammaln: [number, GoldenNumber, GoldenNumber][];
  /** [x, df, scipy chi2.sf, mpmath] */
  chi2sf: [number, number, GoldenNumber, GoldenNumber][];
  /** [z, scipy norm.sf, mpmath, scipy erfc, mpmath erfc] */
  normal: [number, GoldenNumber, GoldenNumber, GoldenNumber, GoldenNumber][];
  categorical: {
    reference: SampleSpec;
    current: SampleSpec;
    keys: number[];
    referenceCounts: number[];
    currentCounts: number[];
    /** Evidently chisquare_stattest: [statistic, p] */
    chisquare: [GoldenNumber, GoldenNumber];
    /** chi2_contingency([ref; cur]): [statistic, p, dof] */
    contingency: [GoldenNumber, GoldenNumber, number];
    /** Evidently z_stattest on x != keys[0]: [z, 2 sf(|z|), 2 (1 - cdf(|z|))] */
    z: [GoldenNumber, GoldenNumber, GoldenNumber];
    distances: GoldenDistances;
  }[];
  numeric: {
    reference: SampleSpec;
    current: SampleSpec;
    sturgesReference: GoldenNumber[];
    edges: GoldenNumber[];
    referenceCounts: number[];
    currentCounts: number[];
    probeCounts: number[];
    quantileEdges: GoldenNumber[];
    quantileEdges7: GoldenNumber[];
    distances: GoldenDistances;
  }[];
  corrections: { pValues: GoldenNumber[]; bonferroni: GoldenNumber[]; bh: GoldenNumber[] }[];
}

export const golden: Golden = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/drift/stats-golden.json'), 'utf8'),
) as Golden;

export function value(number: GoldenNumber): number {
  return typeof number === 'number' ? number : Number(number);
}

/** Mirror of sample() in generate_stats.py: keep the operations and their order identical. */
export function sampleOf(spec: SampleSpec): number[] {
  const random = seededRandom(spec.seed);
  const dist = spec.dist;
  const out: number[] = [];
  for (let i = 0; i < spec.n; i++) {
    switch (dist.kind) {
      case 'normal': {
        let sum = 0;
        for (let k = 0; k < 12; k++) {
          sum += random();
        }
        out.push((sum - 6) * dist.scale + dist.mean);
        break;
      }
      case 'uniform':
        out.push(dist.low + random() * (dist.high - dist.low));
        break;
      case 'cubed': {
        const u = random();
        out.push(u * u * u * dist.scale);
        break;
      }
      case 'discrete':
        out.push(Math.floor(random() * dist.levels) * dist.step);
        break;
      case 'constant':
        random();
        out.push(dist.value);
        break;
      case 'category': {
        let u = random();
        if (dist.skew) {
          u = u * u;
        }
        out.push(Math.floor(u * dist.levels));
        break;
      }
    }
  }
  return out;
}

/**
 * |actual - expected| / |expected| (0 when both are equal, including infinities; Infinity when only one is NaN or
 * infinite). Expected values of 0 give the absolute error.
 */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected || (Number.isNaN(actual) && Number.isNaN(expected))) {
    return 0;
  }
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) {
    return Number.POSITIVE_INFINITY;
  }
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

/** Passes when actual is within `relative` of expected relatively, or within `absolute` absolutely. */
export function isClose(actual: number, expected: number, relative: number, absolute = 0): boolean {
  return relativeError(actual, expected) <= relative || Math.abs(actual - expected) <= absolute;
}
