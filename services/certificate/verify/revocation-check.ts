import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import canonicalize from 'canonicalize';
import { VerifyError } from '../errors.js';

/** Revocation lists a verifier holds: SHC rids by `kid`, revoked VDS-NC `uvci`s. */
export interface RevocationSource {
  /** The rids on the CRL of `kid` at `issuer` (undefined: no list known). */
  shcRids(issuer: string, kid: string): Promise<Set<string> | undefined>;
  /** The revoked `uvci`s published by `issuer` (undefined: no list known). */
  vdsUvcis(issuer: string): Promise<Set<string> | undefined>;
}

/** An SHC CRL (`{ kid, method: "rid", ctr, rids }`), checked for form. */
function parseCrl(json: unknown, kid: string): Set<string> {
  const crl = json as { kid?: unknown; method?: unknown; rids?: unknown };
  if (crl.kid !== kid || crl.method !== 'rid' || !Array.isArray(crl.rids))
    throw new VerifyError('revocation', 'the SHC CRL is not for this key or not of method rid');
  // A rid may carry `.timestamp` (revokes cards issued before it); the rid is what is compared.
  return new Set(crl.rids.map((r) => String(r).split('.')[0]!));
}

/** A signed VDS-NC revocation list, checked against the CSCAs; its uvcis. */
function parseVdsList(json: unknown, cscas: X509Certificate[]): Set<string> {
  const list = json as { data?: { uvci?: unknown }; sig?: { cer?: string; sigvl?: string } };
  if (!list.data || !Array.isArray(list.data.uvci) || !list.sig?.cer || !list.sig.sigvl)
    throw new VerifyError('revocation', 'the VDS-NC revocation list is malformed');
  const signer = new X509Certificate(Buffer.from(list.sig.cer, 'base64url'));
  if (!cscas.some((c) => signer.checkIssued(c) && signer.verify(c.publicKey)))
    throw new VerifyError('revocation', 'the VDS-NC revocation list signer does not chain to a trusted CSCA');
  const key = createPublicKey(signer.publicKey.export({ format: 'pem', type: 'spki' }));
  if (!verify('sha256', Buffer.from(canonicalize(list.data)!), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(list.sig.sigvl, 'base64url'))) {
    throw new VerifyError('revocation', 'the VDS-NC revocation list signature does not verify');
  }
  return new Set(list.data.uvci.map(String));
}

/** Lists saved as files (offline): `--crl` (SHC CRL JSON, any number) and `--vds-revocations`. */
export function fileRevocations(files: { crls?: string[]; vds?: string }, cscas: () => X509Certificate[]): RevocationSource {
  const crls = (files.crls ?? []).map((f) => JSON.parse(readFileSync(f, 'utf8')) as { kid?: string });
  return {
    async shcRids(_issuer, kid) {
      const crl = crls.find((c) => c.kid === kid);
      return crl ? parseCrl(crl, kid) : undefined;
    },
    async vdsUvcis() {
      return files.vds ? parseVdsList(JSON.parse(readFileSync(files.vds, 'utf8')), cscas()) : undefined;
    },
  };
}

function getJson(url: string, ca: string | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 404) return resolve(undefined);
        if (res.statusCode !== 200) return reject(new VerifyError('revocation', `${url} answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(new VerifyError('revocation', `${url} is not JSON`, e));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new VerifyError('revocation', `cannot fetch ${url}: ${e.message}`, e)));
  });
}

/**
 * Lists fetched from the issuer (online): `<iss>/.well-known/crl/<kid>.json` and
 * `<iss>/.well-known/vds-nc-revocations.json` (or the same paths under `mirror`), trusting `ca`
 * instead of the system's CAs when given.
 */
export function onlineRevocations(cscas: () => X509Certificate[], ca?: string, mirror?: string): RevocationSource {
  // A mirror of the issuer's public files (e.g. a verifier's own server) replaces the issuer URL.
  const base = (iss: string) => `${(mirror ?? iss).replace(/\/$/, '')}/.well-known`;
  return {
    async shcRids(issuer, kid) {
      const json = await getJson(`${base(issuer)}/crl/${encodeURIComponent(kid)}.json`, ca);
      return json === undefined ? undefined : parseCrl(json, kid);
    },
    async vdsUvcis(issuer) {
      const json = await getJson(`${base(issuer)}/vds-nc-revocations.json`, ca);
      return json === undefined ? undefined : parseVdsList(json, cscas());
    },
  };
}
