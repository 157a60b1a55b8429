import type { TestProject } from 'vitest/node';
import { startPostgres, startRedis, type RunningServer } from './test-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    databaseUrl: string;
  }
}

interface Servers {
  redisUrl: string;
  databaseUrl: string;
  started: RunningServer[];
}

/** Shared by the projects of one run (their global setups run in the one main process). */
const shared = globalThis as { __testServers?: { servers: Promise<Servers>; users: number } };

async function startServers(): Promise<Servers> {
  const started: RunningServer[] = [];
  const redisUrl = process.env.TEST_REDIS_URL ?? started[started.push(await startRedis()) - 1]!.url;
  const databaseUrl = process.env.TEST_DATABASE_URL ?? started[started.push(await startPostgres()) - 1]!.url;
  return { redisUrl, databaseUrl, started };
}

/**
 * For the projects with servers (integration, e2e, load), once per test run however many of them
 * run: a Redis server and a PostgreSQL server (CI's, or private ones started here). Tests read the
 * URLs with `inject('redisUrl')` / `inject('databaseUrl')`. The PKI comes from pki-setup.ts.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.__testServers ??= { servers: startServers(), users: 0 };
  const entry = shared.__testServers;
  entry.users += 1;
  const { redisUrl, databaseUrl } = await entry.servers;
  project.provide('redisUrl', redisUrl);
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    shared.__testServers = undefined;
    for (const s of (await entry.servers).started) await s.stop();
  };
}
