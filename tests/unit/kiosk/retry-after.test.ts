import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../kiosk-sim/agent/relay-client.js';

describe('Retry-After of a busy answer, as the kiosk reads it', () => {
  const date = 'Mon, 23 Nov 2026 03:00:00 GMT';

  it('reads delay-seconds and keeps them within 100 ms and 10 s', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs(' 3 ')).toBe(3000);
    expect(retryAfterMs('0')).toBe(100);
    expect(retryAfterMs('120')).toBe(10_000);
  });

  it("reads an HTTP date against the answer's own Date, else against the local clock", () => {
    expect(retryAfterMs('Mon, 23 Nov 2026 03:00:04 GMT', date)).toBe(4000);
    expect(retryAfterMs('Mon, 23 Nov 2026 02:59:00 GMT', date)).toBe(100);
    expect(retryAfterMs('Mon, 23 Nov 2026 03:05:00 GMT', date)).toBe(10_000);
    expect(retryAfterMs('Mon, 23 Nov 2026 03:00:05 GMT', undefined, Date.parse(date))).toBe(5000);
  });

  it('waits 2 s when Retry-After is missing or unreadable', () => {
    expect(retryAfterMs(undefined)).toBe(2000);
    expect(retryAfterMs('')).toBe(2000);
    expect(retryAfterMs('soon')).toBe(2000);
    expect(retryAfterMs('1.5')).toBe(2000);
    expect(retryAfterMs('-1')).toBe(2000);
  });
});
