import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { CardWallet, Kiosk, type Answer } from '../../helpers/kiosk.js';
import { openWithCard } from '../relay/helpers/flow.js';
import { LogCapture } from '../relay/helpers/log-capture.js';
import { startTestRelay } from '../relay/helpers/test-relay.js';
import { startTestVrs, type TestVrs } from '../relay/helpers/test-vrs.js';
import { drainNotices, ledgerByCertificate, OUTCOMES, vrsAll } from './ledger-check.js';

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
type BodyKind = 'printed' | 'printedOverpaid' | 'failed' | 'cancelled';
const LIMIT = 4;
const TTL_S = 600;

/** What the model knows of one request. */
interface ModelRequest {
  rid: string;
  /** reserved → served → an outcome. */
  status: string;
  digest?: string;
  certificateId?: string;
  /** The body that decided it, when a completion did. */
  decidedBy?: BodyKind;
}
interface ModelSession {
  sid: string;
  gone: boolean;
  ended: boolean;
  requests: ModelRequest[];
}
interface Model {
  sessions: ModelSession[];
}
/** The system: two relays on one Redis namespace, one VRS, one clock. */
interface Real {
  relays: Relay[];
  kiosk: (relay: number) => Kiosk;
  /** Every printed certificate ID whose receipt a kiosk got, and every answer's outcome by certificate. */
  printed: Set<string>;
  told: Map<string, Set<string>>;
}

const body = (kind: BodyKind, digest = 'sha-256=:AAAA:') =>
  kind === 'printed'
    ? { outcome: 'printed', paid: 120, contentDigest: digest }
    : kind === 'printedOverpaid'
      ? { outcome: 'printed', paid: 1000, contentDigest: digest }
      : { outcome: kind, paid: 0 };
const OUTCOME_OF: Record<BodyKind, string> = { printed: 'printed', printedOverpaid: 'printed', failed: 'failed', cancelled: 'cancelled' };

function tell(r: Real, req: ModelRequest, outcome: string): void {
  if (!req.certificateId) return;
  const set = r.told.get(req.certificateId) ?? new Set<string>();
  set.add(outcome);
  r.told.set(req.certificateId, set);
}

/** Checks a completion answer against the model and moves the model on. */
function settle(r: Real, s: ModelSession, req: ModelRequest, kind: BodyKind, a: Answer): void {
  if (s.gone) {
    expect([a.status, a.json.code]).toEqual([404, 'ERR_SESSION_NOT_FOUND']);
    return;
  }
  if (OUTCOMES.has(req.status)) {
    // Closed: the same body gets the same answer, another a conflict; both name the held outcome.
    if (req.decidedBy === kind) expect(a.status).toBe(200);
    else expect([a.status, a.json.code]).toEqual([409, 'ERR_COMPLETION_CONFLICT']);
    expect(a.json.outcome).toBe(req.status);
    tell(r, req, a.json.outcome);
    return;
  }
  if (OUTCOME_OF[kind] === 'printed' && req.status !== 'served') {
    expect([a.status, a.json.code]).toEqual([409, 'ERR_SESSION_STATE']);
    return;
  }
  expect(a.status, JSON.stringify(a.json)).toBe(200);
  expect(a.json.outcome).toBe(OUTCOME_OF[kind]);
  req.status = OUTCOME_OF[kind];
  req.decidedBy = kind;
  s.ended = true;
  tell(r, req, req.status);
  if (req.status === 'printed') r.printed.add(req.certificateId!);
}

class NewSession implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly relay: number,
    readonly slug: string,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { sid, card } = await openWithCard(r.kiosk(this.relay), wallet, this.slug);
    expect(card.status).toBe(200);
    m.sessions.push({ sid, gone: false, ended: false, requests: [] });
  }
  toString = () => `NewSession(${this.relay}, ${this.slug})`;
}

class Request implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly relay: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.sessions.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const s = pickSession(m, this.pick);
    const a = await r.kiosk(this.relay).call('POST', `/v1/sessions/${s.sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
    const open = s.requests.find((q) => q.status === 'reserved' || q.status === 'served');
    const expected = s.gone
      ? [404, 'ERR_SESSION_NOT_FOUND']
      : s.ended
        ? [409, 'ERR_SESSION_STATE']
        : open?.status === 'served'
          ? [409, 'ERR_REQUEST_OPEN']
          : s.requests.length >= LIMIT
            ? [429, 'ERR_REQUEST_LIMIT']
            : [201, undefined];
    expect([a.status, a.json.code], JSON.stringify(a.json)).toEqual(expected);
    if (a.status !== 201) return;
    if (open) open.status = 'cancelled';
    s.requests.push({ rid: a.json.requestId, status: 'reserved' });
  }
  toString = () => `Request(${this.relay}, ${this.pick})`;
}

/** Picks a session: mostly a live one. */
const pickSession = (m: Readonly<Model>, pick: number): ModelSession => {
  const live = m.sessions.filter((s) => !s.gone);
  const from = pick % 5 === 0 || live.length === 0 ? m.sessions : live;
  return from[pick % from.length]!;
};

/** Picks a request of a session (the latest by default). */
const pickRequest = (m: Readonly<Model>, pick: number) => {
  const all = m.sessions.filter((s) => s.requests.length > 0);
  // Mostly a live session (a gone one answers 404 to everything), now and then any.
  const live = all.filter((s) => !s.gone);
  const withRequests = pick % 5 === 0 || live.length === 0 ? all : live;
  const s = withRequests[pick % Math.max(1, withRequests.length)];
  return s ? { s, req: s.requests[Math.floor(pick / 7) % s.requests.length]! } : undefined;
};

class Fetch implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly relay: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => pickRequest(m, this.pick) !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { s, req } = pickRequest(m, this.pick)!;
    const a = await r.kiosk(this.relay).call('GET', `/v1/sessions/${s.sid}/requests/${req.rid}/document`);
    if (s.gone) expect([a.status, a.json.code]).toEqual([404, 'ERR_SESSION_NOT_FOUND']);
    else if (req.status !== 'reserved') expect([a.status, a.json.code]).toEqual([410, 'ERR_CONSUMED']);
    else {
      expect(a.status).toBe(200);
      req.status = 'served';
      req.digest = String(a.headers['content-digest']);
      req.certificateId = String(a.headers['certificate-id']);
    }
  }
  toString = () => `Fetch(${this.relay}, ${this.pick})`;
}

class Complete implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly relay: number,
    readonly pick: number,
    readonly kind: BodyKind,
  ) {}
  check = (m: Readonly<Model>) => pickRequest(m, this.pick) !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { s, req } = pickRequest(m, this.pick)!;
    const a = await r.kiosk(this.relay).call('POST', `/v1/sessions/${s.sid}/requests/${req.rid}/completion`, body(this.kind, req.digest));
    settle(r, s, req, this.kind, a);
  }
  toString = () => `Complete(${this.relay}, ${this.pick}, ${this.kind})`;
}

/** Two completions at the same moment through both relays; the model takes the winner's. */
class Race implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly a: BodyKind,
    readonly b: BodyKind,
  ) {}
  check = (m: Readonly<Model>) => pickRequest(m, this.pick) !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { s, req } = pickRequest(m, this.pick)!;
    const path = `/v1/sessions/${s.sid}/requests/${req.rid}/completion`;
    const [x, y] = await Promise.all([r.kiosk(0).call('POST', path, body(this.a, req.digest)), r.kiosk(1).call('POST', path, body(this.b, req.digest))]);
    const answers: Array<[BodyKind, Answer]> = [
      [this.a, x],
      [this.b, y],
    ];
    const wasReserved = req.status === 'reserved';
    const winner = s.gone || OUTCOMES.has(req.status) ? undefined : answers.find(([, ans]) => ans.status === 200);
    if (!winner) {
      for (const [k, ans] of answers) settle(r, s, req, k, ans);
      return;
    }
    settle(r, s, req, winner[0], winner[1]);
    for (const [k, ans] of answers) {
      if (ans === winner[1]) continue;
      // A printed body that reached a still-reserved request before the winner closed it was refused as not served.
      if (wasReserved && OUTCOME_OF[k] === 'printed' && ans.json.code === 'ERR_SESSION_STATE') continue;
      settle(r, s, req, k, ans);
    }
  }
  toString = () => `Race(${this.pick}, ${this.a}, ${this.b})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly relay: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.sessions.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const s = m.sessions[this.pick % m.sessions.length]!;
    const a = await r.kiosk(this.relay).call('DELETE', `/v1/sessions/${s.sid}`);
    expect(a.status).toBe(s.gone ? 404 : 204);
    if (!s.gone) for (const q of s.requests) if (q.status === 'reserved' || q.status === 'served') q.status = 'cancelled';
    s.gone = true;
  }
  toString = () => `Delete(${this.relay}, ${this.pick})`;
}

/** Every session runs out; both relays' sweepers run at the same moment. */
class Expire implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    clock.advance((TTL_S + 1) * 1000);
    await Promise.all(r.relays.map((x) => x.sweeper.runOnce()));
    for (const s of m.sessions) {
      if (!s.gone) for (const q of s.requests) if (q.status === 'reserved' || q.status === 'served') q.status = 'expired';
      s.gone = true;
    }
    expect(await r.relays[0]!.books.openCount()).toBe(0);
  }
  toString = () => 'Expire';
}

/** A relay process stops (its in-flight work done) and a new one takes its place on the same Redis. */
class Restart implements fc.AsyncCommand<Model, Real> {
  constructor(readonly relay: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const old = r.relays[this.relay]!;
    await old.stop();
    r.relays[this.relay] = await startRelayFor(old.env.REDIS_KEY_PREFIX!);
  }
  toString = () => `Restart(${this.relay})`;
}

const clock = new ManualClock();
/** Commands run, by kind (the note's figures). */
const executed = new Map<string, number>();
const logs = new LogCapture();
let vrs: TestVrs;
let wallet: CardWallet;
let startRelayFor: (prefix: string) => Promise<Relay>;

/**
 * Issue 14: random interleavings of steps 4–7, racing completions, expiry and relay restarts,
 * driven through two relays on one real Redis against one VRS on PostgreSQL. Each command checks
 * its answer against the model; after every run: VRS's books = the printed receipts = the ledger,
 * every served document not printed is revoked, no notice is lost or doubled, every released
 * reservation is one that was not printed, and no answer contradicted the outcome held.
 */
describe('the books under random interleavings (two relays, one Redis)', () => {
  const relays: Relay[] = [];
  const stats = { runs: 0, commands: 0 };

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    wallet = await new CardWallet().init();
    const prefix = `t${Math.random().toString(16).slice(2, 10)}:`;
    startRelayFor = (p) =>
      startTestRelay({
        vrsUrl: vrs.url,
        store: 'redis',
        redisUrl: inject('redisUrl'),
        logs,
        clock,
        startWorker: false,
        env: { REDIS_KEY_PREFIX: p, REQUEST_LIMIT: String(LIMIT), SESSION_TTL_S: String(TTL_S), RENDER_WORKERS: '1' },
      });
    relays.push(await startRelayFor(prefix), await startRelayFor(prefix));
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await vrs?.destroy();
  });

  it('keeps paper, payment and books in agreement', async () => {
    const real: Real = { relays, kiosk: (i) => new Kiosk(relays[i]!.url, 'KIOSK-0001'), printed: new Set(), told: new Map() };
    const relay = fc.integer({ min: 0, max: 1 });
    const pick = fc.nat({ max: 50 });
    const kind = fc.constantFrom<BodyKind>('printed', 'printedOverpaid', 'failed', 'cancelled');
    const newSession = fc.tuple(relay, fc.constantFrom('yamada-taro', 'suzuki-ichiro')).map(([r, s]) => new NewSession(r, s));
    const request = fc.tuple(relay, pick).map(([r, p]) => new Request(r, p));
    const fetch = fc.tuple(relay, pick).map(([r, p]) => new Fetch(r, p));
    const complete = fc.tuple(relay, pick, kind).map(([r, p, k]) => new Complete(r, p, k));
    const race = fc.tuple(pick, kind, kind).map(([p, a, b]) => new Race(p, a, b));
    // Repeated entries weigh the steps of a visit above the rarer events (DELETE, expiry, restart).
    const commands = fc.commands(
      [
        newSession,
        newSession,
        request,
        request,
        request,
        fetch,
        fetch,
        fetch,
        complete,
        complete,
        race,
        race,
        race,
        fc.tuple(relay, pick).map(([r, p]) => new Delete(r, p)),
        fc.constant(new Expire()),
        relay.map((r) => new Restart(r)),
      ],
      { maxCommands: 30, size: 'large' },
    );

    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        stats.runs++;
        stats.commands += [...cmds].length;
        await fc.asyncModelRun(() => ({ model: { sessions: [] }, real }), cmds);
        // Close the run: every session ends, both sweepers run, every notice reaches VRS.
        await new Expire().run({ sessions: [] }, real);
        await drainNotices(relays);
        await checkBooks(real);
      }),
      { numRuns: 40, endOnFailure: true },
    );
    // The figures of the note: runs and commands explored (every run checked).
    console.info(
      `ledger model: ${stats.runs} runs, ${stats.commands} commands generated; run: ${JSON.stringify(Object.fromEntries(executed))}; 0 disagreements`,
    );
    expect(executed.get('Race') ?? 0).toBeGreaterThan(5);
    // 40 runs take about 18 s on a quiet 2-core machine; the bound is for a busy one, not a goal.
  }, 300_000);
});

async function checkBooks(real: Real): Promise<void> {
  const vrsBooks = await vrsAll(vrs);
  const ledger = await ledgerByCertificate(real.relays[0]!.books);
  const revoked = new Map<string, Set<string>>();
  for (const [id, entries] of ledger) {
    const outcomes = entries.filter((e) => OUTCOMES.has(e.type));
    // Exactly one outcome per request, after its opening.
    expect(outcomes, id).toHaveLength(1);
    const outcome = outcomes[0]!;
    const served = entries.some((e) => e.type === 'served');
    expect(outcome.revoked, id).toBe(served && outcome.type !== 'printed');
    if (outcome.revoked) {
      const set = revoked.get(outcome.kid) ?? new Set((await real.relays[0]!.books.shcRevocations(outcome.kid)).ids);
      revoked.set(outcome.kid, set);
      expect(set.has(outcome.shcRid), `${id} on the CRL`).toBe(true);
    }
    // VRS: issued with one notice exactly when printed; otherwise released, with none.
    expect(vrsBooks.get(id), id).toMatchObject(
      outcome.type === 'printed' ? { status: 'issued', fee: outcome.fee, notices: 1 } : { status: 'released', notices: 0 },
    );
    // Every answer a kiosk got named this outcome.
    for (const told of real.told.get(id) ?? []) expect(told, id).toBe(outcome.type);
  }
  const issuedAtVrs = [...vrsBooks]
    .filter(([, b]) => b.status === 'issued')
    .map(([id]) => id)
    .sort();
  const printedInLedger = [...ledger]
    .filter(([, es]) => es.some((e) => e.type === 'printed'))
    .map(([id]) => id)
    .sort();
  expect(issuedAtVrs).toEqual(printedInLedger);
  expect(issuedAtVrs).toEqual([...real.printed].sort());
  // Nothing left reserved; a released reservation was never printed (refused opens have no ledger lines).
  for (const [id, b] of vrsBooks) {
    expect(b.status, id).not.toBe('reserved');
    if (b.status === 'released') expect(real.printed.has(id)).toBe(false);
  }
}
