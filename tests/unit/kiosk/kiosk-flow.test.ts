import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { CardSlot } from '../../../kiosk-sim/agent/card-slot.js';
import { CoinBox } from '../../../kiosk-sim/agent/coin-box.js';
import { KioskFlow } from '../../../kiosk-sim/agent/kiosk-flow.js';
import { KioskLog } from '../../../kiosk-sim/agent/kiosk-log.js';
import { Printer } from '../../../kiosk-sim/agent/printer.js';
import { RelayError, type RelayClient } from '../../../kiosk-sim/agent/relay-client.js';

const PDF = () => Buffer.from(`%PDF-1.7\n${randomBytes(64).toString('hex')}\n%%EOF\n`);
const digestOf = (b: Buffer) => `sha-256=:${createHash('sha256').update(b).digest('base64')}:`;

/** A relay that follows PROTOCOL.md's shapes and records what the kiosk sent. */
function fakeRelay(options: { badDigest?: boolean; municipalities?: unknown[]; refuse?: string } = {}) {
  const calls: { op: string; body?: unknown }[] = [];
  const served: Buffer[] = [];
  const relay = {
    service: async () => ({ open: true, hours: '06:30-23:00', now: new Date().toISOString() }),
    openSession: async () => {
      calls.push({ op: 'open' });
      return { sessionId: 's1', challenge: randomBytes(32).toString('base64'), expiresAt: '' };
    },
    submitCard: async (_sid: string, body: unknown) => {
      calls.push({ op: 'card', body });
      return {
        holder: { name: '山田　太郎', birthDate: '1980-04-01' },
        feePerCopy: 120,
        municipalities: options.municipalities ?? [
          { code: '131016', name: '千代田区', domestic: true, overseas: false },
          { code: '011002', name: '札幌市', domestic: false, overseas: false, unavailableReason: 'not_participating' },
        ],
      };
    },
    createRequest: async (_sid: string, body: { copies: number }) => {
      calls.push({ op: 'request', body });
      if (options.refuse) throw new RelayError(options.refuse, 422, options.refuse);
      return {
        requestId: 'r1',
        fee: 120 * body.copies,
        copies: body.copies,
        pages: 1,
        expiresAt: '',
        preview: { issuer: '千代田区', name: '山田　太郎', birthDate: '1980-04-01', doses: [] },
      };
    },
    fetchDocument: async () => {
      calls.push({ op: 'document' });
      const pdf = PDF();
      served.push(pdf);
      return { pdf, contentDigest: options.badDigest ? digestOf(PDF()) : digestOf(pdf), certificateId: 'ABC123' };
    },
    complete: async (_sid: string, _rid: string, body: { outcome: string; paid: number }) => {
      calls.push({ op: 'complete', body });
      return { receipt: { copies: 1, fee: 120, paid: body.paid, change: body.paid - 120, issuedAt: new Date().toISOString(), kioskId: 'K', storeId: 'S' } };
    },
    deleteSession: async () => {
      calls.push({ op: 'delete' });
    },
  };
  return { relay: relay as unknown as RelayClient, calls, served };
}

let dir: string;
let cardId: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiosk-flow-'));
  await cp(pkiPaths(resolve('certs/out')).cardsDir, join(dir, 'cards'), { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'cards', 'manifest.json'), 'utf8')) as Record<string, { cardId: string }>;
  cardId = manifest['yamada-taro']!.cardId;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A kiosk flow on a manual clock: its idle timer fires only when a test advances the clock. */
function flowWith(relay: RelayClient, idleTimeoutMs = 60_000, clock = new ManualClock()) {
  const printer = new Printer();
  const coins = new CoinBox();
  const log = new KioskLog(join(dir, 'log.jsonl'));
  const flow = new KioskFlow({
    kioskId: 'KIOSK-T',
    storeId: 'STORE-T',
    storeName: 'test',
    relay,
    slot: new CardSlot(join(dir, 'cards')),
    printer,
    coins,
    log,
    clock,
    idleTimeoutMs,
  });
  return { flow, printer, coins, log };
}

/** Home → terms (agreed) → card → 交付対象選択 → PIN: ends on the PIN pad. */
async function toPin(flow: KioskFlow): Promise<void> {
  await flow.start();
  expect(flow.step).toBe('terms');
  await flow.agree();
  expect(flow.step).toBe('card');
  await flow.placeCard(cardId);
  expect(flow.step).toBe('type');
  await flow.chooseType('covid19-vaccination');
  expect(flow.step).toBe('pin');
}

/** … → PIN → reading → remove-card → select: ends on the choice. */
async function toSelect(flow: KioskFlow): Promise<void> {
  await toPin(flow);
  await flow.enterPin('1234');
  expect(flow.step).toBe('remove-card');
  await flow.removeCard();
  expect(flow.step).toBe('select');
}

async function toPayment(flow: KioskFlow, municipality = '131016'): Promise<void> {
  await toSelect(flow);
  await flow.select({ municipality, kind: 'domestic', copies: 1 });
  await flow.confirm();
}

/** The print job runs in the flow's queue: an operation queued after it ends once it has ended. */
const settled = (flow: KioskFlow) => flow.run(async () => undefined, false);

describe('kiosk flow', () => {
  it('maps the status word of VERIFY to tries left, and reads the card only through APDUs after a right PIN', async () => {
    const { relay, calls } = fakeRelay();
    const { flow } = flowWith(relay);
    await toPin(flow);
    expect(flow.state().pin).toEqual({ wrong: false, triesLeft: 3 });
    await flow.enterPin('0000');
    expect(flow.state().pin).toEqual({ wrong: true, triesLeft: 2 });
    await flow.enterPin('1234');
    const sent = calls.find((c) => c.op === 'card')!.body as Record<string, string>;
    expect(Object.keys(sent).sort()).toEqual(['challengeSignature', 'ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0007']);
    expect(Buffer.from(sent.challengeSignature!, 'base64')).toHaveLength(256);
    // It waits for the card to be removed, and offers only municipalities that can issue.
    expect(flow.step).toBe('remove-card');
    await expect(flow.select({ municipality: '131016', kind: 'domestic', copies: 1 })).rejects.toThrow();
    await flow.removeCard();
    expect(flow.step).toBe('select');
    expect(flow.state().municipalities?.map((m) => m.code)).toEqual(['131016']);
    expect(flow.state().unavailable).toEqual([{ name: '札幌市', reason: 'not_participating' }]);
    const screen = JSON.stringify(flow.state());
    expect(screen).not.toContain('1234');
    expect(screen).not.toContain(sent.ef0001!);
  });

  it('prints, completes with the digest, prints the receipt, logs, erases its copy and ends the session', async () => {
    const { relay, calls, served } = fakeRelay();
    const { flow, printer, coins, log } = flowWith(relay);
    await toPayment(flow);
    await expect(flow.print()).rejects.toThrow();
    await flow.insert(100);
    await flow.insert(50);
    await flow.print();
    await settled(flow);
    expect(flow.step).toBe('done');
    const completion = calls.find((c) => c.op === 'complete')!.body as { outcome: string; paid: number; contentDigest: string };
    expect(completion.outcome).toBe('printed');
    expect(completion.paid).toBe(150);
    expect(printer.tray.map((i) => i.kind)).toEqual(['certificate', 'receipt']);
    expect(completion.contentDigest).toBe(digestOf(printer.tray[0]!.pdf));
    expect(served[0]!.every((b) => b === 0)).toBe(true);
    expect(flow.state().receipt?.change).toBe(30);
    expect(coins.inserted).toBe(0);
    expect(await log.entries()).toEqual([{ issuedAt: expect.any(String), kind: 'domestic', copies: 1 }]);
    expect(calls.at(-1)?.op).toBe('delete');
  });

  it('refunds and reports "failed" when the document does not match its digest', async () => {
    const { relay, calls } = fakeRelay({ badDigest: true });
    const { flow, printer, log } = flowWith(relay);
    await toPayment(flow);
    await flow.insert(500);
    await flow.print();
    await settled(flow);
    expect(flow.step).toBe('error');
    expect(flow.state().error).toEqual({ code: 'ERR_PRINT_FAILED', reason: 'ERR_DIGEST_MISMATCH', refunded: 500 });
    expect((calls.find((c) => c.op === 'complete')!.body as { outcome: string }).outcome).toBe('failed');
    expect(calls.at(-1)?.op).toBe('delete');
    expect(printer.tray).toHaveLength(0);
    expect(await log.entries()).toEqual([]);
  });

  it('reads a card already lying on the reader when the resident starts', async () => {
    const { relay } = fakeRelay();
    const { flow } = flowWith(relay);
    await flow.placeCard(cardId);
    expect(flow.step).toBe('home');
    await flow.start();
    expect(flow.step).toBe('terms');
    await flow.agree();
    expect(flow.step).toBe('type');
  });

  it('times out a screen nobody touches: DELETE at the relay, card back, home with a notice', async () => {
    const { relay, calls } = fakeRelay();
    const clock = new ManualClock();
    const { flow } = flowWith(relay, 80, clock);
    await toPin(flow);
    expect(flow.state().idleDeadline).toBe(clock.now().getTime() + 80);
    // Touches restart the timer.
    clock.advance(50);
    await flow.run(async () => undefined);
    clock.advance(50);
    await settled(flow);
    expect(flow.step).toBe('pin');
    // 80 ms after the touch the timer queues the cancel; it has run once an operation after it has.
    clock.advance(30);
    await settled(flow);
    expect(flow.step).toBe('home');
    expect(flow.state()).toMatchObject({ timedOut: true, card: { present: false } });
    expect(calls.at(-1)?.op).toBe('delete');
    expect(flow.state().idleDeadline).toBeUndefined();
    flow.dispose();
  });

  it('cancels: DELETE at the relay, money back, card back, home', async () => {
    const { relay, calls } = fakeRelay();
    const { flow, coins } = flowWith(relay);
    await toPayment(flow);
    await flow.insert(100);
    await flow.cancel();
    expect(flow.step).toBe('home');
    expect(coins.returned).toBe(100);
    expect(calls.at(-1)?.op).toBe('delete');
  });

  it('asks for one request when "next" is tapped twice while the relay is slow, and a new one when the choice changed', async () => {
    const { relay, calls } = fakeRelay();
    const slow = relay.createRequest.bind(relay);
    // The relay holds the first request until both taps are in: the second waits in the queue.
    let reached!: () => void;
    const inFlight = new Promise<void>((r) => (reached = r));
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    relay.createRequest = async (...a) => {
      reached();
      await answered;
      return slow(...a);
    };
    const { flow } = flowWith(relay);
    await toSelect(flow);
    const choice = { municipality: '131016', kind: 'domestic' as const, copies: 2 };
    // As the agent does: every tap goes through the flow's queue.
    const taps = Promise.all([flow.run(() => flow.select(choice)), flow.run(() => flow.select(choice))]);
    await inFlight;
    answer();
    await taps;
    expect(flow.step).toBe('confirm');
    expect(calls.filter((c) => c.op === 'request')).toHaveLength(1);
    await flow.run(() => flow.select({ ...choice, copies: 3 }));
    expect(calls.filter((c) => c.op === 'request').map((c) => (c.body as { copies: number }).copies)).toEqual([2, 3]);
  });

  it('opens no session before the terms are agreed, and 同意しない goes back home', async () => {
    const { relay, calls } = fakeRelay();
    const { flow } = flowWith(relay);
    await flow.start();
    expect(flow.step).toBe('terms');
    await expect(flow.placeCard(cardId).then(() => flow.chooseType('covid19-vaccination'))).rejects.toThrow();
    await flow.disagree();
    expect(flow.step).toBe('home');
    expect(calls.filter((c) => c.op === 'open')).toHaveLength(0);
    expect(flow.state().card.present).toBe(false);
  });

  it('goes back to the card screen when the card is taken on 交付対象選択, and knows only the vaccination certificate', async () => {
    const { relay } = fakeRelay();
    const { flow } = flowWith(relay);
    await flow.start();
    await flow.agree();
    await flow.placeCard(cardId);
    expect(flow.step).toBe('type');
    await expect(flow.chooseType('juminhyo')).rejects.toThrow();
    await flow.removeCard();
    expect(flow.step).toBe('card');
  });

  it('keeps the fee once printed: finishing gives back nothing but the change', async () => {
    const { relay } = fakeRelay();
    const { flow, coins } = flowWith(relay);
    await toPayment(flow);
    await flow.insert(500);
    await flow.print();
    await settled(flow);
    expect(flow.step).toBe('done');
    expect(coins.returned).toBe(380);
    await flow.finish();
    expect(coins.returned).toBe(0);
    expect(coins.inserted).toBe(0);
  });

  it('offers 続けて発行 for another municipality, in a new session with its own card read, fee and receipt', async () => {
    const { relay, calls } = fakeRelay({
      municipalities: [
        { code: '162027', name: '高岡市', domestic: true, overseas: true },
        { code: '122246', name: '鎌ケ谷市', domestic: true, overseas: true },
      ],
    });
    const { flow, printer } = flowWith(relay);
    await toPayment(flow, '162027');
    await flow.insert(500);
    await flow.print();
    await settled(flow);
    expect(flow.step).toBe('done');
    expect(flow.state().continueTo).toEqual([{ code: '122246', name: '鎌ケ谷市' }]);
    expect(calls.at(-1)?.op).toBe('delete');
    await flow.continueIssuance();
    expect(flow.step).toBe('card');
    expect(calls.filter((c) => c.op === 'open')).toHaveLength(2);
    // The first purchase's paper stays; nothing of its session does.
    expect(printer.tray.map((i) => i.kind)).toEqual(['certificate', 'receipt']);
    expect(flow.state()).toMatchObject({ issuedThisVisit: ['162027'] });
    expect(flow.state().holder).toBeUndefined();
    expect(flow.state().receipt).toBeUndefined();
    await flow.placeCard(cardId);
    await flow.chooseType('covid19-vaccination');
    await flow.enterPin('1234');
    await flow.removeCard();
    await flow.select({ municipality: '122246', kind: 'domestic', copies: 2 });
    await flow.confirm();
    await flow.insert(500);
    await flow.print();
    await settled(flow);
    expect(flow.step).toBe('done');
    expect(flow.state().continueTo).toBeUndefined();
    await expect(flow.continueIssuance()).rejects.toThrow();
    expect(printer.tray.map((i) => i.kind)).toEqual(['certificate', 'receipt', 'certificate', 'receipt']);
    expect(calls.filter((c) => c.op === 'card')).toHaveLength(2);
    expect(calls.filter((c) => c.op === 'complete').map((c) => (c.body as { paid: number }).paid)).toEqual([500, 500]);
    await flow.finish();
    expect(printer.tray).toHaveLength(0);
    expect(flow.state().issuedThisVisit).toBeUndefined();
  });

  it('does not offer 続けて発行 to a resident with records in one municipality', async () => {
    const { relay } = fakeRelay();
    const { flow } = flowWith(relay);
    await toPayment(flow);
    await flow.insert(500);
    await flow.print();
    await settled(flow);
    expect(flow.state().continueTo).toBeUndefined();
  });

  it('says whom to ask (問合せ先) when no municipality can issue, and when a request is refused', async () => {
    const sapporo = { code: '011002', name: '札幌市', domestic: false, overseas: false, unavailableReason: 'not_participating' };
    const contact = { office: '札幌市 保健所', phone: '011-622-0001' };
    const withContact = fakeRelay({ municipalities: [{ ...sapporo, contact }] });
    let { flow } = flowWith(withContact.relay);
    await toPin(flow);
    await flow.enterPin('1234');
    await flow.removeCard();
    expect(flow.state().error).toEqual({ code: 'ERR_MUNICIPALITY_UNAVAILABLE', reason: 'not_participating', contacts: [{ name: '札幌市', ...contact }] });
    // A relay without the field of issue 18: the same screen, without the line.
    ({ flow } = flowWith(fakeRelay({ municipalities: [sapporo] }).relay));
    await toPin(flow);
    await flow.enterPin('1234');
    await flow.removeCard();
    expect(flow.state().error).toEqual({ code: 'ERR_MUNICIPALITY_UNAVAILABLE', reason: 'not_participating' });

    const chiyoda = { code: '131016', name: '千代田区', domestic: true, overseas: false, contact: { office: '千代田区 健康推進課', phone: '03-5211-0001' } };
    ({ flow } = flowWith(fakeRelay({ municipalities: [chiyoda], refuse: 'ERR_NOT_ISSUABLE' }).relay));
    await toSelect(flow);
    await flow.select({ municipality: '131016', kind: 'domestic', copies: 1 });
    expect(flow.state().error).toEqual({ code: 'ERR_NOT_ISSUABLE', contacts: [{ name: '千代田区', ...chiyoda.contact }] });
  });

  it('says which overseas rule refused, from the menu entry, and passes the menu fields to the screen', async () => {
    const entry = {
      code: '131016',
      name: '千代田区',
      domestic: true,
      overseas: false,
      overseasDetail: 'passport_changed',
      contact: { office: '千代田区', phone: '03' },
    };
    const { flow } = flowWith(fakeRelay({ municipalities: [entry], refuse: 'ERR_NO_PASSPORT_ON_FILE' }).relay);
    await toSelect(flow);
    expect(flow.state().municipalities).toEqual([entry]);
    await flow.select({ municipality: '131016', kind: 'overseas', copies: 1 });
    expect(flow.state().error).toMatchObject({ code: 'ERR_NO_PASSPORT_ON_FILE', overseasDetail: 'passport_changed', contacts: [{ name: '千代田区' }] });
  });
});
