import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A relay started as its own process (`node --import tsx services/relay/server.ts`). */
export interface RelayProcess {
  url: string;
  port: number;
  /** Every line the process wrote (stdout and stderr). */
  lines: string[];
  stop(): Promise<void>;
}

/** Spawns a relay with `env` (no shell, no interpolation) and waits for its "listening" line. */
export async function spawnRelay(env: Record<string, string>): Promise<RelayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'services/relay/server.ts'], {
    env: { ...process.env, RELAY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${lines.join('\n')}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      try {
        const j = JSON.parse(l) as { event?: string; port?: number };
        if (j.event === 'listening' && j.port) {
          clearTimeout(timer);
          resolve(j.port);
        }
      } catch {
        // not JSON
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}:\n${lines.join('\n')}`));
    });
  });
  return {
    url: `https://localhost:${port}`,
    port,
    lines,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
