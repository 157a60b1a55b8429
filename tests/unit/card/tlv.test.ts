import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../services/common/errors.js';
import { parseCardFiles } from '../../../services/card/card-data.js';
import { decodeSequence, decodeTlv, decodeTlvHeader, decodeWholeTlv, encodeTlv } from '../../../services/card/tlv.js';
import { hex, toHex } from './card-fixtures.js';

function formatError(fn: () => unknown): void {
  expect(fn).toThrow(AppError);
  try {
    fn();
  } catch (err) {
    expect((err as AppError).code).toBe('ERR_CARD_FORMAT');
    expect((err as AppError).status).toBe(422);
  }
}

describe('BER-TLV', () => {
  it('encodes two-byte private tags and one-byte tags with the minimal length form', () => {
    expect(toHex(encodeTlv(0xff10, new Uint8Array(12)))).toBe('FF100C' + '00'.repeat(12));
    expect(toHex(encodeTlv(0x90, hex('010001')))).toBe('9003010001');
    expect(toHex(encodeTlv(0xdf22, new Uint8Array(0x7f)).subarray(0, 3))).toBe('DF227F');
    expect(toHex(encodeTlv(0xdf23, new Uint8Array(0x80)).subarray(0, 4))).toBe('DF238180');
    expect(toHex(encodeTlv(0xdf23, new Uint8Array(0xff)).subarray(0, 4))).toBe('DF2381FF');
    expect(toHex(encodeTlv(0x5f4e, new Uint8Array(0x129)).subarray(0, 5))).toBe('5F4E820129');
  });

  it('treats a bad tag or length from our own code as a TypeError', () => {
    expect(() => encodeTlv(0x1f, new Uint8Array(0))).toThrow(TypeError);
    expect(() => encodeTlv(0x1f00 | 0x80, new Uint8Array(0))).toThrow(TypeError);
    expect(() => encodeTlv(0x90, new Uint8Array(0x10000))).toThrow(TypeError);
  });

  it('round-trips every tag the card uses at every length form', () => {
    const tags = [0xff10, 0xff20, 0xff30, 0xff50, 0xdf21, 0xdf25, 0xdf31, 0xdf33, 0xdf51, 0xdf52, 0x7f21, 0x5f4e, 0x5f37, 0x90, 0x91];
    fc.assert(
      fc.property(fc.constantFrom(...tags), fc.uint8Array({ maxLength: 600 }), (tag, value) => {
        const tlv = decodeWholeTlv(encodeTlv(tag, value), tag);
        expect(tlv.tag).toBe(tag);
        expect(toHex(tlv.value)).toBe(toHex(value));
      }),
    );
  });

  it('refuses truncation, trailing bytes, the wrong tag and non-minimal, indefinite or oversized lengths', () => {
    formatError(() => decodeTlvHeader(new Uint8Array(0)));
    formatError(() => decodeTlvHeader(hex('DF')));
    formatError(() => decodeTlvHeader(hex('DF22')));
    formatError(() => decodeTlvHeader(hex('DF2281')));
    formatError(() => decodeTlvHeader(hex('DF228201')));
    formatError(() => decodeTlv(hex('DF220301'), 0, 0xdf22));
    formatError(() => decodeWholeTlv(hex('DF220101FF'), 0xdf22));
    formatError(() => decodeTlv(hex('DF230101'), 0, 0xdf22));
    formatError(() => decodeTlv(hex('DF22817F'), 0, 0xdf22));
    formatError(() => decodeTlv(hex('DF228200FF'), 0, 0xdf22));
    formatError(() => decodeTlv(hex('DF2280'), 0, 0xdf22));
    formatError(() => decodeTlv(hex('DF2283000001'), 0, 0xdf22));
    formatError(() => decodeTlv(hex('DF8122' + '00'), 0, 0xdf81));
    formatError(() => decodeSequence(hex('DF2100DF2200FF'), 0, 7, [0xdf21, 0xdf22]));
    formatError(() => decodeSequence(hex('DF2100DF2200'), 0, 6, [0xdf21, 0xdf22, 0xdf23]));
    // A child may not run past its parent's end even if the buffer continues.
    formatError(() => decodeTlv(hex('DF220200AABB'), 0, 0xdf22, 4));
  });

  it('parses any byte string into a card or a coded format error, never another exception', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 600 }),
        (ef0001, ef0002, ef0003, ef0004, ef0007) => {
          expect(() => parseCardFiles({ ef0001, ef0002, ef0003, ef0004, ef0007 })).toThrow(AppError);
        },
      ),
      { numRuns: 300 },
    );
  });
});
