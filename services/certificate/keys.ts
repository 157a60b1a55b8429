import { createPrivateKey, KeyObject, X509Certificate, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pkiPaths } from '../common/pki-paths.js';
import { buildPublicJwks, shcKeyId, type PublicJwks } from './shc/jwks.js';

/** A private key as node KeyObject or WebCrypto CryptoKey. */
export type AnyPrivateKey = KeyObject | webcrypto.CryptoKey;

/** Every key the certificate service signs with, plus what it publishes. */
export interface CertificateKeys {
  shcKey: { privateKey: KeyObject; kid: string };
  /** Issuer certificate first, then CA(s) and root. */
  shcChain: X509Certificate[];
  /** What the relay serves at `<issuer>/.well-known/jwks.json`. */
  shcJwks: PublicJwks;
  vdsSigner: { privateKey: KeyObject; certDer: Uint8Array };
}

/** Accepts KeyObject or CryptoKey (e.g. made by WebCrypto in tests) as a node KeyObject. */
export function toKeyObject(key: AnyPrivateKey): KeyObject {
  return key instanceof KeyObject ? key : KeyObject.from(key);
}

/** Splits a PEM bundle into certificates, in file order. */
export function parsePemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/**
 * Reads the SHC issuer key and chain and the VDS-NC Barcode Signer key and certificate from
 * `certs/out/` (or `PKI_DIR`), as written by `npm run certs`.
 */
export async function loadCertificateKeys(paths = pkiPaths()): Promise<CertificateKeys> {
  const [shcPem, chainPem, vdsPem, vdsCertPem] = await Promise.all([
    readFile(paths.shcIssuer.key, 'utf8'),
    readFile(paths.shcIssuer.chain, 'utf8'),
    readFile(paths.vdsSigner.key, 'utf8'),
    readFile(paths.vdsSigner.cert, 'utf8'),
  ]);
  const shcPrivate = createPrivateKey(shcPem);
  const shcChain = parsePemCertificates(chainPem);
  const vdsCert = parsePemCertificates(vdsCertPem)[0];
  if (!vdsCert) throw new Error(`no certificate in ${paths.vdsSigner.cert}`);
  return {
    shcKey: { privateKey: shcPrivate, kid: await shcKeyId(shcPrivate) },
    shcChain,
    shcJwks: await buildPublicJwks(shcPrivate, shcChain),
    vdsSigner: { privateKey: createPrivateKey(vdsPem), certDer: new Uint8Array(vdsCert.raw) },
  };
}
