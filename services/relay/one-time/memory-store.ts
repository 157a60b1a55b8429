import { systemClock, type Clock } from '../../common/clock.js';
import { sessionIdOfKey, storeKeys, type OneTimeStore, type PutOptions } from './store.js';

interface Entry {
  /** Kept in the form it was written; read in the other form, it is converted (UTF-8). */
  value: string | Buffer;
  expiresAt: number;
}

const asText = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));
const asBytes = (v: string | Buffer): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

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

  #set(key: string, value: string | Buffer, ttlMs: number, options: PutOptions): boolean {
    if (options.nx && options.xx) throw new TypeError('nx and xx exclude each other');
    if (!(ttlMs > 0)) throw new TypeError('ttlMs must be positive');
    if (options.nx && this.#live(key)) return false;
    if (options.xx && !this.#live(key)) return false;
    this.#entries.set(key, { value, expiresAt: this.#clock.now().getTime() + ttlMs });
    return true;
  }

  #take(key: string): Entry | undefined {
    const e = this.#live(key);
    this.#entries.delete(key);
    return e;
  }

  async put(key: string, value: string, ttlMs: number, options: PutOptions = {}): Promise<boolean> {
    return this.#set(key, value, ttlMs, options);
  }

  async get(key: string): Promise<string | undefined> {
    const e = this.#live(key);
    return e && asText(e.value);
  }

  async take(key: string): Promise<string | undefined> {
    const e = this.#take(key);
    return e && asText(e.value);
  }

  /** Keeps `value` itself (no copy): the caller hands it over. */
  async putBytes(key: string, value: Buffer, ttlMs: number, options: PutOptions = {}): Promise<boolean> {
    if (!Buffer.isBuffer(value)) throw new TypeError('putBytes takes a Buffer');
    return this.#set(key, value, ttlMs, options);
  }

  /** A copy: the entry stays and must not change through what a reader does. */
  async getBytes(key: string): Promise<Buffer | undefined> {
    const e = this.#live(key);
    // Buffer.from copies a Buffer and encodes a string: either way a fresh Buffer.
    return e && (typeof e.value === 'string' ? Buffer.from(e.value, 'utf8') : Buffer.from(e.value));
  }

  /** The stored bytes themselves: the entry is gone, so they pass to the taker. */
  async takeBytes(key: string): Promise<Buffer | undefined> {
    const e = this.#take(key);
    return e && asBytes(e.value);
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
