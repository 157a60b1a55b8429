import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { ServiceHours } from '../../../services/relay/service-hours/service-hours.js';

const jst = (hhmm: string) => new Date(`2026-04-01T${hhmm}:00+09:00`);

describe('ServiceHours', () => {
  it('is open from 06:30 (inclusive) to 23:00 (exclusive) JST', () => {
    const h = new ServiceHours('06:30-23:00');
    expect(h.isOpen(jst('06:29'))).toBe(false);
    expect(h.isOpen(jst('06:30'))).toBe(true);
    expect(h.isOpen(jst('22:59'))).toBe(true);
    expect(h.isOpen(jst('23:00'))).toBe(false);
    expect(h.isOpen(jst('03:00'))).toBe(false);
  });
  it('treats 00:00-24:00 as always open', () => {
    const h = new ServiceHours('00:00-24:00');
    for (const t of ['00:00', '06:00', '12:00', '23:59']) expect(h.isOpen(jst(t))).toBe(true);
  });
  it('wraps past midnight when the start is later than the end', () => {
    const h = new ServiceHours('22:00-02:00');
    expect(h.isOpen(jst('23:30'))).toBe(true);
    expect(h.isOpen(jst('01:59'))).toBe(true);
    expect(h.isOpen(jst('02:00'))).toBe(false);
  });
  it('reports now in JST', () => {
    const s = new ServiceHours('06:30-23:00').status(new ManualClock(new Date('2026-04-01T00:00:00Z')));
    expect(s).toEqual({ open: true, hours: '06:30-23:00', now: '2026-04-01T09:00:00.000+09:00' });
  });
});
