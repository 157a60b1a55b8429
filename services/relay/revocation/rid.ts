import { createHash, createHmac, hkdfSync } from 'node:crypto';

/**
 * The secret behind SHC revocation identifiers, derived from the relay's store key (so every relay
 * process of a fleet derives the same one, and none is written anywhere else).
 */
export function ridSecret(storeKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', storeKey, Buffer.alloc(0), 'konbini-sim shc rid v1', 32));
}

/**
 * A SMART Health Card's `vc.rid`: the first 64 bits of HMAC-SHA-256(secret, certificate ID),
 * base64url (11 characters, within the specification's 24). Without the secret it reveals nothing
 * of the certificate ID, and it cannot be linked to the VDS-NC `uvci`.
 */
export function shcRidOf(secret: Buffer, certificateId: string): string {
  return createHmac('sha256', secret).update(certificateId, 'utf8').digest().subarray(0, 8).toString('base64url');
}

/** The name revocations of a VDS-NC barcode signer are kept under: SHA-256 of its certificate, base64url. */
export function vdsSignerId(certDer: Uint8Array): string {
  return createHash('sha256').update(certDer).digest('base64url');
}
