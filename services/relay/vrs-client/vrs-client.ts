import https from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { z } from 'zod';
import type { AppError } from '../../common/errors.js';
import { MunicipalityUnavailableError, NoPassportOnFileError, NoRecordsError, NotIssuableError } from '../../common/record-errors.js';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../relay-errors.js';
import {
  certificateRecordSchema, completionAckSchema, issuanceQueryAnswerSchema, lookupResponseSchema, releaseAckSchema,
  type CertificateKind, type CertificateRecord, type CompletionAck, type CompletionNotice, type IssuanceQuery, type IssuanceQueryAnswer,
  type LookupResponse, type ReleaseAck, type ReleaseNotice,
} from '../../common/lgwan-contract.js';
import { AnswerDeadline } from './answer-deadline.js';

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

const problemSchema = z.object({ code: z.string(), status: z.number().optional() }).loose();

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
 * VRS client over mutual TLS. VRS not answering within `timeoutMs` (of its own time, see `call`)
 * aborts the call with 504 ERR_UPSTREAM_TIMEOUT; VRS
 * unreachable is 503 ERR_UPSTREAM; any other unexpected answer is 502 ERR_UPSTREAM. Answers are
 * validated with the contract's schemas. Bodies (which carry My Number) are never logged.
 */
export function createVrsClient(options: HttpVrsClientOptions): VrsClient & { close(): void } {
  // One TLS context for every connection: given cert/key/ca, each new socket would parse them again.
  const secureContext = createSecureContext({ cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca });
  const agent = new https.Agent({ secureContext, keepAlive: true, maxSockets: 128 });
  const base = options.baseUrl.replace(/\/$/, '');

  /**
   * One POST. The timeout counts VRS's time, not the relay's: see {@link AnswerDeadline}. It runs
   * from the moment the request is on a ready socket (a reused keep-alive socket at once; a new
   * one once its TLS handshake is done) until the answer's headers, then again for the body;
   * getting a socket and connecting is bounded by the same duration.
   */
  function call(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        deadline.clear();
        fn();
      };
      const fail = (err: AppError) => settle(() => {
        reject(err);
        req.destroy();
      });
      const deadline = new AnswerDeadline(options.timeoutMs, () => fail(new UpstreamTimeoutError()));
      const req = https.request(`${base}${path}`, {
        method: 'POST', agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json' },
      }, (res) => {
        deadline.arm('body');
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(upstreamError(e)));
        res.on('aborted', () => fail(upstreamError(new Error('aborted'))));
        res.on('end', () => settle(() => {
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json });
        }));
      });
      deadline.arm('connect');
      req.on('socket', (socket) => {
        const tls = socket as TLSSocket;
        // The agent verifies VRS's certificate, so a socket whose handshake is done is authorized.
        if (!tls.connecting && tls.authorized) deadline.arm('answer');
        else tls.once('secureConnect', () => {
          if (!settled) deadline.arm('answer');
        });
      });
      req.on('error', (e) => fail(upstreamError(e)));
      req.end(payload);
    });
  }

  async function expect<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const { status, json } = await call(path, body);
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new UpstreamError('VRS answered outside the contract');
      return parsed.data;
    }
    const problem = problemSchema.safeParse(json);
    const passedOn = problem.success ? PASSED_ON.get(problem.data.code) : undefined;
    if (passedOn) throw passedOn();
    throw status === 503 ? new UpstreamUnavailableError(`VRS answered ${status}`) : new UpstreamError(`VRS answered ${status}`);
  }

  return {
    lookup: (myNumber) => expect('/lgwan/v1/holders/lookup', { myNumber }, lookupResponseSchema),
    certificate: (r) => expect('/lgwan/v1/certificates', { myNumber: r.myNumber, municipality: r.municipality, kind: r.kind, channel: 'kiosk' }, certificateRecordSchema),
    completion: (notice) => expect('/lgwan/v1/completions', notice, completionAckSchema),
    release: (notice) => expect('/lgwan/v1/releases', notice, releaseAckSchema),
    issuances: (query) => expect('/lgwan/v1/issuances/query', query, issuanceQueryAnswerSchema),
    close: () => agent.destroy(),
  };
}

function upstreamError(e: unknown): AppError {
  const name = (e as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return new UpstreamTimeoutError();
  return new UpstreamUnavailableError('VRS is unreachable');
}
