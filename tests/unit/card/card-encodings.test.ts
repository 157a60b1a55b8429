import { createHash, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, readAll, selectKenhojo, verifyPin, type CardConnection } from '../../../services/card/reader.js';
import type { CardFiles } from '../../../services/card/card-data.js';
import { rsaParts } from '../../../services/card/rsa-key.js';
import { cardFixture, readThroughReader, toHex, yamada, type CardFixture } from './card-fixtures.js';

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

describe('kenhojo file encodings, read back through the APDU engine', () => {
  let fx: CardFixture;
  let conn: CardConnection;
  let files: CardFiles;
  let cardId: string;

  beforeAll(async () => {
    fx = await cardFixture();
    const { path, card } = await fx.issue(yamada);
    cardId = card.cardId;
    conn = await connect(path);
    await selectKenhojo(conn);
    expect(await verifyPin(conn, yamada.card.pin)).toEqual({ ok: true });
    files = await readAll(conn);
  }, 120_000);

  afterAll(async () => {
    await conn?.disconnect();
    await fx?.cleanup();
  });

  it('stores EF0001 as FF10 0C, 12 ASCII digits and the FF FF filler (17 bytes)', () => {
    expect(files.ef0001.length).toBe(17);
    expect(toHex(files.ef0001)).toBe('FF100C' + Buffer.from(yamada.myNumber).toString('hex').toUpperCase() + 'FFFF');
  });

  /** Header length and value length of the outer TLV of an EF. */
  function outer(ef: Uint8Array): [number, number] {
    const l0 = ef[2]!;
    return l0 < 0x80 ? [3, l0] : l0 === 0x81 ? [4, ef[3]!] : [5, u16(ef, 3)];
  }

  function checkEf0002(ef: Uint8Array, name: string, address: string, birth: string, sex: string, lengthForm: string): void {
    expect(toHex(ef.subarray(0, 2))).toBe('FF20');
    const [headerLength, outerLength] = outer(ef);
    expect(lengthForm).toBe(ef[2]! < 0x80 ? 'short' : ef[2]!.toString(16));
    expect(headerLength + outerLength).toBe(ef.length);
    expect(toHex(ef.subarray(headerLength, headerLength + 3))).toBe('DF2108');
    const offsets = [0, 1, 2, 3].map((i) => u16(ef, headerLength + 3 + i * 2));
    expect(offsets.map((o) => toHex(ef.subarray(o, o + 2)))).toEqual(['DF22', 'DF23', 'DF24', 'DF25']);
    const item = (o: number): Buffer => {
      const l0 = ef[o + 2]!;
      const [start, len] = l0 < 0x80 ? [o + 3, l0] : l0 === 0x81 ? [o + 4, ef[o + 3]!] : [o + 5, u16(ef, o + 3)];
      return Buffer.from(ef.subarray(start, start + len));
    };
    expect(item(offsets[0]!).toString('utf8')).toBe(name);
    expect(item(offsets[1]!).toString('utf8')).toBe(address);
    expect(item(offsets[2]!).toString('latin1')).toBe(birth);
    expect(item(offsets[3]!).toString('latin1')).toBe(sex);
    expect(offsets[3]! + 4).toBe(ef.length);
  }

  it('lays out EF0002 with DF21 offsets pointing at the DF22..DF25 tags, U+3000 in the name and full-width digits', () => {
    checkEf0002(files.ef0002, '山田\u3000太郎', '東京都千代田区霞が関１丁目２番３号', '19800401', '1', 'short');
  });

  it('uses the 81 and 82 length forms when EF0002 grows, and the offsets follow the longer header', async () => {
    const medium = { ...yamada, address: '東京都千代田区霞が関1丁目2番3号' + 'あ'.repeat(20) };
    const long = { ...yamada, address: '東京都千代田区霞が関1丁目2番3号' + 'あ'.repeat(60) };
    const [m, l] = await Promise.all([fx.issue(medium), fx.issue(long)]);
    const [mf, lf] = await Promise.all([readThroughReader(m.path, yamada.card.pin), readThroughReader(l.path, yamada.card.pin)]);
    checkEf0002(mf.ef0002, '山田\u3000太郎', '東京都千代田区霞が関１丁目２番３号' + 'あ'.repeat(20), '19800401', '1', '81');
    // The address alone is over 127 bytes here, so DF23 itself uses 81 xx.
    checkEf0002(lf.ef0002, '山田\u3000太郎', '東京都千代田区霞が関１丁目２番３号' + 'あ'.repeat(60), '19800401', '1', '82');
  });

  it('writes EF0003 as 336 bytes whose DF31/DF32 are H1/H2 and DF33 verifies under the card key', () => {
    const ef = files.ef0003;
    expect(ef.length).toBe(336);
    expect(toHex(ef.subarray(0, 5))).toBe('FF3082014B');
    expect(toHex(ef.subarray(5, 7)) + ef[7]!.toString(16)).toBe('DF3120');
    expect(toHex(ef.subarray(40, 43))).toBe('DF3220');
    expect(toHex(ef.subarray(75, 80))).toBe('DF33820100');
    const h1 = sha256(files.ef0001);
    const df22 = u16(files.ef0002, outer(files.ef0002)[0] + 3);
    const h2 = sha256(files.ef0002.subarray(df22));
    expect(Buffer.from(ef.subarray(8, 40)).equals(h1)).toBe(true);
    expect(Buffer.from(ef.subarray(43, 75)).equals(h2)).toBe(true);
    const m = ef.subarray(5, 75);
    expect(m.length).toBe(70);
    expect(verify('sha256', m, cardKey(), ef.subarray(80))).toBe(true);
  });

  it('writes the EF0004 CV certificate with 82 long forms, the card ID as subject and the CA signature', () => {
    const ef = files.ef0004;
    expect(toHex(ef.subarray(0, 5))).toBe('7F21820233');
    expect(ef.length).toBe(5 + 0x233);
    expect(toHex(ef.subarray(5, 10))).toBe('5F4E820129');
    const body = ef.subarray(10, 10 + 297);
    expect(toHex(body.subarray(0, 16)).toLowerCase()).toBe(fx.ca.keyId);
    expect(toHex(body.subarray(16, 32)).toLowerCase()).toBe(cardId);
    expect(toHex(body.subarray(32, 41))).toBe('9003010001' + '91820100');
    expect(toHex(ef.subarray(307, 312))).toBe('5F37820100');
    expect(verify('sha256', body, fx.ca.privateKey, ef.subarray(312))).toBe(true);
  });

  it('writes EF0007 with the DF51 challenge key and a DF52 signature over the whole DF51 TLV', () => {
    const ef = files.ef0007;
    expect(toHex(ef.subarray(0, 5))).toBe('FF50820213');
    expect(toHex(ef.subarray(5, 10))).toBe('DF51820109');
    const df51 = ef.subarray(5, 10 + 0x109);
    expect(toHex(df51.subarray(5, 14))).toBe('9003010001' + '91820100');
    expect(toHex(ef.subarray(275, 280))).toBe('DF52820100');
    expect(ef.length).toBe(280 + 256);
    expect(verify('sha256', df51, cardKey(), ef.subarray(280))).toBe(true);
  });

  /** The card key, rebuilt from the modulus in EF0004 and checked against the JWK helper. */
  function cardKey() {
    const modulus = files.ef0004.subarray(10 + 41, 10 + 297);
    return {
      key: { kty: 'RSA', n: Buffer.from(modulus).toString('base64url'), e: 'AQAB' },
      format: 'jwk' as const,
    };
  }

  it('keeps the challenge key on the card: the card file has it, EF0007 carries only its public half', async () => {
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const card = JSON.parse(await (await import('node:fs/promises')).readFile(`${fx.dir}/${cardId}.json`, 'utf8'));
    const priv = createPrivateKey(card.aps.D3921000310001010408.challengeKey);
    expect(toHex(rsaParts(createPublicKey(priv)).modulus)).toBe(toHex(files.ef0007.subarray(19, 275)));
  });
});
