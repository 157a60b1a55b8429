/**
 * The load generator: `npm run load -- --kiosks N --duration S [--relays K] [--redis URL]`.
 *
 * Starts VRS over a seeded synthetic population, a private Redis (unless --redis or --memory), K
 * relay processes, then runs N simulated kiosks speaking PROTOCOL.md with virtual cards (real
 * APDUs and signatures), each running whole sessions in a loop. Prints issuances per second,
 * latency percentiles per step, errors by code, relay CPU and memory, and checks every document
 * against the holder whose card opened its session; exits 1 on any mismatch or broken invariant.
 *
 *   --kiosks N            simulated kiosks (default 100)
 *   --duration S          measured seconds (default 20), after --warmup S (default min(5, S/5))
 *   --relays K            relay processes (default 1)
 *   --rate R              pace the fleet at R issuances/s (default: back to back)
 *   --redis URL           an existing Redis; --redis-cluster host:port,… a cluster (`private`
 *                         starts three masters); --memory the relay's embedded store (one relay
 *                         only); else a private redis-server (AOF, fsync every second)
 *   --database URL        PostgreSQL server to create the VRS database on; `private` starts one
 *                         (initdb on a free loopback port, fsync off); default: PGlite on disk
 *   --check               decode and verify the QR codes of every document (else a sample)
 *   --sample F            share of documents decoded in a speed run (default 0.01, at most 50)
 *   --residents N         residents per municipality (default: max(400, 2 × kiosks / 2))
 *   --seed N              population and card seed (default 1)
 *   --cpu-prof DIR        relays write V8 CPU profiles there (node --cpu-prof)
 */
import { parseArgs } from 'node:util';
import { formatReport, runHolds } from './report.js';
import { runLoad } from './run-load.js';
import { startStack, type LoadStack, type StoreChoice } from './stack.js';
import { auditStore, redisClient } from './store-audit.js';
import { sweepLogs } from './privacy-sweep.js';
import { auditIssuances } from './vrs-population.js';
import { waitUntil } from './service-process.js';
import { startPostgres } from '../../tests/setup/test-servers.js';
import { startRedisCluster } from './redis-cluster.js';

const { values } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '100' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string' },
    relays: { type: 'string', default: '1' },
    rate: { type: 'string' },
    redis: { type: 'string' },
    'redis-cluster': { type: 'string' },
    memory: { type: 'boolean', default: false },
    database: { type: 'string' },
    check: { type: 'boolean', default: false },
    sample: { type: 'string', default: '0.01' },
    residents: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
  },
});
const num = (v: string | undefined, name: string, min: number): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return n;
};

async function main(): Promise<number> {
  const kiosks = num(values.kiosks, 'kiosks', 1);
  const relays = num(values.relays, 'relays', 1);
  const municipalities = ['162027', '122246'];
  const perMunicipality = values.residents ? num(values.residents, 'residents', 1) : Math.max(400, kiosks);
  // Whatever was started is stopped again, whatever fails: no process outlives the run.
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const cluster = values['redis-cluster'] === 'private' ? await startRedisCluster(3) : undefined;
    if (cluster) cleanups.push(() => cluster.stop());
    const clusterNodes = cluster?.nodes ?? values['redis-cluster'];
    const store: StoreChoice = clusterNodes
      ? { kind: 'redis-cluster', nodes: clusterNodes }
      : values.redis
        ? { kind: 'redis-url', url: values.redis }
        : values.memory
          ? { kind: 'memory' }
          : { kind: 'redis-private', persistence: 'everysec' };
    const pgServer = values.database === 'private' ? await startPostgres() : undefined;
    if (pgServer) cleanups.push(() => pgServer.stop());
    const databaseUrl = pgServer?.url ?? values.database;
    const stack = await startStack({
      relays,
      store,
      population: { perMunicipality, seed: num(values.seed, 'seed', 0), municipalities },
      ...(databaseUrl ? { databaseServerUrl: databaseUrl } : {}),
      ...(values['cpu-prof'] ? { relayNodeArgs: ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] } : {}),
      log: (l) => console.log(l),
    });
    cleanups.push(() => stack.destroy());
    return await measure(stack, store, kiosks);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

async function measure(stack: LoadStack, store: StoreChoice, kiosks: number): Promise<number> {
  try {
    console.log(`running ${kiosks} kiosks for ${values.duration} s …`);
    const report = await runLoad(stack, {
      kiosks,
      durationS: num(values.duration, 'duration', 1),
      ...(values.warmup ? { warmupS: num(values.warmup, 'warmup', 0) } : {}),
      ...(values.rate ? { rate: num(values.rate, 'rate', 0.001) } : {}),
      decode: values.check ? 'all' : num(values.sample, 'sample', 0),
    });
    // Let the notice workers drain, then audit the store, the logs and VRS's books.
    let storeAudit;
    if (store.kind !== 'memory') {
      const client = redisClient(store.kind === 'redis-cluster' ? { clusterNodes: store.nodes } : { url: stack.redisUrl! });
      await waitUntil(async () => (await client.hlen('relay:{outbox}:entries')) === 0, 30_000, 'outbox drained').catch(() => undefined);
      storeAudit = await auditStore(client, report.state);
      client.disconnect();
    } else await new Promise((r) => setTimeout(r, 3000));
    await stack.stop();
    const privacy = sweepLogs(
      stack.logs(),
      stack.cards.map((c) => c.resident),
    );
    const vrsAudit = await stack.withDb((db) => auditIssuances(db, report.state.printed));
    const audits = { vrs: vrsAudit, privacy, ...(storeAudit ? { store: storeAudit } : {}) };
    console.log(formatReport(report, audits));
    return runHolds(report, audits) ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);
