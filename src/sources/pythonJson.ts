/**
 * JSON as Python's json module writes it, which spells non-finite floats NaN, Infinity and -Infinity (not valid
 * JSON). Those become the strings 'NaN', 'Infinity' and '-Infinity'. Throws a SyntaxError like JSON.parse.
 */
export function parsePythonJson(text: string): unknown {
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) => (token.startsWith('"') ? token : `"${token}"`)));
}

/** A number from parsed Python JSON: a number, or one of the strings the non-finite floats became. */
export function pythonJsonNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return undefined;
}
