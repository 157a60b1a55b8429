/**
 * The kiosk simulator's own front-door errors: one subclass per failure, each answered as RFC 9457
 * problem+json with a code of the common `ErrorCode` union. Fixed texts only, never request values.
 * The maintenance login shares the portal's login classes (services/common/auth-errors.ts).
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

/** The maintenance screen has no password configured (KIOSK_MAINTENANCE_PASSWORD unset): nothing there can be used. 503. */
export class MaintenanceDisabledError extends AppError {
  constructor() {
    super('ERR_MAINTENANCE_DISABLED', 503, 'Maintenance is disabled: no maintenance password is configured');
  }
}

/**
 * A screen action the kiosk cannot take now (wrong screen, out of service, not paid, a bad PIN
 * format): 409. `reason` is the flow's own code (`ERR_STEP`, `ERR_NOT_PAID`, …), the one the error
 * screen shows; the page reloads its state after it, so no screen state travels in the problem.
 */
export class KioskStepError extends AppError {
  constructor(message: string, reason: string) {
    super('ERR_KIOSK_STEP', 409, message, { extras: { reason } });
  }
}
