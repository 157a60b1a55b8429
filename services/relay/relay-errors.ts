import { AppError } from '../common/errors.js';

/**
 * The relay's refusals on the kiosk protocol (PROTOCOL.md), one class per failure. Codes and
 * statuses are on the wire: they change only by adding. Two codes keep two statuses, as kiosks
 * have always seen them (documented exceptions, listed in tests/unit/common/error-codes.test.ts):
 * ERR_BAD_REQUEST (400 a malformed body, 422 {@link PaidBelowFeeError}) and ERR_UPSTREAM
 * (502 {@link UpstreamError}, 503 {@link UpstreamUnavailableError}).
 */

/** Step 2 outside service hours: 503, with `hours`. */
export class ServiceClosedError extends AppError {
  constructor(hours: string) {
    super('ERR_SERVICE_CLOSED', 503, `The service is open ${hours} JST`, { extras: { hours } });
  }
}

/** No such session for this kiosk (never opened, expired, erased, or another kiosk's): 404. */
export class SessionNotFoundError extends AppError {
  constructor() {
    super('ERR_SESSION_NOT_FOUND', 404, 'No such session');
  }
}

/** The step does not fit the session's state (card already accepted, no card yet, purchase done, not served): 409. */
export class SessionStateError extends AppError {
  constructor(message: string) {
    super('ERR_SESSION_STATE', 409, message);
  }
}

/** No such request in this session: 404. */
export class RequestNotFoundError extends AppError {
  constructor() {
    super('ERR_REQUEST_NOT_FOUND', 404, 'No such request');
  }
}

/** Step 5 for a document already served, expired or closed (then `outcome` names how): 410. */
export class ConsumedError extends AppError {
  constructor(why: string, outcome?: string) {
    super('ERR_CONSUMED', 410, `The document was ${why}`, outcome === undefined ? {} : { extras: { outcome } });
  }
}

/** Step 4 with `copies` outside 1..5: 422. */
export class CopiesError extends AppError {
  constructor() {
    super('ERR_COPIES', 422, 'copies must be 1 to 5');
  }
}

/** Step 6 `printed` with a contentDigest other than the served document's: 422. */
export class DigestMismatchError extends AppError {
  constructor() {
    super('ERR_DIGEST_MISMATCH', 422, 'contentDigest does not match the served document');
  }
}

/**
 * Step 6 `printed` with `paid` below the fee: 422 ERR_BAD_REQUEST. A documented exception to one
 * status per code: kiosks have seen exactly this since v1 (a malformed body is 400).
 */
export class PaidBelowFeeError extends AppError {
  constructor() {
    super('ERR_BAD_REQUEST', 422, 'paid is less than the fee');
  }
}

/** The relay is at its work limit: 503 with Retry-After; nothing of the session was consumed. */
export class BusyError extends AppError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('ERR_BUSY', 503, message, { expose: true, extras: { retryAfter: retryAfterS } });
  }
}

/** VRS answered outside the LGWAN contract (or a record that does not match the request): 502. */
export class UpstreamError extends AppError {
  constructor(message: string) {
    super('ERR_UPSTREAM', 502, message);
  }
}

/**
 * VRS or the session store cannot be reached, or VRS answered 503: 503 ERR_UPSTREAM, try again
 * shortly. The documented second status of ERR_UPSTREAM (502 is {@link UpstreamError}).
 */
export class UpstreamUnavailableError extends AppError {
  constructor(message: string) {
    super('ERR_UPSTREAM', 503, message);
  }
}

/** VRS did not answer in time: 504. */
export class UpstreamTimeoutError extends AppError {
  constructor() {
    super('ERR_UPSTREAM_TIMEOUT', 504, 'VRS did not answer in time');
  }
}
