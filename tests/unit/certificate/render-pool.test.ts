import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
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

  it('keeps concurrent jobs apart: each answer is its own record\'s', async () => {
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
