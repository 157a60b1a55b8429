import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CardFormatError } from './card-errors.js';
import { concatBytes, encodeTlv } from './tlv.js';

/** Tags of the card's bare RSA public-key encoding: `90` public exponent, `91` modulus. */
export const TAG_EXPONENT = 0x90;
export const TAG_MODULUS = 0x91;

/** RSA-2048: the only key size the card layout provides for (`91 82 01 00`). */
export const MODULUS_BYTES = 256;

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1); followed by the 32-byte hash. */
export const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);

/** The modulus (256 B, big-endian) and public exponent (minimal big-endian) of an RSA key. */
export function rsaParts(key: KeyObject): { modulus: Uint8Array; exponent: Uint8Array } {
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('an RSA key is required');
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new TypeError('RSA JWK without n/e');
  const modulus = new Uint8Array(Buffer.from(jwk.n, 'base64url'));
  if (modulus.length !== MODULUS_BYTES) throw new TypeError('the card holds RSA-2048 keys only');
  return { modulus, exponent: new Uint8Array(Buffer.from(jwk.e, 'base64url')) };
}

/** `90 <len> <exponent> 91 82 01 00 <modulus>`: the key encoding of EF0004's body and DF51. */
export function encodeRsaPublicKey(key: KeyObject): Uint8Array {
  const { modulus, exponent } = rsaParts(key);
  return concatBytes(encodeTlv(TAG_EXPONENT, exponent), encodeTlv(TAG_MODULUS, modulus));
}

/**
 * Builds a public key from untrusted exponent and modulus bytes. Refuses what no RSA-2048 card
 * key can be (short modulus, even or tiny exponent) before Node sees it, so the caller gets a
 * coded error rather than an OpenSSL one.
 */
export function rsaPublicKeyFromParts(modulus: Uint8Array, exponent: Uint8Array): KeyObject {
  if (modulus.length !== MODULUS_BYTES || (modulus[0] ?? 0) < 0x80) {
    throw new CardFormatError('RSA modulus is not 2048 bits');
  }
  if (exponent.length < 1 || exponent.length > 4 || exponent[0] === 0) {
    throw new CardFormatError('RSA exponent has a bad size');
  }
  const e = exponent.reduce((acc, b) => acc * 256 + b, 0);
  if (e < 3 || e % 2 === 0) throw new CardFormatError('RSA exponent is not an odd number ≥ 3');
  if (((modulus[MODULUS_BYTES - 1] ?? 0) & 1) === 0) throw new CardFormatError('RSA modulus is even');
  try {
    return createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(modulus).toString('base64url'), e: Buffer.from(exponent).toString('base64url') },
      format: 'jwk',
    });
  } catch (cause) {
    throw new CardFormatError('RSA public key is not usable', { cause });
  }
}

/**
 * RSASSA-PKCS1-v1_5 / SHA-256 verification that answers false (never throws) for a malformed
 * signature, so that callers turn every failure into their own coded error.
 */
export function verifyRsaSha256(data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}
