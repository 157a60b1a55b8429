import { randomUUID } from 'node:crypto';
import express, { Router, type Express } from 'express';
import { notFoundRoute, problemHandler } from '../../common/errors.js';
import type { VrsDeps } from '../deps.js';
import { auditRoutes } from './audit/audit-routes.js';
import { authRoutes } from './auth/auth-routes.js';
import { requireSession } from './auth/require-session.js';
import { importRoutes } from './imports/import-routes.js';
import { issuanceRoutes } from './issuances/issuance-routes.js';
import { resolvePortalOptions, type PortalOptions } from './portal-options.js';
import { serviceRoutes } from './service/service-routes.js';
import { invitationRoutes } from './staff/invitation-routes.js';
import { staffRoutes } from './staff/staff-routes.js';
import { statisticsRoutes } from './statistics/statistics-routes.js';
import { portalWebRouter } from '../portal-web/router.js';

export type { PortalOptions } from './portal-options.js';

/**
 * The municipality portal API (`/api/v1/…`, PROTOCOL.md "Municipality portal API"). Builds the
 * express app and never listens; `services/vrs/server.ts` does. Every route after login runs in
 * `withMunicipality(<the session's municipality>)`, so row-level security confines it.
 */
export function createPortalApp(deps: VrsDeps, portalOptions: PortalOptions = {}): Express {
  const options = resolvePortalOptions(portalOptions);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);

  app.use((req, res, next) => {
    const id = randomUUID();
    (req as { id?: string }).id = id;
    const started = process.hrtime.bigint();
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
    res.on('finish', () => {
      // Route pattern, not the URL: no query strings or ids in the log.
      const route = req.route ? `${req.baseUrl}${String((req.route as { path?: unknown }).path)}` : 'unmatched';
      deps.log.info({ reqId: id, method: req.method, route, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'portal request');
    });
    next();
  });

  app.use(express.json({ limit: '16kb' }));

  const api = Router();
  api.use(authRoutes(deps, options));
  api.use(invitationRoutes(deps, options));
  api.use(requireSession(deps, options.sessionIdleMs));
  api.use(issuanceRoutes(deps));
  api.use(importRoutes(deps, options.importLimitBytes));
  api.use(serviceRoutes(deps));
  api.use(staffRoutes(deps, options));
  api.use(auditRoutes(deps));
  api.use(statisticsRoutes(deps));
  app.use('/api/v1', api);
  // The pages (自治体向け画面) on top of the API: GET / is the issuance log; login is client-side.
  app.use(portalWebRouter());

  app.use(notFoundRoute);
  app.use(problemHandler(deps.log));
  return app;
}
