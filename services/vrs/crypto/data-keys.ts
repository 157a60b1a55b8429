import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InternalError, NotFoundError } from '../../common/errors.js';
import type { Queryable } from '../db/database.js';

/**
 * Per-municipality AES-256 data keys. Each municipality's key is random, stored in
 * municipalities.data_key_wrapped wrapped by the master key (AES-256-GCM, iv ‖ ciphertext ‖ tag,
 * AAD binds it to the 自治体コード so a wrapped key cannot be moved to another municipality), and
 * unwrapped once per process into an in-memory cache keyed by the master key.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

function wrapAad(code: string): Buffer {
  return Buffer.from(`vrs-data-key:${code}`, 'utf8');
}

/** AES-256-GCM seal: iv ‖ ciphertext ‖ tag. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  if (key.length !== 32) throw new TypeError('seal needs a 32-byte key');
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

/** Opens what `seal` made; throws when the key, AAD or bytes do not match. */
export function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (key.length !== 32) throw new TypeError('open needs a 32-byte key');
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new InternalError('Sealed data too short');
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), d.final()]);
}

/** A new random data key for `code`, wrapped by the master key (for municipalities.data_key_wrapped). */
export function newWrappedDataKey(master: Buffer, code: string): Buffer {
  return seal(master, randomBytes(32), wrapAad(code));
}

export function unwrapDataKey(master: Buffer, code: string, wrapped: Buffer): Buffer {
  return open(master, wrapped, wrapAad(code));
}

const cache = new WeakMap<Buffer, Map<string, Buffer>>();

/** The municipality's data key, unwrapped (cached in memory per master key). */
export async function dataKeyFor(q: Queryable, master: Buffer, code: string): Promise<Buffer> {
  let perMaster = cache.get(master);
  if (!perMaster) cache.set(master, (perMaster = new Map()));
  const hit = perMaster.get(code);
  if (hit) return hit;
  const { rows } = await q.query<{ data_key_wrapped: Uint8Array }>('SELECT data_key_wrapped FROM municipalities WHERE code = $1', [code]);
  const row = rows[0];
  if (!row) throw new NotFoundError('Unknown municipality');
  const key = unwrapDataKey(master, code, Buffer.from(row.data_key_wrapped));
  perMaster.set(code, key);
  return key;
}
