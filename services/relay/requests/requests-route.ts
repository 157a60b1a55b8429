import { Router } from 'express';
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { CertificateBuilder } from '../../certificate/builder.js';
import { certificateDoses } from '../../certificate/latest-doses.js';
import { unknownProducts } from '../../certificate/vaccines.js';
import { releaseOf, type IssuanceBooks } from '../books/books.js';
import { assertOffered } from '../menu/menu.js';
import { SessionNotFoundError, SessionStateError, UpstreamError } from '../relay-errors.js';
import type { NoticeOutbox } from '../notices/outbox.js';
import { shcRidOf } from '../revocation/rid.js';
import { certificateRequestBodySchema } from '../../common/kiosk-protocol.js';
import { kioskOf, randomId, type SessionRepo } from '../sessions/session-repo.js';
import { parseBody } from '../validate.js';
import type { VrsClient } from '../vrs-client/vrs-client.js';
import type { RequestRepo } from './request-repo.js';

/** Step 4 while a served request of the session is open: it must be completed first. */
export class RequestOpenError extends AppError {
  constructor() {
    super('ERR_REQUEST_OPEN', 409, 'A served request of this session is not completed yet');
  }
}

/** Step 4 beyond the session's request limit. */
export class RequestLimitError extends AppError {
  constructor(limit: number) {
    super('ERR_REQUEST_LIMIT', 429, `A session makes at most ${limit} requests`, { extras: { limit } });
  }
}

/** The keys a request is signed and revoked under. */
export interface IssuerIds {
  /** SHC issuer key (`kid`). */
  kid: string;
  /** The secret of `vc.rid`. */
  ridSecret: Buffer;
  /** The VDS-NC barcode signer's revocation list name. */
  vdsSigner: string;
}

export interface RequestsRouteDeps {
  sessions: SessionRepo;
  requests: RequestRepo;
  books: IssuanceBooks;
  outbox: NoticeOutbox;
  vrs: VrsClient;
  builder: Pick<CertificateBuilder, 'build'>;
  issuer: IssuerIds;
  clock: Clock;
  log: Logger;
  feePerCopy: number;
  documentTtlMs: number;
  sessionTtlMs: number;
  /** Requests one session may make (step 4 beyond it: 429 ERR_REQUEST_LIMIT). */
  requestLimit: number;
}

/**
 * `POST /v1/sessions/{sid}/requests` (step 4). Checks the choice against the menu, asks VRS for
 * the record (which reserves a certificate ID), builds the certificate (SHC with `vc.rid`, VDS-NC,
 * PDF), stores it, and opens the request in the books in one atomic step: that step replaces a
 * request of the session not yet served (cancelled, its reservation released) and refuses while a
 * served one is open (409 ERR_REQUEST_OPEN), beyond the limit (429 ERR_REQUEST_LIMIT) or after
 * the session's purchase (409 ERR_SESSION_STATE). Any failure after the reservation releases it.
 */
export function requestsRoute(deps: RequestsRouteDeps): Router {
  const router = Router();
  const refusal = (why: 'open' | 'limit' | 'ended'): AppError =>
    why === 'open'
      ? new RequestOpenError()
      : why === 'limit'
        ? new RequestLimitError(deps.requestLimit)
        : new SessionStateError('This session has completed its purchase');

  router.post('/v1/sessions/:sid/requests', async (req, res) => {
    const sid = req.params.sid;
    const kiosk = kioskOf(res.locals.client);
    const session = await deps.sessions.load(sid, kiosk);
    if (session.state !== 'verified' || !session.holder) throw new SessionStateError('No accepted card in this session');
    const body = parseBody(certificateRequestBodySchema, req.body);
    assertOffered(session.municipalities, body.municipality, body.kind);
    // Refuse before VRS reserves anything (the atomic open below decides for certain).
    const early = await deps.books.precheck(sid, deps.requestLimit);
    if (early) throw refusal(early);

    const record = await deps.vrs.certificate({ myNumber: session.holder.myNumber, municipality: body.municipality, kind: body.kind });
    const release = () =>
      deps.outbox
        .enqueue(releaseOf({ certificateId: record.certificateId, municipality: body.municipality, kind: body.kind }, 'failed', deps.clock.now().getTime()))
        .catch(() => false);
    const rid = randomId();
    const shcRid = shcRidOf(deps.issuer.ridSecret, record.certificateId);
    let built;
    try {
      // The record must be the holder's own (a mixed-up answer must never reach a printer).
      if (record.person.birthDate !== session.holder.birthDate || record.issuer.code !== body.municipality || record.kind !== body.kind) {
        throw new UpstreamError('VRS answered a record that does not match the request');
      }
      built = await deps.builder.build(record, { copies: body.copies, rid: shcRid });
    } catch (e) {
      await release();
      throw e;
    }

    const now = deps.clock.now().getTime();
    const remaining = deps.sessions.remainingMs(session);
    const documentMs = Math.min(deps.documentTtlMs, remaining);
    const documentExpiresAt = now + documentMs;
    const fee = deps.feePerCopy * body.copies;
    try {
      await deps.requests.add(
        sid,
        rid,
        {
          kioskId: kiosk.kioskId,
          storeId: kiosk.storeId,
          municipality: body.municipality,
          kind: body.kind,
          copies: body.copies,
          fee,
          pages: built.pages,
          certificateId: built.certificateId,
          contentDigest: built.digest.header,
          documentExpiresAt,
        },
        built.pdf,
        { requestMs: remaining, documentMs },
      );
    } catch (e) {
      await release();
      throw e;
    }
    const opened = await deps.books.open(
      {
        sid,
        rid,
        certificateId: built.certificateId,
        kioskId: kiosk.kioskId,
        storeId: kiosk.storeId,
        municipality: body.municipality,
        kind: body.kind,
        copies: body.copies,
        fee,
        kid: deps.issuer.kid,
        shcRid,
        ...(body.kind === 'overseas' ? { vdsSigner: deps.issuer.vdsSigner } : {}),
        expiresAt: session.expiresAt,
      },
      { limit: deps.requestLimit, at: now, sessionTtlMs: deps.sessionTtlMs },
    );
    if (!opened.ok) {
      await deps.requests.eraseDocument(sid, rid);
      throw refusal(opened.why);
    }
    // The replaced request's document is never served now.
    if (opened.replaced) await deps.requests.eraseDocument(sid, opened.replaced);

    // A DELETE (or expiry) that landed while the certificate was being built wins: nothing of
    // this request may outlive its session.
    if (!(await deps.sessions.exists(sid))) {
      await deps.books.endSession(sid, deps.clock.now().getTime());
      await deps.sessions.erase(sid);
      throw new SessionNotFoundError();
    }
    // A product the catalogue does not know was issued under CVX 213: say which (product text only, no holder data).
    const unknown = new Map(unknownProducts(certificateDoses(record).doses).map((u) => [`${u.maker}\u0000${u.product}`, u]));
    for (const u of unknown.values()) {
      deps.log.warn(
        { reqId: (req as { id?: string }).id, event: 'unknown_product', municipality: body.municipality, maker: u.maker, product: u.product, cvx: '213' },
        'vaccine product not in the catalogue; issued as CVX 213',
      );
    }
    deps.log.info(
      {
        reqId: (req as { id?: string }).id,
        event: 'request_ready',
        certificateId: built.certificateId,
        kind: body.kind,
        copies: body.copies,
        pages: built.pages,
        ...(opened.replaced ? { replaced: true } : {}),
      },
      'certificate ready',
    );
    res.status(201).json({
      requestId: rid,
      fee,
      copies: body.copies,
      pages: built.pages,
      preview: built.preview,
      expiresAt: new Date(documentExpiresAt).toISOString(),
    });
  });
  return router;
}
