import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { junitXml } from '../../../kiosk-sim/conformance/report.js';
import { runConformance, type ConformanceOptions } from '../../../kiosk-sim/conformance/runner.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { parseXmlElements } from './junit-xml.js';
import { startOwnStack, type OwnStack } from './stack.js';

const run = promisify(execFile);
const pki = pkiPaths();
const kiosk = (id: string) => ({ cert: readFileSync(pki.kiosk(id).cert, 'utf8'), key: readFileSync(pki.kiosk(id).key, 'utf8') });

/** Runner options for this project's relay with the demo kiosks and cards. */
function kitOptions(relayUrl: string, more: Partial<ConformanceOptions> = {}): ConformanceOptions {
  return {
    relayUrl,
    ca: readFileSync(pki.serverCa, 'utf8'),
    kiosks: [kiosk('KIOSK-0001'), kiosk('KIOSK-0002')],
    cardsDir: pki.cardsDir,
    sessionTtlS: 20,
    documentTtlS: 6,
    concurrency: 12,
    ...more,
  };
}

/** The one check that cannot run against an open relay. */
const OPEN_RELAY_NOT_RUN = ['service.closed'];

describe.each(['memory', 'redis'] as const)("the conformance kit against this project's relay (%s store)", (store) => {
  let stack: OwnStack;
  beforeAll(async () => {
    stack = await startOwnStack(
      store === 'redis' ? { redisUrl: inject('redisUrl'), env: { REDIS_KEY_PREFIX: `conformance-${randomBytes(4).toString('hex')}:` } } : {},
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('passes every check, and says why the closed-hours check did not run', async () => {
    const lines: string[] = [];
    const report = await runConformance(kitOptions(stack.relay.url, { onResult: (r) => lines.push(`${r.status} ${r.id} ${r.reason ?? ''}`) }));
    const failures = report.results.filter((r) => r.status === 'fail');
    expect(failures, lines.join('\n')).toEqual([]);
    const notRun = report.results.filter((r) => r.status === 'not-run');
    expect(notRun.map((r) => r.id)).toEqual(OPEN_RELAY_NOT_RUN);
    expect(notRun[0]!.reason).toMatch(/--expect-closed/);
    expect(report.passed).toBeGreaterThanOrEqual(35);
    // Discovery found every kind of card the battery needs, and named the ones it could not use.
    expect(report.cards.join('\n')).toMatch(/PIN has 0 tries left/);
    expect(report.cards.join('\n')).toMatch(/manifest\.json: skipped/);

    const xml = junitXml(report);
    const elements = parseXmlElements(xml);
    const root = elements[0]!;
    expect(root.name).toBe('testsuites');
    expect(Number(root.attrs.tests)).toBe(report.results.length);
    expect(Number(root.attrs.failures)).toBe(0);
    expect(Number(root.attrs.skipped)).toBe(notRun.length);
    expect(elements.filter((e) => e.name === 'testcase')).toHaveLength(report.results.length);
    expect(elements.filter((e) => e.name === 'skipped')).toHaveLength(notRun.length);
    expect(elements.filter((e) => e.name === 'failure')).toHaveLength(0);
    const suites = elements.filter((e) => e.name === 'testsuite');
    expect(suites.reduce((n, s) => n + Number(s.attrs.tests), 0)).toBe(report.results.length);
  }, 180_000);

  it('runs as a CLI: one line per check, a JUnit file, exit 0; lifetimes not run without the TTL options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conformance-cli-'));
    try {
      const report = join(dir, 'junit.xml');
      const args = [
        resolve('kiosk-sim/conformance/cli.ts'),
        '--relay',
        stack.relay.url,
        '--kiosk',
        join(pki.kiosksDir, 'KIOSK-0001'),
        '--ca',
        pki.serverCa,
        '--cards',
        pki.cardsDir,
        '--concurrency',
        '4',
        '--report',
        report,
      ];
      const { stdout } = await run(resolve('node_modules/.bin/tsx'), args, { timeout: 150_000, maxBuffer: 4 << 20 });
      expect(stdout).toMatch(/^PASS {2}card\.tampered-my-number /m);
      expect(stdout).toMatch(/^SKIP {2}session\.other-kiosk .* — needs a second kiosk certificate: give --kiosk twice$/m);
      expect(stdout).toMatch(
        /^SKIP {2}lifetime\.session .* — the relay's session lifetime is unknown: configure a short SESSION_TTL_S and pass it with --session-ttl <s>$/m,
      );
      expect(stdout).toMatch(/^SKIP {2}lifetime\.document .*--document-ttl/m);
      expect(stdout).not.toMatch(/^FAIL/m);
      const summary = /^(\d+) passed, (\d+) failed, (\d+) not run/m.exec(stdout)!;
      expect(summary[2]).toBe('0');
      const elements = parseXmlElements(await readFile(report, 'utf8'));
      expect(Number(elements[0]!.attrs.tests)).toBe(Number(summary[1]) + Number(summary[3]));
      expect(elements.filter((e) => e.name === 'skipped')).toHaveLength(Number(summary[3]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the conformance CLI', () => {
  it('answers a usage error with exit 2', async () => {
    const err = await run(resolve('node_modules/.bin/tsx'), [resolve('kiosk-sim/conformance/cli.ts'), '--relay', 'http://x'], { timeout: 60_000 }).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stdout: string }).stdout).toMatch(/usage: npm run conformance/);
  });
});
