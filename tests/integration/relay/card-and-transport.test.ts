import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { createCard, createIssuerCa } from '../../../services/card/card-factory.js';
import { connect, readAll, selectKenhojo, signChallenge, verifyPin } from '../../../services/card/reader.js';
import { demoResidents } from '../../../certs/demo-cast.js';
import { LogCapture } from './helpers/log-capture.js';
import { cardBody, CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { openWithCard } from './helpers/flow.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

const run = promisify(execFile);

/** Card verification (one coded error per failure), challenges, mTLS identity, hours and limits. */
describe('relay: card verification and transport', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let kiosk: Kiosk;
  let wallet: CardWallet;
  let suspensionFile: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relay-susp-'));
    suspensionFile = join(dir, 'card-suspensions.txt');
    writeFileSync(suspensionFile, readFileSync(pkiPaths().cardSuspensionList, 'utf8'));
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'redis', redisUrl: inject('redisUrl'), logs, env: { SUSPENSION_LIST_FILE: suspensionFile } });
    kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  /** Opens a session, lets `tamper` change what the kiosk sends, and returns the answer. */
  async function submit(slug: string, tamper: (body: Record<string, string>, challenge: string) => Record<string, string> | Promise<Record<string, string>>) {
    const open = await kiosk.call('POST', '/v1/sessions');
    const { body } = await wallet.present(slug, open.json.challenge);
    const r = await kiosk.call('POST', `/v1/sessions/${open.json.sessionId}/card`, await tamper(body, open.json.challenge));
    return { sid: open.json.sessionId as string, r };
  }
  const flip = (b64: string, at: (buf: Buffer) => number) => {
    const buf = Buffer.from(b64, 'base64');
    const i = at(buf);
    buf[i] = buf[i]! ^ 0x01;
    return buf.toString('base64');
  };

  it('refuses malformed card files with ERR_CARD_FORMAT', async () => {
    const { r } = await submit('yamada-taro', (b) => ({ ...b, ef0002: Buffer.from(b.ef0002!, 'base64').subarray(0, 20).toString('base64') }));
    expect([r.status, r.json.code]).toEqual([422, 'ERR_CARD_FORMAT']);
    const { r: r2 } = await submit('yamada-taro', (b) => ({ ...b, ef0004: Buffer.from('not a CV certificate').toString('base64') }));
    expect([r2.status, r2.json.code]).toEqual([422, 'ERR_CARD_FORMAT']);
  });

  it('refuses altered basic items (H2) an altered integrity signature (DF33) or DF52 with ERR_CARD_SIGNATURE', async () => {
    // Birth date 19800401 → 19800411: still a valid date, only the hash changes.
    const { r } = await submit('yamada-taro', (b) => ({ ...b, ef0002: flip(b.ef0002!, (buf) => buf.indexOf('19800401') + 6) }));
    expect([r.status, r.json.code]).toEqual([422, 'ERR_CARD_SIGNATURE']);
    const { r: r2 } = await submit('yamada-taro', (b) => ({ ...b, ef0003: flip(b.ef0003!, (buf) => buf.length - 10) }));
    expect([r2.status, r2.json.code]).toEqual([422, 'ERR_CARD_SIGNATURE']);
    // DF52 (the card key's signature over the challenge key DF51).
    const { r: r4 } = await submit('yamada-taro', (b) => ({ ...b, ef0007: flip(b.ef0007!, (buf) => buf.length - 1) }));
    expect([r4.status, r4.json.code]).toEqual([422, 'ERR_CARD_SIGNATURE']);
    // A My Number swapped for another card's EF0001 (H1).
    const open = await kiosk.call('POST', '/v1/sessions');
    const mine = await wallet.present('yamada-taro', open.json.challenge);
    const theirs = await wallet.present('suzuki-ichiro', open.json.challenge);
    const r3 = await kiosk.call('POST', `/v1/sessions/${open.json.sessionId}/card`, { ...mine.body, ef0001: theirs.body.ef0001 });
    expect([r3.status, r3.json.code]).toEqual([422, 'ERR_CARD_SIGNATURE']);
  });

  it('refuses a card from an untrusted issuer CA with ERR_CARD_CHAIN', async () => {
    const foreignCa = await createIssuerCa();
    const yamada = demoResidents.find((p) => p.slug === 'yamada-taro')!;
    const cardFile = await createCard(yamada, { issuerKeyId: foreignCa.keyId, issuerPrivateKey: foreignCa.privateKey });
    const path = join(await mkdtemp(join(tmpdir(), 'relay-foreign-')), 'card.json');
    await writeFile(path, JSON.stringify(cardFile));
    const open = await kiosk.call('POST', '/v1/sessions');
    const conn = await connect(path);
    await selectKenhojo(conn);
    await verifyPin(conn, '1234');
    const files = await readAll(conn);
    const sig = await signChallenge(conn, Buffer.from(open.json.challenge, 'base64'));
    await conn.disconnect();
    const r = await kiosk.call('POST', `/v1/sessions/${open.json.sessionId}/card`, cardBody(files, sig));
    expect([r.status, r.json.code]).toEqual([422, 'ERR_CARD_CHAIN']);
  });

  it("refuses a challenge signature that is not this card's over this challenge with ERR_CARD_CHALLENGE", async () => {
    const { r } = await submit('yamada-taro', (b) => ({ ...b, challengeSignature: flip(b.challengeSignature!, () => 5) }));
    expect([r.status, r.json.code]).toEqual([422, 'ERR_CARD_CHALLENGE']);
    const { r: r2 } = await submit('yamada-taro', async (b, challenge) => ({
      ...b,
      challengeSignature: (await wallet.present('suzuki-ichiro', challenge)).body.challengeSignature!,
    }));
    expect([r2.status, r2.json.code]).toEqual([422, 'ERR_CARD_CHALLENGE']);
  });

  it('refuses a replayed challenge: a second card POST on the session, and a recorded data set on a new session', async () => {
    const { sid, card } = await openWithCard(kiosk, wallet, 'yamada-taro');
    expect(card.status).toBe(200);
    const open = await kiosk.call('POST', '/v1/sessions');
    const recorded = (await wallet.present('yamada-taro', open.json.challenge)).body;
    // Same session again: its card was accepted and its challenge is spent.
    const again = await kiosk.call('POST', `/v1/sessions/${sid}/card`, recorded);
    expect([again.status, again.json.code]).toEqual([409, 'ERR_SESSION_STATE']);
    // The recorded data set (signed over the first challenge) on a fresh session fails the challenge check.
    const first = await kiosk.call('POST', `/v1/sessions/${open.json.sessionId}/card`, recorded);
    expect(first.status).toBe(200);
    const fresh = await kiosk.call('POST', '/v1/sessions');
    const replay = await kiosk.call('POST', `/v1/sessions/${fresh.json.sessionId}/card`, recorded);
    expect([replay.status, replay.json.code]).toEqual([422, 'ERR_CARD_CHALLENGE']);
    // After a refused card the challenge is spent too: the kiosk must open a new session.
    const third = await kiosk.call('POST', `/v1/sessions/${fresh.json.sessionId}/card`, recorded);
    expect([third.status, third.json.code]).toEqual([422, 'ERR_CARD_CHALLENGE']);
  });

  it('refuses a card on the suspension list with ERR_CARD_SUSPENDED, managed by the admin command', async () => {
    const { card } = await openWithCard(kiosk, wallet, 'watanabe-sho');
    expect([card.status, card.json.code]).toEqual([422, 'ERR_CARD_SUSPENDED']);
    const env = { ...process.env, SUSPENSION_LIST_FILE: suspensionFile };
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'services/relay/suspension/cli.ts', ...args], { env });
    const id = wallet.cardId('yamada-taro');
    expect((await cli('add', id)).stdout).toContain('suspended');
    expect((await cli('list')).stdout).toContain(id);
    expect((await openWithCard(kiosk, wallet, 'yamada-taro')).card.json.code).toBe('ERR_CARD_SUSPENDED');
    await cli('remove', id);
    expect((await openWithCard(kiosk, wallet, 'yamada-taro')).card.status).toBe(200);
  });

  it('answers 404 ERR_NO_RECORDS when no municipality holds records', async () => {
    const { card } = await openWithCard(kiosk, wallet, 'kobayashi-jun');
    expect([card.status, card.json.code]).toEqual([404, 'ERR_NO_RECORDS']);
  });

  it('refuses a revoked kiosk, an unknown client certificate and no certificate with 403 ERR_KIOSK', async () => {
    const pki = pkiPaths();
    const revoked = new Kiosk(relay.url, 'KIOSK-9999');
    const lgwan = new Kiosk(relay.url, undefined, {
      cert: readFileSync(pki.relayLgwanClient.cert, 'utf8'),
      key: readFileSync(pki.relayLgwanClient.key, 'utf8'),
    });
    const anonymous = new Kiosk(relay.url, undefined);
    for (const k of [revoked, lgwan, anonymous]) {
      for (const [m, p] of [
        ['GET', '/v1/service'],
        ['POST', '/v1/sessions'],
      ] as const) {
        const r = await k.call(m, p);
        expect([r.status, r.json?.code]).toEqual([403, 'ERR_KIOSK']);
      }
    }
    // A revoked kiosk cannot touch a session either.
    const { sid } = await openWithCard(kiosk, wallet, 'yamada-taro');
    expect((await revoked.call('DELETE', `/v1/sessions/${sid}`)).status).toBe(403);
    // Public documents answer without a client certificate.
    expect((await anonymous.call('GET', '/openapi.json')).status).toBe(200);
    const jwks = await anonymous.call('GET', '/issuer/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers['access-control-allow-origin']).toBe('*');
    expect(jwks.json.keys.length).toBeGreaterThan(0);
  });

  it('serves OpenAPI 3.1 listing every path', async () => {
    const r = await kiosk.call('GET', '/openapi.json');
    expect(r.json.openapi).toBe('3.1.0');
    expect(Object.keys(r.json.paths)).toEqual(
      expect.arrayContaining([
        '/v1/service',
        '/v1/sessions',
        '/v1/sessions/{sid}',
        '/v1/sessions/{sid}/card',
        '/v1/sessions/{sid}/requests',
        '/v1/sessions/{sid}/requests/{rid}/document',
        '/v1/sessions/{sid}/requests/{rid}/completion',
      ]),
    );
    expect(r.json.components.schemas.Problem.properties.code.enum).toContain('ERR_CARD_SUSPENDED');
  });

  it('refuses a body over the limit with 413 problem+json', async () => {
    const open = await kiosk.call('POST', '/v1/sessions');
    const big = { ef0001: 'A'.repeat(100_000), ef0002: '', ef0003: '', ef0004: '', ef0007: '', challengeSignature: '' };
    const r = await kiosk.call('POST', `/v1/sessions/${open.json.sessionId}/card`, big);
    expect(r.status).toBe(413);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json.code).toBe('ERR_BODY_TOO_LARGE');
  });

  it('closes outside the service hours (JST) with 503 ERR_SERVICE_CLOSED', async () => {
    const clock = new ManualClock(new Date('2026-04-01T03:00:00+09:00'));
    const closed = await startTestRelay({ vrsUrl: vrs.url, store: 'memory', redisUrl: '', logs, clock, env: { SERVICE_HOURS: '06:30-23:00' } });
    try {
      const k = new Kiosk(closed.url, 'KIOSK-0001');
      expect((await k.call('GET', '/v1/service')).json).toEqual({ open: false, hours: '06:30-23:00', now: '2026-04-01T03:00:00.000+09:00' });
      const r = await k.call('POST', '/v1/sessions');
      expect([r.status, r.json.code]).toEqual([503, 'ERR_SERVICE_CLOSED']);
      clock.set(new Date('2026-04-01T06:30:00+09:00'));
      expect((await k.call('POST', '/v1/sessions')).status).toBe(201);
      clock.set(new Date('2026-04-01T23:00:00+09:00'));
      expect((await k.call('POST', '/v1/sessions')).json.code).toBe('ERR_SERVICE_CLOSED');
    } finally {
      await closed.stop();
    }
  });
});
