// Objects keyed by names from the store (metric, param and tag names) must treat every string as a plain key:
// "__proto__", "constructor" and "toString" included. A plain `obj[name] = value` would set the prototype for
// "__proto__", and `obj[name]` or `name in obj` would find Object.prototype's members. These helpers only ever
// touch own properties. Shared with the webviews: no Node or DOM APIs here.

export type Dictionary<T> = Record<string, T>;

export function has(dictionary: object, key: string): boolean {
  return Object.hasOwn(dictionary, key);
}

export function get<T>(dictionary: Dictionary<T>, key: string): T | undefined {
  return Object.hasOwn(dictionary, key) ? dictionary[key] : undefined;
}

export function put<T>(dictionary: Dictionary<T>, key: string, value: T): void {
  Object.defineProperty(dictionary, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Own enumerable entries of `source` copied into `target`, later keys winning (an Object.assign that is safe). */
export function merge<T>(target: Dictionary<T>, source: Dictionary<T>): Dictionary<T> {
  for (const key of Object.keys(source)) put(target, key, source[key] as T);
  return target;
}
