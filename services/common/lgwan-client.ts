import type { z } from 'zod';
import {
  certificateRecordSchema,
  completionAckSchema,
  issuanceQueryAnswerSchema,
  lookupResponseSchema,
  releaseAckSchema,
  type CertificateKind,
  type CertificateRecord,
  type CompletionAck,
  type CompletionNotice,
  type IssuanceQuery,
  type IssuanceQueryAnswer,
  type LookupResponse,
  type ReleaseAck,
  type ReleaseNotice,
} from './lgwan-contract.js';
import { MtlsJsonClient, type ClientPoolOptions, type ClientTls } from './mtls-json-client.js';

export interface LgwanClientOptions {
  /** VRS's LGWAN API, e.g. `https://localhost:9443`. */
  baseUrl: string;
  /** The caller's LGWAN client certificate and key, and the CA of VRS's server certificate. */
  tls: ClientTls;
  /** Per phase of a call: VRS's own time, not the caller's (see MtlsJsonClient). */
  timeoutMs: number;
  pool?: ClientPoolOptions;
}

/**
 * The LGWAN contract (`lgwan-contract.ts`) as typed calls, one per endpoint, over the mTLS JSON
 * client. Answers are checked against the contract's schemas. A refusal, a timeout or an answer
 * outside the contract rejects with the client's `MtlsCallError`; what it means for the caller
 * (the relay passes VRS's record refusals on to kiosks) is the caller's. Bodies, which carry My
 * Number, are never part of an error.
 */
export class LgwanClient {
  readonly #http: MtlsJsonClient;

  constructor(options: LgwanClientOptions) {
    this.#http = new MtlsJsonClient({
      baseUrl: options.baseUrl,
      tls: options.tls,
      timeoutMs: options.timeoutMs,
      ...(options.pool ? { pool: options.pool } : {}),
    });
  }

  /** `POST /lgwan/v1/holders/lookup`: the municipalities holding records for a My Number. */
  lookup(myNumber: string): Promise<LookupResponse> {
    return this.#post('/lgwan/v1/holders/lookup', { myNumber }, lookupResponseSchema);
  }

  /** `POST /lgwan/v1/certificates`: reserves a certificate ID and answers the record (kiosk channel). */
  certificate(request: { myNumber: string; municipality: string; kind: CertificateKind }): Promise<CertificateRecord> {
    return this.#post('/lgwan/v1/certificates', { ...request, channel: 'kiosk' }, certificateRecordSchema);
  }

  /** `POST /lgwan/v1/completions`: a printed certificate (idempotent). */
  completion(notice: CompletionNotice): Promise<CompletionAck> {
    return this.#post('/lgwan/v1/completions', notice, completionAckSchema);
  }

  /** `POST /lgwan/v1/releases`: a reservation that was not printed (idempotent). */
  release(notice: ReleaseNotice): Promise<ReleaseAck> {
    return this.#post('/lgwan/v1/releases', notice, releaseAckSchema);
  }

  /** `POST /lgwan/v1/issuances/query`: every municipality's reservations of a period (reconciliation). */
  issuances(query: IssuanceQuery): Promise<IssuanceQueryAnswer> {
    return this.#post('/lgwan/v1/issuances/query', query, issuanceQueryAnswerSchema);
  }

  close(): void {
    this.#http.close();
  }

  #post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    return this.#http.json('POST', path, { body, headers: { accept: 'application/json' }, parse: (json) => schema.parse(json) });
  }
}
