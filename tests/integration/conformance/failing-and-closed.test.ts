import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type ConformanceOptions } from '../../../kiosk-sim/conformance/runner.js';
import type { CheckResult } from '../../../kiosk-sim/conformance/checks/kit.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { startBrokenRelay } from './broken-relay.js';
import { startOwnStack, type OwnStack } from './stack.js';

const pki = pkiPaths();
const kiosk = (id: string) => ({ cert: readFileSync(pki.kiosk(id).cert, 'utf8'), key: readFileSync(pki.kiosk(id).key, 'utf8') });
const options = (relayUrl: string, more: Partial<ConformanceOptions> = {}): ConformanceOptions => ({
  relayUrl,
  ca: readFileSync(pki.serverCa, 'utf8'),
  kiosks: [kiosk('KIOSK-0001'), kiosk('KIOSK-0002')],
  cardsDir: pki.cardsDir,
  concurrency: 8,
  ...more,
});
const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

describe('the conformance kit against a deliberately broken relay', () => {
  let broken: Awaited<ReturnType<typeof startBrokenRelay>>;
  beforeAll(async () => {
    broken = await startBrokenRelay();
  });
  afterAll(async () => {
    await broken?.stop();
  });

  it('fails the checks the relay breaks, with reasons', async () => {
    const report = await runConformance(options(broken.url));
    const r = byId(report.results);
    expect(report.failed).toBeGreaterThan(0);
    // Serves the document again.
    expect(r['document.served-once']).toMatchObject({ status: 'fail', reason: expect.stringMatching(/expected 410 ERR_CONSUMED, got GET .* → 200/) });
    // Names the holder in an error, in plain JSON.
    expect(r['errors.no-personal-data']).toMatchObject({ status: 'fail', reason: expect.stringMatching(/personal data in \d+ error answer/) });
    expect(r['errors.problem-json']).toMatchObject({ status: 'fail', reason: expect.stringMatching(/not application\/problem\+json/) });
    expect(r['request.copies-out-of-range']!.status).toBe('fail');
    // Issue 14: every completion answered 200, no request limit, no revocation.
    expect(r['ledger.racing-completions']).toMatchObject({ status: 'fail', reason: expect.stringMatching(/printed vs failed: 2 answers were 200/) });
    expect(r['ledger.request-rules']!.status).toBe('fail');
    expect(r['ledger.revocation']!.status).toBe('fail');
    // Accepts tampered and foreign cards.
    for (const id of ['card.tampered-my-number', 'card.tampered-signature', 'card.foreign-cv-certificate', 'card.replayed-challenge']) {
      expect(r[id], id).toMatchObject({ status: 'fail', reason: expect.stringMatching(/expected 422 ERR_CARD_/) });
    }
    // Hands out whichever document was made last: the concurrency run sees someone else's.
    expect(r['concurrency.documents-belong-to-their-holder']).toMatchObject({ status: 'fail', reason: expect.stringMatching(/flows: flow \d+/) });
    // What it gets right still passes.
    expect(r['session.other-kiosk']!.status).toBe('pass');
    expect(r['transport.no-client-certificate']!.status).toBe('pass');
  }, 120_000);
});

/** A window of one hour starting two hours from now (JST), so that now is outside it. */
function closedWindow(now = new Date()): string {
  const jstHour = (now.getUTCHours() + 9) % 24;
  const hh = (h: number) => String(h % 24).padStart(2, '0');
  return `${hh(jstHour + 2)}:00-${hh(jstHour + 3)}:00`;
}

describe("the conformance kit against this project's relay outside its hours", () => {
  let stack: OwnStack;
  beforeAll(async () => {
    stack = await startOwnStack({ env: { SERVICE_HOURS: closedWindow() } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('passes the closed-hours check when told to expect it, and says why the rest could not run', async () => {
    const report = await runConformance(options(stack.relay.url, { expectClosed: true, only: ['service', 'session.open', 'card.accepted', 'errors'] }));
    const r = byId(report.results);
    expect(r['service.closed']).toMatchObject({ status: 'pass' });
    expect(r['service.status']).toMatchObject({ status: 'pass', reason: expect.stringContaining('open=false') });
    expect(r['session.open']).toMatchObject({ status: 'not-run', reason: expect.stringMatching(/closed/) });
    expect(r['card.accepted']).toMatchObject({ status: 'not-run', reason: expect.stringMatching(/closed/) });
    expect(r['errors.problem-json']!.status).toBe('pass');
    expect(report.failed).toBe(0);
  });

  it('detects open:false by itself', async () => {
    const report = await runConformance(options(stack.relay.url, { only: ['service.closed'] }));
    expect(report.results).toMatchObject([{ id: 'service.closed', status: 'pass' }]);
  });
});
