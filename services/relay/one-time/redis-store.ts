import { Redis } from 'ioredis';
import { sessionIdOfKey, storeKeys, type OneTimeStore, type PutOptions } from './store.js';

/**
 * SET with TTL (and NX), then record the key in the session's index set (same hash tag, so the
 * script touches one slot) whose TTL never falls below the key's.
 */
const PUT_SCRIPT = `
local ok
if ARGV[3] == 'nx' then
  ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
elseif ARGV[3] == 'xx' then
  ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'XX')
else
  ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if not ok then return 0 end
if KEYS[2] then
  redis.call('SADD', KEYS[2], KEYS[1])
  local ttl = tonumber(ARGV[2])
  if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
end
return 1`;

/** Deletes every key the session's index names, then the index. */
const ERASE_SESSION_SCRIPT = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, k in ipairs(members) do redis.call('DEL', k) end
redis.call('DEL', KEYS[1])
return #members`;

/**
 * The one-time store on Redis (REDIS_URL). `take` is GETDEL: atomic for every relay process.
 * A session's keys share the hash tag `{sid}` and are listed in an index set with the same tag,
 * so erasing a session needs no SCAN across a cluster.
 */
export class RedisStore implements OneTimeStore {
  readonly redis: Redis;

  constructor(urlOrClient: string | Redis) {
    this.redis = typeof urlOrClient === 'string' ? new Redis(urlOrClient, { maxRetriesPerRequest: 2, enableOfflineQueue: true }) : urlOrClient;
    this.redis.defineCommand('relayPut', { lua: PUT_SCRIPT, numberOfKeys: 2 });
    this.redis.defineCommand('relayEraseSession', { lua: ERASE_SESSION_SCRIPT, numberOfKeys: 1 });
  }

  async put(key: string, value: string, ttlMs: number, options: PutOptions = {}): Promise<boolean> {
    return this.#put(key, value, ttlMs, options);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.redis.getdel(key)) ?? undefined;
  }

  /** The bytes go to Redis as they are (a binary-safe bulk string), never as text. */
  async putBytes(key: string, value: Buffer, ttlMs: number, options: PutOptions = {}): Promise<boolean> {
    if (!Buffer.isBuffer(value)) throw new TypeError('putBytes takes a Buffer');
    return this.#put(key, value, ttlMs, options);
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(key)) ?? undefined;
  }

  async takeBytes(key: string): Promise<Buffer | undefined> {
    return (await this.redis.getdelBuffer(key)) ?? undefined;
  }

  async #put(key: string, value: string | Buffer, ttlMs: number, options: PutOptions): Promise<boolean> {
    if (options.nx && options.xx) throw new TypeError('nx and xx exclude each other');
    if (!(ttlMs > 0)) throw new TypeError('ttlMs must be positive');
    const sid = sessionIdOfKey(key);
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    const nx = options.nx ? 'nx' : options.xx ? 'xx' : '-';
    if (!sid) {
      // Not a session's key: a plain SET (no index to keep).
      const r = options.nx
        ? await this.redis.set(key, value, 'PX', ttl, 'NX')
        : options.xx
          ? await this.redis.set(key, value, 'PX', ttl, 'XX')
          : await this.redis.set(key, value, 'PX', ttl);
      return r === 'OK';
    }
    // ARGV is binary-safe: a Buffer value reaches SET byte for byte.
    return (await (this.redis as unknown as RelayCommands).relayPut(key, storeKeys.index(sid), value, ttl, nx)) === 1;
  }

  async erase(...keys: string[]): Promise<void> {
    if (keys.length > 0) {
      // One DEL per key: keys of different sessions may live in different cluster slots.
      await Promise.all(keys.map((k) => this.redis.del(k)));
    }
  }

  async eraseSession(sessionId: string): Promise<void> {
    await (this.redis as unknown as RelayCommands).relayEraseSession(storeKeys.index(sessionId));
  }

  async sessionKeys(sessionId: string): Promise<string[]> {
    // SCAN sees raw key names: ioredis's keyPrefix is added to the pattern and removed from the answer here.
    const ns = this.redis.options.keyPrefix ?? '';
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${ns}${storeKeys.prefix(sessionId)}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys.map((k) => k.slice(ns.length)));
    } while (cursor !== '0');
    return found;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

interface RelayCommands {
  relayPut(key: string, index: string, value: string | Buffer, ttl: string, mode: string): Promise<number>;
  relayEraseSession(index: string): Promise<number>;
}
