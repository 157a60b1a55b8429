import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { pkiPaths } from '../../services/common/pki-paths.js';
import { MemoryStore } from '../../services/relay/one-time/memory-store.js';
import { SealedStore } from '../../services/relay/one-time/sealed.js';
import { readStoreKey } from '../../services/relay/server.js';
import { runLoad, type LoadReport } from '../../bench/load/run-load.js';
import { startStack, type LoadStack } from '../../bench/load/stack.js';
import { allKeys, auditStore } from '../../bench/load/store-audit.js';
import { sweepLogs } from '../../bench/load/privacy-sweep.js';

/**
 * After a load run (two relays, one Redis): the one-time store holds no finished session and
 * nothing of one, and no log line of VRS, the relays or Redis carries a seeded My Number, name,
 * birth date or passport number.
 */
describe('privacy sweep after a load run', () => {
  let stack: LoadStack;
  let report: LoadReport;

  beforeAll(async () => {
    stack = await startStack({
      relays: 2,
      store: { kind: 'redis-private', persistence: 'none' },
      vrsTimeoutMs: 20_000,
      population: { perMunicipality: 40, seed: 9, municipalities: ['162027', '122246'], keys: 8 },
      databaseServerUrl: inject('databaseUrl'),
    });
    report = await runLoad(stack, { kiosks: 6, durationS: 6, warmupS: 0, decode: 0 });
  }, 150_000);

  afterAll(async () => {
    await stack?.destroy();
  });

  it("printed certificates, each its holder's", () => {
    expect(report.state.mismatches).toEqual([]);
    expect(report.state.printed.length).toBeGreaterThan(0);
  });

  it('leaves no finished session in the one-time store, and no holder data in any session left', async () => {
    const redis = new Redis(stack.redisUrl!);
    try {
      const audit = await auditStore(redis, report.state);
      expect(audit.endedSessionKeys).toEqual([]);
      expect(audit.untagged).toEqual([]);
      // Whatever session records remain (none when every kiosk ended its session) are opened
      // with the relay's store key: none is finished, none still holds a holder after completion.
      const sealed = new SealedStore(new MemoryStore(), await readStoreKey(pkiPaths().relayStoreKey));
      for (const key of (await allKeys(redis)).filter((k) => k.endsWith(':session'))) {
        const value = await redis.getBuffer(key);
        if (value === null) continue;
        const rec = JSON.parse(sealed.open(key, value).toString('utf8')) as { state: string; holder?: unknown };
        expect(rec.state).not.toBe('ended');
      }
    } finally {
      redis.disconnect();
    }
  });

  it('finds no My Number, name, birth date or passport number in any log line of any service', async () => {
    await stack.stop();
    const logs = stack.logs();
    const people = stack.cards.map((c) => c.resident);
    expect(logs.reduce((n, l) => n + l.lines.length, 0)).toBeGreaterThan(100);
    expect(sweepLogs(logs, people)).toEqual([]);
    // The sweep is not vacuous: it does see each kind when it is there.
    const p = people.find((x) => x.passport)!;
    const planted = [
      `{"x":"${p.myNumber}"}`,
      `{"x":"${p.familyName}\u3000${p.givenName}"}`,
      `{"x":"${p.birthDate.replaceAll('-', '')}"}`,
      `{"x":"${p.passport!.passportNumber}"}`,
    ];
    expect(
      sweepLogs([{ service: 'planted', lines: planted }], people)
        .map((f) => f.what)
        .sort(),
    ).toEqual(['birth-date', 'my-number', 'name', 'passport-number']);
  });
});
