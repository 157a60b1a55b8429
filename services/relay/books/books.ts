import type { CompletionNotice, ReleaseNotice } from '../../common/lgwan-contract.js';
import type { RequestRecord } from '../requests/request-repo.js';
import type { Receipt } from '../../common/kiosk-protocol.js';

/**
 * The certificate center's books (台帳): the state of every request, decided once, and its
 * durable ledger. Each transition is one atomic step across every relay process (one Lua script
 * on Redis; one synchronous step in the embedded books) and writes, in that same step, the ledger
 * entry, the completion or release notice for VRS, and the revocation of a served document that
 * was not printed. Nothing here is personal: certificate IDs, kiosks, stores, 自治体コード.
 *
 * Lifecycle (issue 14): `reserved → served → printed | failed | cancelled | expired`, once.
 * A session ends with its first completed request.
 */

/** Where a request stands. */
export type RequestStatus = 'reserved' | 'served' | Outcome;
/** The final states. */
export type Outcome = 'printed' | 'failed' | 'cancelled' | 'expired';
/** Why a request was cancelled or expired without a kiosk's completion. */
export type CloseReason = 'completion' | 'replaced' | 'deleted' | 'expired';

/** What the books know of a request (no personal data): the stored request's terms, and more. */
export interface BookRequest extends Pick<RequestRecord, 'certificateId' | 'kioskId' | 'storeId' | 'municipality' | 'kind' | 'copies' | 'fee'> {
  sid: string;
  rid: string;
  /** SHC issuer key of the document's SMART Health Card. */
  kid: string;
  /** The card's `vc.rid` (revocation identifier). */
  shcRid: string;
  /** VDS-NC barcode signer of an overseas document (its list of revoked `uvci`). */
  vdsSigner?: string;
  /** Epoch ms: the request ends with its session then (the sweeper expires it). */
  expiresAt: number;
}

/** A request as held: its status and, once final, the answer every repeat gets. */
export interface HeldRequest extends BookRequest {
  status: RequestStatus;
  servedAt?: number;
  /** Set when final. */
  closed?: { at: number; reason: CloseReason; receipt: Receipt; fingerprint: string; revoked: boolean };
}

/**
 * One line of the ledger: the request (no session identifiers) and what happened, at `at` (epoch
 * ms of the relay's clock). Outcome lines carry the reason, whether the document was revoked, and
 * the copies and fee charged (0 unless printed).
 */
export interface LedgerEntry extends Omit<BookRequest, 'sid' | 'rid'> {
  type: RequestStatus;
  at: number;
  reason?: CloseReason;
  revoked?: boolean;
}

/** Step 4's atomic open. */
export type OpenResult = { ok: true; replaced?: string } | { ok: false; why: 'open' | 'limit' | 'ended' };

/** Step 5's atomic reserved → served. */
export type ServeResult = { ok: true } | { ok: false; held: HeldRequest | undefined };

/** Step 6's atomic close. `first` when this call decided the outcome. */
export interface CompleteResult {
  first: boolean;
  held: HeldRequest;
}

/** A closing as asked by step 6. */
export interface Completion {
  outcome: 'printed' | 'failed' | 'cancelled';
  receipt: Receipt;
  /** The body's fingerprint (outcome, paid, digest): a repeat with another is a conflict. */
  fingerprint: string;
  /** The completion notice of a printed request. */
  notice?: CompletionNotice;
  at: number;
}

/** A revocation list as kept: `ctr` counts revocations (rises with each). */
export interface RevocationList {
  ctr: number;
  /** SHC `rid`s or VDS-NC `uvci`s, in revocation order. */
  ids: string[];
}

export interface IssuanceBooks {
  /**
   * Opens a request (`reserved`) in its session. A reserved open request of the session is
   * cancelled (replaced) in the same step and its reservation released. Refused, with the new
   * reservation released in the same step, when a served request is open (`open`), when the
   * session already has `limit` requests (`limit`) or when it has ended (`ended`).
   */
  open(req: BookRequest, options: { limit: number; at: number; sessionTtlMs: number }): Promise<OpenResult>;
  /** An early, non-binding look at whether `open` would refuse (so VRS reserves nothing in vain). */
  precheck(sid: string, limit: number): Promise<'open' | 'limit' | 'ended' | undefined>;
  /** reserved → served, with a `served` ledger entry. */
  serve(sid: string, rid: string, at: number): Promise<ServeResult>;
  /**
   * Closes a request as the kiosk says: `printed` only from `served`. When the request is already
   * closed, changes nothing and answers what is held (`first: false`). Undefined when the books
   * hold no such request.
   */
  complete(sid: string, rid: string, completion: Completion): Promise<CompleteResult | undefined>;
  /** The request as held, open or closed; undefined when unknown (or long gone). */
  held(sid: string, rid: string): Promise<HeldRequest | undefined>;
  /** Step 7: cancels the session's open request (if any) and ends the session. */
  endSession(sid: string, at: number): Promise<void>;
  /** The sweeper: expires open requests whose session has ended by time; returns how many. */
  expireDue(at: number, limit: number): Promise<number>;
  /** SHC revocations of one issuer key. */
  shcRevocations(kid: string): Promise<RevocationList>;
  /** VDS-NC revocations (by `uvci`) of one barcode signer. */
  vdsRevocations(signer: string): Promise<RevocationList>;
  /** Ledger entries with `from ≤ at < to` (epoch ms), in order. */
  ledger(from: number, to: number): Promise<LedgerEntry[]>;
  /** Open requests (sweeper audits, tests). */
  openCount(): Promise<number>;
  close(): Promise<void>;
}

/** The release notice of a request closed without printing (or a reservation never opened). */
export function releaseOf(r: Pick<BookRequest, 'certificateId' | 'municipality' | 'kind'>, outcome: Exclude<Outcome, 'printed'>, at: number): ReleaseNotice {
  return { type: 'release', certificateId: r.certificateId, municipality: r.municipality, kind: r.kind, outcome, releasedAt: new Date(at).toISOString() };
}

/** The ledger entry of a request's transition to its current status. */
export function ledgerEntry(h: HeldRequest, at: number): LedgerEntry {
  const { sid: _sid, rid: _rid, status, servedAt: _s, closed, ...req } = h;
  if (!closed) return { ...req, type: status, at };
  return { ...req, copies: closed.receipt.copies, fee: closed.receipt.fee, type: status, at, reason: closed.reason, revoked: closed.revoked };
}

/** A zero receipt: what a request closed without printing charges. */
export function zeroReceipt(r: Pick<BookRequest, 'kioskId' | 'storeId'>, at: number, paid = 0): Receipt {
  return { copies: 0, fee: 0, paid, change: paid, issuedAt: new Date(at).toISOString(), kioskId: r.kioskId, storeId: r.storeId };
}
