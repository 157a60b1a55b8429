import type { Database } from '../db/database.js';
import { newWrappedDataKey } from '../crypto/data-keys.js';

export interface MunicipalitySeed {
  code: string;
  name: string;
  participates: boolean;
  /** 問合せ先 (issue 18), shown on the kiosk's refusal screens. */
  contact?: { office: string; phone: string };
}

/**
 * Registers a municipality with a fresh wrapped data key if it is not there yet (an administrative
 * step run as the schema owner, not as vrs_app; an existing row, its key and its suspension state
 * are left alone, and its 問合せ先 is only filled in when it has none).
 */
export async function ensureMunicipality(db: Database, master: Buffer, m: MunicipalitySeed): Promise<boolean> {
  if (!/^\d{6}$/.test(m.code)) throw new TypeError('ensureMunicipality needs a 6-digit 自治体コード');
  const r = await db.query(
    'INSERT INTO municipalities (code, name, participates, data_key_wrapped, contact_office, contact_phone) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING',
    [m.code, m.name, m.participates, newWrappedDataKey(master, m.code), m.contact?.office ?? null, m.contact?.phone ?? null],
  );
  // A row from before migration 009 gets the seed's 問合せ先; one the municipality set stays.
  if (r.rowCount === 0 && m.contact) {
    await db.query('UPDATE municipalities SET contact_office = $2, contact_phone = $3 WHERE code = $1 AND contact_office IS NULL AND contact_phone IS NULL', [
      m.code,
      m.contact.office,
      m.contact.phone,
    ]);
  }
  return r.rowCount > 0;
}
