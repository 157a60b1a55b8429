import { BadRequestError, NotFoundError } from '../../common/errors.js';
import type { CompletionAck, CompletionNotice } from '../../common/lgwan-contract.js';
import { withMunicipality } from '../db/database.js';
import type { VrsDeps } from '../deps.js';
import { ReservationStateError } from './release.js';

/**
 * Records a completion notice (完了通知), idempotent by certificate ID: the first marks the
 * reserved issuance 'issued' (copies, fee, kiosk, store, time) and answers 'recorded'; a repeat
 * answers 'duplicate' and changes nothing. Runs inside the notice's municipality, so a notice
 * naming another municipality than the reservation's finds no reservation (404); a released
 * reservation answers 409 ERR_RESERVATION_STATE.
 */
export async function recordCompletion(deps: VrsDeps, notice: CompletionNotice): Promise<CompletionAck> {
  const issuedAt = new Date(notice.issuedAt);
  if (Number.isNaN(issuedAt.getTime())) throw new BadRequestError('issuedAt is not an ISO 8601 time', [{ field: 'issuedAt', rule: 'datetime' }]);
  return withMunicipality(deps.db, notice.municipality, async (tx) => {
    const {
      rows: [reservation],
    } = await tx.query<{ kind: string; status: string }>('SELECT kind, status FROM certificate_issuances WHERE certificate_id = $1 FOR UPDATE', [
      notice.certificateId,
    ]);
    if (!reservation) throw new NotFoundError('No reserved certificate with this ID for this municipality');
    if (reservation.kind !== notice.kind) throw new BadRequestError('kind does not match the reservation', [{ field: 'kind', rule: 'reservation' }]);
    // A released certificate ID was not printed: issuing it now would make the books disagree.
    if (reservation.status === 'released') throw new ReservationStateError('The reservation was released: it cannot be issued');
    const inserted = await tx.query(
      `INSERT INTO completion_notices (certificate_id, municipality_code, notice) VALUES ($1, $2, $3::jsonb) ON CONFLICT (certificate_id) DO NOTHING`,
      [notice.certificateId, notice.municipality, JSON.stringify(notice)],
    );
    if (inserted.rowCount === 0) return { certificateId: notice.certificateId, status: 'duplicate' };
    await tx.query(
      `UPDATE certificate_issuances SET status = 'issued', copies = $2, fee = $3, kiosk_id = $4, store_id = $5, issued_at = $6
        WHERE certificate_id = $1 AND status = 'reserved'`,
      [notice.certificateId, notice.copies, notice.fee, notice.kioskId, notice.storeId, issuedAt.toISOString()],
    );
    return { certificateId: notice.certificateId, status: 'recorded' };
  });
}
