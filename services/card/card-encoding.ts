import { createHash, type KeyObject } from 'node:crypto';
import { encodeRsaPublicKey } from './rsa-key.js';
import { concatBytes, encodeTlv } from './tlv.js';

/**
 * Encoders of the 券面事項入力補助AP (kenhojo) files, byte for byte as CARD.md lays them out.
 * They take data our own code produced, so bad arguments are TypeErrors (misuse), not card errors.
 */

/** Tags of the kenhojo files. */
export const TAG = {
  myNumberFile: 0xff10,
  basicInfoFile: 0xff20,
  integrityFile: 0xff30,
  challengeKeyFile: 0xff50,
  offsets: 0xdf21,
  name: 0xdf22,
  address: 0xdf23,
  birthDate: 0xdf24,
  sex: 0xdf25,
  h1: 0xdf31,
  h2: 0xdf32,
  dataSignature: 0xdf33,
  challengePublicKey: 0xdf51,
  challengeKeySignature: 0xdf52,
  cvCertificate: 0x7f21,
  cvBody: 0x5f4e,
  cvSignature: 0x5f37,
} as const;

/** EF0001's filler after the My Number TLV; it is stored and hashed into H1. */
export const EF0001_FILLER = Uint8Array.from([0xff, 0xff]);

/** Bytes of the key-IDs in the CV certificate body. */
export const KEY_ID_BYTES = 16;

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Converts ASCII digits to full-width (U+FF10–U+FF19), as addresses are printed on the card. */
export function toFullWidthDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + d.charCodeAt(0) - 0x30));
}

/** EF0001: `FF 10 0C` + 12 ASCII digits + filler `FF FF` (17 bytes). */
export function encodeEf0001(myNumber: string): Uint8Array {
  if (!/^\d{12}$/.test(myNumber)) throw new TypeError('My Number must be 12 digits');
  return concatBytes(encodeTlv(TAG.myNumberFile, ascii(myNumber)), EF0001_FILLER);
}

/** The four basic items (基本4情報) as the card stores them. */
export interface BasicInfo {
  /** Family name, U+3000, given name. */
  name: string;
  /** With full-width digits. */
  address: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** JIS X 0303 code. */
  sex: '0' | '1' | '2' | '9';
}

/**
 * EF0002: `FF 20 len { DF21 offsets, DF22 name, DF23 address, DF24 YYYYMMDD, DF25 sex }`.
 * DF21 holds four big-endian u16 offsets, counted from the start of the file, of the DF22–DF25
 * tags; they depend on the outer length's own size, so the items are encoded first.
 */
export function encodeEf0002(info: BasicInfo): Uint8Array {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(info.birthDate)) throw new TypeError('birthDate must be YYYY-MM-DD');
  if (!/^[0129]$/.test(info.sex)) throw new TypeError('sex must be a JIS X 0303 code');
  if (info.name.length === 0 || info.address.length === 0) throw new TypeError('name and address are required');
  const items = [
    encodeTlv(TAG.name, utf8(info.name)),
    encodeTlv(TAG.address, utf8(info.address)),
    encodeTlv(TAG.birthDate, ascii(info.birthDate.replaceAll('-', ''))),
    encodeTlv(TAG.sex, ascii(info.sex)),
  ];
  const df21Length = 2 + 1 + 8;
  const innerLength = df21Length + items.reduce((n, t) => n + t.length, 0);
  // The header's size (tag plus 1–3 length bytes) is what encoding a placeholder of that length gives.
  const outerHeader = encodeTlv(TAG.basicInfoFile, new Uint8Array(innerLength)).length - innerLength;
  const offsets = new Uint8Array(8);
  const view = new DataView(offsets.buffer);
  let at = outerHeader + df21Length;
  items.forEach((item, i) => {
    view.setUint16(i * 2, at);
    at += item.length;
  });
  return encodeTlv(TAG.basicInfoFile, concatBytes(encodeTlv(TAG.offsets, offsets), ...items));
}

/** H1 = SHA-256 of the whole stored EF0001 (filler included). */
export function hashEf0001(ef0001: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(ef0001).digest());
}

/** H2 = SHA-256 of EF0002's outer value from the DF22 tag to the end of DF25. */
export function hashBasicInfo(df22ToDf25: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(df22ToDf25).digest());
}

/** M = `DF 31 20 ‖ H1 ‖ DF 32 20 ‖ H2` (70 bytes): what DF33 signs. */
export function integrityMessage(h1: Uint8Array, h2: Uint8Array): Uint8Array {
  if (h1.length !== 32 || h2.length !== 32) throw new TypeError('H1 and H2 are SHA-256 hashes');
  return concatBytes(encodeTlv(TAG.h1, h1), encodeTlv(TAG.h2, h2));
}

/** EF0003: `FF 30 82 01 4B { DF31 20 H1, DF32 20 H2, DF33 82 01 00 signature }` (336 bytes). */
export function encodeEf0003(h1: Uint8Array, h2: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== 256) throw new TypeError('DF33 is an RSA-2048 signature');
  return encodeTlv(TAG.integrityFile, concatBytes(integrityMessage(h1, h2), encodeTlv(TAG.dataSignature, signature)));
}

/**
 * CV certificate body (297 B): issuer key-ID ‖ subject key-ID ‖ `90 03 010001` ‖
 * `91 82 0100 <modulus>`.
 */
export function encodeCvBody(issuerKeyId: Uint8Array, subjectKeyId: Uint8Array, subjectKey: KeyObject): Uint8Array {
  if (issuerKeyId.length !== KEY_ID_BYTES || subjectKeyId.length !== KEY_ID_BYTES) throw new TypeError('key-IDs are 16 bytes');
  const key = encodeRsaPublicKey(subjectKey);
  if (key.length !== 5 + 260) throw new TypeError('the CV certificate needs an RSA-2048 key with a 3-byte exponent');
  return concatBytes(issuerKeyId, subjectKeyId, key);
}

/** EF0004: `7F21 82 len { 5F4E 82 0129 body, 5F37 82 0100 signature }`. */
export function encodeEf0004(body: Uint8Array, signature: Uint8Array): Uint8Array {
  if (body.length !== 297 || signature.length !== 256) throw new TypeError('CV body is 297 B and its signature 256 B');
  return encodeTlv(TAG.cvCertificate, concatBytes(encodeTlv(TAG.cvBody, body), encodeTlv(TAG.cvSignature, signature)));
}

/** DF51 TLV: `DF 51 len { 90 03 <exponent> 91 82 01 00 <modulus> }`; DF52 signs these bytes. */
export function encodeDf51(challengePublicKey: KeyObject): Uint8Array {
  return encodeTlv(TAG.challengePublicKey, encodeRsaPublicKey(challengePublicKey));
}

/** EF0007: `FF 50 { DF51 public key, DF52 signature over the DF51 TLV }`. */
export function encodeEf0007(df51Tlv: Uint8Array, df52: Uint8Array): Uint8Array {
  if (df52.length !== 256) throw new TypeError('DF52 is an RSA-2048 signature');
  return encodeTlv(TAG.challengeKeyFile, concatBytes(df51Tlv, encodeTlv(TAG.challengeKeySignature, df52)));
}
