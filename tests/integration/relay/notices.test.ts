import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LogCapture } from './helpers/log-capture.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { requestAndFetch } from './helpers/flow.js';
import { startTestRelay, type StoreKind } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

/**
 * Completion notices (完了通知) reach VRS exactly once in effect: through a VRS outage and through
 * a relay restart, with the Redis outbox and with the file outbox.
 */
describe.each<StoreKind>(['redis', 'memory'])('completion notices (%s store)', (store) => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let wallet: CardWallet;
  const prefix = `t${Math.random().toString(16).slice(2, 10)}:`;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await vrs?.destroy();
  });

  const printed = async (kiosk: Kiosk, slug: string) => {
    const { sid, rid, doc } = await requestAndFetch(kiosk, wallet, slug, { municipality: '131016', kind: 'domestic', copies: 1 });
    return { sid, rid, digest: String(doc.headers['content-digest']), certificateId: String(doc.headers['certificate-id']) };
  };

  it('delivers a notice completed while VRS is down once VRS is back, once', async () => {
    const relay = await startTestRelay({ vrsUrl: vrs.url, store, redisUrl: inject('redisUrl'), logs, env: { REDIS_KEY_PREFIX: `${prefix}a:` } });
    try {
      const kiosk = new Kiosk(relay.url, 'KIOSK-0001');
      const p = await printed(kiosk, 'yamada-taro');
      await vrs.stop();
      const done = await kiosk.call('POST', `/v1/sessions/${p.sid}/requests/${p.rid}/completion`, { outcome: 'printed', paid: 120, contentDigest: p.digest });
      expect(done.status).toBe(200);
      // A repeat while VRS is still down changes nothing.
      expect(
        (await kiosk.call('POST', `/v1/sessions/${p.sid}/requests/${p.rid}/completion`, { outcome: 'printed', paid: 120, contentDigest: p.digest })).json,
      ).toEqual(done.json);
      await logs.waitFor((l) => l.event === 'notice_retry' && l.certificateId === p.certificateId && l.attempts === 2, 5000, 'a second retry');
      expect(await relay.outbox.pending()).toBe(1);
      expect(await vrs.noticeCount(p.certificateId)).toBe(0);
      await vrs.start();
      // Logged once VRS answered and the entry left the outbox: with it empty no delivery is in flight.
      await logs.waitFor((l) => l.event === 'notice_delivered' && l.certificateId === p.certificateId, 10_000, 'delivery after VRS is back');
      expect(await relay.outbox.pending()).toBe(0);
      expect(await vrs.noticeCount(p.certificateId)).toBe(1);
      const { rows } = await vrs.db.query<{ status: string; copies: number; fee: number; kiosk_id: string }>(
        'SELECT status, copies, fee, kiosk_id FROM certificate_issuances WHERE certificate_id = $1',
        [p.certificateId],
      );
      expect(rows[0]).toMatchObject({ status: 'issued', copies: 1, fee: 120, kiosk_id: 'KIOSK-0001' });
    } finally {
      await vrs.start().catch(() => undefined);
      await relay.stop();
    }
  });

  it('delivers notices left pending by a relay that stopped, after its restart, once', async () => {
    const env = { REDIS_KEY_PREFIX: `${prefix}b:` };
    const first = await startTestRelay({ vrsUrl: vrs.url, store, redisUrl: inject('redisUrl'), logs, env });
    let second: Awaited<ReturnType<typeof startTestRelay>> | undefined;
    try {
      const kiosk = new Kiosk(first.url, 'KIOSK-0001');
      const a = await printed(kiosk, 'yamada-taro');
      const b = await printed(kiosk, 'suzuki-ichiro');
      await vrs.stop();
      for (const p of [a, b]) {
        const r = await kiosk.call('POST', `/v1/sessions/${p.sid}/requests/${p.rid}/completion`, { outcome: 'printed', paid: 200, contentDigest: p.digest });
        expect(r.json.receipt).toMatchObject({ fee: 120, change: 80 });
      }
      // VRS is down: both notices wait in the durable outbox when the relay stops
      expect(await first.outbox.pending()).toBe(2);
      await first.stop();
      await vrs.start();
      // The restarted relay finds the same outbox (Redis namespace, or the same OUTBOX_DIR).
      second = await startTestRelay({
        vrsUrl: vrs.url,
        store,
        redisUrl: inject('redisUrl'),
        logs,
        env: { ...env, OUTBOX_DIR: first.outboxDir, BOOKS_DIR: first.env.BOOKS_DIR! },
      });
      expect(await second.outbox.pending()).toBe(2);
      // Logged once VRS answered and the entry left the outbox: with it empty no delivery is in flight.
      for (const p of [a, b])
        await logs.waitFor((l) => l.event === 'notice_delivered' && l.certificateId === p.certificateId, 10_000, 'delivery after restart');
      expect(await second.outbox.pending()).toBe(0);
      for (const p of [a, b]) expect(await vrs.noticeCount(p.certificateId)).toBe(1);
    } finally {
      await vrs.start().catch(() => undefined);
      await first.stop();
      await second?.stop();
    }
  });
});
