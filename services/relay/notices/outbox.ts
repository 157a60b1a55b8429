import type { CompletionNotice, ReleaseNotice } from '../../common/lgwan-contract.js';

/** A notice for VRS: a completion (printed) or a release (replaced, failed, cancelled, expired). */
export type OutboxNotice = CompletionNotice | ReleaseNotice;

/** Whether a queued notice is a release. */
export const isRelease = (n: OutboxNotice): n is ReleaseNotice => 'type' in n && n.type === 'release';

/** A queued notice (完了通知, or a release). Carries no personal data. */
export interface OutboxEntry {
  notice: OutboxNotice;
  /** Delivery attempts made so far. */
  attempts: number;
}

/**
 * The durable completion-notice outbox: notices survive a relay restart and a VRS outage, and are
 * de-duplicated by certificate ID (a second enqueue of the same ID, queued or already delivered,
 * is a no-op). Workers claim due entries with a lease, so several relay processes can share one
 * outbox and a worker that dies mid-delivery only delays a notice.
 */
export interface NoticeOutbox {
  /** Queues a notice, due now. False when that certificate ID is already queued or delivered. */
  enqueue(notice: OutboxNotice): Promise<boolean>;
  /** Due entries (at most `limit`); each is leased until `now + leaseMs`. */
  claim(now: number, leaseMs: number, limit: number): Promise<OutboxEntry[]>;
  /** VRS acknowledged: remove the entry and remember the ID as delivered. */
  ack(certificateId: string): Promise<void>;
  /** Delivery failed: count the attempt and retry at `nextAt`. */
  retry(certificateId: string, attempts: number, nextAt: number): Promise<void>;
  /** Number of notices waiting. */
  pending(): Promise<number>;
  close(): Promise<void>;
}
