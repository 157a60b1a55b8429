import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LogCapture } from './helpers/log-capture.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { openWithCard, requestAndFetch } from './helpers/flow.js';
import { startTestRelay, type StoreKind } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

/** The whole kiosk ↔ relay protocol against the real VRS, with each one-time store. */
describe.each<StoreKind>(['redis', 'memory'])('protocol flow (%s store)', (store) => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let kiosk: Kiosk;
  let wallet: CardWallet;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store, redisUrl: inject('redisUrl'), logs });
    kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  it('answers the service status in JST', async () => {
    const r = await kiosk.call('GET', '/v1/service');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ open: true, hours: '00:00-24:00' });
    expect(r.json.now).toMatch(/\+09:00$/);
  });

  it('runs the happy path: session, card, menu, request, document once, completion, notice, erase', async () => {
    const open = await kiosk.call('POST', '/v1/sessions');
    expect(open.status).toBe(201);
    expect(open.json.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(open.json.challenge, 'base64')).toHaveLength(32);
    const sid = open.json.sessionId as string;

    const { body } = await wallet.present('sato-hanako', open.json.challenge);
    const card = await kiosk.call('POST', `/v1/sessions/${sid}/card`, body);
    expect(card.status, JSON.stringify(card.json)).toBe(200);
    expect(card.json.holder).toEqual({ name: '佐藤\u3000花子', birthDate: '1975-11-23' });
    expect(card.json.feePerCopy).toBe(120);
    const byCode = Object.fromEntries((card.json.municipalities as Array<{ code: string }>).map((m) => [m.code, m]));
    expect(byCode['122246']).toMatchObject({ name: '鎌ケ谷市', domestic: true, overseas: true });
    expect(byCode['162027']).toBeDefined();

    const created = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '122246', kind: 'overseas', copies: 2 });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json).toMatchObject({ fee: 240, copies: 2 });
    expect(created.json.pages).toBeGreaterThanOrEqual(2);
    expect(created.json.preview).toMatchObject({ issuer: '鎌ケ谷市', name: '佐藤\u3000花子', birthDate: '1975-11-23' });
    expect(created.json.preview.doses).toHaveLength(4);
    const rid = created.json.requestId as string;

    const doc = await kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
    expect(doc.status).toBe(200);
    expect(doc.headers['content-type']).toBe('application/pdf');
    expect(doc.body.subarray(0, 5).toString()).toBe('%PDF-');
    const digest = String(doc.headers['content-digest']);
    const { createHash } = await import('node:crypto');
    expect(digest).toBe(`sha-256=:${createHash('sha256').update(doc.body).digest('base64')}:`);
    const certificateId = String(doc.headers['certificate-id']);
    expect(certificateId).toMatch(/^[A-Z0-9]{1,12}$/);

    const again = await kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
    expect(again.status).toBe(410);
    expect(again.json.code).toBe('ERR_CONSUMED');
    expect(again.headers['content-type']).toContain('application/problem+json');

    const done = await kiosk.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, { outcome: 'printed', paid: 500, contentDigest: digest });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json.receipt).toMatchObject({ copies: 2, fee: 240, paid: 500, change: 260, kioskId: 'KIOSK-0001', storeId: 'STORE-TOKYO-001' });

    await logs.waitFor((l) => l.event === 'notice_delivered' && l.certificateId === certificateId, 10_000, 'completion notice delivery');
    expect(await vrs.noticeCount(certificateId)).toBe(1);
    const issuance = logs.json().filter((l) => l.event === 'issuance');
    expect(issuance.at(-1)).toMatchObject({ event: 'issuance', kioskId: 'KIOSK-0001', storeId: 'STORE-TOKYO-001', kind: 'overseas', copies: 2 });
    expect(
      Object.keys(issuance.at(-1)!)
        .filter((k) => !['level', 'time', 'pid', 'hostname', 'service', 'log', 'msg'].includes(k))
        .sort(),
    ).toEqual(['at', 'certificateId', 'copies', 'event', 'kind', 'kioskId', 'municipality', 'storeId']);

    const del = await kiosk.call('DELETE', `/v1/sessions/${sid}`);
    expect(del.status).toBe(204);
    expect(await relay.store.sessionKeys(sid)).toEqual([]);
    expect((await kiosk.call('DELETE', `/v1/sessions/${sid}`)).status).toBe(404);
  });

  it('repeats a completion with the same receipt and one notice; another body is a conflict that changes nothing', async () => {
    const { sid, rid, doc } = await requestAndFetch(kiosk, wallet, 'yamada-taro', { municipality: '131016', kind: 'domestic', copies: 1 });
    const body = { outcome: 'printed', paid: 120, contentDigest: String(doc.headers['content-digest']) };
    const first = await kiosk.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, body);
    const [second, third] = await Promise.all([
      kiosk.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, body),
      kiosk.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, { ...body, paid: 1000 }),
    ]);
    expect(first.status).toBe(200);
    expect(second.json).toEqual(first.json);
    // Another paid is another body: 409, telling the outcome and receipt the books hold.
    expect(third.status).toBe(409);
    expect(third.json).toMatchObject({ code: 'ERR_COMPLETION_CONFLICT', outcome: 'printed', receipt: first.json.receipt });
    expect(first.json.outcome).toBe('printed');
    const id = String(doc.headers['certificate-id']);
    // The worker logs a delivery once VRS acknowledged it and the outbox let go of it; with the
    // outbox empty nothing more is in flight, so the count is final (no wait for a second notice).
    await logs.waitFor((l) => l.event === 'notice_delivered' && l.certificateId === id, 10_000, 'notice delivery');
    expect(await relay.outbox.pending()).toBe(0);
    expect(await vrs.noticeCount(id)).toBe(1);
    expect(logs.json().filter((l) => l.event === 'issuance' && l.at === first.json.receipt.issuedAt)).toHaveLength(1);
  });

  it('charges nothing and sends no notice for failed or cancelled', async () => {
    for (const outcome of ['failed', 'cancelled'] as const) {
      const { sid, rid, doc } = await requestAndFetch(kiosk, wallet, 'suzuki-ichiro', { municipality: '131016', kind: 'domestic', copies: 1 });
      const r = await kiosk.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, { outcome, paid: 120 });
      expect(r.status).toBe(200);
      expect(r.json.receipt).toMatchObject({ copies: 0, fee: 0, paid: 120, change: 120 });
      // What it queues is the release of the reservation: once that is delivered and the outbox is
      // empty, no completion notice can follow.
      const id = String(doc.headers['certificate-id']);
      await logs.waitFor((l) => l.event === 'notice_delivered' && l.certificateId === id, 10_000, 'release delivery');
      expect(
        logs
          .json()
          .filter((l) => l.event === 'notice_delivered' && l.certificateId === id)
          .map((l) => l.notice),
      ).toEqual(['release']);
      expect(await relay.outbox.pending()).toBe(0);
      expect(await vrs.noticeCount(id)).toBe(0);
    }
  });

  it('refuses a printed completion whose digest does not match the served document', async () => {
    const { sid, rid } = await requestAndFetch(kiosk, wallet, 'suzuki-ichiro', { municipality: '131016', kind: 'overseas', copies: 1 });
    const r = await kiosk.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, {
      outcome: 'printed',
      paid: 120,
      contentDigest: `sha-256=:${Buffer.alloc(32).toString('base64')}:`,
    });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('ERR_DIGEST_MISMATCH');
  });

  it('keeps another kiosk out of a session (404, as if it did not exist)', async () => {
    const { sid } = await openWithCard(kiosk, wallet, 'yamada-taro');
    const other = new Kiosk(relay.url, 'KIOSK-0002');
    for (const [method, path, body] of [
      ['POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 }],
      ['DELETE', `/v1/sessions/${sid}`, undefined],
    ] as const) {
      const r = await other.call(method, path, body);
      expect(r.status).toBe(404);
      expect(r.json.code).toBe('ERR_SESSION_NOT_FOUND');
    }
    // The owner's session is untouched.
    const mine = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
    expect(mine.status).toBe(201);
    const theirs = await other.call('GET', `/v1/sessions/${sid}/requests/${mine.json.requestId}/document`);
    expect(theirs.status).toBe(404);
    expect((await kiosk.call('GET', `/v1/sessions/${sid}/requests/${mine.json.requestId}/document`)).status).toBe(200);
  });
});
