/**
 * Renewal of the generated test PKI (`certs/out/`). A checkout made a year ago, or under a moved
 * clock, holds certificates and a kiosk CRL that have expired or are not yet valid; `ensurePki`
 * (run by `npm run up`, `npm run certs` and `npm test`) calls `renewPki`, which re-certifies each
 * such certificate for the current time and says so.
 *
 * Renewal keeps every key: a certificate is made again with the same subject, key, extensions and
 * lifetime under the same CA key, so the SHC `kid` and every SMART Health Card or VDS-NC seal
 * already issued still verify. Only a CA whose key was not kept (checkouts made before the
 * generator kept CA keys) gets a new key, and then everything under it is re-certified.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { PkiPaths } from '../../services/common/pki-paths.js';
import { parsePemCertificates } from '../../services/certificate/keys.js';
import { buildPublicJwks } from '../../services/certificate/shc/jwks.js';
import { generateKeys, importPrivateKeyPem, privateKeyPem, recertify, remakeCrl, x509 } from './x509-issue.js';
import { writeFileSafe } from '../generate.js';

const DAY_MS = 24 * 3600 * 1000;

/** Options of {@link renewPki}. */
export interface RenewOptions {
  /** The time to renew for (default: now). */
  now?: Date;
  /** Renew what expires within this many days (default 30). */
  marginDays?: number;
  log?: (line: string) => void;
}

/** One certificate of a CA tree, as read from `certs/out/`. */
interface CertNode {
  cert: x509.X509Certificate;
  /** Its private key: for a CA the kept CA key (missing in old checkouts); for a leaf its own key. */
  keyFile: string;
  children: CertNode[];
  /** A CRL the node signs (the kiosk CA's). */
  crl?: { crl: x509.X509Crl };
}

/** A CA tree and how to write it back. */
interface CertTree {
  root: CertNode;
  save(): Promise<void>;
}

interface Ctx {
  now: Date;
  margin: number;
  log: (line: string) => void;
  renewed: string[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const cn = (c: x509.X509Certificate) => /CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject;

/** Why a certificate must be made again now, or undefined when it is good for the margin. */
function dueReason(notBefore: Date, notAfter: Date | undefined, ctx: Ctx): string | undefined {
  const t = ctx.now.getTime();
  if (t < notBefore.getTime()) return `not valid until ${day(notBefore)} (made under a clock ahead of this one)`;
  if (!notAfter) return 'has no end date';
  if (notAfter.getTime() <= t) return `expired on ${day(notAfter)}`;
  if (notAfter.getTime() - t < ctx.margin) return `expires on ${day(notAfter)}`;
  return undefined;
}

const certDue = (n: CertNode, ctx: Ctx) => dueReason(n.cert.notBefore, n.cert.notAfter, ctx);
const crlDue = (n: CertNode, ctx: Ctx) => (n.crl ? dueReason(n.crl.crl.thisUpdate, n.crl.crl.nextUpdate, ctx) : undefined);

/** Whether `n` needs a new key: it must sign something now and its key was not kept. */
function mustRekey(n: CertNode, isRoot: boolean, ctx: Ctx): boolean {
  if (existsSync(n.keyFile)) return false;
  return (isRoot && certDue(n, ctx) !== undefined) || crlDue(n, ctx) !== undefined || n.children.some((c) => mustRecertify(c, false, ctx));
}

function mustRecertify(n: CertNode, isRoot: boolean, ctx: Ctx): boolean {
  return certDue(n, ctx) !== undefined || mustRekey(n, isRoot, ctx);
}

/** Whether anything in the tree under `n` (itself, its CRL, any descendant) is due. */
function hasWork(n: CertNode, isRoot: boolean, ctx: Ctx): boolean {
  return mustRecertify(n, isRoot, ctx) || crlDue(n, ctx) !== undefined || n.children.some((c) => hasWork(c, false, ctx));
}

/** Re-certifies what is due in the tree under `n`; returns whether anything changed. */
async function renewNode(n: CertNode, issuer: { cert: x509.X509Certificate; privateKey: CryptoKey } | undefined, force: boolean, ctx: Ctx): Promise<boolean> {
  const isRoot = issuer === undefined;
  const rekey = mustRekey(n, isRoot, ctx);
  const reason = force ? 'is under a CA with a new key' : rekey ? 'had no kept key (made before CA keys were kept): new key' : certDue(n, ctx);
  // The node's own key is read only when it must sign (itself as a root, a child or its CRL).
  let privateKey: CryptoKey | undefined;
  const ownKey = async (): Promise<CryptoKey> => (privateKey ??= await importPrivateKeyPem(await readFile(n.keyFile, 'utf8')));
  let publicKey: x509.PublicKey | CryptoKey = n.cert.publicKey;
  if (rekey) {
    const keys = await generateKeys();
    await writeFileSafe(n.keyFile, await privateKeyPem(keys.privateKey), true);
    privateKey = keys.privateKey;
    publicKey = keys.publicKey;
  }
  let changed = false;
  if (reason !== undefined) {
    const signer = issuer ?? { cert: n.cert, privateKey: await ownKey() };
    n.cert = await recertify(n.cert, { issuer: signer, publicKey, now: ctx.now });
    changed = true;
    const line = `${cn(n.cert)} ${reason}: renewed, valid until ${day(n.cert.notAfter)}`;
    ctx.renewed.push(line);
    ctx.log(`certs: ${line}`);
  }
  const revokedBefore = new Set(n.crl?.crl.entries.map((e) => e.serialNumber) ?? []);
  const newlyRevoked: string[] = [];
  for (const child of n.children) {
    const serial = child.cert.serialNumber;
    if (!rekey && !hasWork(child, false, ctx)) continue;
    if (await renewNode(child, { cert: n.cert, privateKey: await ownKey() }, rekey, ctx)) {
      changed = true;
      if (revokedBefore.has(serial)) newlyRevoked.push(child.cert.serialNumber);
    }
  }
  if (n.crl && (rekey || newlyRevoked.length > 0 || crlDue(n, ctx) !== undefined)) {
    const why = crlDue(n, ctx) ?? 'a revoked certificate was re-certified';
    const entries = [
      ...n.crl.crl.entries.map((e) => ({ serialNumber: e.serialNumber, revocationDate: e.revocationDate, reason: e.reason })),
      ...newlyRevoked.map((serialNumber) => ({ serialNumber, revocationDate: new Date(ctx.now.getTime() - DAY_MS), reason: x509.X509CrlReason.keyCompromise })),
    ];
    n.crl.crl = await remakeCrl({ cert: n.cert, privateKey: await ownKey() }, entries, ctx.now);
    changed = true;
    const line = `CRL of ${cn(n.cert)} ${why}: renewed, next update ${day(n.crl.crl.nextUpdate!)}`;
    ctx.renewed.push(line);
    ctx.log(`certs: ${line}`);
  }
  return changed;
}

const readCert = async (path: string) => new x509.X509Certificate(await readFile(path, 'utf8'));
const pem = (c: x509.X509Certificate) => c.toString('pem') + '\n';
const leaf = async (files: { cert: string; key: string }): Promise<CertNode> => ({ cert: await readCert(files.cert), keyFile: files.key, children: [] });

/** A one-level tree: a CA file and leaf certificate files. */
async function simpleTree(caPath: string, caKey: string, leaves: Array<{ cert: string; key: string }>): Promise<CertTree> {
  const nodes = await Promise.all(leaves.map(leaf));
  const root: CertNode = { cert: await readCert(caPath), keyFile: caKey, children: nodes };
  return {
    root,
    async save() {
      await writeFileSafe(caPath, pem(root.cert));
      for (const [i, files] of leaves.entries()) await writeFileSafe(files.cert, pem(nodes[i]!.cert));
    },
  };
}

async function kioskTree(p: PkiPaths): Promise<CertTree> {
  const ids = (await readdir(p.kiosksDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const tree = await simpleTree(
    p.kioskCa,
    p.caKey('kiosk-ca'),
    ids.map((id) => p.kiosk(id)),
  );
  tree.root.crl = { crl: new x509.X509Crl(await readFile(p.kioskCrl, 'utf8')) };
  const save = tree.save;
  return {
    root: tree.root,
    async save() {
      await save();
      // OpenSSL (and so Node's TLS `crl` option) reads the RFC 7468 label 'X509 CRL'.
      await writeFileSafe(p.kioskCrl, x509.PemConverter.encode(tree.root.crl!.crl.rawData, 'X509 CRL') + '\n');
    },
  };
}

/** The SHC chain (chain.pem: issuer, CA, root) and the published JWKS, whose x5c follows it. */
async function shcTree(p: PkiPaths): Promise<CertTree> {
  const [issuerCert, caCert, rootCert] = parsePemCertificates(await readFile(p.shcIssuer.chain, 'utf8')).map((c) => new x509.X509Certificate(c.raw));
  if (!issuerCert || !caCert || !rootCert) throw new TypeError(`${p.shcIssuer.chain}: expected issuer, CA and root certificates`);
  const issuer: CertNode = { cert: issuerCert, keyFile: p.shcIssuer.key, children: [] };
  const ca: CertNode = { cert: caCert, keyFile: p.caKey('shc-ca'), children: [issuer] };
  const root: CertNode = { cert: rootCert, keyFile: p.caKey('shc-root'), children: [ca] };
  return {
    root,
    async save() {
      const chain = [issuer.cert, ca.cert, root.cert];
      await writeFileSafe(p.shcIssuer.chain, chain.map((c) => c.toString('pem')).join('\n') + '\n');
      await writeShcJwks(
        p,
        chain.map((c) => new X509Certificate(Buffer.from(c.rawData))),
      );
    },
  };
}

/** Writes the public JWKS of the SHC issuer key with its x5c chain (issuer first). */
export async function writeShcJwks(p: PkiPaths, chain: X509Certificate[]): Promise<void> {
  const key = createPrivateKey(await readFile(p.shcIssuer.key, 'utf8'));
  await writeFileSafe(p.shcJwks, JSON.stringify(await buildPublicJwks(key, chain), null, 2) + '\n');
}

/** Every CA tree of the test PKI, read from `certs/out/` when it is renewed. */
function trees(p: PkiPaths): Array<() => Promise<CertTree>> {
  return [
    () => simpleTree(p.serverCa, p.caKey('server-ca'), [p.server('relay'), p.server('vrs')]),
    () => simpleTree(p.lgwanCa, p.caKey('lgwan-ca'), [p.relayLgwanClient]),
    () => kioskTree(p),
    () => shcTree(p),
    () => simpleTree(p.vdsCsca, p.caKey('vds-csca'), [p.vdsSigner]),
  ];
}

/**
 * Re-certifies every certificate and CRL of the test PKI that has expired, expires within the
 * margin or is not yet valid at `now`, keeping their keys. Returns one line per renewal (empty
 * when nothing was due).
 */
export async function renewPki(p: PkiPaths, options: RenewOptions = {}): Promise<string[]> {
  const ctx: Ctx = { now: options.now ?? new Date(), margin: (options.marginDays ?? 30) * DAY_MS, log: options.log ?? (() => {}), renewed: [] };
  for (const load of trees(p)) {
    const tree = await load();
    if (await renewNode(tree.root, undefined, false, ctx)) await tree.save();
  }
  return ctx.renewed;
}
