import type {
  CardAccepted,
  CardDataBody,
  CertificateRequestBody,
  CompletionBody,
  CompletionResult,
  RequestCreated,
  ServiceStatus,
  SessionCreated,
} from './kiosk-protocol.js';
import { MtlsCallError } from './mtls-call-error.js';
import { headerOf, MtlsJsonClient, redactIds, type ClientPoolOptions, type ClientTls, type HttpAnswer } from './mtls-json-client.js';

/** A served document (step 5) with the headers the kiosk checks. */
export interface FetchedDocument {
  pdf: Buffer;
  /** The Content-Digest header as sent, e.g. `sha-256=:…:` */
  contentDigest: string | undefined;
  certificateId: string | undefined;
}

export interface KioskProtocolClientOptions {
  /** The relay, e.g. https://localhost:8443 */
  relayUrl: string;
  /** The kiosk's client certificate and key, and the CA of the relay's server certificate. */
  tls: ClientTls;
  /** Per phase of a call (see MtlsJsonClient). */
  timeoutMs: number;
  pool?: ClientPoolOptions;
  maxAnswerBytes?: number;
}

/**
 * The kiosk protocol (PROTOCOL.md v1, `kiosk-protocol.ts`) as typed calls, one per endpoint, over
 * the mTLS JSON client. It sends each request once: a refusal rejects with the
 * {@link MtlsCallError} of its problem (status, code, Retry-After); what to do about it (a kiosk
 * waits out 503 ERR_BUSY, for one) is the caller's.
 */
export class KioskProtocolClient {
  readonly #http: MtlsJsonClient;

  constructor(options: KioskProtocolClientOptions) {
    this.#http = new MtlsJsonClient({
      baseUrl: options.relayUrl,
      tls: options.tls,
      timeoutMs: options.timeoutMs,
      ...(options.pool ? { pool: options.pool } : {}),
      ...(options.maxAnswerBytes ? { maxAnswerBytes: options.maxAnswerBytes } : {}),
    });
  }

  /** 1. `GET /v1/service` */
  service(): Promise<ServiceStatus> {
    return this.#json('GET', '/v1/service');
  }
  /** 2. `POST /v1/sessions` */
  openSession(): Promise<SessionCreated> {
    return this.#json('POST', '/v1/sessions', {});
  }
  /** 3. `POST /v1/sessions/{sid}/card` */
  submitCard(sessionId: string, card: CardDataBody): Promise<CardAccepted> {
    return this.#json('POST', `/v1/sessions/${enc(sessionId)}/card`, card);
  }
  /** 4. `POST /v1/sessions/{sid}/requests` */
  createRequest(sessionId: string, body: CertificateRequestBody): Promise<RequestCreated> {
    return this.#json('POST', `/v1/sessions/${enc(sessionId)}/requests`, body);
  }
  /** 5. `GET /v1/sessions/{sid}/requests/{rid}/document` */
  async fetchDocument(sessionId: string, requestId: string): Promise<FetchedDocument> {
    const path = `/v1/sessions/${enc(sessionId)}/requests/${enc(requestId)}/document`;
    const answer = await this.#http.send('GET', path, { headers: { accept: 'application/pdf, application/problem+json' } });
    if (answer.status < 200 || answer.status > 299) throw refusalOf(answer, `GET ${path}`);
    return { pdf: answer.body, contentDigest: headerOf(answer, 'content-digest'), certificateId: headerOf(answer, 'certificate-id') };
  }
  /** 6. `POST /v1/sessions/{sid}/requests/{rid}/completion` */
  complete(sessionId: string, requestId: string, body: CompletionBody): Promise<CompletionResult> {
    return this.#json('POST', `/v1/sessions/${enc(sessionId)}/requests/${enc(requestId)}/completion`, body);
  }
  /** 7. `DELETE /v1/sessions/{sid}` */
  async deleteSession(sessionId: string): Promise<void> {
    const path = `/v1/sessions/${enc(sessionId)}`;
    const answer = await this.#http.send('DELETE', path, { headers: { accept: 'application/json, application/problem+json' } });
    if (answer.status < 200 || answer.status > 299) throw refusalOf(answer, `DELETE ${path}`);
  }

  /** Drops the kept-alive connections. */
  close(): void {
    this.#http.close();
  }

  #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#http.json<T>(method, path, { body, headers: { accept: 'application/json, application/problem+json' } });
  }
}

function refusalOf(answer: HttpAnswer, label: string): MtlsCallError {
  return MtlsCallError.refusal(answer, redactIds(label));
}

function enc(id: string): string {
  return encodeURIComponent(id);
}
