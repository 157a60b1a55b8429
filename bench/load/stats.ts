/** Relative width of a bucket: values are kept to within 1 %. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest value told apart: 10 µs (values are milliseconds). */
const MIN_MS = 0.01;

/**
 * A latency histogram in the manner of HdrHistogram: logarithmic buckets 1 % wide from 10 µs up,
 * so a percentile is exact to within 1 % whatever the count, in constant memory (a few thousand
 * counters for anything up to hours). Values are milliseconds.
 */
export class LatencyHistogram {
  readonly #counts = new Map<number, number>();
  #count = 0;
  #max = 0;
  #sum = 0;

  record(ms: number): void {
    const v = Math.max(ms, MIN_MS);
    const bucket = Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** Adds every value of `other`. */
  merge(other: LatencyHistogram): void {
    for (const [b, n] of other.#counts) this.#counts.set(b, (this.#counts.get(b) ?? 0) + n);
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#max = Math.max(this.#max, other.#max);
  }

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /** The value at percentile `p` (0–100): the upper edge of its bucket, capped by the maximum. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (const b of [...this.#counts.keys()].sort((x, y) => x - y)) {
      seen += this.#counts.get(b)!;
      if (seen >= rank) return Math.min(MIN_MS * GROWTH ** (b + 1), this.#max);
    }
    return this.#max;
  }

  /** p50, p95, p99 and max. */
  summary(): { count: number; p50: number; p95: number; p99: number; max: number; mean: number } {
    return { count: this.#count, p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99), max: this.#max, mean: this.mean };
  }
}

/** Counts by key (errors by code). */
export class Counter {
  readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }
  entries(): Array<[string, number]> {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1]);
  }
}
