import { withMunicipality, withoutMunicipality } from '../db/database.js';
import { dataKeyFor } from '../crypto/data-keys.js';
import { encryptPassportNumber } from '../crypto/passport-number.js';
import type { VrsDeps } from '../deps.js';

/**
 * Seals the passport numbers written in the clear before migration 007: in `passports`, in the
 * counter issuances migration 009 made from them (`overseas_issuances`), and in the `source` of
 * certificate issuances. Run at every start (a no-op once done), each municipality in
 * its own transaction under its own row-level security. Returns how many values it sealed.
 */
export async function sealClearPassports(deps: VrsDeps): Promise<number> {
  const codes = await withoutMunicipality(deps.db, async (tx) => (await tx.query<{ code: string }>('SELECT code FROM municipalities')).rows.map((r) => r.code));
  let sealed = 0;
  for (const code of codes) {
    sealed += await withMunicipality(deps.db, code, async (tx) => {
      const key = await dataKeyFor(tx, deps.keys.master, code);
      const { rows: clear } = await tx.query<{ atena_number: string; passport_number: string }>(
        'SELECT atena_number, passport_number FROM passports WHERE passport_number IS NOT NULL',
      );
      for (const r of clear) {
        await tx.query('UPDATE passports SET passport_number_enc = $2, passport_number = NULL WHERE atena_number = $1', [
          r.atena_number,
          encryptPassportNumber(key, code, r.atena_number, r.passport_number),
        ]);
      }
      // Counter issuances migration 009 copied from passports rows that were still in the clear.
      const { rows: issuances } = await tx.query<{ id: string; atena_number: string; passport_number: string }>(
        'SELECT id::text AS id, atena_number, passport_number FROM overseas_issuances WHERE passport_number IS NOT NULL',
      );
      for (const r of issuances) {
        await tx.query('UPDATE overseas_issuances SET passport_number_enc = $2, passport_number = NULL WHERE id = $1::bigint', [
          r.id,
          encryptPassportNumber(key, code, r.atena_number, r.passport_number),
        ]);
      }
      const { rows: sources } = await tx.query<{ certificate_id: string; atena_number: string; n: string }>(
        "SELECT certificate_id, atena_number, source->'person'->'passport'->>'passportNumber' AS n FROM certificate_issuances WHERE source->'person'->'passport' ? 'passportNumber'",
      );
      for (const s of sources) {
        await tx.query(
          `UPDATE certificate_issuances SET source = jsonb_set(source #- '{person,passport,passportNumber}', '{person,passport,passportNumberEnc}', to_jsonb($2::text)) WHERE certificate_id = $1`,
          [s.certificate_id, encryptPassportNumber(key, code, s.atena_number, s.n).toString('hex')],
        );
      }
      return clear.length + issuances.length + sources.length;
    });
  }
  return sealed;
}
