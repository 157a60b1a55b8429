import { AppError } from '../../common/errors.js';

/** No valid session cookie (none, unknown, idle too long, past its absolute end, staff disabled). */
export class UnauthenticatedError extends AppError {
  constructor() {
    super('ERR_UNAUTHENTICATED', 401, 'Login required');
  }
}

/**
 * Wrong e-mail address, wrong password, disabled account or a non-lg.jp address: one answer for
 * all, so that nobody can learn which accounts exist.
 */
export class LoginError extends AppError {
  constructor() {
    super('ERR_LOGIN', 401, 'E-mail address or password is wrong');
  }
}

/** Wrong one-time code; the challenge still takes `attemptsLeft` more answers. */
export class LoginCodeError extends AppError {
  constructor(attemptsLeft: number) {
    super('ERR_LOGIN_CODE', 401, 'The one-time code is wrong', { extras: { attemptsLeft } });
  }
}

/** Too many wrong codes: the challenge is over, even for the right code. */
export class LoginLockedError extends AppError {
  constructor() {
    super('ERR_LOGIN_LOCKED', 401, 'Too many wrong codes: log in again to receive a new code');
  }
}

/**
 * Too many one-time codes requested for one account within a challenge lifetime: the password was
 * right, but guessing across many challenges would multiply the 5 tries.
 */
export class LoginThrottledError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('ERR_LOGIN_LOCKED', 429, 'Too many one-time codes requested: wait before logging in again', { extras: { retryAfter: retryAfterSeconds } });
  }
}

/**
 * Too many wrong passwords or codes for this account or from this client: 429 with Retry-After.
 * Not a lock: it runs out by itself (growing delays, at most 15 minutes), and a success resets it.
 */
export class LoginAttemptsThrottledError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('ERR_LOGIN_THROTTLED', 429, 'Too many wrong attempts: wait before trying again', { extras: { retryAfter: retryAfterSeconds } });
  }
}

/** The challenge is past its lifetime, already used, or unknown. */
export class LoginExpiredError extends AppError {
  constructor() {
    super('ERR_LOGIN_EXPIRED', 401, 'The one-time code has expired: log in again to receive a new code');
  }
}

/** A state-changing request without the session's CSRF token in `X-CSRF-Token`. */
export class CsrfError extends AppError {
  constructor() {
    super('ERR_CSRF', 403, 'Missing or wrong X-CSRF-Token header');
  }
}

/** The municipality already has the maximum number of active staff accounts. */
export class StaffLimitError extends AppError {
  constructor(limit: number) {
    super('ERR_STAFF_LIMIT', 409, `A municipality may have at most ${limit} active staff accounts`, { extras: { limit } });
  }
}

/** An account with this e-mail address exists already. */
export class StaffExistsError extends AppError {
  constructor() {
    super('ERR_STAFF_EXISTS', 409, 'An account with this e-mail address exists already');
  }
}

/** An invitation link that is unknown, used, withdrawn or past its expiry. */
export class InvitationInvalidError extends AppError {
  constructor() {
    super('ERR_INVITATION_INVALID', 404, 'This invitation link is not valid (used, withdrawn or expired): ask your municipality for a new one');
  }
}

/** The body is not of a media type the route takes. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(accepted: string[]) {
    super('ERR_UNSUPPORTED_MEDIA_TYPE', 415, `Send the body as ${accepted.join(' or ')}`, { extras: { accepted } });
  }
}
