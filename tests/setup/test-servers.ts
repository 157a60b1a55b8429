/**
 * Real Redis and PostgreSQL servers for integration tests. When TEST_REDIS_URL / TEST_DATABASE_URL
 * are set (CI starts the Debian servers), those are used; otherwise private instances are started
 * on free loopback ports from the installed binaries and stopped afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function which(names: string[], dirs: string[]): string | undefined {
  for (const d of dirs) for (const n of names) if (existsSync(join(d, n))) return join(d, n);
  return undefined;
}

const PATH_DIRS = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/usr/local/bin']);

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${ms} ms`);
}

export async function startRedis(): Promise<RunningServer> {
  const bin = which(['redis-server'], PATH_DIRS);
  if (!bin) throw new Error('redis-server not found: install Debian package redis-server (scripts/install-system-packages.sh does)');
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const cli = which(['redis-cli'], PATH_DIRS);
  await waitFor(async () => {
    if (!cli) return true;
    const { stdout } = await run(cli, ['-p', String(port), 'ping']);
    return stdout.trim() === 'PONG';
  }, 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

export async function startPostgres(): Promise<RunningServer> {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found: install Debian package postgresql (scripts/install-system-packages.sh does)');
  const dir = await mkdtemp(join(tmpdir(), 'pg-test-'));
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: run it as the Debian 'postgres' user.
  const wrap = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await run(...wrap(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']));
  await run(
    ...wrap(join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']),
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run(...wrap(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'])).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
