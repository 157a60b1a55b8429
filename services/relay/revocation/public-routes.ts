import { createHash, type KeyObject } from 'node:crypto';
import { Router, type Response } from 'express';
import type { PublicJwks } from '../../certificate/shc/jwks.js';
import type { IssuanceBooks } from '../books/books.js';
import { shcCrl, signVdsRevocations, type VdsRevocationList } from './revocation-lists.js';

export interface PublicRoutesDeps {
  jwks: PublicJwks;
  books: IssuanceBooks;
  vdsSigner: { id: string; privateKey: KeyObject; certDer: Uint8Array };
  /** Cache lifetime of every public file (seconds). */
  maxAgeS?: number;
}

/**
 * The issuer's public files, mounted at the path of the SHC issuer URL and answering anyone:
 * `/.well-known/jwks.json` (each key with `crlVersion` once it has revocations),
 * `/.well-known/crl/<kid>.json` (SMART Health Cards revocation, method `rid`) and
 * `/.well-known/vds-nc-revocations.json` (signed by the barcode signer). Short `max-age` and an
 * ETag, so verifiers see a revocation within a minute and re-fetch cheaply.
 */
export function publicRoutes(deps: PublicRoutesDeps): Router {
  const maxAge = deps.maxAgeS ?? 60;
  const router = Router();
  const send = (req: { get(h: string): string | undefined }, res: Response, value: unknown) => {
    const body = JSON.stringify(value);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    res.set('Access-Control-Allow-Origin', '*').set('Cache-Control', `public, max-age=${maxAge}`).set('ETag', etag);
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(body);
  };
  router.options(/^\/\.well-known\/.*/, (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*').set('Access-Control-Allow-Methods', 'GET, OPTIONS').status(204).end();
  });
  router.get('/.well-known/jwks.json', async (req, res) => {
    const keys = await Promise.all(
      deps.jwks.keys.map(async (k) => {
        const { ctr } = await deps.books.shcRevocations(k.kid);
        // crlVersion is a positive integer (SMART Health Cards): a key without revocations has none.
        return ctr > 0 ? { ...k, crlVersion: ctr } : k;
      }),
    );
    send(req, res, { keys });
  });
  router.get('/.well-known/crl/:file', async (req, res, next) => {
    const kid = /^([A-Za-z0-9_-]{1,64})\.json$/.exec(req.params.file)?.[1];
    if (!kid || !deps.jwks.keys.some((k) => k.kid === kid)) {
      next();
      return;
    }
    send(req, res, shcCrl(kid, await deps.books.shcRevocations(kid)));
  });
  // ECDSA signatures differ each time: one signed list per ctr keeps the body (and ETag) stable.
  let signed: VdsRevocationList | undefined;
  router.get('/.well-known/vds-nc-revocations.json', async (req, res) => {
    const list = await deps.books.vdsRevocations(deps.vdsSigner.id);
    if (signed?.data.ctr !== list.ctr) signed = signVdsRevocations(list, deps.vdsSigner);
    send(req, res, signed);
  });
  return router;
}
