import { KioskProtocolClient, type FetchedDocument } from '../../services/common/kiosk-client.js';
import type {
  CardAccepted,
  CardDataBody,
  CertificateRequestBody,
  CompletionBody,
  CompletionResult,
  RequestCreated,
  ServiceStatus,
  SessionCreated,
} from '../../services/common/kiosk-protocol.js';
import { MtlsCallError } from '../../services/common/mtls-call-error.js';

/**
 * The kiosk's client of the certificate center (PROTOCOL.md v1), on the project's one kiosk
 * protocol client (services/common/kiosk-client.ts, types in kiosk-protocol.ts). It is the only
 * way the kiosk talks to the relay: HTTPS with the kiosk's client certificate, trusting only the
 * server CA. The relay URL and certificates come from configuration, so the simulator can drive
 * any relay that follows the protocol. A relay at its work limit answers 503 ERR_BUSY with
 * Retry-After before it touches the session; the client then waits and sends the same request
 * again by itself, within `busyWaitMs`, as a real kiosk would rather than send the resident back
 * to the start.
 */

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

export class RelayClient {
  readonly #relay: KioskProtocolClient;
  readonly #timeoutMs: number;
  readonly #listener: RelayContactListener | undefined;
  readonly #now: () => Date;
  readonly #busyWaitMs: number;
  /** Set once the client stops waiting out busy answers (stopWaiting, close). */
  #stopped = false;
  /** Ends each wait in progress at once. */
  readonly #wakers = new Set<() => void>();

  constructor(options: RelayClientOptions) {
    if (new URL(options.relayUrl).protocol !== 'https:') throw new TypeError('the relay URL must be https');
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#relay = new KioskProtocolClient({
      relayUrl: options.relayUrl,
      tls: options.tls,
      timeoutMs: this.#timeoutMs,
      pool: { keepAlive: true, maxSockets: 16 },
    });
    this.#listener = options.listener;
    this.#now = options.now ?? (() => new Date());
    this.#busyWaitMs = options.busyWaitMs ?? 20_000;
    if (!(this.#busyWaitMs >= 0)) throw new TypeError('busyWaitMs must be 0 or more');
  }

  service(): Promise<ServiceStatus> {
    return this.#call('GET v1/service', () => this.#relay.service());
  }
  openSession(): Promise<SessionCreated> {
    return this.#call('POST v1/sessions', () => this.#relay.openSession());
  }
  submitCard(sessionId: string, card: CardDataBody): Promise<CardAccepted> {
    return this.#call('POST v1/sessions/…/card', () => this.#relay.submitCard(sessionId, card));
  }
  createRequest(sessionId: string, body: CertificateRequestBody): Promise<RequestCreated> {
    return this.#call('POST v1/sessions/…/requests', () => this.#relay.createRequest(sessionId, body));
  }
  fetchDocument(sessionId: string, requestId: string): Promise<FetchedDocument> {
    return this.#call('GET v1/sessions/…/requests/…/document', () => this.#relay.fetchDocument(sessionId, requestId));
  }
  complete(sessionId: string, requestId: string, body: CompletionBody): Promise<CompletionResult> {
    return this.#call('POST v1/sessions/…/requests/…/completion', () => this.#relay.complete(sessionId, requestId, body));
  }
  deleteSession(sessionId: string): Promise<void> {
    return this.#call('DELETE v1/sessions/…', () => this.#relay.deleteSession(sessionId));
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
    this.#relay.close();
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
  async #call<T>(label: string, send: () => Promise<T>): Promise<T> {
    let firstBusyAt: number | undefined;
    for (;;) {
      let failure: MtlsCallError;
      try {
        const answer = await send();
        this.#listener?.contact(this.#now());
        return answer;
      } catch (e) {
        if (!(e instanceof MtlsCallError)) throw e;
        failure = e;
      }
      if (failure.failure !== 'refused') throw this.#fault(this.#relayError(failure, label));
      const err = this.#relayError(failure, label);
      if (failure.status === 503 && err.code === 'ERR_BUSY' && !this.#stopped) {
        const waitMs = retryAfterMs(failure.retryAfter, failure.answerDate);
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

  /** The kiosk's view of a failed call (the codes its screens and the store controller know). */
  #relayError(e: MtlsCallError, label: string): RelayError {
    const status = e.status ?? 0;
    switch (e.failure) {
      case 'refused':
        if (e.code) return new RelayError(e.code, status, `${label}: ${e.code} (${status})`);
        return new RelayError(status === 403 ? 'ERR_KIOSK' : 'ERR_RELAY_PROTOCOL', status, `${label}: HTTP ${status}`);
      case 'timeout':
        return new RelayError('ERR_UPSTREAM_TIMEOUT', 504, `${label}: no answer in ${this.#timeoutMs} ms`);
      case 'unreachable':
        return new RelayError('ERR_RELAY_UNREACHABLE', 502, `${label}: ${e.cause instanceof Error ? e.cause.message : e.message}`);
      case 'not_json':
        return new RelayError('ERR_RELAY_PROTOCOL', 502, `${label}: answer is not JSON`);
      default:
        return new RelayError('ERR_RELAY_PROTOCOL', 502, `${label}: ${e.failure.replace('_', ' ')} answer`);
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

const NOT_FAULTS = new Set([
  'ERR_CARD_FORMAT',
  'ERR_CARD_SIGNATURE',
  'ERR_CARD_CHAIN',
  'ERR_CARD_CHALLENGE',
  'ERR_CARD_SUSPENDED',
  'ERR_NO_RECORDS',
  'ERR_MUNICIPALITY_UNAVAILABLE',
  'ERR_NO_PASSPORT_ON_FILE',
  'ERR_NOT_ISSUABLE',
  'ERR_SERVICE_CLOSED',
  'ERR_COPIES',
  'ERR_SESSION_NOT_FOUND',
]);

function isFault(err: RelayError): boolean {
  return !NOT_FAULTS.has(err.code);
}
