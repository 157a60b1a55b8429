import { jstParts, toJstIso, type Clock } from '../../common/clock.js';

/** What `GET /v1/service` answers. */
export interface ServiceStatus {
  open: boolean;
  hours: string;
  /** Now, ISO 8601 in JST (+09:00). */
  now: string;
}

/**
 * The JST service window (seed 001 art. 14). "HH:MM-HH:MM"; the end is exclusive; a start later
 * than the end wraps past midnight; "00:00-24:00" is always open.
 */
export class ServiceHours {
  readonly hours: string;
  readonly #start: number;
  readonly #end: number;

  constructor(hours: string) {
    const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(hours);
    if (!m) throw new TypeError('service hours are HH:MM-HH:MM');
    this.hours = hours;
    this.#start = Number(m[1]) * 60 + Number(m[2]);
    this.#end = Number(m[3]) * 60 + Number(m[4]);
    if (this.#start > 24 * 60 || this.#end > 24 * 60) throw new TypeError('service hours beyond 24:00');
  }

  isOpen(at: Date): boolean {
    const { minutes } = jstParts(at);
    if (this.#start === this.#end) return false;
    if (this.#start < this.#end) return minutes >= this.#start && minutes < this.#end;
    return minutes >= this.#start || minutes < this.#end;
  }

  status(clock: Clock): ServiceStatus {
    const now = clock.now();
    return { open: this.isOpen(now), hours: this.hours, now: toJstIso(now) };
  }
}
