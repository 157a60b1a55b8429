import { AppError } from './errors.js';

/**
 * Login and session errors shared by the two staff front doors, the municipality portal and the
 * kiosk simulator's maintenance screen: one class per code, whichever service answers it.
 */

/** No valid session cookie (none, unknown, idle too long, past its absolute end, staff disabled): 401. */
export class UnauthenticatedError extends AppError {
  constructor() {
    super('ERR_UNAUTHENTICATED', 401, 'Login required');
  }
}

/**
 * Wrong e-mail address, wrong password, disabled account or a non-lg.jp address (the maintenance
 * screen: a wrong password): one answer for all, so that nobody can learn which accounts exist. 401.
 */
export class LoginError extends AppError {
  constructor() {
    super('ERR_LOGIN', 401, 'The login details are wrong');
  }
}

/** A state-changing request without the session's CSRF token in `X-CSRF-Token`: 403. */
export class CsrfError extends AppError {
  constructor() {
    super('ERR_CSRF', 403, 'Missing or wrong X-CSRF-Token header');
  }
}

/**
 * Too many wrong passwords or codes for this account or from this client: 429 with Retry-After.
 * Not a lock: it runs out by itself (growing delays, at most 15 minutes), and a success resets it.
 */
export class LoginAttemptsThrottledError extends AppError {
  constructor(readonly retryAfterS: number) {
    super('ERR_LOGIN_THROTTLED', 429, 'Too many wrong attempts: wait before trying again', { extras: { retryAfter: retryAfterS } });
  }
}
