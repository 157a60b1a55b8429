import { pathToFileURL } from 'node:url';
import { startPostgres } from '../../tests/setup/test-servers.js';

/** The outcome of one fault scenario. */
export interface ScenarioOutcome {
  name: string;
  ok: boolean;
  problems: string[];
  /** The report to print. */
  text: string;
}

/** What every scenario is given: the PostgreSQL server for VRS's database, and a progress log. */
export interface ScenarioContext {
  databaseServerUrl?: string;
  log?: (line: string) => void;
}

/** Whether the module at `url` is the script node was started with. */
export const isMain = (url: string): boolean => url === pathToFileURL(process.argv[1] ?? '').href;

/**
 * Runs fault scenarios on loopback against a private PostgreSQL (or DATABASE_URL's server),
 * prints each report and exits non-zero when any invariant was violated. Bounded in time: a
 * watchdog ends the process after `limitS`.
 */
export async function runStandalone(scenarios: Array<(ctx: ScenarioContext) => Promise<ScenarioOutcome>>, limitS = 600): Promise<never> {
  const watchdog = setTimeout(() => {
    console.error(`faults: not finished within ${limitS} s`);
    process.exit(3);
  }, limitS * 1000);
  const pg = process.env.DATABASE_URL ? undefined : await startPostgres();
  const ctx: ScenarioContext = { databaseServerUrl: process.env.DATABASE_URL ?? pg!.url, log: (l) => console.log(`  ${l}`) };
  let failed = 0;
  try {
    for (const run of scenarios) {
      const result = await run(ctx).catch((e: unknown): ScenarioOutcome => ({
        name: 'scenario',
        ok: false,
        problems: [String(e)],
        text: `crashed: ${(e as Error).stack ?? String(e)}`,
      }));
      console.log(`\n=== ${result.name} ===\n${result.text}\n`);
      if (!result.ok) failed++;
    }
  } finally {
    await pg?.stop();
    clearTimeout(watchdog);
  }
  console.log(failed === 0 ? 'faults: every invariant held' : `faults: ${failed} scenario(s) FAILED`);
  process.exit(failed === 0 ? 0 : 1);
}
