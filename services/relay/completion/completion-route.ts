import { Router } from 'express';
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { NoticeOutbox } from '../notices/outbox.js';
import { storeKeys, type OneTimeStore } from '../one-time/store.js';
import type { RequestRepo } from '../requests/request-repo.js';
import { completionBodySchema, type Receipt } from '../schemas.js';
import { kioskOf, type SessionRepo } from '../sessions/session-repo.js';
import { parseBody } from '../validate.js';

export interface CompletionRouteDeps {
  sessions: SessionRepo;
  requests: RequestRepo;
  store: OneTimeStore;
  outbox: NoticeOutbox;
  /** Wakes the notice worker (optional). */
  onNotice?: () => void;
  clock: Clock;
  log: Logger;
  /** The J-LIS-side issuance log (one line per printed certificate, nothing personal). */
  issuanceLog: Logger;
}

/** Accepts `sha-256=:<b64>:` (as served) or the bare base64 digest. */
function sameDigest(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const bare = (v: string) => v.trim().replace(/^sha-256=:/, '').replace(/:$/, '');
  return bare(given) === bare(expected);
}

/**
 * `POST /v1/sessions/{sid}/requests/{rid}/completion` (step 6). Idempotent: the first completion
 * stores its receipt (put NX) and every repeat answers that receipt. `printed` needs the served
 * document's digest and paid ≥ fee; it queues the completion notice (完了通知) in the durable
 * outbox before answering and writes one issuance log line. `failed` and `cancelled` charge
 * nothing and send no notice. Either way the document and the holder data are erased.
 */
export function completionRoute(deps: CompletionRouteDeps): Router {
  const router = Router();
  router.post('/v1/sessions/:sid/requests/:rid/completion', async (req, res) => {
    const { sid, rid } = req.params;
    const kiosk = kioskOf(res.locals.client);
    const session = await deps.sessions.load(sid, kiosk);
    const request = await deps.requests.load(sid, rid, kiosk);
    const receiptKey = storeKeys.receipt(sid, rid);
    const earlier = await deps.store.get(receiptKey);
    if (earlier !== undefined) {
      res.json({ receipt: JSON.parse(earlier) as Receipt });
      return;
    }
    const body = parseBody(completionBodySchema, req.body);
    const now = deps.clock.now();
    const printed = body.outcome === 'printed';
    if (printed) {
      if (request.servedAt === undefined) throw new AppError('ERR_SESSION_STATE', 409, 'The document was not served');
      if (!sameDigest(body.contentDigest, request.contentDigest)) throw new AppError('ERR_DIGEST_MISMATCH', 422, 'contentDigest does not match the served document');
      if (body.paid < request.fee) throw new AppError('ERR_BAD_REQUEST', 422, 'paid is less than the fee');
    }
    const fee = printed ? request.fee : 0;
    const receipt: Receipt = {
      copies: printed ? request.copies : 0, fee, paid: body.paid, change: body.paid - fee,
      issuedAt: now.toISOString(), kioskId: kiosk.kioskId, storeId: kiosk.storeId,
    };
    if (printed) {
      // Durable before the kiosk hears "done": a crash after this line cannot lose the notice.
      await deps.outbox.enqueue({
        certificateId: request.certificateId, municipality: request.municipality, kind: request.kind,
        copies: request.copies, fee, kioskId: kiosk.kioskId, storeId: kiosk.storeId, issuedAt: receipt.issuedAt,
      });
      deps.onNotice?.();
    }
    const first = await deps.store.put(receiptKey, JSON.stringify(receipt), deps.sessions.remainingMs(session), { nx: true });
    if (!first) {
      // A concurrent completion of the same request won: answer its receipt.
      const winner = await deps.store.get(receiptKey);
      if (winner !== undefined) {
        res.json({ receipt: JSON.parse(winner) as Receipt });
        return;
      }
    }
    if (printed) deps.issuanceLog.info({ event: 'issuance', kioskId: kiosk.kioskId, storeId: kiosk.storeId, kind: request.kind, copies: request.copies, at: receipt.issuedAt });
    // Whatever is left of the document goes, and the holder data with it.
    await deps.requests.eraseDocument(sid, rid);
    if (session.holder) {
      await deps.sessions.save(sid, { kioskId: session.kioskId, storeId: session.storeId, state: 'ended', expiresAt: session.expiresAt });
    }
    deps.log.info({ reqId: (req as { id?: string }).id, event: 'completed', outcome: body.outcome }, 'request completed');
    res.json({ receipt });
  });
  return router;
}
