import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CardWallet, Kiosk, type Answer } from '../../helpers/kiosk.js';
import { requestAndFetch } from '../relay/helpers/flow.js';
import { LogCapture } from '../relay/helpers/log-capture.js';
import { startTestRelay, type StoreKind } from '../relay/helpers/test-relay.js';
import { startTestVrs, type TestVrs } from '../relay/helpers/test-vrs.js';
import { drainNotices, ledgerByCertificate, OUTCOMES, vrsBooks } from './ledger-check.js';

type Body = { outcome: 'printed' | 'failed' | 'cancelled'; paid: number; contentDigest?: string };
const bodies = (digest: string): Record<string, Body> => ({
  printed: { outcome: 'printed', paid: 120, contentDigest: digest },
  printedOverpaid: { outcome: 'printed', paid: 1000, contentDigest: digest },
  failed: { outcome: 'failed', paid: 0 },
  failedPaid: { outcome: 'failed', paid: 120 },
  cancelled: { outcome: 'cancelled', paid: 0 },
});
const NAMES = ['printed', 'printedOverpaid', 'failed', 'failedPaid', 'cancelled'];
/** Every ordered pair of different bodies: both orders of each pair of outcomes, and same outcome with another paid. */
const PAIRS = NAMES.flatMap((a) => NAMES.filter((b) => b !== a).map((b) => [a, b] as const));

/**
 * Issue 14, finding 1: two completions of one request at the same moment, with different bodies.
 * Whatever the order and whichever relay each reaches, one decides; the other answers 409
 * ERR_COMPLETION_CONFLICT naming that outcome and receipt; VRS's books, the ledger, the issuance
 * log and the revocation list all say the same.
 */
describe.each<StoreKind>(['memory', 'redis'])('racing completions (%s store)', (store) => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let wallet: CardWallet;
  let relays: Awaited<ReturnType<typeof startTestRelay>>[];

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    wallet = await new CardWallet().init();
    const first = await startTestRelay({ vrsUrl: vrs.url, store, redisUrl: inject('redisUrl'), logs, startWorker: false });
    // On Redis a second relay shares the first's namespace: the race crosses processes' state.
    relays =
      store === 'redis'
        ? [
            first,
            await startTestRelay({
              vrsUrl: vrs.url,
              store,
              redisUrl: inject('redisUrl'),
              logs,
              startWorker: false,
              env: { REDIS_KEY_PREFIX: first.env.REDIS_KEY_PREFIX! },
            }),
          ]
        : [first];
  });
  afterAll(async () => {
    await Promise.all((relays ?? []).map((r) => r.stop()));
    await vrs?.destroy();
  });

  it('decides each pair once, the same in every book, in both orders', async () => {
    const trials: Array<{ id: string; winner: string; answers: Answer[]; pair: readonly [string, string] }> = [];
    for (const [i, pair] of PAIRS.entries()) {
      const a = relays[i % relays.length]!;
      const b = relays[(i + 1) % relays.length]!;
      const { sid, rid, doc } = await requestAndFetch(new Kiosk(a.url, 'KIOSK-0001'), wallet, 'yamada-taro', {
        municipality: '131016',
        kind: 'domestic',
        copies: 1,
      });
      const all = bodies(String(doc.headers['content-digest']));
      const path = `/v1/sessions/${sid}/requests/${rid}/completion`;
      const answers = await Promise.all([
        new Kiosk(a.url, 'KIOSK-0001').call('POST', path, all[pair[0]]),
        new Kiosk(b.url, 'KIOSK-0001').call('POST', path, all[pair[1]]),
      ]);
      const ok = answers.filter((x) => x.status === 200);
      expect(ok, JSON.stringify(answers.map((x) => x.json))).toHaveLength(1);
      const loser = answers.find((x) => x.status !== 200)!;
      expect(loser.status).toBe(409);
      expect(loser.json).toMatchObject({ code: 'ERR_COMPLETION_CONFLICT', outcome: ok[0]!.json.outcome, receipt: ok[0]!.json.receipt });
      // The same repeated later, on either relay, still tells the winner's outcome.
      for (const [j, name] of pair.entries()) {
        const again = await new Kiosk(relays[j % relays.length]!.url, 'KIOSK-0001').call('POST', path, all[name]);
        expect(again.json.outcome).toBe(ok[0]!.json.outcome);
      }
      trials.push({ id: String(doc.headers['certificate-id']), winner: String(ok[0]!.json.outcome), answers, pair });
    }
    // Both orders of each pair of outcomes ran, and each side won sometimes.
    expect(new Set(trials.map((t) => t.winner))).toEqual(new Set(['printed', 'failed', 'cancelled']));

    await drainNotices(relays);
    const books = await vrsBooks(
      vrs,
      trials.map((t) => t.id),
    );
    const ledger = await ledgerByCertificate(relays[0]!.books);
    const kid = ledger.get(trials[0]!.id)![0]!.kid;
    const crl = new Set((await relays[0]!.books.shcRevocations(kid)).ids);
    const issuanceLines = logs.json().filter((l) => l.event === 'issuance');
    for (const t of trials) {
      const printed = t.winner === 'printed';
      const winnerReceipt = t.answers.find((x) => x.status === 200)!.json.receipt as { fee: number };
      // VRS: issued with the fee, one notice; or released, never issued.
      expect(books.get(t.id), t.id).toEqual(printed ? { status: 'issued', fee: winnerReceipt.fee, notices: 1 } : { status: 'released', fee: null, notices: 0 });
      expect(winnerReceipt.fee).toBe(printed ? 120 : 0);
      // The ledger: reserved, served, then exactly one outcome, the winner's.
      const entries = ledger.get(t.id)!;
      expect(entries.map((e) => e.type)).toEqual(['reserved', 'served', t.winner]);
      const outcome = entries.filter((e) => OUTCOMES.has(e.type))[0]!;
      expect(outcome).toMatchObject({ fee: printed ? 120 : 0, revoked: !printed });
      // Revoked exactly when served and not printed; one issuance log line exactly when printed.
      expect(crl.has(entries[0]!.shcRid)).toBe(!printed);
      expect(issuanceLines.filter((l) => l.certificateId === t.id)).toHaveLength(printed ? 1 : 0);
    }
  });
});
