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
  it('keeps bytes as bytes and takes them once', async () => {
    const s = fresh();
    // Not valid UTF-8: a text round trip would change these bytes.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(await s.putBytes(storeKeys.document('a', 'r'), bytes, 1000, { nx: true })).toBe(true);
    expect(await s.putBytes(storeKeys.document('a', 'r'), Buffer.from('x'), 1000, { nx: true })).toBe(false);
    // A reader's copy: changing it does not change what is stored.
    const copy = (await s.getBytes(storeKeys.document('a', 'r')))!;
    copy[0] = 0xff;
    const [x, y] = await Promise.all([s.takeBytes(storeKeys.document('a', 'r')), s.takeBytes(storeKeys.document('a', 'r'))]);
    expect([x, y].filter((v) => v !== undefined)).toEqual([bytes]);
    expect(await s.getBytes(storeKeys.document('a', 'r'))).toBeUndefined();
    // Either form reads the other, as Redis does.
    await s.put('t', 'テキスト', 1000);
    expect((await s.takeBytes('t'))!.toString('utf8')).toBe('テキスト');
    await s.putBytes('b', Buffer.from('バイト', 'utf8'), 1000);
    expect(await s.take('b')).toBe('バイト');
  });
  it('refuses a value that is not a Buffer for putBytes, and nx with xx', async () => {
    const s = fresh();
    await expect(s.putBytes('k', 'text' as unknown as Buffer, 1000)).rejects.toThrow(TypeError);
    await expect(s.put('k', 'v', 1000, { nx: true, xx: true })).rejects.toThrow(TypeError);
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
  const HEADER = 1 + 12 + 16;

  it('keeps only AES-GCM ciphertext at rest, in a binary envelope bound to the key name', async () => {
    const inner = new MemoryStore();
    const sealed = new SealedStore(inner, randomBytes(32));
    const plain = '{"myNumber":"314159265352","name":"山田　太郎"}';
    await sealed.put('relay:{s1}:session', plain, 1000);
    const raw = (await inner.getBytes('relay:{s1}:session'))!;
    // version 1 | IV | tag | ciphertext as long as the UTF-8 plaintext: no base64, no text.
    expect(raw[0]).toBe(0x01);
    expect(raw.length).toBe(HEADER + Buffer.byteLength(plain, 'utf8'));
    expect(raw.includes(Buffer.from('314159265352'))).toBe(false);
    expect(raw.includes(Buffer.from('山田', 'utf8'))).toBe(false);
    expect(await sealed.get('relay:{s1}:session')).toBe(plain);
    // Moved under another session's key, it does not open.
    await inner.putBytes('relay:{s2}:session', raw, 1000);
    await expect(sealed.get('relay:{s2}:session')).rejects.toThrow();
    await sealed.close();
  });
  it("seals a document's bytes as they are: what is taken is the same bytes, once", async () => {
    const inner = new MemoryStore();
    const sealed = new SealedStore(inner, randomBytes(32));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(50_000), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
    const key = storeKeys.document('s1', 'r1');
    await sealed.putBytes(key, pdf, 1000);
    const raw = (await inner.getBytes(key))!;
    expect(raw.length).toBe(HEADER + pdf.length);
    expect(raw.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(raw.includes(pdf.subarray(100, 132))).toBe(false);
    const [a, b] = await Promise.all([sealed.takeBytes(key), sealed.takeBytes(key)]);
    expect([a, b].filter((v) => v !== undefined)).toEqual([pdf]);
    await sealed.close();
  });
  it('refuses an altered envelope, another version and a value that is no envelope', async () => {
    const inner = new MemoryStore();
    const sealed = new SealedStore(inner, randomBytes(32));
    const key = storeKeys.document('s1', 'r1');
    const env = sealed.seal(key, Buffer.from('document'));
    expect(sealed.open(key, env).toString()).toBe('document');
    for (const at of [1, 13, HEADER, env.length - 1]) {
      const bad = Buffer.from(env);
      bad[at]! ^= 0x01;
      expect(() => sealed.open(key, bad)).toThrow();
    }
    expect(() => sealed.open(key, Buffer.concat([Buffer.from([0x02]), env.subarray(1)]))).toThrow(/not sealed/);
    expect(() => sealed.open(key, env.subarray(0, HEADER - 1))).toThrow(/not sealed/);
    // A value written around the seal (the old text format, say) is refused, not misread.
    await inner.put(key, 'g1.aaaa.bbbb.cccc', 1000);
    await expect(sealed.takeBytes(key)).rejects.toThrow(/not sealed/);
    await sealed.close();
  });
  it('refuses a key of the wrong size', () => {
    expect(() => new SealedStore(new MemoryStore(), randomBytes(16))).toThrow(TypeError);
  });
});
