import type { Clock } from './clock.js';

/** How a back-off grows: free attempts, then first delay doubling up to the cap. */
export interface BackoffPolicy {
  /** Failures allowed before any delay. */
  free: number;
  /** Delay after the first failure beyond `free`. */
  firstDelayMs: number;
  /** The longest delay (the cap: 15 minutes). */
  capMs: number;
  /** How many keys are remembered at most (oldest forgotten first), so a flood cannot fill memory. */
  maxKeys?: number;
}

/** The default policy of login attempts: 4 free, then from the 5th failure 30 s, 60 s, 2 min, … up to 15 minutes. */
export const LOGIN_BACKOFF: BackoffPolicy = { free: 4, firstDelayMs: 30_000, capMs: 15 * 60_000 };

/**
 * Growing delays per key (an account, a client address, a browser cookie). A delay always runs
 * out: an attacker can hold a key back by at most `capMs` after their last failure, never lock it.
 */
export class Backoff {
  readonly #entries = new Map<string, { failures: number; until: number }>();

  constructor(
    readonly policy: BackoffPolicy,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until the key may try again (0: now). */
  waitMs(key: string): number {
    const e = this.#entries.get(key);
    return e ? Math.max(0, e.until - this.clock.now().getTime()) : 0;
  }

  /** Records a failure; returns the delay now in force and whether this failure started it. */
  fail(key: string): { delayMs: number; started: boolean } {
    const e = this.#entries.get(key) ?? { failures: 0, until: 0 };
    this.#entries.delete(key);
    e.failures += 1;
    const over = e.failures - this.policy.free;
    const delayMs = over > 0 ? Math.min(this.policy.capMs, this.policy.firstDelayMs * 2 ** Math.min(over - 1, 30)) : 0;
    e.until = this.clock.now().getTime() + delayMs;
    this.#entries.set(key, e);
    const max = this.policy.maxKeys ?? 10_000;
    while (this.#entries.size > max) this.#entries.delete(this.#entries.keys().next().value!);
    return { delayMs, started: over === 1 };
  }

  /** Forgets the key's failures (after a successful login). */
  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** Failures recorded for the key. */
  failures(key: string): number {
    return this.#entries.get(key)?.failures ?? 0;
  }
}
