import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { OneTimeStore, PutOptions } from './store.js';

const VERSION = 'g1';

/**
 * Wraps a store so that every value at rest is AES-256-GCM ciphertext (ARCHITECTURE.md: session
 * data encrypted at rest). The key name is the additional authenticated data, so a value copied
 * under another key (another session's) fails to open.
 */
export class SealedStore implements OneTimeStore {
  readonly #inner: OneTimeStore;
  readonly #key: Buffer;

  constructor(inner: OneTimeStore, key: Buffer) {
    if (key.length !== 32) throw new TypeError('the store key is 32 bytes');
    this.#inner = inner;
    this.#key = key;
  }

  /** The store underneath (tests inspect what is at rest). */
  get inner(): OneTimeStore {
    return this.#inner;
  }

  seal(key: string, plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    c.setAAD(Buffer.from(key, 'utf8'));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return [VERSION, iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join('.');
  }

  open(key: string, sealed: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== VERSION || iv === undefined || tag === undefined || ct === undefined) throw new Error('one-time store: value is not sealed');
    const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(key, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  }

  put(key: string, value: string, ttlMs: number, options?: PutOptions): Promise<boolean> {
    return this.#inner.put(key, this.seal(key, value), ttlMs, options);
  }

  async get(key: string): Promise<string | undefined> {
    const v = await this.#inner.get(key);
    return v === undefined ? undefined : this.open(key, v);
  }

  async take(key: string): Promise<string | undefined> {
    const v = await this.#inner.take(key);
    return v === undefined ? undefined : this.open(key, v);
  }

  erase(...keys: string[]): Promise<void> {
    return this.#inner.erase(...keys);
  }

  eraseSession(sessionId: string): Promise<void> {
    return this.#inner.eraseSession(sessionId);
  }

  sessionKeys(sessionId: string): Promise<string[]> {
    return this.#inner.sessionKeys(sessionId);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
