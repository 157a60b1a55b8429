import { Router } from 'express';
import type { PublicJwks } from './jwks.js';

/**
 * Serves the SHC issuer key set at `GET /.well-known/jwks.json` with `Access-Control-Allow-Origin: *`
 * (SHC verifiers run in browsers too). Mount it at the path of the issuer URL.
 */
export function jwksRouter(jwks: PublicJwks): Router {
  const body = JSON.stringify(jwks);
  const router = Router();
  router.options('/.well-known/jwks.json', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*').set('Access-Control-Allow-Methods', 'GET, OPTIONS').status(204).end();
  });
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*').set('Cache-Control', 'public, max-age=3600').type('application/json').send(body);
  });
  return router;
}
