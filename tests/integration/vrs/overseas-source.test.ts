import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { createLogger } from '../../../services/common/logger.js';
import { newWrappedDataKey } from '../../../services/vrs/crypto/data-keys.js';
import { openDatabase } from '../../../services/vrs/db/database.js';
import { migrate } from '../../../services/vrs/db/migrate.js';
import type { VrsDeps } from '../../../services/vrs/deps.js';
import { sealClearPassports } from '../../../services/vrs/records/seal-passports.js';
import { withMyNumberCheckDigit } from '../../../services/common/check-digits.js';
import { lookupResponseSchema } from '../../../services/common/lgwan-contract.js';
import { dataKeyFor } from '../../../services/vrs/crypto/data-keys.js';
import { decryptPassportNumber } from '../../../services/vrs/crypto/passport-number.js';
import { importCsv } from '../../../services/vrs/imports/import-csv.js';
import { reserveCertificate } from '../../../services/vrs/records/certificate.js';
import { lookupHolder } from '../../../services/vrs/records/lookup.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { csv, OVERSEAS_ISSUANCE_HEADER, PASSPORT_HEADER, RESIDENT_HEADER, snapshot, VACCINATION_HEADER, vrsFixture, type VrsFixture } from './vrs-fixture.js';

const CODE = '131016';
const CONTACTS = {
  '131016': { office: '千代田区 保健所 健康推進課', phone: '03-5211-0001' },
  '011002': { office: '札幌市 保健所 感染症総合対策課', phone: '011-622-0001' },
};

/** One test resident per case: 個別宛名番号 1000000000001nn and a My Number with a valid check digit. */
const person = (n: number) => ({
  atena: `1000000000001${String(n).padStart(2, '0')}`,
  myNumber: withMyNumberCheckDigit(`555000000${String(n).padStart(2, '0')}`),
});

/**
 * Issue 18, point 4: a kiosk's overseas certificate takes the passport data of the latest overseas
 * certificate issued at a municipal counter or in the app on or after 2022-07-21, when its passport
 * number is the one on file; the lookup says which rule stops it (`overseasDetail`) and carries the
 * municipality's 問合せ先 (`contact`).
 */
describe.each(DB_KINDS)('overseas passport data from counter and app issuances (%s)', (kind) => {
  let f: VrsFixture;
  const people = Array.from({ length: 10 }, (_, i) => person(i + 1));

  beforeAll(async () => {
    f = await vrsFixture(kind, inject('databaseUrl'), [
      { code: CODE, name: '千代田区', participates: true, contact: CONTACTS['131016'] },
      { code: '011002', name: '札幌市', participates: false, contact: CONTACTS['011002'] },
    ]);
    for (const code of [CODE, '011002']) {
      const res = await importCsv(
        f.deps,
        code,
        'residents',
        csv(
          RESIDENT_HEADER,
          ...people.map((p, i) => `${p.atena},${p.myNumber},試験,${i + 1}郎,シケン,イチロウ,19800401,1,13101601${String(i).padStart(2, '0')},`),
        ),
      );
      expect(res.ok).toBe(true);
      const doses = await importCsv(
        f.deps,
        code,
        'vaccinations',
        csv(VACCINATION_HEADER, ...people.map((p) => `${p.atena},1,20210601,mRNA,ファイザー,コミナティ筋注,FA5765,0.3,区役所,131016`)),
      );
      expect(doses.ok).toBe(true);
    }
  });
  afterAll(async () => {
    await f?.drop();
  });

  const entry = async (p: { myNumber: string }, code = CODE) =>
    lookupResponseSchema.parse(await lookupHolder(f.deps, p.myNumber)).municipalities.find((m) => m.code === code)!;
  const issuances = (...rows: string[]) => importCsv(f.deps, CODE, 'overseas-issuances', csv(OVERSEAS_ISSUANCE_HEADER, ...rows));
  const refusal = async (p: { myNumber: string }) =>
    reserveCertificate(f.deps, { myNumber: p.myNumber, municipality: CODE, kind: 'overseas' }).then(
      () => undefined,
      (e: unknown) => e as { code: string; extras?: Record<string, unknown> },
    );

  it('imports counter and app issuances with the passport numbers sealed at rest', async () => {
    const [a, b] = people;
    const report = await issuances(
      `${a!.atena},窓口,20220801,SHIKEN ICHIRO,JPN,TK1000001,,`,
      `${b!.atena},アプリ,2023/02/14,SHIKEN JIRO,JPN,TK1000002,旧姓 山本,AB12CD34`,
    );
    expect(report).toEqual({ ok: true, kind: 'overseas-issuances', encoding: 'utf-8', rows: 2, inserted: 2, updated: 0, errors: [] });
    const again = await issuances(`${a!.atena},counter,20220801,SHIKEN ICHIRO,JPN,TK1000001,,`);
    expect(again).toMatchObject({ ok: true, inserted: 0, updated: 1 });

    const { rows } = await f.db.query<Record<string, unknown> & { atena_number: string; passport_number: string | null; passport_number_enc: Uint8Array }>(
      "SELECT *, to_char(issued_on, 'YYYY-MM-DD') AS day FROM overseas_issuances WHERE atena_number = ANY($1::text[]) ORDER BY atena_number",
      [[a!.atena, b!.atena]],
    );
    expect(rows.map((r) => [r.channel, r.day, r.origin, r.certificate_id])).toEqual([
      ['counter', '2022-08-01', 'csv', null],
      ['app', '2023-02-14', 'csv', 'AB12CD34'],
    ]);
    const dump = JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(dump).not.toContain('TK1000001');
    expect(dump).not.toContain('TK1000002');
    expect(rows.every((r) => r.passport_number === null)).toBe(true);
    const key = await dataKeyFor(f.db, f.deps.keys.master, CODE);
    expect(decryptPassportNumber(key, CODE, b!.atena, Buffer.from(rows[1]!.passport_number_enc))).toBe('TK1000002');
    // The passport on file follows the issuance, sealed the same way.
    const onFile = await f.db.query<{ passport_number_enc: Uint8Array }>('SELECT passport_number_enc FROM passports WHERE atena_number = $1', [b!.atena]);
    expect(decryptPassportNumber(key, CODE, b!.atena, Buffer.from(onFile.rows[0]!.passport_number_enc))).toBe('TK1000002');

    expect(await entry(a!)).toMatchObject({ domestic: true, overseas: true, contact: CONTACTS['131016'] });
    expect((await entry(b!)).overseasDetail).toBeUndefined();
    // The app channel counts; the certificate prints that issuance's passport data.
    const record = await reserveCertificate(f.deps, { myNumber: b!.myNumber, municipality: CODE, kind: 'overseas' });
    expect(record.person.passport).toEqual({ nameRoman: 'SHIKEN JIRO', nationality: 'JPN', passportNumber: 'TK1000002', otherName: '旧姓 山本' });
  });

  it('rejects the whole file for one bad row, naming every bad row and column', async () => {
    const [, , c, d] = people;
    const before = await snapshot(f.db);
    const report = await issuances(
      `${c!.atena},窓口,20220901,SHIKEN SABURO,JPN,TK1000003,,`,
      `${d!.atena},郵送,20220901,SHIKEN SHIRO,JPN,TK1000004,,`,
      `${d!.atena},窓口,20210701,SHIKEN SHIRO,JPN,TK1000004,,`,
      `999999999999999,窓口,20220901,NOBODY,JPN,TK1000009,,`,
      `${c!.atena},アプリ,20220902,SHIKEN SABURO,JP,TK-1,,`,
    );
    expect(report.ok).toBe(false);
    expect(report.inserted).toBe(0);
    expect(report.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, '交付方法', 'BAD_CHANNEL'],
      [4, '交付日', 'DATE_BEFORE_SERVICE'],
      [5, '個別宛名番号', 'UNKNOWN_ATENA_NUMBER'],
      [6, '国籍', 'BAD_NATIONALITY'],
      [6, '旅券番号', 'BAD_PASSPORT_NUMBER'],
    ]);
    expect(JSON.stringify(report)).not.toContain('TK1000003');
    expect(await snapshot(f.db)).toEqual(before);
    expect((await entry(c!)).overseasDetail).toBe('no_passport_on_file');
  });

  it('counts an issuance from 2022-07-21 on, not one of the day before', async () => {
    const [, , , , e, g] = people;
    await issuances(`${e!.atena},窓口,20220720,SHIKEN GORO,JPN,TK1000005,,`, `${g!.atena},窓口,20220721,SHIKEN ROKURO,JPN,TK1000006,,`);
    expect(await entry(e!)).toMatchObject({
      domestic: true,
      overseas: false,
      overseasUnavailableReason: 'no_passport_on_file',
      overseasDetail: 'no_counter_issuance',
    });
    expect(await refusal(e!)).toMatchObject({ code: 'ERR_NO_PASSPORT_ON_FILE', extras: { overseasDetail: 'no_counter_issuance' } });
    expect(await entry(g!)).toMatchObject({ domestic: true, overseas: true });
    expect((await entry(g!)).overseasDetail).toBeUndefined();
    // A later counter issuance lifts the refusal.
    await issuances(`${e!.atena},窓口,20230105,SHIKEN GORO,JPN,TK1000005,,`);
    expect(await entry(e!)).toMatchObject({ overseas: true });
  });

  it('refuses after a passport change until the counter issues with the new passport', async () => {
    const h = people[6]!;
    await issuances(`${h.atena},窓口,20220905,SHIKEN HACHIRO,JPN,TK1000007,,`);
    expect(await entry(h)).toMatchObject({ overseas: true });
    // The municipality records the new passport on file: the last counter issuance printed the old one.
    expect((await importCsv(f.deps, CODE, 'passports', csv(PASSPORT_HEADER, `${h.atena},SHIKEN HACHIRO,JPN,TM2000007,`))).ok).toBe(true);
    expect(await entry(h)).toMatchObject({
      domestic: true,
      overseas: false,
      overseasUnavailableReason: 'no_passport_on_file',
      overseasDetail: 'passport_changed',
    });
    expect(await refusal(h)).toMatchObject({ code: 'ERR_NO_PASSPORT_ON_FILE', extras: { overseasDetail: 'passport_changed' } });
    // An older issuance imported afterwards does not take the file back to the old passport.
    await issuances(`${h.atena},アプリ,20220810,SHIKEN HACHIRO,JPN,TK1000007,,`);
    expect((await entry(h)).overseasDetail).toBe('passport_changed');
    // The counter issues with the new passport: kiosks issue overseas again, with it.
    await issuances(`${h.atena},窓口,20240210,SHIKEN HACHIRO,JPN,TM2000007,,`);
    expect(await entry(h)).toMatchObject({ overseas: true });
    const record = await reserveCertificate(f.deps, { myNumber: h.myNumber, municipality: CODE, kind: 'overseas' });
    expect(record.person.passport?.passportNumber).toBe('TM2000007');
  });

  it('counts a row of the passport CSV as a counter issuance dated at import for a resident without imported issuances', async () => {
    const [, , , , , , , i, j] = people;
    // Imported on 2024-03-01 (the fixture's clock): qualifies.
    expect((await importCsv(f.deps, CODE, 'passports', csv(PASSPORT_HEADER, `${i!.atena},SHIKEN KURO,JPN,TK1000008,`))).ok).toBe(true);
    expect(await entry(i!)).toMatchObject({ overseas: true });
    const { rows } = await f.db.query<{ channel: string; day: string; origin: string }>(
      "SELECT channel, to_char(issued_on, 'YYYY-MM-DD') AS day, origin FROM overseas_issuances WHERE atena_number = $1",
      [i!.atena],
    );
    expect(rows).toEqual([{ channel: 'counter', day: '2024-03-01', origin: 'passport_csv' }]);
    // Imported before 2022-07-21: that counter issuance does not qualify.
    const now = f.clock.now();
    f.clock.set(new Date('2022-07-01T03:00:00Z'));
    try {
      expect((await importCsv(f.deps, CODE, 'passports', csv(PASSPORT_HEADER, `${j!.atena},SHIKEN JURO,JPN,TK1000010,`))).ok).toBe(true);
    } finally {
      f.clock.set(now);
    }
    expect((await entry(j!)).overseasDetail).toBe('no_counter_issuance');
  });

  it('carries the 問合せ先 of every municipality, also one that does not take part', async () => {
    const p = people[0]!;
    const res = lookupResponseSchema.parse(await lookupHolder(f.deps, p.myNumber));
    expect(res.municipalities.map((m) => [m.code, m.unavailableReason ?? null, m.contact])).toEqual([
      ['011002', 'not_participating', CONTACTS['011002']],
      [CODE, null, CONTACTS['131016']],
    ]);
    // Not taking part: no overseas detail, the refusal is the municipality's.
    expect(res.municipalities[0]!.overseasDetail).toBeUndefined();
  });
});

describe('migration 009 on a database with passports on file', () => {
  it('turns each passport row into a counter issuance dated at its import, so kiosk overseas keeps working', async () => {
    const db = await openDatabase({});
    try {
      const deps: VrsDeps = {
        db,
        keys: { master: randomBytes(32), lookup: randomBytes(32) },
        clock: new ManualClock(new Date('2024-03-01T01:00:00Z')),
        log: createLogger({ service: 'vrs-test', level: 'silent' }),
        mailDir: '/tmp/vrs-test-mail',
      };
      // The schema as released up to 008, as a deployed database holds it.
      await db.exec('CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const dir = 'services/vrs/db/migrations';
      for (const file of readdirSync(dir)
        .filter((n) => /^00[1-8]_.+\.sql$/.test(n))
        .sort()) {
        await db.exec(`BEGIN;\n${readFileSync(join(dir, file), 'utf8')}\n;INSERT INTO schema_migrations (name) VALUES ('${file}');\nCOMMIT;`);
      }
      await db.query('INSERT INTO municipalities (code, name, participates, data_key_wrapped) VALUES ($1, $2, true, $3)', [
        CODE,
        '千代田区',
        newWrappedDataKey(deps.keys.master, CODE),
      ]);
      const p = person(1);
      expect(
        (await importCsv(deps, CODE, 'residents', csv(RESIDENT_HEADER, `${p.atena},${p.myNumber},試験,太郎,シケン,タロウ,19800401,1,1310160001,`))).ok,
      ).toBe(true);
      expect(
        (await importCsv(deps, CODE, 'vaccinations', csv(VACCINATION_HEADER, `${p.atena},1,20210601,mRNA,ファイザー,コミナティ筋注,FA5765,0.3,区役所,131016`)))
          .ok,
      ).toBe(true);
      // A row from before migration 007, still in the clear, imported on 2023-05-10 (JST).
      await db.query(
        "INSERT INTO passports (municipality_code, atena_number, name_roman, nationality, passport_number, updated_at) VALUES ($1, $2, 'SHIKEN TARO', 'JPN', 'TK0000001', '2023-05-09T16:00:00Z')",
        [CODE, p.atena],
      );

      expect(await migrate(db)).toEqual(['009_overseas_sources_contacts.sql']);
      const { rows } = await db.query<{ channel: string; day: string; origin: string; passport_number: string | null }>(
        "SELECT channel, to_char(issued_on, 'YYYY-MM-DD') AS day, origin, passport_number FROM overseas_issuances",
      );
      expect(rows).toEqual([{ channel: 'counter', day: '2023-05-10', origin: 'migration', passport_number: 'TK0000001' }]);
      // The start-up sealing reaches the copy too.
      expect(await sealClearPassports(deps)).toBe(2);
      const after = await db.query<{ passport_number: string | null }>('SELECT passport_number FROM overseas_issuances');
      expect(after.rows).toEqual([{ passport_number: null }]);
      const m = (await lookupHolder(deps, p.myNumber)).municipalities[0];
      expect(m).toMatchObject({ domestic: true, overseas: true });
      const record = await reserveCertificate(deps, { myNumber: p.myNumber, municipality: CODE, kind: 'overseas' });
      expect(record.person.passport?.passportNumber).toBe('TK0000001');
    } finally {
      await db.close();
    }
  });
});
