import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Cluster } from 'ioredis';
import { demoKioskIdentities } from '../../bench/load/kiosk-client.js';
import { readCard } from '../../bench/load/kiosk-loop.js';
import { startRedisCluster, type RedisClusterHandle } from '../../bench/load/redis-cluster.js';
import { runLoad } from '../../bench/load/run-load.js';
import { startStack, type LoadStack } from '../../bench/load/stack.js';
import { allKeys, auditStore } from '../../bench/load/store-audit.js';

/**
 * Past one machine: the relay's one-time store on a three-master Redis Cluster, two relay
 * processes, a short load run; then live sessions are left half-way so that their keys can be
 * looked at: every key of a session hashes to one slot (CLUSTER KEYSLOT), and so do the outbox's.
 * The relays' Lua scripts would fail with CROSSSLOT otherwise, so an error-free run shows that
 * nothing crosses slots.
 */
describe('relay on Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let stack: LoadStack;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    stack = await startStack({
      relays: 2,
      store: { kind: 'redis-cluster', nodes: cluster.nodes },
      vrsTimeoutMs: 20_000,
      population: { perMunicipality: 40, seed: 5, municipalities: ['162027', '122246'], keys: 8 },
      databaseServerUrl: inject('databaseUrl'),
    });
    client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
  }, 180_000);

  afterAll(async () => {
    client?.disconnect();
    await stack?.destroy();
    await cluster?.stop();
  });

  it('runs whole sessions on two relays without an error or a mismatch, and keeps every session in one slot', async () => {
    const report = await runLoad(stack, { kiosks: 6, durationS: 6, warmupS: 0, decode: 0 });
    expect(report.state.mismatches).toEqual([]);
    expect(report.state.errors.entries()).toEqual([]);
    expect(report.state.printed.length).toBeGreaterThan(0);

    // Sessions left half-way (card accepted, document built, not fetched) on both relays.
    const [kiosk] = demoKioskIdentities();
    const live: string[] = [];
    for (let i = 0; i < 4; i++) {
      const url = stack.relayUrls[i % 2]!;
      const open = await kiosk!.call(url, 'POST', '/v1/sessions');
      const sid = open.json.sessionId as string;
      const holder = stack.cards[i]!;
      expect((await kiosk!.call(stack.relayUrls[(i + 1) % 2]!, 'POST', `/v1/sessions/${sid}/card`, await readCard(holder, open.json.challenge))).status).toBe(
        200,
      );
      expect(
        (await kiosk!.call(url, 'POST', `/v1/sessions/${sid}/requests`, { municipality: holder.resident.municipality, kind: 'domestic', copies: 1 })).status,
      ).toBe(201);
      live.push(sid);
    }
    kiosk!.close();

    const keys = await allKeys(client);
    const slotOf = async (k: string) => Number(await client.cluster('KEYSLOT', k));
    const slots = new Set<number>();
    for (const sid of live) {
      const own = keys.filter((k) => k.startsWith(`relay:{${sid}}:`));
      // session, request, document and the session's key index
      expect(own.length).toBeGreaterThanOrEqual(4);
      const sessionSlots = new Set(await Promise.all(own.map(slotOf)));
      expect(sessionSlots.size).toBe(1);
      slots.add([...sessionSlots][0]!);
    }
    const outbox = keys.filter((k) => k.startsWith('relay:{outbox}:'));
    expect(new Set(await Promise.all(outbox.map(slotOf))).size).toBeLessThanOrEqual(1);
    // Different sessions spread over slots (and so over the masters).
    expect(slots.size).toBeGreaterThan(1);

    const audit = await auditStore(client, { endedSessions: report.state.endedSessions, timedOutSessions: [] });
    expect(audit.endedSessionKeys).toEqual([]);
    expect(audit.untagged).toEqual([]);
  }, 120_000);
});
