import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not reached within ${ms} ms`);
}

/** How to run one service process. */
export interface ServiceSpec {
  name: string;
  /** Executable and arguments (an args array: nothing goes through a shell). */
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Every line the process writes (stdout and stderr) is appended here. */
  logFile: string;
  /** The process is ready once its log holds a line matching this. */
  ready: RegExp;
  readyTimeoutMs?: number;
}

/**
 * A child process of the load stack (VRS, a relay, Redis). Output goes straight to a log file, so
 * that reading it costs the load generator nothing during a run and the privacy sweep can read
 * every line afterwards. Can be killed and started again with the same settings (fault scripts).
 */
export class ServiceProcess {
  readonly spec: ServiceSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(spec: ServiceSpec) {
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  async start(): Promise<this> {
    if (this.running) return this;
    const before = existsSync(this.spec.logFile) ? readFileSync(this.spec.logFile).length : 0;
    const fd = openSync(this.spec.logFile, 'a');
    const child = spawn(this.spec.command, this.spec.args, { env: { ...process.env, ...this.spec.env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let failed = false;
    child.once('exit', () => {
      failed = true;
    });
    await waitUntil(
      () => {
        if (failed) throw new Error('exited');
        return this.spec.ready.test(readFileSync(this.spec.logFile).subarray(before).toString('utf8'));
      },
      this.spec.readyTimeoutMs ?? 60_000,
      `${this.spec.name} ready`,
    ).catch((e: unknown) => {
      const tail = readFileSync(this.spec.logFile, 'utf8').slice(-2000);
      throw new Error(`${this.spec.name} did not start (${(e as Error).message}); log tail:\n${tail}`);
    });
    return this;
  }

  /** Sends `signal` and waits for the process to end (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Every line logged so far. */
  lines(): string[] {
    return existsSync(this.spec.logFile) ? readFileSync(this.spec.logFile, 'utf8').split('\n').filter(Boolean) : [];
  }
}
