import type { CookieOptions, Request, Response } from 'express';

/** Name of the portal's session cookie. */
export const SESSION_COOKIE = 'vrs_portal_session';

/** The session cookie's value from the Cookie header, if any (no cookie-parser needed for one cookie). */
export function readSessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function cookieOptions(req: Request, secure: boolean | undefined): CookieOptions {
  // Secure whenever the request came over HTTPS; the localhost demo runs on plain HTTP.
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: secure ?? req.secure };
}

/**
 * Sets the session cookie; it lives as long as the session's absolute limit (given as a duration:
 * the browser's clock, not ours, decides when a Max-Age runs out).
 */
export function setSessionCookie(req: Request, res: Response, value: string, maxAgeMs: number, secure: boolean | undefined): void {
  res.cookie(SESSION_COOKIE, value, { ...cookieOptions(req, secure), maxAge: maxAgeMs });
}

export function clearSessionCookie(req: Request, res: Response, secure: boolean | undefined): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req, secure));
}
