import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatReport } from '../../bench/load/report.js';
import { runLoad } from '../../bench/load/run-load.js';
import { startStack, type LoadStack } from '../../bench/load/stack.js';
import { auditStore, redisClient } from '../../bench/load/store-audit.js';
import { waitUntil } from '../../bench/load/service-process.js';
import { auditIssuances } from '../../bench/load/vrs-population.js';

/**
 * Admission control end to end: a relay process allowed one step in progress, kiosks back to
 * back. The relay sheds with 503 ERR_BUSY; the generator waits Retry-After and repeats the same
 * step (or the session's start), counting that as shed, not as an error; every check of a load
 * run still holds.
 */
describe('load run against a relay shedding load (ADMISSION_MAX_INFLIGHT=1)', () => {
  let stack: LoadStack;

  beforeAll(async () => {
    stack = await startStack({
      relays: 1,
      store: { kind: 'redis-private', persistence: 'everysec' },
      vrsTimeoutMs: 20_000,
      population: { perMunicipality: 40, seed: 11, municipalities: ['162027', '122246'], keys: 8 },
      databaseServerUrl: inject('databaseUrl'),
      relayEnv: { ADMISSION_MAX_INFLIGHT: '1', ADMISSION_MAX_WAIT_MS: '300', ADMISSION_SHED_DELAY_MS: '0', ADMISSION_RETRY_AFTER_S: '1' },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.destroy();
  });

  it('is refused with ERR_BUSY, retries after Retry-After, and keeps every invariant', async () => {
    const report = await runLoad(stack, { kiosks: 16, durationS: 6, warmupS: 0, decode: 0.2, maxDecode: 5 });
    const st = report.state;
    const client = redisClient({ url: stack.redisUrl! });
    await waitUntil(async () => (await client.hlen('relay:{outbox}:entries')) === 0, 30_000, 'outbox drained').catch(() => undefined);
    const store = await auditStore(client, st);
    client.disconnect();
    await stack.stop();
    const vrs = await stack.withDb((db) => auditIssuances(db, st.printed));
    const text = formatReport(report, { vrs, store });

    expect(st.mismatches, text).toEqual([]);
    // ERR_BUSY is shed, not an error; nothing else went wrong.
    expect(st.errors.entries(), text).toEqual([]);
    // Which step meets the full relay depends on the machine's speed; that some are shed does not.
    expect(st.shed.total, text).toBeGreaterThan(0);
    expect(st.printed.length, text).toBeGreaterThan(0);
    // Refusals are in "every answer" and not in "admitted work" (timed inside the window only).
    expect(st.requests.count - st.admitted.count).toBeGreaterThan(0);
    expect(st.requests.count - st.admitted.count).toBeLessThanOrEqual(st.shed.total);
    expect(text).toMatch(/latency of admitted work \(every answer but 503 ERR_BUSY/);
    expect(text).toMatch(/shed \(503 ERR_BUSY/);
    expect(vrs.lost).toEqual([]);
    expect(vrs.phantom).toEqual([]);
    expect(vrs.misbound).toEqual([]);
    expect(store.endedSessionKeys).toEqual([]);
    expect(store.abortedRequestKeys).toEqual([]);
  });
});
