import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompletionNotice } from '../../../services/common/lgwan-contract.js';
import { createLogger } from '../../../services/common/logger.js';
import { FileOutbox } from '../../../services/relay/notices/file-outbox.js';
import { NoticeWorker } from '../../../services/relay/notices/notice-worker.js';

const notice = (certificateId: string): CompletionNotice => ({
  certificateId, municipality: '131016', kind: 'domestic', copies: 1, fee: 120, kioskId: 'KIOSK-0001', storeId: 'STORE-TOKYO-001', issuedAt: new Date().toISOString(),
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
    let calls = 0;
    const delivered: string[] = [];
    const worker = new NoticeWorker({
      outbox: new FileOutbox(dir), log: createLogger({ service: 'test', level: 'silent' }), baseMs: 20, maxMs: 50, pollMs: 10,
      deliver: async (n) => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('down'), { code: 'ERR_UPSTREAM' });
        delivered.push(n.certificateId);
        return { certificateId: n.certificateId, status: 'recorded' };
      },
    });
    worker.start();
    const until = Date.now() + 5000;
    while (delivered.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await worker.stop();
    expect(delivered).toEqual(['B2']);
    expect(calls).toBe(3);
    expect(await new FileOutbox(dir).pending()).toBe(0);
  });
});
