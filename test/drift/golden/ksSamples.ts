import { seededRandom } from '../../support/tempStore.ts';

export type SampleSpec = [seed: number, n: number, kind: 'uniform' | 'irwin' | 'discrete' | 'constant', k: number, scale: number, shift: number];

/** Mirrors sample() in test/drift/golden/generate_ks.py operation for operation, so the samples are bit-identical. */
export function sampleFromSpec([seed, n, kind, k, scale, shift]: SampleSpec): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') out[i] = random() * scale + shift;
    else if (kind === 'irwin') {
      let s = 0;
      for (let j = 0; j < k; j++) s += random();
      out[i] = (s - k / 2) * scale + shift;
    } else if (kind === 'discrete') out[i] = Math.floor(random() * k) * scale + shift;
    else out[i] = shift;
  }
  return out;
}
