import { Router } from 'express';
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { CertificateBuilder } from '../../certificate/builder.js';
import { assertOffered } from '../menu/menu.js';
import { certificateRequestBodySchema } from '../schemas.js';
import { kioskOf, randomId, type SessionRepo } from '../sessions/session-repo.js';
import { parseBody } from '../validate.js';
import type { VrsClient } from '../vrs-client/vrs-client.js';
import type { RequestRepo } from './request-repo.js';

export interface RequestsRouteDeps {
  sessions: SessionRepo;
  requests: RequestRepo;
  vrs: VrsClient;
  builder: Pick<CertificateBuilder, 'build'>;
  clock: Clock;
  log: Logger;
  feePerCopy: number;
  documentTtlMs: number;
}

/**
 * `POST /v1/sessions/{sid}/requests` (step 4). Checks the choice against the menu, asks VRS for
 * the record, builds the certificate (SHC + VDS-NC + PDF) and only then stores the request and
 * its document, bound to session and kiosk; so a VRS error or timeout leaves nothing behind.
 */
export function requestsRoute(deps: RequestsRouteDeps): Router {
  const router = Router();
  router.post('/v1/sessions/:sid/requests', async (req, res) => {
    const sid = req.params.sid;
    const kiosk = kioskOf(res.locals.client);
    const session = await deps.sessions.load(sid, kiosk);
    if (session.state !== 'verified' || !session.holder) throw new AppError('ERR_SESSION_STATE', 409, 'No accepted card in this session');
    const body = parseBody(certificateRequestBodySchema, req.body);
    assertOffered(session.municipalities, body.municipality, body.kind);

    const record = await deps.vrs.certificate({ myNumber: session.holder.myNumber, municipality: body.municipality, kind: body.kind });
    // The record must be the holder's own (a mixed-up answer must never reach a printer).
    if (record.person.birthDate !== session.holder.birthDate || record.issuer.code !== body.municipality || record.kind !== body.kind) {
      throw new AppError('ERR_UPSTREAM', 502, 'VRS answered a record that does not match the request');
    }
    const built = await deps.builder.build(record, { copies: body.copies });

    const rid = randomId();
    const remaining = deps.sessions.remainingMs(session);
    const documentMs = Math.min(deps.documentTtlMs, remaining);
    const documentExpiresAt = deps.clock.now().getTime() + documentMs;
    const fee = deps.feePerCopy * body.copies;
    await deps.requests.add(sid, rid, {
      kioskId: kiosk.kioskId, storeId: kiosk.storeId, municipality: body.municipality, kind: body.kind, copies: body.copies,
      fee, pages: built.pages, certificateId: built.certificateId, contentDigest: built.digest.header, documentExpiresAt,
    }, built.pdf, { requestMs: remaining, documentMs });

    // A DELETE (or expiry) that landed while the certificate was being built wins: nothing of
    // this request may outlive its session.
    if (!(await deps.sessions.exists(sid))) {
      await deps.sessions.erase(sid);
      throw new AppError('ERR_SESSION_NOT_FOUND', 404, 'No such session');
    }
    deps.log.info({ reqId: (req as { id?: string }).id, event: 'request_ready', kind: body.kind, copies: body.copies, pages: built.pages }, 'certificate ready');
    res.status(201).json({
      requestId: rid, fee, copies: body.copies, pages: built.pages, preview: built.preview, expiresAt: new Date(documentExpiresAt).toISOString(),
    });
  });
  return router;
}
