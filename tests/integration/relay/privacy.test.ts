import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoResidents } from '../../../certs/demo-cast.js';
import { LogCapture } from './helpers/log-capture.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { openWithCard, requestAndFetch } from './helpers/flow.js';
import { spawnRelay, type RelayProcess } from './helpers/relay-process.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

/** What must never be found: each holder's My Number, name and birth date in every spelling. */
function personalStrings(slug: string): string[] {
  const p = demoResidents.find((r) => r.slug === slug)!;
  return [
    p.myNumber,
    `${p.familyName}\u3000${p.givenName}`,
    `${p.familyName}${p.givenName}`,
    `${p.familyName} ${p.givenName}`,
    // JSON may escape non-ASCII.
    JSON.stringify(`${p.familyName}\u3000${p.givenName}`)
      .slice(1, -1)
      .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    p.birthDate,
    p.birthDate.replaceAll('-', ''),
  ];
}

/**
 * The relay keeps no personal data once a session ends: not in its store (Redis SCAN over the
 * session's hash tag finds nothing), not in any log line of any service (relay in-process, relay
 * as its own process, VRS), whatever path the session took.
 */
describe('relay: nothing personal stays behind', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let proc: RelayProcess;
  let wallet: CardWallet;
  let redis: Redis;
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  const slugs = ['yamada-taro', 'sato-hanako', 'suzuki-ichiro', 'takahashi-misaki', 'tanaka-ken', 'watanabe-sho', 'kobayashi-jun'];

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({
      vrsUrl: vrs.url,
      store: 'redis',
      redisUrl: inject('redisUrl'),
      logs,
      env: { REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'trace' },
    });
    proc = await spawnRelay({
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: prefix,
      VRS_URL: vrs.url,
      SERVICE_HOURS: '00:00-24:00',
      LOG_LEVEL: 'trace',
      NOTICE_POLL_MS: '100',
      NOTICE_RETRY_BASE_MS: '100',
    });
    wallet = await new CardWallet().init();
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await redis?.quit();
    await proc?.stop();
    await relay?.stop();
    await vrs?.destroy();
  });

  const rawKeysOf = async (sid: string) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*{${sid}}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  };

  it('erases every key of a session on DELETE, after completion, and keeps only ciphertext meanwhile', async () => {
    for (const [i, slug] of ['yamada-taro', 'sato-hanako', 'suzuki-ichiro'].entries()) {
      const kiosk = new Kiosk(i % 2 ? proc.url : relay.url, 'KIOSK-0001');
      const other = new Kiosk(i % 2 ? relay.url : proc.url, 'KIOSK-0001');
      const municipality = slug === 'sato-hanako' ? '122246' : '131016';
      const { sid, rid, doc } = await requestAndFetch(kiosk, wallet, slug, { municipality, kind: 'domestic', copies: 1 });
      // While the session lives, Redis holds only AES-GCM ciphertext (binary envelopes, version 1).
      for (const key of await rawKeysOf(sid)) {
        if ((await redis.type(key)) !== 'string') continue;
        const raw = (await redis.getBuffer(key))!;
        expect(raw[0], key).toBe(0x01);
        for (const s of personalStrings(slug)) expect(raw.includes(Buffer.from(s, 'utf8'))).toBe(false);
      }
      const done = await other.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, {
        outcome: 'printed',
        paid: 120,
        contentDigest: String(doc.headers['content-digest']),
      });
      expect(done.status).toBe(200);
      // After completion: the document and the holder data are gone; only the receipt and request remain.
      const left = (await relay.store.sessionKeys(sid)).filter((k) => !k.endsWith(':keys'));
      expect(left.some((k) => k.includes(':doc:'))).toBe(false);
      for (const key of left) {
        const plain = (await relay.store.get(key))!;
        for (const s of personalStrings(slug)) expect(plain).not.toContain(s);
      }
      expect((await kiosk.call('DELETE', `/v1/sessions/${sid}`)).status).toBe(204);
      expect(await rawKeysOf(sid)).toEqual([]);
    }
  });

  it('keeps the document at rest as one sealed envelope of its PDF bytes (no base64, no JSON), served once', async () => {
    const kiosk = new Kiosk(relay.url, 'KIOSK-0003');
    const { sid, card } = await openWithCard(kiosk, wallet, 'yamada-taro');
    expect(card.status).toBe(200);
    const created = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const rid = created.json.requestId as string;
    const [docKey] = (await rawKeysOf(sid)).filter((k) => k.endsWith(`:doc:${rid}`));
    const atRest = (await redis.getBuffer(docKey!))!;
    const other = new Kiosk(proc.url, 'KIOSK-0003');
    const doc = await other.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
    expect(doc.status).toBe(200);
    expect(doc.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // version | IV | tag | ciphertext exactly as long as the PDF served.
    expect(atRest[0]).toBe(0x01);
    expect(atRest.length).toBe(1 + 12 + 16 + doc.body.length);
    expect(atRest.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(await redis.exists(docKey!)).toBe(0);
    expect((await kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`)).json.code).toBe('ERR_CONSUMED');
    expect((await kiosk.call('DELETE', `/v1/sessions/${sid}`)).status).toBe(204);
    expect(await rawKeysOf(sid)).toEqual([]);
  });

  it('erases everything of refused and abandoned sessions too', async () => {
    const kiosk = new Kiosk(relay.url, 'KIOSK-0002');
    for (const slug of ['takahashi-misaki', 'tanaka-ken', 'watanabe-sho', 'kobayashi-jun', 'yamada-taro']) {
      const { sid, card } = await openWithCard(kiosk, wallet, slug);
      if (card.status === 200) {
        const r = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: card.json.municipalities[0].code, kind: 'overseas', copies: 1 });
        for (const s of personalStrings(slug)) expect(JSON.stringify(r.json)).not.toContain(s);
      } else {
        for (const s of personalStrings(slug)) expect(JSON.stringify(card.json)).not.toContain(s);
      }
      await kiosk.call('DELETE', `/v1/sessions/${sid}`);
      expect(await rawKeysOf(sid)).toEqual([]);
    }
  });

  it('writes no My Number, name or birth date into any log line of any service', async () => {
    // Every notice delivered (their log lines are part of the sweep): the first pass joins one in
    // progress, the second takes whatever that one had not claimed. VRS is up, so nothing is left.
    await relay.worker.runOnce();
    await relay.worker.runOnce();
    expect(await relay.outbox.pending()).toBe(0);
    const all = [...logs.lines, ...proc.lines];
    expect(all.length).toBeGreaterThan(50);
    expect(logs.lines.some((l) => l.includes('"service":"vrs"'))).toBe(true);
    expect(proc.lines.some((l) => l.includes('"event":"issuance"'))).toBe(true);
    for (const slug of slugs) {
      for (const s of personalStrings(slug)) {
        const hits = all.filter((l) => l.includes(s));
        expect(hits, `${slug}: ${s}`).toEqual([]);
      }
    }
  });
});
