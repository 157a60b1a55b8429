import type { NoticeOutbox, OutboxNotice } from '../notices/outbox.js';
import {
  ledgerEntry,
  releaseOf,
  zeroReceipt,
  type BookRequest,
  type CloseReason,
  type CompleteResult,
  type Completion,
  type HeldRequest,
  type IssuanceBooks,
  type LedgerEntry,
  type OpenResult,
  type Outcome,
  type RevocationList,
  type ServeResult,
} from './books.js';
import type { JournalFile, JournalLine } from './journal-file.js';

interface SessionBooks {
  n: number;
  open?: string;
  ended: boolean;
  /** Epoch ms after which the entry is dropped. */
  until: number;
}

/** What one transition writes: journal lines and notices, persisted before it is answered. */
interface Effects {
  lines: JournalLine[];
  notices: OutboxNotice[];
}

const key = (sid: string, rid: string) => `${sid}:${rid}`;

/**
 * The books of the embedded mode (one relay process, no Redis). Every transition is decided in
 * one synchronous step (Node runs one callback at a time), so two concurrent calls never both
 * win; then its ledger lines are appended to the journal (flushed to disk) and its notice queued
 * in the file outbox, and only then is it answered. On start the journal is replayed: open
 * requests (to be expired by the sweeper) and the revocation lists come back; sessions, like the
 * in-process store's, do not.
 */
export class MemoryBooks implements IssuanceBooks {
  readonly #requests = new Map<string, HeldRequest>();
  readonly #sessions = new Map<string, SessionBooks>();
  readonly #ledger: LedgerEntry[] = [];
  readonly #shc = new Map<string, string[]>();
  readonly #vds = new Map<string, string[]>();
  readonly #journal: JournalFile | undefined;
  readonly #outbox: NoticeOutbox;
  readonly #keepClosedMs: number;

  private constructor(outbox: NoticeOutbox, journal: JournalFile | undefined, keepClosedMs: number) {
    this.#outbox = outbox;
    this.#journal = journal;
    this.#keepClosedMs = keepClosedMs;
  }

  /** Books kept in memory only (tests of one process; nothing survives a restart). */
  static ephemeral(outbox: NoticeOutbox): MemoryBooks {
    return new MemoryBooks(outbox, undefined, 24 * 3600_000);
  }

  /**
   * Books over a journal file (replayed now) and the outbox. Printed outcomes in the journal whose
   * notice is missing from the outbox (a crash between the two writes) are queued again; the
   * outbox de-duplicates by certificate ID.
   */
  static async open(options: { outbox: NoticeOutbox; journal?: JournalFile; keepClosedMs?: number }): Promise<MemoryBooks> {
    const books = new MemoryBooks(options.outbox, options.journal, options.keepClosedMs ?? 24 * 3600_000);
    const replayed = (await options.journal?.load()) ?? [];
    const byCertificate = new Map<string, string>();
    for (const line of replayed) books.#replay(line, byCertificate);
    for (const { e, notice } of replayed) {
      if (notice) await options.outbox.enqueue(notice);
      else if (e.type === 'failed' || e.type === 'cancelled' || e.type === 'expired') await options.outbox.enqueue(releaseOf(e, e.type, e.at));
    }
    return books;
  }

  #replay(line: JournalLine, byCertificate: Map<string, string>): void {
    const e = line.e;
    this.#ledger.push(e);
    const k = byCertificate.get(e.certificateId);
    const found = k === undefined ? undefined : this.#requests.get(k);
    if (e.type === 'reserved' && line.sid && line.rid) {
      const { type: _t, at: _a, reason: _r, revoked: _v, ...req } = e;
      this.#requests.set(key(line.sid, line.rid), { ...req, sid: line.sid, rid: line.rid, status: 'reserved' });
      byCertificate.set(e.certificateId, key(line.sid, line.rid));
    } else if (e.type === 'served' && found) {
      found.status = 'served';
      found.servedAt = e.at;
    } else if (found && k !== undefined && e.type !== 'reserved' && e.type !== 'served') {
      // Closed before the restart: its session is gone with the process, so is its answer.
      this.#requests.delete(k);
      byCertificate.delete(e.certificateId);
    }
    if (e.revoked) this.#revoke(e);
  }

  #revoke(r: Pick<BookRequest, 'kid' | 'shcRid' | 'vdsSigner' | 'certificateId'>): void {
    const list = this.#shc.get(r.kid) ?? [];
    if (!list.includes(r.shcRid)) list.push(r.shcRid);
    this.#shc.set(r.kid, list);
    if (r.vdsSigner) {
      const vds = this.#vds.get(r.vdsSigner) ?? [];
      if (!vds.includes(r.certificateId)) vds.push(r.certificateId);
      this.#vds.set(r.vdsSigner, vds);
    }
  }

  async #persist(fx: Effects): Promise<void> {
    await this.#journal?.append(fx.lines);
    for (const n of fx.notices) await this.#outbox.enqueue(n);
  }

  #note(fx: Effects, h: HeldRequest, at: number, extra: Omit<JournalLine, 'e'> = {}): void {
    const e = ledgerEntry(h, at);
    this.#ledger.push(e);
    fx.lines.push({ e, ...extra });
  }

  /** Closes an open request in the current synchronous step. */
  #close(
    fx: Effects,
    h: HeldRequest,
    outcome: Outcome,
    reason: CloseReason,
    c: { receipt: Completion['receipt']; fingerprint: string; at: number; notice?: Completion['notice'] },
  ): void {
    const revoked = h.status === 'served' && outcome !== 'printed';
    h.status = outcome;
    h.closed = { at: c.at, reason, receipt: c.receipt, fingerprint: c.fingerprint, revoked };
    if (revoked) this.#revoke(h);
    if (outcome === 'printed') {
      if (!c.notice) throw new TypeError('a printed completion needs its notice');
      // The notice goes into the journal line too: replayed if the outbox write never happened.
      this.#note(fx, h, c.at, { notice: c.notice });
      fx.notices.push(c.notice);
    } else {
      this.#note(fx, h, c.at);
      fx.notices.push(releaseOf(h, outcome, c.at));
    }
    const s = this.#sessions.get(h.sid);
    if (s?.open === h.rid) delete s.open;
  }

  #closeQuietly(fx: Effects, h: HeldRequest, outcome: 'cancelled' | 'expired', reason: CloseReason, at: number): void {
    this.#close(fx, h, outcome, reason, { receipt: zeroReceipt(h, at), fingerprint: '', at });
  }

  async open(req: BookRequest, options: { limit: number; at: number; sessionTtlMs: number }): Promise<OpenResult> {
    const fx: Effects = { lines: [], notices: [] };
    const s = this.#sessions.get(req.sid) ?? { n: 0, ended: false, until: options.at + options.sessionTtlMs };
    const current = s.open === undefined ? undefined : this.#requests.get(key(req.sid, s.open));
    const why = s.ended ? 'ended' : current?.status === 'served' ? 'open' : s.n >= options.limit ? 'limit' : undefined;
    let result: OpenResult;
    if (why) {
      // Never opened: its reservation at VRS goes back at once.
      fx.notices.push(releaseOf(req, 'cancelled', options.at));
      result = { ok: false, why };
    } else {
      if (current) this.#closeQuietly(fx, current, 'cancelled', 'replaced', options.at);
      s.n++;
      s.open = req.rid;
      this.#sessions.set(req.sid, s);
      const h: HeldRequest = { ...req, status: 'reserved' };
      this.#requests.set(key(req.sid, req.rid), h);
      this.#note(fx, h, options.at, { sid: h.sid, rid: h.rid });
      result = current ? { ok: true, replaced: current.rid } : { ok: true };
    }
    await this.#persist(fx);
    return result;
  }

  async precheck(sid: string, limit: number): Promise<'open' | 'limit' | 'ended' | undefined> {
    const s = this.#sessions.get(sid);
    if (!s) return undefined;
    const current = s.open === undefined ? undefined : this.#requests.get(key(sid, s.open));
    return s.ended ? 'ended' : current?.status === 'served' ? 'open' : s.n >= limit ? 'limit' : undefined;
  }

  async serve(sid: string, rid: string, at: number): Promise<ServeResult> {
    const h = this.#requests.get(key(sid, rid));
    if (!h || h.status !== 'reserved') return { ok: false, held: h };
    h.status = 'served';
    h.servedAt = at;
    const fx: Effects = { lines: [], notices: [] };
    this.#note(fx, h, at);
    await this.#persist(fx);
    return { ok: true };
  }

  async complete(sid: string, rid: string, c: Completion): Promise<CompleteResult | undefined> {
    const h = this.#requests.get(key(sid, rid));
    if (!h) return undefined;
    if (h.closed || (c.outcome === 'printed' && h.status !== 'served')) return { first: false, held: h };
    const fx: Effects = { lines: [], notices: [] };
    this.#close(fx, h, c.outcome, 'completion', c);
    const s = this.#sessions.get(sid);
    if (s) s.ended = true;
    await this.#persist(fx);
    return { first: true, held: h };
  }

  async held(sid: string, rid: string): Promise<HeldRequest | undefined> {
    return this.#requests.get(key(sid, rid));
  }

  async endSession(sid: string, at: number): Promise<void> {
    const s = this.#sessions.get(sid);
    if (!s) return;
    const fx: Effects = { lines: [], notices: [] };
    const h = s.open === undefined ? undefined : this.#requests.get(key(sid, s.open));
    if (h && !h.closed) this.#closeQuietly(fx, h, 'cancelled', 'deleted', at);
    s.ended = true;
    await this.#persist(fx);
  }

  async expireDue(at: number, limit: number): Promise<number> {
    const fx: Effects = { lines: [], notices: [] };
    let n = 0;
    for (const [k, h] of this.#requests) {
      if (h.closed) {
        if (h.closed.at + this.#keepClosedMs <= at) this.#requests.delete(k);
        continue;
      }
      if (h.expiresAt > at || n >= limit) continue;
      this.#closeQuietly(fx, h, 'expired', 'expired', at);
      n++;
    }
    for (const [sid, s] of this.#sessions) if (s.until + this.#keepClosedMs <= at) this.#sessions.delete(sid);
    await this.#persist(fx);
    return n;
  }

  async shcRevocations(kid: string): Promise<RevocationList> {
    const ids = [...(this.#shc.get(kid) ?? [])];
    return { ctr: ids.length, ids };
  }

  async vdsRevocations(signer: string): Promise<RevocationList> {
    const ids = [...(this.#vds.get(signer) ?? [])];
    return { ctr: ids.length, ids };
  }

  async ledger(from: number, to: number): Promise<LedgerEntry[]> {
    return this.#ledger.filter((e) => e.at >= from && e.at < to);
  }

  async openCount(): Promise<number> {
    return [...this.#requests.values()].filter((h) => !h.closed).length;
  }

  async close(): Promise<void> {
    await this.#journal?.close();
  }
}
