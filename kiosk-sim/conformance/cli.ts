/**
 * The relay conformance kit (issue 9): checks any relay against PROTOCOL.md from the outside.
 *
 *   npm run conformance -- --relay https://relay.example:8443 \
 *     --kiosk certs/out/kiosks/KIOSK-0001 [--kiosk certs/out/kiosks/KIOSK-0002] \
 *     --ca certs/out/trust/server-ca.pem --cards certs/out/cards [--report junit.xml] \
 *     [--expect-closed] [--session-ttl <s>] [--document-ttl <s>] [--concurrency <n>] [--only <id prefix>]
 *
 * Prints one line per check and exits 1 when any check fails (2 on a usage error). See
 * kiosk-sim/conformance/README.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatResultLine, junitXml } from './report.js';
import { runConformance, type ConformanceOptions } from './runner.js';

const USAGE = `usage: npm run conformance -- --relay <https url> --kiosk <dir with cert.pem and key.pem> [--kiosk <second dir>]
  --ca <server CA pem> --cards <dir of kiosk-sim/card@1 files> [--report <junit.xml>] [--expect-closed]
  [--session-ttl <s>] [--document-ttl <s>] [--max-wait <s>] [--concurrency <n>] [--only <check id prefix>]...`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses the command line into runner options (files read); throws UsageError. */
export function parseCli(argv: string[]): ConformanceOptions & { report?: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        relay: { type: 'string' },
        kiosk: { type: 'string', multiple: true },
        ca: { type: 'string' },
        cards: { type: 'string' },
        report: { type: 'string' },
        'expect-closed': { type: 'boolean', default: false },
        'session-ttl': { type: 'string' },
        'document-ttl': { type: 'string' },
        'max-wait': { type: 'string' },
        concurrency: { type: 'string' },
        only: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  if (!v.relay || !v.kiosk?.length || !v.ca || !v.cards) throw new UsageError('--relay, --kiosk, --ca and --cards are required');
  if (!/^https:\/\//.test(v.relay)) throw new UsageError('--relay must be an https:// URL');
  if (v.kiosk.length > 2) throw new UsageError('--kiosk at most twice');
  const number = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  const file = (what: string, p: string) => {
    if (!existsSync(p)) throw new UsageError(`${what}: ${p} does not exist`);
    return readFileSync(p, 'utf8');
  };
  const kiosks = v.kiosk.map((dir) => ({ cert: file('--kiosk', join(dir, 'cert.pem')), key: file('--kiosk', join(dir, 'key.pem')) }));
  if (!existsSync(v.cards)) throw new UsageError(`--cards: ${v.cards} does not exist`);
  const sessionTtlS = number('session-ttl', v['session-ttl'], 0.001);
  const documentTtlS = number('document-ttl', v['document-ttl'], 0.001);
  const maxWaitS = number('max-wait', v['max-wait'], 0);
  const concurrency = number('concurrency', v.concurrency, 1);
  return {
    relayUrl: v.relay.replace(/\/+$/, ''),
    ca: file('--ca', v.ca),
    kiosks,
    cardsDir: resolve(v.cards),
    expectClosed: v['expect-closed'],
    ...(sessionTtlS !== undefined ? { sessionTtlS } : {}),
    ...(documentTtlS !== undefined ? { documentTtlS } : {}),
    ...(maxWaitS !== undefined ? { maxWaitS } : {}),
    ...(concurrency !== undefined ? { concurrency: Math.floor(concurrency) } : {}),
    ...(v.only?.length ? { only: v.only } : {}),
    ...(v.report ? { report: resolve(v.report) } : {}),
  };
}

/** Runs the CLI; answers the exit code (0 all passed or not run, 1 a failure, 2 usage). */
export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let options;
  try {
    options = parseCli(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) out(`conformance: ${err.message}`);
    out(USAGE);
    return 2;
  }
  out(`conformance of ${options.relayUrl} (PROTOCOL.md v1)`);
  const report = await runConformance({
    ...options,
    onCards: (lines) => lines.forEach((l) => out(`  ${l}`)),
    onResult: (r) => out(formatResultLine(r)),
  });
  out(`${report.passed} passed, ${report.failed} failed, ${report.notRun} not run (${(report.durationMs / 1000).toFixed(1)} s)`);
  if (options.report) {
    await writeFile(options.report, junitXml(report), 'utf8');
    out(`JUnit report: ${options.report}`);
  }
  return report.failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`conformance: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
