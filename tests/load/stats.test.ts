import { describe, expect, it } from 'vitest';
import { Counter, LatencyHistogram } from '../../bench/load/stats.js';

describe('load statistics', () => {
  it('gives percentiles within 1 % of the exact order statistic', () => {
    const h = new LatencyHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 0.5 + ((i * 7919) % 10_000) * 0.37);
    values.forEach((v) => h.record(v));
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 95, 99, 99.9]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.011);
    }
    expect(h.count).toBe(10_000);
    expect(h.max).toBe(Math.max(...values));
  });

  it('merges histograms and counts errors by code', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(10);
    b.record(1000);
    a.merge(b);
    expect(a.count).toBe(2);
    expect(a.percentile(100)).toBe(1000);
    const c = new Counter();
    c.add('ERR_UPSTREAM');
    c.add('ERR_UPSTREAM');
    c.add('NET_ECONNRESET');
    expect(c.entries()).toEqual([
      ['ERR_UPSTREAM', 2],
      ['NET_ECONNRESET', 1],
    ]);
    expect(c.total).toBe(3);
  });
});
