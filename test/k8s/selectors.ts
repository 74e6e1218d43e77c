// Label selectors (`a=b,c!=d,e in (x,y),!f`) and field selectors (`involvedObject.name=x`) as the API server reads them.
import { badRequest } from './apiStatus.ts';

type Requirement = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside a `(...)` value set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter((term) => term !== '');
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const [, key, operator, list] = setMatch as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((value) => value.trim()));
    return operator === 'in' ? (labels) => values.has(labels[key] ?? '\0') : (labels) => !values.has(labels[key] ?? '\0');
  }
  const comparison = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
  if (comparison) {
    const [, key, operator, value] = comparison as unknown as [string, string, string, string];
    return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const existence = /^(!?)([\w./-]+)$/.exec(term);
  if (existence) {
    const [, negated, key] = existence as unknown as [string, string, string];
    return negated ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  throw badRequest(`unable to parse requirement: ${term}`);
}

export function parseLabelSelector(selector: string | null): (labels: Record<string, string> | undefined) => boolean {
  const requirements = splitTerms(selector ?? '').map(parseRequirement);
  return (labels) => requirements.every((requirement) => requirement(labels ?? {}));
}

function fieldValue(object: unknown, path: string): string {
  let value: unknown = object;
  for (const segment of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[segment];
  return value === undefined || value === null ? '' : String(value);
}

export function parseFieldSelector(selector: string | null): (object: unknown) => boolean {
  const requirements = splitTerms(selector ?? '').map((term) => {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid field selector: ${term}`);
    const [, path, operator, expected] = match as unknown as [string, string, string, string];
    return operator === '!=' ? (object: unknown) => fieldValue(object, path) !== expected : (object: unknown) => fieldValue(object, path) === expected;
  });
  return (object) => requirements.every((requirement) => requirement(object));
}
