/**
 * The test PKI and demo cards under `certs/out/` (PROTOCOL.md, "Demo material"). Idempotent: each
 * part is made only when its files are missing, so keys stay stable across runs. Private keys are
 * written with mode 0600 and never committed (`certs/out/` is ignored by git).
 *
 *   npm run certs            make what is missing
 *   npm run certs -- --force remake everything (cards too)
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { lockDownTree, makePrivateDir, PRIVATE_DIR_MODE } from '../services/common/private-dir.js';
import { dirname, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { pkiPaths, type CaName, type PkiPaths } from '../services/common/pki-paths.js';
import { createRootCa, issueCert, createCrl, generateKeys, privateKeyPem, publicKeyPem, RSA_2048, x509, type Issued } from './pki/x509-issue.js';
import { writeShcIssuer } from './pki/shc-issuer.js';
import { writeVdsSigner } from './pki/vds-signer.js';
import { demoCardsComplete, writeDemoCards } from './pki/demo-cards.js';
import { renewPki } from './pki/renew.js';
import { pkcs12Certificate, pkcs12Der, newPkcs12Password } from './pki/pkcs12.js';
import { demoKiosks, revokedDemoKiosk } from './demo-cast.js';

export const DEFAULT_SHC_ISSUER_URL = 'https://localhost:8443/issuer';

export interface EnsurePkiOptions {
  root?: string;
  /** SMART Health Card issuer URL (`iss`), also the issuer certificate's subjectAltName. */
  shcIssuerUrl?: string;
  force?: boolean;
  /** The time to renew expiring certificates for (default: now). */
  now?: Date;
  log?: (line: string) => void;
}

/**
 * Writes whatever part of the PKI is missing and renews whatever has expired, expires within 30
 * days or is not yet valid (pki/renew.ts). Returns the names of the parts it made or renewed.
 */
export async function ensurePki(options: EnsurePkiOptions = {}): Promise<string[]> {
  const p = pkiPaths(options.root);
  const log = options.log ?? (() => {});
  if (options.force) await rm(p.root, { recursive: true, force: true });
  const made: string[] = [];
  const part = async (name: string, marker: string, fn: () => Promise<void>) => {
    if (existsSync(marker)) return;
    const t = Date.now();
    await fn();
    made.push(name);
    log(`certs: ${name} (${Date.now() - t} ms)`);
  };
  await part('card issuer CA', p.cardIssuerTrust, () => writeCardIssuer(p));
  await part('server CA and server certificates', p.serverCa, () => writeServerTls(p));
  await part('LGWAN CA and relay client certificate', p.lgwanCa, () => writeLgwan(p));
  await part('kiosk CA, kiosk certificates and CRL', p.kioskCrl, () => writeKiosks(p));
  await part('SMART Health Card issuer', p.shcJwks, () => writeShcIssuer(p, options.shcIssuerUrl ?? process.env.SHC_ISSUER_URL ?? DEFAULT_SHC_ISSUER_URL));
  await part('ICAO VDS-NC CSCA and barcode signer', p.vdsCsca, () => writeVdsSigner(p));
  await part('service secrets', p.relayStoreKey, () => writeSecrets(p));
  // A cast that gained people since the cards were written gets every card written again.
  if (existsSync(p.cardSuspensionList) && !(await demoCardsComplete(p))) await rm(p.cardSuspensionList, { force: true });
  await part('demo cards', p.cardSuspensionList, () => writeDemoCards(p));
  // A checkout made long ago (or under a moved clock) is renewed rather than failing later.
  const renewed = await renewPki(p, { now: options.now, log });
  // after renewal, so that each .p12 holds the kiosk's current certificate
  const p12 = await writeKioskPkcs12(p);
  if (p12.length) log(`certs: PKCS#12 identities of ${p12.join(', ')}`);
  await closeKeyFolders(p.root, p.private);
  return [...made, ...renewed, ...(p12.length ? [`kiosk PKCS#12 identities (${p12.length})`] : [])];
}

/** Sets 0700 on `private/` and on every folder holding a `key.pem` (a checkout made before they were). */
async function closeKeyFolders(root: string, priv: string): Promise<void> {
  if (existsSync(priv)) await lockDownTree(priv);
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name === 'key.pem') await chmod(e.parentPath, PRIVATE_DIR_MODE);
  }
}

/** Writes a PKI file; a secret one 0600 in a 0700 folder, and `private/` itself 0700. */
export async function writeFileSafe(path: string, data: string | Uint8Array, secret = false): Promise<void> {
  if (secret) {
    await makePrivateDir(dirname(path));
    const i = path.indexOf(`${sep}private${sep}`);
    if (i >= 0) await chmod(path.slice(0, i + sep.length + 'private'.length), PRIVATE_DIR_MODE);
  } else {
    await mkdir(dirname(path), { recursive: true });
  }
  await writeFile(path, data, { mode: secret ? 0o600 : 0o644 });
}

async function writeCardIssuer(p: PkiPaths): Promise<void> {
  const keys = await generateKeys(RSA_2048);
  const keyId = randomBytes(16).toString('hex').toUpperCase();
  await writeFileSafe(p.cardIssuer.key, await privateKeyPem(keys.privateKey), true);
  await writeFileSafe(p.cardIssuer.keyId, keyId + '\n');
  await writeFileSafe(p.cardIssuerTrust, JSON.stringify([{ keyId, publicKeyPem: await publicKeyPem(keys.publicKey) }], null, 2) + '\n');
}

/** Keeps a CA's private key (0600) so that renewal can re-certify under the same CA (pki/renew.ts). */
export async function writeCaKey(p: PkiPaths, name: CaName, ca: Issued): Promise<void> {
  await writeFileSafe(p.caKey(name), await privateKeyPem(ca.keys.privateKey), true);
}

async function writeIssued(files: { cert: string; key: string }, issued: Issued): Promise<void> {
  await writeFileSafe(files.cert, issued.cert.toString('pem') + '\n');
  await writeFileSafe(files.key, await privateKeyPem(issued.keys.privateKey), true);
}

const SERVER_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement;

async function writeServerTls(p: PkiPaths): Promise<void> {
  const ca = await createRootCa('CN=Konbini Sim Server CA, O=Konbini Simulator, C=JP');
  await writeCaKey(p, 'server-ca', ca);
  for (const name of ['relay', 'vrs'] as const) {
    const leaf = await issueCert({
      name: `CN=${name}.localhost, O=Konbini Simulator, C=JP`,
      issuer: ca,
      keyUsage: SERVER_USAGE,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      san: [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: `${name}.localhost` },
      ],
    });
    await writeIssued(p.server(name), leaf);
  }
  await writeFileSafe(p.serverCa, ca.cert.toString('pem') + '\n');
}

async function writeLgwan(p: PkiPaths): Promise<void> {
  const ca = await createRootCa('CN=Konbini Sim LGWAN CA, O=Konbini Simulator, C=JP');
  await writeCaKey(p, 'lgwan-ca', ca);
  const relay = await issueCert({
    name: 'CN=certificate-center-relay, OU=J-LIS, O=Konbini Simulator, C=JP',
    issuer: ca,
    keyUsage: SERVER_USAGE,
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'],
  });
  await writeIssued(p.relayLgwanClient, relay);
  await writeFileSafe(p.lgwanCa, ca.cert.toString('pem') + '\n');
}

async function writeKiosks(p: PkiPaths): Promise<void> {
  const ca = await createRootCa('CN=Konbini Sim Kiosk CA, O=Konbini Simulator, C=JP');
  await writeCaKey(p, 'kiosk-ca', ca);
  const issueKiosk = async (k: { kioskId: string; storeId: string }) => {
    const leaf = await issueCert({
      name: `CN=${k.kioskId}, OU=${k.storeId}, O=Konbini Simulator, C=JP`,
      issuer: ca,
      keyUsage: SERVER_USAGE,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'],
    });
    await writeIssued(p.kiosk(k.kioskId), leaf);
    return leaf;
  };
  for (const k of demoKiosks) await issueKiosk(k);
  const revoked = await issueKiosk(revokedDemoKiosk);
  const crl = await createCrl(ca, [revoked.cert]);
  await writeFileSafe(p.kioskCa, ca.cert.toString('pem') + '\n');
  // OpenSSL (and so Node's TLS `crl` option) reads the RFC 7468 label 'X509 CRL'.
  await writeFileSafe(p.kioskCrl, x509.PemConverter.encode(crl.rawData, 'X509 CRL') + '\n');
}

/**
 * Writes each kiosk's identity as a password-protected PKCS#12 file beside its PEM files
 * (pki/pkcs12.ts), where it is missing or holds another certificate than cert.pem (after a
 * renewal). The password is generated per kiosk, kept in identity.p12.pass (0600; kept across
 * renewals) and never a default. Returns the kiosk IDs written.
 */
async function writeKioskPkcs12(p: PkiPaths): Promise<string[]> {
  if (!existsSync(p.kiosksDir)) return [];
  const written: string[] = [];
  const ids = (await readdir(p.kiosksDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const id of ids) {
    const files = p.kiosk(id);
    if (!existsSync(files.cert) || !existsSync(files.key)) continue;
    const certPem = await readFile(files.cert, 'utf8');
    let password = existsSync(files.p12Password) ? (await readFile(files.p12Password, 'utf8')).trim() : '';
    if (password && existsSync(files.p12)) {
      const held = await pkcs12Certificate(await readFile(files.p12), password).catch(() => null);
      if (held && held.equals(Buffer.from(new x509.X509Certificate(certPem).rawData))) continue;
    }
    if (!password) {
      password = newPkcs12Password();
      await writeFileSafe(files.p12Password, password + '\n', true);
    }
    const der = await pkcs12Der({
      certPem,
      keyPem: await readFile(files.key, 'utf8'),
      chainPem: [await readFile(p.kioskCa, 'utf8')],
      password,
      friendlyName: id,
    });
    await writeFileSafe(files.p12, der, true);
    written.push(id);
  }
  return written;
}

async function writeSecrets(p: PkiPaths): Promise<void> {
  for (const path of [p.vrsMasterKey, p.vrsLookupKey, p.relayStoreKey]) {
    await writeFileSafe(path, randomBytes(32).toString('hex') + '\n', true);
  }
}

/** Reads a 32-byte hex secret written by the generator. */
export async function readSecret(path: string): Promise<Buffer> {
  const hex = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${path}: expected 32 bytes in hex`);
  return Buffer.from(hex, 'hex');
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const t = Date.now();
  const made = await ensurePki({ force, log: (l) => console.log(l) });
  const root = pkiPaths().root;
  console.log(made.length ? `certs: made or renewed ${made.length} part(s) under ${root} in ${Date.now() - t} ms` : `certs: everything already in ${root}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
