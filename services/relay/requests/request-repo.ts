import { InternalError } from '../../common/errors.js';
import { RequestNotFoundError } from '../relay-errors.js';
import type { CertificateKind } from '../../common/lgwan-contract.js';
import { storeKeys, type OneTimeStore } from '../one-time/store.js';
import type { KioskIdentity } from '../sessions/session-repo.js';

/**
 * A certificate request (no personal data: the document itself is kept apart). It carries what
 * the document is served with (`certificateId`, `contentDigest`), so the document is kept as its
 * bare PDF bytes.
 */
export interface RequestRecord {
  kioskId: string;
  storeId: string;
  municipality: string;
  kind: CertificateKind;
  copies: number;
  fee: number;
  pages: number;
  certificateId: string;
  /** `Content-Digest` of the document: `sha-256=:<base64>:`. */
  contentDigest: string;
  /** Epoch ms of when the document must be fetched. */
  documentExpiresAt: number;
  /** Epoch ms of when the document was served (step 5). */
  servedAt?: number;
}

/**
 * Requests and their documents in the one-time store. A request key lives as long as its
 * session; the document lives at most the document TTL and is taken (read and erased) once.
 */
export class RequestRepo {
  constructor(private readonly store: OneTimeStore) {}

  /**
   * Stores a request and its document (the PDF's bytes, handed over: not to be changed after).
   * If the second write fails the first is erased, so a failure leaves nothing behind (invariant 4).
   */
  async add(sid: string, rid: string, req: RequestRecord, pdf: Buffer, ttl: { requestMs: number; documentMs: number }): Promise<void> {
    const reqKey = storeKeys.request(sid, rid);
    const docKey = storeKeys.document(sid, rid);
    try {
      if (!(await this.store.put(reqKey, JSON.stringify(req), ttl.requestMs, { nx: true }))) throw new InternalError('request identifier collision');
      await this.store.putBytes(docKey, pdf, ttl.documentMs);
    } catch (e) {
      await this.store.erase(reqKey, docKey).catch(() => undefined);
      throw e;
    }
  }

  /** The request if it belongs to the session and kiosk; else 404 ERR_REQUEST_NOT_FOUND. */
  async load(sid: string, rid: string, kiosk: KioskIdentity): Promise<RequestRecord> {
    const raw = /^[A-Za-z0-9_-]{22}$/.test(rid) ? await this.store.get(storeKeys.request(sid, rid)) : undefined;
    const rec = raw === undefined ? undefined : (JSON.parse(raw) as RequestRecord);
    if (!rec || rec.kioskId !== kiosk.kioskId || rec.storeId !== kiosk.storeId) throw new RequestNotFoundError();
    return rec;
  }

  /** Takes the document's PDF bytes (atomic; once for every relay process). */
  async takeDocument(sid: string, rid: string): Promise<Buffer | undefined> {
    return this.store.takeBytes(storeKeys.document(sid, rid));
  }

  /** Rewrites a request (e.g. served), for `ttlMs` (the session's remaining life). */
  async save(sid: string, rid: string, req: RequestRecord, ttlMs: number): Promise<void> {
    await this.store.put(storeKeys.request(sid, rid), JSON.stringify(req), ttlMs);
  }

  async eraseDocument(sid: string, rid: string): Promise<void> {
    await this.store.erase(storeKeys.document(sid, rid));
  }
}
