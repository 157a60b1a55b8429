/** Injectable time source so tests can move time (service hours, TTLs). */
export interface Clock {
  now(): Date;
}

/**
 * A clock that also runs callbacks after a delay of its own time: what an idle timeout or a poll
 * loop needs (kiosk-sim's IdleTimer, the relay's NoticeWorker), so a test moves time instead of
 * sleeping.
 */
export interface TimerClock extends Clock {
  /** Calls `fn` once after `ms`; the returned function cancels it. Never keeps the process alive. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: TimerClock = {
  now: () => new Date(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/**
 * A clock tests can set and advance. Its timers fire, in due order, while `advance` or `set`
 * moves time past them, each seeing `now()` at its own due time.
 */
export class ManualClock implements TimerClock {
  #t: number;
  #timers: { at: number; seq: number; fn: () => void }[] = [];
  #seq = 0;
  constructor(start: Date | number = Date.now()) {
    this.#t = typeof start === 'number' ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.#t);
  }
  set(t: Date | number): void {
    const to = typeof t === 'number' ? t : t.getTime();
    this.#fireUntil(to);
    this.#t = to;
  }
  advance(ms: number): void {
    this.set(this.#t + ms);
  }
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.#t + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== timer);
    };
  }
  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }
  #fireUntil(to: number): void {
    for (;;) {
      const due = this.#timers.filter((x) => x.at <= to).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) return;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.#t = Math.max(this.#t, due.at);
      due.fn();
    }
  }
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** Date and time in JST as parts (Japan has no daylight saving). */
export function jstParts(d: Date): { date: string; time: string; minutes: number } {
  const j = new Date(d.getTime() + JST_OFFSET_MS);
  const iso = j.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), minutes: j.getUTCHours() * 60 + j.getUTCMinutes() };
}

/** ISO 8601 with the +09:00 offset. */
export function toJstIso(d: Date): string {
  const j = new Date(d.getTime() + JST_OFFSET_MS);
  return j.toISOString().replace('Z', '+09:00');
}
