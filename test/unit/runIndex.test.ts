import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { get } from '../../src/platform/dictionary.ts';
import { isProcessAlive } from '../../src/platform/processLiveness.ts';
import { indexCacheFile } from '../../src/runs/indexCache.ts';
import { type IndexChange, RunIndex } from '../../src/runs/runIndex.ts';
import { jsonl, tempDir, writeRunFiles } from '../support/tempStore.ts';

const workerScript = new URL('../../src/runs/runsWorker.ts', import.meta.url);

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** The store files opened while `action` runs. */
async function countOpens<T>(action: () => Promise<T>): Promise<{ result: T; opened: string[] }> {
  const opened: string[] = [];
  const openSync = fs.openSync;
  fs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
    if (/\.jsonl$/.test(String(file))) opened.push(String(file));
    return (openSync as (...args: unknown[]) => number)(file, ...rest);
  }) as typeof fs.openSync;
  try {
    return { result: await action(), opened };
  } finally {
    fs.openSync = openSync;
  }
}

function makeStore(runs: number, metricsPerRun = 20): string {
  const store = tempDir();
  for (let index = 0; index < runs; index++) {
    const points = Array.from({ length: metricsPerRun }, (_, step) => ({ name: step % 2 ? 'val/loss' : 'train/loss', step: Math.floor(step / 2), value: 1 / (step + 1 + index) }));
    writeRunFiles(store, `run-${String(index).padStart(4, '0')}`, {
      run: jsonl({ type: 'start', experiment: `exp${index % 3}`, name: `r${index}`, time: 1_700_000_000_000 + index }, { type: 'params', values: { seed: index } }, { type: 'end', status: 'finished', exitCode: 0 }),
      metrics: jsonl(...points),
    });
  }
  return store;
}

describe('RunIndex', () => {
  it('lists every run on the first load and resolves defaults', async () => {
    const store = tempDir();
    writeRunFiles(store, '20260301-101500-abcdef', { metrics: jsonl({ name: 'a', step: 0, value: 1 }) });
    writeRunFiles(store, 'named', { run: jsonl({ type: 'start', experiment: 'e', name: 'Named run', host: 'elsewhere', pid: 1 }) });
    fs.mkdirSync(path.join(store, 'runs', 'not-a-run'));
    fs.mkdirSync(path.join(store, 'runs', 'bad name!'));
    const index = new RunIndex({ storeDir: store, useCache: false });
    const change = await index.load();
    assert.deepEqual(change.added.sort(), ['20260301-101500-abcdef', 'named']);
    const fromId = index.get('20260301-101500-abcdef');
    assert.equal(fromId?.experiment, 'default');
    assert.equal(fromId?.name, '20260301-101500-abcdef');
    assert.equal(fromId?.startTime, Date.UTC(2026, 2, 1, 10, 15, 0));
    assert.equal(index.get('named')?.status, 'running', 'another host: no way to tell, so running');
  });

  it('marks a run lost when its process on this host is gone, and running while it lives', async () => {
    const store = tempDir();
    writeRunFiles(store, 'alive', { run: jsonl({ type: 'start', host: os.hostname(), pid: process.pid, time: Date.now() }) });
    writeRunFiles(store, 'gone', { run: jsonl({ type: 'start', host: os.hostname(), pid: deadPid(), time: Date.now() }) });
    writeRunFiles(store, 'ended', { run: jsonl({ type: 'start', host: os.hostname(), pid: deadPid() }, { type: 'end', status: 'killed' }) });
    const index = new RunIndex({ storeDir: store, useCache: false });
    await index.load();
    assert.equal(index.get('alive')?.status, 'running');
    assert.equal(index.get('gone')?.status, 'lost');
    assert.equal(index.get('ended')?.status, 'killed');
  });

  it('tells a pid reused by a newer process from the run that recorded it', () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(process.pid, Date.now() - 3_600_000 * 24 * 365), process.platform !== 'linux');
  });

  it('reports liveness changes when asked', async () => {
    const store = tempDir();
    const alive = { value: true };
    writeRunFiles(store, 'r', { run: jsonl({ type: 'start', host: 'me', pid: 123 }) });
    const index = new RunIndex({ storeDir: store, useCache: false, liveness: { hostname: 'me', isAlive: () => alive.value } });
    await index.load();
    assert.deepEqual(index.checkLiveness(), []);
    alive.value = false;
    assert.deepEqual(index.checkLiveness(), ['r']);
    assert.equal(index.get('r')?.status, 'lost');
  });

  it('refreshes a live run from its last offset and notifies listeners', async () => {
    const store = tempDir();
    const dir = writeRunFiles(store, 'live', { run: jsonl({ type: 'start' }), metrics: jsonl({ name: 'loss', step: 0, value: 2 }) });
    const index = new RunIndex({ storeDir: store, useCache: false });
    await index.load();
    const changes: IndexChange[] = [];
    index.onDidChange((change) => changes.push(change));
    assert.deepEqual(index.refresh(['live']).updated, [], 'nothing changed');
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), jsonl({ name: 'loss', step: 1, value: 1 }));
    assert.deepEqual(index.refresh(['live']), { added: [], updated: ['live'], removed: [] });
    assert.equal(index.get('live')?.metrics.loss?.last, 1);
    writeRunFiles(store, 'new', { run: jsonl({ type: 'start' }) });
    fs.rmSync(dir, { recursive: true });
    assert.deepEqual(index.refresh(['new', 'live']), { added: ['new'], updated: [], removed: ['live'] });
    assert.equal(changes.length, 2);
  });

  it('warm-loads from the cache without reading unchanged runs again', async () => {
    const store = makeStore(30);
    const cold = new RunIndex({ storeDir: store });
    await cold.load();
    assert.equal(await cold.saveCache(), true);
    assert.equal(await cold.saveCache(), false, 'nothing new to write');
    assert.equal(fs.readFileSync(path.join(store, 'cache', '.gitignore'), 'utf8').trim().split('\n').pop(), '*');

    // With every run unchanged, the warm load opens no store file.
    const warm = new RunIndex({ storeDir: store });
    const { result: change, opened } = await countOpens(() => warm.load());
    assert.deepEqual(opened, []);
    assert.equal(change.added.length, 30);
    assert.deepEqual(warm.list(), cold.list());

    const metrics = path.join(store, 'runs', 'run-0007', 'metrics.jsonl');
    fs.appendFileSync(metrics, jsonl({ name: 'train/loss', step: 50, value: 0.001 }));
    const third = new RunIndex({ storeDir: store });
    const grown = await countOpens(() => third.load());
    assert.deepEqual(grown.opened.sort(), [metrics, path.join(store, 'runs', 'run-0007', 'run.jsonl')].sort(), 'only the grown run is read');
    assert.equal(third.get('run-0007')?.metrics['train/loss']?.last, 0.001, 'a grown file is read from its cached offset');
  });

  it('ignores a corrupt or foreign cache', async () => {
    const store = makeStore(3);
    fs.mkdirSync(path.dirname(indexCacheFile(store)), { recursive: true });
    for (const content of ['{', '{"format":"mltrail-run-index","version":999,"runs":[]}', '{"format":"mltrail-run-index","version":1,"runs":[null,5,{"id":3}]}']) {
      fs.writeFileSync(indexCacheFile(store), content);
      const index = new RunIndex({ storeDir: store });
      assert.equal((await index.load()).added.length, 3);
    }
  });

  it('keeps NaN and infinite metric values through the cache', async () => {
    const store = tempDir();
    writeRunFiles(store, 'r', { metrics: jsonl({ name: 'nan', step: 0, value: 'NaN' }, { name: 'inf', step: 0, value: 'Infinity' }, { name: 'inf', step: 1, value: '-Infinity' }) });
    const cold = new RunIndex({ storeDir: store });
    await cold.load();
    await cold.saveCache();
    const warm = new RunIndex({ storeDir: store });
    await warm.load();
    const metrics = warm.get('r')?.metrics;
    assert.ok(Number.isNaN(metrics?.nan?.last) && Number.isNaN(metrics?.nan?.min));
    assert.deepEqual(metrics?.inf, { last: -Infinity, step: 1, min: -Infinity, max: Infinity, count: 2 });
  });

  it('reads in worker threads with the same result as on the calling thread', async () => {
    const store = makeStore(150);
    const inline = new RunIndex({ storeDir: store, useCache: false });
    const threaded = new RunIndex({ storeDir: store, useCache: false, workerScript, maxWorkers: 2 });
    await Promise.all([inline.load(), threaded.load()]);
    const byId = (index: RunIndex) => index.list().sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(threaded.list().length, 150);
    assert.deepEqual(byId(threaded), byId(inline));
  });

  it('reports removed runs on a later scan, and problems with absolute paths', async () => {
    const store = makeStore(2);
    writeRunFiles(store, 'broken', { run: 'garbage\n' });
    const index = new RunIndex({ storeDir: store, useCache: false });
    await index.load();
    assert.deepEqual(index.problems().map((problem) => [problem.runId, problem.path, problem.line]), [['broken', path.join(store, 'runs', 'broken', 'run.jsonl'), 1]]);
    fs.rmSync(path.join(store, 'runs', 'run-0000'), { recursive: true });
    assert.deepEqual(await index.load(), { added: [], updated: [], removed: ['run-0000'] });
  });

  it('treats a missing store as empty', async () => {
    const index = new RunIndex({ storeDir: path.join(tempDir(), 'nothing-here') });
    assert.deepEqual((await index.load()).added, []);
  });
});

describe('RunIndex on hostile and broken stores', () => {
  it('reads metric, param and tag names like __proto__, constructor and toString as plain names', async () => {
    const store = tempDir();
    writeRunFiles(store, 'r', {
      run: '{"type":"params","values":{"__proto__":{"polluted":true},"constructor":1}}\n{"type":"tags","values":{"toString":"x"}}\n',
      metrics: ['__proto__', 'constructor', 'toString', 'toString', 'valueOf'].map((name, index) => `{"name":"${name}","step":0,"value":${index}}\n`).join(''),
    });
    const index = new RunIndex({ storeDir: store, useCache: false });
    await index.load();
    const run = index.get('r');
    assert.deepEqual(Object.keys(run?.metrics ?? {}), ['__proto__', 'constructor', 'toString', 'valueOf']);
    assert.equal(get(run?.metrics ?? {}, 'toString')?.last, 3, 'the repeated step of toString: the last line wins');
    assert.deepEqual(Object.keys(run?.params ?? {}), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(run?.params), Object.prototype);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { step?: unknown }).step, undefined);
  });

  it('reports an unreadable run file as a problem of its run and loads the rest', async () => {
    const store = makeStore(3);
    fs.mkdirSync(path.join(store, 'runs', 'odd'));
    fs.mkdirSync(path.join(store, 'runs', 'odd', 'run.jsonl'));
    fs.rmSync(path.join(store, 'runs', 'run-0002', 'metrics.jsonl'));
    fs.symlinkSync('metrics.jsonl', path.join(store, 'runs', 'run-0002', 'metrics.jsonl'));
    const index = new RunIndex({ storeDir: store, useCache: false });
    const change = await index.load();
    assert.deepEqual(change.added.sort(), ['odd', 'run-0000', 'run-0001', 'run-0002']);
    const problems = index.problems().map((problem) => `${problem.runId}/${problem.file}:${problem.line} ${problem.message.split('(')[0]}`).sort();
    assert.deepEqual(problems, ['odd/run.jsonl:0 cannot read this file ', 'run-0002/metrics.jsonl:0 cannot read this file ']);
    assert.equal(index.get('run-0002')?.experiment, 'exp2', 'its run.jsonl is still read');
  });

  it('drops cache entries of the wrong shape and reads those runs again', async () => {
    const store = makeStore(2);
    const cold = new RunIndex({ storeDir: store });
    await cold.load();
    await cold.saveCache();
    const file = indexCacheFile(store);
    const cache = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: Array<{ id: string; metrics: unknown; nonFinite?: number }> };
    const planted = cache.runs.find((entry) => entry.id === 'run-0001');
    assert.ok(planted);
    planted.metrics = { 'train/loss': null };
    planted.nonFinite = 1;
    fs.writeFileSync(file, JSON.stringify(cache));
    const warm = new RunIndex({ storeDir: store });
    await warm.load();
    assert.deepEqual(warm.get('run-0001'), cold.get('run-0001'));
  });
});
