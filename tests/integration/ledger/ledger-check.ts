import type { IssuanceBooks, LedgerEntry } from '../../../services/relay/books/books.js';
import type { RunningRelay } from '../../../services/relay/server.js';
import type { TestVrs } from '../relay/helpers/test-vrs.js';

/** Runs the relays' notice workers until every outbox is empty (each entry leaves only once VRS answered). */
export async function drainNotices(relays: RunningRelay[], ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    for (const r of relays) await r.worker.runOnce();
    const pending = await Promise.all(relays.map((r) => r.outbox.pending()));
    if (pending.every((n) => n === 0)) return;
    if (Date.now() > until) throw new Error(`notices still pending after ${ms} ms: ${pending.join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** VRS's books for some certificate IDs: status, fee and how many completion notices it received. */
export async function vrsBooks(vrs: TestVrs, ids: string[]): Promise<Map<string, { status: string; fee: number | null; notices: number }>> {
  const { rows } = await vrs.db.query<{ certificate_id: string; status: string; fee: number | null; notices: string }>(
    `SELECT c.certificate_id, c.status, c.fee, (SELECT count(*) FROM completion_notices n WHERE n.certificate_id = c.certificate_id)::text AS notices
       FROM certificate_issuances c WHERE c.certificate_id = ANY($1)`,
    [ids],
  );
  return new Map(rows.map((r) => [r.certificate_id, { status: r.status, fee: r.fee === null ? null : Number(r.fee), notices: Number(r.notices) }]));
}

/** Every reservation VRS holds (the test's own database). */
export async function vrsAll(vrs: TestVrs): Promise<Map<string, { status: string; fee: number | null; notices: number }>> {
  const { rows } = await vrs.db.query<{ certificate_id: string }>('SELECT certificate_id FROM certificate_issuances');
  return vrsBooks(
    vrs,
    rows.map((r) => r.certificate_id),
  );
}

/** The ledger of all time, grouped by certificate ID. */
export async function ledgerByCertificate(books: IssuanceBooks): Promise<Map<string, LedgerEntry[]>> {
  const out = new Map<string, LedgerEntry[]>();
  for (const e of await books.ledger(0, Number.MAX_SAFE_INTEGER)) out.set(e.certificateId, [...(out.get(e.certificateId) ?? []), e]);
  return out;
}

export const OUTCOMES = new Set(['printed', 'failed', 'cancelled', 'expired']);
