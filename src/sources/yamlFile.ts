import fs from 'node:fs';
import type { SourceProblem } from './externalSource.ts';
import { parseSimpleYaml } from './simpleYaml.ts';
import { addLineProblems, describeError } from './sourceProblems.ts';

/**
 * A YAML file that must hold a mapping. Undefined, with the reason among `problems`, when it cannot be read or
 * holds something else; `missing` when there is no such file (which callers may take as "not one of ours").
 */
export function readYamlMapping(file: string, problems: SourceProblem[]): Record<string, unknown> | 'missing' | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    problems.push({ path: file, message: `cannot read: ${describeError(error)}` });
    return undefined;
  }
  const { value, problems: yamlProblems } = parseSimpleYaml(text);
  addLineProblems(problems, file, yamlProblems);
  if (value === null && text.trim() === '') return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ path: file, message: 'expected a YAML mapping of keys to values' });
    return undefined;
  }
  return value as Record<string, unknown>;
}
