import type { BookedIssuance } from '../../common/lgwan-contract.js';
import type { LedgerEntry } from '../books/books.js';

/** What the certificate center's ledger and VRS's books disagree on for a period. */
export interface Reconciliation {
  /** Certificates the ledger and VRS both know in the period. */
  checked: number;
  /** Printed per the ledger, not issued at VRS (a notice lost, or still queued). */
  printedNotIssued: string[];
  /** Issued at VRS, never printed per the ledger. */
  issuedNotPrinted: string[];
  /** Served per the ledger, and neither printed nor revoked (open, or a revocation missed). */
  servedNeitherPrintedNorRevoked: string[];
}

/** Whether every list is empty. */
export const agrees = (r: Reconciliation): boolean => r.printedNotIssued.length + r.issuedNotPrinted.length + r.servedNeitherPrintedNorRevoked.length === 0;

/**
 * Compares the ledger with VRS's books. A certificate belongs to the period when it was reserved in
 * it (its `reserved` entry, or VRS's `reservedAt`); every later entry of it counts, whenever
 * written. Pure: the CLI reads both sides.
 */
export function reconcile(ledger: LedgerEntry[], vrs: BookedIssuance[], period: { from: number; to: number }): Reconciliation {
  const inPeriod = (at: number) => at >= period.from && at < period.to;
  const byId = new Map<string, LedgerEntry[]>();
  for (const e of ledger) byId.set(e.certificateId, [...(byId.get(e.certificateId) ?? []), e]);
  const ours = [...byId].filter(([, es]) => es.some((e) => e.type === 'reserved' && inPeriod(e.at)));
  const theirs = new Map(vrs.filter((v) => inPeriod(Date.parse(v.reservedAt))).map((v) => [v.certificateId, v]));
  const printed = new Set(ours.filter(([, es]) => es.some((e) => e.type === 'printed')).map(([id]) => id));
  const sorted = (ids: Iterable<string>) => [...ids].sort();
  return {
    checked: new Set([...ours.map(([id]) => id), ...theirs.keys()]).size,
    printedNotIssued: sorted([...printed].filter((id) => theirs.get(id)?.status !== 'issued')),
    issuedNotPrinted: sorted([...theirs.values()].filter((v) => v.status === 'issued' && !printed.has(v.certificateId)).map((v) => v.certificateId)),
    servedNeitherPrintedNorRevoked: sorted(
      ours.filter(([, es]) => es.some((e) => e.type === 'served') && !es.some((e) => e.type === 'printed' || e.revoked === true)).map(([id]) => id),
    ),
  };
}

/** A JST day's start (YYYY-MM-DD) or an ISO time, as epoch ms. */
export function parseInstant(text: string, endOfDay: boolean): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = day ? Date.parse(`${text}T00:00:00+09:00`) + (endOfDay ? 86_400_000 : 0) : Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a date (YYYY-MM-DD) or ISO 8601 time: ${text}`);
  return ms;
}
