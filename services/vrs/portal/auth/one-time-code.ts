import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** A fresh 6-digit one-time code, uniformly drawn (leading zeros kept). */
export function newOneTimeCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * What the database keeps of a code: an HMAC under a server key, bound to the challenge. A copy
 * of the table alone does not let anyone try the million codes offline.
 */
export function oneTimeCodeHmac(key: Buffer, challengeId: string, code: string): string {
  return createHmac('sha256', key).update('vrs-portal-login-code\0').update(challengeId).update('\0').update(code).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
