import 'reflect-metadata';
import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { demoResidents } from '../../../certs/demo-cast.js';
import type { CertificateRecord } from '../../../services/common/lgwan-contract.js';
import { buildPublicJwks, type PublicJwks } from '../../../services/certificate/shc/jwks.js';
import { shcKeyId } from '../../../services/certificate/shc/jwks.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** OID of the VDS-NC Barcode Signer extended key usage (ICAO TR VDS-NC). */
export const VDS_EKU = '2.23.136.1.1.14.2';

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A day before and `days` after `now`: the validity every fixture certificate gets around its clock. */
function around(now: Date, days: number, daysBefore = 1): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - daysBefore * DAY), notAfter: new Date(now.getTime() + days * DAY) };
}

async function caCert(subject: string, keys: CryptoKeyPair, now: Date, issuer?: { name: string; key: CryptoKey }) {
  return x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer?.name ?? subject,
    publicKey: keys.publicKey,
    signingKey: issuer?.key ?? keys.privateKey,
    ...around(now, 3650),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
}

/** A throwaway SHC issuer: P-256 key, kid, x5c chain (issuer ← CA ← root) and the public JWKS. */
export interface ShcIssuerFixture {
  issuerUrl: string;
  privateKey: KeyObject;
  kid: string;
  chain: X509Certificate[];
  jwks: PublicJwks;
}

/**
 * Options of the PKI fixtures. `now` is the time the certificates are made valid around (a day
 * before it to a year or more after): a test that verifies at a fixed clock passes that clock's
 * time, so certificate and clock never drift apart; the default is the real time.
 */
export interface FixturePkiOptions {
  now?: Date;
}

export async function makeShcIssuer(
  issuerUrl = 'https://issuer.test.example/shc',
  opts: FixturePkiOptions & { expired?: boolean } = {},
): Promise<ShcIssuerFixture> {
  const now = opts.now ?? new Date();
  const rootKeys = await keyPair();
  const caKeys = await keyPair();
  const leafKeys = await keyPair();
  const root = await caCert('CN=Test SHC Root CA', rootKeys, now);
  const ca = await caCert('CN=Test SHC CA', caKeys, now, { name: root.subject, key: rootKeys.privateKey });
  const leaf = await x509.X509CertificateGenerator.create({
    subject: 'CN=Test SHC Issuer',
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    ...(opts.expired ? around(now, -35, 400) : around(now, 365)),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: issuerUrl }]),
    ],
  });
  const privateKey = KeyObject.from(leafKeys.privateKey);
  const chain = [leaf, ca, root].map((c) => new X509Certificate(Buffer.from(c.rawData)));
  return { issuerUrl, privateKey, kid: await shcKeyId(privateKey), chain, jwks: await buildPublicJwks(privateKey, chain) };
}

/** A throwaway ICAO CSCA and Barcode Signer (EKU 2.23.136.1.1.14.2, document type NV). */
export interface VdsPkiFixture {
  cscaPem: string;
  csca: X509Certificate;
  signer: { privateKey: KeyObject; certDer: Uint8Array };
}

// DocumentTypeList ::= SEQUENCE { version INTEGER (0), docTypeList SET OF PrintableString } with "NV".
const DOC_TYPE_NV = new Uint8Array([0x30, 0x09, 0x02, 0x01, 0x00, 0x31, 0x04, 0x13, 0x02, 0x4e, 0x56]);

export async function makeVdsPki(opts: FixturePkiOptions & { withEku?: boolean } = {}): Promise<VdsPkiFixture> {
  const now = opts.now ?? new Date();
  const cscaKeys = await keyPair();
  const signerKeys = await keyPair();
  const csca = await x509.X509CertificateGenerator.create({
    subject: 'C=JP, O=Test, CN=Test CSCA Japan',
    issuer: 'C=JP, O=Test, CN=Test CSCA Japan',
    publicKey: cscaKeys.publicKey,
    signingKey: cscaKeys.privateKey,
    ...around(now, 3650),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const signer = await x509.X509CertificateGenerator.create({
    subject: 'C=JP, O=Test, CN=Test VDS-NC Barcode Signer',
    issuer: csca.subject,
    publicKey: signerKeys.publicKey,
    signingKey: cscaKeys.privateKey,
    ...around(now, 365),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...(opts.withEku === false ? [] : [new x509.ExtendedKeyUsageExtension([VDS_EKU], false)]),
      new x509.Extension('2.23.136.1.1.6.2', false, DOC_TYPE_NV),
    ],
  });
  return {
    cscaPem: csca.toString('pem'),
    csca: new X509Certificate(Buffer.from(csca.rawData)),
    signer: { privateKey: KeyObject.from(signerKeys.privateKey), certDer: new Uint8Array(signer.rawData) },
  };
}

const sato = demoResidents.find((r) => r.slug === 'sato-hanako')!;
const yamada = demoResidents.find((r) => r.slug === 'yamada-taro')!;

/** A domestic record like VRS returns for the demo resident 山田 太郎. */
export function domesticRecord(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  const rec = yamada.records[0]!;
  return {
    certificateId: 'D1310160001',
    kind: 'domestic',
    issuedOn: '2026-11-23',
    issuer: { code: '131016', name: '千代田区' },
    person: {
      name: `${yamada.familyName}\u3000${yamada.givenName}`,
      familyName: yamada.familyName,
      givenName: yamada.givenName,
      birthDate: yamada.birthDate,
      sex: yamada.sex,
    },
    doses: rec.doses.map(({ venue: _venue, ...d }) => d),
    ...overrides,
  };
}

/** An overseas record like VRS returns for 佐藤 花子 (鎌ケ谷市, four doses, passport on file). */
export function overseasRecord(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  const rec = sato.records[1]!;
  return {
    certificateId: 'K1222460201',
    kind: 'overseas',
    issuedOn: '2026-11-23',
    issuer: { code: '122246', name: '鎌ケ谷市' },
    person: {
      name: `${sato.familyName}\u3000${sato.givenName}`,
      familyName: sato.familyName,
      givenName: sato.givenName,
      birthDate: sato.birthDate,
      sex: sato.sex,
      passport: rec.passport!,
    },
    doses: rec.doses.map(({ venue: _venue, ...d }) => d),
    ...overrides,
  };
}
