import { createHash, createPrivateKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { isValidMyNumber } from '../common/check-digits.js';
import {
  encodeCvBody,
  encodeDf51,
  encodeEf0001,
  encodeEf0002,
  encodeEf0003,
  encodeEf0004,
  encodeEf0007,
  hashBasicInfo,
  hashEf0001,
  integrityMessage,
  toFullWidthDigits,
  KEY_ID_BYTES,
  TAG,
} from './card-encoding.js';
import { CARD_FILE_FORMAT, KENHOJO_AID_HEX, type CardFile } from './card-file.js';
import { encodeRsaPublicKey } from './rsa-key.js';
import { decodeSequence, decodeWholeTlv } from './tlv.js';

const generateRsa = promisify(generateKeyPair);

/** What the factory needs of a resident; `DemoResident` (certs/demo-cast.ts) fits. */
export interface CardResident {
  label: string;
  myNumber: string;
  familyName: string;
  givenName: string;
  /** Digits are converted to full width on the card. */
  address: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: '0' | '1' | '2' | '9';
  card: { pin: string; triesLeft: number };
}

/** The card issuer CA that signs CV certificates. */
export interface IssuerCa {
  /** 16-byte key-ID, lower-case hex. */
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** PIN tries of the kenhojo AP (CARD.md: 4 digits, 3 tries). */
const MAX_TRIES = 3;

async function newRsaKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  // 65537: the CV certificate body fixes the exponent encoding to `90 03 010001`.
  return generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
}

/** A fresh card issuer CA: RSA-2048 with a random 16-byte key-ID. */
export async function createIssuerCa(): Promise<IssuerCa> {
  const { publicKey, privateKey } = await newRsaKeyPair();
  return {
    keyId: randomBytes(KEY_ID_BYTES).toString('hex'),
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

const signSha256 = (data: Uint8Array, key: KeyObject): Uint8Array => new Uint8Array(sign('sha256', data, key));

/**
 * Issues a virtual My Number card for `resident`: a card key (EF0004's CV certificate, signed by
 * the issuer CA), an EF0007 challenge key pair, EF0001–EF0003 with the integrity signature, and
 * the PIN state. Returns the card file (PROTOCOL.md); `cardId` is the subject key-ID.
 *
 * The subject key-ID is the first 16 bytes of SHA-256 over the card key's `90 … 91 …` encoding:
 * unique per key, stable, and recomputable by anyone holding the certificate, while revealing
 * nothing about the holder.
 */
export async function createCard(resident: CardResident, issuer: { issuerKeyId: string; issuerPrivateKey: KeyObject | string }): Promise<CardFile> {
  if (!isValidMyNumber(resident.myNumber)) throw new TypeError('resident My Number is not 12 digits with a valid check digit');
  if (!/^\d{4}$/.test(resident.card.pin)) throw new TypeError('the kenhojo PIN is 4 digits');
  if (!Number.isInteger(resident.card.triesLeft) || resident.card.triesLeft < 0 || resident.card.triesLeft > MAX_TRIES) {
    throw new TypeError(`triesLeft must be 0–${MAX_TRIES}`);
  }
  if (!/^[0-9a-fA-F]{32}$/.test(issuer.issuerKeyId)) throw new TypeError('issuerKeyId must be 16 bytes of hex');
  const issuerKey = typeof issuer.issuerPrivateKey === 'string' ? createPrivateKey(issuer.issuerPrivateKey) : issuer.issuerPrivateKey;

  const [cardKey, challengeKey] = await Promise.all([newRsaKeyPair(), newRsaKeyPair()]);

  const ef0001 = encodeEf0001(resident.myNumber);
  const ef0002 = encodeEf0002({
    name: `${resident.familyName}\u3000${resident.givenName}`,
    address: toFullWidthDigits(resident.address),
    birthDate: resident.birthDate,
    sex: resident.sex,
  });
  const h1 = hashEf0001(ef0001);
  const h2 = hashBasicInfo(signedPartOfEf0002(ef0002));
  const ef0003 = encodeEf0003(h1, h2, signSha256(integrityMessage(h1, h2), cardKey.privateKey));

  const subjectKeyId = subjectKeyIdOf(cardKey.publicKey);
  const body = encodeCvBody(new Uint8Array(Buffer.from(issuer.issuerKeyId, 'hex')), subjectKeyId, cardKey.publicKey);
  const ef0004 = encodeEf0004(body, signSha256(body, issuerKey));

  const df51 = encodeDf51(challengeKey.publicKey);
  const ef0007 = encodeEf0007(df51, signSha256(df51, cardKey.privateKey));

  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
  return {
    format: CARD_FILE_FORMAT,
    cardId: Buffer.from(subjectKeyId).toString('hex'),
    label: resident.label,
    aps: {
      [KENHOJO_AID_HEX]: {
        files: { '0001': hex(ef0001), '0002': hex(ef0002), '0003': hex(ef0003), '0004': hex(ef0004), '0007': hex(ef0007) },
        pin: { value: resident.card.pin, triesLeft: resident.card.triesLeft, maxTries: MAX_TRIES },
        challengeKey: challengeKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      },
    },
  };
}

/** First 16 bytes of SHA-256 over the key's card encoding (see {@link createCard}). */
export function subjectKeyIdOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeRsaPublicKey(publicKey)).digest().subarray(0, KEY_ID_BYTES));
}

/** DF22 tag to the end of DF25 of an EF0002 we just encoded. */
function signedPartOfEf0002(ef0002: Uint8Array): Uint8Array {
  const outer = decodeWholeTlv(ef0002, TAG.basicInfoFile);
  const items = decodeSequence(ef0002, outer.valueStart, outer.end, [TAG.offsets, TAG.name, TAG.address, TAG.birthDate, TAG.sex]);
  return ef0002.subarray(items[1]!.start, outer.end);
}
