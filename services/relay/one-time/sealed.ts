import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { OneTimeStore, PutOptions } from './store.js';

/** Envelope layout: version (1 byte) | IV (12) | GCM tag (16) | ciphertext. */
const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * Wraps a store so that every value at rest is AES-256-GCM ciphertext (ARCHITECTURE.md: session
 * data encrypted at rest). The key name is the additional authenticated data, so a value copied
 * under another key (another session's) fails to open.
 *
 * Every value, text or bytes, is kept as one compact binary envelope through the inner store's
 * bytes verbs: a document goes from the renderer to Redis and back to the kiosk as bytes, never
 * as base64 or UTF-8 text.
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

  /** The envelope of `plain` stored under `key`. */
  seal(key: string, plain: Buffer): Buffer {
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header[0] = VERSION;
    const iv = header.subarray(1, 1 + IV_BYTES);
    randomBytes(IV_BYTES).copy(iv);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    c.setAAD(Buffer.from(key, 'utf8'));
    const ct = c.update(plain);
    const last = c.final();
    c.getAuthTag().copy(header, 1 + IV_BYTES);
    return Buffer.concat([header, ct, last], HEADER_BYTES + ct.length + last.length);
  }

  /** The plaintext of an envelope stored under `key`; throws if it is not one or was altered or moved. */
  open(key: string, sealed: Buffer): Buffer {
    if (!Buffer.isBuffer(sealed) || sealed.length < HEADER_BYTES || sealed[0] !== VERSION) throw new Error('one-time store: value is not sealed');
    const d = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(1, 1 + IV_BYTES));
    d.setAAD(Buffer.from(key, 'utf8'));
    d.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER_BYTES));
    const plain = d.update(sealed.subarray(HEADER_BYTES));
    const last = d.final();
    return last.length === 0 ? plain : Buffer.concat([plain, last]);
  }

  put(key: string, value: string, ttlMs: number, options?: PutOptions): Promise<boolean> {
    return this.#inner.putBytes(key, this.seal(key, Buffer.from(value, 'utf8')), ttlMs, options);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.getBytes(key))?.toString('utf8');
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.takeBytes(key))?.toString('utf8');
  }

  putBytes(key: string, value: Buffer, ttlMs: number, options?: PutOptions): Promise<boolean> {
    return this.#inner.putBytes(key, this.seal(key, value), ttlMs, options);
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    const v = await this.#inner.getBytes(key);
    return v === undefined ? undefined : this.open(key, v);
  }

  async takeBytes(key: string): Promise<Buffer | undefined> {
    const v = await this.#inner.takeBytes(key);
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
