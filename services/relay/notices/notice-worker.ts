import { systemClock, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { isRelease, type NoticeOutbox, type OutboxNotice } from './outbox.js';

export interface NoticeWorkerOptions {
  outbox: NoticeOutbox;
  /** Delivers one notice; resolves with VRS's acknowledgement (`recorded`, `released` or `duplicate`). */
  deliver: (notice: OutboxNotice) => Promise<{ status: string }>;
  log: Logger;
  /** First retry delay; doubles per attempt up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** How often the outbox is polled for due notices. */
  pollMs: number;
  /** How long a claimed notice is hidden from other workers (longer than one delivery). */
  leaseMs?: number;
  batch?: number;
  /** Time of due dates and of the poll timer (default the system clock; tests advance a ManualClock). */
  clock?: TimerClock;
}

/**
 * Delivers completion notices (完了通知) from the outbox to VRS until acknowledged ('recorded'
 * or 'duplicate'), retrying with capped exponential backoff and jitter. VRS de-duplicates by
 * certificate ID, so a notice delivered twice (a lease that ran out mid-delivery) is recorded
 * once.
 */
export class NoticeWorker {
  readonly #o: NoticeWorkerOptions;
  readonly #clock: TimerClock;
  #cancelTimer: (() => void) | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(options: NoticeWorkerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#cancelTimer = undefined;
      void this.runOnce().finally(() => this.#schedule(this.#o.pollMs));
    }, ms);
  }

  /** Wakes the worker now (after an enqueue) instead of at the next poll. */
  kick(): void {
    if (this.#stopped || this.#running) return;
    this.#cancelTimer?.();
    this.#schedule(0);
  }

  /** One pass over the due notices; returns how many were acknowledged. */
  runOnce(): Promise<number> {
    if (this.#running) return this.#running;
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    const { outbox, log } = this.#o;
    let delivered = 0;
    let entries;
    try {
      entries = await outbox.claim(this.#clock.now().getTime(), this.#o.leaseMs ?? 15_000, this.#o.batch ?? 50);
    } catch (e) {
      log.warn({ event: 'outbox_unavailable', err: (e as Error).name }, 'completion outbox unavailable');
      return 0;
    }
    for (const entry of entries) {
      const id = entry.notice.certificateId;
      try {
        const ack = await this.#o.deliver(entry.notice);
        await outbox.ack(id);
        delivered++;
        log.info(
          {
            event: 'notice_delivered',
            notice: isRelease(entry.notice) ? 'release' : 'completion',
            certificateId: id,
            status: ack.status,
            attempts: entry.attempts + 1,
          },
          'notice delivered',
        );
      } catch (e) {
        const attempts = entry.attempts + 1;
        const delay = Math.min(this.#o.maxMs, this.#o.baseMs * 2 ** (attempts - 1));
        const nextAt = this.#clock.now().getTime() + Math.round(delay * (0.75 + Math.random() * 0.25));
        await outbox.retry(id, attempts, nextAt).catch(() => undefined);
        log.warn(
          {
            event: 'notice_retry',
            notice: isRelease(entry.notice) ? 'release' : 'completion',
            certificateId: id,
            attempts,
            code: (e as { code?: string }).code,
          },
          'notice not delivered; will retry',
        );
      }
    }
    return delivered;
  }

  /** Stops polling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#running?.catch(() => undefined);
  }
}
