import type { BookedIssuance, IssuanceQuery, IssuanceQueryAnswer } from '../../common/lgwan-contract.js';
import { withMunicipality, withoutMunicipality } from '../db/database.js';
import type { VrsDeps } from '../deps.js';

/**
 * Every municipality's reservations of a period (`from ≤ reserved_at < to`) for the certificate
 * center's reconciliation: certificate IDs, statuses and what was charged, nothing personal. Each
 * municipality is read in its own transaction under its own row-level security, never around it.
 */
export async function queryIssuances(deps: VrsDeps, q: IssuanceQuery): Promise<IssuanceQueryAnswer> {
  const codes = await withoutMunicipality(deps.db, async (tx) =>
    (await tx.query<{ code: string }>('SELECT code FROM municipalities ORDER BY code')).rows.map((r) => r.code),
  );
  const items: BookedIssuance[] = [];
  for (const code of codes) {
    const rows = await withMunicipality(
      deps.db,
      code,
      async (tx) =>
        (
          await tx.query<{
            certificate_id: string;
            municipality_code: string;
            kind: 'domestic' | 'overseas';
            channel: string;
            status: 'reserved' | 'issued' | 'released';
            reserved_at: Date;
            issued_at: Date | null;
            released_at: Date | null;
            copies: number | null;
            fee: number | null;
            kiosk_id: string | null;
            store_id: string | null;
          }>(
            `SELECT certificate_id, municipality_code, kind, channel, status, reserved_at, issued_at, released_at, copies, fee, kiosk_id, store_id
         FROM certificate_issuances WHERE reserved_at >= $1 AND reserved_at < $2 ORDER BY reserved_at`,
            [new Date(q.from).toISOString(), new Date(q.to).toISOString()],
          )
        ).rows,
    );
    const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
    for (const r of rows) {
      items.push({
        certificateId: r.certificate_id,
        municipality: r.municipality_code,
        kind: r.kind,
        channel: r.channel,
        status: r.status,
        reservedAt: iso(r.reserved_at)!,
        issuedAt: iso(r.issued_at),
        releasedAt: iso(r.released_at),
        copies: r.copies === null ? null : Number(r.copies),
        fee: r.fee === null ? null : Number(r.fee),
        kioskId: r.kiosk_id,
        storeId: r.store_id,
      });
    }
  }
  return { items };
}
