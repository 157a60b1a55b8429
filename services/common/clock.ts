/** Injectable time source so tests can move time (service hours, TTLs). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: Date | number = Date.now()) {
    this.#t = typeof start === 'number' ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.#t);
  }
  set(t: Date | number): void {
    this.#t = typeof t === 'number' ? t : t.getTime();
  }
  advance(ms: number): void {
    this.#t += ms;
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
