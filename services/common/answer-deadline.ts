/** What an mTLS JSON call is waiting for when its deadline runs out. */
export type DeadlinePhase = 'connect' | 'answer' | 'body';

/**
 * The timer of one call of the mTLS JSON client (`mtls-json-client.ts`), re-armed per phase: a
 * socket and its TLS handshake ('connect'), the answer's headers once the request is written
 * ('answer'), the rest of the body ('body'). Each phase gets `ms` of its own.
 *
 * Why not `AbortSignal.timeout`: that clock starts when the call is made and counts the time the
 * caller's own event loop spends elsewhere (rendering, TLS of other kiosks). Node runs expired
 * timers before it polls for I/O, so on a busy loop an answer that arrived in time would be thrown
 * away by a timer that fired in the same loop turn. Here an expired timer only schedules the
 * abort with `setImmediate` (the check phase, after this turn's I/O poll): an answer already in
 * the socket is read first, re-arms or clears the deadline, and the abort does not happen.
 */
export class AnswerDeadline {
  readonly #ms: number;
  readonly #onExpire: (phase: DeadlinePhase) => void;
  #timer: NodeJS.Timeout | undefined;
  /** Bumped by every arm and clear: a deferred abort of an older phase sees it changed and stands down. */
  #generation = 0;

  constructor(ms: number, onExpire: (phase: DeadlinePhase) => void) {
    if (!(ms > 0)) throw new TypeError('a deadline needs a positive duration');
    this.#ms = ms;
    this.#onExpire = onExpire;
  }

  /** Starts `phase` with a full `ms`, ending whichever phase was running. */
  arm(phase: DeadlinePhase): void {
    this.clear();
    const generation = this.#generation;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      setImmediate(() => {
        if (generation === this.#generation) this.#onExpire(phase);
      });
    }, this.#ms);
  }

  /** Stops the clock (the call settled). */
  clear(): void {
    this.#generation++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
