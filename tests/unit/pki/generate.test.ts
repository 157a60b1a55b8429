import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePki } from '../../../certs/generate.js';
import { demoKiosks, demoResidents, revokedDemoKiosk } from '../../../certs/demo-cast.js';
import { pkiPaths, type PkiPaths } from '../../../services/common/pki-paths.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

let root: string;
let p: PkiPaths;
const read = (path: string) => readFile(path, 'utf8');
const cert = async (path: string) => new x509.X509Certificate(await read(path));

async function digestTree(dir: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else h.update(full).update(await readFile(full));
    }
  };
  await walk(dir);
  return h.digest('hex');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pki-'));
  p = pkiPaths(root);
  await ensurePki({ root, shcIssuerUrl: 'https://issuer.example.test/issuer' });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('test PKI generator', () => {
  it('is idempotent: a second run makes nothing and changes no file', async () => {
    const before = await digestTree(root);
    const made = await ensurePki({ root });
    expect(made).toEqual([]);
    expect(await digestTree(root)).toBe(before);
  });

  it('writes the card issuer CA with a 16-byte key-ID whose public key matches the private key', async () => {
    const trust = JSON.parse(await read(p.cardIssuerTrust)) as Array<{ keyId: string; publicKeyPem: string }>;
    expect(trust).toHaveLength(1);
    expect(trust[0]!.keyId).toMatch(/^[0-9A-F]{32}$/);
    expect((await read(p.cardIssuer.keyId)).trim()).toBe(trust[0]!.keyId);
    const pub = createPublicKey(createPrivateKey(await read(p.cardIssuer.key))).export({ type: 'spki', format: 'pem' });
    expect(String(pub).trim()).toBe(trust[0]!.publicKeyPem.trim());
    expect(createPublicKey(trust[0]!.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('issues server certificates for localhost and 127.0.0.1 under the server CA', async () => {
    const ca = await cert(p.serverCa);
    for (const name of ['relay', 'vrs'] as const) {
      const c = await cert(p.server(name).cert);
      expect(await c.verify({ publicKey: ca.publicKey })).toBe(true);
      const san = c.getExtension(x509.SubjectAlternativeNameExtension)!;
      const values = san.names.items.map((n) => `${n.type}:${n.value}`);
      expect(values).toEqual(expect.arrayContaining(['dns:localhost', 'ip:127.0.0.1']));
    }
  });

  it('issues kiosk client certificates (CN kiosk ID, OU store ID) and revokes only the revoked kiosk', async () => {
    const ca = await cert(p.kioskCa);
    const crlPem = await read(p.kioskCrl);
    expect(crlPem).toContain('-----BEGIN X509 CRL-----');
    const crl = new x509.X509Crl(crlPem);
    expect(await crl.verify({ publicKey: ca.publicKey })).toBe(true);
    const revokedSerials = crl.entries.map((e) => e.serialNumber.toLowerCase());
    for (const k of demoKiosks) {
      const c = await cert(p.kiosk(k.kioskId).cert);
      expect(c.subjectName.getField('CN')).toEqual([k.kioskId]);
      expect(c.subjectName.getField('OU')).toEqual([k.storeId]);
      expect(await c.verify({ publicKey: ca.publicKey })).toBe(true);
      expect(revokedSerials).not.toContain(c.serialNumber.toLowerCase());
    }
    expect(new Set(demoKiosks.map((k) => k.storeId)).size).toBeGreaterThanOrEqual(2);
    const revoked = await cert(p.kiosk(revokedDemoKiosk.kioskId).cert);
    expect(revokedSerials).toEqual([revoked.serialNumber.toLowerCase()]);
  });

  it('writes each kiosk identity as a PKCS#12 file that openssl reads with its generated password, holding the PEM certificate, the kiosk CA and the key', async () => {
    // no shell: arguments go to openssl as they are, the password through a file
    const openssl = async (args: string[]) => (await promisify(execFile)('openssl', args, { encoding: 'utf8' })).stdout;
    const pemBlocks = (text: string, label: string) =>
      [...text.matchAll(new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g'))].map((m) => m[0]);
    const keyDer = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    const passwords = new Set<string>();
    for (const k of [...demoKiosks, revokedDemoKiosk]) {
      const f = p.kiosk(k.kioskId);
      const password = (await read(f.p12Password)).trim();
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      passwords.add(password);
      for (const file of [f.p12, f.p12Password]) expect((await stat(file)).mode & 0o777, file).toBe(0o600);
      expect((await stat(dirname(f.p12))).mode & 0o777).toBe(0o700);
      const certs = pemBlocks(await openssl(['pkcs12', '-in', f.p12, '-passin', `file:${f.p12Password}`, '-nokeys']), 'CERTIFICATE');
      expect(certs.map((c) => new x509.X509Certificate(c).toString('pem'))).toEqual([
        (await cert(f.cert)).toString('pem'),
        (await cert(p.kioskCa)).toString('pem'),
      ]);
      const keys = pemBlocks(await openssl(['pkcs12', '-in', f.p12, '-passin', `file:${f.p12Password}`, '-nocerts', '-nodes']), 'PRIVATE KEY');
      expect(keys).toHaveLength(1);
      expect(keyDer(keys[0]!).equals(keyDer(await read(f.key)))).toBe(true);
    }
    expect(passwords.size).toBe(demoKiosks.length + 1);
    // and not without it
    const wrong = join(root, 'wrong-password');
    await writeFile(wrong, 'not-the-password\n', { mode: 0o600 });
    await expect(openssl(['pkcs12', '-in', p.kiosk(demoKiosks[0]!.kioskId).p12, '-passin', `file:${wrong}`, '-nokeys'])).rejects.toThrow();
    await rm(wrong);
  });

  it('issues the relay an LGWAN client certificate that the kiosk CA did not sign', async () => {
    const lgwan = await cert(p.lgwanCa);
    const kioskCa = await cert(p.kioskCa);
    const relay = await cert(p.relayLgwanClient.cert);
    expect(await relay.verify({ publicKey: lgwan.publicKey })).toBe(true);
    expect(await relay.verify({ publicKey: kioskCa.publicKey })).toBe(false);
  });

  it('publishes the SMART Health Card key with kid = RFC 7638 thumbprint and an x5c chain root → CA → issuer naming the issuer URL', async () => {
    const jwks = JSON.parse(await read(p.shcJwks)) as { keys: Array<JWK & { x5c: string[] }> };
    const [key] = jwks.keys;
    expect(key).toBeDefined();
    expect(key!.d).toBeUndefined();
    expect(key!.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: key!.x!, y: key!.y! }, 'sha256'));
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' });
    const [issuer, ca, rootCa] = key!.x5c.map((b64) => new x509.X509Certificate(Buffer.from(b64, 'base64')));
    expect(await issuer!.verify({ publicKey: ca!.publicKey })).toBe(true);
    expect(await ca!.verify({ publicKey: rootCa!.publicKey })).toBe(true);
    expect(await rootCa!.verify({ publicKey: rootCa!.publicKey })).toBe(true);
    const san = issuer!.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((n) => `${n.type}:${n.value}`)).toEqual(['url:https://issuer.example.test/issuer']);
    // The certificate's key is the published key and matches the private key on disk.
    const fromCert = createPublicKey(issuer!.publicKey.toString('pem')).export({ format: 'jwk' });
    expect([fromCert.x, fromCert.y]).toEqual([key!.x, key!.y]);
    const fromPriv = createPublicKey(createPrivateKey(await read(p.shcIssuer.key))).export({ format: 'jwk' });
    expect([fromPriv.x, fromPriv.y]).toEqual([key!.x, key!.y]);
    expect(JSON.parse(await read(p.shcIssuer.meta))).toEqual({ issuerUrl: 'https://issuer.example.test/issuer', kid: key!.kid });
  });

  it('makes a VDS-NC barcode signer (P-256, EKU 2.23.136.1.1.14.2, document type NV) under the JPN CSCA', async () => {
    const csca = await cert(p.vdsCsca);
    const signer = await cert(p.vdsSigner.cert);
    expect(csca.subjectName.getField('C')).toEqual(['JP']);
    expect(await signer.verify({ publicKey: csca.publicKey })).toBe(true);
    expect((signer.publicKey.algorithm as EcKeyAlgorithm).namedCurve).toBe('P-256');
    const eku = signer.getExtension(x509.ExtendedKeyUsageExtension)!;
    expect(eku.usages).toContain('2.23.136.1.1.14.2');
    const docType = signer.getExtension('2.23.136.1.1.6.2')!;
    const parsed = asn1js.fromBER(docType.value);
    const seq = parsed.result as asn1js.Sequence;
    const set = seq.valueBlock.value[1] as asn1js.Set;
    expect(set.valueBlock.value.map((v) => (v as asn1js.PrintableString).valueBlock.value)).toEqual(['NV']);
  });

  it('writes one card per demo resident and lists the suspended ones', async () => {
    const manifest = JSON.parse(await read(join(p.cardsDir, 'manifest.json'))) as Record<string, { cardId: string }>;
    expect(Object.keys(manifest).sort()).toEqual(demoResidents.map((r) => r.slug).sort());
    const files = (await readdir(p.cardsDir)).filter((f) => f !== 'manifest.json');
    expect(files).toHaveLength(demoResidents.length);
    const suspended = (await read(p.cardSuspensionList)).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(suspended).toEqual(demoResidents.filter((r) => r.card.suspended).map((r) => manifest[r.slug]!.cardId));
    const blocked = demoResidents.find((r) => r.card.triesLeft === 0)!;
    const card = JSON.parse(await read(join(p.cardsDir, `${manifest[blocked.slug]!.cardId}.json`))) as { aps: Record<string, { pin: { triesLeft: number } }> };
    expect(Object.values(card.aps)[0]!.pin.triesLeft).toBe(0);
  });

  it('keeps private keys out of trust/ and writes them readable by the owner only', async () => {
    for (const f of await readdir(p.trust)) expect(await read(join(p.trust, f))).not.toMatch(/PRIVATE KEY/);
    const { stat } = await import('node:fs/promises');
    expect((await stat(p.cardIssuer.key)).mode & 0o077).toBe(0);
    expect((await stat(p.kiosk('KIOSK-0001').key)).mode & 0o077).toBe(0);
  });
});
