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
 * The passport number is stored sealed with the municipality's data key, never in the clear. The
 * data on file dates from `today` (the JST day of the import). A row of a resident with no
 * issuance from the overseas-issuances import counts as a counter issuance dated `today` (what this
 * file meant before issue 18, so a municipality that sends only this file keeps its residents'
 * kiosk overseas certificates); for a resident with such issuances it only changes the passport
 * on file (a new passport: the resident goes to the counter before a kiosk issues overseas again).
 */
export async function writePassports(
  tx: Queryable,
  code: string,
  rows: ImportRow[],
  dataKey: Buffer,
  today: string,
): Promise<{ inserted: number; updated: number }> {
  const total = { inserted: 0, updated: 0 };
  for (const b of batches(rows)) {
    const v = (k: string) => b.map((r) => str(r.values[k]));
    const sealed = b.map((r) => encryptPassportNumber(dataKey, code, String(r.values.atenaNumber), String(r.values.passportNumber ?? '')).toString('hex'));
    const n = await countUpserts(
      tx,
      `INSERT INTO passports AS t (municipality_code, atena_number, name_roman, nationality, passport_number, passport_number_enc, other_name, recorded_on)
       SELECT $1, u.atena_number, u.name_roman, u.nationality, NULL, decode(u.enc, 'hex'), u.other_name, $7::date
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(atena_number, name_roman, nationality, enc, other_name)
       ON CONFLICT (municipality_code, atena_number) DO UPDATE SET
         name_roman = EXCLUDED.name_roman, nationality = EXCLUDED.nationality, passport_number = NULL, passport_number_enc = EXCLUDED.passport_number_enc,
         other_name = COALESCE(EXCLUDED.other_name, t.other_name), recorded_on = EXCLUDED.recorded_on, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [code, v('atenaNumber'), v('nameRoman'), v('nationality'), sealed, v('otherName'), today],
    );
    await tx.query(
      `INSERT INTO overseas_issuances AS o (municipality_code, atena_number, channel, issued_on, name_roman, nationality, passport_number_enc, other_name, origin)
       SELECT p.municipality_code, p.atena_number, 'counter', $3::date, p.name_roman, p.nationality, p.passport_number_enc, p.other_name, 'passport_csv'
         FROM passports p
        WHERE p.municipality_code = $1 AND p.atena_number = ANY($2::text[])
          AND NOT EXISTS (SELECT 1 FROM overseas_issuances x WHERE x.municipality_code = p.municipality_code AND x.atena_number = p.atena_number AND x.origin = 'csv')
       ON CONFLICT (municipality_code, atena_number, channel, issued_on) DO UPDATE SET
         name_roman = EXCLUDED.name_roman, nationality = EXCLUDED.nationality, passport_number = NULL, passport_number_enc = EXCLUDED.passport_number_enc,
         other_name = EXCLUDED.other_name, origin = 'passport_csv', recorded_at = now()
         WHERE o.origin <> 'csv'`,
      [code, v('atenaNumber'), today],
    );
    total.inserted += n.inserted;
    total.updated += n.updated;
  }
  return total;
}

/**
 * Upserts overseas certificates issued at the counter or in the app (issue 18), keyed by
 * (個別宛名番号, 交付方法, 交付日); an empty 旧姓・別姓・別名 or 証明書ID keeps the stored one. The passport
 * number is sealed like the passports on file. Then each resident's passport on file follows their
 * latest issuance, unless the data on file dates from a later day (a passport CSV after it: a new
 * passport, which keeps the kiosk from issuing overseas until the next counter issuance).
 */
export async function writeOverseasIssuances(tx: Queryable, code: string, rows: ImportRow[], dataKey: Buffer): Promise<{ inserted: number; updated: number }> {
  const total = { inserted: 0, updated: 0 };
  for (const b of batches(rows)) {
    const v = (k: string) => b.map((r) => str(r.values[k]));
    const sealed = b.map((r) => encryptPassportNumber(dataKey, code, String(r.values.atenaNumber), String(r.values.passportNumber ?? '')).toString('hex'));
    const n = await countUpserts(
      tx,
      `INSERT INTO overseas_issuances AS t (municipality_code, atena_number, channel, issued_on, name_roman, nationality, passport_number_enc, other_name, certificate_id, origin)
       SELECT $1, u.atena_number, u.channel, u.issued_on, u.name_roman, u.nationality, decode(u.enc, 'hex'), u.other_name, u.certificate_id, 'csv'
         FROM unnest($2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS u(atena_number, channel, issued_on, name_roman, nationality, enc, other_name, certificate_id)
       ON CONFLICT (municipality_code, atena_number, channel, issued_on) DO UPDATE SET
         name_roman = EXCLUDED.name_roman, nationality = EXCLUDED.nationality, passport_number = NULL, passport_number_enc = EXCLUDED.passport_number_enc,
         other_name = COALESCE(EXCLUDED.other_name, t.other_name), certificate_id = COALESCE(EXCLUDED.certificate_id, t.certificate_id),
         origin = 'csv', recorded_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [code, v('atenaNumber'), v('channel'), v('issuedOn'), v('nameRoman'), v('nationality'), sealed, v('otherName'), v('certificateId')],
    );
    await tx.query(
      `INSERT INTO passports AS t (municipality_code, atena_number, name_roman, nationality, passport_number, passport_number_enc, other_name, recorded_on)
       SELECT DISTINCT ON (o.atena_number) o.municipality_code, o.atena_number, o.name_roman, o.nationality, o.passport_number, o.passport_number_enc, o.other_name, o.issued_on
         FROM overseas_issuances o
        WHERE o.municipality_code = $1 AND o.atena_number = ANY($2::text[])
        ORDER BY o.atena_number, o.issued_on DESC, o.id DESC
       ON CONFLICT (municipality_code, atena_number) DO UPDATE SET
         name_roman = EXCLUDED.name_roman, nationality = EXCLUDED.nationality, passport_number = EXCLUDED.passport_number,
         passport_number_enc = EXCLUDED.passport_number_enc, other_name = EXCLUDED.other_name, recorded_on = EXCLUDED.recorded_on, updated_at = now()
         WHERE EXCLUDED.recorded_on >= t.recorded_on`,
      [code, [...new Set(v('atenaNumber'))]],
    );
    total.inserted += n.inserted;
    total.updated += n.updated;
  }
  return total;
}
