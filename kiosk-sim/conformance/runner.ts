import { CardPool } from './cards.js';
import { cardChecks } from './checks/card-checks.js';
import { concurrencyChecks } from './checks/concurrency-checks.js';
import { documentChecks } from './checks/document-checks.js';
import { errorSweepChecks } from './checks/error-sweep-checks.js';
import { CheckFailure, CheckNotRun, type Check, type CheckResult, type KitContext, type KitOptions } from './checks/kit.js';
import { ledgerChecks } from './checks/ledger-checks.js';
import { lifetimeChecks } from './checks/lifetime-checks.js';
import { requestChecks } from './checks/request-checks.js';
import { serviceChecks } from './checks/service-checks.js';
import { sessionChecks } from './checks/session-checks.js';
import { describeDiscovery, discoverCards, type Discovery } from './discover.js';
import { ConformanceClient, kioskCredentials, type Answer } from './relay-client.js';
import type { ConformanceReport } from './report.js';

/** The battery, in order. Lifetime checks wait, so they run side by side; the sweeps run last. */
export const ALL_CHECKS: readonly Check[] = [
  ...serviceChecks,
  ...sessionChecks,
  ...cardChecks,
  ...requestChecks,
  ...documentChecks,
  ...ledgerChecks,
  ...concurrencyChecks,
  ...lifetimeChecks,
  ...errorSweepChecks,
];

/** Everything the kit needs: the relay's URL, its server CA, kiosk certificates and card files. */
export interface ConformanceOptions {
  relayUrl: string;
  /** PEM of the CA of the relay's server certificate. */
  ca: string;
  /** One or two kiosks (PEM certificate and key); the second enables the other-kiosk check. */
  kiosks: { cert: string; key: string }[];
  /** Folder of kiosk-sim/card@1 card files (with their PINs); the kit works on temporary copies. */
  cardsDir: string;
  expectClosed?: boolean;
  sessionTtlS?: number;
  documentTtlS?: number;
  /** Parallel flows in the concurrency run (default 12). */
  concurrency?: number;
  /** Longest lifetime the kit waits out, seconds (default 30). */
  maxWaitS?: number;
  /** Only the checks whose id starts with one of these. */
  only?: string[];
  /** Called with each result as soon as it is known (the CLI prints lines as they come). */
  onResult?: (r: CheckResult) => void;
  /** Called with the card discovery lines. */
  onCards?: (lines: string[]) => void;
}

async function runOne(check: Check, ctx: KitContext): Promise<CheckResult> {
  const started = Date.now();
  const base = { id: check.id, group: check.group, title: check.title };
  try {
    const note = await check.run(ctx);
    return { ...base, status: 'pass', ...(note ? { reason: note } : {}), durationMs: Date.now() - started };
  } catch (err) {
    const durationMs = Date.now() - started;
    if (err instanceof CheckNotRun) return { ...base, status: 'not-run', reason: err.message, durationMs };
    if (err instanceof CheckFailure) return { ...base, status: 'fail', reason: err.message, durationMs };
    const e = err as NodeJS.ErrnoException;
    return { ...base, status: 'fail', reason: `error: ${e.code ? `${e.code} ` : ''}${e.message}`, durationMs };
  }
}

/**
 * Runs the conformance battery against a relay and returns the report. Needs nothing of this
 * project's relay: only the relay's URL, certificates and card files.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  if (options.kiosks.length === 0) throw new TypeError('at least one kiosk certificate is needed');
  const startedAt = new Date();
  const answers: Answer[] = [];
  const record = (a: Answer) => answers.push(a);
  const client = (k: { cert: string; key: string } | undefined) =>
    new ConformanceClient({ relayUrl: options.relayUrl, ca: options.ca, kiosk: k ? kioskCredentials(k.cert, k.key) : undefined, onAnswer: record });
  const kiosk = client(options.kiosks[0]);
  const otherKiosk = options.kiosks[1] ? client(options.kiosks[1]) : undefined;
  const anonymous = client(undefined);
  const pool = await CardPool.open(options.cardsDir);
  try {
    const status = await kiosk.call('GET', '/v1/service').catch((err: Error) => err);
    const serviceOpen = status instanceof Error ? undefined : typeof status.json?.open === 'boolean' ? (status.json.open as boolean) : undefined;
    let discovery: Discovery;
    if (serviceOpen === false) {
      discovery = emptyDiscovery(pool, 'the relay is closed (GET /v1/service answered open:false)');
    } else if (status instanceof Error) {
      discovery = emptyDiscovery(pool, `GET /v1/service failed: ${status.message}`);
    } else {
      discovery = await discoverCards(kiosk, pool);
    }
    const cards = describeDiscovery(discovery);
    options.onCards?.(cards);
    const holders = new Map(discovery.classified.filter((c) => c.holder).map((c) => [c.holder!.myNumber, c.holder!] as const));
    const ctx: KitContext = {
      options: {
        relayUrl: options.relayUrl,
        expectClosed: options.expectClosed ?? false,
        ...(options.sessionTtlS !== undefined ? { sessionTtlS: options.sessionTtlS } : {}),
        ...(options.documentTtlS !== undefined ? { documentTtlS: options.documentTtlS } : {}),
        concurrency: options.concurrency ?? 12,
        maxWaitS: options.maxWaitS ?? 30,
      } satisfies KitOptions,
      kiosk,
      otherKiosk,
      anonymous,
      pool,
      discovery,
      serviceOpen,
      answers,
      holders,
    };
    const selected = ALL_CHECKS.filter((c) => !options.only?.length || options.only.some((p) => c.id.startsWith(p)));
    const results: CheckResult[] = [];
    const emit = (r: CheckResult) => {
      results.push(r);
      options.onResult?.(r);
    };
    const waiting = selected.filter((c) => c.group === 'lifetime');
    const sweeps = selected.filter((c) => c.group === 'errors');
    // Waiting checks start first and run alongside the rest.
    const waited = Promise.all(waiting.map((c) => runOne(c, ctx)));
    for (const c of selected.filter((x) => !waiting.includes(x) && !sweeps.includes(x))) emit(await runOne(c, ctx));
    for (const r of await waited) emit(r);
    for (const c of sweeps) emit(await runOne(c, ctx));
    const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
    return {
      relayUrl: options.relayUrl,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      cards,
      results,
      passed: count('pass'),
      failed: count('fail'),
      notRun: count('not-run'),
    };
  } finally {
    kiosk.close();
    otherKiosk?.close();
    anonymous.close();
    await pool.close();
  }
}

function emptyDiscovery(pool: CardPool, blocked: string): Discovery {
  return {
    classified: pool.cards.map((card) => ({ card, outcome: 'unusable' as const, reason: blocked })),
    skippedFiles: pool.skipped,
    issuable: [],
    overseas: [],
    withoutPassport: [],
    twoMunicipalities: [],
    municipalityUnavailable: [],
    notIssuable: [],
    suspended: [],
    noRecords: [],
    blocked,
  };
}
