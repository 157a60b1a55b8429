import { encryptPassportNumber } from '../crypto/passport-number.js';
import type { Queryable } from '../db/database.js';
import type { ImportIssue, ImportRow } from './parse-rows.js';
import { batches } from './write-residents.js';

const str = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

/** Rows whose 個別宛名番号 is not registered in this municipality (a bad row each). */
export async function unknownAtenaIssues(tx: Queryable, code: string, rows: ImportRow[]): Promise<ImportIssue[]> {
  const atenas = [...new Set(rows.map((r) => r.values.atenaNumber as string))];
  const known = new Set<string>();
  for (const b of batches(atenas)) {
    // municipality_code = $1 lets the primary key (municipality_code, atena_number) serve the lookup.
    const { rows: found } = await tx.query<{ atena_number: string }>(
      'SELECT atena_number FROM residents WHERE municipality_code = $1 AND atena_number = ANY($2::text[])',
      [code, b],
    );
    for (const f of found) known.add(f.atena_number);
  }
  return rows
    .filter((r) => !known.has(r.values.atenaNumber as string))
    .map((r) => ({
      row: r.row,
      column: '個別宛名番号',
      code: 'UNKNOWN_ATENA_NUMBER',
      message: '個別宛名番号 not registered in this municipality (import residents first)',
    }));
}

async function countUpserts(tx: Queryable, sql: string, params: unknown[]): Promise<{ inserted: number; updated: number }> {
  const { rows } = await tx.query<{ inserted: boolean }>(sql, params);
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

/**
 * Upserts vaccination records keyed by (個別宛名番号, 接種回数). Required columns always overwrite;
 * an empty optional cell (接種量, 接種会場, 接種自治体コード) keeps the stored value.
 */
export async function writeVaccinations(tx: Queryable, code: string, rows: ImportRow[]): Promise<{ inserted: number; updated: number }> {
  const total = { inserted: 0, updated: 0 };
  for (const b of batches(rows)) {
    const v = (k: string) => b.map((r) => str(r.values[k]));
    const n = await countUpserts(
      tx,
      `INSERT INTO vaccinations AS t (municipality_code, atena_number, dose, vaccinated_on, vaccine_type, maker, product, lot, amount, venue, vaccination_municipality_code)
       SELECT $1, u.* FROM unnest($2::text[], $3::smallint[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS u(atena_number, dose, vaccinated_on, vaccine_type, maker, product, lot, amount, venue, vmc)
       ON CONFLICT (municipality_code, atena_number, dose) DO UPDATE SET
         vaccinated_on = EXCLUDED.vaccinated_on, vaccine_type = EXCLUDED.vaccine_type, maker = EXCLUDED.maker,
         product = EXCLUDED.product, lot = EXCLUDED.lot,
         amount = COALESCE(EXCLUDED.amount, t.amount), venue = COALESCE(EXCLUDED.venue, t.venue),
         vaccination_municipality_code = COALESCE(EXCLUDED.vaccination_municipality_code, t.vaccination_municipality_code),
         updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        code,
        v('atenaNumber'),
        b.map((r) => r.values.dose as number),
        v('date'),
        v('vaccineType'),
        v('maker'),
        v('product'),
        v('lot'),
        v('amount'),
        v('venue'),
        v('vaccinationMunicipality'),
      ],
    );
    total.inserted += n.inserted;
    total.updated += n.updated;
  }
  return total;
}

/**
 * Upserts passport data on file, keyed by 個別宛名番号; an empty 旧姓・別姓・別名 keeps the stored one.
 * The passport number is stored sealed with the municipality's data key, never in the clear.
 */
export async function writePassports(tx: Queryable, code: string, rows: ImportRow[], dataKey: Buffer): Promise<{ inserted: number; updated: number }> {
  const total = { inserted: 0, updated: 0 };
  for (const b of batches(rows)) {
    const v = (k: string) => b.map((r) => str(r.values[k]));
    const sealed = b.map((r) => encryptPassportNumber(dataKey, code, String(r.values.atenaNumber), String(r.values.passportNumber ?? '')).toString('hex'));
    const n = await countUpserts(
      tx,
      `INSERT INTO passports AS t (municipality_code, atena_number, name_roman, nationality, passport_number, passport_number_enc, other_name)
       SELECT $1, u.atena_number, u.name_roman, u.nationality, NULL, decode(u.enc, 'hex'), u.other_name
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(atena_number, name_roman, nationality, enc, other_name)
       ON CONFLICT (municipality_code, atena_number) DO UPDATE SET
         name_roman = EXCLUDED.name_roman, nationality = EXCLUDED.nationality, passport_number = NULL, passport_number_enc = EXCLUDED.passport_number_enc,
         other_name = COALESCE(EXCLUDED.other_name, t.other_name), updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [code, v('atenaNumber'), v('nameRoman'), v('nationality'), sealed, v('otherName')],
    );
    total.inserted += n.inserted;
    total.updated += n.updated;
  }
  return total;
}
