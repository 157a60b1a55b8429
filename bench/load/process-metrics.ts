import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime is the 14th, stime the 15th field.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU and memory of a process over a window. */
export interface ProcessFigures {
  pid: number;
  /** Average CPU over the window, in % of one core. */
  cpuPercent: number;
  /** CPU seconds spent in the window. */
  cpuSeconds: number;
  rssMbLast: number;
  rssMbMax: number;
}

/**
 * Samples a process's CPU time and resident memory from /proc/<pid>/stat and /proc/<pid>/status
 * (Linux), every `everyMs`, from `start()` to `stop()`. A process that went away (killed by a
 * fault script) keeps the figures of its last sample.
 */
export class ProcessSampler {
  readonly #pid: number;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #ticks0 = 0;
  #lastTicks = 0;
  #lastAt = 0;
  #rssLast = 0;
  #rssMax = 0;

  constructor(pid: number, everyMs = 500) {
    this.#pid = pid;
    this.#everyMs = everyMs;
  }

  start(): this {
    this.#t0 = performance.now();
    this.#ticks0 = cpuTicks(this.#pid) ?? 0;
    this.#lastTicks = this.#ticks0;
    this.#lastAt = this.#t0;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#everyMs);
    this.#timer.unref();
    return this;
  }

  #sample(): void {
    const t = cpuTicks(this.#pid);
    if (t !== undefined) {
      this.#lastTicks = t;
      this.#lastAt = performance.now();
    }
    const r = rssMb(this.#pid);
    if (r !== undefined) {
      this.#rssLast = r;
      this.#rssMax = Math.max(this.#rssMax, r);
    }
  }

  stop(): ProcessFigures {
    this.#sample();
    clearInterval(this.#timer);
    const seconds = Math.max(0.001, (this.#lastAt - this.#t0) / 1000);
    const cpuSeconds = (this.#lastTicks - this.#ticks0) / TICKS;
    return { pid: this.#pid, cpuPercent: (cpuSeconds / seconds) * 100, cpuSeconds, rssMbLast: this.#rssLast, rssMbMax: this.#rssMax };
  }
}

function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * The whole machine's CPU over a window (every process, other users' included) and the load
 * average at its end: the context a figure from a shared machine needs.
 */
export class MachineSampler {
  #t0 = machineTicks();
  start(): this {
    this.#t0 = machineTicks();
    return this;
  }
  stop(): { busyPercent: number; cores: number; loadAverage: string } {
    const t = machineTicks();
    const cores = (readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm) ?? []).length || 1;
    const busy = (t.busy - this.#t0.busy) / Math.max(1, t.total - this.#t0.total);
    return { busyPercent: busy * 100 * cores, cores, loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
  }
}
