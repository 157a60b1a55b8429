import { X509Certificate } from 'node:crypto';
import { MtlsJsonClient, type HttpAnswer } from '../../services/common/mtls-json-client.js';

/**
 * The kit's own client of a relay under test. Unlike the kiosk's RelayClient (kiosk-sim/agent),
 * it never interprets an answer: every status, header and body comes back as is, so that checks
 * can judge exactly what the relay said, and every answer is recorded for the privacy sweep. It
 * sends through the project's one mTLS JSON client (services/common/mtls-json-client.ts).
 */

/** One answer from the relay, raw (the body parsed as JSON when it is JSON). */
export interface Answer extends HttpAnswer {
  method: string;
  /** Path with identifiers as sent. */
  path: string;
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
  readonly #http: MtlsJsonClient;
  onAnswer: AnswerListener | undefined;

  constructor(options: ConformanceClientOptions) {
    this.kiosk = options.kiosk;
    // No keep-alive: a relay may close an idle connection just as the kit reuses it (the kit
    // waits out lifetimes), and a reset would be blamed on the relay.
    this.#http = new MtlsJsonClient({
      baseUrl: options.relayUrl,
      tls: { cert: options.kiosk?.cert, key: options.kiosk?.key, ca: options.ca },
      pool: { keepAlive: false, maxSockets: options.kiosk ? 32 : Infinity },
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    this.onAnswer = options.onAnswer;
  }

  /**
   * Sends one request; a JSON `body` is serialized, a Buffer is sent as it is. Rejects (an
   * MtlsCallError) only when no answer came: a refused handshake, a timeout, a lost connection.
   */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const raw = await this.#http.send(method, path, {
      body,
      headers: { accept: 'application/json, application/pdf, application/problem+json', ...headers },
    });
    const answer: Answer = { method, path, ...raw };
    this.onAnswer?.(answer);
    return answer;
  }

  close(): void {
    this.#http.close();
  }
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
