import { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { PkiPaths } from '../../services/common/pki-paths.js';
import { createRootCa, issueCert, privateKeyPem, x509 } from './x509-issue.js';
import { writeFileSafe } from '../generate.js';

/**
 * The SMART Health Card issuer key (EC P-256) with an x5c chain root → CA → issuer whose
 * subjectAltName is the issuer URL, published as a JWKS whose `kid` is the RFC 7638 thumbprint,
 * the way Japan published https://vc.vrs.digital.go.jp/issuer/.well-known/jwks.json.
 */
export async function writeShcIssuer(p: PkiPaths, issuerUrl: string): Promise<void> {
  const root = await createRootCa('CN=Konbini Sim SHC Root CA, O=Konbini Simulator, C=JP', { years: 20 });
  const ca = await issueCert({ name: 'CN=Konbini Sim SHC CA, O=Konbini Simulator, C=JP', issuer: root, ca: true, years: 10 });
  const issuer = await issueCert({
    name: 'CN=Konbini Sim SHC Issuer, O=Konbini Simulator, C=JP',
    issuer: ca,
    years: 2,
    san: [{ type: 'url', value: issuerUrl }],
  });
  const jwk = (await webcrypto.subtle.exportKey('jwk', issuer.keys.publicKey)) as JWK;
  const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const der = (c: x509.X509Certificate) => Buffer.from(c.rawData).toString('base64');
  const jwks = { keys: [{ ...publicJwk, kid, use: 'sig', alg: 'ES256', x5c: [der(issuer.cert), der(ca.cert), der(root.cert)] }] };
  await writeFileSafe(p.shcIssuer.key, await privateKeyPem(issuer.keys.privateKey), true);
  await writeFileSafe(p.shcIssuer.chain, [issuer.cert, ca.cert, root.cert].map((c) => c.toString('pem')).join('\n') + '\n');
  await writeFileSafe(p.shcIssuer.meta, JSON.stringify({ issuerUrl, kid }, null, 2) + '\n');
  await writeFileSafe(p.shcJwks, JSON.stringify(jwks, null, 2) + '\n');
}
