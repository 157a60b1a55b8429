import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { openWithCard, requestAndFetch } from '../relay/helpers/flow.js';
import { LogCapture } from '../relay/helpers/log-capture.js';
import { startTestRelay, type StoreKind } from '../relay/helpers/test-relay.js';
import { startTestVrs, type TestVrs } from '../relay/helpers/test-vrs.js';
import { drainNotices, ledgerByCertificate, vrsAll, vrsBooks } from './ledger-check.js';

const DOMESTIC = { municipality: '131016', kind: 'domestic', copies: 1 } as const;

/**
 * Issue 14, finding 2 and the lifecycle: one session, one purchase; a new step 4 before the
 * document is served replaces the open request; a served request must be completed first; at most
 * REQUEST_LIMIT requests; a served document that is not printed is revoked (on a failed or
 * cancelled completion, on DELETE, and by the sweeper once its session has expired).
 */
describe.each<StoreKind>(['memory', 'redis'])('request rules and revocation (%s store)', (store) => {
  const logs = new LogCapture();
  const clock = new ManualClock();
  let vrs: TestVrs;
  let wallet: CardWallet;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let kiosk: Kiosk;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    wallet = await new CardWallet().init();
    relay = await startTestRelay({
      vrsUrl: vrs.url,
      store,
      redisUrl: inject('redisUrl'),
      logs,
      clock,
      startWorker: false,
      env: { REQUEST_LIMIT: '3', SESSION_TTL_S: '600' },
    });
    kiosk = new Kiosk(relay.url, 'KIOSK-0001');
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  const reservations = async () => (await vrsAll(vrs)).size;

  it('replaces an unserved request, refuses while a served one is open, and stops at the limit', async () => {
    const { sid } = await openWithCard(kiosk, wallet, 'yamada-taro');
    const first = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, DOMESTIC);
    const second = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { ...DOMESTIC, copies: 2 });
    expect([first.status, second.status]).toEqual([201, 201]);
    // The replaced request's document is never served: its request is closed as cancelled.
    const stale = await kiosk.call('GET', `/v1/sessions/${sid}/requests/${first.json.requestId}/document`);
    expect([stale.status, stale.json.code]).toEqual([410, 'ERR_CONSUMED']);
    const third = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, DOMESTIC);
    expect(third.status).toBe(201);
    const before = await reservations();
    const fourth = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, DOMESTIC);
    expect([fourth.status, fourth.json.code]).toEqual([429, 'ERR_REQUEST_LIMIT']);
    expect(await reservations()).toBe(before);

    const { sid: sid2, rid } = await requestAndFetch(kiosk, wallet, 'yamada-taro', DOMESTIC);
    const count = await reservations();
    const open = await kiosk.call('POST', `/v1/sessions/${sid2}/requests`, DOMESTIC);
    expect([open.status, open.json.code]).toEqual([409, 'ERR_REQUEST_OPEN']);
    // Refused before VRS was asked: no reservation made in vain.
    expect(await reservations()).toBe(count);
    const doc = await kiosk.call('POST', `/v1/sessions/${sid2}/requests/${rid}/completion`, { outcome: 'cancelled', paid: 0 });
    expect(doc.json.outcome).toBe('cancelled');
    // One session, one purchase.
    const after = await kiosk.call('POST', `/v1/sessions/${sid2}/requests`, DOMESTIC);
    expect([after.status, after.json.code]).toEqual([409, 'ERR_SESSION_STATE']);

    await drainNotices([relay]);
    const ledger = await ledgerByCertificate(relay.books);
    const closed = [...ledger.values()].map((es) => es.at(-1)!).filter((e) => e.type === 'cancelled');
    expect(closed.filter((e) => e.reason === 'replaced')).toHaveLength(2);
    const books = await vrsBooks(vrs, [...ledger.keys()]);
    // Every replaced or cancelled reservation is released at VRS; the third (still open) stays reserved.
    for (const [id, es] of ledger) expect(books.get(id)!.status, id).toBe(es.at(-1)!.type === 'reserved' ? 'reserved' : 'released');
  });

  it('revokes a served document completed failed, deleted, or left to expire, and publishes each list', async () => {
    const failed = await requestAndFetch(kiosk, wallet, 'yamada-taro', DOMESTIC);
    await kiosk.call('POST', `/v1/sessions/${failed.sid}/requests/${failed.rid}/completion`, { outcome: 'failed', paid: 0 });
    const deleted = await requestAndFetch(kiosk, wallet, 'suzuki-ichiro', { municipality: '131016', kind: 'overseas', copies: 1 });
    expect((await kiosk.call('DELETE', `/v1/sessions/${deleted.sid}`)).status).toBe(204);
    const left = await requestAndFetch(kiosk, wallet, 'yamada-taro', DOMESTIC);
    const printed = await requestAndFetch(kiosk, wallet, 'yamada-taro', DOMESTIC);
    await kiosk.call('POST', `/v1/sessions/${printed.sid}/requests/${printed.rid}/completion`, {
      outcome: 'printed',
      paid: 120,
      contentDigest: String(printed.doc.headers['content-digest']),
    });

    // Before the session's end nothing expires; after it, the sweeper does.
    expect(await relay.sweeper.runOnce()).toBe(0);
    clock.advance(601_000);
    expect(await relay.sweeper.runOnce()).toBeGreaterThanOrEqual(1);
    await drainNotices([relay]);

    const ids = {
      failed: failed.doc.headers['certificate-id'],
      deleted: deleted.doc.headers['certificate-id'],
      left: left.doc.headers['certificate-id'],
      printed: printed.doc.headers['certificate-id'],
    } as Record<string, string>;
    const ledger = await ledgerByCertificate(relay.books);
    const last = (id: string) => ledger.get(id)!.at(-1)!;
    expect(last(ids.failed!)).toMatchObject({ type: 'failed', revoked: true });
    expect(last(ids.deleted!)).toMatchObject({ type: 'cancelled', reason: 'deleted', revoked: true });
    expect(last(ids.left!)).toMatchObject({ type: 'expired', revoked: true });
    expect(last(ids.printed!)).toMatchObject({ type: 'printed', revoked: false });
    const books = await vrsBooks(vrs, Object.values(ids));
    expect(['failed', 'deleted', 'left'].map((k) => books.get(ids[k]!)!.status)).toEqual(['released', 'released', 'released']);
    expect(books.get(ids.printed!)!.status).toBe('issued');

    // The public files, as any verifier reads them (no client certificate).
    const anyone = new Kiosk(relay.url, undefined);
    const wellKnown = `${new URL(issuerUrl()).pathname.replace(/\/$/, '')}/.well-known`;
    const jwks = await anyone.call('GET', `${wellKnown}/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.headers['cache-control']).toBe('public, max-age=60');
    const key = jwks.json.keys[0] as { kid: string; crlVersion?: number };
    const crl = await anyone.call('GET', `${wellKnown}/crl/${key.kid}.json`);
    expect(crl.json).toMatchObject({ kid: key.kid, method: 'rid' });
    expect(crl.json.ctr).toBe(key.crlVersion);
    expect(crl.json.rids).toEqual(expect.arrayContaining([last(ids.failed!).shcRid, last(ids.deleted!).shcRid, last(ids.left!).shcRid]));
    expect(crl.json.rids).not.toContain(last(ids.printed!).shcRid);
    // Cheap to re-fetch: the same ETag answers 304.
    expect((await anyone.call('GET', `${wellKnown}/crl/${key.kid}.json`, undefined, { 'if-none-match': String(crl.headers.etag) })).status).toBe(304);
    expect((await anyone.call('GET', `${wellKnown}/crl/unknown-kid.json`)).status).toBe(404);

    // VDS-NC: the overseas document's uvci, in a list signed by the barcode signer.
    const vds = await anyone.call('GET', `${wellKnown}/vds-nc-revocations.json`);
    expect(vds.json.data.uvci).toEqual([ids.deleted]);
    const signer = new X509Certificate(Buffer.from(vds.json.sig.cer, 'base64url'));
    expect(
      verify(
        'sha256',
        Buffer.from(canonicalize(vds.json.data)!),
        { key: createPublicKey(signer.publicKey.export({ format: 'pem', type: 'spki' })), dsaEncoding: 'ieee-p1363' },
        Buffer.from(vds.json.sig.sigvl, 'base64url'),
      ),
    ).toBe(true);
  });
});

/** The SHC issuer URL `npm run certs` recorded (the relay serves its public files under its path). */
function issuerUrl(): string {
  return (JSON.parse(readFileSync(pkiPaths().shcIssuer.meta, 'utf8')) as { issuerUrl: string }).issuerUrl;
}
