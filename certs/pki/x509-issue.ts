import 'reflect-metadata';
import { createPrivateKey, webcrypto, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const subtle = webcrypto.subtle;

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
export const RSA_2048 = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;

export interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

/** A positive, random 128-bit serial (hex), as RFC 5280 asks for unpredictable serials. */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

export async function generateKeys(alg: EcKeyGenParams | RsaHashedKeyGenParams = EC_P256): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

const DAY_MS = 24 * 3600 * 1000;
const years = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);
const yesterday = () => new Date(Date.now() - 24 * 3600 * 1000);

/** A self-signed root CA. */
export async function createRootCa(name: string, options: { keys?: CryptoKeyPair; years?: number } = {}): Promise<Issued> {
  const keys = options.keys ?? (await generateKeys());
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name,
    notBefore: yesterday(),
    notAfter: years(options.years ?? 10),
    keys,
    signingAlgorithm: signingAlgorithmFor(keys),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

export interface LeafOptions {
  name: string;
  issuer: Issued;
  keys?: CryptoKeyPair;
  ca?: boolean;
  years?: number;
  keyUsage?: number;
  extendedKeyUsage?: string[];
  san?: x509.JsonGeneralNames;
  extra?: x509.Extension[];
}

/** A certificate signed by `issuer` (an intermediate CA when `ca` is set). */
export async function issueCert(o: LeafOptions): Promise<Issued> {
  const keys = o.keys ?? (await generateKeys());
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(o.ca ?? false, o.ca ? 0 : undefined, true),
    new x509.KeyUsagesExtension(o.keyUsage ?? (o.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(o.issuer.cert),
  ];
  if (o.extendedKeyUsage) extensions.push(new x509.ExtendedKeyUsageExtension(o.extendedKeyUsage, false));
  if (o.san) extensions.push(new x509.SubjectAlternativeNameExtension(o.san, false));
  if (o.extra) extensions.push(...o.extra);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: o.name,
    issuer: o.issuer.cert.subject,
    notBefore: yesterday(),
    notAfter: years(o.years ?? 5),
    publicKey: keys.publicKey,
    signingKey: o.issuer.keys.privateKey,
    signingAlgorithm: signingAlgorithmFor(o.issuer.keys),
    extensions,
  });
  return { cert, keys };
}

/** A CRL from `issuer` revoking the given certificates. */
export async function createCrl(issuer: Issued, revoked: x509.X509Certificate[]): Promise<x509.X509Crl> {
  const now = new Date();
  const entries = revoked.map((c) => ({
    serialNumber: c.serialNumber,
    revocationDate: new Date(now.getTime() - DAY_MS),
    reason: x509.X509CrlReason.keyCompromise,
  }));
  return remakeCrl({ cert: issuer.cert, privateKey: issuer.keys.privateKey }, entries, now);
}

function signingAlgorithmFor(keys: Pick<CryptoKeyPair, 'privateKey'>): Algorithm | EcdsaParams {
  return keys.privateKey.algorithm.name === 'ECDSA' ? ECDSA_SHA256 : { name: 'RSASSA-PKCS1-v1_5' };
}

/** Reads a PKCS#8 PEM private key (EC P-256 or RSA) as a WebCrypto signing key. */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  const type = createPrivateKey(pem).asymmetricKeyType;
  if (type === 'ec') return subtle.importKey('pkcs8', der, EC_P256, true, ['sign']);
  if (type === 'rsa') return subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
  throw new TypeError(`unsupported private key type ${String(type)}`);
}

const AKI_OID = '2.5.29.35';
const SKI_OID = '2.5.29.14';

/**
 * The same certificate made again for `now`: same subject, same extensions, the same lifetime
 * starting a day before `now`, a new random serial, signed by `issuer` (the certificate's own key
 * when it is self-signed). `publicKey` is the certificate's key (a renewal keeps it, so every
 * signature made under it still verifies) or a new one when a CA had to be re-keyed.
 */
export async function recertify(
  old: x509.X509Certificate,
  o: { issuer: { cert: x509.X509Certificate; privateKey: CryptoKey }; publicKey: x509.PublicKey | CryptoKey; now: Date },
): Promise<x509.X509Certificate> {
  const lifetime = old.notAfter.getTime() - old.notBefore.getTime();
  const notBefore = new Date(o.now.getTime() - DAY_MS);
  const hadAki = old.extensions.some((e) => e.type === AKI_OID);
  const extensions: x509.Extension[] = [
    ...old.extensions.filter((e) => e.type !== AKI_OID && e.type !== SKI_OID),
    await x509.SubjectKeyIdentifierExtension.create(o.publicKey),
    ...(hadAki ? [await x509.AuthorityKeyIdentifierExtension.create(o.issuer.cert)] : []),
  ];
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: old.subject,
    issuer: o.issuer.cert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + lifetime),
    publicKey: o.publicKey,
    signingKey: o.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(o.issuer),
    extensions,
  });
}

/** A CRL made again for `now` (a year's `nextUpdate`), revoking the given serials. */
export async function remakeCrl(
  issuer: { cert: x509.X509Certificate; privateKey: CryptoKey },
  entries: Array<{ serialNumber: string; revocationDate: Date; reason?: x509.X509CrlReason }>,
  now: Date,
): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate: new Date(now.getTime() - DAY_MS),
    nextUpdate: new Date(now.getTime() + 365 * DAY_MS),
    signingKey: issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(issuer),
    entries,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(issuer.cert)],
  });
}

/** PKCS#8 PEM of a private key. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** SPKI PEM of a public key. */
export async function publicKeyPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('spki', key);
  return x509.PemConverter.encode(der, 'PUBLIC KEY');
}

export { x509 };
