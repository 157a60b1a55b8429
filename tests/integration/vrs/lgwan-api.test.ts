import { readFileSync } from 'node:fs';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoResidents } from '../../../certs/demo-cast.js';
import { certificateRecordSchema, lookupResponseSchema } from '../../../services/common/lgwan-contract.js';
import { MtlsJsonClient } from '../../../services/common/mtls-json-client.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { loadVrsConfig } from '../../../services/vrs/config.js';
import { createLgwanApp, RELAY_CLIENT_CN } from '../../../services/vrs/lgwan/lgwan-app.js';
import { startVrs, type RunningVrs } from '../../../services/vrs/server.js';
import { DB_KINDS, freshVrsDatabase } from '../../helpers/vrs-db.js';

const pki = pkiPaths();
const myNumber = demoResidents.find((r) => r.slug === 'nakamura-yuko')!.myNumber;

interface Answer {
  status: number;
  body: string;
}

/** One HTTPS request on a connection of its own with the given client certificate (or none); resolves with the answer or rejects on a refused handshake. */
async function call(url: string, path: string, body: unknown, client?: { cert: string; key: string }): Promise<Answer> {
  const http = new MtlsJsonClient({
    baseUrl: url,
    tls: { ...(client ? { cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') } : {}), ca: readFileSync(pki.serverCa, 'utf8') },
    pool: { keepAlive: false },
    timeoutMs: 30_000,
  });
  try {
    const answer = await http.send('POST', path, { body });
    return { status: answer.status, body: answer.body.toString('utf8') };
  } finally {
    http.close();
  }
}

/** A refusal is either a failed handshake or a 403 problem. */
async function expectRefused(p: Promise<Answer>): Promise<void> {
  const outcome = await p.then(
    (a) => a,
    (e: unknown) => e as Error,
  );
  if (outcome instanceof Error) return;
  expect(outcome.status).toBe(403);
  expect(JSON.parse(outcome.body)).toMatchObject({ code: 'ERR_CLIENT_CERT' });
}

describe.each(DB_KINDS)('VRS LGWAN API over mTLS (%s)', (kind) => {
  let vrs: RunningVrs;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshVrsDatabase(kind, inject('databaseUrl'));
    drop = fresh.drop;
    const config = loadVrsConfig({ PKI_DIR: pki.root, VRS_PORT: '0', PORTAL_PORT: '0', LOG_LEVEL: 'silent', DEMO_PASSWORD: 'demo-password-1' });
    vrs = await startVrs(config, { db: fresh.db });
  });
  afterAll(async () => {
    await vrs?.close();
    await drop?.();
  });

  it("accepts the relay's LGWAN client certificate: lookup, certificate, completion", async () => {
    const lookup = await call(vrs.lgwanUrl, '/lgwan/v1/holders/lookup', { myNumber }, pki.relayLgwanClient);
    expect(lookup.status).toBe(200);
    expect(lookupResponseSchema.parse(JSON.parse(lookup.body)).municipalities[0]).toMatchObject({ code: '162027', domestic: true, overseas: true });
    const cert = await call(vrs.lgwanUrl, '/lgwan/v1/certificates', { myNumber, municipality: '162027', kind: 'overseas' }, pki.relayLgwanClient);
    expect(cert.status).toBe(201);
    const record = certificateRecordSchema.parse(JSON.parse(cert.body));
    const notice = {
      certificateId: record.certificateId,
      municipality: '162027',
      kind: 'overseas',
      copies: 1,
      fee: 120,
      kioskId: 'KIOSK-0003',
      storeId: 'STORE-TOYAMA-003',
      issuedAt: new Date().toISOString(),
    };
    const first = await call(vrs.lgwanUrl, '/lgwan/v1/completions', notice, pki.relayLgwanClient);
    const second = await call(vrs.lgwanUrl, '/lgwan/v1/completions', notice, pki.relayLgwanClient);
    expect([first.status, JSON.parse(first.body).status]).toEqual([200, 'recorded']);
    expect([second.status, JSON.parse(second.body).status]).toEqual([200, 'duplicate']);
  });

  it('releases an unprinted reservation once, never an issued one, and never issues a released one', async () => {
    const reserve = async () =>
      certificateRecordSchema.parse(
        JSON.parse((await call(vrs.lgwanUrl, '/lgwan/v1/certificates', { myNumber, municipality: '162027', kind: 'domestic' }, pki.relayLgwanClient)).body),
      );
    const released = await reserve();
    const release = {
      type: 'release',
      certificateId: released.certificateId,
      municipality: '162027',
      kind: 'domestic',
      outcome: 'cancelled',
      releasedAt: new Date().toISOString(),
    };
    const first = await call(vrs.lgwanUrl, '/lgwan/v1/releases', release, pki.relayLgwanClient);
    const again = await call(vrs.lgwanUrl, '/lgwan/v1/releases', release, pki.relayLgwanClient);
    expect([first.status, JSON.parse(first.body).status]).toEqual([200, 'released']);
    expect([again.status, JSON.parse(again.body).status]).toEqual([200, 'duplicate']);
    const notice = {
      certificateId: released.certificateId,
      municipality: '162027',
      kind: 'domestic',
      copies: 1,
      fee: 120,
      kioskId: 'KIOSK-0003',
      storeId: 'STORE-TOYAMA-003',
      issuedAt: new Date().toISOString(),
    };
    const late = await call(vrs.lgwanUrl, '/lgwan/v1/completions', notice, pki.relayLgwanClient);
    expect([late.status, JSON.parse(late.body).code]).toEqual([409, 'ERR_RESERVATION_STATE']);

    const issued = await reserve();
    await call(vrs.lgwanUrl, '/lgwan/v1/completions', { ...notice, certificateId: issued.certificateId }, pki.relayLgwanClient);
    const refused = await call(vrs.lgwanUrl, '/lgwan/v1/releases', { ...release, certificateId: issued.certificateId }, pki.relayLgwanClient);
    expect([refused.status, JSON.parse(refused.body).code]).toEqual([409, 'ERR_RESERVATION_STATE']);
    // Another municipality's reservation is not found from this one (row-level security).
    const foreign = await call(vrs.lgwanUrl, '/lgwan/v1/releases', { ...release, municipality: '131016' }, pki.relayLgwanClient);
    expect(foreign.status).toBe(404);

    // The period query: every municipality's reservations, nothing personal.
    const q = await call(
      vrs.lgwanUrl,
      '/lgwan/v1/issuances/query',
      { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 3600_000).toISOString() },
      pki.relayLgwanClient,
    );
    expect(q.status).toBe(200);
    const items = JSON.parse(q.body).items as Array<Record<string, unknown>>;
    expect(items.find((i) => i.certificateId === released.certificateId)).toMatchObject({ status: 'released', municipality: '162027' });
    expect(items.find((i) => i.certificateId === issued.certificateId)).toMatchObject({ status: 'issued', fee: 120, kioskId: 'KIOSK-0003' });
    for (const i of items)
      expect(Object.keys(i).sort()).toEqual([
        'certificateId',
        'channel',
        'copies',
        'fee',
        'issuedAt',
        'kind',
        'kioskId',
        'municipality',
        'releasedAt',
        'reservedAt',
        'status',
        'storeId',
      ]);
    expect(q.body).not.toContain(myNumber);
    expect(q.body).not.toContain('中村');
  });

  it('refuses a kiosk certificate (kiosk CA, not the LGWAN CA)', async () => {
    await expectRefused(call(vrs.lgwanUrl, '/lgwan/v1/holders/lookup', { myNumber }, pki.kiosk('KIOSK-0001')));
  });

  it('refuses a connection without a client certificate', async () => {
    await expectRefused(call(vrs.lgwanUrl, '/lgwan/v1/holders/lookup', { myNumber }));
  });

  it('answers problem+json with the code for a holder without records', async () => {
    const none = demoResidents.find((r) => r.slug === 'kobayashi-jun')!.myNumber;
    const a = await call(vrs.lgwanUrl, '/lgwan/v1/holders/lookup', { myNumber: none }, pki.relayLgwanClient);
    expect(a.status).toBe(404);
    expect(JSON.parse(a.body)).toMatchObject({ code: 'ERR_NO_RECORDS', status: 404 });
    expect(a.body).not.toContain(none);
  });
});

describe('LGWAN app request handling', () => {
  let app: ReturnType<typeof createLgwanApp>;
  let lines: string[];
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshVrsDatabase('pglite');
    drop = fresh.drop;
    lines = [];
    const { createLogger } = await import('../../../services/common/logger.js');
    const log = createLogger({ service: 'vrs-test', destination: { write: (s: string) => void lines.push(s) } });
    const { randomBytes } = await import('node:crypto');
    const { systemClock } = await import('../../../services/common/clock.js');
    app = createLgwanApp(
      { db: fresh.db, keys: { master: randomBytes(32), lookup: randomBytes(32) }, clock: systemClock, log, mailDir: '/tmp' },
      {
        identify: (req) => {
          const cn = req.get('x-test-cn');
          return cn ? { cn, ou: undefined, serial: '01' } : undefined;
        },
      },
    );
  });
  afterAll(async () => {
    await drop?.();
  });

  it('refuses another client name with 403 ERR_CLIENT_CERT', async () => {
    const r = await supertest(app).post('/lgwan/v1/holders/lookup').set('x-test-cn', 'KIOSK-0001').send({ myNumber });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'ERR_CLIENT_CERT' });
  });

  it('answers 400 with field paths but no values for a body outside the contract', async () => {
    const r = await supertest(app)
      .post('/lgwan/v1/certificates')
      .set('x-test-cn', RELAY_CLIENT_CN)
      .send({ myNumber: '12345', municipality: '162027', kind: 'abroad', extra: 'x' });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe('ERR_BAD_REQUEST');
    expect(r.body.fields).toEqual(expect.arrayContaining(['myNumber', 'kind']));
    expect(JSON.stringify(r.body)).not.toContain('12345');
    expect(r.body.instance).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over the limit with 413', async () => {
    const r = await supertest(app)
      .post('/lgwan/v1/holders/lookup')
      .set('x-test-cn', RELAY_CLIENT_CN)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ myNumber, pad: 'x'.repeat(20_000) }));
    expect(r.status).toBe(413);
  });

  it('logs request ids and statuses but never a My Number', async () => {
    await supertest(app).post('/lgwan/v1/holders/lookup').set('x-test-cn', RELAY_CLIENT_CN).send({ myNumber });
    const text = lines.join('');
    expect(text).toContain('lgwan request');
    expect(text).not.toContain(myNumber);
  });
});
