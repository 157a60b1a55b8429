import { z } from 'zod';
import type { AppError } from '../../common/errors.js';
import { MunicipalityUnavailableError, NoPassportOnFileError, NoRecordsError, NotIssuableError } from '../../common/record-errors.js';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../relay-errors.js';
import {
  certificateRecordSchema, completionAckSchema, issuanceQueryAnswerSchema, lookupResponseSchema, releaseAckSchema,
  type CertificateKind, type CertificateRecord, type CompletionAck, type CompletionNotice, type IssuanceQuery, type IssuanceQueryAnswer,
  type LookupResponse, type ReleaseAck, type ReleaseNotice,
} from '../../common/lgwan-contract.js';
import { MtlsCallError } from '../../common/mtls-call-error.js';
import { MtlsJsonClient } from '../../common/mtls-json-client.js';

/** The relay's view of VRS over LGWAN (services/common/lgwan-contract.ts). */
export interface VrsClient {
  lookup(myNumber: string): Promise<LookupResponse>;
  certificate(request: { myNumber: string; municipality: string; kind: CertificateKind }): Promise<CertificateRecord>;
  completion(notice: CompletionNotice): Promise<CompletionAck>;
  /** Releases a reservation that was not printed. */
  release(notice: ReleaseNotice): Promise<ReleaseAck>;
  /** Every municipality's reservations of a period (reconciliation). */
  issuances(query: IssuanceQuery): Promise<IssuanceQueryAnswer>;
}

/** VRS problem codes passed on to the kiosk unchanged. */
const PASSED_ON: ReadonlyMap<string, () => AppError> = new Map<string, () => AppError>([
  ['ERR_NO_RECORDS', () => new NoRecordsError()],
  ['ERR_MUNICIPALITY_UNAVAILABLE', () => new MunicipalityUnavailableError()],
  ['ERR_NO_PASSPORT_ON_FILE', () => new NoPassportOnFileError()],
  ['ERR_NOT_ISSUABLE', () => new NotIssuableError()],
]);

export interface HttpVrsClientOptions {
  /** e.g. https://localhost:9443 */
  baseUrl: string;
  /** Client certificate and key (the relay's LGWAN certificate) and the CA of VRS's server certificate. */
  tls: { cert: string; key: string; ca: string | string[] };
  /**
   * How long VRS may take: for the answer's headers from the moment the request is written on a
   * ready socket, again for the body, and for getting a connected socket. Time the relay's own
   * event loop is busy when the answer is already there does not count.
   */
  timeoutMs: number;
}

/**
 * VRS client over mutual TLS, on the project's one mTLS JSON client (services/common). VRS not
 * answering within `timeoutMs` (of its own time, see AnswerDeadline) aborts the call with 504
 * ERR_UPSTREAM_TIMEOUT; VRS unreachable is 503 ERR_UPSTREAM; any other unexpected answer is 502 ERR_UPSTREAM. Answers are
 * validated with the contract's schemas. Bodies (which carry My Number) are never logged.
 */
export function createVrsClient(options: HttpVrsClientOptions): VrsClient & { close(): void } {
  const http = new MtlsJsonClient({ baseUrl: options.baseUrl, tls: options.tls, timeoutMs: options.timeoutMs, pool: { keepAlive: true, maxSockets: 128 } });

  /** One POST; the timeout counts VRS's time, not the relay's (see AnswerDeadline). */
  async function expect<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    try {
      return await http.json('POST', path, { body, headers: { accept: 'application/json' }, parse: (json) => schema.parse(json) });
    } catch (e) {
      throw upstreamError(e);
    }
  }

  return {
    lookup: (myNumber) => expect('/lgwan/v1/holders/lookup', { myNumber }, lookupResponseSchema),
    certificate: (r) => expect('/lgwan/v1/certificates', { myNumber: r.myNumber, municipality: r.municipality, kind: r.kind, channel: 'kiosk' }, certificateRecordSchema),
    completion: (notice) => expect('/lgwan/v1/completions', notice, completionAckSchema),
    release: (notice) => expect('/lgwan/v1/releases', notice, releaseAckSchema),
    issuances: (query) => expect('/lgwan/v1/issuances/query', query, issuanceQueryAnswerSchema),
    close: () => http.close(),
  };
}

/** The relay's error for a failed VRS call: VRS's own refusals about the records pass on, anything else is VRS's fault. */
function upstreamError(e: unknown): AppError {
  if (!(e instanceof MtlsCallError)) return new UpstreamError('VRS answered outside the contract');
  switch (e.failure) {
    case 'timeout': return new UpstreamTimeoutError();
    case 'unreachable': return new UpstreamUnavailableError('VRS is unreachable');
    case 'refused': {
      const passedOn = e.code === undefined ? undefined : PASSED_ON.get(e.code);
      if (passedOn) return passedOn();
      return e.status === 503 ? new UpstreamUnavailableError(`VRS answered ${e.status}`) : new UpstreamError(`VRS answered ${e.status}`);
    }
    default: return new UpstreamError('VRS answered outside the contract');
  }
}
