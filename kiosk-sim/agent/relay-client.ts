import type { Agent } from 'node:https';
import https from 'node:https';
import { mtlsAgent } from '../../services/common/mtls.js';

/**
 * The kiosk's client of the certificate center (PROTOCOL.md v1). It is the only way the kiosk
 * talks to the relay: HTTPS with the kiosk's client certificate, trusting only the server CA. The
 * relay URL and certificates come from configuration, so the simulator can drive any relay that
 * follows the protocol.
 */

export interface ServiceStatus {
  open: boolean;
  hours: string;
  now: string;
}
export interface OpenedSession {
  sessionId: string;
  /** base64, 32 bytes */
  challenge: string;
  expiresAt: string;
}
export interface OfferedMunicipality {
  code: string;
  name: string;
  domestic: boolean;
  overseas: boolean;
  unavailableReason?: string;
  overseasUnavailableReason?: string;
}
export interface CardAnswer {
  holder: { name: string; birthDate: string };
  municipalities: OfferedMunicipality[];
  feePerCopy: number;
}
export interface CardSubmission {
  ef0001: string;
  ef0002: string;
  ef0003: string;
  ef0004: string;
  ef0007: string;
  challengeSignature: string;
}
export type CertificateKind = 'domestic' | 'overseas';
export interface CreatedRequest {
  requestId: string;
  fee: number;
  copies: number;
  pages: number;
  preview: {
    issuer: string;
    name: string;
    birthDate: string;
    doses: { dose: number; date: string; product: string; lot: string }[];
  };
  expiresAt: string;
}
export interface FetchedDocument {
  pdf: Buffer;
  /** The Content-Digest header as sent, e.g. `sha-256=:…:` */
  contentDigest: string | undefined;
  certificateId: string | undefined;
}
export interface Receipt {
  copies: number;
  fee: number;
  paid: number;
  change: number;
  issuedAt: string;
  kioskId: string;
  storeId: string;
}
export type CompletionOutcome = 'printed' | 'failed' | 'cancelled';

/**
 * A refusal or failure on the way to the relay. `code` is the relay's problem code, or one of the
 * kiosk's own: ERR_RELAY_UNREACHABLE (no connection, TLS refused) and ERR_RELAY_PROTOCOL (an
 * answer that does not follow the protocol).
 */
export class RelayError extends Error {
  override name = 'RelayError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the client tells its owner about each exchange (the store controller's view). */
export interface RelayContactListener {
  contact(at: Date): void;
  fault(code: string, detail: string, at: Date): void;
}

export interface RelayClientOptions {
  relayUrl: string;
  tls: { cert: string; key: string; ca: string | string[] };
  timeoutMs?: number;
  listener?: RelayContactListener;
  now?: () => Date;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class RelayClient {
  readonly #base: URL;
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #listener: RelayContactListener | undefined;
  readonly #now: () => Date;

  constructor(options: RelayClientOptions) {
    this.#base = new URL(options.relayUrl.endsWith('/') ? options.relayUrl : `${options.relayUrl}/`);
    if (this.#base.protocol !== 'https:') throw new TypeError('the relay URL must be https');
    this.#agent = mtlsAgent(options.tls, { keepAlive: true, maxSockets: 16 });
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#listener = options.listener;
    this.#now = options.now ?? (() => new Date());
  }

  service(): Promise<ServiceStatus> {
    return this.#json('GET', 'v1/service');
  }
  openSession(): Promise<OpenedSession> {
    return this.#json('POST', 'v1/sessions', {});
  }
  submitCard(sessionId: string, card: CardSubmission): Promise<CardAnswer> {
    return this.#json('POST', `v1/sessions/${enc(sessionId)}/card`, card);
  }
  createRequest(sessionId: string, body: { municipality: string; kind: CertificateKind; copies: number }): Promise<CreatedRequest> {
    return this.#json('POST', `v1/sessions/${enc(sessionId)}/requests`, body);
  }
  async fetchDocument(sessionId: string, requestId: string): Promise<FetchedDocument> {
    const answer = await this.#send('GET', `v1/sessions/${enc(sessionId)}/requests/${enc(requestId)}/document`, undefined, 'application/pdf');
    return { pdf: answer.body, contentDigest: header(answer, 'content-digest'), certificateId: header(answer, 'certificate-id') };
  }
  complete(sessionId: string, requestId: string, body: { outcome: CompletionOutcome; paid: number; contentDigest?: string }): Promise<{ receipt: Receipt }> {
    return this.#json('POST', `v1/sessions/${enc(sessionId)}/requests/${enc(requestId)}/completion`, body);
  }
  async deleteSession(sessionId: string): Promise<void> {
    await this.#send('DELETE', `v1/sessions/${enc(sessionId)}`);
  }

  close(): void {
    this.#agent.destroy();
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.#send(method, path, body);
    try {
      return JSON.parse(answer.body.toString('utf8')) as T;
    } catch {
      throw this.#fault(new RelayError('ERR_RELAY_PROTOCOL', 502, `${method} ${path}: answer is not JSON`));
    }
  }

  #fault(err: RelayError): RelayError {
    this.#listener?.fault(err.code, err.message, this.#now());
    return err;
  }

  #send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<RawAnswer> {
    const url = new URL(path, this.#base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const label = `${method} ${path.replace(/\/[A-Za-z0-9_-]{16,}/g, '/…')}`;
    return new Promise<RawAnswer>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.#agent,
          headers: {
            accept: `${accept}, application/problem+json`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
          timeout: this.#timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(this.#fault(new RelayError('ERR_RELAY_UNREACHABLE', 502, `${label}: ${e.message}`))));
          res.on('end', () => {
            const answer: RawAnswer = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
            if (answer.status >= 200 && answer.status < 300) {
              this.#listener?.contact(this.#now());
              resolve(answer);
              return;
            }
            const err = problemOf(answer, label);
            // Refusals about the resident's data are not faults of the kiosk; everything else is.
            if (isFault(err)) this.#fault(err);
            else this.#listener?.contact(this.#now());
            reject(err);
          });
        },
      );
      req.on('timeout', () => req.destroy(new RelayError('ERR_UPSTREAM_TIMEOUT', 504, `${label}: no answer in ${this.#timeoutMs} ms`)));
      req.on('error', (e) => {
        const err = e instanceof RelayError ? e : new RelayError('ERR_RELAY_UNREACHABLE', 502, `${label}: ${e.message}`);
        reject(this.#fault(err));
      });
      req.end(payload);
    });
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function header(answer: RawAnswer, name: string): string | undefined {
  const v = answer.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function problemOf(answer: RawAnswer, label: string): RelayError {
  try {
    const p = JSON.parse(answer.body.toString('utf8')) as { code?: unknown; detail?: unknown };
    if (typeof p.code === 'string' && /^ERR_[A-Z_]+$/.test(p.code)) {
      return new RelayError(p.code, answer.status, `${label}: ${p.code} (${answer.status})`);
    }
  } catch {
    // not a problem document
  }
  return new RelayError(answer.status === 403 ? 'ERR_KIOSK' : 'ERR_RELAY_PROTOCOL', answer.status, `${label}: HTTP ${answer.status}`);
}

const NOT_FAULTS = new Set([
  'ERR_CARD_FORMAT', 'ERR_CARD_SIGNATURE', 'ERR_CARD_CHAIN', 'ERR_CARD_CHALLENGE', 'ERR_CARD_SUSPENDED', 'ERR_NO_RECORDS',
  'ERR_MUNICIPALITY_UNAVAILABLE', 'ERR_NO_PASSPORT_ON_FILE', 'ERR_NOT_ISSUABLE', 'ERR_SERVICE_CLOSED', 'ERR_COPIES',
  'ERR_SESSION_NOT_FOUND',
]);

function isFault(err: RelayError): boolean {
  return !NOT_FAULTS.has(err.code);
}
