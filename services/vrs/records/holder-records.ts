import type { Queryable } from '../db/database.js';

/** What one municipality holds for one My Number (read inside withMunicipality). */
export interface HolderRecords {
  atenaNumber: string;
  flag: '1' | '2' | '3' | null;
  doses: number;
  hasPassport: boolean;
}

/** Municipality row as everyone may read it. */
export interface MunicipalityInfo {
  code: string;
  name: string;
  participates: boolean;
  suspended: boolean;
  /** 問合せ先 (issue 18), when the municipality has one. */
  contact?: { office: string; phone: string };
}

/**
 * The municipality `code` and the resident linked to `hmac` in it (read inside
 * withMunicipality(code), so row-level security shows only that municipality's residents), in one
 * round trip. `municipality` is undefined for an unknown code, `records` when nobody is linked.
 */
export async function holderAt(tx: Queryable, code: string, hmac: Buffer): Promise<{ municipality?: MunicipalityInfo; records?: HolderRecords }> {
  const { rows } = await tx.query<{
    code: string;
    name: string;
    participates: boolean;
    suspended: boolean;
    contact_office: string | null;
    contact_phone: string | null;
    atena_number: string | null;
    flag: string | null;
    doses: number | string | null;
    has_passport: boolean | null;
  }>(
    `SELECT m.code, m.name, m.participates, m.suspended, m.contact_office, m.contact_phone, h.atena_number, h.flag, h.doses, h.has_passport
       FROM municipalities m
       LEFT JOIN LATERAL (
         SELECT r.atena_number, r.flag,
                (SELECT count(*) FROM vaccinations v WHERE v.municipality_code = r.municipality_code AND v.atena_number = r.atena_number) AS doses,
                EXISTS (SELECT 1 FROM passports p WHERE p.municipality_code = r.municipality_code AND p.atena_number = r.atena_number) AS has_passport
           FROM my_number_links l JOIN residents r USING (municipality_code, atena_number)
          WHERE l.my_number_hmac = $2
          ORDER BY r.updated_at DESC LIMIT 1
       ) h ON true
      WHERE m.code = $1`,
    [code, hmac],
  );
  const r = rows[0];
  if (!r) return {};
  const municipality: MunicipalityInfo = {
    code: r.code,
    name: r.name,
    participates: r.participates,
    suspended: r.suspended,
    ...(r.contact_office && r.contact_phone ? { contact: { office: r.contact_office, phone: r.contact_phone } } : {}),
  };
  if (r.atena_number === null) return { municipality };
  return {
    municipality,
    records: {
      atenaNumber: r.atena_number,
      flag: (r.flag?.trim() || null) as HolderRecords['flag'],
      doses: Number(r.doses),
      hasPassport: Boolean(r.has_passport),
    },
  };
}

/**
 * Issuability rules. Flag 2 (died) and 3 (other removal) stop issuance; flag 1 (moved out) does
 * not: the municipality that holds the records still issues them (a moved-out resident's earlier
 * doses are certified by the old municipality).
 */
export function isIssuableFlag(flag: HolderRecords['flag']): boolean {
  return flag !== '2' && flag !== '3';
}
