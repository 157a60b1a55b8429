/** Which waiting work goes first: work of a session further along ('high') before earlier steps. */
export type WorkPriority = 'high' | 'normal';

/** A slot of work; `release` is idempotent. */
export interface WorkPermit {
  release(): void;
}

/** The answer of {@link WorkLimiter.acquire}. */
export type WorkDecision =
  | { permit: WorkPermit; waitedMs: number }
  /** `waited`: no slot within the bounded wait; `full`: the queue is at its cap; `cancelled`: the caller gave up. */
  | { refused: 'waited' | 'full' | 'cancelled'; waitedMs: number };

export interface WorkLimiterOptions {
  /** Work items in progress at most (K). */
  maxInflight: number;
  /** Longest a work item waits for a slot before it is refused (W). */
  maxWaitMs: number;
  /** Waiting work items at most; more are refused at once. */
  maxQueue: number;
  /** Monotonic milliseconds (tests); default `performance.now()`. */
  now?: () => number;
}

interface Waiter {
  since: number;
  resolve: (a: WorkDecision) => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

/**
 * Bounds the relay's expensive work: at most `maxInflight` items run at once; the others wait in
 * two FIFO queues (high priority first) for at most `maxWaitMs`, then are refused. Bounding work
 * rather than sessions is deliberate: a kiosk session spends most of its one or two minutes on
 * human time (PIN, coins) and costs the relay nothing then, so thousands of open sessions are
 * normal; what overloads a relay is the card checks, VRS calls and renders all at once.
 *
 * {@link queueDelayMs} is the congestion signal (how long the oldest waiting item has waited):
 * the admission middleware refuses new sessions while it is high, so sessions already admitted
 * finish. One limiter per relay process.
 */
export class WorkLimiter {
  readonly #o: Required<WorkLimiterOptions>;
  readonly #queues: Record<WorkPriority, Waiter[]> = { high: [], normal: [] };
  #inflight = 0;

  constructor(options: WorkLimiterOptions) {
    if (!Number.isInteger(options.maxInflight) || options.maxInflight < 1) throw new TypeError('maxInflight must be an integer ≥ 1');
    if (!(options.maxWaitMs >= 0) || !(options.maxQueue >= 0)) throw new TypeError('maxWaitMs and maxQueue must be ≥ 0');
    this.#o = { now: () => performance.now(), ...options };
  }

  /** Work items in progress. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Work items waiting. */
  get queued(): number {
    return this.#queues.high.length + this.#queues.normal.length;
  }

  /** How long the oldest waiting item has waited (0 without a queue). */
  queueDelayMs(): number {
    const heads = [this.#queues.high[0], this.#queues.normal[0]].filter((w): w is Waiter => w !== undefined);
    if (heads.length === 0) return 0;
    return this.#o.now() - Math.min(...heads.map((w) => w.since));
  }

  /**
   * A slot now, or after waiting at most `maxWaitMs`; else a refusal. An aborted `signal` takes
   * the item out of the queue (the kiosk went away).
   */
  acquire(priority: WorkPriority, signal?: AbortSignal): Promise<WorkDecision> {
    if (signal?.aborted) return Promise.resolve({ refused: 'cancelled', waitedMs: 0 });
    if (this.#inflight < this.#o.maxInflight && this.queued === 0) {
      this.#inflight++;
      return Promise.resolve({ permit: this.#permit(), waitedMs: 0 });
    }
    if (this.queued >= this.#o.maxQueue || this.#o.maxWaitMs === 0) return Promise.resolve({ refused: 'full', waitedMs: 0 });
    return new Promise<WorkDecision>((resolve) => {
      const queue = this.#queues[priority];
      const since = this.#o.now();
      const leave = (refused: 'waited' | 'cancelled') => {
        if (w.done) return;
        w.done = true;
        clearTimeout(w.timer);
        queue.splice(queue.indexOf(w), 1);
        signal?.removeEventListener('abort', onAbort);
        resolve({ refused, waitedMs: this.#o.now() - since });
      };
      const onAbort = () => leave('cancelled');
      const w: Waiter = {
        since,
        done: false,
        // Deferred like the VRS deadline: a slot freed by I/O that is already waiting in this loop
        // turn goes to this item rather than the item being refused just before.
        timer: setTimeout(() => setImmediate(() => leave('waited')), this.#o.maxWaitMs),
        resolve: (a) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(a);
        },
      };
      queue.push(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #permit(): WorkPermit {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inflight--;
        this.#next();
      },
    };
  }

  /** Hands freed slots to the waiters, high priority first, oldest first. */
  #next(): void {
    while (this.#inflight < this.#o.maxInflight) {
      const w = this.#queues.high.shift() ?? this.#queues.normal.shift();
      if (!w) return;
      w.done = true;
      clearTimeout(w.timer);
      this.#inflight++;
      w.resolve({ permit: this.#permit(), waitedMs: this.#o.now() - w.since });
    }
  }
}
