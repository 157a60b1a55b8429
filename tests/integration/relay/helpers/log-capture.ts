import type { DestinationStream } from 'pino';

type Line = Record<string, unknown>;

/** A pino destination that keeps every line (the privacy sweep reads them all). */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];
  #waiters: { match: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  write(line: string): void {
    this.lines.push(line);
    if (this.#waiters.length === 0) return;
    let parsed: Line;
    try {
      parsed = JSON.parse(line) as Line;
    } catch {
      return;
    }
    for (const w of this.#waiters.filter((x) => x.match(parsed))) {
      this.#waiters = this.#waiters.filter((x) => x !== w);
      w.resolve(parsed);
    }
  }
  /** Every line containing `needle`. */
  find(needle: string): string[] {
    return this.lines.filter((l) => l.includes(needle));
  }
  json(): Array<Line> {
    return this.lines.map((l) => JSON.parse(l) as Line);
  }
  /**
   * The first line (already written or still to come) that `match` accepts: a test waits for the
   * event a service logs instead of sleeping. Rejects after `ms`.
   */
  waitFor(match: (l: Line) => boolean, ms = 10_000, what = 'log line'): Promise<Line> {
    const seen = this.json().find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== waiter);
        reject(new Error(`${what} not logged within ${ms} ms`));
      }, ms);
      const waiter = { match, resolve: (l: Line) => (clearTimeout(timer), resolve(l)) };
      this.#waiters.push(waiter);
    });
  }
}
