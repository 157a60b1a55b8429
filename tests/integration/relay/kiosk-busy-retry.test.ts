import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKioskAgent } from '../../../kiosk-sim/agent/agent.js';
import { HealthMonitor } from '../../../kiosk-sim/agent/health.js';
import { RelayClient, RelayError } from '../../../kiosk-sim/agent/relay-client.js';
import type { CardDataBody } from '../../../services/common/kiosk-protocol.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { eventually } from './helpers/flow.js';
import { LogCapture } from './helpers/log-capture.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

const pki = pkiPaths();
const read = (p: string) => readFileSync(p, 'utf8');
/** Both demo holders have their records in Chiyoda (131016). */
const CHOICE = { municipality: '131016', kind: 'domestic', copies: 1 } as const;
/** What admission control says for a refused step 3 or 4 (admission.ts, STEP_RETRY_AFTER_S). */
const STEP_RETRY_AFTER_MS = 1000;

/**
 * A TCP door between the relay and VRS: while shut, what VRS sends back is held (VRS "is slow");
 * opened, it passes in order. Holding the answers rather than the requests keeps VRS's own idle
 * timers out of it (a request held on a kept-alive line would be cut by VRS's keep-alive timeout).
 * Everything else is real: the relay's VRS client, TLS, VRS and its database.
 */
class VrsDoor {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #held: (() => void)[] = [];
  #shut = false;
  /** Chunks from VRS that arrived while the door was shut. */
  heldChunks = 0;

  constructor(target: () => number) {
    this.#server = net.createServer((down) => {
      const up = net.connect(target(), '127.0.0.1');
      for (const s of [down, up]) {
        this.#sockets.add(s);
        s.once('close', () => this.#sockets.delete(s));
      }
      down.on('data', (chunk: Buffer) => up.write(chunk));
      down.on('error', () => up.destroy());
      down.once('close', () => up.destroy());
      up.on('data', (chunk: Buffer) => this.#pass(() => down.write(chunk), true));
      up.on('end', () => this.#pass(() => down.end(), false));
      up.on('error', () => undefined);
      up.once('close', () => this.#pass(() => down.destroy(), false));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  shut(): void {
    this.#shut = true;
  }

  open(): void {
    this.#shut = false;
    const held = this.#held;
    this.#held = [];
    for (const pass of held) pass();
  }

  async close(): Promise<void> {
    this.open();
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server.close(r));
  }

  #pass(fn: () => void, data: boolean): void {
    // Order is kept: once anything waits, everything after it waits too.
    if (!this.#shut && this.#held.length === 0) return fn();
    if (data) this.heldChunks++;
    this.#held.push(fn);
  }
}

/** One request as the relay's server saw it; `status` once the answer is written. */
interface Hit {
  kioskId: string | undefined;
  method: string;
  path: string;
  status?: number;
}

/** A kiosk: the real RelayClient with its own certificate, reporting to a real HealthMonitor. */
function kioskClient(relayUrl: string, kioskId: string, options: { busyWaitMs?: number; onBusy?: () => void } = {}) {
  const health = new HealthMonitor({ kioskId, storeId: 'STORE', storeName: 'test' });
  const busy: number[] = [];
  const client = new RelayClient({
    relayUrl,
    tls: { cert: read(pki.kiosk(kioskId).cert), key: read(pki.kiosk(kioskId).key), ca: read(pki.serverCa) },
    listener: {
      contact: (at) => health.contact(at),
      fault: (code, detail, at) => health.fault(code, detail, at),
      busy: (waitMs) => {
        busy.push(waitMs);
        options.onBusy?.();
      },
    },
    ...(options.busyWaitMs !== undefined ? { busyWaitMs: options.busyWaitMs } : {}),
  });
  return { client, health, busy };
}

/**
 * The kiosk's relay client against a real relay (mTLS, Redis store, real VRS on PostgreSQL) whose
 * admission control is really saturated: one work slot (ADMISSION_MAX_INFLIGHT=1), held by a step
 * whose answer from VRS is held at a shut door.
 */
describe('kiosk relay client: waits out 503 ERR_BUSY and repeats the same request', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let door: VrsDoor;
  let vrsUrl: string;
  let wallet: CardWallet;
  let relay: Awaited<ReturnType<typeof startTestRelay>> | undefined;
  let hits: Hit[] = [];
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    door = new VrsDoor(() => vrs.port);
    vrsUrl = `https://localhost:${await door.listen()}`;
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await door?.close();
    await vrs?.destroy();
    await wallet?.dispose();
  });
  afterEach(async () => {
    door.open();
    for (const c of clients.splice(0)) c.close();
    await relay?.stop();
    relay = undefined;
  });

  /** A relay with one work slot; Retry-After 1 s for refused steps 2, 3 and 4. */
  async function startRelay(env: { ADMISSION_MAX_WAIT_MS: string; ADMISSION_SHED_DELAY_MS: string }): Promise<string> {
    relay = await startTestRelay({
      vrsUrl,
      store: 'redis',
      redisUrl: inject('redisUrl'),
      logs,
      env: { ADMISSION_MAX_INFLIGHT: '1', ADMISSION_MAX_QUEUE: '10', ADMISSION_RETRY_AFTER_S: '1', VRS_TIMEOUT_MS: '30000', RENDER_WORKERS: '0', ...env },
    });
    hits = [];
    // Before the app: express rewrites req.url as it routes.
    relay.server.prependListener('request', (req, res) => {
      const hit: Hit = {
        kioskId: (req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN as string | undefined,
        method: req.method ?? '',
        path: req.url ?? '',
      };
      hits.push(hit);
      res.once('finish', () => {
        hit.status = res.statusCode;
      });
    });
    return relay.url;
  }

  function kiosk(kioskId: string, options: { busyWaitMs?: number; onBusy?: () => void } = {}) {
    const k = kioskClient(relay!.url, kioskId, options);
    clients.push(k.client);
    return k;
  }

  /** The statuses the relay answered `kioskId`'s requests to `method path` with, in order (once all are answered). */
  async function answered(kioskId: string, method: string, path: string | RegExp, from = 0): Promise<number[]> {
    const matches = (p: string) => (typeof path === 'string' ? p === path : path.test(p));
    const mine = () => hits.slice(from).filter((h) => h.kioskId === kioskId && h.method === method && matches(h.path));
    await eventually(async () => mine().every((h) => h.status !== undefined), 5000, 'answers written');
    return mine().map((h) => h.status!);
  }

  /** Steps 2 and 3 with a demo card; returns the session ID. */
  async function sessionWithCard(client: RelayClient, slug: string): Promise<string> {
    const s = await client.openSession();
    const { body } = await wallet.present(slug, s.challenge);
    await client.submitCard(s.sessionId, body as unknown as CardDataBody);
    return s.sessionId;
  }

  /** Certificates VRS has reserved (one per step 4 that reached it). */
  async function reservations(): Promise<number> {
    const { rows } = await vrs.db.query<{ n: string }>('SELECT count(*)::text AS n FROM certificate_issuances');
    return Number(rows[0]!.n);
  }

  /**
   * Shuts the door and starts A's step 4, which takes the only slot and waits for VRS; resolves
   * once it waits, with A's answer to come (wrapped: an async function would wait for it).
   */
  async function holdTheSlot(client: RelayClient, sid: string): Promise<{ answer: ReturnType<RelayClient['createRequest']> }> {
    const before = door.heldChunks;
    door.shut();
    const answer = client.createRequest(sid, CHOICE);
    await eventually(async () => door.heldChunks > before, 10_000, 'step 4 of A waiting for VRS');
    return { answer };
  }

  it('repeats a step 4 refused with ERR_BUSY after its Retry-After, by itself, and VRS is asked for one certificate', async () => {
    await startRelay({ ADMISSION_MAX_WAIT_MS: '200', ADMISSION_SHED_DELAY_MS: '60000' });
    const a = kiosk('KIOSK-0001');
    // The relay frees up as soon as B has been told it is busy.
    const b = kiosk('KIOSK-0002', { onBusy: () => door.open() });
    const aSid = await sessionWithCard(a.client, 'yamada-taro');
    const bSid = await sessionWithCard(b.client, 'suzuki-ichiro');
    const reservedBefore = await reservations();
    const { answer: aRequest } = await holdTheSlot(a.client, aSid);

    const t0 = performance.now();
    const created = await b.client.createRequest(bSid, CHOICE);
    const elapsed = performance.now() - t0;

    expect(created.preview.name).toBe('鈴木\u3000一郎');
    expect((await aRequest).preview.name).toBe('山田\u3000太郎');
    // Refused (503) at least once, then one 201: the same request again, never a second one.
    const statuses = await answered('KIOSK-0002', 'POST', `/v1/sessions/${bSid}/requests`);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
    expect(statuses.at(-1)).toBe(201);
    expect(b.busy).toEqual(statuses.slice(0, -1).map(() => STEP_RETRY_AFTER_MS));
    expect(elapsed).toBeGreaterThanOrEqual(b.busy.reduce((x, y) => x + y, 0));
    // VRS reserved exactly A's and B's certificates.
    expect(await reservations()).toBe(reservedBefore + 2);
    // A busy answer is contact with the relay, not a fault of the kiosk.
    expect(b.health.snapshot()).toMatchObject({ connected: true, faults: [] });

    // The request the kiosk got is the one it goes on with.
    const doc = await b.client.fetchDocument(bSid, created.requestId);
    expect(doc.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const done = await b.client.complete(bSid, created.requestId, {
      outcome: 'printed',
      paid: created.fee,
      ...(doc.contentDigest ? { contentDigest: doc.contentDigest } : {}),
    });
    expect(done.receipt).toMatchObject({ copies: 1, fee: created.fee, kioskId: 'KIOSK-0002' });
  });

  it('repeats a new session refused with ERR_BUSY while steps queue, and opens exactly one session', async () => {
    await startRelay({ ADMISSION_MAX_WAIT_MS: '30000', ADMISSION_SHED_DELAY_MS: '0' });
    const a = kiosk('KIOSK-0001');
    const b = kiosk('KIOSK-0002');
    const aSid = await sessionWithCard(a.client, 'yamada-taro');
    const bSid = await sessionWithCard(b.client, 'suzuki-ichiro');
    const { answer: aRequest } = await holdTheSlot(a.client, aSid);
    // B's step 4 waits for the slot; while it waits, new sessions are shed.
    const bRequest = b.client.createRequest(bSid, CHOICE);
    const probe = new Kiosk(relay!.url, 'KIOSK-0003');
    await eventually(async () => (await probe.call('POST', '/v1/sessions')).status === 503, 10_000, 'new sessions shed');

    const c = kiosk('KIOSK-0001', { onBusy: () => door.open() });
    const from = hits.length;
    const t0 = performance.now();
    const opened = await c.client.openSession();
    const elapsed = performance.now() - t0;

    const statuses = await answered('KIOSK-0001', 'POST', '/v1/sessions', from);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(c.busy.length).toBe(statuses.length - 1);
    for (const ms of c.busy) expect(ms).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeGreaterThanOrEqual(c.busy.reduce((x, y) => x + y, 0));
    expect(c.health.snapshot()).toMatchObject({ connected: true, faults: [] });
    await aRequest;
    await bRequest;
    // The one session opened is a live one.
    const { body } = await wallet.present('nakamura-yuko', opened.challenge);
    const card = await c.client.submitCard(opened.sessionId, body as unknown as CardDataBody);
    expect(card.holder.name).toBe('中村\u3000優子');
  });

  it('gives up with ERR_BUSY once busyWaitMs is spent while the relay stays busy, not before one Retry-After', async () => {
    await startRelay({ ADMISSION_MAX_WAIT_MS: '200', ADMISSION_SHED_DELAY_MS: '60000' });
    const busyWaitMs = 2500;
    const a = kiosk('KIOSK-0001');
    const b = kiosk('KIOSK-0002', { busyWaitMs });
    const aSid = await sessionWithCard(a.client, 'yamada-taro');
    const bSid = await sessionWithCard(b.client, 'suzuki-ichiro');
    const reservedBefore = await reservations();
    const { answer: aRequest } = await holdTheSlot(a.client, aSid);

    const t0 = performance.now();
    const err = await b.client.createRequest(bSid, CHOICE).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;

    expect(err).toBeInstanceOf(RelayError);
    expect(err).toMatchObject({ code: 'ERR_BUSY', status: 503 });
    // It waited while one more Retry-After still fitted in the budget: so at least the budget less
    // one Retry-After, and at least one Retry-After.
    expect(elapsed).toBeGreaterThanOrEqual(busyWaitMs - STEP_RETRY_AFTER_MS);
    expect(elapsed).toBeGreaterThanOrEqual(STEP_RETRY_AFTER_MS);
    const statuses = await answered('KIOSK-0002', 'POST', `/v1/sessions/${bSid}/requests`);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((s) => s === 503)).toBe(true);
    expect(b.busy).toHaveLength(statuses.length - 1);
    // Reported once as a fault, when the kiosk gave up; the relay is still connected.
    const health = b.health.snapshot();
    expect(health.connected).toBe(true);
    expect(health.faults.map((f) => [f.code, f.count])).toEqual([['ERR_BUSY', 1]]);

    // Nothing of B's session was consumed: once the relay frees up, the same step succeeds.
    door.open();
    await aRequest;
    expect((await b.client.createRequest(bSid, CHOICE)).preview.name).toBe('鈴木\u3000一郎');
    expect(await reservations()).toBe(reservedBefore + 2);
  });

  it('tells the resident on the reading screen that the kiosk waits, repeats the busy step 3 by itself and goes on', async () => {
    await startRelay({ ADMISSION_MAX_WAIT_MS: '200', ADMISSION_SHED_DELAY_MS: '60000' });
    const a = kiosk('KIOSK-0001');
    const aSid = await sessionWithCard(a.client, 'yamada-taro');
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-busy-'));
    await cp(pki.cardsDir, join(dir, 'cards'), { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'cards', 'manifest.json'), 'utf8')) as Record<string, { cardId: string }>;
    const agent = createKioskAgent({
      kioskId: 'KIOSK-0003',
      storeId: 'STORE-T',
      storeName: 'test',
      relayUrl: relay!.url,
      tls: { cert: read(pki.kiosk('KIOSK-0003').cert), key: read(pki.kiosk('KIOSK-0003').key), ca: read(pki.serverCa) },
      cardsDir: join(dir, 'cards'),
      logPath: join(dir, 'kiosk.jsonl'),
      publicDir: resolve('kiosk-sim/public'),
      heartbeatMs: 0,
    });
    try {
      const { flow } = agent;
      await flow.run(() => flow.start());
      await flow.run(() => flow.agree());
      await flow.run(() => flow.placeCard(manifest['nakamura-yuko']!.cardId));
      await flow.run(() => flow.chooseType('covid19-vaccination'));
      expect(flow.step).toBe('pin');
      const { answer: aRequest } = await holdTheSlot(a.client, aSid);

      const pin = flow.run(() => flow.enterPin('1234'));
      await eventually(async () => flow.state().relayBusy === true, 10_000, 'the screen saying the kiosk waits');
      expect(flow.step).toBe('reading');
      door.open();
      await pin;

      expect(flow.step).toBe('remove-card');
      expect(flow.state().holder?.name).toBe('中村\u3000優子');
      expect(flow.state().relayBusy).toBeUndefined();
      const statuses = await answered('KIOSK-0003', 'POST', /^\/v1\/sessions\/[^/]+\/card$/);
      expect(statuses.at(-1)).toBe(200);
      expect(statuses.slice(0, -1)).toEqual(statuses.slice(0, -1).map(() => 503));
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      // The store controller saw contact with the relay and no fault.
      expect(agent.health.snapshot()).toMatchObject({ connected: true, faults: [] });
      await aRequest;
    } finally {
      await agent.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not repeat a 503 ERR_UPSTREAM (VRS unreachable): one request, one fault', async () => {
    await startRelay({ ADMISSION_MAX_WAIT_MS: '200', ADMISSION_SHED_DELAY_MS: '60000' });
    const b = kiosk('KIOSK-0002');
    const bSid = await sessionWithCard(b.client, 'suzuki-ichiro');
    await vrs.stop();
    try {
      const err = await b.client.createRequest(bSid, CHOICE).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RelayError);
      expect(err).toMatchObject({ code: 'ERR_UPSTREAM', status: 503 });
    } finally {
      await vrs.start();
    }
    expect(await answered('KIOSK-0002', 'POST', `/v1/sessions/${bSid}/requests`)).toEqual([503]);
    expect(b.busy).toEqual([]);
    expect(b.health.snapshot().faults.map((f) => f.code)).toEqual(['ERR_UPSTREAM']);
  });

  it('stops waiting when the client is closed: the call ends with ERR_BUSY and nothing is sent again', async () => {
    await startRelay({ ADMISSION_MAX_WAIT_MS: '200', ADMISSION_SHED_DELAY_MS: '60000' });
    const a = kiosk('KIOSK-0001');
    let busyNow!: () => void;
    const waiting = new Promise<void>((r) => (busyNow = r));
    const b = kiosk('KIOSK-0002', { onBusy: () => busyNow() });
    const aSid = await sessionWithCard(a.client, 'yamada-taro');
    const bSid = await sessionWithCard(b.client, 'suzuki-ichiro');
    const { answer: aRequest } = await holdTheSlot(a.client, aSid);

    const call = b.client.createRequest(bSid, CHOICE).catch((e: unknown) => e);
    await waiting;
    expect(b.busy).toEqual([STEP_RETRY_AFTER_MS]);
    const closedAt = performance.now();
    b.client.close();
    expect(await call).toMatchObject({ code: 'ERR_BUSY', status: 503 });
    // The call ended with close(), well before its Retry-After: the wait did not run out but was
    // cut short, and a settled call sends nothing more. So the one refused request is all there is.
    expect(performance.now() - closedAt).toBeLessThan(STEP_RETRY_AFTER_MS / 2);
    expect(await answered('KIOSK-0002', 'POST', `/v1/sessions/${bSid}/requests`)).toEqual([503]);
    door.open();
    await aRequest;
  });
});
