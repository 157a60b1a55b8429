import type { AppError } from '../../common/errors.js';
import { MunicipalityUnavailableError, NoPassportOnFileError, NoRecordsError, NotIssuableError } from '../../common/record-errors.js';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../relay-errors.js';
import { LgwanClient } from '../../common/lgwan-client.js';
import type {
  CertificateKind,
  CertificateRecord,
  CompletionAck,
  CompletionNotice,
  IssuanceQuery,
  IssuanceQueryAnswer,
  LookupResponse,
  ReleaseAck,
  ReleaseNotice,
} from '../../common/lgwan-contract.js';
import { MtlsCallError } from '../../common/mtls-call-error.js';

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
  const lgwan = new LgwanClient({ baseUrl: options.baseUrl, tls: options.tls, timeoutMs: options.timeoutMs, pool: { keepAlive: true, maxSockets: 128 } });
  /** The relay's error for whatever went wrong: VRS's record refusals pass on, anything else is VRS's fault. */
  const mapped = <T>(call: Promise<T>): Promise<T> =>
    call.catch((e: unknown) => {
      throw upstreamError(e);
    });
  return {
    lookup: (myNumber) => mapped(lgwan.lookup(myNumber)),
    certificate: (r) => mapped(lgwan.certificate({ myNumber: r.myNumber, municipality: r.municipality, kind: r.kind })),
    completion: (notice) => mapped(lgwan.completion(notice)),
    release: (notice) => mapped(lgwan.release(notice)),
    issuances: (query) => mapped(lgwan.issuances(query)),
    close: () => lgwan.close(),
  };
}

/** The relay's error for a failed VRS call: VRS's own refusals about the records pass on, anything else is VRS's fault. */
function upstreamError(e: unknown): AppError {
  if (!(e instanceof MtlsCallError)) return new UpstreamError('VRS answered outside the contract');
  switch (e.failure) {
    case 'timeout':
      return new UpstreamTimeoutError();
    case 'unreachable':
      return new UpstreamUnavailableError('VRS is unreachable');
    case 'refused': {
      const passedOn = e.code === undefined ? undefined : PASSED_ON.get(e.code);
      if (passedOn) return passedOn();
      return e.status === 503 ? new UpstreamUnavailableError(`VRS answered ${e.status}`) : new UpstreamError(`VRS answered ${e.status}`);
    }
    default:
      return new UpstreamError('VRS answered outside the contract');
  }
}
