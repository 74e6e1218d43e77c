// Bundles the extension host entry (CommonJS, as VS Code loads it), the Kubernetes core the extension loads on
// first use (kept out of the extension's bundle: the client is large), the CLI, the worker threads and one bundle
// per webview. `--production` minifies and drops source maps; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const production = process.argv.includes('--production');
const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

const node = { ...common, platform: 'node', target: 'node22.19' };

/** ESM bundles that still contain CommonJS dependencies need `require` in scope. */
const esmRequireBanner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

const builds = [
  {
    ...node,
    entryPoints: { extension: 'src/extension.ts', kubernetes: 'src/jobs/kubernetes/index.ts' },
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    external: ['vscode'],
    outdir: 'dist',
  },
  {
    ...node,
    entryPoints: { cli: 'src/cli.ts' },
    format: 'esm',
    define: { MLTRAIL_VERSION: JSON.stringify(version) },
    outdir: 'dist',
    banner: { js: `#!/usr/bin/env node\n${esmRequireBanner}` },
  },
  {
    ...node,
    entryPoints: { runs: 'src/runs/runsWorker.ts', compare: 'src/compare/compareWorker.ts', sources: 'src/sources/sourcesWorker.ts', drift: 'src/drift/driftWorker.ts', datasets: 'src/datasets/datasetsWorker.ts' },
    format: 'esm',
    outdir: 'dist/workers',
    banner: { js: esmRequireBanner },
  },
  {
    ...common,
    platform: 'browser',
    target: 'chrome120',
    format: 'esm',
    entryPoints: { runDetails: 'webviews/runs/runDetails.ts', compare: 'webviews/compare/compare.ts', driftReport: 'webviews/drift/driftReport.ts', modelCard: 'webviews/models/modelCard.ts' },
    outdir: 'dist/webviews',
  },
];

function copyStaticAssets() {
  fs.mkdirSync('dist/webviews/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webviews/codicons/${file}`);
  }
}

fs.rmSync('dist', { recursive: true, force: true });
copyStaticAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('[esbuild] watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
