/**
 * STYLE.md rule 11: each ERR_… code has one HTTP status and one class that builds it. This table
 * lists every code of the union; it fails when a code is added without an entry, when a class
 * answers another status than its entry, and when a class deriving from AppError is missing here.
 * Two kiosk-protocol codes keep the two statuses kiosks have always seen (PROTOCOL.md: the wire
 * changes only by adding); they are the documented exceptions below and nothing else may join them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CardChainError,
  CardChallengeError,
  CardFormatError,
  CardSignatureError,
  CardStatusError,
  CardSuspendedError,
} from '../../../services/card/card-errors.js';
import { CertificateDataError, VerifyError } from '../../../services/certificate/errors.js';
import { CsrfError, LoginAttemptsThrottledError, LoginError, UnauthenticatedError } from '../../../services/common/auth-errors.js';
import {
  AppError,
  BadRequestError,
  BodyTooLargeError,
  ClientCertificateError,
  ERROR_CODES,
  ForbiddenError,
  InternalError,
  KioskCertificateError,
  NotFoundError,
  toProblem,
  type ErrorCode,
} from '../../../services/common/errors.js';
import { MunicipalityUnavailableError, NoPassportOnFileError, NoRecordsError, NotIssuableError } from '../../../services/common/record-errors.js';
import { CompletionConflictError } from '../../../services/relay/completion/completion-route.js';
import {
  BusyError,
  ConsumedError,
  CopiesError,
  DigestMismatchError,
  PaidBelowFeeError,
  RequestNotFoundError,
  ServiceClosedError,
  SessionNotFoundError,
  SessionStateError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../../../services/relay/relay-errors.js';
import { RequestLimitError, RequestOpenError } from '../../../services/relay/requests/requests-route.js';
import { ReservationStateError } from '../../../services/vrs/records/release.js';
import {
  CsvRejectedError,
  InvitationInvalidError,
  LoginCodeError,
  LoginCodeLimitError,
  LoginExpiredError,
  LoginLockedError,
  StaffExistsError,
  StaffLimitError,
  UnsupportedMediaTypeError,
} from '../../../services/vrs/portal/errors.js';
import {
  CrossSiteRequestError,
  HostNotAllowedError,
  KioskOriginError,
  KioskStepError,
  KioskTokenError,
  MaintenanceDisabledError,
} from '../../../kiosk-sim/kiosk-errors.js';

type ErrorClass = abstract new (...args: any[]) => AppError;

interface Entry {
  status: number;
  /** The one class that builds the code (with this status). */
  cls: ErrorClass;
  /** An instance, to check code and status as built. */
  make: () => AppError;
  /** Narrower classes of `cls` (same code and status). */
  refinements?: ErrorClass[];
}

/** Why a code may have two entries: only kiosk-protocol codes kiosks already see with both statuses. */
const DOCUMENTED_EXCEPTIONS: Partial<Record<ErrorCode, string>> = {
  ERR_BAD_REQUEST: 'kiosk protocol v1: 400 for a malformed body, 422 for paid below the fee at step 6',
  ERR_UPSTREAM: 'kiosk protocol v1: 502 when VRS answers outside the contract, 503 when VRS or the session store cannot be reached',
};

const TABLE: Record<ErrorCode, Entry[]> = {
  ERR_BAD_REQUEST: [
    { status: 400, cls: BadRequestError, make: () => new BadRequestError('Invalid request body: x', [{ field: 'x', rule: 'invalid_type' }]) },
    { status: 422, cls: PaidBelowFeeError, make: () => new PaidBelowFeeError() },
  ],
  ERR_BODY_TOO_LARGE: [{ status: 413, cls: BodyTooLargeError, make: () => new BodyTooLargeError() }],
  ERR_NOT_FOUND: [{ status: 404, cls: NotFoundError, make: () => new NotFoundError('No such route') }],
  ERR_KIOSK: [{ status: 403, cls: KioskCertificateError, make: () => new KioskCertificateError() }],
  ERR_CLIENT_CERT: [{ status: 403, cls: ClientCertificateError, make: () => new ClientCertificateError() }],
  ERR_SERVICE_CLOSED: [{ status: 503, cls: ServiceClosedError, make: () => new ServiceClosedError('06:30-23:00') }],
  ERR_SESSION_NOT_FOUND: [{ status: 404, cls: SessionNotFoundError, make: () => new SessionNotFoundError() }],
  ERR_SESSION_STATE: [{ status: 409, cls: SessionStateError, make: () => new SessionStateError('No accepted card in this session') }],
  ERR_REQUEST_NOT_FOUND: [{ status: 404, cls: RequestNotFoundError, make: () => new RequestNotFoundError() }],
  ERR_CONSUMED: [{ status: 410, cls: ConsumedError, make: () => new ConsumedError('already served') }],
  ERR_CARD_FORMAT: [{ status: 422, cls: CardFormatError, make: () => new CardFormatError('card data is malformed'), refinements: [CardStatusError] }],
  ERR_CARD_SIGNATURE: [{ status: 422, cls: CardSignatureError, make: () => new CardSignatureError('H1 does not match') }],
  ERR_CARD_CHAIN: [{ status: 422, cls: CardChainError, make: () => new CardChainError('unknown card issuer') }],
  ERR_CARD_CHALLENGE: [{ status: 422, cls: CardChallengeError, make: () => new CardChallengeError('challenge signature is not valid') }],
  ERR_CARD_SUSPENDED: [{ status: 422, cls: CardSuspendedError, make: () => new CardSuspendedError() }],
  ERR_NO_RECORDS: [{ status: 404, cls: NoRecordsError, make: () => new NoRecordsError() }],
  ERR_MUNICIPALITY_UNAVAILABLE: [{ status: 422, cls: MunicipalityUnavailableError, make: () => new MunicipalityUnavailableError(undefined, 'suspended') }],
  ERR_NO_PASSPORT_ON_FILE: [{ status: 422, cls: NoPassportOnFileError, make: () => new NoPassportOnFileError() }],
  ERR_NOT_ISSUABLE: [{ status: 422, cls: NotIssuableError, make: () => new NotIssuableError() }],
  ERR_COPIES: [{ status: 422, cls: CopiesError, make: () => new CopiesError() }],
  ERR_DIGEST_MISMATCH: [{ status: 422, cls: DigestMismatchError, make: () => new DigestMismatchError() }],
  ERR_UPSTREAM: [
    { status: 502, cls: UpstreamError, make: () => new UpstreamError('VRS answered outside the contract') },
    { status: 503, cls: UpstreamUnavailableError, make: () => new UpstreamUnavailableError('VRS is unreachable') },
  ],
  ERR_UPSTREAM_TIMEOUT: [{ status: 504, cls: UpstreamTimeoutError, make: () => new UpstreamTimeoutError() }],
  ERR_BUSY: [{ status: 503, cls: BusyError, make: () => new BusyError('The relay is busy', 2) }],
  ERR_REQUEST_OPEN: [{ status: 409, cls: RequestOpenError, make: () => new RequestOpenError() }],
  ERR_REQUEST_LIMIT: [{ status: 429, cls: RequestLimitError, make: () => new RequestLimitError(10) }],
  ERR_COMPLETION_CONFLICT: [
    {
      status: 409,
      cls: CompletionConflictError,
      make: () =>
        new CompletionConflictError({
          status: 'printed',
          closed: { fingerprint: 'f', receipt: { copies: 1, fee: 120, paid: 120, change: 0, issuedAt: '2030-01-01T00:00:00Z', kioskId: 'K', storeId: 'S' } },
        } as never),
    },
  ],
  ERR_RESERVATION_STATE: [
    { status: 409, cls: ReservationStateError, make: () => new ReservationStateError('The certificate was issued: it cannot be released') },
  ],
  ERR_CSV: [{ status: 422, cls: CsvRejectedError, make: () => new CsvRejectedError({ kind: 'residents', ok: false, errors: [] }) }],
  ERR_UNAUTHENTICATED: [{ status: 401, cls: UnauthenticatedError, make: () => new UnauthenticatedError() }],
  ERR_LOGIN: [{ status: 401, cls: LoginError, make: () => new LoginError() }],
  ERR_LOGIN_CODE: [{ status: 401, cls: LoginCodeError, make: () => new LoginCodeError(3) }],
  ERR_LOGIN_LOCKED: [{ status: 401, cls: LoginLockedError, make: () => new LoginLockedError() }],
  ERR_LOGIN_EXPIRED: [{ status: 401, cls: LoginExpiredError, make: () => new LoginExpiredError() }],
  ERR_LOGIN_CODE_LIMIT: [{ status: 429, cls: LoginCodeLimitError, make: () => new LoginCodeLimitError(600) }],
  ERR_LOGIN_THROTTLED: [{ status: 429, cls: LoginAttemptsThrottledError, make: () => new LoginAttemptsThrottledError(30) }],
  ERR_HOST_NOT_ALLOWED: [{ status: 421, cls: HostNotAllowedError, make: () => new HostNotAllowedError() }],
  ERR_KIOSK_ORIGIN: [{ status: 421, cls: KioskOriginError, make: () => new KioskOriginError() }],
  ERR_CROSS_SITE: [{ status: 403, cls: CrossSiteRequestError, make: () => new CrossSiteRequestError() }],
  ERR_KIOSK_TOKEN: [{ status: 403, cls: KioskTokenError, make: () => new KioskTokenError() }],
  ERR_MAINTENANCE_DISABLED: [{ status: 503, cls: MaintenanceDisabledError, make: () => new MaintenanceDisabledError() }],
  ERR_KIOSK_STEP: [{ status: 409, cls: KioskStepError, make: () => new KioskStepError('not possible on the home screen', 'ERR_STEP') }],
  ERR_CSRF: [{ status: 403, cls: CsrfError, make: () => new CsrfError() }],
  ERR_FORBIDDEN: [{ status: 403, cls: ForbiddenError, make: () => new ForbiddenError('Staff cannot disable their own account') }],
  ERR_STAFF_LIMIT: [{ status: 409, cls: StaffLimitError, make: () => new StaffLimitError(20) }],
  ERR_STAFF_EXISTS: [{ status: 409, cls: StaffExistsError, make: () => new StaffExistsError() }],
  ERR_INVITATION_INVALID: [{ status: 404, cls: InvitationInvalidError, make: () => new InvitationInvalidError() }],
  ERR_UNSUPPORTED_MEDIA_TYPE: [{ status: 415, cls: UnsupportedMediaTypeError, make: () => new UnsupportedMediaTypeError(['text/csv']) }],
  ERR_CERTIFICATE_DATA: [{ status: 422, cls: CertificateDataError, make: () => new CertificateDataError('passport', 'No passport data') }],
  ERR_VERIFY: [{ status: 422, cls: VerifyError, make: () => new VerifyError('signature', 'The signature does not verify') }],
  ERR_INTERNAL: [{ status: 500, cls: InternalError, make: () => new InternalError('session identifier collision') }],
};

const ROOT = join(import.meta.dirname, '../../..');

/** Every .ts file under the source folders (not tests, not node_modules). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}
const SOURCES = ['services', 'kiosk-sim'].flatMap((d) => sourceFiles(join(ROOT, d)));

describe('error codes: one code, one status, one class', () => {
  it('has an entry for every code of the union, and no entry for a code outside it', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...ERROR_CODES].sort());
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('gives each code one status and one class, but for the documented kiosk-protocol exceptions', () => {
    for (const code of ERROR_CODES) {
      const entries = TABLE[code];
      expect(entries.length, code).toBeGreaterThanOrEqual(1);
      if (entries.length > 1) {
        expect(DOCUMENTED_EXCEPTIONS[code], `${code} has ${entries.length} statuses without a documented reason`).toBeDefined();
        expect(new Set(entries.map((e) => e.status)).size, `${code}: each class of an exception has its own status`).toBe(entries.length);
      }
    }
    for (const code of Object.keys(DOCUMENTED_EXCEPTIONS) as ErrorCode[]) expect(TABLE[code].length, code).toBe(2);
  });

  it('builds each class with the code and status of its entry, as problem+json', () => {
    for (const code of ERROR_CODES) {
      for (const e of TABLE[code]) {
        const err = e.make();
        expect(err, code).toBeInstanceOf(e.cls);
        expect(err.constructor, `${code}: make() builds ${e.cls.name} itself`).toBe(e.cls);
        expect([err.code, err.status], e.cls.name).toEqual([code, e.status]);
        const p = toProblem(err, 'req-1');
        expect(p, e.cls.name).toMatchObject({ type: `urn:problem:${code}`, code, status: e.status, instance: 'req-1' });
        expect(typeof p.title).toBe('string');
        expect(typeof p.detail).toBe('string');
      }
    }
    const status = new CardStatusError('READ BINARY', 0x6982);
    expect(status).toBeInstanceOf(CardFormatError);
    expect([status.code, status.status]).toEqual(['ERR_CARD_FORMAT', 422]);
  });

  it('lists every class that derives from AppError in the source, and each once', () => {
    const listed = new Map<string, ErrorCode>();
    for (const code of ERROR_CODES) {
      for (const e of TABLE[code]) {
        for (const cls of [e.cls, ...(e.refinements ?? [])]) {
          expect(listed.has(cls.name), `${cls.name} is listed twice`).toBe(false);
          listed.set(cls.name, code);
        }
      }
    }
    const declared: string[] = [];
    for (const file of SOURCES) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/class\s+(\w+)\s+extends\s+(\w+)/g)) {
        if (m[2] === 'AppError' || listed.has(m[2]!)) declared.push(`${m[1]} (${relative(ROOT, file)})`);
      }
    }
    const unlisted = declared.filter((d) => !listed.has(d.split(' ')[0]!));
    expect(unlisted, 'classes deriving from AppError without an entry in this table').toEqual([]);
    expect(declared.length).toBe(listed.size);
  });

  it('finds no error built inline: every `new AppError(` is gone from the source', () => {
    const inline = SOURCES.filter((f) => /new AppError\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(inline).toEqual([]);
  });
});
