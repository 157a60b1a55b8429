import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KioskProtocolClient } from '../../../services/common/kiosk-client.js';
import { createMtlsServer, peerIdentity } from '../../../services/common/mtls.js';
import { MtlsCallError } from '../../../services/common/mtls-call-error.js';
import { MtlsJsonClient, type MtlsJsonClientOptions } from '../../../services/common/mtls-json-client.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';

/**
 * The one mTLS JSON client against a real local HTTPS server requiring a kiosk certificate (the
 * relay's server certificate, the kiosk CA): what it sends, what it refuses, and how it fails.
 */
const pki = pkiPaths();
const read = (p: string) => readFileSync(p, 'utf8');
const kioskTls = () => ({ cert: read(pki.kiosk('KIOSK-0001').cert), key: read(pki.kiosk('KIOSK-0001').key), ca: read(pki.serverCa) });

type Handler = (req: IncomingMessage & { body: Buffer }, res: ServerResponse) => void;

let server: https.Server;
let baseUrl: string;
let handler: Handler;
/** Requests the server's handler was given, and TLS connections it accepted. */
let requests = 0;
let connections = 0;
const clients: Array<{ close(): void }> = [];

beforeAll(async () => {
  server = createMtlsServer({ cert: read(pki.server('relay').cert), key: read(pki.server('relay').key), ca: read(pki.kioskCa) }, (req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(Object.assign(req, { body: Buffer.concat(chunks) }), res));
  });
  server.on('secureConnection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  server.closeAllConnections();
  requests = 0;
  connections = 0;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

function client(options: Partial<MtlsJsonClientOptions> = {}): MtlsJsonClient {
  const c = new MtlsJsonClient({ baseUrl, tls: kioskTls(), timeoutMs: 2000, ...options });
  clients.push(c);
  return c;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
};

async function failureOf(p: Promise<unknown>): Promise<MtlsCallError> {
  const outcome = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(MtlsCallError);
  return outcome as MtlsCallError;
}

describe('MtlsJsonClient', () => {
  it('sends JSON with the kiosk certificate and reads a JSON answer', async () => {
    handler = (req, res) =>
      json(res, 200, {
        kiosk: peerIdentity(req.socket)?.cn,
        method: req.method,
        url: req.url,
        type: req.headers['content-type'],
        accept: req.headers.accept,
        got: JSON.parse(req.body.toString('utf8')) as unknown,
      });
    const answer = await client().json<Record<string, unknown>>('POST', '/v1/sessions', { body: { a: 1 }, headers: { accept: 'application/json' } });
    expect(answer).toEqual({ kiosk: 'KIOSK-0001', method: 'POST', url: '/v1/sessions', type: 'application/json', accept: 'application/json', got: { a: 1 } });
  });

  it('keeps one connection alive for consecutive calls, and opens one per call without keep-alive', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const kept = client();
    for (let i = 0; i < 3; i++) await kept.json('GET', '/x');
    expect(connections).toBe(1);
    const fresh = client({ pool: { keepAlive: false } });
    for (let i = 0; i < 2; i++) await fresh.json('GET', '/x');
    expect(connections).toBe(3);
  });

  it('refuses a server whose certificate is not from the CA it trusts, before sending anything', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    // The relay's certificate comes from the server CA; this client trusts only the kiosk CA.
    const wrong = client({ tls: { ...kioskTls(), ca: read(pki.kioskCa) } });
    const err = await failureOf(wrong.json('POST', '/v1/sessions', { body: { secret: 'x' } }));
    expect(err.failure).toBe('unreachable');
    expect(err.status).toBeUndefined();
    expect(requests).toBe(0);
  });

  it('is refused in the handshake by a server requiring a client certificate it does not present', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const anonymous = client({ tls: { ca: read(pki.serverCa) } });
    const err = await failureOf(anonymous.send('GET', '/v1/service'));
    expect(err.failure).toBe('unreachable');
    expect(requests).toBe(0);
  });

  it('times out waiting for the answer, and again for a body that stops coming', async () => {
    handler = () => undefined; // never answers
    const started = performance.now();
    const silent = await failureOf(client({ timeoutMs: 200 }).send('GET', '/slow'));
    expect(silent).toMatchObject({ failure: 'timeout', phase: 'answer' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(1500);

    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
    };
    const stalled = await failureOf(client({ timeoutMs: 200 }).send('GET', '/stall'));
    expect(stalled).toMatchObject({ failure: 'timeout', phase: 'body' });
  });

  it('caps an oversized answer, declared or streamed', async () => {
    handler = (_req, res) => json(res, 200, { pad: 'x'.repeat(5000) });
    const declared = await failureOf(client({ maxAnswerBytes: 1024 }).send('GET', '/big'));
    expect(declared).toMatchObject({ failure: 'too_large', status: 200 });

    handler = (_req, res) => {
      // No content-length: chunked, so only counting the bytes finds it.
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 8; i++) res.write('x'.repeat(512));
      res.end();
    };
    const streamed = await failureOf(client({ maxAnswerBytes: 1024 }).send('GET', '/big'));
    expect(streamed.failure).toBe('too_large');
    // Within the limit the same answer is read whole.
    expect((await client({ maxAnswerBytes: 8192 }).send('GET', '/big')).body.length).toBe(4096);
  });

  it('surfaces a problem+json refusal with its status, code and Retry-After, and nothing of its detail', async () => {
    handler = (_req, res) =>
      json(
        res,
        503,
        {
          type: 'about:blank',
          code: 'ERR_BUSY',
          status: 503,
          title: 'Busy',
          detail: 'for 山田 太郎, 123456789018',
          instance: 'r-1',
        },
        { 'content-type': 'application/problem+json', 'retry-after': '2' },
      );
    const err = await failureOf(client().json('POST', '/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/card', { body: {} }));
    expect(err).toMatchObject({ failure: 'refused', status: 503, code: 'ERR_BUSY', retryAfter: '2' });
    expect(err.answerDate).toEqual(expect.any(String));
    expect(err.message).toBe('POST /v1/sessions/…/card: ERR_BUSY (503)');
    expect(err.message).not.toMatch(/山田|123456789018/);

    handler = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    const bare = await failureOf(client().json('GET', '/v1/service'));
    expect(bare).toMatchObject({ failure: 'refused', status: 502, code: undefined, retryAfter: undefined });
  });

  it('hands back any answer as it is with send, and tells a 2xx that is not JSON or not the contract from a refusal', async () => {
    handler = (_req, res) => json(res, 404, { code: 'ERR_SESSION_NOT_FOUND' }, { 'content-type': 'application/problem+json' });
    const raw = await client().send('GET', '/v1/sessions/x');
    expect(raw).toMatchObject({ status: 404, json: { code: 'ERR_SESSION_NOT_FOUND' } });

    handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    expect((await failureOf(client().json('GET', '/v1/service'))).failure).toBe('not_json');

    handler = (_req, res) => json(res, 200, { open: 'yes' });
    const parse = (v: unknown) => {
      if (typeof (v as { open?: unknown }).open !== 'boolean') throw new TypeError('open is not a boolean');
      return v as { open: boolean };
    };
    expect((await failureOf(client().json('GET', '/v1/service', { parse }))).failure).toBe('contract');
  });

  it('is refused a connection when nothing listens', async () => {
    const nobody = new MtlsJsonClient({ baseUrl: 'https://localhost:1', tls: kioskTls(), timeoutMs: 2000 });
    clients.push(nobody);
    const err = await failureOf(nobody.send('GET', '/v1/service'));
    expect(err.failure).toBe('unreachable');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});

describe('KioskProtocolClient', () => {
  it('fetches a document with its digest and certificate ID, and rejects a refused step with its problem', async () => {
    handler = (req, res) => {
      if (req.url?.endsWith('/document')) {
        res
          .writeHead(200, {
            'content-type': 'application/pdf',
            'content-digest': 'sha-256=:abc=:',
            'certificate-id': 'C1',
            'x-accept': String(req.headers.accept),
          })
          .end('%PDF-1.7');
        return;
      }
      json(res, 422, { code: 'ERR_NO_PASSPORT_ON_FILE' }, { 'content-type': 'application/problem+json' });
    };
    const kiosk = new KioskProtocolClient({ relayUrl: `${baseUrl}/`, tls: kioskTls(), timeoutMs: 2000 });
    clients.push(kiosk);
    const sid = 'AAAAAAAAAAAAAAAAAAAAAA';
    const doc = await kiosk.fetchDocument(sid, 'BBBBBBBBBBBBBBBBBBBBBB');
    expect(doc).toEqual({ pdf: Buffer.from('%PDF-1.7'), contentDigest: 'sha-256=:abc=:', certificateId: 'C1' });
    const err = await failureOf(kiosk.createRequest(sid, { municipality: '131016', kind: 'overseas', copies: 1 }));
    expect(err).toMatchObject({ failure: 'refused', status: 422, code: 'ERR_NO_PASSPORT_ON_FILE' });
    expect(err.message).toBe('POST /v1/sessions/…/requests: ERR_NO_PASSPORT_ON_FILE (422)');
  });
});
