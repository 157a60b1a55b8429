import { Router } from 'express';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { IssuanceBooks } from '../books/books.js';
import { ConsumedError } from '../relay-errors.js';
import type { RequestRepo } from '../requests/request-repo.js';
import { kioskOf, type SessionRepo } from '../sessions/session-repo.js';

/**
 * `GET /v1/sessions/{sid}/requests/{rid}/document` (step 5). The document is taken from the store
 * in one atomic step and so served once across every relay process; the books then move the
 * request from reserved to served (with its ledger entry) before a byte is sent, so no document
 * leaves the relay unbooked. A request closed meanwhile (replaced, cancelled, deleted) sends
 * nothing. Afterwards, or once the document TTL has passed, the answer is 410 ERR_CONSUMED.
 */
export function documentRoute(deps: { sessions: SessionRepo; requests: RequestRepo; books: IssuanceBooks; clock: Clock; log: Logger }): Router {
  const router = Router();
  router.get('/v1/sessions/:sid/requests/:rid/document', async (req, res) => {
    const { sid, rid } = req.params;
    const kiosk = kioskOf(res.locals.client);
    await deps.sessions.load(sid, kiosk);
    const request = await deps.requests.load(sid, rid, kiosk);
    const pdf = await deps.requests.takeDocument(sid, rid);
    const served = pdf ? await deps.books.serve(sid, rid, deps.clock.now().getTime()) : undefined;
    if (!pdf || !served?.ok) {
      const held = served && !served.ok ? served.held : await deps.books.held(sid, rid);
      const why = held?.closed ? `closed (${held.status})` : held?.status === 'served' ? 'already served' : 'expired';
      throw new ConsumedError(why, held?.closed ? held.status : undefined);
    }
    deps.log.info({ reqId: (req as { id?: string }).id, event: 'document_served', certificateId: request.certificateId, bytes: pdf.length }, 'document served');
    res
      .status(200)
      .set('Content-Type', 'application/pdf')
      // The request was written with the document, in the same step (RequestRepo.add).
      .set('Content-Digest', request.contentDigest)
      .set('Certificate-Id', request.certificateId)
      .set('Cache-Control', 'no-store')
      .send(pdf);
  });
  return router;
}
