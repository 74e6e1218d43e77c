import { parsePythonFloat } from './numberText.ts';
import type { PointColumns } from './pointColumns.ts';
import type { LineError } from './sourceProblems.ts';

const INTEGER = /^[-+]?\d+$/;

/**
 * Parses a DVCLive metric file (plots/metrics/<name>.tsv): a header `[timestamp]\tstep\t<name>`, then one row
 * per logged value, lines ending as the writer's OS ends them. Rows it cannot read are returned, the rest pushed.
 */
export function parseDvcLiveTsv(text: string, points: PointColumns): LineError[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  const stepColumn = header.indexOf('step');
  const timeColumn = header.indexOf('timestamp');
  const valueColumn = header.findLastIndex((_, column) => column !== stepColumn && column !== timeColumn);
  if (stepColumn < 0 || valueColumn < 0) return [{ line: 1, message: 'expected a header "[timestamp]<tab>step<tab><metric>"; file skipped' }];
  const errors: LineError[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const error = parseRow(line.split('\t'), header.length, { stepColumn, timeColumn, valueColumn }, points);
    if (error) errors.push({ line: index + 1, message: `${error} (line skipped)` });
  }
  return errors;
}

function parseRow(fields: string[], width: number, columns: { stepColumn: number; timeColumn: number; valueColumn: number }, points: PointColumns): string | undefined {
  if (fields.length !== width) return `expected ${width} tab-separated fields, found ${fields.length}`;
  const step = fields[columns.stepColumn] as string;
  if (!INTEGER.test(step)) return 'the step is not an integer';
  const time = columns.timeColumn < 0 ? '' : (fields[columns.timeColumn] as string);
  if (columns.timeColumn >= 0 && !INTEGER.test(time)) return 'the timestamp is not an integer';
  const value = parsePythonFloat(fields[columns.valueColumn] as string);
  if (value === undefined) return 'the value is not a number';
  points.push(Number(step), value, time === '' ? Number.NaN : Number(time));
  return undefined;
}
