import { createHash } from 'node:crypto';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { AppError } from '../../../services/common/errors.js';
import { createLogger } from '../../../services/common/logger.js';
import { ownedBytes } from '../../../services/certificate/owned-bytes.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { loadCertificateKeys } from '../../../services/certificate/keys.js';
import { createRenderPool, type RenderPool } from '../../../services/certificate/render-pool.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { domesticRecord, overseasRecord } from './fixtures.js';

// The pool's workers read the generated PKI under certs/out (made by the test setup).
const pki = pkiPaths();
const issuerUrl = 'https://localhost:8443/issuer';
let pool: RenderPool;
const clock = new ManualClock(new Date('2026-01-02T03:04:05Z'));

beforeAll(() => {
  pool = createRenderPool({ pkiRoot: pki.root, shcIssuerUrl: issuerUrl }, { size: 2, clock });
});
afterAll(async () => {
  await pool.close();
});

describe('certificate render pool (worker threads)', () => {
  it('builds in a worker a certificate that verifies under the published keys, signed at the pool clock', async () => {
    const record = domesticRecord();
    const built = await pool.build(record, { copies: 2 });
    expect(built.certificateId).toBe(record.certificateId);
    expect(Buffer.isBuffer(built.pdf)).toBe(true);
    // The bytes came over as a buffer of their own (transferred), not a view into a shared pool.
    expect(built.pdf.byteOffset).toBe(0);
    expect(built.pdf.buffer.byteLength).toBe(built.pdf.byteLength);
    expect(built.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(built.digest.hex).toBe(createHash('sha256').update(built.pdf).digest('hex'));
    expect(built.pages).toBe(2);
    const { shcJwks } = await loadCertificateKeys(pki);
    const verified = await verifyShc(built.shc, { jwks: shcJwks, expectedIssuer: issuerUrl });
    expect(verified.issuer).toBe(issuerUrl);
    expect(verified.patient.birthDate).toBe(record.person.birthDate);
    expect(verified.immunizations.map((i) => i.lot)).toEqual(record.doses.map((d) => d.lot));
    expect(verified.nbf).toBe(Math.floor(clock.now().getTime() / 1000));
  });

  it("keeps concurrent jobs apart: each answer is its own record's", async () => {
    const records = Array.from({ length: 8 }, (_, i) => domesticRecord({ certificateId: `POOL${String(i).padStart(4, '0')}` }));
    const built = await Promise.all(records.map((r) => pool.build(r)));
    expect(built.map((b) => b.certificateId)).toEqual(records.map((r) => r.certificateId));
    expect(new Set(built.map((b) => b.digest.hex)).size).toBe(records.length);
  });

  it('returns a refusal from the worker as the same coded error', async () => {
    const record = overseasRecord();
    delete record.person.passport;
    await expect(pool.build(record)).rejects.toMatchObject({ code: 'ERR_CERTIFICATE_DATA', status: 422 });
  });
});

describe('render pool: a worker thread that dies', () => {
  const dieClock = new ManualClock(new Date('2026-01-02T03:04:05Z'));
  const workers: Worker[] = [];
  const lines: string[] = [];
  let crashy: RenderPool;

  beforeAll(() => {
    crashy = createRenderPool(
      { pkiRoot: pki.root, shcIssuerUrl: issuerUrl },
      {
        size: 1,
        clock: dieClock,
        maxRespawns: 2,
        respawnWindowMs: 60_000,
        log: createLogger({ service: 'test', destination: { write: (l: string) => lines.push(l) } }),
        onWorker: (w) => workers.push(w),
      },
    );
  });
  afterAll(async () => {
    await crashy.close();
  });

  it('fails the jobs of a dead thread with ERR_INTERNAL, starts a new thread and builds on it', async () => {
    const first = workers[0]!;
    const lost = crashy.build(domesticRecord({ certificateId: 'DIE00001' }));
    await first.terminate();
    const err = await lost.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'ERR_INTERNAL', status: 500, expose: false });
    // A new thread took the slot; the next job is built there.
    expect(workers).toHaveLength(2);
    expect(workers[1]!.threadId).not.toBe(first.threadId);
    const built = await crashy.build(domesticRecord({ certificateId: 'DIE00002' }));
    expect(built.certificateId).toBe('DIE00002');
    expect(built.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(crashy.stats()).toEqual({ size: 1, live: 1, deadSlots: [], respawns: 1 });
    expect(lines.some((l) => l.includes('"event":"render_worker_respawn"'))).toBe(true);
  });

  it('gives a slot up after too many deaths within the window (crash loop), and says so', async () => {
    // The earlier respawn is out of the window: two more are allowed.
    dieClock.advance(61_000);
    await workers[1]!.terminate();
    await workers[2]!.terminate();
    expect(workers).toHaveLength(4);
    expect(crashy.stats()).toMatchObject({ live: 1, deadSlots: [], respawns: 3 });
    expect((await crashy.build(domesticRecord({ certificateId: 'DIE00003' }))).certificateId).toBe('DIE00003');
    // A third death within the minute: the slot stays dead.
    await workers[3]!.terminate();
    expect(workers).toHaveLength(4);
    expect(crashy.stats()).toEqual({ size: 1, live: 0, deadSlots: [0], respawns: 3 });
    expect(lines.filter((l) => l.includes('"event":"render_worker_dead"'))).toHaveLength(1);
    await expect(crashy.build(domesticRecord())).rejects.toMatchObject({ code: 'ERR_INTERNAL', status: 500 });
  });
});

describe('ownedBytes (what a worker transfers)', () => {
  it("copies a slice of the shared pool, so transferring it leaves the thread's other Buffers alone", () => {
    const small = Buffer.from('a small document');
    const neighbour = Buffer.from('another buffer in the same pool');
    expect(small.buffer).toBe(neighbour.buffer);
    const owned = ownedBytes(small);
    expect(owned).not.toBe(small);
    expect(owned.byteOffset).toBe(0);
    expect(owned.buffer.byteLength).toBe(small.length);
    expect(Buffer.from(owned).equals(small)).toBe(true);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(owned, [owned.buffer]);
    port1.close();
    port2.close();
    expect(owned.byteLength).toBe(0);
    expect(small.toString()).toBe('a small document');
    expect(neighbour.toString()).toBe('another buffer in the same pool');
  });

  it('hands on, uncopied, bytes that own their buffer', () => {
    const big = Buffer.concat([Buffer.alloc(30_000, 1), Buffer.alloc(30_000, 2)]);
    expect(big.buffer.byteLength).toBe(big.length);
    expect(ownedBytes(big)).toBe(big);
  });
});
