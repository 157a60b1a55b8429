import type { Redis } from 'ioredis';
import type { NoticeOutbox, OutboxEntry, OutboxNotice } from './outbox.js';

/** All outbox keys share the hash tag `{outbox}`: one slot, so the scripts run on Redis Cluster. */
const K = {
  entries: 'relay:{outbox}:entries',
  due: 'relay:{outbox}:due',
  done: (id: string) => `relay:{outbox}:done:${id}`,
};

/** How long a delivered certificate ID is remembered for de-duplication. */
const DONE_TTL_MS = 30 * 24 * 3600 * 1000;

const ENQUEUE = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1`;

const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[1], id)
  if v then
    redis.call('ZADD', KEYS[2], ARGV[2], id)
    table.insert(out, v)
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
return out`;

const ACK = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return 1`;

const RETRY = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1`;

interface OutboxCommands {
  outboxEnqueue(k1: string, k2: string, k3: string, id: string, json: string, at: string): Promise<number>;
  outboxClaim(k1: string, k2: string, now: string, until: string, limit: string): Promise<string[]>;
  outboxAck(k1: string, k2: string, k3: string, id: string, ttl: string): Promise<number>;
  outboxRetry(k1: string, k2: string, id: string, json: string, at: string): Promise<number>;
}

/**
 * The outbox in Redis: a hash of entries by certificate ID, a sorted set of due times, and a
 * "delivered" marker per certificate ID. Redis persistence (AOF/RDB) makes it durable; every
 * change is one Lua script, so two relay processes never deliver the same lease twice.
 */
export class RedisOutbox implements NoticeOutbox {
  readonly #r: Redis & OutboxCommands;

  constructor(redis: Redis) {
    redis.defineCommand('outboxEnqueue', { lua: ENQUEUE, numberOfKeys: 3 });
    redis.defineCommand('outboxClaim', { lua: CLAIM, numberOfKeys: 2 });
    redis.defineCommand('outboxAck', { lua: ACK, numberOfKeys: 3 });
    redis.defineCommand('outboxRetry', { lua: RETRY, numberOfKeys: 2 });
    this.#r = redis as Redis & OutboxCommands;
  }

  async enqueue(notice: OutboxNotice): Promise<boolean> {
    const entry: OutboxEntry = { notice, attempts: 0 };
    const id = notice.certificateId;
    return (await this.#r.outboxEnqueue(K.entries, K.due, K.done(id), id, JSON.stringify(entry), String(Date.now()))) === 1;
  }

  async claim(now: number, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    const raw = await this.#r.outboxClaim(K.entries, K.due, String(now), String(now + leaseMs), String(limit));
    return raw.map((v) => JSON.parse(v) as OutboxEntry);
  }

  async ack(certificateId: string): Promise<void> {
    await this.#r.outboxAck(K.entries, K.due, K.done(certificateId), certificateId, String(DONE_TTL_MS));
  }

  async retry(certificateId: string, attempts: number, nextAt: number): Promise<void> {
    const json = await this.#r.hget(K.entries, certificateId);
    if (json === null) return;
    const entry = JSON.parse(json) as OutboxEntry;
    await this.#r.outboxRetry(K.entries, K.due, certificateId, JSON.stringify({ ...entry, attempts }), String(nextAt));
  }

  pending(): Promise<number> {
    return this.#r.hlen(K.entries);
  }

  async close(): Promise<void> {
    // The Redis connection is shared with the store, which closes it.
  }
}
