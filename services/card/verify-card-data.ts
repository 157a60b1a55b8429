import { createPublicKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { isValidMyNumber } from '../common/check-digits.js';
import { CardChainError, CardChallengeError, CardFormatError, CardSignatureError } from './card-errors.js';
import { integrityMessage } from './card-encoding.js';
import { parseCardFiles, type CardFiles } from './card-data.js';
import { verifyRsaSha256 } from './rsa-key.js';

/** A card issuer CA the verifier trusts, named by its 16-byte key-ID. */
export interface CardTrustAnchor {
  /** Hex, either case. */
  keyId: string;
  publicKey: KeyObject | string;
}

export interface VerifyCardOptions {
  trustAnchors: readonly CardTrustAnchor[];
  /** The certificate center's fresh challenge; when given, `challengeSignature` must prove it. */
  challenge?: Uint8Array;
  /** The card's EF0007 signature (RSASSA-PKCS1-v1_5 over SHA-256 of the challenge). */
  challengeSignature?: Uint8Array;
}

/** Holder data that passed every check. */
export interface VerifiedCardData {
  myNumber: string;
  /** Family name, U+3000, given name. */
  name: string;
  /** As on the card (full-width digits). */
  address: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: '0' | '1' | '2' | '9';
  /** The CV certificate's subject key-ID (hex): what the lost-card suspension list names. */
  cardId: string;
  /** Key-ID (hex) of the CA that issued the card. */
  issuerKeyId: string;
  /** True when a challenge was given and its signature verified. */
  challengeVerified: boolean;
}

/**
 * Verifies the kenhojo files read from a card, in the order a certificate center must: format,
 * CV certificate chain, integrity record (H1, H2, DF33), challenge key (DF52) and, when given,
 * the card-presence challenge; the My Number check digit comes after the signatures so that
 * tampered digits are reported as ERR_CARD_SIGNATURE. Returns the holder data or throws the coded error of the first
 * check that failed (ERR_CARD_FORMAT, ERR_CARD_CHAIN, ERR_CARD_SIGNATURE, ERR_CARD_CHALLENGE).
 * Card suspension is the caller's check, on `cardId`.
 */
export function verifyCardData(files: CardFiles, options: VerifyCardOptions): VerifiedCardData {
  if (options.challengeSignature !== undefined && options.challenge === undefined) {
    throw new TypeError('a challenge signature needs the challenge it answers');
  }
  const card = parseCardFiles(files);

  const anchor = options.trustAnchors.find((a) => a.keyId.toLowerCase() === card.cv.issuerKeyId);
  if (anchor === undefined) throw new CardChainError('CV certificate issuer key-ID is not a trusted card issuer');
  const caKey = typeof anchor.publicKey === 'string' ? createPublicKey(anchor.publicKey) : anchor.publicKey;
  if (!verifyRsaSha256(card.cv.body, caKey, card.cv.signature)) {
    throw new CardChainError('CV certificate signature is not valid under its issuer CA');
  }

  if (!sameBytes(card.h1, card.recomputed.h1)) throw new CardSignatureError('DF31 does not match the hash of EF0001');
  if (!sameBytes(card.h2, card.recomputed.h2)) throw new CardSignatureError('DF32 does not match the hash of EF0002');
  if (!verifyRsaSha256(integrityMessage(card.h1, card.h2), card.cv.publicKey, card.signature)) {
    throw new CardSignatureError('DF33 is not valid under the card key');
  }
  if (!verifyRsaSha256(card.challengeKey.df51Tlv, card.cv.publicKey, card.challengeKey.df52)) {
    throw new CardSignatureError('DF52 is not valid under the card key');
  }

  // Signed data with a wrong check digit means a faulty issuer, not tampering: a format error.
  if (!isValidMyNumber(card.myNumber)) throw new CardFormatError('EF0001: My Number check digit is wrong');

  let challengeVerified = false;
  if (options.challenge !== undefined) {
    const sig = options.challengeSignature;
    if (sig === undefined || !verifyRsaSha256(options.challenge, card.challengeKey.publicKey, sig)) {
      throw new CardChallengeError('challenge signature is not valid under the card challenge key');
    }
    challengeVerified = true;
  }

  return {
    myNumber: card.myNumber,
    name: card.name,
    address: card.address,
    birthDate: card.birthDate,
    sex: card.sex,
    cardId: card.cv.subjectKeyId,
    issuerKeyId: card.cv.issuerKeyId,
    challengeVerified,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
