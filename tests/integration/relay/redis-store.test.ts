import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../../services/relay/one-time/redis-store.js';
import { SealedStore } from '../../../services/relay/one-time/sealed.js';
import { storeKeys } from '../../../services/relay/one-time/store.js';

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
    await a.put(key, '4', 50);
    await new Promise((r) => setTimeout(r, 120));
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
    expect((await a.sessionKeys(s1)).sort()).toEqual([storeKeys.challenge(s1), storeKeys.document(s1, 'r1'), storeKeys.index(s1), storeKeys.request(s1, 'r1'), storeKeys.session(s1)].sort());
    // The index lives as long as the longest-lived key.
    expect(await raw.pttl(`${prefix}${storeKeys.index(s1)}`)).toBeGreaterThan(4000);
    await b.eraseSession(s1);
    expect(await a.sessionKeys(s1)).toEqual([]);
    expect(await raw.keys(`*{${s1}}*`)).toEqual([]);
    expect(await a.get(storeKeys.session(s2))).toBe('s');
  });

  it('keeps only AES-GCM ciphertext in Redis when sealed', async () => {
    const sealed = new SealedStore(a, randomBytes(32));
    const s = sid();
    await sealed.put(storeKeys.session(s), '{"myNumber":"314159265352","name":"山田　太郎"}', 5000);
    const stored = (await raw.get(`${prefix}${storeKeys.session(s)}`))!;
    expect(stored).toMatch(/^g1\./);
    expect(stored).not.toContain('314159265352');
    expect(await sealed.take(storeKeys.session(s))).toContain('314159265352');
  });
});
