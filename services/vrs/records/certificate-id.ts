import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A certificate ID: 12 characters A–Z0–9 drawn uniformly from crypto random bytes (rejection
 * sampling), 36^12 ≈ 2^62 possibilities; never sequential or time-based (invariant 1).
 */
export function newCertificateId(length = 12): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += ALPHABET[b % 36];
    }
  }
  return out;
}
