import https from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { AnswerDeadline, type DeadlinePhase } from './answer-deadline.js';
import { MtlsCallError } from './mtls-call-error.js';

/**
 * The one HTTPS client of the project's mTLS JSON APIs: the kiosk protocol (kiosks, the
 * conformance kit, the load tool, tests) and the LGWAN contract (the relay's VRS client). It sends
 * JSON, reads the whole answer within a size limit and a deadline, and either hands the answer back
 * as it is (`send`) or reads it as JSON (`json`), turning a refusal into an {@link MtlsCallError}
 * with the problem's status, code and Retry-After.
 *
 * The server's certificate is checked by Node's own TLS during the handshake (the agent trusts only
 * `ca`); this client adds no certificate checks of its own.
 *
 * @example
 * ```ts
 * const client = new MtlsJsonClient({ baseUrl: 'https://localhost:8443', tls: { cert, key, ca }, timeoutMs: 20_000 });
 * const status = await client.json<ServiceStatus>('GET', '/v1/service');
 * client.close();
 * ```
 */

/** Client certificate and key (none for a client without one) and the CA(s) of the server's certificate. */
export interface ClientTls {
  cert?: string | undefined;
  key?: string | undefined;
  ca: string | string[];
}

/** How the connection pool behaves (https.Agent options). */
export interface ClientPoolOptions {
  /** Keep connections open between calls. Default true. */
  keepAlive?: boolean;
  /** Default 256. */
  maxSockets?: number;
  maxFreeSockets?: number;
  scheduling?: 'fifo' | 'lifo';
  /** Idle sockets are closed after this long (https.Agent `timeout`). */
  idleTimeoutMs?: number;
}

export interface MtlsJsonClientOptions {
  /** e.g. `https://localhost:8443`; a path given to a call is appended to it. */
  baseUrl?: string;
  tls: ClientTls;
  pool?: ClientPoolOptions;
  /**
   * How long the server may take, per phase: getting a connected socket, then the answer's headers
   * from the moment the request is on a ready socket, then the body (see {@link AnswerDeadline}).
   */
  timeoutMs: number;
  /** Longest answer body read; a longer one fails the call with `too_large`. Default 16 MiB. */
  maxAnswerBytes?: number;
}

/** One answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON when it says it is JSON or looks like it; undefined otherwise. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers check the shape (schemas or assertions)
  json: any;
}

export interface CallOptions {
  /** A JSON value is serialized; a Buffer is sent as it is. */
  body?: unknown;
  /** Added to (and overriding) the client's own: `content-type: application/json` when there is a body. */
  headers?: Record<string, string>;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** An https.Agent presenting a client certificate (when given) and trusting only `ca`, with one TLS context for all its connections. */
export function mtlsAgent(tls: ClientTls, pool: ClientPoolOptions = {}): https.Agent {
  // One TLS context for every connection: given cert/key/ca, each new socket would parse them again.
  const secureContext = createSecureContext({ cert: tls.cert, key: tls.key, ca: tls.ca });
  return new https.Agent({
    secureContext,
    keepAlive: pool.keepAlive ?? true,
    maxSockets: pool.maxSockets ?? 256,
    ...(pool.maxFreeSockets !== undefined ? { maxFreeSockets: pool.maxFreeSockets } : {}),
    ...(pool.scheduling ? { scheduling: pool.scheduling } : {}),
    ...(pool.idleTimeoutMs !== undefined ? { timeout: pool.idleTimeoutMs } : {}),
  });
}

export class MtlsJsonClient {
  readonly #base: string;
  readonly #agent: https.Agent;
  readonly #timeoutMs: number;
  readonly #maxAnswerBytes: number;

  constructor(options: MtlsJsonClientOptions) {
    this.#base = (options.baseUrl ?? '').replace(/\/+$/, '');
    if (this.#base && new URL(this.#base).protocol !== 'https:') throw new TypeError('the base URL must be https');
    if (!(options.timeoutMs > 0)) throw new TypeError('timeoutMs must be positive');
    this.#agent = mtlsAgent(options.tls, options.pool);
    this.#timeoutMs = options.timeoutMs;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  /**
   * Sends one request and resolves with its whole answer, whatever the status. Rejects with
   * {@link MtlsCallError} only when no usable answer came: `unreachable` (no connection, TLS
   * refused, connection lost), `timeout` or `too_large`. `target` is a path appended to the base
   * URL, or a full URL.
   */
  send(method: string, target: string | URL, options: CallOptions = {}): Promise<HttpAnswer> {
    const url = typeof target === 'string' ? new URL(this.#base + target) : target;
    if (url.protocol !== 'https:') throw new TypeError('the URL must be https');
    const label = `${method} ${redactIds(url.pathname)}`;
    const body = options.body;
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const max = this.#maxAnswerBytes;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        deadline.clear();
        fn();
      };
      const fail = (err: MtlsCallError) =>
        settle(() => {
          reject(err);
          req.destroy();
        });
      const lost = (e: unknown) => fail(new MtlsCallError('unreachable', `${label}: ${reasonOf(e)}`, { cause: e }));
      const deadline = new AnswerDeadline(timeoutMs, (phase: DeadlinePhase) =>
        fail(new MtlsCallError('timeout', `${label}: no ${phase === 'connect' ? 'connection' : phase} in ${timeoutMs} ms`, { phase })),
      );
      const req = https.request(
        url,
        {
          method,
          agent: this.#agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...options.headers,
          },
        },
        (res) => {
          deadline.arm('body');
          const status = res.statusCode ?? 0;
          const declared = Number(res.headers['content-length']);
          if (declared > max) return fail(new MtlsCallError('too_large', `${label}: answer of ${declared} bytes is over ${max}`, { status }));
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) fail(new MtlsCallError('too_large', `${label}: answer over ${max} bytes`, { status }));
            else chunks.push(c);
          });
          res.on('error', lost);
          res.on('aborted', () => lost(new Error('answer aborted')));
          res.on('end', () =>
            settle(() => {
              const buf = Buffer.concat(chunks);
              resolve({ status, headers: res.headers, body: buf, json: parseJson(buf, res.headers['content-type']) });
            }),
          );
        },
      );
      deadline.arm('connect');
      req.on('socket', (socket) => {
        const tls = socket as TLSSocket;
        // The agent verifies the server's certificate, so a socket whose handshake is done is authorized.
        if (!tls.connecting && tls.authorized) deadline.arm('answer');
        else
          tls.once('secureConnect', () => {
            if (!settled) deadline.arm('answer');
          });
      });
      req.on('error', lost);
      req.end(payload);
    });
  }

  /**
   * Sends one request and reads a 2xx answer as JSON (typed by the caller, or checked by `parse`,
   * e.g. a zod schema's `parse`). Any other status rejects with a `refused` {@link MtlsCallError}
   * carrying the status and, from a problem+json body, the `ERR_…` code; a 2xx answer that is not
   * JSON, or that `parse` refuses, rejects with `not_json` / `contract`.
   */
  async json<T>(method: string, target: string | URL, options: CallOptions & { parse?: (json: unknown) => T } = {}): Promise<T> {
    const answer = await this.send(method, target, options);
    const label = `${method} ${redactIds(typeof target === 'string' ? target : target.pathname)}`;
    if (answer.status < 200 || answer.status > 299) throw MtlsCallError.refusal(answer, label);
    let json: unknown;
    try {
      json = JSON.parse(answer.body.toString('utf8'));
    } catch {
      throw new MtlsCallError('not_json', `${label}: answer is not JSON`, { status: answer.status });
    }
    if (!options.parse) return json as T;
    try {
      return options.parse(json);
    } catch {
      throw new MtlsCallError('contract', `${label}: answer outside the contract`, { status: answer.status });
    }
  }

  /** Drops the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/** First value of a header of an answer. */
export function headerOf(answer: Pick<HttpAnswer, 'headers'>, name: string): string | undefined {
  const v = answer.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Paths carry random identifiers (sessions, requests): messages show them shortened. */
export function redactIds(path: string): string {
  return path.replace(/\/[A-Za-z0-9_-]{16,}/g, '/…');
}

function parseJson(buf: Buffer, type: string | string[] | undefined): unknown {
  if (!(/json/i.test(String(type ?? '')) || (buf.length > 0 && (buf[0] === 0x7b || buf[0] === 0x5b)))) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A network failure's reason: its code (ECONNREFUSED, a TLS code) or message; never a body. */
function reasonOf(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  return typeof err?.message === 'string' && err.message ? err.message : typeof err?.code === 'string' ? err.code : 'connection failed';
}
