import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisOutbox } from '../../../services/relay/notices/redis-outbox.js';
import { LogCapture } from './helpers/log-capture.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { spawnRelay, type RelayProcess } from './helpers/relay-process.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

/**
 * Takamatsu 2023: a single-server build ran on several servers and mixed requests. Two relay
 * processes against one Redis serve one kiosk fleet: a session opened on one continues on the
 * other, a document is served once across both, a notice is delivered once.
 */
describe('relay: two processes, one Redis', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let a: RelayProcess;
  let b: RelayProcess;
  let wallet: CardWallet;
  /** The outbox both processes share, read directly. */
  let redis: Redis;
  let outbox: RedisOutbox;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    const env = {
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
      VRS_URL: vrs.url,
      SERVICE_HOURS: '00:00-24:00',
      NOTICE_RETRY_BASE_MS: '100',
      NOTICE_RETRY_MAX_MS: '400',
      NOTICE_POLL_MS: '100',
      LOG_LEVEL: 'info',
    };
    redis = new Redis(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX });
    outbox = new RedisOutbox(redis);
    [a, b] = await Promise.all([
      spawnRelay({ ...env, OUTBOX_DIR: await mkdtemp(join(tmpdir(), 'relay-a-')), BOOKS_DIR: await mkdtemp(join(tmpdir(), 'relay-books-a-')) }),
      spawnRelay({ ...env, OUTBOX_DIR: await mkdtemp(join(tmpdir(), 'relay-b-')), BOOKS_DIR: await mkdtemp(join(tmpdir(), 'relay-books-b-')) }),
    ]);
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.quit();
    await vrs?.destroy();
  });

  it('continues a session across processes, step by step', async () => {
    const onA = new Kiosk(a.url, 'KIOSK-0001');
    const onB = new Kiosk(b.url, 'KIOSK-0001');
    const open = await onA.call('POST', '/v1/sessions');
    const sid = open.json.sessionId as string;
    const { body } = await wallet.present('sato-hanako', open.json.challenge);
    const card = await onB.call('POST', `/v1/sessions/${sid}/card`, body);
    expect(card.status, JSON.stringify(card.json)).toBe(200);
    // The challenge taken on B is gone for A too.
    expect((await onA.call('POST', `/v1/sessions/${sid}/card`, body)).json.code).toBe('ERR_SESSION_STATE');
    const created = await onA.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '122246', kind: 'domestic', copies: 1 });
    expect(created.status).toBe(201);
    const rid = created.json.requestId as string;
    const path = `/v1/sessions/${sid}/requests/${rid}/document`;
    const [x, y] = await Promise.all([onA.call('GET', path), onB.call('GET', path)]);
    expect([x.status, y.status].sort()).toEqual([200, 410]);
    const doc = x.status === 200 ? x : y;
    const id = String(doc.headers['certificate-id']);
    const body6 = { outcome: 'printed', paid: 120, contentDigest: String(doc.headers['content-digest']) };
    const [c1, c2] = await Promise.all([
      onB.call('POST', `${path.replace('/document', '/completion')}`, body6),
      onA.call('POST', `${path.replace('/document', '/completion')}`, body6),
    ]);
    expect(c1.status).toBe(200);
    expect(c2.json).toEqual(c1.json);
    // One of the two processes logs the delivery once VRS acknowledged it and the shared outbox let
    // go of it; with that outbox empty, no second delivery is in flight anywhere.
    const delivered = (l: Record<string, unknown>) => l.event === 'notice_delivered' && l.certificateId === id;
    await Promise.any([a.waitForLine(delivered), b.waitForLine(delivered)]);
    expect(await outbox.pending()).toBe(0);
    expect(await vrs.noticeCount(id)).toBe(1);
    // Another kiosk on the other process sees nothing of it.
    expect((await new Kiosk(b.url, 'KIOSK-0002').call('DELETE', `/v1/sessions/${sid}`)).status).toBe(404);
    expect((await onB.call('DELETE', `/v1/sessions/${sid}`)).status).toBe(204);
    expect((await onA.call('DELETE', `/v1/sessions/${sid}`)).status).toBe(404);
  });

  it('decides racing completions once across the two processes, in both orders', async () => {
    for (const [first, second] of [
      [a, b],
      [b, a],
    ] as const) {
      const kiosk = new Kiosk(first.url, 'KIOSK-0001');
      const open = await kiosk.call('POST', '/v1/sessions');
      const sid = open.json.sessionId as string;
      await kiosk.call('POST', `/v1/sessions/${sid}/card`, (await wallet.present('sato-hanako', open.json.challenge)).body);
      const rid = (await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '122246', kind: 'domestic', copies: 1 })).json.requestId as string;
      const doc = await kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
      const path = `/v1/sessions/${sid}/requests/${rid}/completion`;
      const [p, c] = await Promise.all([
        kiosk.call('POST', path, { outcome: 'printed', paid: 120, contentDigest: String(doc.headers['content-digest']) }),
        new Kiosk(second.url, 'KIOSK-0001').call('POST', path, { outcome: 'cancelled', paid: 0 }),
      ]);
      expect([p.status, c.status].sort()).toEqual([200, 409]);
      const outcome = (p.status === 200 ? p : c).json.outcome as string;
      expect((p.status === 409 ? p : c).json).toMatchObject({ code: 'ERR_COMPLETION_CONFLICT', outcome });
      const id = String(doc.headers['certificate-id']);
      const want = outcome === 'printed' ? 'issued' : 'released';
      const delivered = (l: Record<string, unknown>) => l.event === 'notice_delivered' && l.certificateId === id;
      await Promise.any([a.waitForLine(delivered), b.waitForLine(delivered)]);
      expect((await vrs.db.query<{ status: string }>('SELECT status FROM certificate_issuances WHERE certificate_id = $1', [id])).rows[0]?.status).toBe(want);
      expect(await vrs.noticeCount(id)).toBe(outcome === 'printed' ? 1 : 0);
    }
  });

  it('keeps many interleaved sessions of three kiosks apart across both processes', async () => {
    const holders = [
      ['KIOSK-0001', 'yamada-taro', '山田\u3000太郎', '131016'],
      ['KIOSK-0002', 'suzuki-ichiro', '鈴木\u3000一郎', '131016'],
      ['KIOSK-0003', 'nakamura-yuko', '中村\u3000優子', '162027'],
    ] as const;
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const [kioskId, slug, name, municipality] = holders[i % 3]!;
        const first = new Kiosk(i % 2 ? a.url : b.url, kioskId);
        const second = new Kiosk(i % 2 ? b.url : a.url, kioskId);
        const open = await first.call('POST', '/v1/sessions');
        const { body } = await wallet.present(slug, open.json.challenge);
        const card = await second.call('POST', `/v1/sessions/${open.json.sessionId}/card`, body);
        expect(card.json.holder.name).toBe(name);
        const created = await first.call('POST', `/v1/sessions/${open.json.sessionId}/requests`, { municipality, kind: 'domestic', copies: 1 });
        expect(created.json.preview.name).toBe(name);
        const doc = await second.call('GET', `/v1/sessions/${open.json.sessionId}/requests/${created.json.requestId}/document`);
        expect(doc.status).toBe(200);
        await first.call('DELETE', `/v1/sessions/${open.json.sessionId}`);
        return { name, id: String(doc.headers['certificate-id']) };
      }),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    for (const r of results) {
      const { rows } = await vrs.db.query<{ source: { person: { name: string } } }>('SELECT source FROM certificate_issuances WHERE certificate_id = $1', [
        r.id,
      ]);
      expect(rows[0]!.source.person.name).toBe(r.name);
    }
  });
});
