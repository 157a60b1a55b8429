import { join } from 'node:path';
import { ServiceProcess } from './service-process.js';

/** Persistence of a private Redis: none, AOF fsynced every second, or AOF fsynced on every write. */
export type RedisPersistence = 'none' | 'everysec' | 'always';

/**
 * A private `redis-server` on a loopback port, with its data in `dir` so that a restart (fault
 * scripts) comes back with what AOF kept. `cluster` starts a cluster-enabled node (the cluster
 * itself is formed with `redis-cli --cluster create`).
 */
export function redisProcess(options: { port: number; dir: string; persistence: RedisPersistence; cluster?: boolean; name?: string }): ServiceProcess {
  const name = options.name ?? `redis-${options.port}`;
  const args = [
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dir,
    '--save',
    '',
    '--appendonly',
    options.persistence === 'none' ? 'no' : 'yes',
    ...(options.persistence === 'none' ? [] : ['--appendfsync', options.persistence, '--appendfilename', `${name}.aof`, '--appenddirname', `${name}-aof`]),
    ...(options.cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(options.dir, `${name}-nodes.conf`)] : []),
  ];
  return new ServiceProcess({
    name,
    command: 'redis-server',
    args,
    env: {},
    logFile: join(options.dir, `${name}.log`),
    ready: /Ready to accept connections/,
    readyTimeoutMs: 20_000,
  });
}
