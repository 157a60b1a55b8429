/**
 * Events per second over a sliding window (ring of buckets): how fast the relay has recently been
 * finishing sessions' work. Constant memory, O(buckets) per read.
 */
export class RateMeter {
  readonly #bucketMs: number;
  readonly #counts: number[];
  readonly #now: () => number;
  /** Index (time / bucketMs) of the newest bucket written. */
  #head = 0;

  constructor(options: { windowMs?: number; buckets?: number; now?: () => number } = {}) {
    const windowMs = options.windowMs ?? 2000;
    const buckets = options.buckets ?? 20;
    this.#bucketMs = windowMs / buckets;
    this.#counts = new Array<number>(buckets).fill(0);
    this.#now = options.now ?? (() => performance.now());
    this.#head = Math.floor(this.#now() / this.#bucketMs);
  }

  /** Counts one event now. */
  mark(): void {
    this.#advance();
    this.#counts[this.#head % this.#counts.length]!++;
  }

  /** Events per second over the window. */
  perSecond(): number {
    this.#advance();
    let n = 0;
    for (const c of this.#counts) n += c;
    return n / ((this.#counts.length * this.#bucketMs) / 1000);
  }

  /** Clears the buckets that the clock has moved past. */
  #advance(): void {
    const at = Math.floor(this.#now() / this.#bucketMs);
    const steps = Math.min(at - this.#head, this.#counts.length);
    for (let i = 1; i <= steps; i++) this.#counts[(this.#head + i) % this.#counts.length] = 0;
    if (at > this.#head) this.#head = at;
  }
}
