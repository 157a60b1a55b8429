import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { pkiPaths } from '../../services/common/pki-paths.js';

/** An answer of the relay, or a network failure (status 0, `netError` set). */
export interface RelayAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: any;
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
  readonly #agent: https.Agent;

  constructor(kioskId: string) {
    const pki = pkiPaths();
    const cert = readFileSync(pki.kiosk(kioskId).cert, 'utf8');
    const subject = new X509Certificate(cert).subject;
    this.kioskId = /CN=([^\n]+)/.exec(subject)?.[1] ?? kioskId;
    this.storeId = /OU=([^\n]+)/.exec(subject)?.[1] ?? '';
    this.#agent = new https.Agent({
      // One TLS context per identity, made once: given cert, key and ca, every new connection would
      // parse them again (SecureContext creation was the generator's largest cost under shedding,
      // when refused kiosks come back on new connections).
      secureContext: tls.createSecureContext({ cert, key: readFileSync(pki.kiosk(kioskId).key, 'utf8'), ca: readFileSync(pki.serverCa, 'utf8') }),
      keepAlive: true, maxSockets: Infinity, maxFreeSockets: 100_000, scheduling: 'lifo',
      // Idle sockets are dropped before the relay's keep-alive timeout (65 s, services/relay/server.ts)
      // closes them, so a request never goes out on a socket the server is closing (ECONNRESET);
      // a kiosk keeps its line open between sessions and while it waits out a Retry-After.
      timeout: 60_000,
    });
  }

  /** Sends one request; never rejects (network failures come back as status 0). */
  call(baseUrl: string, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<RelayAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const t0 = performance.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (a: Omit<RelayAnswer, 'ms'>) => {
        if (done) return;
        done = true;
        resolve({ ...a, ms: performance.now() - t0 });
      };
      const req = https.request(`${baseUrl}${path}`, {
        method, agent: this.#agent, timeout: timeoutMs,
        headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, body: Buffer.alloc(0), json: undefined, netError: e.code ?? 'ERESPONSE' }));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          let json: unknown;
          if (String(res.headers['content-type'] ?? '').includes('json')) {
            try {
              json = JSON.parse(buf.toString('utf8'));
            } catch {
              json = undefined;
            }
          }
          finish({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, body: Buffer.alloc(0), json: undefined, netError: e.code ?? 'ENET' }));
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The demo kiosk identities (KIOSK-0001…0003; KIOSK-9999 is revoked and left out). */
export function demoKioskIdentities(): KioskIdentity[] {
  return ['KIOSK-0001', 'KIOSK-0002', 'KIOSK-0003'].map((id) => new KioskIdentity(id));
}
