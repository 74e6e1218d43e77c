// `node test/tools/launch.mjs <node arguments>`: runs Node with those arguments, using a Node >= 22.19 (which runs
// the TypeScript tools and tests directly) even when the one on PATH is older.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { nodeBinDir } from './ensure-node.mjs';

const bin = nodeBinDir();
const result = spawnSync(path.join(bin, 'node'), process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
});
process.exit(result.status ?? 1);
