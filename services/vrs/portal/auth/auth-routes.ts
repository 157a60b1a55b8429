import { Router } from 'express';
import { z } from 'zod';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { recordAudit } from '../audit/audit-log.js';
import type { ResolvedPortalOptions } from '../portal-options.js';
import { parseInput } from '../../../common/validation.js';
import { createLoginFlow } from './login-flow.js';
import { requireSession, sessionOf } from './require-session.js';
import { deleteSession } from './sessions.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';

const LoginBody = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) });
const VerifyBody = z.object({ challengeId: z.string().min(1).max(64), code: z.string().min(1).max(16) });

/** `/login`, `/login/verify`, `/session`, `/logout`. */
export function authRoutes(deps: VrsDeps, options: ResolvedPortalOptions): Router {
  const router = Router();
  const flow = createLoginFlow(deps, options);
  const session = requireSession(deps, options.sessionIdleMs);

  router.post('/login', async (req, res) => {
    const body = parseInput(LoginBody, req.body);
    res.json(await flow.start(body.email, body.password, req.ip));
  });

  router.post('/login/verify', async (req, res) => {
    const body = parseInput(VerifyBody, req.body);
    const result = await flow.verify(body.challengeId, body.code, req.ip);
    setSessionCookie(req, res, result.sessionId, options.sessionMaxMs, options.secureCookies);
    res.json({ csrfToken: result.csrfToken, staff: result.staff });
  });

  router.get('/session', session, (_req, res) => {
    const s = sessionOf(res);
    res.json({ csrfToken: s.csrfToken, staff: { email: s.email, municipality: s.municipality } });
  });

  router.post('/logout', session, async (req, res) => {
    const s = sessionOf(res);
    await withMunicipality(deps.db, s.municipality.code, async (tx) => {
      await deleteSession(tx, s.idHash);
      await recordAudit(tx, { municipalityCode: s.municipality.code, staffId: s.staffId, action: 'logout', at: deps.clock.now() });
    });
    clearSessionCookie(req, res, options.secureCookies);
    res.status(204).end();
  });

  return router;
}
