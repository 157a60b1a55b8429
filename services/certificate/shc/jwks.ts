import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** A published SHC issuer key set. */
export interface PublicJwks {
  keys: Array<JWK & { kid: string; x5c?: string[] }>;
}

/** RFC 7638 thumbprint (SHA-256, base64url) of a P-256 public key: the SHC `kid`. */
export async function shcKeyId(key: KeyObject): Promise<string> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  return calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! }, 'sha256');
}

/**
 * The public JWKS an SHC issuer publishes at `<issuer>/.well-known/jwks.json`: the EC P-256 key
 * with `kid` = thumbprint, `use` sig, `alg` ES256 and, when given, the `x5c` chain (issuer first,
 * DER as standard base64).
 */
export async function buildPublicJwks(key: KeyObject, chain: ReadonlyArray<X509Certificate | Uint8Array> = []): Promise<PublicJwks> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new TypeError('SHC issuer key must be EC P-256');
  const kid = await shcKeyId(pub);
  const x5c = chain.map((c) => Buffer.from(c instanceof X509Certificate ? c.raw : c).toString('base64'));
  return {
    keys: [{ kty: 'EC', kid, use: 'sig', alg: 'ES256', crv: 'P-256', x: jwk.x!, y: jwk.y!, ...(x5c.length > 0 ? { x5c } : {}) }],
  };
}
