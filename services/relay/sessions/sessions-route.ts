import { Router } from 'express';
import type { Clock } from '../../common/clock.js';
import type { IssuanceBooks } from '../books/books.js';
import { ServiceClosedError } from '../relay-errors.js';
import type { ServiceHours } from '../service-hours/service-hours.js';
import { kioskOf, type SessionRepo } from './session-repo.js';

/**
 * `POST /v1/sessions` (step 2: 201 with a fresh challenge; 503 ERR_SERVICE_CLOSED outside the
 * service hours) and `DELETE /v1/sessions/{sid}` (step 7: cancels an open request in the books,
 * then erases everything; 404 for another kiosk's or an unknown session). When the relay's work queues, admission control (app.ts,
 * admission/) answers step 2 with 503 ERR_BUSY and Retry-After before this route runs.
 */
export function sessionsRoute(deps: { sessions: SessionRepo; books: IssuanceBooks; serviceHours: ServiceHours; clock: Clock }): Router {
  const router = Router();
  router.post('/v1/sessions', async (_req, res) => {
    if (!deps.serviceHours.isOpen(deps.clock.now())) {
      throw new ServiceClosedError(deps.serviceHours.hours);
    }
    const s = await deps.sessions.open(kioskOf(res.locals.client));
    res.status(201).json({ sessionId: s.sessionId, challenge: s.challenge.toString('base64'), expiresAt: new Date(s.expiresAt).toISOString() });
  });
  router.delete('/v1/sessions/:sid', async (req, res) => {
    await deps.sessions.load(req.params.sid, kioskOf(res.locals.client));
    // An open request is cancelled in the books first (released; revoked if served), then the
    // session and everything it holds is erased.
    await deps.books.endSession(req.params.sid, deps.clock.now().getTime());
    await deps.sessions.erase(req.params.sid);
    res.status(204).end();
  });
  return router;
}
