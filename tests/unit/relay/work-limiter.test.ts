import { describe, expect, it } from 'vitest';
import { WorkLimiter, type WorkDecision } from '../../../services/relay/admission/work-limiter.js';
import { loadRelayConfig } from '../../../services/relay/config.js';

const granted = (a: WorkDecision) => {
  if (!('permit' in a)) throw new Error(`refused: ${a.refused}`);
  return a.permit;
};

describe('WorkLimiter', () => {
  it('runs at most maxInflight items and hands freed slots to waiting step 4s before step 3s, oldest first', async () => {
    const l = new WorkLimiter({ maxInflight: 2, maxWaitMs: 60_000, maxQueue: 10 });
    const p1 = granted(await l.acquire('normal'));
    const p2 = granted(await l.acquire('normal'));
    const order: string[] = [];
    const waits = [
      l.acquire('normal').then((a) => (order.push('step3-a'), a)),
      l.acquire('high').then((a) => (order.push('step4-a'), a)),
      l.acquire('normal').then((a) => (order.push('step3-b'), a)),
      l.acquire('high').then((a) => (order.push('step4-b'), a)),
    ];
    expect(l.inflight).toBe(2);
    expect(l.queued).toBe(4);
    p1.release();
    p1.release(); // idempotent: frees one slot only
    p2.release();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['step4-a', 'step4-b']);
    expect(l.inflight).toBe(2);
    for (const a of await Promise.all(waits.slice(1, 2).concat(waits.slice(3)))) granted(a).release();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['step4-a', 'step4-b', 'step3-a', 'step3-b']);
    for (const a of await Promise.all([waits[0]!, waits[2]!])) granted(a).release();
    expect(l.inflight).toBe(0);
    expect(l.queued).toBe(0);
  });

  it('refuses an item that waited past maxWaitMs, one beyond maxQueue at once, and drops a cancelled waiter', async () => {
    const l = new WorkLimiter({ maxInflight: 1, maxWaitMs: 30, maxQueue: 2 });
    const held = granted(await l.acquire('high'));
    const slow = l.acquire('normal');
    const cancel = new AbortController();
    const cancelled = l.acquire('normal', cancel.signal);
    expect(await l.acquire('high')).toMatchObject({ refused: 'full' });
    cancel.abort();
    expect(await cancelled).toMatchObject({ refused: 'cancelled' });
    expect(await slow).toMatchObject({ refused: 'waited' });
    expect(l.queued).toBe(0);
    held.release();
    granted(await l.acquire('normal')).release();
    expect(l.inflight).toBe(0);
  });

  it('reports how long the oldest waiting item has waited as its queue delay', async () => {
    let now = 1000;
    const l = new WorkLimiter({ maxInflight: 1, maxWaitMs: 60_000, maxQueue: 10, now: () => now });
    const held = granted(await l.acquire('normal'));
    expect(l.queueDelayMs()).toBe(0);
    const first = l.acquire('normal');
    now += 40;
    const second = l.acquire('high');
    now += 10;
    expect(l.queueDelayMs()).toBe(50);
    held.release();
    granted(await second).release();
    expect(l.queueDelayMs()).toBe(0);
    granted(await first).release();
  });
});

describe('relay admission configuration', () => {
  it('derives its defaults from the render workers, and ADMISSION_MAX_INFLIGHT=0 turns it off', () => {
    expect(loadRelayConfig({ RENDER_WORKERS: '2' }).admission).toEqual({ maxInflight: 64, maxWaitMs: 2000, maxQueue: 256, shedDelayMs: 100, retryAfterS: 2 });
    expect(loadRelayConfig({ RENDER_WORKERS: '0' }).admission?.maxInflight).toBe(32);
    expect(loadRelayConfig({ RENDER_WORKERS: '2', ADMISSION_MAX_INFLIGHT: '3', ADMISSION_MAX_WAIT_MS: '500', ADMISSION_SHED_DELAY_MS: '0' }).admission).toEqual(
      { maxInflight: 3, maxWaitMs: 500, maxQueue: 12, shedDelayMs: 0, retryAfterS: 2 },
    );
    expect(loadRelayConfig({ ADMISSION_MAX_INFLIGHT: '0' }).admission).toBeUndefined();
    expect(() => loadRelayConfig({ ADMISSION_MAX_WAIT_MS: '-1' })).toThrow(/ADMISSION_MAX_WAIT_MS/);
  });
});
