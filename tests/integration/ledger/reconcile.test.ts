import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jstParts, ManualClock } from '../../../services/common/clock.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { requestAndFetch } from '../relay/helpers/flow.js';
import { LogCapture } from '../relay/helpers/log-capture.js';
import { startTestRelay } from '../relay/helpers/test-relay.js';
import { startTestVrs, type TestVrs } from '../relay/helpers/test-vrs.js';
import { drainNotices } from './ledger-check.js';

const run = promisify(execFile);
const DOMESTIC = { municipality: '131016', kind: 'domestic', copies: 1 } as const;

/** `npm run relay:reconcile`: the ledger against VRS's books, read over LGWAN, for a period. */
describe('relay:reconcile', () => {
  const logs = new LogCapture();
  const clock = new ManualClock();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let wallet: CardWallet;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'redis', redisUrl: inject('redisUrl'), logs, clock, startWorker: false });
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  /** Runs the CLI as a user would, for the JST days around now; resolves with its exit code and JSON. */
  const reconcile = async () => {
    const day = (offset: number) => jstParts(new Date(Date.now() + offset * 86_400_000)).date;
    const env = { ...process.env, REDIS_URL: relay.env.REDIS_URL, REDIS_KEY_PREFIX: relay.env.REDIS_KEY_PREFIX, VRS_URL: vrs.url, LOG_LEVEL: 'silent' };
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'services/relay/reconcile/cli.ts', '--from', day(-1), '--to', day(1), '--json'], {
        env,
      });
      return { code: 0, report: JSON.parse(stdout) };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      if (err.code !== 1) throw new Error(`reconcile exited ${err.code}: ${err.stderr}`);
      return { code: 1, report: JSON.parse(err.stdout) };
    }
  };

  it('agrees after printed, cancelled and expired requests, and names each disagreement', async () => {
    const kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    const printed = await requestAndFetch(kiosk, wallet, 'yamada-taro', DOMESTIC);
    await kiosk.call('POST', `/v1/sessions/${printed.sid}/requests/${printed.rid}/completion`, {
      outcome: 'printed',
      paid: 120,
      contentDigest: String(printed.doc.headers['content-digest']),
    });
    const cancelled = await requestAndFetch(kiosk, wallet, 'yamada-taro', DOMESTIC);
    await kiosk.call('POST', `/v1/sessions/${cancelled.sid}/requests/${cancelled.rid}/completion`, { outcome: 'cancelled', paid: 0 });
    const open = await requestAndFetch(kiosk, wallet, 'suzuki-ichiro', DOMESTIC);
    await drainNotices([relay]);
    const id = (a: typeof printed) => String(a.doc.headers['certificate-id']);

    // A served request still open is neither printed nor revoked yet.
    const during = await reconcile();
    expect(during.code).toBe(1);
    expect(during.report).toMatchObject({ printedNotIssued: [], issuedNotPrinted: [], servedNeitherPrintedNorRevoked: [id(open)] });

    clock.advance(601_000);
    await relay.sweeper.runOnce();
    await drainNotices([relay]);
    const after = await reconcile();
    expect(after).toMatchObject({ code: 0, report: { printedNotIssued: [], issuedNotPrinted: [], servedNeitherPrintedNorRevoked: [] } });
    expect(after.report.checked).toBeGreaterThanOrEqual(3);

    // Books made to disagree at VRS (a lost notice; an issuance without paper): both are named.
    await vrs.db.query("UPDATE certificate_issuances SET status = 'reserved' WHERE certificate_id = $1", [id(printed)]);
    await vrs.db.query("UPDATE certificate_issuances SET status = 'issued' WHERE certificate_id = $1", [id(cancelled)]);
    const broken = await reconcile();
    expect(broken).toMatchObject({
      code: 1,
      report: { printedNotIssued: [id(printed)], issuedNotPrinted: [id(cancelled)], servedNeitherPrintedNorRevoked: [] },
    });
  });
});
