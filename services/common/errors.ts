import type { ErrorRequestHandler, RequestHandler } from 'express';
import { reportError } from './error-report.js';

/**
 * Every stable error code any service answers with, as a runtime list (the table test
 * `tests/unit/common/error-codes.test.ts` checks each has one status and one class). Add, never
 * rename.
 */
export const ERROR_CODES = [
  'ERR_BAD_REQUEST',
  'ERR_BODY_TOO_LARGE',
  'ERR_NOT_FOUND',
  'ERR_KIOSK',
  'ERR_CLIENT_CERT',
  'ERR_SERVICE_CLOSED',
  'ERR_SESSION_NOT_FOUND',
  'ERR_SESSION_STATE',
  'ERR_REQUEST_NOT_FOUND',
  'ERR_CONSUMED',
  'ERR_CARD_FORMAT',
  'ERR_CARD_SIGNATURE',
  'ERR_CARD_CHAIN',
  'ERR_CARD_CHALLENGE',
  'ERR_CARD_SUSPENDED',
  'ERR_NO_RECORDS',
  'ERR_MUNICIPALITY_UNAVAILABLE',
  'ERR_NO_PASSPORT_ON_FILE',
  'ERR_NOT_ISSUABLE',
  'ERR_COPIES',
  'ERR_DIGEST_MISMATCH',
  'ERR_UPSTREAM',
  'ERR_UPSTREAM_TIMEOUT',
  /** The relay is at its work limit: 503 with Retry-After; nothing of the session was consumed. */
  'ERR_BUSY',
  /** Step 4 while a served request of the session is still open (complete it first). */
  'ERR_REQUEST_OPEN',
  /** Step 4 beyond the per-session request limit. */
  'ERR_REQUEST_LIMIT',
  /** Step 6 with another body than the completion the books already hold. */
  'ERR_COMPLETION_CONFLICT',
  /** VRS: a release of an issued reservation, or a completion of a released one. */
  'ERR_RESERVATION_STATE',
  'ERR_CSV',
  'ERR_UNAUTHENTICATED',
  'ERR_LOGIN',
  'ERR_LOGIN_CODE',
  'ERR_LOGIN_LOCKED',
  'ERR_LOGIN_EXPIRED',
  /** Portal: too many one-time codes requested for one account: 429 with Retry-After (was ERR_LOGIN_LOCKED 429). */
  'ERR_LOGIN_CODE_LIMIT',
  /** Too many attempts for an account or a client: 429 with Retry-After; not a lock, it runs out by itself. */
  'ERR_LOGIN_THROTTLED',
  /** The Host header is not one of the kiosk simulator's own names (DNS rebinding defence): 421. */
  'ERR_HOST_NOT_ALLOWED',
  /** A kiosk path on another kiosk's origin: 421. */
  'ERR_KIOSK_ORIGIN',
  /** A state-changing call from another site: 403. */
  'ERR_CROSS_SITE',
  /** A kiosk call without its page token: 403. */
  'ERR_KIOSK_TOKEN',
  /** Kiosk simulator: the maintenance screen has no password configured: 503. */
  'ERR_MAINTENANCE_DISABLED',
  /** Kiosk simulator: a screen action the kiosk cannot take in its present state: 409. */
  'ERR_KIOSK_STEP',
  'ERR_CSRF',
  'ERR_FORBIDDEN',
  'ERR_STAFF_LIMIT',
  'ERR_STAFF_EXISTS',
  /** Portal: a staff invitation link that is unknown, used, withdrawn or expired: 404. */
  'ERR_INVITATION_INVALID',
  'ERR_UNSUPPORTED_MEDIA_TYPE',
  'ERR_CERTIFICATE_DATA',
  'ERR_VERIFY',
  'ERR_INTERNAL',
] as const;

/** A stable error code (`ERR_…`) of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Base of every coded domain error. `expose` says whether `detail` may be shown to the client;
 * details never carry personal data either way. The constructor is protected: each failure has its
 * own subclass that fixes code and status (STYLE.md rule 11), so building the base directly does not compile.
 */
export abstract class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** Extra machine-readable fields for the problem document (never personal data). */
  readonly extras: Record<string, unknown> | undefined;

  protected constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: { expose?: boolean; extras?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.extras = options.extras;
  }
}

/** One rule a field of a request broke: the field's dotted path (`(body)` for the whole body) and the rule. */
export interface FieldIssue {
  field: string;
  rule: string;
}

/**
 * A request that does not have the shape its route takes: 400. With `issues`, the problem carries
 * `fields` (the distinct field paths) and `issues` (`[{ field, rule }]`), never a value.
 */
export class BadRequestError extends AppError {
  constructor(message: string, issues?: readonly FieldIssue[]) {
    super('ERR_BAD_REQUEST', 400, message, issues ? { extras: { fields: [...new Set(issues.map((i) => i.field))], issues } } : {});
  }
}

/** No such thing (route, staff account, reservation, municipality): 404. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('ERR_NOT_FOUND', 404, message);
  }
}

/** The body is over the route's limit: 413. */
export class BodyTooLargeError extends AppError {
  constructor() {
    super('ERR_BODY_TOO_LARGE', 413, 'Request body too large');
  }
}

/** An authenticated caller that may not do this: 403. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('ERR_FORBIDDEN', 403, message);
  }
}

/** A failure of our own (a collision, a stopped worker): 500; the detail is never shown. */
export class InternalError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('ERR_INTERNAL', 500, message, { cause });
  }
}

/** The relay's kiosk protocol: no accepted kiosk client certificate: 403. */
export class KioskCertificateError extends AppError {
  constructor() {
    super('ERR_KIOSK', 403, 'Client certificate not accepted');
  }
}

/** The VRS LGWAN API: no accepted client certificate (only the relay's is): 403. */
export class ClientCertificateError extends AppError {
  constructor() {
    super('ERR_CLIENT_CERT', 403, 'Client certificate not accepted');
  }
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** RFC 9457 problem document. */
export interface Problem {
  type: string;
  code: ErrorCode;
  status: number;
  title: string;
  detail: string;
  instance: string;
  [extra: string]: unknown;
}

export function toProblem(err: unknown, instance: string): Problem {
  if (err instanceof AppError) {
    return {
      type: `urn:problem:${err.code}`,
      ...(err.extras ?? {}),
      code: err.code,
      status: err.status,
      title: TITLES[err.status] ?? 'Error',
      detail: err.expose ? err.message : (TITLES[err.status] ?? 'Error'),
      instance,
    };
  }
  const status = httpStatusOf(err);
  if (status === 413) return toProblem(new BodyTooLargeError(), instance);
  // body-parser errors (malformed JSON, wrong charset) carry a status; their messages may echo input, so use a fixed text.
  if (status !== undefined && status >= 400 && status < 500) return toProblem(new BadRequestError('Malformed request body'), instance);
  return { ...toProblem(new InternalError('Internal error'), instance), detail: 'Internal error' };
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null) {
    const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof s === 'number') return s;
  }
  return undefined;
}

/** Minimal logger surface the middleware needs (pino fits). */
export interface ErrorLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The one express error middleware: writes problem+json; logs codes, never bodies. */
export function problemHandler(log: ErrorLogger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const instance = String((req as { id?: unknown }).id ?? '');
    const problem = toProblem(err, instance);
    if (problem.status >= 500) {
      // Class and frames always; the message only when it is our own fixed text, else its fingerprint.
      log.error({ reqId: instance, code: problem.code, err: reportError(err) }, 'request failed');
    } else {
      log.warn({ reqId: instance, code: problem.code, status: problem.status }, 'request refused');
    }
    if (problem.status === 429 || problem.status === 503) {
      if (typeof problem.retryAfter === 'number' && !res.getHeader('retry-after')) res.setHeader('retry-after', String(problem.retryAfter));
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  };
}

/** 404 for unknown routes, as problem+json. */
export const notFoundRoute: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('No such route'));
};
