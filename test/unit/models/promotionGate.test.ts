import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GateRule, checkPromotionGate } from '../../../src/models/promotionGate.ts';

const maxRule: GateRule = { metric: 'val/acc', goal: 'max', minDelta: 0 };
const minRule: GateRule = { metric: 'val/loss', goal: 'min', minDelta: 0.05 };
const version = (number: number, metrics: Record<string, number>) => ({ version: number, metrics });

describe('checkPromotionGate', () => {
  it('allows anything with a value when nothing is in production', () => {
    const decision = checkPromotionGate(maxRule, version(1, { 'val/acc': 0.1 }), undefined);
    assert.equal(decision.allowed, true);
    assert.match(decision.reason, /no version is in production/);
  });

  it('goal max: a higher value passes, a tie passes with minDelta 0, a lower one is refused naming both values', () => {
    const production = version(1, { 'val/acc': 0.9 });
    assert.equal(checkPromotionGate(maxRule, version(2, { 'val/acc': 0.91 }), production).allowed, true);
    assert.equal(checkPromotionGate(maxRule, version(2, { 'val/acc': 0.9 }), production).allowed, true);
    const refused = checkPromotionGate(maxRule, version(2, { 'val/acc': 0.85 }), production);
    assert.equal(refused.allowed, false);
    assert.match(refused.reason, /0\.85 \(version 2\).*0\.9 \(production, version 1\).*not higher by at least 0/);
    assert.equal(refused.candidateValue, 0.85);
    assert.equal(refused.productionValue, 0.9);
  });

  it('goal max with minDelta: the gain must reach it', () => {
    const rule: GateRule = { ...maxRule, minDelta: 0.02 };
    const production = version(1, { 'val/acc': 0.9 });
    assert.equal(checkPromotionGate(rule, version(2, { 'val/acc': 0.91 }), production).allowed, false);
    assert.equal(checkPromotionGate(rule, version(2, { 'val/acc': 0.92 }), production).allowed, true);
  });

  it('goal min: lower by at least minDelta passes, less of a drop or a rise is refused', () => {
    const production = version(3, { 'val/loss': 0.5 });
    assert.equal(checkPromotionGate(minRule, version(4, { 'val/loss': 0.44 }), production).allowed, true);
    const tooLittle = checkPromotionGate(minRule, version(4, { 'val/loss': 0.47 }), production);
    assert.equal(tooLittle.allowed, false);
    assert.match(tooLittle.reason, /not lower by at least 0\.05/);
    assert.equal(checkPromotionGate(minRule, version(4, { 'val/loss': 0.6 }), production).allowed, false);
  });

  it('does not let rounding error refuse a gain of exactly minDelta', () => {
    const rule: GateRule = { ...maxRule, minDelta: 0.1 };
    assert.ok(0.7 - 0.6 < 0.1, 'the float difference is below minDelta');
    assert.equal(checkPromotionGate(rule, version(2, { 'val/acc': 0.7 }), version(1, { 'val/acc': 0.6 })).allowed, true);
    assert.equal(checkPromotionGate(rule, version(2, { 'val/acc': 0.6999 }), version(1, { 'val/acc': 0.6 })).allowed, false);
  });

  it('refuses a candidate without the metric, or with NaN, with a clear reason', () => {
    const production = version(1, { 'val/acc': 0.9 });
    const missing = checkPromotionGate(maxRule, version(2, { 'train/acc': 0.99 }), production);
    assert.equal(missing.allowed, false);
    assert.match(missing.reason, /version 2 has no value of "val\/acc"/);
    assert.equal(checkPromotionGate(maxRule, version(2, { 'val/acc': Number.NaN }), undefined).allowed, false);
  });

  it('refuses when production lacks the metric, since there is nothing to compare', () => {
    const decision = checkPromotionGate(maxRule, version(2, { 'val/acc': 0.9 }), version(1, {}));
    assert.equal(decision.allowed, false);
    assert.match(decision.reason, /production version 1 has no value of "val\/acc"/);
  });

  it('finds metric names that are Object.prototype members only as own keys', () => {
    const rule: GateRule = { ...maxRule, metric: 'constructor' };
    assert.equal(checkPromotionGate(rule, version(2, {}), undefined).allowed, false);
  });
});
