import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { VrsDeps } from '../../deps.js';
import { CsrfError, UnauthenticatedError } from '../../../common/auth-errors.js';
import { loadSession, type PortalSession } from './sessions.js';
import { readSessionCookie } from './session-cookie.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when the header carries exactly the session's CSRF token (constant-time). */
export function csrfTokenMatches(header: unknown, expected: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Lets a request through only with a live session; for any state-changing method also only with
 * the session's token in `X-CSRF-Token`. The session is then at `sessionOf(res)`.
 */
export function requireSession(deps: VrsDeps, idleMs: number): RequestHandler {
  return async (req, res, next) => {
    const cookie = readSessionCookie(req);
    const session = cookie === undefined ? undefined : await loadSession(deps.db, cookie, deps.clock.now(), idleMs);
    if (!session) throw new UnauthenticatedError();
    if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(req.get('x-csrf-token'), session.csrfToken)) throw new CsrfError();
    res.locals.portalSession = session;
    next();
  };
}

/** The session `requireSession` found for this request. */
export function sessionOf(res: Response): PortalSession {
  const s = res.locals.portalSession as PortalSession | undefined;
  if (!s) throw new TypeError('sessionOf: route is not behind requireSession');
  return s;
}
