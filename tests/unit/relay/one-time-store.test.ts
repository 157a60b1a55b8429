import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { MemoryStore } from '../../../services/relay/one-time/memory-store.js';
import { SealedStore } from '../../../services/relay/one-time/sealed.js';
import { storeKeys } from '../../../services/relay/one-time/store.js';

describe('MemoryStore', () => {
  const clock = new ManualClock(Date.UTC(2026, 3, 1));
  const stores: MemoryStore[] = [];
  const fresh = () => {
    const s = new MemoryStore({ clock });
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('takes a value once: of two concurrent takes one gets it', async () => {
    const s = fresh();
    await s.put('k', 'v', 1000);
    const [a, b] = await Promise.all([s.take('k'), s.take('k')]);
    expect([a, b].filter((x) => x !== undefined)).toEqual(['v']);
    expect(await s.get('k')).toBeUndefined();
  });
  it('honours NX and TTL', async () => {
    const s = fresh();
    expect(await s.put('k', '1', 1000, { nx: true })).toBe(true);
    expect(await s.put('k', '2', 1000, { nx: true })).toBe(false);
    expect(await s.get('k')).toBe('1');
    clock.advance(1000);
    expect(await s.get('k')).toBeUndefined();
    expect(await s.put('k', '3', 1000, { nx: true })).toBe(true);
  });
  it('erases a whole session and nothing else', async () => {
    const s = fresh();
    await s.put(storeKeys.session('a'), '1', 1000);
    await s.put(storeKeys.document('a', 'r'), '2', 1000);
    await s.put(storeKeys.session('b'), '3', 1000);
    await s.eraseSession('a');
    expect(await s.sessionKeys('a')).toEqual([]);
    expect(await s.sessionKeys('b')).toEqual([storeKeys.session('b')]);
  });
  it('sweeps expired entries without access', async () => {
    const s = fresh();
    await s.put('k', 'v', 10);
    clock.advance(11);
    s.sweep();
    expect(s.size()).toBe(0);
  });
});

describe('SealedStore', () => {
  it('keeps only AES-GCM ciphertext at rest, bound to the key name', async () => {
    const inner = new MemoryStore();
    const sealed = new SealedStore(inner, randomBytes(32));
    await sealed.put('relay:{s1}:session', '{"myNumber":"314159265352"}', 1000);
    const raw = (await inner.get('relay:{s1}:session'))!;
    expect(raw).not.toContain('314159265352');
    expect(await sealed.get('relay:{s1}:session')).toContain('314159265352');
    // Moved under another session's key, it does not open.
    await inner.put('relay:{s2}:session', raw, 1000);
    await expect(sealed.get('relay:{s2}:session')).rejects.toThrow();
    await sealed.close();
  });
  it('refuses a key of the wrong size', () => {
    expect(() => new SealedStore(new MemoryStore(), randomBytes(16))).toThrow(TypeError);
  });
});
