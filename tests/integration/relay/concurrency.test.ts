import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LogCapture } from './helpers/log-capture.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { openWithCard } from './helpers/flow.js';
import { pdfPagesText } from './helpers/pdf-text.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

const HOLDERS = [
  { kioskId: 'KIOSK-0001', slug: 'yamada-taro', name: '山田\u3000太郎', birthDate: '1980-04-01' },
  { kioskId: 'KIOSK-0002', slug: 'suzuki-ichiro', name: '鈴木\u3000一郎', birthDate: '1990-01-15' },
  { kioskId: 'KIOSK-0003', slug: 'nakamura-yuko', name: '中村\u3000優子', birthDate: '1962-09-18' },
] as const;
const MUNICIPALITY: Record<string, string> = { 'yamada-taro': '131016', 'suzuki-ichiro': '131016', 'nakamura-yuko': '162027' };

/**
 * Kawasaki 2023: two requests under a second apart overwrote each other. Here kiosks send the
 * same request at the same moment; each must get its own certificate, bound to its own holder.
 */
describe('relay: simultaneous requests from several kiosks', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let wallet: CardWallet;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'redis', redisUrl: inject('redisUrl'), logs });
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  it("gives two kiosks asking in the same millisecond two different certificates, each its own holder's", async () => {
    for (let round = 0; round < 3; round++) {
      const parties = await Promise.all(
        HOLDERS.map(async (h) => {
          const kiosk = new Kiosk(relay.url, h.kioskId);
          const { sid, card } = await openWithCard(kiosk, wallet, h.slug);
          expect(card.status).toBe(200);
          return { ...h, kiosk, sid };
        }),
      );
      // Same body from every kiosk (kind and copies), fired together.
      const created = await Promise.all(
        parties.map((p) => p.kiosk.call('POST', `/v1/sessions/${p.sid}/requests`, { municipality: MUNICIPALITY[p.slug], kind: 'domestic', copies: 2 })),
      );
      created.forEach((c, i) => {
        expect(c.status, JSON.stringify(c.json)).toBe(201);
        expect(c.json.preview).toMatchObject({ name: parties[i]!.name, birthDate: parties[i]!.birthDate });
      });
      expect(new Set(created.map((c) => c.json.requestId)).size).toBe(parties.length);

      // Another kiosk cannot fetch a document, even knowing both identifiers.
      const [a, b] = parties;
      const stolen = await b!.kiosk.call('GET', `/v1/sessions/${a!.sid}/requests/${created[0]!.json.requestId}/document`);
      expect(stolen.status).toBe(404);

      const docs = await Promise.all(parties.map((p, i) => p.kiosk.call('GET', `/v1/sessions/${p.sid}/requests/${created[i]!.json.requestId}/document`)));
      const ids = docs.map((d) => String(d.headers['certificate-id']));
      expect(new Set(ids).size).toBe(parties.length);
      for (const [i, d] of docs.entries()) {
        expect(d.status).toBe(200);
        // VRS reserved this certificate ID for this holder.
        const { rows } = await vrs.db.query<{ source: { person: { name: string; birthDate: string } } }>(
          'SELECT source FROM certificate_issuances WHERE certificate_id = $1',
          [ids[i]],
        );
        expect(rows[0]!.source.person).toMatchObject({ name: parties[i]!.name, birthDate: parties[i]!.birthDate });
        // Every page carries this certificate ID and this holder's name, never another's.
        const pages = pdfPagesText(d.body);
        expect(pages).toHaveLength(2);
        for (const text of pages) {
          const flat = text.replace(/\s+/g, '');
          expect(flat).toContain(ids[i]);
          for (const [j, other] of parties.entries()) {
            if (j !== i) {
              expect(flat).not.toContain(ids[j]);
              expect(flat).not.toContain(other.name.replace(/\s+/g, ''));
            }
          }
        }
      }
      for (const p of parties) expect((await p.kiosk.call('DELETE', `/v1/sessions/${p.sid}`)).status).toBe(204);
    }
  });

  it('serves a document to exactly one of two simultaneous fetches', async () => {
    const kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    const { sid } = await openWithCard(kiosk, wallet, 'yamada-taro');
    const c = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
    const path = `/v1/sessions/${sid}/requests/${c.json.requestId}/document`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => kiosk.call('GET', path)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410, 410, 410]);
  });
});
