import type { TestProject } from 'vitest/node';
import { ensurePki } from '../../certs/generate.js';
import { startPostgres, startRedis, type RunningServer } from './test-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    databaseUrl: string;
  }
}

/**
 * Once per test run: the test PKI and demo cards under certs/out (made if missing), a Redis server
 * and a PostgreSQL server (CI's, or private ones started here). Tests read the URLs with
 * `inject('redisUrl')` / `inject('databaseUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Says what it made or renewed (an expired or not-yet-valid demo PKI is renewed, not a failure).
  await ensurePki({ log: (line) => console.log(line) });
  const started: RunningServer[] = [];
  const redisUrl = process.env.TEST_REDIS_URL ?? (started[started.push(await startRedis()) - 1]!.url);
  const databaseUrl = process.env.TEST_DATABASE_URL ?? (started[started.push(await startPostgres()) - 1]!.url);
  project.provide('redisUrl', redisUrl);
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    for (const s of started) await s.stop();
  };
}
