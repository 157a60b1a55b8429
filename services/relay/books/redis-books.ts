import type { Redis } from 'ioredis';
import type { BookRequest, CompleteResult, Completion, HeldRequest, IssuanceBooks, LedgerEntry, OpenResult, RevocationList, ServeResult } from './books.js';

/**
 * Every key of the books shares the outbox's hash tag `{outbox}`: one slot, so that a transition
 * writes the request's state, the ledger stream, the notice in the outbox and the revocation lists
 * in one Lua script, on Redis Cluster too. Scripts get the base name as KEYS[1] (so ioredis's key
 * prefix applies) and name the rest from it.
 */
const BASE = 'relay:{outbox}:';

/** Shared by every script: the close of a request and the writes it implies. */
const PRELUDE = `
local B = KEYS[1]
local function enqueue(id, notice, wall)
  if redis.call('EXISTS', B .. 'done:' .. id) == 1 then return end
  if redis.call('HSETNX', B .. 'entries', id, cjson.encode({ notice = notice, attempts = 0 })) == 1 then
    redis.call('ZADD', B .. 'due', wall, id)
  end
end
local function entry(h, at)
  local e = {}
  for k, v in pairs(h) do e[k] = v end
  e.sid = nil; e.rid = nil; e.status = nil; e.servedAt = nil; e.closed = nil
  e.type = h.status; e.at = at
  if h.closed then
    e.copies = h.closed.receipt.copies; e.fee = h.closed.receipt.fee
    e.reason = h.closed.reason; e.revoked = h.closed.revoked
  end
  redis.call('XADD', B .. 'ledger', '*', 'e', cjson.encode(e))
end
local function release(h, outcome, iso)
  return { type = 'release', certificateId = h.certificateId, municipality = h.municipality, kind = h.kind, outcome = outcome, releasedAt = iso }
end
local function zero(h, iso)
  return { copies = 0, fee = 0, paid = 0, change = 0, issuedAt = iso, kioskId = h.kioskId, storeId = h.storeId }
end
local function close(h, outcome, reason, receipt, fp, at, iso, notice, keep, wall)
  local revoked = (h.status == 'served' and outcome ~= 'printed')
  h.status = outcome
  h.closed = { at = at, reason = reason, receipt = receipt, fingerprint = fp, revoked = revoked }
  local member = h.sid .. ':' .. h.rid
  redis.call('SET', B .. 'books:r:' .. member, cjson.encode(h), 'PX', keep)
  redis.call('ZREM', B .. 'books:open', member)
  if revoked then
    redis.call('RPUSH', B .. 'revoked:shc:' .. h.kid, h.shcRid)
    if h.vdsSigner then redis.call('RPUSH', B .. 'revoked:vds:' .. h.vdsSigner, h.certificateId) end
  end
  entry(h, at)
  if outcome == 'printed' then enqueue(h.certificateId, notice, wall) else enqueue(h.certificateId, release(h, outcome, iso), wall) end
  local s = B .. 'books:s:' .. h.sid
  if redis.call('HGET', s, 'open') == h.rid then redis.call('HDEL', s, 'open') end
end
local function load(member)
  local raw = redis.call('GET', B .. 'books:r:' .. member)
  if raw then return cjson.decode(raw) end
  return nil
end
`;

/** ARGV: request JSON, limit, at, iso, session TTL ms, keep ms, wall ms. */
const OPEN = `${PRELUDE}
local req = cjson.decode(ARGV[1])
local limit, at, iso, ttl, keep, wall = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local s = B .. 'books:s:' .. req.sid
local openRid = redis.call('HGET', s, 'open')
local current = nil
if openRid then current = load(req.sid .. ':' .. openRid) end
local n = tonumber(redis.call('HGET', s, 'n') or '0')
local why = nil
if redis.call('HGET', s, 'ended') then why = 'ended'
elseif current and current.status == 'served' then why = 'open'
elseif n >= limit then why = 'limit' end
if why then
  enqueue(req.certificateId, release(req, 'cancelled', iso), wall)
  return cjson.encode({ ok = false, why = why })
end
local replaced = nil
if current and not current.closed then
  replaced = current.rid
  close(current, 'cancelled', 'replaced', zero(current, iso), '', at, iso, nil, keep, wall)
end
redis.call('HINCRBY', s, 'n', 1)
redis.call('HSET', s, 'open', req.rid)
redis.call('PEXPIRE', s, ttl + keep)
req.status = 'reserved'
local member = req.sid .. ':' .. req.rid
redis.call('SET', B .. 'books:r:' .. member, cjson.encode(req))
redis.call('ZADD', B .. 'books:open', req.expiresAt, member)
entry(req, at)
return cjson.encode({ ok = true, replaced = replaced })`;

/** ARGV: sid, limit. Reads only. */
const PRECHECK = `${PRELUDE}
local s = B .. 'books:s:' .. ARGV[1]
if redis.call('HGET', s, 'ended') then return 'ended' end
local openRid = redis.call('HGET', s, 'open')
if openRid then
  local h = load(ARGV[1] .. ':' .. openRid)
  if h and h.status == 'served' then return 'open' end
end
if tonumber(redis.call('HGET', s, 'n') or '0') >= tonumber(ARGV[2]) then return 'limit' end
return ''`;

/** ARGV: sid, rid, at. */
const SERVE = `${PRELUDE}
local member = ARGV[1] .. ':' .. ARGV[2]
local h = load(member)
if not h then return cjson.encode({ ok = false }) end
if h.status ~= 'reserved' then return cjson.encode({ ok = false, held = h }) end
h.status = 'served'
h.servedAt = tonumber(ARGV[3])
redis.call('SET', B .. 'books:r:' .. member, cjson.encode(h))
entry(h, tonumber(ARGV[3]))
return cjson.encode({ ok = true })`;

/** ARGV: sid, rid, outcome, receipt JSON, fingerprint, at, iso, notice JSON or '', keep, wall. */
const COMPLETE = `${PRELUDE}
local h = load(ARGV[1] .. ':' .. ARGV[2])
if not h then return false end
local outcome = ARGV[3]
if h.closed or (outcome == 'printed' and h.status ~= 'served') then return cjson.encode({ first = false, held = h }) end
local notice = nil
if ARGV[8] ~= '' then notice = cjson.decode(ARGV[8]) end
close(h, outcome, 'completion', cjson.decode(ARGV[4]), ARGV[5], tonumber(ARGV[6]), ARGV[7], notice, tonumber(ARGV[9]), tonumber(ARGV[10]))
local s = B .. 'books:s:' .. ARGV[1]
if redis.call('EXISTS', s) == 1 then redis.call('HSET', s, 'ended', '1') end
return cjson.encode({ first = true, held = h })`;

/** ARGV: sid, at, iso, keep, wall. */
const END_SESSION = `${PRELUDE}
local s = B .. 'books:s:' .. ARGV[1]
local openRid = redis.call('HGET', s, 'open')
if openRid then
  local h = load(ARGV[1] .. ':' .. openRid)
  if h and not h.closed then close(h, 'cancelled', 'deleted', zero(h, ARGV[3]), '', tonumber(ARGV[2]), ARGV[3], nil, tonumber(ARGV[4]), tonumber(ARGV[5])) end
end
if redis.call('EXISTS', s) == 1 then redis.call('HSET', s, 'ended', '1') end
return 1`;

/** ARGV: at, iso, limit, keep, wall. */
const EXPIRE = `${PRELUDE}
local due = redis.call('ZRANGEBYSCORE', B .. 'books:open', '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local n = 0
for _, member in ipairs(due) do
  local h = load(member)
  if h and not h.closed then
    close(h, 'expired', 'expired', zero(h, ARGV[2]), '', tonumber(ARGV[1]), ARGV[2], nil, tonumber(ARGV[4]), tonumber(ARGV[5]))
    n = n + 1
  else
    redis.call('ZREM', B .. 'books:open', member)
  end
end
return n`;

interface BooksCommands {
  booksOpen(base: string, req: string, limit: string, at: string, iso: string, ttl: string, keep: string, wall: string): Promise<string>;
  booksPrecheck(base: string, sid: string, limit: string): Promise<string>;
  booksServe(base: string, sid: string, rid: string, at: string): Promise<string>;
  booksComplete(
    base: string,
    sid: string,
    rid: string,
    outcome: string,
    receipt: string,
    fp: string,
    at: string,
    iso: string,
    notice: string,
    keep: string,
    wall: string,
  ): Promise<string | null>;
  booksEndSession(base: string, sid: string, at: string, iso: string, keep: string, wall: string): Promise<number>;
  booksExpire(base: string, at: string, iso: string, limit: string, keep: string, wall: string): Promise<number>;
}

/**
 * The books on Redis, shared by every relay process: each transition is one Lua script, one round
 * trip. Durable with Redis persistence (AOF or RDB), like the outbox they share a slot with.
 */
export class RedisBooks implements IssuanceBooks {
  readonly #r: Redis & BooksCommands;
  readonly #keepClosedMs: number;

  constructor(redis: Redis, options: { keepClosedMs?: number } = {}) {
    redis.defineCommand('booksOpen', { lua: OPEN, numberOfKeys: 1 });
    redis.defineCommand('booksPrecheck', { lua: PRECHECK, numberOfKeys: 1 });
    redis.defineCommand('booksServe', { lua: SERVE, numberOfKeys: 1 });
    redis.defineCommand('booksComplete', { lua: COMPLETE, numberOfKeys: 1 });
    redis.defineCommand('booksEndSession', { lua: END_SESSION, numberOfKeys: 1 });
    redis.defineCommand('booksExpire', { lua: EXPIRE, numberOfKeys: 1 });
    this.#r = redis as Redis & BooksCommands;
    this.#keepClosedMs = options.keepClosedMs ?? 24 * 3600_000;
  }

  get #keep(): string {
    return String(this.#keepClosedMs);
  }

  async open(req: BookRequest, o: { limit: number; at: number; sessionTtlMs: number }): Promise<OpenResult> {
    const raw = await this.#r.booksOpen(
      BASE,
      JSON.stringify(req),
      String(o.limit),
      String(o.at),
      iso(o.at),
      String(Math.ceil(o.sessionTtlMs)),
      this.#keep,
      String(Date.now()),
    );
    const r = JSON.parse(raw) as { ok: boolean; why?: 'open' | 'limit' | 'ended'; replaced?: string };
    if (!r.ok) return { ok: false, why: r.why! };
    return r.replaced ? { ok: true, replaced: r.replaced } : { ok: true };
  }

  async precheck(sid: string, limit: number): Promise<'open' | 'limit' | 'ended' | undefined> {
    const r = await this.#r.booksPrecheck(BASE, sid, String(limit));
    return r === '' ? undefined : (r as 'open' | 'limit' | 'ended');
  }

  async serve(sid: string, rid: string, at: number): Promise<ServeResult> {
    const r = JSON.parse(await this.#r.booksServe(BASE, sid, rid, String(at))) as { ok: boolean; held?: HeldRequest };
    return r.ok ? { ok: true } : { ok: false, held: r.held };
  }

  async complete(sid: string, rid: string, c: Completion): Promise<CompleteResult | undefined> {
    const raw = await this.#r.booksComplete(
      BASE,
      sid,
      rid,
      c.outcome,
      JSON.stringify(c.receipt),
      c.fingerprint,
      String(c.at),
      iso(c.at),
      c.notice ? JSON.stringify(c.notice) : '',
      this.#keep,
      String(Date.now()),
    );
    return raw ? (JSON.parse(raw) as CompleteResult) : undefined;
  }

  async held(sid: string, rid: string): Promise<HeldRequest | undefined> {
    const raw = await this.#r.get(`${BASE}books:r:${sid}:${rid}`);
    return raw === null ? undefined : (JSON.parse(raw) as HeldRequest);
  }

  async endSession(sid: string, at: number): Promise<void> {
    await this.#r.booksEndSession(BASE, sid, String(at), iso(at), this.#keep, String(Date.now()));
  }

  async expireDue(at: number, limit: number): Promise<number> {
    return this.#r.booksExpire(BASE, String(at), iso(at), String(limit), this.#keep, String(Date.now()));
  }

  async #list(key: string): Promise<RevocationList> {
    const ids = await this.#r.lrange(key, 0, -1);
    return { ctr: ids.length, ids };
  }

  shcRevocations(kid: string): Promise<RevocationList> {
    return this.#list(`${BASE}revoked:shc:${kid}`);
  }

  vdsRevocations(signer: string): Promise<RevocationList> {
    return this.#list(`${BASE}revoked:vds:${signer}`);
  }

  async ledger(from: number, to: number): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    let start = '-';
    for (;;) {
      const page = await this.#r.xrange(`${BASE}ledger`, start, '+', 'COUNT', 1000);
      for (const [, fields] of page) {
        const e = JSON.parse(fields[1]!) as LedgerEntry;
        if (e.at >= from && e.at < to) out.push(e);
      }
      if (page.length < 1000) return out;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  openCount(): Promise<number> {
    return this.#r.zcard(`${BASE}books:open`);
  }

  async close(): Promise<void> {
    // The connection is shared with the store, which closes it.
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
