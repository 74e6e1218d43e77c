import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_COMPARE_SETTINGS, isFromCompare, sanitizeSettings } from '../../../src/compare/compareProtocol.ts';

test('messages from the webview are accepted only in the exact shapes of the contract', () => {
  assert.ok(isFromCompare({ type: 'ready' }));
  assert.ok(isFromCompare({ type: 'requestSeries', requestId: 3, metric: 'loss', xAxis: 'wall', range: [1, 2] }));
  assert.ok(isFromCompare({ type: 'settings', settings: { smoothing: 0.3, hiddenColumns: ['param:lr'] } }));
  assert.ok(isFromCompare({ type: 'exportPng', name: 'loss', dataUrl: 'data:image/png;base64,AAAA' }));
  for (const bad of [
    null,
    [],
    { type: 'ready', extra: 1 },
    { type: 'requestSeries', requestId: 1.5, metric: 'loss', xAxis: 'step', range: null },
    { type: 'requestSeries', requestId: 1, metric: 'loss', xAxis: 'epoch', range: null },
    { type: 'requestSeries', requestId: 1, metric: 'loss', xAxis: 'step', range: [2, 1] },
    { type: 'settings', settings: { smoothing: 1 } },
    { type: 'settings', settings: { __proto__: { polluted: true }, unknown: 1 } },
    { type: 'exportPng', name: 'x', dataUrl: 'javascript:alert(1)' },
    { type: 'openRun', run: 42 },
    { type: 'runCommand', command: 'rm -rf /' },
  ]) {
    assert.equal(isFromCompare(bad), false, JSON.stringify(bad));
  }
});

test('saved settings keep what is valid and default the rest', () => {
  assert.deepEqual(sanitizeSettings(undefined), DEFAULT_COMPARE_SETTINGS);
  const settings = sanitizeSettings({ xAxis: 'relative', smoothing: 'high', yScale: 'log', sort: { column: 'metric:loss', descending: true }, junk: 1 });
  assert.equal(settings.xAxis, 'relative');
  assert.equal(settings.yScale, 'log');
  assert.equal(settings.smoothing, DEFAULT_COMPARE_SETTINGS.smoothing);
  assert.deepEqual(settings.sort, { column: 'metric:loss', descending: true });
  assert.equal((settings as unknown as Record<string, unknown>).junk, undefined);
});
