import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMtlsServer, readTlsFiles, requireClient, type ClientIdentity } from '../../../services/common/mtls.js';
import { MtlsJsonClient } from '../../../services/common/mtls-json-client.js';
import { problemHandler } from '../../../services/common/errors.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';

/**
 * The kiosk identity is read from the TLS peer certificate once per connection: every request on
 * a keep-alive connection gets the same identity without getPeerCertificate running again, and
 * another connection (another kiosk certificate) gets its own.
 */
describe('kiosk identity per TLS connection', () => {
  const pki = pkiPaths();
  /** Per connection (numbered in accept order): how often getPeerCertificate ran on it. */
  const peerCertReads: number[] = [];
  /** Per request: which connection, and the identity object the middleware gave it. */
  const seen: Array<{ conn: number; id: ClientIdentity }> = [];
  let server: https.Server;
  let url: string;
  const agents: MtlsJsonClient[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(requireClient({ code: 'ERR_KIOSK' }));
    app.get('/whoami', (req, res) => {
      const conn = (req.socket as TLSSocket & { conn: number }).conn;
      const id = res.locals.client as ClientIdentity;
      seen.push({ conn, id });
      res.json({ conn, ...id });
    });
    app.use(problemHandler({ warn: () => undefined, error: () => undefined }));
    const tls = readTlsFiles({ ...pki.server('relay'), ca: pki.kioskCa, crl: pki.kioskCrl });
    server = createMtlsServer(tls, app);
    server.on('secureConnection', (socket: TLSSocket & { conn: number }) => {
      // Count the real calls on this connection (the real method still answers).
      const conn = peerCertReads.push(0) - 1;
      socket.conn = conn;
      const real = socket.getPeerCertificate.bind(socket);
      socket.getPeerCertificate = ((detailed?: boolean) => {
        peerCertReads[conn]!++;
        return real(detailed as true);
      }) as TLSSocket['getPeerCertificate'];
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** One kiosk's client with a single kept-alive connection, so its requests share it. */
  const agentOf = (kioskId: string) => {
    const a = new MtlsJsonClient({
      baseUrl: url,
      tls: { cert: readFileSync(pki.kiosk(kioskId).cert, 'utf8'), key: readFileSync(pki.kiosk(kioskId).key, 'utf8'), ca: readFileSync(pki.serverCa, 'utf8') },
      pool: { keepAlive: true, maxSockets: 1 },
      timeoutMs: 30_000,
    });
    agents.push(a);
    return a;
  };
  const whoami = (agent: MtlsJsonClient) => agent.json<{ conn: number; cn: string; ou: string; serial: string }>('GET', '/whoami');

  it('reads the peer certificate once for every request of a keep-alive connection', async () => {
    const agent = agentOf('KIOSK-0001');
    const first = await whoami(agent);
    const second = await whoami(agent);
    const third = await whoami(agent);
    expect(second.conn).toBe(first.conn);
    expect(third.conn).toBe(first.conn);
    expect(first).toMatchObject({ cn: 'KIOSK-0001', ou: 'STORE-TOKYO-001' });
    expect(first.serial).toMatch(/^[0-9A-F]+$/i);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    // One read of the certificate for the connection, and the very same identity for each request.
    expect(peerCertReads[first.conn]).toBe(1);
    const ids = seen.filter((s) => s.conn === first.conn).map((s) => s.id);
    expect(ids).toHaveLength(3);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]);
    expect(Object.isFrozen(ids[0])).toBe(true);
  });

  it('gives another connection with another kiosk certificate its own identity', async () => {
    const one = await whoami(agentOf('KIOSK-0001'));
    const two = await whoami(agentOf('KIOSK-0002'));
    const twoAgain = await whoami(agents.at(-1)!);
    expect(two.conn).not.toBe(one.conn);
    expect(twoAgain.conn).toBe(two.conn);
    expect(two.cn).toBe('KIOSK-0002');
    expect(two.ou).not.toBe(one.ou);
    expect(two.serial).not.toBe(one.serial);
    expect(twoAgain).toEqual(two);
    expect(peerCertReads[one.conn]).toBe(1);
    expect(peerCertReads[two.conn]).toBe(1);
    const idOf = (conn: number) => seen.find((s) => s.conn === conn)!.id;
    expect(idOf(two.conn)).not.toBe(idOf(one.conn));
    expect(idOf(one.conn)).toMatchObject({ cn: 'KIOSK-0001', serial: one.serial });
  });
});
