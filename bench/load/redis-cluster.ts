import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisProcess } from './redis-process.js';
import { waitUntil, type ServiceProcess } from './service-process.js';

const run = promisify(execFile);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port P whose cluster bus port P + 10000 is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 25_000);
    if (!taken.has(p) && (await portFree(p)) && (await portFree(p + 10_000))) return p;
  }
  throw new Error('no free port pair for a cluster node');
}

/** A running Redis Cluster of masters on loopback. */
export interface RedisClusterHandle {
  ports: number[];
  /** `127.0.0.1:P1,127.0.0.1:P2,…` (the relay's REDIS_CLUSTER_NODES). */
  nodes: string;
  stop(): Promise<void>;
}

/**
 * Starts `masters` `redis-server --cluster-enabled yes` nodes on free loopback ports in a temp
 * folder, joins them with `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`
 * (argument arrays, no shell) and waits for `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const taken = new Set<number>();
  const nodes: ServiceProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freeClusterPort(taken);
      taken.add(port);
      ports.push(port);
      nodes.push(redisProcess({ port, dir, persistence: 'none', cluster: true, name: `node-${port}` }));
    }
    await Promise.all(nodes.map((n) => n.start()));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await waitUntil(
      async () => {
        const infos = await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info'])));
        return infos.every((i) => i.stdout.includes('cluster_state:ok'));
      },
      30_000,
      'cluster_state:ok',
    );
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    ports,
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
