import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../../services/relay/one-time/redis-store.js';
import { SealedStore } from '../../../services/relay/one-time/sealed.js';
import { storeKeys } from '../../../services/relay/one-time/store.js';
import { watchExpiry } from './helpers/redis-expiry.js';

/** The Redis one-time store against a real Redis: atomic take across connections, TTLs, erasure. */
describe('RedisStore', () => {
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  let a: RedisStore;
  let b: RedisStore;
  let raw: Redis;
  const sid = () => randomBytes(16).toString('base64url');

  beforeAll(() => {
    a = new RedisStore(new Redis(inject('redisUrl'), { keyPrefix: prefix }));
    b = new RedisStore(new Redis(inject('redisUrl'), { keyPrefix: prefix }));
    raw = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await raw?.quit();
  });

  it('gives a one-time item to exactly one of many concurrent takers on two connections', async () => {
    for (let round = 0; round < 20; round++) {
      const key = storeKeys.document(sid(), 'r');
      await a.put(key, `v${round}`, 5000);
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).take(key)));
      expect(got.filter((x) => x !== undefined)).toEqual([`v${round}`]);
    }
  });

  it('honours NX, XX and TTL', async () => {
    const key = storeKeys.session(sid());
    expect(await a.put(key, '1', 5000, { xx: true })).toBe(false);
    expect(await a.put(key, '1', 5000, { nx: true })).toBe(true);
    expect(await b.put(key, '2', 5000, { nx: true })).toBe(false);
    expect(await b.put(key, '3', 5000, { xx: true })).toBe(true);
    expect(await a.get(key)).toBe('3');
    const gone = await watchExpiry(inject('redisUrl'));
    try {
      await a.put(key, '4', 50);
      const ttl = await raw.pttl(`${prefix}${key}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(50);
      // Redis expires the key by itself and says so: wait for that event, not a fixed time.
      await gone.expired(`${prefix}${key}`);
    } finally {
      await gone.close();
    }
    expect(await b.get(key)).toBeUndefined();
    // Keys outside a session work too.
    expect(await a.put('relay:plain', 'x', 1000, { nx: true })).toBe(true);
    expect(await b.take('relay:plain')).toBe('x');
  });

  it('erases a whole session (its keys share one hash tag and an index set) and nothing else', async () => {
    const s1 = sid();
    const s2 = sid();
    await a.put(storeKeys.session(s1), 's', 5000);
    await a.put(storeKeys.challenge(s1), 'c', 5000);
    await b.put(storeKeys.request(s1, 'r1'), 'q', 5000);
    await b.put(storeKeys.document(s1, 'r1'), 'd', 3000);
    await a.put(storeKeys.session(s2), 's', 5000);
    expect((await a.sessionKeys(s1)).sort()).toEqual(
      [storeKeys.challenge(s1), storeKeys.document(s1, 'r1'), storeKeys.index(s1), storeKeys.request(s1, 'r1'), storeKeys.session(s1)].sort(),
    );
    // The index lives as long as the longest-lived key.
    expect(await raw.pttl(`${prefix}${storeKeys.index(s1)}`)).toBeGreaterThan(4000);
    await b.eraseSession(s1);
    expect(await a.sessionKeys(s1)).toEqual([]);
    expect(await raw.keys(`*{${s1}}*`)).toEqual([]);
    expect(await a.get(storeKeys.session(s2))).toBe('s');
  });

  it('keeps bytes as bytes in Redis: binary-safe through the put script, GETDEL once across connections', async () => {
    const s = sid();
    const key = storeKeys.document(s, 'r1');
    // Every byte value, so a text round trip anywhere would show.
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(40_000)]);
    expect(await a.putBytes(key, bytes, 5000, { nx: true })).toBe(true);
    expect(await b.putBytes(key, Buffer.from('x'), 5000, { nx: true })).toBe(false);
    // Stored as the bytes themselves (not base64), listed in the session's index.
    expect(await raw.strlen(`${prefix}${key}`)).toBe(bytes.length);
    expect(await raw.getBuffer(`${prefix}${key}`)).toEqual(bytes);
    expect(await raw.smembers(`${prefix}${storeKeys.index(s)}`)).toEqual([`${prefix}${key}`]);
    expect(await b.getBytes(key)).toEqual(bytes);
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).takeBytes(key)));
    expect(got.filter((x) => x !== undefined)).toEqual([bytes]);
    // Keys outside a session take the plain SET path.
    expect(await a.putBytes('relay:plain-bytes', bytes, 1000)).toBe(true);
    expect(await b.takeBytes('relay:plain-bytes')).toEqual(bytes);
    await a.putBytes(storeKeys.challenge(s), randomBytes(32), 5000);
    await a.eraseSession(s);
    expect(await raw.keys(`*{${s}}*`)).toEqual([]);
  });

  it('keeps only AES-GCM ciphertext in Redis when sealed: one binary envelope per value', async () => {
    const storeKey = randomBytes(32);
    const sealed = new SealedStore(a, storeKey);
    const s = sid();
    const plain = '{"myNumber":"314159265352","name":"山田　太郎"}';
    await sealed.put(storeKeys.session(s), plain, 5000);
    const stored = (await raw.getBuffer(`${prefix}${storeKeys.session(s)}`))!;
    // version 1 | 12-byte IV | 16-byte tag | ciphertext of the UTF-8 plaintext.
    expect(stored[0]).toBe(0x01);
    expect(stored.length).toBe(29 + Buffer.byteLength(plain, 'utf8'));
    expect(stored.includes(Buffer.from('314159265352'))).toBe(false);
    expect(stored.includes(Buffer.from('山田', 'utf8'))).toBe(false);
    expect(await sealed.take(storeKeys.session(s))).toBe(plain);

    // A document: 29 bytes more than the PDF, no base64 and no plaintext at rest.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(60_000)]);
    const docKey = storeKeys.document(s, 'r1');
    await sealed.putBytes(docKey, pdf, 5000);
    const env = (await raw.getBuffer(`${prefix}${docKey}`))!;
    expect(env.length).toBe(29 + pdf.length);
    expect(env[0]).toBe(0x01);
    expect(env.includes(Buffer.from('%PDF-'))).toBe(false);
    // Copied under another session's key, it does not open.
    const other = storeKeys.document(sid(), 'r1');
    await raw.set(`${prefix}${other}`, env, 'PX', 5000);
    await expect(sealed.takeBytes(other)).rejects.toThrow();
    // Two relays (two connections, same store key) race for it: one gets the PDF, byte for byte.
    const got = await Promise.all([sealed.takeBytes(docKey), new SealedStore(b, storeKey).takeBytes(docKey)]);
    expect(got.filter((v) => v !== undefined)).toEqual([pdf]);
  });
});
