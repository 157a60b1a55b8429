import type { Agent } from 'node:https';
import https from 'node:https';
import { mtlsAgent } from '../../services/common/mtls.js';

/**
 * The kiosk's client of the certificate center (PROTOCOL.md v1). It is the only way the kiosk
 * talks to the relay: HTTPS with the kiosk's client certificate, trusting only the server CA. The
 * relay URL and certificates come from configuration, so the simulator can drive any relay that
 * follows the protocol. A relay at its work limit answers 503 ERR_BUSY with Retry-After before it
 * touches the session; the client then waits and sends the same request again by itself, within
 * `busyWaitMs`, as a real kiosk would rather than send the resident back to the start.
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
  /**
   * The relay answered 503 ERR_BUSY and the client waits `waitMs` before sending the same request
   * again. That answer was also reported as `contact` (the relay is there and answering); only a
   * call that gives up on a busy relay is reported as `fault('ERR_BUSY', …)`.
   */
  busy?(waitMs: number, at: Date): void;
}

export interface RelayClientOptions {
  relayUrl: string;
  tls: { cert: string; key: string; ca: string | string[] };
  timeoutMs?: number;
  listener?: RelayContactListener;
  now?: () => Date;
  /**
   * Longest time (ms) one call waits out a busy relay. An answer 503 ERR_BUSY is sent again after
   * its Retry-After as long as that wait ends within `busyWaitMs` of the call's first busy answer;
   * then the call throws ERR_BUSY. Default 20 000; 0 throws at the first busy answer.
   */
  busyWaitMs?: number;
}

/** Retry-After of a busy answer is kept within these bounds, and is 2 s when absent or unreadable. */
const RETRY_AFTER_MIN_MS = 100;
const RETRY_AFTER_MAX_MS = 10_000;
const RETRY_AFTER_DEFAULT_MS = 2000;

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
  readonly #busyWaitMs: number;
  /** Set once the client stops waiting out busy answers (stopWaiting, close). */
  #stopped = false;
  /** Ends each wait in progress at once. */
  readonly #wakers = new Set<() => void>();

  constructor(options: RelayClientOptions) {
    this.#base = new URL(options.relayUrl.endsWith('/') ? options.relayUrl : `${options.relayUrl}/`);
    if (this.#base.protocol !== 'https:') throw new TypeError('the relay URL must be https');
    this.#agent = mtlsAgent(options.tls, { keepAlive: true, maxSockets: 16 });
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#listener = options.listener;
    this.#now = options.now ?? (() => new Date());
    this.#busyWaitMs = options.busyWaitMs ?? 20_000;
    if (!(this.#busyWaitMs >= 0)) throw new TypeError('busyWaitMs must be 0 or more');
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

  /**
   * Waits out no more busy answers: a call waiting now throws its ERR_BUSY at once, and later busy
   * answers are thrown at once (as with `busyWaitMs` 0). The agent calls it before its last cancel
   * on shutdown, so that cancel need not wait behind a step waiting for the relay.
   */
  stopWaiting(): void {
    this.#stopped = true;
    for (const wake of [...this.#wakers]) wake();
  }

  /** Ends any wait in progress (no timer is left behind) and drops the kept-alive connections. */
  close(): void {
    this.stopWaiting();
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

  /**
   * One call: the request, sent again while the relay answers 503 ERR_BUSY (admission control
   * refuses before it touches the session, so the same request later is safe) and the busy-wait
   * budget allows; any other answer or failure ends the call.
   */
  async #send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<RawAnswer> {
    const url = new URL(path, this.#base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const label = `${method} ${path.replace(/\/[A-Za-z0-9_-]{16,}/g, '/…')}`;
    let firstBusyAt: number | undefined;
    for (;;) {
      const answer = await this.#exchange(method, url, payload, accept, label);
      if (answer.status >= 200 && answer.status < 300) {
        this.#listener?.contact(this.#now());
        return answer;
      }
      const err = problemOf(answer, label);
      if (answer.status === 503 && err.code === 'ERR_BUSY' && !this.#stopped) {
        const waitMs = retryAfterMs(header(answer, 'retry-after'), header(answer, 'date'));
        firstBusyAt ??= performance.now();
        if (performance.now() - firstBusyAt + waitMs <= this.#busyWaitMs) {
          this.#listener?.contact(this.#now());
          this.#listener?.busy?.(waitMs, this.#now());
          if (await this.#pause(waitMs)) continue;
        }
      }
      // Refusals about the resident's data are not faults of the kiosk; everything else is.
      if (isFault(err)) this.#fault(err);
      else this.#listener?.contact(this.#now());
      throw err;
    }
  }

  /** Resolves true after `ms`, or false as soon as the client stops waiting. */
  #pause(ms: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const end = (waited: boolean) => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve(waited);
      };
      const wake = () => end(false);
      const timer = setTimeout(() => end(true), ms);
      this.#wakers.add(wake);
    });
  }

  /** One request and its whole answer, whatever the status; rejects only when no answer came. */
  #exchange(method: string, url: URL, payload: Buffer | undefined, accept: string, label: string): Promise<RawAnswer> {
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
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
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

/**
 * How long to wait before sending again a request answered 503 ERR_BUSY, from its Retry-After
 * (RFC 9110 §10.2.3): delay-seconds, or an HTTP date measured against the answer's own Date header
 * (so the kiosk's clock does not matter) or, without one, against `now`. Kept within 100 ms and
 * 10 s; 2 s when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, answerDate?: string, now: number = Date.now()): number {
  const v = value?.trim() ?? '';
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    // Only something shaped like an HTTP date: Date.parse reads "1.5" or "2 s" as dates too.
    const at = /[A-Za-z]{3}/.test(v) && /\d{1,2}:\d{2}:\d{2}/.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(at)) return RETRY_AFTER_DEFAULT_MS;
    const base = answerDate ? Date.parse(answerDate) : NaN;
    ms = at - (Number.isFinite(base) ? base : now);
  }
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, ms));
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
