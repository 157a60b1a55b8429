import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { LogCapture } from './helpers/log-capture.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { storeKeys } from '../../../services/relay/one-time/store.js';
import { openWithCard } from './helpers/flow.js';
import { watchExpiry } from './helpers/redis-expiry.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

/** Step-4 refusals, lifetimes (expiry without DELETE) and aborted requests leaving nothing behind. */
describe('relay: requests and lifetimes', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let kiosk: Kiosk;
  let wallet: CardWallet;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'redis', redisUrl: inject('redisUrl'), logs });
    kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  async function request(slug: string, choice: Record<string, unknown>) {
    const { sid, card } = await openWithCard(kiosk, wallet, slug);
    expect(card.status, JSON.stringify(card.json)).toBe(200);
    return { sid, card, r: await kiosk.call('POST', `/v1/sessions/${sid}/requests`, choice) };
  }

  it('shows a municipality that does not take part without offering it, and refuses it', async () => {
    const { card, r } = await request('tanaka-ken', { municipality: '011002', kind: 'domestic', copies: 1 });
    // Issue 18: the entry also names whom to ask (contact), as every entry does.
    expect(card.json.municipalities).toEqual([
      {
        code: '011002',
        name: '札幌市',
        domestic: false,
        overseas: false,
        unavailableReason: 'not_participating',
        contact: { office: '札幌市 保健所 感染症総合対策課', phone: '011-622-0001' },
      },
    ]);
    expect([r.status, r.json.code]).toEqual([422, 'ERR_MUNICIPALITY_UNAVAILABLE']);
  });

  it('refuses a municipality that has suspended the service, also when it suspends after the menu', async () => {
    await vrs.db.query("UPDATE municipalities SET suspended = true WHERE code = '162027'");
    try {
      const { card, r } = await request('nakamura-yuko', { municipality: '162027', kind: 'domestic', copies: 1 });
      expect(card.json.municipalities[0]).toMatchObject({ code: '162027', domestic: false, unavailableReason: 'suspended' });
      expect([r.status, r.json.code]).toEqual([422, 'ERR_MUNICIPALITY_UNAVAILABLE']);
    } finally {
      await vrs.db.query("UPDATE municipalities SET suspended = false WHERE code = '162027'");
    }
    const { sid, card } = await openWithCard(kiosk, wallet, 'nakamura-yuko');
    expect(card.json.municipalities[0]).toMatchObject({ domestic: true, overseas: true });
    await vrs.db.query("UPDATE municipalities SET suspended = true WHERE code = '162027'");
    try {
      const r = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '162027', kind: 'domestic', copies: 1 });
      expect([r.status, r.json.code]).toEqual([422, 'ERR_MUNICIPALITY_UNAVAILABLE']);
      expect((await relay.store.sessionKeys(sid)).filter((k) => k.includes(':req:') || k.includes(':doc:'))).toEqual([]);
    } finally {
      await vrs.db.query("UPDATE municipalities SET suspended = false WHERE code = '162027'");
    }
  });

  it('refuses an overseas certificate without passport data on file', async () => {
    const { card, r } = await request('yamada-taro', { municipality: '131016', kind: 'overseas', copies: 1 });
    expect(card.json.municipalities[0]).toMatchObject({ domestic: true, overseas: false, unavailableReason: 'no_passport_on_file' });
    expect([r.status, r.json.code]).toEqual([422, 'ERR_NO_PASSPORT_ON_FILE']);
  });

  it('refuses a resident flagged deceased', async () => {
    const { card, r } = await request('takahashi-misaki', { municipality: '131016', kind: 'domestic', copies: 1 });
    expect(card.json.municipalities[0]).toMatchObject({ domestic: false, overseas: false, unavailableReason: 'not_issuable' });
    expect([r.status, r.json.code]).toEqual([422, 'ERR_NOT_ISSUABLE']);
  });

  it('refuses a municipality the holder has no records in', async () => {
    const { r } = await request('yamada-taro', { municipality: '122246', kind: 'domestic', copies: 1 });
    expect([r.status, r.json.code]).toEqual([422, 'ERR_MUNICIPALITY_UNAVAILABLE']);
  });

  it('refuses copies 0 and 6 with ERR_COPIES, and 5 is fine', async () => {
    const { sid } = await openWithCard(kiosk, wallet, 'yamada-taro');
    for (const copies of [0, 6]) {
      const r = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies });
      expect([r.status, r.json.code]).toEqual([422, 'ERR_COPIES']);
    }
    const bad = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 'two' });
    expect([bad.status, bad.json.code]).toEqual([400, 'ERR_BAD_REQUEST']);
    const ok = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 5 });
    expect([ok.status, ok.json.fee, ok.json.copies]).toEqual([201, 600, 5]);
    expect(ok.json.pages).toBe(5);
  });

  it('forgets a session and an unfetched document on expiry, without DELETE', async () => {
    const short = await startTestRelay({
      vrsUrl: vrs.url,
      store: 'redis',
      redisUrl: inject('redisUrl'),
      logs,
      env: { SESSION_TTL_S: '8', DOCUMENT_TTL_S: '1' },
    });
    // Redis tells when it expired a key: the test waits for that, not for a guessed time.
    const expiry = await watchExpiry(inject('redisUrl'));
    const ns = short.env.REDIS_KEY_PREFIX!;
    try {
      const k = new Kiosk(short.url, 'KIOSK-0001');
      const { sid } = await openWithCard(k, wallet, 'yamada-taro');
      const created = await k.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
      expect(created.status).toBe(201);
      const rid = created.json.requestId as string;
      // The document expires (the session lives on).
      const keys = await short.store.sessionKeys(sid);
      expect(keys).toContain(storeKeys.document(sid, rid));
      await expiry.expired(`${ns}${storeKeys.document(sid, rid)}`);
      const late = await k.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
      expect([late.status, late.json.code]).toEqual([410, 'ERR_CONSUMED']);
      // Then every key of the session, with no DELETE.
      for (const key of await short.store.sessionKeys(sid)) await expiry.expired(`${ns}${key}`);
      expect(await short.store.sessionKeys(sid)).toEqual([]);
      const gone = await k.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
      expect([gone.status, gone.json.code]).toEqual([404, 'ERR_SESSION_NOT_FOUND']);
    } finally {
      await expiry.close();
      await short.stop();
    }
  });

  it('lets a DELETE that lands during a running card check or request win: nothing comes back', async () => {
    for (let i = 0; i < 3; i++) {
      const open = await kiosk.call('POST', '/v1/sessions');
      const sid = open.json.sessionId as string;
      const { body } = await wallet.present('yamada-taro', open.json.challenge);
      const [card] = await Promise.all([
        kiosk.call('POST', `/v1/sessions/${sid}/card`, body),
        new Promise((r) => setTimeout(r, i * 15)).then(() => kiosk.call('DELETE', `/v1/sessions/${sid}`)),
      ]);
      expect([200, 404]).toContain(card.status);
      expect(await relay.store.sessionKeys(sid)).toEqual([]);
    }
    for (let i = 0; i < 3; i++) {
      const { sid } = await openWithCard(kiosk, wallet, 'yamada-taro');
      const [created] = await Promise.all([
        kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 }),
        new Promise((r) => setTimeout(r, 40 + i * 40)).then(() => kiosk.call('DELETE', `/v1/sessions/${sid}`)),
      ]);
      expect([201, 404]).toContain(created.status);
      expect(await relay.store.sessionKeys(sid)).toEqual([]);
    }
  });

  it('aborts the whole request on a VRS timeout (504) and keeps nothing of it', async () => {
    // A VRS that accepts the relay's connection and never answers.
    const pki = pkiPaths();
    const read = (p: string) => readFileSync(p, 'utf8');
    const hanging: Server = createServer(
      { cert: read(pki.server('vrs').cert), key: read(pki.server('vrs').key), ca: read(pki.lgwanCa), requestCert: true, rejectUnauthorized: true },
      () => {},
    );
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    const slow = await startTestRelay({
      vrsUrl: `https://localhost:${(hanging.address() as AddressInfo).port}`,
      store: 'redis',
      redisUrl: inject('redisUrl'),
      logs,
      env: { VRS_TIMEOUT_MS: '300' },
    });
    try {
      const k = new Kiosk(slow.url, 'KIOSK-0001');
      const open = await k.call('POST', '/v1/sessions');
      const { body } = await wallet.present('yamada-taro', open.json.challenge);
      const r = await k.call('POST', `/v1/sessions/${open.json.sessionId}/card`, body);
      expect([r.status, r.json.code]).toEqual([504, 'ERR_UPSTREAM_TIMEOUT']);
      expect(JSON.stringify(r.json)).not.toContain('山田');
      // Nothing of the holder stayed: the session is still only the opened one.
      const keys = await slow.store.sessionKeys(open.json.sessionId);
      expect(keys.map((x) => x.split(':').slice(2).join(':')).sort()).toEqual(['keys', 'session']);
      const raw = await slow.store.get(`relay:{${open.json.sessionId}}:session`);
      expect(JSON.parse(raw!)).not.toHaveProperty('holder');
    } finally {
      await slow.stop();
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('answers 503 ERR_UPSTREAM when VRS is down', async () => {
    await vrs.stop();
    try {
      const open = await kiosk.call('POST', '/v1/sessions');
      const { body } = await wallet.present('yamada-taro', open.json.challenge);
      const r = await kiosk.call('POST', `/v1/sessions/${open.json.sessionId}/card`, body);
      expect([r.status, r.json.code]).toEqual([503, 'ERR_UPSTREAM']);
    } finally {
      await vrs.start();
    }
  });
});
