import { Router, type Response } from 'express';
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { HeldRequest, IssuanceBooks } from '../books/books.js';
import { DigestMismatchError, PaidBelowFeeError, RequestNotFoundError, SessionStateError } from '../relay-errors.js';
import type { RequestRepo } from '../requests/request-repo.js';
import { completionBodySchema, type CompletionBody, type Receipt } from '../../common/kiosk-protocol.js';
import { kioskOf, type SessionRepo } from '../sessions/session-repo.js';
import { parseBody } from '../validate.js';

export interface CompletionRouteDeps {
  sessions: SessionRepo;
  requests: RequestRepo;
  books: IssuanceBooks;
  /** Wakes the notice worker (optional). */
  onNotice?: () => void;
  clock: Clock;
  log: Logger;
  /** The J-LIS-side issuance log (one line per printed certificate, nothing personal). */
  issuanceLog: Logger;
}

/** A held receipt in the protocol's field order (a store may keep JSON objects in any order). */
const inOrder = (r: Receipt): Receipt => ({
  copies: r.copies,
  fee: r.fee,
  paid: r.paid,
  change: r.change,
  issuedAt: r.issuedAt,
  kioskId: r.kioskId,
  storeId: r.storeId,
});

/** A completion whose body contradicts the one the books hold. */
export class CompletionConflictError extends AppError {
  constructor(held: HeldRequest) {
    super('ERR_COMPLETION_CONFLICT', 409, `The request is already closed as ${held.status}`, {
      extras: { outcome: held.status, receipt: inOrder(held.closed!.receipt) },
    });
  }
}

/** The bare base64 of `sha-256=:<b64>:` (as served) or of the bare digest. */
const bareDigest = (v: string | undefined) =>
  v
    ?.trim()
    .replace(/^sha-256=:/, '')
    .replace(/:$/, '');

/** What makes two completion bodies "the same": outcome, paid and the digest. */
export function completionFingerprint(body: CompletionBody): string {
  return JSON.stringify([body.outcome, body.paid, bareDigest(body.contentDigest) ?? null]);
}

/**
 * `POST /v1/sessions/{sid}/requests/{rid}/completion` (step 6). The books close the request in
 * one atomic step shared by every relay process: `printed` (only once served, with the served
 * document's digest and paid ≥ fee) queues the completion notice (完了通知) in that step;
 * `failed` and `cancelled` charge nothing and queue the release of the reservation, and revoke a
 * served document. The first completion decides; a repeat with the same body answers the same
 * receipt, any other body 409 ERR_COMPLETION_CONFLICT, and every answer names the outcome held.
 * The session ends with it: its document and holder data are erased.
 */
export function completionRoute(deps: CompletionRouteDeps): Router {
  const router = Router();
  const answer = (res: Response, held: HeldRequest, fingerprint: string) => {
    if (held.closed!.fingerprint !== fingerprint) throw new CompletionConflictError(held);
    res.json({ receipt: inOrder(held.closed!.receipt), outcome: held.status });
  };

  router.post('/v1/sessions/:sid/requests/:rid/completion', async (req, res) => {
    const { sid, rid } = req.params;
    const kiosk = kioskOf(res.locals.client);
    const session = await deps.sessions.load(sid, kiosk);
    const request = await deps.requests.load(sid, rid, kiosk);
    const body = parseBody(completionBodySchema, req.body);
    const fingerprint = completionFingerprint(body);
    const before = await deps.books.held(sid, rid);
    if (!before) throw new RequestNotFoundError();
    if (before.closed) {
      answer(res, before, fingerprint);
      return;
    }
    const at = deps.clock.now().getTime();
    const printed = body.outcome === 'printed';
    if (printed) {
      if (before.status !== 'served') throw new SessionStateError('The document was not served');
      if (bareDigest(body.contentDigest) !== bareDigest(request.contentDigest)) throw new DigestMismatchError();
      if (body.paid < request.fee) throw new PaidBelowFeeError();
    }
    const fee = printed ? request.fee : 0;
    const issuedAt = new Date(at).toISOString();
    const receipt: Receipt = {
      copies: printed ? request.copies : 0,
      fee,
      paid: body.paid,
      change: body.paid - fee,
      issuedAt,
      kioskId: kiosk.kioskId,
      storeId: kiosk.storeId,
    };
    const result = await deps.books.complete(sid, rid, {
      outcome: body.outcome,
      receipt,
      fingerprint,
      at,
      ...(printed
        ? {
            notice: {
              certificateId: request.certificateId,
              municipality: request.municipality,
              kind: request.kind,
              copies: request.copies,
              fee,
              kioskId: kiosk.kioskId,
              storeId: kiosk.storeId,
              issuedAt,
            },
          }
        : {}),
    });
    if (!result) throw new RequestNotFoundError();
    if (!result.first) {
      // Another completion (or a DELETE, the sweeper) closed it a moment before: its answer stands.
      if (!result.held.closed) throw new SessionStateError('The document was not served');
      answer(res, result.held, fingerprint);
      return;
    }
    deps.onNotice?.();
    if (printed)
      deps.issuanceLog.info({
        event: 'issuance',
        certificateId: request.certificateId,
        municipality: request.municipality,
        kioskId: kiosk.kioskId,
        storeId: kiosk.storeId,
        kind: request.kind,
        copies: request.copies,
        at: issuedAt,
      });
    // Whatever is left of the document goes, and the holder data with it.
    await deps.requests.eraseDocument(sid, rid);
    if (session.holder) {
      await deps.sessions
        .save(sid, { kioskId: session.kioskId, storeId: session.storeId, state: 'ended', expiresAt: session.expiresAt })
        .catch(() => undefined);
    }
    deps.log.info(
      {
        reqId: (req as { id?: string }).id,
        event: 'completed',
        certificateId: request.certificateId,
        outcome: body.outcome,
        revoked: result.held.closed!.revoked,
      },
      'request completed',
    );
    res.json({ receipt, outcome: body.outcome });
  });
  return router;
}
