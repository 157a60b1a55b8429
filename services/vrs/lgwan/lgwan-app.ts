import { randomUUID } from 'node:crypto';
import express, { type Request } from 'express';
import { notFoundRoute, problemHandler } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import {
  certificateRequestSchema,
  completionNoticeSchema,
  issuanceQuerySchema,
  lookupRequestSchema,
  releaseNoticeSchema,
} from '../../common/lgwan-contract.js';
import { requireClient, type ClientIdentity } from '../../common/mtls.js';
import type { VrsDeps } from '../deps.js';
import { lookupHolder } from '../records/lookup.js';
import { reserveCertificate } from '../records/certificate.js';
import { recordCompletion } from '../records/completion.js';
import { queryIssuances } from '../records/issuance-query.js';
import { releaseReservation } from '../records/release.js';

/** CN of the only client certificate accepted over LGWAN: the certificate center's relay. */
export const RELAY_CLIENT_CN = 'certificate-center-relay';

export interface LgwanAppOptions {
  /** Tests without TLS (supertest) inject the client identity here. */
  identify?: (req: Request) => ClientIdentity | undefined;
  /** JSON body limit (default 16kb: the largest valid body is well under 1 kB). */
  bodyLimit?: string;
}

/**
 * The VRS LGWAN API (services/common/lgwan-contract.ts) for the certificate center's relay. Never
 * listens (server.ts does, over mTLS trusting only the LGWAN CA). Logs carry request ids, routes,
 * statuses and error codes: never bodies, so never a My Number.
 */
export function createLgwanApp(deps: VrsDeps, options: LgwanAppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    (req as Request & { id: string }).id = randomUUID();
    res.setHeader('Cache-Control', 'no-store');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.log.info(
        {
          reqId: (req as Request & { id: string }).id,
          method: req.method,
          route: req.route?.path ?? req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'lgwan request',
      );
    });
    next();
  });
  app.use(requireClient({ code: 'ERR_CLIENT_CERT', accept: (id) => id.cn === RELAY_CLIENT_CN, ...(options.identify ? { identify: options.identify } : {}) }));
  app.use(express.json({ limit: options.bodyLimit ?? '16kb', type: 'application/json' }));

  app.get('/lgwan/v1/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/lgwan/v1/holders/lookup', async (req, res) => {
    const { myNumber } = parseInput(lookupRequestSchema, req.body, 'LGWAN request');
    res.json(await lookupHolder(deps, myNumber));
  });
  app.post('/lgwan/v1/certificates', async (req, res) => {
    const request = parseInput(certificateRequestSchema, req.body, 'LGWAN request');
    res.status(201).json(await reserveCertificate(deps, request));
  });
  app.post('/lgwan/v1/completions', async (req, res) => {
    const notice = parseInput(completionNoticeSchema, req.body, 'LGWAN request');
    res.json(await recordCompletion(deps, notice));
  });
  app.post('/lgwan/v1/releases', async (req, res) => {
    const notice = parseInput(releaseNoticeSchema, req.body, 'LGWAN request');
    res.json(await releaseReservation(deps, notice));
  });
  app.post('/lgwan/v1/issuances/query', async (req, res) => {
    const query = parseInput(issuanceQuerySchema, req.body, 'LGWAN request');
    res.json(await queryIssuances(deps, query));
  });

  app.use(notFoundRoute);
  app.use(problemHandler(deps.log));
  return app;
}
