import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../services/vrs/db/database.js';
import { loadCardPool, type CardPoolOptions, type LoadCard } from './card-pool.js';
import { DelayProxy } from './delay-proxy.js';
import { redisProcess, type RedisPersistence } from './redis-process.js';
import { freePort, ServiceProcess } from './service-process.js';
import { seedPopulation } from './vrs-population.js';

/** Where the relays keep the one-time store. */
export type StoreChoice =
  { kind: 'memory' } | { kind: 'redis-url'; url: string } | { kind: 'redis-private'; persistence: RedisPersistence } | { kind: 'redis-cluster'; nodes: string };

export interface StackOptions {
  relays: number;
  population: CardPoolOptions;
  store: StoreChoice;
  /** A PostgreSQL server URL to create a fresh VRS database on; unset means PGlite in the run folder. */
  databaseServerUrl?: string;
  vrsTimeoutMs?: number;
  /** Relays reach VRS through a {@link DelayProxy} (fault scripts). */
  vrsProxy?: boolean;
  /** Extra relay environment (e.g. LOG_LEVEL). */
  relayEnv?: Record<string, string>;
  /** Node options for the relay processes (e.g. `--cpu-prof`). */
  relayNodeArgs?: string[];
  log?: (line: string) => void;
}

/** The services of a load run, each a real process on loopback. */
export interface LoadStack {
  dir: string;
  cards: LoadCard[];
  vrs: ServiceProcess;
  relays: ServiceProcess[];
  relayUrls: string[];
  redis?: ServiceProcess;
  redisUrl?: string;
  proxy?: DelayProxy;
  /** Runs `fn` on the VRS database (PGlite: only while VRS is stopped). */
  withDb<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  /** Every log line of VRS, the relays and Redis, by service. */
  logs(): Array<{ service: string; lines: string[] }>;
  /** Stops every process (logs and database stay for audits). */
  stop(): Promise<void>;
  /** Stops, drops the database and removes the run folder. */
  destroy(): Promise<void>;
}

const ROOT = resolve('.');
const tsxNode = (script: string, nodeArgs: string[] = []) => ({ command: process.execPath, args: [...nodeArgs, '--import', 'tsx', join(ROOT, script)] });

/**
 * Starts VRS over a freshly seeded synthetic population, optionally a private Redis, and K relay
 * processes on free loopback ports, exactly as `npm run relay` and the VRS server run them.
 */
export async function startStack(options: StackOptions): Promise<LoadStack> {
  const say = options.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'load-stack-'));
  const cards = await loadCardPool(options.population);
  say(`cards: ${cards.length} synthetic holders with cards`);

  let dbEnv: Record<string, string>;
  let openDb: () => Promise<Database>;
  let dropDb = async () => undefined as void;
  if (options.databaseServerUrl) {
    const name = `vrs_load_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: options.databaseServerUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(options.databaseServerUrl);
    url.pathname = `/${name}`;
    dbEnv = { DATABASE_URL: url.toString() };
    openDb = () => openDatabase({ databaseUrl: url.toString(), maxConnections: 2 });
    dropDb = async () => {
      const c = new pg.Client({ connectionString: options.databaseServerUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    };
  } else {
    const dataDir = join(dir, 'vrs-pglite');
    dbEnv = { PGLITE_DIR: dataDir };
    openDb = () => openDatabase({ dataDir });
  }
  {
    const db = await openDb();
    try {
      await seedPopulation(
        db,
        cards.map((c) => c.resident),
      );
    } finally {
      await db.close();
    }
  }
  say('vrs: population seeded');

  // From here on, a failure stops whatever was started.
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    return await startProcesses();
  } catch (e) {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
    await dropDb().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  async function startProcesses(): Promise<LoadStack> {
    const vrsPort = await freePort();
    const vrs = new ServiceProcess({
      name: 'vrs',
      ...tsxNode('services/vrs/server.ts'),
      logFile: join(dir, 'vrs.log'),
      ready: /vrs: LGWAN API/,
      env: {
        ...dbEnv,
        VRS_PORT: String(vrsPort),
        PORTAL_PORT: String(await freePort()),
        VRS_SEED_DEMO: 'false',
        MAIL_DIR: join(dir, 'mail'),
        LOG_LEVEL: 'info',
      },
    });
    started.push(vrs);
    await vrs.start();
    let proxy: DelayProxy | undefined;
    if (options.vrsProxy) {
      proxy = await new DelayProxy({ host: '127.0.0.1', port: vrsPort }).listen();
      started.push({ stop: () => proxy!.close() });
    }

    let redis: ServiceProcess | undefined;
    let storeEnv: Record<string, string> = {};
    const store = options.store;
    if (store.kind === 'redis-private') {
      redis = redisProcess({ port: await freePort(), dir, persistence: store.persistence, name: 'redis' });
      started.push(redis);
      await redis.start();
      storeEnv = { REDIS_URL: `redis://127.0.0.1:${redis.spec.args[1]}` };
    } else if (store.kind === 'redis-url') storeEnv = { REDIS_URL: store.url };
    else if (store.kind === 'redis-cluster') storeEnv = { REDIS_CLUSTER_NODES: store.nodes };
    if (store.kind === 'memory' && options.relays > 1) throw new TypeError('two or more relays need a shared Redis store');

    const relays: ServiceProcess[] = [];
    const relayUrls: string[] = [];
    for (let i = 0; i < options.relays; i++) {
      const port = await freePort();
      relays.push(
        new ServiceProcess({
          name: `relay-${i + 1}`,
          ...tsxNode('services/relay/server.ts', options.relayNodeArgs),
          logFile: join(dir, `relay-${i + 1}.log`),
          ready: /"event":"listening"/,
          env: {
            ...storeEnv,
            RELAY_PORT: String(port),
            VRS_URL: `https://localhost:${proxy ? proxy.port : vrsPort}`,
            VRS_TIMEOUT_MS: String(options.vrsTimeoutMs ?? 5000),
            SERVICE_HOURS: '00:00-24:00',
            OUTBOX_DIR: join(dir, `outbox-${i + 1}`),
            BOOKS_DIR: join(dir, `books-${i + 1}`),
            NOTICE_RETRY_BASE_MS: '100',
            NOTICE_RETRY_MAX_MS: '1000',
            NOTICE_POLL_MS: '200',
            LOG_LEVEL: 'info',
            ...options.relayEnv,
          },
        }),
      );
      relayUrls.push(`https://localhost:${port}`);
    }
    started.push(...relays);
    await Promise.all(relays.map((r) => r.start()));
    say(`relays: ${relayUrls.join(' ')}; store ${store.kind}`);

    const stack: LoadStack = {
      dir,
      cards,
      vrs,
      relays,
      relayUrls,
      ...(redis ? { redis } : {}),
      ...(storeEnv.REDIS_URL ? { redisUrl: storeEnv.REDIS_URL } : {}),
      ...(proxy ? { proxy } : {}),
      async withDb(fn) {
        if (!options.databaseServerUrl && vrs.running) throw new TypeError('PGlite is single-process: stop VRS before reading its database');
        const db = await openDb();
        try {
          return await fn(db);
        } finally {
          await db.close();
        }
      },
      logs: () => [vrs, ...relays, ...(redis ? [redis] : [])].map((p) => ({ service: p.spec.name, lines: p.lines() })),
      async stop() {
        await Promise.all(relays.map((r) => r.stop()));
        await vrs.stop();
        await proxy?.close().catch(() => undefined);
        await redis?.stop();
      },
      async destroy() {
        await stack.stop();
        await dropDb();
        if (!process.env.LOAD_KEEP_DIR) await rm(dir, { recursive: true, force: true });
      },
    };
    return stack;
  }
}
