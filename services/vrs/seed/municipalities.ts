import type { Database } from '../db/database.js';
import { newWrappedDataKey } from '../crypto/data-keys.js';

export interface MunicipalitySeed {
  code: string;
  name: string;
  participates: boolean;
}

/**
 * Registers a municipality with a fresh wrapped data key if it is not there yet (an administrative
 * step run as the schema owner, not as vrs_app; an existing row, its key and its suspension state
 * are left alone).
 */
export async function ensureMunicipality(db: Database, master: Buffer, m: MunicipalitySeed): Promise<boolean> {
  if (!/^\d{6}$/.test(m.code)) throw new TypeError('ensureMunicipality needs a 6-digit 自治体コード');
  const r = await db.query('INSERT INTO municipalities (code, name, participates, data_key_wrapped) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING', [
    m.code,
    m.name,
    m.participates,
    newWrappedDataKey(master, m.code),
  ]);
  return r.rowCount > 0;
}
