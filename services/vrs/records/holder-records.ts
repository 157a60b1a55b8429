import type { Queryable } from '../db/database.js';

/** What one municipality holds for one My Number (read inside withMunicipality). */
export interface HolderRecords {
  atenaNumber: string;
  flag: '1' | '2' | '3' | null;
  doses: number;
  hasPassport: boolean;
}

/** The resident linked to `hmac` in the current municipality, or undefined. */
export async function holderRecords(tx: Queryable, hmac: Buffer): Promise<HolderRecords | undefined> {
  const { rows } = await tx.query<{ atena_number: string; flag: string | null; doses: number | string; has_passport: boolean }>(
    `SELECT r.atena_number, r.flag,
            (SELECT count(*) FROM vaccinations v WHERE v.municipality_code = r.municipality_code AND v.atena_number = r.atena_number) AS doses,
            EXISTS (SELECT 1 FROM passports p WHERE p.municipality_code = r.municipality_code AND p.atena_number = r.atena_number) AS has_passport
       FROM my_number_links l JOIN residents r USING (municipality_code, atena_number)
      WHERE l.my_number_hmac = $1
      ORDER BY r.updated_at DESC LIMIT 1`,
    [hmac],
  );
  const r = rows[0];
  if (!r) return undefined;
  return { atenaNumber: r.atena_number, flag: (r.flag?.trim() || null) as HolderRecords['flag'], doses: Number(r.doses), hasPassport: r.has_passport };
}

/** Municipality row as everyone may read it. */
export interface MunicipalityInfo {
  code: string;
  name: string;
  participates: boolean;
  suspended: boolean;
}

export async function municipalityInfo(tx: Queryable, code: string): Promise<MunicipalityInfo | undefined> {
  const { rows } = await tx.query<MunicipalityInfo>('SELECT code, name, participates, suspended FROM municipalities WHERE code = $1', [code]);
  return rows[0];
}

/**
 * Issuability rules. Flag 2 (died) and 3 (other removal) stop issuance; flag 1 (moved out) does
 * not: the municipality that holds the records still issues them (a moved-out resident's earlier
 * doses are certified by the old municipality).
 */
export function isIssuableFlag(flag: HolderRecords['flag']): boolean {
  return flag !== '2' && flag !== '3';
}
