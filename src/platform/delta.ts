// Deltas between two versions of a view model, so webviews get what changed instead of whole snapshots.
// Shared by the extension host and the webviews: no Node or DOM APIs here.
import { has, merge, put } from './dictionary.ts';

/** Changes to a string-keyed map: entries added or changed, and keys removed. */
export interface MapDelta<T> {
  set?: Record<string, T>;
  remove?: string[];
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffMap<T>(previous: Record<string, T>, next: Record<string, T>): MapDelta<T> | undefined {
  const delta: MapDelta<T> = {};
  for (const key of Object.keys(next)) {
    if (!has(previous, key) || !equal(previous[key], next[key])) put((delta.set ??= {}), key, next[key] as T);
  }
  for (const key of Object.keys(previous)) if (!has(next, key)) (delta.remove ??= []).push(key);
  return delta.set || delta.remove ? delta : undefined;
}

export function applyMapDelta<T>(target: Record<string, T>, delta: MapDelta<T>): Record<string, T> {
  const result = merge({}, target);
  for (const key of delta.remove ?? []) delete result[key];
  // Keys set for the first time go last, as they would in the full model.
  return merge(result, delta.set ?? {});
}

/** Top-level fields that changed, each with its new value (maps are compared whole; use diffMap inside them). */
export function diffFields<T extends object>(previous: T, next: T, keys: readonly (keyof T)[]): Partial<T> | undefined {
  const changed: Partial<T> = {};
  let any = false;
  for (const key of keys) {
    if (!equal(previous[key], next[key])) {
      changed[key] = next[key];
      any = true;
    }
  }
  return any ? changed : undefined;
}
