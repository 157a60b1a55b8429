import { KeyObject, X509Certificate } from 'node:crypto';
import type { PkiPaths } from '../../services/common/pki-paths.js';
import { shcKeyId } from '../../services/certificate/shc/jwks.js';
import { createRootCa, issueCert, privateKeyPem } from './x509-issue.js';
import { writeShcJwks } from './renew.js';
import { writeCaKey, writeFileSafe } from '../generate.js';

/**
 * The SMART Health Card issuer key (EC P-256) with an x5c chain root → CA → issuer whose
 * subjectAltName is the issuer URL, published as a JWKS whose `kid` is the RFC 7638 thumbprint,
 * the way Japan published https://vc.vrs.digital.go.jp/issuer/.well-known/jwks.json.
 */
export async function writeShcIssuer(p: PkiPaths, issuerUrl: string): Promise<void> {
  const root = await createRootCa('CN=Konbini Sim SHC Root CA, O=Konbini Simulator, C=JP', { years: 20 });
  const ca = await issueCert({ name: 'CN=Konbini Sim SHC CA, O=Konbini Simulator, C=JP', issuer: root, ca: true, years: 10 });
  await writeCaKey(p, 'shc-root', root);
  await writeCaKey(p, 'shc-ca', ca);
  const issuer = await issueCert({
    name: 'CN=Konbini Sim SHC Issuer, O=Konbini Simulator, C=JP',
    issuer: ca,
    years: 2,
    san: [{ type: 'url', value: issuerUrl }],
  });
  const kid = await shcKeyId(KeyObject.from(issuer.keys.publicKey));
  const chain = [issuer.cert, ca.cert, root.cert];
  await writeFileSafe(p.shcIssuer.key, await privateKeyPem(issuer.keys.privateKey), true);
  await writeFileSafe(p.shcIssuer.chain, chain.map((c) => c.toString('pem')).join('\n') + '\n');
  await writeFileSafe(p.shcIssuer.meta, JSON.stringify({ issuerUrl, kid }, null, 2) + '\n');
  await writeShcJwks(
    p,
    chain.map((c) => new X509Certificate(Buffer.from(c.rawData))),
  );
}
