import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoResidents } from '../../certs/demo-cast.js';
import { reserveCertificate } from '../../services/vrs/records/certificate.js';
import { sealClearPassports } from '../../services/vrs/records/seal-passports.js';
import { seedDemo } from '../../services/vrs/seed/demo-seed.js';
import { vrsFixture, type VrsFixture } from '../integration/vrs/vrs-fixture.js';

/**
 * Issue 15, files: passport numbers are encrypted at rest like My Number, in `passports` and in
 * `certificate_issuances.source`; rows written in the clear before are sealed at the next start.
 * A certificate still carries the right number.
 */
describe('passport numbers at rest', () => {
  let f: VrsFixture;
  const sato = demoResidents.find((r) => r.slug === 'sato-hanako')!;
  // Kamagaya (122246) holds her records and the passport data of her counter issuance.
  const held = sato.records.find((r) => r.municipality === '122246')!;
  const number = held.passport!.passportNumber;
  const municipality = held.municipality;

  beforeAll(async () => {
    f = await vrsFixture('pglite', '', []);
    await seedDemo(f.deps, { demoPassword: 'demo-password-1' });
  });
  afterAll(async () => {
    await f?.drop();
  });

  const dump = async (sql: string) =>
    JSON.stringify((await f.db.query(sql)).rows, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));

  it('keeps them sealed in the passports table and in every issuance source, and issues the right one', async () => {
    expect(await dump('SELECT * FROM passports')).not.toContain(number);
    const { rows } = await f.db.query<{ passport_number: string | null; passport_number_enc: Uint8Array | null }>(
      'SELECT passport_number, passport_number_enc FROM passports',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.passport_number === null && r.passport_number_enc !== null)).toBe(true);

    const record = await reserveCertificate(f.deps, { myNumber: sato.myNumber, municipality, kind: 'overseas' });
    expect(record.person.passport?.passportNumber).toBe(number);
    const source = await dump(`SELECT source FROM certificate_issuances WHERE certificate_id = '${record.certificateId}'`);
    expect(source).not.toContain(number);
    expect(source).toContain('passportNumberEnc');
  });

  it('seals rows written in the clear before (an older database), once', async () => {
    const {
      rows: [p],
    } = await f.db.query<{ atena_number: string }>('SELECT atena_number FROM passports LIMIT 1');
    await f.db.query('UPDATE passports SET passport_number = $2, passport_number_enc = NULL WHERE atena_number = $1', [p!.atena_number, 'OLD1234567']);
    await f.db.query(
      `UPDATE certificate_issuances SET source = jsonb_set(source, '{person,passport,passportNumber}', '"OLD1234567"') WHERE source->'person' ? 'passport'`,
    );
    expect(await dump('SELECT * FROM passports')).toContain('OLD1234567');
    expect(await sealClearPassports(f.deps)).toBeGreaterThanOrEqual(2);
    expect(await dump('SELECT * FROM passports')).not.toContain('OLD1234567');
    expect(await dump('SELECT source FROM certificate_issuances')).not.toContain('OLD1234567');
    expect(await sealClearPassports(f.deps)).toBe(0);
  });
});
