import { AppError } from '../../common/errors.js';

/**
 * The portal's own errors. Login and session errors the kiosk simulator's maintenance screen shares
 * (ERR_UNAUTHENTICATED, ERR_LOGIN, ERR_CSRF, ERR_LOGIN_THROTTLED) are in services/common/auth-errors.ts.
 */

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
 * right, but guessing across many challenges would multiply the 5 tries. 429 with Retry-After.
 */
export class LoginCodeLimitError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('ERR_LOGIN_CODE_LIMIT', 429, 'Too many one-time codes requested: wait before logging in again', { extras: { retryAfter: retryAfterSeconds } });
  }
}

/** The challenge is past its lifetime, already used, or unknown. */
export class LoginExpiredError extends AppError {
  constructor() {
    super('ERR_LOGIN_EXPIRED', 401, 'The one-time code has expired: log in again to receive a new code');
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

/** A CSV file with bad rows: nothing changed; the problem carries the import report (rows, columns, issue codes; never values): 422. */
export class CsvRejectedError extends AppError {
  constructor(report: Record<string, unknown>) {
    super('ERR_CSV', 422, 'The file has bad rows: nothing was imported', { extras: report });
  }
}
