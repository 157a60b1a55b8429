import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePki } from '../../../certs/generate.js';
import { pkcs12Certificate } from '../../../certs/pki/pkcs12.js';
import { renewPki } from '../../../certs/pki/renew.js';
import { x509 } from '../../../certs/pki/x509-issue.js';
import { demoKiosks, revokedDemoKiosk } from '../../../certs/demo-cast.js';
import { createCertificateBuilder } from '../../../services/certificate/index.js';
import { loadCertificateKeys, parsePemCertificates } from '../../../services/certificate/keys.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { verifyVdsNc } from '../../../services/certificate/verify/verify-vds.js';
import { pkiPaths, type PkiPaths } from '../../../services/common/pki-paths.js';
import { overseasRecord } from '../certificate/fixtures.js';

const DAY = 86_400_000;
let made: string;
const dirs: string[] = [];

/** A copy of the PKI made once at the real time, so each test renews its own. */
async function copyOfPki(): Promise<PkiPaths> {
  const dir = await mkdtemp(join(tmpdir(), 'pki-renew-'));
  dirs.push(dir);
  await cp(made, dir, { recursive: true });
  return pkiPaths(dir);
}

const read = (path: string) => readFile(path, 'utf8');
const certAt = async (path: string) => new X509Certificate(await read(path));
const validAt = (c: { validFrom: string; validTo: string }, t: Date) => new Date(c.validFrom) <= t && t < new Date(c.validTo);

/** Every certificate file of the PKI with the certificate that signed it. */
async function chains(p: PkiPaths): Promise<Array<{ file: string; cert: X509Certificate; issuer: X509Certificate }>> {
  const [serverCa, lgwanCa, kioskCa, vdsCsca] = await Promise.all([p.serverCa, p.lgwanCa, p.kioskCa, p.vdsCsca].map(certAt));
  const kioskIds = (await readdir(p.kiosksDir)).sort();
  const shc = parsePemCertificates(await read(p.shcIssuer.chain));
  const out = [
    ...[p.server('relay').cert, p.server('vrs').cert].map((file) => ({ file, issuer: serverCa! })),
    { file: p.relayLgwanClient.cert, issuer: lgwanCa! },
    ...kioskIds.map((id) => ({ file: p.kiosk(id).cert, issuer: kioskCa! })),
    { file: p.vdsSigner.cert, issuer: vdsCsca! },
  ];
  const files = await Promise.all(out.map(async (o) => ({ ...o, cert: await certAt(o.file) })));
  return [
    ...files,
    ...[p.serverCa, p.lgwanCa, p.kioskCa, p.vdsCsca].map((file, i) => ({
      file,
      cert: [serverCa, lgwanCa, kioskCa, vdsCsca][i]!,
      issuer: [serverCa, lgwanCa, kioskCa, vdsCsca][i]!,
    })),
    { file: 'shc issuer', cert: shc[0]!, issuer: shc[1]! },
    { file: 'shc CA', cert: shc[1]!, issuer: shc[2]! },
    { file: 'shc root', cert: shc[2]!, issuer: shc[2]! },
  ];
}

async function expectWholeAndValidAt(p: PkiPaths, t: Date): Promise<void> {
  for (const c of await chains(p)) {
    expect(c.cert.verify(c.issuer.publicKey), `${c.file} is signed by its CA`).toBe(true);
    expect(c.cert.checkIssued(c.issuer), `${c.file} names its CA`).toBe(true);
    expect(validAt(c.cert, t), `${c.file} is valid at ${t.toISOString()}`).toBe(true);
  }
  const crl = new x509.X509Crl(await read(p.kioskCrl));
  expect(crl.thisUpdate <= t && t < crl.nextUpdate!).toBe(true);
  expect(await crl.verify({ publicKey: new x509.X509Certificate(await read(p.kioskCa)).publicKey })).toBe(true);
  const revoked = new x509.X509Certificate(await read(p.kiosk(revokedDemoKiosk.kioskId).cert));
  expect(crl.entries.map((e) => e.serialNumber)).toContain(revoked.serialNumber);
}

/** Whether a kiosk's certificate gets through the relay's TLS (kiosk CA + CRL), at the real time. */
async function kioskHandshake(p: PkiPaths, kioskId: string): Promise<boolean> {
  const relay = p.server('relay');
  const server = createServer(
    {
      key: await read(relay.key),
      cert: await read(relay.cert),
      ca: await read(p.kioskCa),
      crl: await read(p.kioskCrl),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (s) => s.end('ok'),
  );
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  try {
    const kiosk = p.kiosk(kioskId);
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: await read(p.serverCa),
      key: await read(kiosk.key),
      cert: await read(kiosk.cert),
    });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    // a refused certificate ends the connection with an error, an accepted one with the answer
    await once(socket, 'close').catch(() => undefined);
    socket.destroy();
    return Buffer.concat(chunks).toString() === 'ok';
  } finally {
    server.close();
  }
}

beforeAll(async () => {
  made = await mkdtemp(join(tmpdir(), 'pki-made-'));
  await ensurePki({ root: made, shcIssuerUrl: 'https://issuer.example.test/issuer' });
}, 120_000);

afterAll(async () => {
  for (const d of [made, ...dirs]) await rm(d, { recursive: true, force: true });
});

describe('renewal of the test PKI', () => {
  it('renews nothing in a PKI that is good for more than the margin', async () => {
    const p = await copyOfPki();
    expect(await renewPki(p)).toEqual([]);
    expect(await ensurePki({ root: p.root })).toEqual([]);
  });

  it('renews the kiosk CRL first, a year on (its nextUpdate), and the relay TLS takes kiosks again', async () => {
    const p = await copyOfPki();
    const later = new Date(Date.now() + 400 * DAY);
    const lines = await renewPki(p, { now: later });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CRL of Konbini Sim Kiosk CA expired on \d{4}-\d\d-\d\d: renewed/);
    await expectWholeAndValidAt(p, later);
    // back at the real time that CRL is not valid yet: it counts as due and is renewed again
    const back = await renewPki(p);
    expect(back.join('\n')).toMatch(/CRL of Konbini Sim Kiosk CA not valid until/);
    await expectWholeAndValidAt(p, new Date());
    expect(await kioskHandshake(p, demoKiosks[0]!.kioskId)).toBe(true);
    expect(await kioskHandshake(p, revokedDemoKiosk.kioskId)).toBe(false);
  });

  it('re-certifies every certificate with its own key, so what was signed before still verifies', async () => {
    const p = await copyOfPki();
    const before = await loadCertificateKeys(p);
    const builder = createCertificateBuilder({ shcIssuerUrl: 'https://issuer.example.test/issuer', shcKey: before.shcKey, vdsSigner: before.vdsSigner });
    const signed = builder.codes(overseasRecord());
    const keysBefore = await Promise.all([p.server('relay').key, p.kiosk(demoKiosks[0]!.kioskId).key, p.shcIssuer.key, p.caKey('kiosk-ca')].map(read));
    const later = new Date(Date.now() + 6 * 365 * DAY);
    const lines = await renewPki(p, { now: later });
    // the five-year leaves, the two-year SHC issuer and the three-year barcode signer, and the CRL
    expect(lines.some((l) => l.startsWith('Konbini Sim SHC Issuer expired on'))).toBe(true);
    expect(lines.some((l) => l.startsWith('relay.localhost expired on'))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${revokedDemoKiosk.kioskId} expired on`))).toBe(true);
    await expectWholeAndValidAt(p, later);
    expect(await Promise.all([p.server('relay').key, p.kiosk(demoKiosks[0]!.kioskId).key, p.shcIssuer.key, p.caKey('kiosk-ca')].map(read))).toEqual(keysBefore);
    const after = await loadCertificateKeys(p);
    expect(after.shcKey.kid).toBe(before.shcKey.kid);
    const published = JSON.parse(await read(p.shcJwks));
    expect(published).toEqual(after.shcJwks);
    const shc = await verifyShc(signed.shc, { jwks: published, now: later });
    expect(shc.warnings).toEqual([]);
    const csca = parsePemCertificates(await read(p.vdsCsca));
    expect(verifyVdsNc(signed.vds!, { cscas: csca, now: later }).data).toBeDefined();
    // and back at the real time everything (made for six years on) is renewed once more
    await renewPki(p);
    await expectWholeAndValidAt(p, new Date());
    expect(await kioskHandshake(p, demoKiosks[0]!.kioskId)).toBe(true);
    expect(await kioskHandshake(p, revokedDemoKiosk.kioskId)).toBe(false);
  });

  it("rewrites each kiosk's PKCS#12 file with its renewed certificate, under the same password", async () => {
    const p = await copyOfPki();
    const k = p.kiosk(demoKiosks[0]!.kioskId);
    const password = (await read(k.p12Password)).trim();
    const made = await ensurePki({ root: p.root, now: new Date(Date.now() + 6 * 365 * DAY) });
    expect(made).toContain(`kiosk PKCS#12 identities (${demoKiosks.length + 1})`);
    expect((await read(k.p12Password)).trim()).toBe(password);
    const held = await pkcs12Certificate(await readFile(k.p12), password);
    expect(held.equals(new X509Certificate(await read(k.cert)).raw)).toBe(true);
  });

  it('gives a new key to a CA whose key an older checkout did not keep, and re-certifies everything under it', async () => {
    const p = await copyOfPki();
    const kid = (await loadCertificateKeys(p)).shcKey.kid;
    await rm(join(p.private, 'ca'), { recursive: true });
    const later = new Date(Date.now() + 400 * DAY);
    const lines = await renewPki(p, { now: later });
    expect(lines.some((l) => l.startsWith('Konbini Sim Kiosk CA had no kept key'))).toBe(true);
    expect(lines.filter((l) => l.includes('is under a CA with a new key'))).toHaveLength(demoKiosks.length + 1);
    await expectWholeAndValidAt(p, later);
    expect(await readdir(join(p.private, 'ca'))).toEqual(['kiosk-ca.pem']);
    expect((await loadCertificateKeys(p)).shcKey.kid).toBe(kid);
  });
});
