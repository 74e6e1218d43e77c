import type { Column, CsvProblem, CsvTable } from './csv.ts';

/**
 * JSON Lines into columns: one object per line; a key is a column. Numbers make a numeric column unless a string
 * shows up in it; strings, booleans and nested values (as JSON) are categories; null and absent keys are missing.
 * A line that is not a JSON object is reported and skipped.
 */
export function readJsonl(text: string, maxProblems = 100): CsvTable {
  const rows: Array<Record<string, unknown>> = [];
  const problems: CsvProblem[] = [];
  const names: string[] = [];
  const known = new Set<string>();
  text.replace(/^\uFEFF/, '').split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (problems.length < maxProblems) problems.push({ line: index + 1, message: `not valid JSON (${(error as Error).message}); skipped` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      if (problems.length < maxProblems) problems.push({ line: index + 1, message: 'not a JSON object; skipped' });
      return;
    }
    for (const key of Object.keys(value)) {
      if (!known.has(key)) {
        known.add(key);
        names.push(key);
      }
    }
    rows.push(value as Record<string, unknown>);
  });
  const cell = (row: Record<string, unknown>, name: string) => (Object.hasOwn(row, name) ? row[name] : undefined);
  const columns = names.map((name): Column => {
    const values = rows.map((row) => cell(row, name));
    const numeric = values.every((value) => value === null || value === undefined || typeof value === 'number');
    if (numeric) {
      const numbers = Float64Array.from(values, (value) => (typeof value === 'number' ? value : Number.NaN));
      return { kind: 'numeric', name, values: numbers, integer: numbers.every((value) => Number.isNaN(value) || Number.isInteger(value)) };
    }
    const dictionary: string[] = [];
    const codes = new Map<string, number>();
    const codeOf = (value: unknown) => {
      if (value === null || value === undefined) return -1;
      const key = typeof value === 'string' ? value : JSON.stringify(value);
      let code = codes.get(key);
      if (code === undefined) {
        code = dictionary.length;
        codes.set(key, code);
        dictionary.push(key);
      }
      return code;
    };
    return { kind: 'categorical', name, codes: Int32Array.from(values, codeOf), dictionary };
  });
  return { columns, rows: rows.length, problems };
}
