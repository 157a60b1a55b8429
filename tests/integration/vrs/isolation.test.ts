import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withMunicipality, withoutMunicipality } from '../../../services/vrs/db/database.js';
import { importCsv } from '../../../services/vrs/imports/import-csv.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { csv, PASSPORT_HEADER, RESIDENT_HEADER, VACCINATION_HEADER, vrsFixture, type VrsFixture } from './vrs-fixture.js';

const A = '131016';
const B = '162027';
const TABLES = ['residents', 'my_number_links', 'vaccinations', 'passports', 'certificate_issuances', 'completion_notices', 'staff_audit'] as const;

/** ARCHITECTURE invariant 6: one municipality's data is invisible to another, enforced by the database. */
describe.each(DB_KINDS)('municipality isolation by row-level security (%s)', (kind) => {
  let f: VrsFixture;
  beforeAll(async () => {
    f = await vrsFixture(kind, inject('databaseUrl'));
    for (const [code, atena, mn] of [
      [A, '100000000000001', '314159265352'],
      [B, '200000000000001', '271828182840'],
    ] as const) {
      expect((await importCsv(f.deps, code, 'residents', csv(RESIDENT_HEADER, `${atena},${mn},姓,名,セイ,メイ,19800401,1,,`))).ok).toBe(true);
      expect((await importCsv(f.deps, code, 'vaccinations', csv(VACCINATION_HEADER, `${atena},1,20210601,mRNA,m,p,L1,0.3,v,${code}`))).ok).toBe(true);
      expect((await importCsv(f.deps, code, 'passports', csv(PASSPORT_HEADER, `${atena},SEI MEI,JPN,TK0000001,`))).ok).toBe(true);
      await withMunicipality(f.db, code, async (tx) => {
        await tx.query(
          `INSERT INTO certificate_issuances (certificate_id, municipality_code, atena_number, kind, source) VALUES ($1, $2, $3, 'domestic', '{}')`,
          [`CERT${code}`, code, atena],
        );
        await tx.query(`INSERT INTO completion_notices (certificate_id, municipality_code, notice) VALUES ($1, $2, '{}')`, [`CERT${code}`, code]);
        await tx.query(`INSERT INTO staff_audit (municipality_code, action) VALUES ($1, 'test')`, [code]);
      });
    }
  });
  afterAll(async () => {
    await f?.drop();
  });

  const count = async (table: string) =>
    Number((await f.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE municipality_code = '${B}'`)).rows[0]!.n);

  it.each(TABLES)("%s: code connected for one municipality reads none of another's rows, even asking by code", async (table) => {
    const rows = await withMunicipality(f.db, A, async (tx) => (await tx.query<{ municipality_code: string }>(`SELECT municipality_code FROM ${table}`)).rows);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.municipality_code === A)).toBe(true);
    const other = await withMunicipality(f.db, A, async (tx) => (await tx.query(`SELECT * FROM ${table} WHERE municipality_code = $1`, [B])).rows);
    expect(other).toEqual([]);
  });

  it.each(TABLES)('%s: UPDATE and DELETE aimed at another municipality change nothing', async (table) => {
    const before = await count(table);
    const updated = await withMunicipality(f.db, A, (tx) =>
      tx.query(`UPDATE ${table} SET municipality_code = municipality_code WHERE municipality_code = $1`, [B]),
    );
    const deleted = await withMunicipality(f.db, A, (tx) => tx.query(`DELETE FROM ${table} WHERE municipality_code = $1`, [B]));
    expect(updated.rowCount).toBe(0);
    expect(deleted.rowCount).toBe(0);
    expect(await count(table)).toBe(before);
  });

  it.each(TABLES)("%s: INSERT with another municipality's code is refused", async (table) => {
    const values: Record<(typeof TABLES)[number], [string, unknown[]]> = {
      residents: ['INSERT INTO residents (municipality_code, atena_number) VALUES ($1, $2)', [B, '200000000000099']],
      my_number_links: [
        "INSERT INTO my_number_links (municipality_code, atena_number, my_number_hmac, my_number_enc) VALUES ($1, $2, '\\x00', '\\x00')",
        [B, '200000000000001'],
      ],
      vaccinations: [
        "INSERT INTO vaccinations (municipality_code, atena_number, dose, vaccinated_on, vaccine_type, maker, product, lot) VALUES ($1, $2, 9, '2022-01-01', 'x', 'x', 'x', 'x')",
        [B, '200000000000001'],
      ],
      passports: [
        "INSERT INTO passports (municipality_code, atena_number, name_roman, nationality, passport_number) VALUES ($1, $2, 'X', 'JPN', 'X1')",
        [B, '200000000000001'],
      ],
      certificate_issuances: [
        "INSERT INTO certificate_issuances (certificate_id, municipality_code, atena_number, kind, source) VALUES ('EVIL1', $1, $2, 'domestic', '{}')",
        [B, '200000000000001'],
      ],
      completion_notices: ["INSERT INTO completion_notices (certificate_id, municipality_code, notice) VALUES ('EVIL2', $1, '{}')", [B]],
      staff_audit: ["INSERT INTO staff_audit (municipality_code, action) VALUES ($1, 'evil')", [B]],
    };
    const [sql, params] = values[table];
    const before = await count(table);
    await expect(withMunicipality(f.db, A, (tx) => tx.query(sql, params))).rejects.toThrow(/row-level security/);
    expect(await count(table)).toBe(before);
  });

  it('refuses moving a row to another municipality by UPDATE', async () => {
    await expect(withMunicipality(f.db, A, (tx) => tx.query(`UPDATE residents SET municipality_code = $1`, [B]))).rejects.toThrow(/row-level security/);
  });

  it('lets a municipality change only its own municipalities row and its own index entries', async () => {
    const r = await withMunicipality(f.db, A, (tx) => tx.query('UPDATE municipalities SET suspended = true WHERE code = $1', [B]));
    expect(r.rowCount).toBe(0);
    const d = await withMunicipality(f.db, A, (tx) => tx.query('DELETE FROM my_number_index WHERE municipality_code = $1', [B]));
    expect(d.rowCount).toBe(0);
    await expect(
      withMunicipality(f.db, A, (tx) => tx.query("INSERT INTO my_number_index (my_number_hmac, municipality_code) VALUES ('\\x01', $1)", [B])),
    ).rejects.toThrow(/row-level security/);
  });

  it('shows no resident rows at all without a municipality', async () => {
    for (const t of TABLES) {
      const rows = await withoutMunicipality(f.db, async (tx) => (await tx.query(`SELECT 1 FROM ${t}`)).rows);
      expect(rows).toEqual([]);
    }
  });

  it('never stores a clear My Number in the My Number tables', async () => {
    const all = await f.db.query<Record<string, unknown>>('SELECT * FROM my_number_links');
    const index = await f.db.query<Record<string, unknown>>('SELECT * FROM my_number_index');
    const bytes = [...all.rows, ...index.rows].flatMap((r) => Object.values(r)).map((v) => (v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(String(v))));
    for (const mn of ['314159265352', '271828182840']) {
      for (const b of bytes) {
        expect(b.includes(Buffer.from(mn, 'ascii'))).toBe(false);
        expect(b.toString('hex').includes(Buffer.from(mn, 'ascii').toString('hex'))).toBe(false);
      }
    }
    // and no column of any table is named like a clear number
    const cols = await f.db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name ILIKE '%my_number%'",
    );
    expect(cols.rows.map((c) => c.column_name).sort()).toEqual(['my_number_enc', 'my_number_hmac', 'my_number_hmac']);
  });
});
