import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import {
  encodeCvBody,
  encodeEf0001,
  encodeEf0003,
  encodeEf0004,
  encodeEf0007,
  hashBasicInfo,
  hashEf0001,
  integrityMessage,
} from '../../../services/card/card-encoding.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../services/common/errors.js';
import type { CardFiles } from '../../../services/card/card-data.js';
import { connect, selectKenhojo, signChallenge, verifyPin } from '../../../services/card/reader.js';
import { createCard, createIssuerCa, type IssuerCa } from '../../../services/card/card-factory.js';
import { writeCardFile } from '../../../services/card/card-file.js';
import { verifyCardData, type CardTrustAnchor } from '../../../services/card/verify-card-data.js';
import { cardFixture, readThroughReader, yamada, type CardFixture } from './card-fixtures.js';

const copy = (f: CardFiles): CardFiles => ({
  ef0001: f.ef0001.slice(),
  ef0002: f.ef0002.slice(),
  ef0003: f.ef0003.slice(),
  ef0004: f.ef0004.slice(),
  ef0007: f.ef0007.slice(),
});

/** Runs `fn` and returns the AppError code it threw; fails on success or on any other throw. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    return (err as AppError).code;
  }
  throw new Error('expected a coded error');
}

describe('verifyCardData', () => {
  let fx: CardFixture;
  let otherCa: IssuerCa;
  let anchors: CardTrustAnchor[];
  let files: CardFiles;
  let path: string;
  let otherPath: string;

  beforeAll(async () => {
    fx = await cardFixture();
    otherCa = await createIssuerCa();
    anchors = [{ keyId: fx.ca.keyId.toUpperCase(), publicKey: fx.ca.publicKeyPem }];
    const [mine, other] = await Promise.all([fx.issue(yamada), fx.issue(yamada)]);
    path = mine.path;
    otherPath = other.path;
    files = await readThroughReader(path, yamada.card.pin);
  }, 120_000);
  afterAll(() => fx?.cleanup());

  it('returns the holder data of an untouched card', () => {
    const data = verifyCardData(files, { trustAnchors: anchors });
    expect(data).toMatchObject({
      myNumber: yamada.myNumber,
      name: '山田\u3000太郎',
      address: '東京都千代田区霞が関１丁目２番３号',
      birthDate: '1980-04-01',
      sex: '1',
      issuerKeyId: fx.ca.keyId,
      challengeVerified: false,
    });
    expect(data.cardId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts a fresh challenge signed by the card after VERIFY', async () => {
    const conn = await connect(path);
    await selectKenhojo(conn);
    await verifyPin(conn, yamada.card.pin);
    const challenge = randomBytes(32);
    const challengeSignature = await signChallenge(conn, challenge);
    await conn.disconnect();
    expect(verifyCardData(files, { trustAnchors: anchors, challenge, challengeSignature }).challengeVerified).toBe(true);
  });

  it('refuses a challenge signed by another card key with ERR_CARD_CHALLENGE', async () => {
    const conn = await connect(otherPath);
    await selectKenhojo(conn);
    await verifyPin(conn, yamada.card.pin);
    const challenge = randomBytes(32);
    const challengeSignature = await signChallenge(conn, challenge);
    await conn.disconnect();
    expect(codeOf(() => verifyCardData(files, { trustAnchors: anchors, challenge, challengeSignature }))).toBe('ERR_CARD_CHALLENGE');
    expect(codeOf(() => verifyCardData(files, { trustAnchors: anchors, challenge }))).toBe('ERR_CARD_CHALLENGE');
    expect(codeOf(() => verifyCardData(files, { trustAnchors: anchors, challenge, challengeSignature: new Uint8Array(3) }))).toBe('ERR_CARD_CHALLENGE');
  });

  it('refuses a tampered byte in EF0001 or in EF0002 with ERR_CARD_SIGNATURE', () => {
    for (let i = 3; i < 15; i++) {
      const digit = copy(files);
      digit.ef0001[i] = digit.ef0001[i] === 0x39 ? 0x30 : digit.ef0001[i]! + 1;
      expect(
        codeOf(() => verifyCardData(digit, { trustAnchors: anchors })),
        `EF0001 byte ${i}`,
      ).toBe('ERR_CARD_SIGNATURE');
    }
    const name = copy(files);
    const at = Buffer.from(name.ef0002).indexOf(Buffer.from('太郎'));
    name.ef0002.set(Buffer.from('次郎'), at);
    expect(codeOf(() => verifyCardData(name, { trustAnchors: anchors }))).toBe('ERR_CARD_SIGNATURE');
    const sex = copy(files);
    sex.ef0002[sex.ef0002.length - 1] = 0x32;
    expect(codeOf(() => verifyCardData(sex, { trustAnchors: anchors }))).toBe('ERR_CARD_SIGNATURE');
    const birth = copy(files);
    birth.ef0002.set(Buffer.from('19800402'), Buffer.from(birth.ef0002).indexOf(Buffer.from('19800401')));
    expect(codeOf(() => verifyCardData(birth, { trustAnchors: anchors }))).toBe('ERR_CARD_SIGNATURE');
  });

  it('refuses a changed EF0001 filler as a format error (the layout is fixed)', () => {
    const filler = copy(files);
    filler.ef0001[16] = 0xfe;
    expect(codeOf(() => verifyCardData(filler, { trustAnchors: anchors }))).toBe('ERR_CARD_FORMAT');
  });

  it('refuses a properly signed My Number with a wrong check digit as ERR_CARD_FORMAT', async () => {
    const { privateKey: cardKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ef0001 = encodeEf0001('314159265353');
    const ef0002 = files.ef0002;
    const h1 = hashEf0001(ef0001);
    // This EF0002 has a short-form header (FF 20 len), so DF21's first offset (to DF22) is at byte 6.
    const h2 = hashBasicInfo(ef0002.subarray((ef0002[6]! << 8) | ef0002[7]!));
    const ef0003 = encodeEf0003(h1, h2, sign('sha256', integrityMessage(h1, h2), cardKey));
    const body = encodeCvBody(Buffer.from(fx.ca.keyId, 'hex'), randomBytes(16), createPublicKey(cardKey));
    const ef0004 = encodeEf0004(body, sign('sha256', body, fx.ca.privateKey));
    const df51 = files.ef0007.subarray(5, 5 + 270);
    const ef0007 = encodeEf0007(df51, sign('sha256', df51, cardKey));
    const built = { ef0001, ef0002, ef0003, ef0004, ef0007 };
    expect(codeOf(() => verifyCardData(built, { trustAnchors: anchors }))).toBe('ERR_CARD_FORMAT');
    // The same construction with a valid number passes, so only the check digit failed.
    const good = encodeEf0001(yamada.myNumber);
    const h1good = hashEf0001(good);
    const ef0003good = encodeEf0003(h1good, h2, sign('sha256', integrityMessage(h1good, h2), cardKey));
    expect(verifyCardData({ ...built, ef0001: good, ef0003: ef0003good }, { trustAnchors: anchors }).myNumber).toBe(yamada.myNumber);
  });

  it('will not issue a card whose My Number fails its check digit', async () => {
    await expect(createCard({ ...yamada, myNumber: '314159265353' }, { issuerKeyId: fx.ca.keyId, issuerPrivateKey: fx.ca.privateKey })).rejects.toThrow(
      TypeError,
    );
  });

  it('refuses data whose DF31 was recomputed without the card key, or a corrupted DF52, with ERR_CARD_SIGNATURE', () => {
    const forged = copy(files);
    forged.ef0001.set(Buffer.from('271828182840'), 3);
    forged.ef0003.set(hashEf0001(forged.ef0001), 8);
    expect(codeOf(() => verifyCardData(forged, { trustAnchors: anchors }))).toBe('ERR_CARD_SIGNATURE');
    const df52 = copy(files);
    df52.ef0007[df52.ef0007.length - 1] = df52.ef0007[df52.ef0007.length - 1]! ^ 0x01;
    expect(codeOf(() => verifyCardData(df52, { trustAnchors: anchors }))).toBe('ERR_CARD_SIGNATURE');
  });

  it('names no personal data in its error messages', () => {
    const name = copy(files);
    name.ef0002.set(Buffer.from('次郎'), Buffer.from(name.ef0002).indexOf(Buffer.from('太郎')));
    try {
      verifyCardData(name, { trustAnchors: anchors });
    } catch (err) {
      expect((err as Error).message).not.toMatch(/山田|次郎|3141|1980/);
      return;
    }
    throw new Error('expected a failure');
  });

  it('refuses a CV certificate of an unknown issuer key-ID with ERR_CARD_CHAIN', () => {
    expect(codeOf(() => verifyCardData(files, { trustAnchors: [{ keyId: otherCa.keyId, publicKey: otherCa.publicKeyPem }] }))).toBe('ERR_CARD_CHAIN');
    expect(codeOf(() => verifyCardData(files, { trustAnchors: [] }))).toBe('ERR_CARD_CHAIN');
  });

  it('refuses a CV certificate signed by another CA that claims the trusted key-ID with ERR_CARD_CHAIN', async () => {
    const forged = await createCard(yamada, { issuerKeyId: fx.ca.keyId, issuerPrivateKey: otherCa.privateKey });
    const forgedPath = `${fx.dir}/forged.json`;
    await writeCardFile(forgedPath, forged);
    const forgedFiles = await readThroughReader(forgedPath, yamada.card.pin);
    expect(codeOf(() => verifyCardData(forgedFiles, { trustAnchors: anchors }))).toBe('ERR_CARD_CHAIN');
    // The same card passes once its real CA is trusted: only the chain was wrong.
    const otherAnchor = { keyId: fx.ca.keyId, publicKey: otherCa.publicKeyPem };
    expect(verifyCardData(forgedFiles, { trustAnchors: [otherAnchor] }).myNumber).toBe(yamada.myNumber);
  });

  it('refuses DF21 offsets that miss the DF22..DF25 tags with ERR_CARD_FORMAT, though H2 does not cover DF21', () => {
    for (const i of [0, 1, 2, 3]) {
      const moved = copy(files);
      // Short-form header: DF21's value starts at byte 6; offset i is its big-endian u16 pair.
      moved.ef0002[7 + i * 2] = moved.ef0002[7 + i * 2]! + 1;
      expect(
        codeOf(() => verifyCardData(moved, { trustAnchors: anchors })),
        `offset ${i}`,
      ).toBe('ERR_CARD_FORMAT');
    }
  });

  it('refuses truncated and garbage bytes with ERR_CARD_FORMAT, never a crash', () => {
    const names = ['ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0007'] as const;
    for (const name of names) {
      const ef = files[name];
      for (const cut of [0, 1, 2, 3, 5, Math.floor(ef.length / 2), ef.length - 1]) {
        expect(
          codeOf(() => verifyCardData({ ...files, [name]: ef.subarray(0, cut) }, { trustAnchors: anchors })),
          `${name} cut ${cut}`,
        ).toBe('ERR_CARD_FORMAT');
      }
      const longer = new Uint8Array(ef.length + 1);
      longer.set(ef);
      expect(
        codeOf(() => verifyCardData({ ...files, [name]: longer }, { trustAnchors: anchors })),
        `${name} + 1`,
      ).toBe('ERR_CARD_FORMAT');
      for (let i = 0; i < 50; i++) {
        expect(codeOf(() => verifyCardData({ ...files, [name]: randomBytes(i * 13) }, { trustAnchors: anchors }))).toBe('ERR_CARD_FORMAT');
      }
    }
    expect(codeOf(() => verifyCardData({ ...files, ef0002: undefined } as unknown as CardFiles, { trustAnchors: anchors }))).toBe('ERR_CARD_FORMAT');
  });
});
