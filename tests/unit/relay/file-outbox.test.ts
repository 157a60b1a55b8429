import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import type { CompletionNotice } from '../../../services/common/lgwan-contract.js';
import { createLogger } from '../../../services/common/logger.js';
import { FileOutbox } from '../../../services/relay/notices/file-outbox.js';
import { NoticeWorker } from '../../../services/relay/notices/notice-worker.js';

const notice = (certificateId: string): CompletionNotice => ({
  certificateId,
  municipality: '131016',
  kind: 'domestic',
  copies: 1,
  fee: 120,
  kioskId: 'KIOSK-0001',
  storeId: 'STORE-TOKYO-001',
  issuedAt: new Date().toISOString(),
});

describe('FileOutbox and NoticeWorker', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const fresh = async () => {
    const d = await mkdtemp(join(tmpdir(), 'relay-outbox-'));
    dirs.push(d);
    return d;
  };

  it('de-duplicates by certificate ID, queued or delivered', async () => {
    const o = new FileOutbox(await fresh());
    expect(await o.enqueue(notice('A1'))).toBe(true);
    expect(await o.enqueue(notice('A1'))).toBe(false);
    expect(await o.pending()).toBe(1);
    await o.ack('A1');
    expect(await o.enqueue(notice('A1'))).toBe(false);
    expect(await o.pending()).toBe(0);
  });

  it('retries with backoff until acknowledged, and survives a new outbox object (restart)', async () => {
    const dir = await fresh();
    await new FileOutbox(dir).enqueue(notice('B2'));
    const clock = new ManualClock();
    const start = clock.now().getTime();
    const attemptsAt: number[] = [];
    const delivered: string[] = [];
    const worker = new NoticeWorker({
      outbox: new FileOutbox(dir),
      log: createLogger({ service: 'test', level: 'silent' }),
      baseMs: 20,
      maxMs: 50,
      pollMs: 10,
      clock,
      deliver: async (n) => {
        attemptsAt.push(clock.now().getTime() - start);
        if (attemptsAt.length < 3) throw Object.assign(new Error('down'), { code: 'ERR_UPSTREAM' });
        delivered.push(n.certificateId);
        return { certificateId: n.certificateId, status: 'recorded' };
      },
    });
    // One poll: time moves by `ms`, the worker's poll timer fires, and the test waits for that pass.
    const poll = async (ms: number) => {
      clock.advance(ms);
      return worker.runOnce();
    };
    worker.start();
    expect(await poll(0)).toBe(0);
    expect(attemptsAt).toEqual([0]);
    // The first retry is due 15–20 ms later (20 ms less up to a quarter of jitter), not at the next poll.
    expect(await poll(10)).toBe(0);
    expect(await poll(10)).toBe(0);
    expect(attemptsAt).toEqual([0, 20]);
    // The delay doubles: 40 ms less jitter.
    let acknowledged = 0;
    while (attemptsAt.length < 3 && clock.now().getTime() - start < 100) acknowledged += await poll(10);
    await worker.stop();
    expect(attemptsAt).toHaveLength(3);
    expect(attemptsAt[2]! - attemptsAt[1]!).toBeGreaterThanOrEqual(30);
    expect(attemptsAt[2]! - attemptsAt[1]!).toBeLessThanOrEqual(40);
    expect(acknowledged).toBe(1);
    expect(delivered).toEqual(['B2']);
    expect(await new FileOutbox(dir).pending()).toBe(0);
  });
});
