import { formatReport } from '../load/report.js';
import { runLoad, type LoadReport } from '../load/run-load.js';
import type { RunState } from '../load/run-state.js';
import { waitUntil } from '../load/service-process.js';
import { startStack, type LoadStack } from '../load/stack.js';
import { auditStore, redisClient, type StoreAudit } from '../load/store-audit.js';
import { sweepLogs, type PrivacyFinding } from '../load/privacy-sweep.js';
import { auditIssuances, type VrsAudit } from '../load/vrs-population.js';
import type { ScenarioContext, ScenarioOutcome } from './standalone.js';

/** A fault injected into a short load run. */
export interface FaultScenario {
  name: string;
  relays: number;
  kiosks: number;
  durationS: number;
  vrsTimeoutMs?: number;
  vrsProxy?: boolean;
  /** Called each second of the run; does the damage and undoes it, answering 'repaired' then. */
  act(stack: LoadStack, second: number, state: RunState): Promise<'repaired' | void>;
  /** Seconds after the repair by which the service must be back by itself (default 3). */
  graceS?: number;
  /** Error codes that are acceptable while the part is down (besides coded problem+json ones). */
  allowNetErrors?: boolean;
  /** Extra checks on the finished run. */
  expect?(report: LoadReport): string[];
}

export interface FaultResult extends ScenarioOutcome {
  name: string;
  ok: boolean;
  problems: string[];
  text: string;
  report: LoadReport;
  vrs: VrsAudit;
  store: StoreAudit;
  privacy: PrivacyFinding[];
}

/**
 * Runs a scenario on loopback (VRS, Redis with AOF fsynced on every write, the relays) and
 * checks the invariants the issue names: no document delivered to the wrong session, no
 * completion notice lost or doubled (VRS's books against what the kiosks printed), every error
 * while a part was down a coded problem+json (or, when a relay process is gone, a refused
 * connection the kiosk's load balancer moves past), service back by itself afterwards, nothing
 * left of ended sessions or aborted requests in the store, no personal data in any log.
 */
export async function runFault(scenario: FaultScenario, options: ScenarioContext = {}): Promise<FaultResult> {
  const stack = await startStack({
    relays: scenario.relays,
    store: { kind: 'redis-private', persistence: 'always' },
    population: { perMunicipality: Math.max(50, scenario.kiosks * 2), seed: 7, municipalities: ['162027', '122246'], keys: 8 },
    ...(options.databaseServerUrl ? { databaseServerUrl: options.databaseServerUrl } : {}),
    // Generous unless the scenario is about timeouts: on a busy machine a 5 s default can expire
    // for ordinary requests, which would hide what each scenario is about.
    vrsTimeoutMs: scenario.vrsTimeoutMs ?? 20_000,
    ...(scenario.vrsProxy ? { vrsProxy: true } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    let acting = Promise.resolve();
    let repairedAt: number | undefined;
    const report = await runLoad(stack, {
      kiosks: scenario.kiosks,
      durationS: scenario.durationS,
      warmupS: 0,
      decode: 0.2,
      maxDecode: 10,
      onTick: (state, second, extendTo) => {
        // Until the repair is done (a restart may take long on a busy machine), keep going; bounded.
        if (repairedAt === undefined && second < 90) extendTo(second + 2);
        acting = acting
          .then(async () => {
            if ((await scenario.act(stack, second, state)) === 'repaired') {
              repairedAt = state.second();
              // However long the repair took, the run goes on long enough to see the service back.
              extendTo(repairedAt + (scenario.graceS ?? 3) + 4);
            }
          })
          .catch((e: unknown) => {
            state.mismatch(`fault script failed at ${second} s: ${(e as Error).message}`);
          });
      },
    });
    await acting;
    const client = redisClient({ url: stack.redisUrl! });
    // A notice claimed by a relay that was killed waits out its lease (the relay's max(10 s, 2 × the
    // VRS timeout)) before another relay delivers it: wait longer than that lease.
    const leaseMs = Math.max(10_000, 2 * (scenario.vrsTimeoutMs ?? 20_000));
    await waitUntil(async () => (await client.hlen('relay:{outbox}:entries')) === 0, leaseMs + 15_000, 'outbox drained').catch(() => undefined);
    const store = await auditStore(client, report.state);
    // For a notice still queued: its kind, attempts, due time and the ledger's trail (no personal data).
    const trails = new Map<string, string>();
    for (const id of store.pendingIds) {
      const entry = JSON.parse((await client.hget('relay:{outbox}:entries', id)) ?? '{}') as { notice?: { type?: string }; attempts?: number };
      const due = await client.zscore('relay:{outbox}:due', id);
      const ledger = (await client.xrange('relay:{outbox}:ledger', '-', '+'))
        .map(([, f]) => JSON.parse(f[1]!) as { certificateId: string; type: string; reason?: string })
        .filter((e) => e.certificateId === id);
      trails.set(
        id,
        `${entry.notice?.type ?? 'completion'}, ${entry.attempts ?? 0} attempts, due ${due === null ? 'never' : `in ${Number(due) - Date.now()} ms`}, ledger ${ledger.map((e) => e.type + (e.reason ? `/${e.reason}` : '')).join('→') || 'none'}`,
      );
    }
    client.disconnect();
    await stack.stop();
    const privacy = sweepLogs(
      stack.logs(),
      stack.cards.map((c) => c.resident),
    );
    const vrs = await stack.withDb((db) => auditIssuances(db, report.state.printed));

    const st = report.state;
    const problems = [...st.mismatches];
    if (vrs.lost.length) problems.push(`completion notices lost: ${vrs.lost.length}`);
    if (vrs.phantom.length) problems.push(`issued at VRS but never printed (phantom or doubled): ${vrs.phantom.length}`);
    if (vrs.misbound.length) problems.push(`issued for another person or kiosk: ${vrs.misbound.length}`);
    if (store.endedSessionKeys.length) problems.push(`store keeps ${store.endedSessionKeys.length} keys of ended sessions`);
    if (store.abortedRequestKeys.length) problems.push(`store keeps ${store.abortedRequestKeys.length} keys of aborted requests`);
    if (store.untagged.length) problems.push(`store has keys without a hash tag: ${store.untagged.slice(0, 3).join(', ')}`);
    if (store.outboxPending) {
      // Which notices, and what VRS last answered them (certificate IDs and codes only).
      const retries = stack
        .logs()
        .flatMap((s) => s.lines)
        .filter((l) => l.includes('"notice_retry"'))
        .map((l) => JSON.parse(l) as { certificateId?: string; notice?: string; code?: string });
      const stuck = store.pendingIds.map((id) => {
        const r = retries.filter((x) => x.certificateId === id).at(-1);
        return `${id} (${trails.get(id)}${r?.code ? `, last ${r.code}` : ''})`;
      });
      problems.push(`outbox still holds ${store.outboxPending} notices: ${stuck.join(', ')}`);
      if (process.env.FAULT_TRACE)
        for (const sv of stack.logs()) for (const l of sv.lines) if (store.pendingIds.some((id) => l.includes(id))) console.log(`[${sv.service}] ${l}`);
    }
    if (st.uncoded) problems.push(`${st.uncoded} errors were not coded problem+json`);
    const internal = st.errors.counts.get('ERR_INTERNAL') ?? 0;
    if (internal) problems.push(`${internal} answers were a bare 500 ERR_INTERNAL, not a clear code`);
    const net = st.errors.entries().filter(([c]) => c.startsWith('NET_'));
    if (net.length && !scenario.allowNetErrors)
      problems.push(`kiosks saw network failures instead of coded errors: ${net.map(([c, n]) => `${c} ${n}`).join(', ')}`);
    // Back by itself: from a few seconds after the repair to the end, printing and no errors.
    const from = (repairedAt ?? 0) + (scenario.graceS ?? 3);
    const tail = (xs: number[]) => Array.from(xs.slice(from)).reduce((a, b) => a + (b ?? 0), 0);
    if (tail(st.issuancesBySecond) === 0) problems.push(`no issuance from ${from} s on: the service did not come back within the run`);
    if (tail(st.errorsBySecond) > 0)
      problems.push(`${tail(st.errorsBySecond)} errors from ${from} s on (repaired at ${repairedAt} s): the service did not come back cleanly`);
    if (privacy.length) problems.push(`personal data in logs: ${privacy.length} lines`);
    if (st.printed.length === 0) problems.push('nothing was printed at all');
    problems.push(...(scenario.expect?.(report) ?? []));
    const text = `${formatReport(report, { vrs, store, privacy })}\n${scenario.name}: ${problems.length === 0 ? 'PASS' : `FAIL\n  - ${problems.join('\n  - ')}`}`;
    return { name: scenario.name, ok: problems.length === 0, problems, text, report, vrs, store, privacy };
  } finally {
    await stack.destroy();
  }
}
