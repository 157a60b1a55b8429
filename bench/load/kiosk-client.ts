import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { MtlsCallError } from '../../services/common/mtls-call-error.js';
import { MtlsJsonClient, type HttpAnswer } from '../../services/common/mtls-json-client.js';
import { pkiPaths } from '../../services/common/pki-paths.js';

/** An answer of the relay, or a network failure (status 0, `netError` set). */
export interface RelayAnswer extends HttpAnswer {
  netError?: string;
  ms: number;
}

/**
 * One kiosk identity (client certificate of certs/out/kiosks/<id>) with a keep-alive connection
 * pool, as a store's kiosk keeps its line to the certificate center open. The demo PKI holds three
 * kiosk certificates (the kiosk CA's private key is not kept), so the load generator runs its N
 * simulated kiosks over these three identities: sessions are bound to the kiosk ID, so simulated
 * kiosks sharing an identity are told apart by their session IDs only.
 */
export class KioskIdentity {
  readonly kioskId: string;
  readonly storeId: string;
  readonly #http: MtlsJsonClient;

  constructor(kioskId: string) {
    const pki = pkiPaths();
    const cert = readFileSync(pki.kiosk(kioskId).cert, 'utf8');
    const subject = new X509Certificate(cert).subject;
    this.kioskId = /CN=([^\n]+)/.exec(subject)?.[1] ?? kioskId;
    this.storeId = /OU=([^\n]+)/.exec(subject)?.[1] ?? '';
    // The common client makes one TLS context per identity, once: given cert, key and ca, every new
    // connection would parse them again (SecureContext creation was the generator's largest cost
    // under shedding, when refused kiosks come back on new connections).
    this.#http = new MtlsJsonClient({
      tls: { cert, key: readFileSync(pki.kiosk(kioskId).key, 'utf8'), ca: readFileSync(pki.serverCa, 'utf8') },
      pool: {
        keepAlive: true,
        maxSockets: Infinity,
        maxFreeSockets: 100_000,
        scheduling: 'lifo',
        // Idle sockets are dropped before the relay's keep-alive timeout (65 s, services/relay/server.ts)
        // closes them, so a request never goes out on a socket the server is closing (ECONNRESET);
        // a kiosk keeps its line open between sessions and while it waits out a Retry-After.
        idleTimeoutMs: 60_000,
      },
      timeoutMs: 30_000,
    });
  }

  /** Sends one request; never rejects (network failures come back as status 0, `netError` a code such as ECONNRESET or ETIMEDOUT). */
  async call(baseUrl: string, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<RelayAnswer> {
    const t0 = performance.now();
    try {
      const a = await this.#http.send(method, new URL(`${baseUrl}${path}`), { body, timeoutMs });
      return { ...a, ms: performance.now() - t0 };
    } catch (e) {
      return { status: 0, headers: {}, body: Buffer.alloc(0), json: undefined, netError: netErrorOf(e), ms: performance.now() - t0 };
    }
  }

  close(): void {
    this.#http.close();
  }
}

function netErrorOf(e: unknown): string {
  if (!(e instanceof MtlsCallError)) return 'ENET';
  if (e.failure === 'timeout') return 'ETIMEDOUT';
  if (e.failure === 'too_large') return 'ETOOLARGE';
  const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'ENET';
}

/** The demo kiosk identities (KIOSK-0001…0003; KIOSK-9999 is revoked and left out). */
export function demoKioskIdentities(): KioskIdentity[] {
  return ['KIOSK-0001', 'KIOSK-0002', 'KIOSK-0003'].map((id) => new KioskIdentity(id));
}
