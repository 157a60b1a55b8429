import { NoRecordsError } from '../../common/record-errors.js';
import type { LookupMunicipality, LookupResponse } from '../../common/lgwan-contract.js';
import { withMunicipality, withoutMunicipality } from '../db/database.js';
import { myNumberHmac } from '../crypto/my-number.js';
import type { VrsDeps } from '../deps.js';
import { dataKeyFor } from '../crypto/data-keys.js';
import { holderAt, isIssuableFlag } from './holder-records.js';
import { overseasSource } from './overseas-source.js';

/**
 * Which municipalities hold vaccination records for a My Number and what each can issue now
 * (the kiosk menu), with each one's 問合せ先. Overseas follows the counter/app issuance rule of
 * records/overseas-source.ts (`overseasDetail` says which part stops it). The cross-municipality step reads only my_number_index (keyed hashes); each
 * municipality's records are then read inside its own withMunicipality. A municipality where the
 * person is registered but has no dose recorded holds no records and is left out.
 * @throws 404 ERR_NO_RECORDS when no municipality holds records.
 */
export async function lookupHolder(deps: VrsDeps, myNumber: string): Promise<LookupResponse> {
  const hmac = myNumberHmac(deps.keys.lookup, myNumber);
  const codes = await withoutMunicipality(deps.db, async (tx) => {
    const { rows } = await tx.query<{ municipality_code: string }>(
      'SELECT municipality_code FROM my_number_index WHERE my_number_hmac = $1 ORDER BY municipality_code',
      [hmac],
    );
    return rows.map((r) => r.municipality_code);
  });
  const municipalities: LookupMunicipality[] = [];
  for (const code of codes) {
    const entry = await withMunicipality(deps.db, code, async (tx) => {
      const { municipality: m, records: rec } = await holderAt(tx, code, hmac);
      if (!m || !rec || rec.doses === 0) return undefined;
      const base = { code: m.code, name: m.name, participates: m.participates, suspended: m.suspended, ...(m.contact ? { contact: m.contact } : {}) };
      const reason = !m.participates ? 'not_participating' : m.suspended ? 'suspended' : !isIssuableFlag(rec.flag) ? 'not_issuable' : undefined;
      if (reason) return { ...base, domestic: false, overseas: false, unavailableReason: reason } satisfies LookupMunicipality;
      const source = rec.hasPassport
        ? await overseasSource(tx, code, rec.atenaNumber, await dataKeyFor(tx, deps.keys.master, code))
        : ({ ok: false, detail: 'no_passport_on_file' } as const);
      return source.ok
        ? ({ ...base, domestic: true, overseas: true } satisfies LookupMunicipality)
        : ({
            ...base,
            domestic: true,
            overseas: false,
            overseasUnavailableReason: 'no_passport_on_file',
            overseasDetail: source.detail,
          } satisfies LookupMunicipality);
    });
    if (entry) municipalities.push(entry);
  }
  if (municipalities.length === 0) throw new NoRecordsError('No municipality holds records for this holder');
  return { municipalities };
}
