import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KenhojoCard } from '../../../services/card/apdu-engine.js';
import { cardStateFromFile, parseCardFile } from '../../../services/card/card-file.js';
import type { CardFiles } from '../../../services/card/card-data.js';
import { readAll, selectKenhojo, signChallenge, verifyPin } from '../../../services/card/reader.js';
import { verifyCardData, type CardTrustAnchor, type VerifiedCardData } from '../../../services/card/verify-card-data.js';
import { AppError } from '../../../services/common/errors.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { createCardVerifier, readCardTrustAnchors } from '../../../services/relay/card-verify/card-verifier.js';

const CARD_CODES = ['ERR_CARD_FORMAT', 'ERR_CARD_SIGNATURE', 'ERR_CARD_CHAIN', 'ERR_CARD_CHALLENGE'];
const FIELDS = ['ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0007', 'sig'] as const;
type Field = (typeof FIELDS)[number];
type Presented = Record<Field, Uint8Array>;

/** Reads a demo card the way a kiosk does: PIN, the five EFs, the challenge signed. */
async function present(slug: string, challenge: Uint8Array): Promise<Presented> {
  const manifest = JSON.parse(readFileSync(`${pkiPaths().cardsDir}/manifest.json`, 'utf8')) as Record<string, { file: string }>;
  const card = new KenhojoCard(cardStateFromFile(parseCardFile(JSON.parse(readFileSync(manifest[slug]!.file, 'utf8')))));
  const conn = { transmit: async (apdu: Uint8Array) => card.transmit(apdu) };
  await selectKenhojo(conn);
  await verifyPin(conn, '1234');
  const files = await readAll(conn);
  return { ...files, sig: await signChallenge(conn, challenge) };
}

/** A hostile change to the bytes a kiosk sends. */
type Mutation =
  | { op: 'set'; field: Field; at: number; byte: number }
  | { op: 'truncate'; field: Field; at: number }
  | { op: 'insert'; field: Field; at: number; bytes: Uint8Array }
  | { op: 'swap'; field: Field }
  | { op: 'random'; field: Field; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...FIELDS), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), field: fc.constantFrom(...FIELDS), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), field: fc.constantFrom(...FIELDS), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('swap' as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({ op: fc.constant('random' as const), field: fc.constantFrom(...FIELDS), bytes: fc.uint8Array({ maxLength: 600 }) }),
);

function apply(base: Presented, other: Presented, ms: Mutation[]): Presented {
  const out = { ...base };
  for (const m of ms) {
    const b = out[m.field];
    const at = b.length === 0 ? 0 : 'at' in m ? m.at % (b.length + 1) : 0;
    if (m.op === 'set') {
      if (b.length === 0) continue;
      const c = Uint8Array.from(b);
      c[at % b.length] = m.byte;
      out[m.field] = c;
    } else if (m.op === 'truncate') out[m.field] = b.subarray(0, at);
    else if (m.op === 'insert') out[m.field] = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.op === 'swap') out[m.field] = other[m.field];
    else out[m.field] = m.bytes;
  }
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const holderOf = (d: VerifiedCardData) => ({ myNumber: d.myNumber, name: d.name, birthDate: d.birthDate, address: d.address, sex: d.sex, cardId: d.cardId });

describe('hostile card bytes', () => {
  const challenge = randomBytes(32);
  let anchors: CardTrustAnchor[];
  let base: Presented;
  let other: Presented;
  let genuine: ReturnType<typeof holderOf>;

  beforeAll(async () => {
    anchors = readCardTrustAnchors(pkiPaths().cardIssuerTrust);
    base = await present('sato-hanako', challenge);
    other = await present('yamada-taro', challenge);
    const files: CardFiles = base;
    genuine = holderOf(verifyCardData(files, { trustAnchors: anchors, challenge, challengeSignature: base.sig }));
  });

  it('never crashes, refuses with a coded 422, and passes only data that still says exactly what the card says', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const p = apply(base, other, ms);
        const unchanged = FIELDS.every((f) => same(p[f], base[f]));
        try {
          const got = verifyCardData(p, { trustAnchors: anchors, challenge, challengeSignature: p.sig });
          // Whatever passed is the card's own data, presence proven.
          expect(got.challengeVerified).toBe(true);
          expect(holderOf(got)).toEqual(genuine);
          return true;
        } catch (e) {
          expect(unchanged).toBe(false);
          expect(e).toBeInstanceOf(AppError);
          expect(CARD_CODES).toContain((e as AppError).code);
          expect((e as AppError).status).toBe(422);
          return true;
        }
      }),
      { numRuns: 400 },
    );
  });

  it("refuses through the relay's verifier with a coded 4xx whatever the base64 body holds", () => {
    const verifier = createCardVerifier({ trustAnchors: anchors, suspensions: { has: () => false } });
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const p = apply(base, other, ms);
        const body = {
          ef0001: b64(p.ef0001),
          ef0002: b64(p.ef0002),
          ef0003: b64(p.ef0003),
          ef0004: b64(p.ef0004),
          ef0007: b64(p.ef0007),
          challengeSignature: b64(p.sig),
        };
        try {
          expect(holderOf(verifier.verify(body, challenge))).toEqual(genuine);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).status).toBeGreaterThanOrEqual(400);
          expect((e as AppError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses genuine card data answering another challenge (a replay)', () => {
    expect(() => verifyCardData(base, { trustAnchors: anchors, challenge: randomBytes(32), challengeSignature: base.sig })).toThrow(AppError);
  });
});
