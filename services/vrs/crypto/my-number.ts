import { createHmac } from 'node:crypto';
import { open, seal } from './data-keys.js';

/**
 * My Number (個人番号) at rest: encrypted with the municipality's data key (AES-256-GCM,
 * iv ‖ ciphertext ‖ tag) with AAD = 自治体コード + 個別宛名番号, so a ciphertext copied to another
 * resident or municipality does not open. Found only through a keyed hash (HMAC-SHA256 under the
 * lookup key), never through the clear number (ARCHITECTURE invariant 7).
 */
function aad(municipality: string, atenaNumber: string): Buffer {
  return Buffer.from(`${municipality}:${atenaNumber}`, 'utf8');
}

export function encryptMyNumber(dataKey: Buffer, municipality: string, atenaNumber: string, myNumber: string): Buffer {
  return seal(dataKey, Buffer.from(myNumber, 'ascii'), aad(municipality, atenaNumber));
}

export function decryptMyNumber(dataKey: Buffer, municipality: string, atenaNumber: string, sealed: Buffer): string {
  return open(dataKey, sealed, aad(municipality, atenaNumber)).toString('ascii');
}

/** The keyed lookup hash of a My Number. */
export function myNumberHmac(lookupKey: Buffer, myNumber: string): Buffer {
  return createHmac('sha256', lookupKey).update(myNumber, 'ascii').digest();
}
