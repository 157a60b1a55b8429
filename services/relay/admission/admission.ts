import type { Request, RequestHandler, Response } from 'express';
import { toProblem } from '../../common/errors.js';
import { BusyError } from '../relay-errors.js';
import { RateMeter } from './rate-meter.js';
import { WorkLimiter, type WorkPriority } from './work-limiter.js';

/** Admission control of one relay process (config.ts `ADMISSION_*`). */
export interface AdmissionOptions {
  /** Expensive steps (3 and 4) in progress at most. */
  maxInflight: number;
  /** Longest a step waits for a slot before it is answered 503 ERR_BUSY. */
  maxWaitMs: number;
  /** Steps waiting at most; more are answered 503 ERR_BUSY at once. */
  maxQueue: number;
  /** New sessions are refused while the oldest waiting step has waited this long (0: while any step waits). */
  shedDelayMs: number;
  /**
   * Shortest Retry-After (seconds) of a refused new session; it grows (up to 10 s) with the number
   * of kiosks turned away per session let in. A refused step 3 or 4 says 1 s.
   */
  retryAfterS: number;
}

/** The middleware admission control mounts in app.ts. */
export interface Admission {
  /** Step 2 (`POST /v1/sessions`): refused while the relay's work is queueing. */
  newSession: RequestHandler;
  /** Steps 3 and 4: wait for a work slot (bounded), holding it until the answer is sent. */
  work(priority: WorkPriority): RequestHandler;
  limiter: WorkLimiter;
}

/** Retry-After of a refused step of an admitted session: it should come back soon. */
const STEP_RETRY_AFTER_S = 1;
/**
 * New sessions are let in at about the pace the relay finishes sessions' work: at most this
 * multiple of it while every slot is taken, and this one while slots are free (so the pace can
 * grow to what the relay manages), …
 */
const PACE_SATURATED = 1.25;
const PACE_FREE = 2;
/** …and, whatever the recent pace, at least this many a second, in bursts of up to twice as many (a quiet relay never limits). */
const PACE_FLOOR_PER_S = 10;

/**
 * Sheds load at the start of a session rather than in the middle (PROTOCOL.md extension, README
 * "Decisions beyond the design documents"). Steps 3 and 4 take a slot of a {@link WorkLimiter};
 * one that cannot get a slot within `maxWaitMs` is answered 503 ERR_BUSY with Retry-After before
 * the route runs, so nothing of the session is consumed (the challenge is still there, no request
 * was made) and the kiosk repeats the same step. Step 4 waits ahead of step 3: it finishes a
 * session. New sessions are answered 503 ERR_BUSY as soon as steps queue longer than
 * `shedDelayMs`, and beyond about the pace the relay is finishing sessions' work (never below 10
 * a second), so the relay spends itself on the sessions it has admitted. Steps 1 and 5–7 are
 * never refused here. The state is per relay process: each relay bounds its own work.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const limiter = new WorkLimiter({ maxInflight: options.maxInflight, maxWaitMs: options.maxWaitMs, maxQueue: options.maxQueue });
  // Steps 3 and 4 finished per second over the last second; every session that gets anywhere
  // passes step 3 once and most pass step 4 once, so the larger is the pace of sessions served.
  const finished: Record<WorkPriority, RateMeter> = {
    normal: new RateMeter({ windowMs: 1000, buckets: 10 }),
    high: new RateMeter({ windowMs: 1000, buckets: 10 }),
  };
  const floor = PACE_FLOOR_PER_S;
  const pace = new TokenBucket(2 * floor);

  const retryAfter = new RetryAfterControl(options.retryAfterS);

  const newSession: RequestHandler = (req, res, next) => {
    // Work is queueing: no new session at all.
    const queueing = limiter.queued > 0 && limiter.queueDelayMs() >= options.shedDelayMs;
    // A session let in now reaches steps 3 and 4 only after a card read and a PIN, when the queue
    // cannot show it yet: so new sessions follow the pace sessions are being finished (a rate, not
    // a bound on sessions in progress), or else a rush fills the queue seconds later.
    const saturated = limiter.inflight >= options.maxInflight;
    const perSecond = Math.max(floor, (saturated ? PACE_SATURATED : PACE_FREE) * Math.max(finished.normal.perSecond(), finished.high.perSecond()));
    if (queueing || !pace.take(perSecond)) {
      retryAfter.count(false);
      refuse(req, res, retryAfter.seconds(), 'The certificate center is busy; no new session can start now. Please try again shortly');
      return;
    }
    retryAfter.count(true);
    next();
  };

  const work =
    (priority: WorkPriority): RequestHandler =>
    async (req, res, next) => {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      res.once('close', onClose);
      const a = await limiter.acquire(priority, gone.signal);
      res.off('close', onClose);
      if ('permit' in a) {
        if (gone.signal.aborted) {
          a.permit.release();
          return;
        }
        // Held until the answer is sent (or the connection closes: a kiosk that went away frees its
        // slot, although the step's own work may still finish in the background).
        let held = true;
        const release = () => {
          if (!held) return;
          held = false;
          a.permit.release();
          finished[priority].mark();
        };
        res.once('finish', release);
        res.once('close', release);
        next();
        return;
      }
      if (a.refused === 'cancelled') return;
      refuse(req, res, STEP_RETRY_AFTER_S, 'The certificate center is busy; this step was not started. Please repeat it shortly');
    };

  return { newSession, work, limiter };
}

/** Longest Retry-After of a refused new session. */
const RETRY_AFTER_MAX_S = 10;
/** Kiosks coming back per admitted session that Retry-After aims at: enough to fill every free place, few enough to cost little. */
const RETRIES_PER_ADMISSION = 3;

/**
 * Retry-After of refused new sessions, adjusted once a second: every refusal costs the relay a
 * request (and often a TLS handshake), so the more kiosks are being turned away per session let
 * in, the longer they are asked to wait; back to the minimum when nothing is refused. Refused
 * kiosks come back at about (waiting kiosks) / Retry-After a second, and the waiting kiosks are
 * about (refusals a second) × (the current Retry-After); so a Retry-After of that over
 * RETRIES_PER_ADMISSION × (admissions a second) brings about that many back per admission. Moved
 * half-way (geometrically) each second, to stay steady.
 */
class RetryAfterControl {
  #s: number;
  #refused = 0;
  #admitted = 0;
  #at = performance.now();

  constructor(readonly minS: number) {
    this.#s = minS;
  }

  count(admitted: boolean): void {
    this.#roll();
    if (admitted) this.#admitted++;
    else this.#refused++;
  }

  seconds(): number {
    this.#roll();
    return Math.round(this.#s);
  }

  #roll(): void {
    const now = performance.now();
    if (now - this.#at < 1000) return;
    const target = this.#refused === 0 ? this.minS : (this.#s * this.#refused) / (RETRIES_PER_ADMISSION * Math.max(1, this.#admitted));
    this.#s = Math.min(RETRY_AFTER_MAX_S, Math.max(this.minS, Math.sqrt(this.#s * Math.max(this.minS, target))));
    this.#refused = 0;
    this.#admitted = 0;
    this.#at = now;
  }
}

/** Tokens refilled at a rate given on each take, up to `burst`. */
class TokenBucket {
  #tokens: number;
  #at = performance.now();

  constructor(readonly burst: number) {
    this.#tokens = burst;
  }

  /** Refills at `perSecond` since the last take, then takes a token (false: none left). */
  take(perSecond: number): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * 503 ERR_BUSY with Retry-After, as problem+json. Written here rather than through the error
 * middleware: an expected refusal under load is not a failure to log at error level.
 */
function refuse(req: Request, res: Response, retryAfterS: number, message: string): void {
  const problem = toProblem(new BusyError(message, retryAfterS), String((req as { id?: unknown }).id ?? ''));
  res.status(503).set('Retry-After', String(retryAfterS)).type('application/problem+json').send(JSON.stringify(problem));
}
