import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMetricValue, formatParamValue } from '../../src/platform/format.ts';
import { escapeMarkdown } from '../../src/platform/markdown.ts';
import { formatDuration, formatRelativeTime, parseStoreTime } from '../../src/platform/time.ts';

describe('formatting', () => {
  it('shows metric values with four significant digits and exponents at the extremes', () => {
    assert.equal(formatMetricValue(0.312345), '0.3123');
    assert.equal(formatMetricValue(42), '42');
    assert.equal(formatMetricValue(12345.678), '12350');
    assert.equal(formatMetricValue(0.0000123), '1.23e-5');
    assert.equal(formatMetricValue(123456789.5), '1.235e+8');
    assert.equal(formatMetricValue(Number.NaN), 'NaN');
    assert.equal(formatMetricValue(-Infinity), '-∞');
  });

  it('shows params as text, JSON for non-strings', () => {
    assert.equal(formatParamValue('adam'), 'adam');
    assert.equal(formatParamValue(0.1), '0.1');
    assert.equal(formatParamValue([1, 2]), '[1,2]');
    assert.equal(formatParamValue(null), 'null');
  });

  it('parses ISO strings and epoch milliseconds, and nothing else', () => {
    assert.equal(parseStoreTime('2026-03-01T10:15:00Z'), Date.UTC(2026, 2, 1, 10, 15));
    assert.equal(parseStoreTime(1772360100000), 1772360100000);
    assert.equal(parseStoreTime('soon'), undefined);
    assert.equal(parseStoreTime(Number.NaN), undefined);
    assert.equal(parseStoreTime(true), undefined);
  });

  it('formats relative times and durations', () => {
    const now = Date.UTC(2026, 0, 10);
    assert.equal(formatRelativeTime(now - 30_000, now), 'just now');
    assert.equal(formatRelativeTime(now - 5 * 60_000, now), '5m ago');
    assert.equal(formatRelativeTime(now - 3 * 3_600_000, now), '3h ago');
    assert.equal(formatRelativeTime(now - 40 * 86_400_000, now), '2025-12-01');
    assert.equal(formatDuration(185_000), '3m 05s');
    assert.equal(formatDuration(7_620_000), '2h 07m');
  });

  it('escapes Markdown so store text cannot format, link or inject HTML', () => {
    const escaped = escapeMarkdown('**bold** [x](http://evil) <img src=x onerror=alert(1)> | a\nb');
    assert.doesNotMatch(escaped, /(^|[^\\])[*[\]()<>|]/);
    assert.ok(!escaped.includes('\n'));
  });
});
