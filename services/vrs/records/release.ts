import { AppError, BadRequestError, NotFoundError } from '../../common/errors.js';
import type { ReleaseAck, ReleaseNotice } from '../../common/lgwan-contract.js';
import { withMunicipality } from '../db/database.js';
import type { VrsDeps } from '../deps.js';

/** A release of an issued reservation, or a completion of a released one: the books would disagree. */
export class ReservationStateError extends AppError {
  constructor(message: string) {
    super('ERR_RESERVATION_STATE', 409, message);
  }
}

/**
 * Releases a reservation the certificate center did not print (replaced, failed, cancelled or
 * expired), idempotent by certificate ID: the first marks it 'released' and answers 'released', a
 * repeat answers 'duplicate'. One statement decides, so a release racing a completion notice of
 * the same ID cannot both win (the row lock orders them). Runs inside the notice's municipality.
 * @throws 404 ERR_NOT_FOUND (no such reservation here), 409 ERR_RESERVATION_STATE (issued).
 */
export async function releaseReservation(deps: VrsDeps, notice: ReleaseNotice): Promise<ReleaseAck> {
  const releasedAt = new Date(notice.releasedAt);
  if (Number.isNaN(releasedAt.getTime())) throw new BadRequestError('releasedAt is not an ISO 8601 time', [{ field: 'releasedAt', rule: 'datetime' }]);
  return withMunicipality(deps.db, notice.municipality, async (tx) => {
    const {
      rows: [row],
    } = await tx.query<{ status: string; kind: string }>(
      `WITH before AS (SELECT certificate_id, status, kind FROM certificate_issuances WHERE certificate_id = $1 FOR UPDATE),
            changed AS (UPDATE certificate_issuances c SET status = 'released', released_at = $2, release_outcome = $3
                          FROM before b WHERE c.certificate_id = b.certificate_id AND b.status = 'reserved' AND b.kind = $4 RETURNING c.certificate_id)
       SELECT b.status, b.kind FROM before b`,
      [notice.certificateId, releasedAt.toISOString(), notice.outcome, notice.kind],
    );
    if (!row) throw new NotFoundError('No reserved certificate with this ID for this municipality');
    if (row.kind !== notice.kind) throw new BadRequestError('kind does not match the reservation', [{ field: 'kind', rule: 'reservation' }]);
    if (row.status === 'issued') throw new ReservationStateError('The certificate was issued: it cannot be released');
    return { certificateId: notice.certificateId, status: row.status === 'released' ? 'duplicate' : 'released' };
  });
}
