import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KENHOJO_AID } from '../../../services/card/apdu-engine.js';
import { readCardFile, writeCardFile, KENHOJO_AID_HEX, type CardFile } from '../../../services/card/card-file.js';
import { connect, readEf, selectKenhojo, signChallenge, triesLeft, verifyPin, type CardConnection } from '../../../services/card/reader.js';
import { cardFixture, hex, swOf, toHex, yamada, type CardFixture } from './card-fixtures.js';

const SELECT_AP = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, 0x0a, ...KENHOJO_AID]);
const selectEf = (fid: string): Uint8Array => hex(`00A4020C02${fid}`);
const verify = (pin: string): Uint8Array => Uint8Array.from([0x00, 0x20, 0x00, 0x80, 0x04, ...Buffer.from(pin)]);
const EMPTY_VERIFY = hex('00200080');
const read = (offset: number, le: number): Uint8Array => Uint8Array.from([0x00, 0xb0, offset >> 8, offset & 0xff, le]);
const WRONG = '9999';

describe('kenhojo APDU engine', () => {
  let fx: CardFixture;
  let pristine: CardFile;
  let ef0004Hex: string;
  let ef0001Hex: string;
  let n = 0;

  /** A fresh copy of the one issued card (RSA keys are made once per file). */
  async function freshCard(): Promise<{ path: string; conn: CardConnection }> {
    const path = `${fx.dir}/card-${n++}.json`;
    await writeCardFile(path, structuredClone(pristine));
    const conn = await connect(path);
    return { path, conn };
  }
  async function send(conn: CardConnection, apdu: Uint8Array): Promise<string> {
    return swOf(await conn.transmit(apdu));
  }
  async function atPin(conn: CardConnection): Promise<void> {
    expect(await send(conn, SELECT_AP)).toBe('9000');
    expect(await send(conn, selectEf('0011'))).toBe('9000');
  }

  beforeAll(async () => {
    fx = await cardFixture();
    pristine = (await fx.issue(yamada)).card;
    ef0004Hex = pristine.aps[KENHOJO_AID_HEX].files['0004'];
    ef0001Hex = pristine.aps[KENHOJO_AID_HEX].files['0001'];
  }, 120_000);
  afterAll(() => fx?.cleanup());

  it('counts wrong PINs 63C2, 63C1, 63C0, then answers 6984 to every attempt, the correct PIN included', async () => {
    const { conn } = await freshCard();
    await atPin(conn);
    expect(await send(conn, verify(WRONG))).toBe('63C2');
    expect(await send(conn, verify(WRONG))).toBe('63C1');
    expect(await send(conn, verify(WRONG))).toBe('63C0');
    expect(await send(conn, verify(WRONG))).toBe('6984');
    expect(await send(conn, verify(yamada.card.pin))).toBe('6984');
    expect(await send(conn, EMPTY_VERIFY)).toBe('6984');
    expect(await verifyPin(conn, yamada.card.pin)).toEqual({ blocked: true });
  });

  it('answers an empty VERIFY with the tries left without spending one, and 9000 once verified', async () => {
    const { conn } = await freshCard();
    await atPin(conn);
    expect(await send(conn, EMPTY_VERIFY)).toBe('63C3');
    expect(await send(conn, EMPTY_VERIFY)).toBe('63C3');
    expect(await send(conn, verify(WRONG))).toBe('63C2');
    expect(await send(conn, EMPTY_VERIFY)).toBe('63C2');
    expect(await triesLeft(conn)).toEqual({ triesLeft: 2 });
    expect(await send(conn, verify(yamada.card.pin))).toBe('9000');
    expect(await send(conn, EMPTY_VERIFY)).toBe('9000');
    expect(await triesLeft(conn)).toEqual({ verified: true });
  });

  it('resets the counter to the maximum on a correct PIN', async () => {
    const { conn, path } = await freshCard();
    await atPin(conn);
    expect(await send(conn, verify(WRONG))).toBe('63C2');
    expect(await send(conn, verify(WRONG))).toBe('63C1');
    expect((await readCardFile(path)).aps[KENHOJO_AID_HEX].pin.triesLeft).toBe(1);
    expect(await send(conn, verify(yamada.card.pin))).toBe('9000');
    expect((await readCardFile(path)).aps[KENHOJO_AID_HEX].pin.triesLeft).toBe(3);
    await conn.disconnect();
    const again = await connect(path);
    await atPin(again);
    expect(await send(again, EMPTY_VERIFY)).toBe('63C3');
  });

  it('keeps a blocked PIN blocked after the card file is reloaded from disk', async () => {
    const { conn, path } = await freshCard();
    await selectKenhojo(conn);
    expect(await verifyPin(conn, WRONG)).toEqual({ triesLeft: 2 });
    expect(await verifyPin(conn, WRONG)).toEqual({ triesLeft: 1 });
    expect(await verifyPin(conn, WRONG)).toEqual({ blocked: true });
    await conn.disconnect();
    const stored = JSON.parse(await readFile(path, 'utf8'));
    expect(stored.aps[KENHOJO_AID_HEX].pin.triesLeft).toBe(0);
    const reloaded = await connect(path);
    await atPin(reloaded);
    expect(await send(reloaded, EMPTY_VERIFY)).toBe('6984');
    expect(await send(reloaded, verify(yamada.card.pin))).toBe('6984');
  });

  it('starts a card written with triesLeft 0 blocked', async () => {
    const blocked = await fx.issue(yamada, { triesLeft: 0 });
    const conn = await connect(blocked.path);
    await atPin(conn);
    expect(await send(conn, verify(yamada.card.pin))).toBe('6984');
  });

  it('refuses protected reads and SIGN with 6982 before VERIFY, and forgets the PIN on power-off', async () => {
    const { conn, path } = await freshCard();
    expect(await send(conn, SELECT_AP)).toBe('9000');
    for (const fid of ['0001', '0002', '0003', '0007']) {
      expect(await send(conn, selectEf(fid))).toBe('9000');
      expect(await send(conn, read(0, 0))).toBe('6982');
    }
    const sign = Uint8Array.from([0x80, 0x2a, 0x00, 0x80, 51, ...hex('3031300d060960864801650304020105000420'), ...new Uint8Array(32), 0x00]);
    expect(await send(conn, sign)).toBe('6982');
    await expect(signChallenge(conn, new Uint8Array(32))).rejects.toMatchObject({ code: 'ERR_CARD_FORMAT', sw: 0x6982 });
    expect(await verifyPin(conn, yamada.card.pin)).toEqual({ ok: true });
    expect(toHex(await readEf(conn, '0001'))).toBe(ef0001Hex);
    expect((await signChallenge(conn, new Uint8Array(32))).length).toBe(256);
    await conn.disconnect();
    const again = await connect(path);
    expect(await send(again, SELECT_AP)).toBe('9000');
    expect(await send(again, selectEf('0001'))).toBe('9000');
    expect(await send(again, read(0, 0))).toBe('6982');
  });

  it('lets EF0004 be read without the PIN, with offsets, Le 00 meaning 256 and 6B00 past the end', async () => {
    const { conn } = await freshCard();
    expect(await send(conn, SELECT_AP)).toBe('9000');
    expect(await send(conn, selectEf('0004'))).toBe('9000');
    const ef = hex(ef0004Hex);
    expect(ef.length).toBe(568);
    const first = await conn.transmit(read(0, 0));
    expect(swOf(first)).toBe('9000');
    expect(toHex(first.subarray(0, -2))).toBe(toHex(ef.subarray(0, 256)));
    const mid = await conn.transmit(read(300, 16));
    expect(toHex(mid.subarray(0, -2))).toBe(toHex(ef.subarray(300, 316)));
    // Starts inside the EF, runs past its end: the remaining bytes with 9000.
    const tail = await conn.transmit(read(560, 0));
    expect(swOf(tail)).toBe('9000');
    expect(toHex(tail.subarray(0, -2))).toBe(toHex(ef.subarray(560)));
    expect(await send(conn, read(568, 1))).toBe('6B00');
    expect(await send(conn, read(0x7fff, 1))).toBe('6B00');
    expect(toHex(await readEf(conn, '0004'))).toBe(ef0004Hex);
  });

  it('answers 6D00, 6E00, 6A82, 6986 and 6A86 to unknown instructions, classes, files, no current EF and bad P1/P2', async () => {
    const { conn } = await freshCard();
    expect(await send(conn, hex('00CA000000'))).toBe('6D00');
    expect(await send(conn, hex('802A00'))).toBe('6700');
    expect(await send(conn, hex('84B0000010'))).toBe('6E00');
    expect(await send(conn, read(0, 16))).toBe('6986');
    expect(await send(conn, selectEf('0001'))).toBe('6A82'); // no AP selected yet
    expect(await send(conn, hex('00A4040C0AD392F000260100000001'))).toBe('6A82'); // JPKI AP: not on this card
    expect(await send(conn, SELECT_AP)).toBe('9000');
    expect(await send(conn, read(0, 16))).toBe('6986');
    expect(await send(conn, selectEf('0005'))).toBe('6A82');
    expect(await send(conn, hex('00A4010C020001'))).toBe('6A86');
    expect(await send(conn, hex('00200081'))).toBe('6A86');
    expect(await send(conn, hex('00B0800010'))).toBe('6A86');
    expect(await send(conn, EMPTY_VERIFY)).toBe('6986'); // VERIFY needs EF0011 selected
  });

  it('answers 6700 to malformed APDUs and never throws', async () => {
    const { conn } = await freshCard();
    await atPin(conn);
    const malformed = [
      '',
      '00',
      '00A404',
      '00A4040C',
      '00A4040C0AD392',
      '00A4040C00',
      '00A4040C0AD3921000310001010408FF00',
      '0020008003313233',
      '002000800531323334',
      '00200080043132333400',
      '00B00000',
      '00B000000201',
      '802A00800131',
    ];
    for (const m of malformed) expect(await send(conn, hex(m)), m).toBe('6700');
    // Malformed APDUs spent no try.
    expect(await send(conn, EMPTY_VERIFY)).toBe('63C3');
    for (let i = 0; i < 200; i++) {
      const junk = Uint8Array.from({ length: (i * 7) % 300 }, (_, j) => (i * 31 + j * 17) & 0xff);
      const answer = await conn.transmit(junk);
      expect(answer.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('checks SIGN: EF0007 must be selected (6986) and the data a SHA-256 DigestInfo (6700, 6A80)', async () => {
    const { conn } = await freshCard();
    await selectKenhojo(conn);
    expect(await verifyPin(conn, yamada.card.pin)).toEqual({ ok: true });
    const digestInfo = [...hex('3031300d060960864801650304020105000420'), ...new Uint8Array(32)];
    const sign = (data: number[]): Uint8Array => Uint8Array.from([0x80, 0x2a, 0x00, 0x80, data.length, ...data, 0x00]);
    expect(await send(conn, selectEf('0004'))).toBe('9000');
    expect(await send(conn, sign(digestInfo))).toBe('6986');
    expect(await send(conn, selectEf('0007'))).toBe('9000');
    expect(await send(conn, sign(digestInfo.slice(0, 50)))).toBe('6700');
    const sha1Like = [...digestInfo];
    sha1Like[14] = 0x02; // a different hash OID
    expect(await send(conn, sign(sha1Like))).toBe('6A80');
    expect(await send(conn, hex('802A0081'))).toBe('6A86');
    const ok = await conn.transmit(sign(digestInfo));
    expect(swOf(ok)).toBe('9000');
    expect(ok.length).toBe(258);
  });
});
