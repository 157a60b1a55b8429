import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import { mtlsAgent } from '../../services/common/mtls.js';

/**
 * The kit's own client of a relay under test. Unlike the kiosk's RelayClient (kiosk-sim/agent),
 * it never interprets an answer: every status, header and body comes back as is, so that checks
 * can judge exactly what the relay said, and every answer is recorded for the privacy sweep.
 */

/** One answer from the relay, raw. */
export interface Answer {
  method: string;
  /** Path with identifiers as sent. */
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json: any;
}

/** A kiosk identity the kit drives the relay with (a folder with cert.pem and key.pem). */
export interface KioskCredentials {
  /** Subject CN of the certificate (the kiosk ID), for messages. */
  kioskId: string;
  /** Subject OU (store ID), when present. */
  storeId: string | undefined;
  cert: string;
  key: string;
}

/** Reads CN and OU from a PEM certificate. */
export function kioskCredentials(cert: string, key: string): KioskCredentials {
  const subject = new X509Certificate(cert).subject;
  const field = (name: string) => new RegExp(`(?:^|\\n)${name}=([^\\n]+)`).exec(subject)?.[1];
  return { kioskId: field('CN') ?? '(no CN)', storeId: field('OU'), cert, key };
}

/** Where every answer is reported (the runner keeps them per check for the sweeps). */
export type AnswerListener = (a: Answer) => void;

export interface ConformanceClientOptions {
  relayUrl: string;
  /** CA of the relay's server certificate. */
  ca: string;
  /** The kiosk's client certificate; undefined for a client without one. */
  kiosk: KioskCredentials | undefined;
  timeoutMs?: number;
  onAnswer?: AnswerListener;
}

/** A kiosk (or a certificate-less client) talking to the relay under test. */
export class ConformanceClient {
  readonly kiosk: KioskCredentials | undefined;
  readonly #base: URL;
  readonly #agent: https.Agent;
  readonly #timeoutMs: number;
  onAnswer: AnswerListener | undefined;

  constructor(options: ConformanceClientOptions) {
    this.#base = new URL(options.relayUrl.replace(/\/+$/, ''));
    if (this.#base.protocol !== 'https:') throw new TypeError('the relay URL must be https');
    this.kiosk = options.kiosk;
    // No keep-alive: a relay may close an idle connection just as the kit reuses it (the kit
    // waits out lifetimes), and a reset would be blamed on the relay.
    this.#agent = options.kiosk
      ? mtlsAgent({ cert: options.kiosk.cert, key: options.kiosk.key, ca: options.ca }, { keepAlive: false, maxSockets: 32 })
      : new https.Agent({ ca: options.ca, keepAlive: false });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.onAnswer = options.onAnswer;
  }

  /** Sends one request; a JSON `body` is serialized, a Buffer is sent as it is. */
  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
    const url = new URL(this.#base.pathname.replace(/\/$/, '') + path, this.#base);
    return new Promise<Answer>((resolve, reject) => {
      const req = https.request(url, {
        method,
        agent: this.#agent,
        timeout: this.#timeoutMs,
        headers: {
          accept: 'application/json, application/pdf, application/problem+json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...headers,
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          let json: unknown;
          const type = String(res.headers['content-type'] ?? '');
          if (/json/i.test(type) || (buf.length > 0 && (buf[0] === 0x7b || buf[0] === 0x5b))) {
            try {
              json = JSON.parse(buf.toString('utf8'));
            } catch {
              json = undefined;
            }
          }
          const answer: Answer = { method, path, status: res.statusCode ?? 0, headers: res.headers, body: buf, json };
          this.onAnswer?.(answer);
          resolve(answer);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** First value of a header. */
export function headerOf(a: Answer, name: string): string | undefined {
  const v = a.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A short description of an answer for failure reasons (code and status, never the body). */
export function describe(a: Answer): string {
  const code = typeof a.json?.code === 'string' ? ` ${a.json.code}` : '';
  return `${a.method} ${redactPath(a.path)} → ${a.status}${code}`;
}

/** Paths carry random identifiers; they are shortened in messages. */
export function redactPath(path: string): string {
  return path.replace(/\/([A-Za-z0-9_-]{16,})/g, (_m, id: string) => `/${id.slice(0, 4)}…`);
}
