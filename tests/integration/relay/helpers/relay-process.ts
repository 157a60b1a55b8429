import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A relay started as its own process (`node --import tsx services/relay/server.ts`). */
export interface RelayProcess {
  url: string;
  port: number;
  /** Every line the process wrote (stdout and stderr). */
  lines: string[];
  /** The first JSON log line (written or still to come) that `match` accepts; rejects after `ms`. */
  waitForLine(match: (l: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const parse = (l: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(l) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Spawns a relay with `env` (no shell, no interpolation) and waits for its "listening" line. */
export async function spawnRelay(env: Record<string, string>): Promise<RelayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'services/relay/server.ts'], {
    env: { ...process.env, RELAY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const err = createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const out = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${lines.join('\n')}`)), 30_000);
    out.on('line', (l) => {
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
  const waitForLine = (match: (l: Record<string, unknown>) => boolean, ms = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const hit = (l: string) => {
        const j = parse(l);
        return j && match(j) ? j : undefined;
      };
      for (const l of lines) {
        const j = hit(l);
        if (j) return resolve(j);
      }
      const onLine = (l: string) => {
        const j = hit(l);
        if (!j) return;
        done();
        resolve(j);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no such line from the relay within ${ms} ms`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        out.off('line', onLine);
        err.off('line', onLine);
      };
      out.on('line', onLine);
      err.on('line', onLine);
    });
  return {
    url: `https://localhost:${port}`,
    port,
    lines,
    waitForLine,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
