import type { KeyObject } from 'node:crypto';
import { CardFormatError } from './card-errors.js';
import { EF0001_FILLER, KEY_ID_BYTES, TAG, hashBasicInfo, hashEf0001 } from './card-encoding.js';
import { MODULUS_BYTES, TAG_EXPONENT, TAG_MODULUS, rsaPublicKeyFromParts } from './rsa-key.js';
import { decodeSequence, decodeTlv, decodeWholeTlv, tagName } from './tlv.js';

export * from './card-encoding.js';

/** The five kenhojo (券面事項入力補助) EFs as read from the card. */
export interface CardFiles {
  ef0001: Uint8Array;
  ef0002: Uint8Array;
  ef0003: Uint8Array;
  ef0004: Uint8Array;
  ef0007: Uint8Array;
}

/** The AP's CV certificate (EF0004), decoded but not yet checked against a CA. */
export interface ParsedCvCertificate {
  /** Issuer CA key-ID, lower-case hex. */
  issuerKeyId: string;
  /** The card's key-ID, lower-case hex; it is the card ID a suspension list names. */
  subjectKeyId: string;
  publicKey: KeyObject;
  /** The 297-byte body the issuer signed. */
  body: Uint8Array;
  signature: Uint8Array;
}

/** What {@link parseCardFiles} found on the card. Nothing here has been verified yet. */
export interface ParsedCard {
  myNumber: string;
  /** Family name, U+3000, given name. */
  name: string;
  /** As stored (full-width digits). */
  address: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: '0' | '1' | '2' | '9';
  /** DF31 and DF32 as stored. */
  h1: Uint8Array;
  h2: Uint8Array;
  /** DF33 as stored. */
  signature: Uint8Array;
  /** H1 and H2 computed from the EF0001 and EF0002 bytes actually read. */
  recomputed: { h1: Uint8Array; h2: Uint8Array };
  cv: ParsedCvCertificate;
  challengeKey: {
    publicKey: KeyObject;
    /** The whole DF51 TLV (tag, length, value): what DF52 signs. */
    df51Tlv: Uint8Array;
    df52: Uint8Array;
  };
}

const FILE_NAMES = ['ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0007'] as const;

/**
 * Strictly parses the five kenhojo files. Any deviation from CARD.md (tags, lengths, trailing
 * bytes, DF21 offsets, key sizes, digits, dates) is a {@link CardFormatError}; signatures and the
 * My Number check digit are left to `verifyCardData`.
 */
export function parseCardFiles(files: CardFiles): ParsedCard {
  for (const name of FILE_NAMES) {
    if (!((files as Partial<CardFiles> | undefined)?.[name] instanceof Uint8Array)) {
      throw new CardFormatError(`${name.toUpperCase()} is missing`);
    }
  }
  const myNumber = parseEf0001(files.ef0001);
  const basic = parseEf0002(files.ef0002);
  const integrity = parseEf0003(files.ef0003);
  const cv = parseEf0004(files.ef0004);
  const challengeKey = parseEf0007(files.ef0007);
  return {
    myNumber,
    name: basic.name,
    address: basic.address,
    birthDate: basic.birthDate,
    sex: basic.sex,
    ...integrity,
    recomputed: { h1: hashEf0001(files.ef0001), h2: hashBasicInfo(basic.signedPart) },
    cv,
    challengeKey,
  };
}

function parseEf0001(ef: Uint8Array): string {
  const tlv = decodeTlv(ef, 0, TAG.myNumberFile);
  if (tlv.length !== 12) throw new CardFormatError('EF0001: My Number is not 12 bytes');
  const filler = ef.subarray(tlv.end);
  if (filler.length !== EF0001_FILLER.length || !filler.every((b, i) => b === EF0001_FILLER[i])) {
    throw new CardFormatError('EF0001: filler is not FF FF');
  }
  // The check digit is verifyCardData's last check: tampered digits must first fail the signature.
  return asciiDigits(tlv.value, 'EF0001: My Number');
}

function parseEf0002(ef: Uint8Array): BasicInfoParsed {
  const outer = decodeWholeTlv(ef, TAG.basicInfoFile);
  const [df21, name, address, birth, sex] = decodeSequence(ef, outer.valueStart, outer.end, [TAG.offsets, TAG.name, TAG.address, TAG.birthDate, TAG.sex]) as [
    Tlv4,
    Tlv4,
    Tlv4,
    Tlv4,
    Tlv4,
  ];
  if (df21.length !== 8) throw new CardFormatError('EF0002: DF21 is not four offsets');
  const view = new DataView(df21.value.buffer, df21.value.byteOffset, 8);
  [name, address, birth, sex].forEach((item, i) => {
    if (view.getUint16(i * 2) !== item.start) {
      throw new CardFormatError(`EF0002: DF21 offset ${i + 1} does not point at tag ${tagName(item.tag)}`);
    }
  });
  const birthDigits = asciiDigits(birth.value, 'EF0002: birth date');
  if (birthDigits.length !== 8) throw new CardFormatError('EF0002: birth date is not 8 digits');
  const birthDate = `${birthDigits.slice(0, 4)}-${birthDigits.slice(4, 6)}-${birthDigits.slice(6)}`;
  if (!isCalendarDate(birthDate)) throw new CardFormatError('EF0002: birth date is not a date');
  const sexCode = String.fromCharCode(...sex.value);
  if (!/^[0129]$/.test(sexCode)) throw new CardFormatError('EF0002: sex is not a JIS X 0303 code');
  return {
    name: utf8Text(name.value, 'EF0002: name'),
    address: utf8Text(address.value, 'EF0002: address'),
    birthDate,
    sex: sexCode as BasicInfoParsed['sex'],
    signedPart: ef.subarray(name.start, sex.end),
  };
}

type Tlv4 = ReturnType<typeof decodeTlv>;
interface BasicInfoParsed {
  name: string;
  address: string;
  birthDate: string;
  sex: '0' | '1' | '2' | '9';
  signedPart: Uint8Array;
}

function parseEf0003(ef: Uint8Array): { h1: Uint8Array; h2: Uint8Array; signature: Uint8Array } {
  if (ef.length !== 336) throw new CardFormatError('EF0003 is not 336 bytes');
  const outer = decodeWholeTlv(ef, TAG.integrityFile);
  const [h1, h2, sig] = decodeSequence(ef, outer.valueStart, outer.end, [TAG.h1, TAG.h2, TAG.dataSignature]) as [Tlv4, Tlv4, Tlv4];
  if (h1.length !== 32 || h2.length !== 32) throw new CardFormatError('EF0003: DF31/DF32 are not SHA-256 hashes');
  if (sig.length !== MODULUS_BYTES) throw new CardFormatError('EF0003: DF33 is not 256 bytes');
  return { h1: h1.value, h2: h2.value, signature: sig.value };
}

function parseEf0004(ef: Uint8Array): ParsedCvCertificate {
  const outer = decodeWholeTlv(ef, TAG.cvCertificate);
  const [body, sig] = decodeSequence(ef, outer.valueStart, outer.end, [TAG.cvBody, TAG.cvSignature]) as [Tlv4, Tlv4];
  if (body.length !== 297) throw new CardFormatError('EF0004: CV body is not 297 bytes');
  if (sig.length !== MODULUS_BYTES) throw new CardFormatError('EF0004: CV signature is not 256 bytes');
  const ids = 2 * KEY_ID_BYTES;
  return {
    issuerKeyId: Buffer.from(body.value.subarray(0, KEY_ID_BYTES)).toString('hex'),
    subjectKeyId: Buffer.from(body.value.subarray(KEY_ID_BYTES, ids)).toString('hex'),
    publicKey: parseRsaKey(body.value.subarray(ids), 'EF0004'),
    body: body.value,
    signature: sig.value,
  };
}

function parseEf0007(ef: Uint8Array): ParsedCard['challengeKey'] {
  const outer = decodeWholeTlv(ef, TAG.challengeKeyFile);
  const [df51, df52] = decodeSequence(ef, outer.valueStart, outer.end, [TAG.challengePublicKey, TAG.challengeKeySignature]) as [Tlv4, Tlv4];
  if (df52.length !== MODULUS_BYTES) throw new CardFormatError('EF0007: DF52 is not 256 bytes');
  return { publicKey: parseRsaKey(df51.value, 'EF0007'), df51Tlv: ef.subarray(df51.start, df51.end), df52: df52.value };
}

/** `90 len exponent 91 82 01 00 modulus`, nothing more. */
function parseRsaKey(bytes: Uint8Array, where: string): KeyObject {
  try {
    const [e, n] = decodeSequence(bytes, 0, bytes.length, [TAG_EXPONENT, TAG_MODULUS]) as [Tlv4, Tlv4];
    return rsaPublicKeyFromParts(n.value, e.value);
  } catch (err) {
    if (err instanceof CardFormatError) throw new CardFormatError(`${where}: ${err.message}`);
    throw err;
  }
}

function asciiDigits(bytes: Uint8Array, what: string): string {
  if (!bytes.every((b) => b >= 0x30 && b <= 0x39)) throw new CardFormatError(`${what} is not ASCII digits`);
  return String.fromCharCode(...bytes);
}

function utf8Text(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CardFormatError(`${what} is not UTF-8`);
  }
  // Control characters would let card text forge lines in printed or logged output.
  if (text.length === 0 || /[\u0000-\u001f\u007f]/.test(text)) throw new CardFormatError(`${what} is empty or has control characters`);
  return text;
}

function isCalendarDate(iso: string): boolean {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === iso;
}
