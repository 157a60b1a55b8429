import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { IssuanceBooks } from './books.js';

/**
 * Expires the open requests whose session has run out, over the durable books (never a Redis
 * expiry event, which is lost when no one listens): each becomes `expired`, its reservation is
 * released and a served document revoked, in the books' atomic step. Every relay process runs
 * one; the books' script decides each request once, so two sweepers never both expire it.
 */
export class ExpirySweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(private readonly o: { books: IssuanceBooks; clock: Clock; log: Logger; everyMs: number; batch?: number; onExpired?: () => void }) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.o.everyMs);
    this.#timer.unref();
  }

  /** One pass; returns how many requests it expired. */
  runOnce(): Promise<number> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const n = await this.o.books.expireDue(this.o.clock.now().getTime(), this.o.batch ?? 100);
        total += n;
        if (n < (this.o.batch ?? 100)) break;
      }
    } catch (e) {
      this.o.log.warn({ event: 'books_unavailable', err: (e as Error).name }, 'expiry sweep failed; will retry');
    }
    if (total > 0) {
      this.o.log.info({ event: 'requests_expired', count: total }, 'open requests expired');
      this.o.onExpired?.();
    }
    return total;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
