/**
 * The kiosk simulator's own front-door errors: one subclass per failure, each answered as RFC 9457
 * problem+json with a code of the common `ErrorCode` union. Fixed texts only, never request values.
 */
import { AppError } from '../services/common/errors.js';

/** The Host header names no host of the simulator (DNS rebinding, a foreign name): 421. */
export class HostNotAllowedError extends AppError {
  constructor() {
    super('ERR_HOST_NOT_ALLOWED', 421, 'This host name is not served here');
  }
}

/** A kiosk's path asked on another kiosk's (or the shared) origin, or a non-kiosk path on a kiosk origin: 421. */
export class KioskOriginError extends AppError {
  constructor() {
    super('ERR_KIOSK_ORIGIN', 421, 'A kiosk is served only on its own origin');
  }
}

/** A state-changing call from another site (Sec-Fetch-Site or Origin not this origin): 403. */
export class CrossSiteRequestError extends AppError {
  constructor() {
    super('ERR_CROSS_SITE', 403, 'State-changing calls must come from the kiosk page itself');
  }
}

/** A state-changing call without the token its kiosk page was served with: 403. */
export class KioskTokenError extends AppError {
  constructor() {
    super('ERR_KIOSK_TOKEN', 403, 'Missing or unknown kiosk page token');
  }
}

/** Too many wrong maintenance passwords from this browser or for the account: 429 with Retry-After. */
export class MaintenanceThrottledError extends AppError {
  constructor(readonly retryAfterS: number) {
    super('ERR_LOGIN_THROTTLED', 429, 'Too many attempts; try again later', { extras: { retryAfter: retryAfterS } });
  }
}
