import { Backoff, LOGIN_BACKOFF, type BackoffPolicy } from '../../../common/backoff.js';
import type { Clock } from '../../../common/clock.js';
import { LoginAttemptsThrottledError } from '../../../common/auth-errors.js';

/**
 * Growing delays on wrong passwords and wrong codes, per account (keyed by the e-mail address as
 * typed, so an unknown address is throttled exactly like a known one) and per client address.
 * Delays are capped (15 minutes) and run out by themselves: nobody can lock a staff member out,
 * only hold them back by at most the cap. A successful login resets both.
 */
export class LoginThrottle {
  readonly #accounts: Backoff;
  readonly #clients: Backoff;

  constructor(clock: Clock, policy: BackoffPolicy = LOGIN_BACKOFF) {
    this.#accounts = new Backoff(policy, clock);
    // One address may be an office's shared exit: it gets many more free attempts than an account.
    this.#clients = new Backoff({ ...policy, free: policy.free * 10 }, clock);
  }

  /** Throws 429 ERR_LOGIN_THROTTLED (Retry-After) while the account or the client is held back. */
  check(account: string, client: string | undefined): void {
    const ms = Math.max(this.#accounts.waitMs(key(account)), client ? this.#clients.waitMs(client) : 0);
    if (ms > 0) throw new LoginAttemptsThrottledError(Math.ceil(ms / 1000));
  }

  /** Records a failure; true when it started the account's back-off (the moment to mail the staff member). */
  fail(account: string, client: string | undefined): boolean {
    if (client) this.#clients.fail(client);
    return this.#accounts.fail(key(account)).started;
  }

  succeed(account: string, client: string | undefined): void {
    this.#accounts.reset(key(account));
    if (client) this.#clients.reset(client);
  }
}

const key = (account: string) => account.trim().toLowerCase();
