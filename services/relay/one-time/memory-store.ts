import { systemClock, type Clock } from '../../common/clock.js';
import { sessionIdOfKey, storeKeys, type OneTimeStore, type PutOptions } from './store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The embedded one-time store (no REDIS_URL): same verbs and TTLs as Redis. Node runs one
 * callback at a time, so reading and deleting in the same synchronous step is atomic. Expired
 * entries are dropped on access and by a periodic sweep.
 */
export class MemoryStore implements OneTimeStore {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #sweep: NodeJS.Timeout;

  constructor(options: { clock?: Clock; sweepMs?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#sweep = setInterval(() => this.sweep(), options.sweepMs ?? 1000);
    this.#sweep.unref();
  }

  #live(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    if (e && e.expiresAt <= this.#clock.now().getTime()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  async put(key: string, value: string, ttlMs: number, options: PutOptions = {}): Promise<boolean> {
    if (!(ttlMs > 0)) throw new TypeError('ttlMs must be positive');
    if (options.nx && this.#live(key)) return false;
    if (options.xx && !this.#live(key)) return false;
    this.#entries.set(key, { value, expiresAt: this.#clock.now().getTime() + ttlMs });
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async take(key: string): Promise<string | undefined> {
    const e = this.#live(key);
    this.#entries.delete(key);
    return e?.value;
  }

  async erase(...keys: string[]): Promise<void> {
    for (const k of keys) this.#entries.delete(k);
  }

  async eraseSession(sessionId: string): Promise<void> {
    for (const k of [...this.#entries.keys()]) if (sessionIdOfKey(k) === sessionId) this.#entries.delete(k);
  }

  async sessionKeys(sessionId: string): Promise<string[]> {
    const prefix = storeKeys.prefix(sessionId);
    return [...this.#entries.keys()].filter((k) => k.startsWith(prefix) && this.#live(k));
  }

  /** Drops expired entries. */
  sweep(): void {
    const now = this.#clock.now().getTime();
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
  }

  /** Number of live entries (tests). */
  size(): number {
    this.sweep();
    return this.#entries.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#entries.clear();
  }
}
