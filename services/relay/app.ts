import { randomUUID, type KeyObject } from 'node:crypto';
import express, { type Express, type Request } from 'express';
import type { Clock } from '../common/clock.js';
import { AppError, notFoundRoute, problemHandler } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { requireClient, type ClientIdentity } from '../common/mtls.js';
import type { CertificateBuilder } from '../certificate/builder.js';
import type { PublicJwks } from '../certificate/shc/jwks.js';
import type { IssuanceBooks } from './books/books.js';
import { createAdmission, type Admission, type AdmissionOptions } from './admission/admission.js';
import { cardRoute } from './card-verify/card-route.js';
import type { CardVerifier } from './card-verify/card-verifier.js';
import { completionRoute } from './completion/completion-route.js';
import { documentRoute } from './documents/document-route.js';
import type { NoticeOutbox } from './notices/outbox.js';
import type { OneTimeStore } from './one-time/store.js';
import { buildOpenApi } from './openapi.js';
import { RequestRepo } from './requests/request-repo.js';
import { requestsRoute, type IssuerIds } from './requests/requests-route.js';
import { UpstreamUnavailableError } from './relay-errors.js';
import { publicRoutes } from './revocation/public-routes.js';
import type { ServiceHours } from './service-hours/service-hours.js';
import { serviceRoute } from './service-hours/service-route.js';
import { SessionRepo } from './sessions/session-repo.js';
import { sessionsRoute } from './sessions/sessions-route.js';
import type { VrsClient } from './vrs-client/vrs-client.js';

/** Everything the relay app is given (STYLE.md "App factories"). */
export interface RelayDeps {
  /** The one-time store (already sealed). */
  store: OneTimeStore;
  vrs: VrsClient;
  builder: Pick<CertificateBuilder, 'build'>;
  cardVerifier: CardVerifier;
  outbox: NoticeOutbox;
  /** The books: request states, ledger, revocations (books/). */
  books: IssuanceBooks;
  /** The SHC key, the `vc.rid` secret and the VDS-NC signer requests are signed and revoked under. */
  issuer: IssuerIds;
  clock: Clock;
  log: Logger;
  /** J-LIS-side issuance log; defaults to `log`. */
  issuanceLog?: Logger;
  serviceHours: ServiceHours;
  feePerCopy: number;
  sessionTtlMs: number;
  documentTtlMs: number;
  /** Requests one session may make (default 10). */
  requestLimit?: number;
  /** express.json limit (default 64kb). */
  bodyLimit?: string;
  /**
   * The issuer's public files under `<issuerPath>/.well-known/` (no client certificate needed): the
   * SHC JWKS with `crlVersion`, the SHC CRLs and the signed VDS-NC revocation list.
   */
  shc?: { issuerPath: string; jwks: PublicJwks; vdsSigner: { privateKey: KeyObject; certDer: Uint8Array } };
  /** Test hook: the kiosk identity of a request instead of the TLS peer certificate. */
  identify?: (req: Request) => ClientIdentity | undefined;
  /** Called after a notice is queued (wakes the worker). */
  onNotice?: () => void;
  /**
   * Admission control of this relay process (steps 2–4 answer 503 ERR_BUSY when its work is at
   * the limit); `server.ts` always passes its options (config.ts `ADMISSION_*`); tests may pass
   * one made with `createAdmission` to watch its queue. Unset: no admission control.
   */
  admission?: AdmissionOptions | Admission;
}

/**
 * The certificate center's kiosk API (PROTOCOL.md). Never listens: `server.ts` does. Every /v1
 * route needs a kiosk identity with a kiosk ID (CN) and store ID (OU), else 403 ERR_KIOSK;
 * `/openapi.json` and the SHC JWKS answer anyone.
 */
export function createRelayApp(deps: RelayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const sessions = new SessionRepo(deps.store, deps.clock, deps.sessionTtlMs);
  const requests = new RequestRepo(deps.store);

  app.use((req, res, next) => {
    const id = randomUUID();
    (req as Request & { id: string }).id = id;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Route pattern only: paths carry random identifiers, never personal data; bodies are never logged.
      deps.log.info(
        {
          reqId: id,
          method: req.method,
          route: req.route?.path ?? 'unmatched',
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
          kioskId: (res.locals.client as ClientIdentity | undefined)?.cn,
        },
        'request',
      );
    });
    next();
  });

  const openapi = JSON.stringify(buildOpenApi());
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });
  if (deps.shc) {
    app.use(
      deps.shc.issuerPath.replace(/\/$/, '') || '/',
      publicRoutes({
        jwks: deps.shc.jwks,
        books: deps.books,
        vdsSigner: { id: deps.issuer.vdsSigner, ...deps.shc.vdsSigner },
      }),
    );
  }

  app.use('/v1', requireClient({ code: 'ERR_KIOSK', accept: (id) => Boolean(id.cn && id.ou), ...(deps.identify ? { identify: deps.identify } : {}) }));
  app.use('/v1', express.json({ limit: deps.bodyLimit ?? '64kb', type: ['application/json', 'application/*+json'] }));
  if (deps.admission) {
    // Before the routes, so a refused step has consumed nothing of its session (admission/).
    const admission = 'limiter' in deps.admission ? deps.admission : createAdmission(deps.admission);
    app.post('/v1/sessions', admission.newSession);
    app.post('/v1/sessions/:sid/card', admission.work('normal'));
    app.post('/v1/sessions/:sid/requests', admission.work('high'));
  }

  app.use(serviceRoute(deps));
  app.use(sessionsRoute({ sessions, books: deps.books, serviceHours: deps.serviceHours, clock: deps.clock }));
  app.use(cardRoute({ sessions, verifier: deps.cardVerifier, vrs: deps.vrs, feePerCopy: deps.feePerCopy, log: deps.log }));
  app.use(
    requestsRoute({
      sessions,
      requests,
      books: deps.books,
      outbox: deps.outbox,
      vrs: deps.vrs,
      builder: deps.builder,
      issuer: deps.issuer,
      clock: deps.clock,
      log: deps.log,
      feePerCopy: deps.feePerCopy,
      documentTtlMs: deps.documentTtlMs,
      sessionTtlMs: deps.sessionTtlMs,
      requestLimit: deps.requestLimit ?? 10,
    }),
  );
  app.use(documentRoute({ sessions, requests, books: deps.books, clock: deps.clock, log: deps.log }));
  app.use(
    completionRoute({
      sessions,
      requests,
      books: deps.books,
      clock: deps.clock,
      log: deps.log,
      issuanceLog: deps.issuanceLog ?? deps.log,
      ...(deps.onNotice ? { onNotice: deps.onNotice } : {}),
    }),
  );

  app.use(notFoundRoute);
  // The one-time store unreachable (Redis restarting, a cluster failing over) is a coded 503 the
  // kiosk can show and retry, not a bare 500 (issue 8, faults).
  app.use((err: unknown, _req: Request, _res: unknown, next: (e: unknown) => void) => {
    next(isStoreOutage(err) ? new UpstreamUnavailableError('The session store is unavailable; try again shortly') : err);
  });
  app.use(problemHandler(deps.log));
  return app;
}

/** An ioredis failure to reach the store (as opposed to a bug): connection closed, retries spent, cluster down. */
function isStoreOutage(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof AppError) return false;
  return (
    ['MaxRetriesPerRequestError', 'ClusterAllFailedError'].includes(err.name) ||
    /Connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|CLUSTERDOWN|TRYAGAIN|Failed to refresh slots cache|None of startup nodes is available/.test(
      err.message,
    )
  );
}
