import type { LoadCard } from './card-pool.js';
import type { ReceivedDocument } from './checks.js';
import { Counter, LatencyHistogram } from './stats.js';
import type { PrintedCertificate } from './vrs-population.js';

/** The kiosk steps timed separately (PROTOCOL.md endpoints 2–7, and the card's own APDUs). */
export const STEPS = ['session', 'card-apdu', 'card', 'request', 'document', 'completion', 'end'] as const;
export type StepName = (typeof STEPS)[number];

/**
 * Everything a load run records: latency per step, counts, errors by code, and what the
 * invariants are checked against afterwards (printed certificates, sessions that timed out,
 * documents kept for decoding). `mismatches` is the list that fails a run.
 */
export class RunState {
  /** Per step: answers of admitted work only (every answer but 503 ERR_BUSY). */
  readonly steps = new Map<StepName, LatencyHistogram>(STEPS.map((s) => [s, new LatencyHistogram()]));
  /** Every kiosk → relay answer, ERR_BUSY refusals included. */
  readonly requests = new LatencyHistogram();
  /** Every kiosk → relay answer but 503 ERR_BUSY: the latency of the work the relays admitted. */
  readonly admitted = new LatencyHistogram();
  /** Whole sessions that ended in a printed certificate, from step 2's 201 (card APDUs included). */
  readonly sessionsHist = new LatencyHistogram();
  /** How long kiosks were turned away before their session was admitted (first step-2 try → 201), admitted sessions only. */
  readonly admissionWait = new LatencyHistogram();
  readonly errors = new Counter();
  /** 503 ERR_BUSY answers by step (load shed by the relays' admission control; not errors: the kiosk waits Retry-After and repeats the step). */
  readonly shed = new Counter();
  readonly mismatches: string[] = [];
  readonly printed: PrintedCertificate[] = [];
  readonly certificateIds = new Set<string>();
  /** Sessions whose certificate request was aborted by a VRS timeout (nothing of it may remain). */
  readonly timedOutSessions: string[] = [];
  /** Sessions the kiosks ended with DELETE (the store must hold nothing of them). */
  readonly endedSessions: string[] = [];
  readonly decodeQueue: Array<{ holder: LoadCard; doc: ReceivedDocument }> = [];
  /** Errors that were not coded problem+json (a part answering something unclear). */
  uncoded = 0;
  sessionsStarted = 0;
  issuances = 0;
  decoded = 0;
  /** Per second since `t0`: issuances and errors (fault scripts look at recovery). */
  readonly issuancesBySecond: number[] = [];
  readonly errorsBySecond: number[] = [];
  readonly shedBySecond: number[] = [];
  t0 = performance.now();
  /** Only what happens inside the timed window is counted towards the rate. */
  measuring = true;

  second(): number {
    return Math.floor((performance.now() - this.t0) / 1000);
  }

  /** Records an answer's latency; `busy` = a 503 ERR_BUSY refusal (counted in every answer, not in admitted work). */
  time(step: StepName, ms: number, isRequest = true, busy = false): void {
    if (!this.measuring) return;
    if (!busy) this.steps.get(step)!.record(ms);
    if (isRequest) {
      this.requests.record(ms);
      if (!busy) this.admitted.record(ms);
    }
  }

  /** A step refused with 503 ERR_BUSY (counted inside and outside the window, like errors). */
  shedAt(step: StepName): void {
    this.shed.add(step);
    const s = this.second();
    this.shedBySecond[s] = (this.shedBySecond[s] ?? 0) + 1;
  }

  /** A session admitted after `ms` of being turned away (0 when step 2 succeeded at once). */
  admittedAfter(ms: number): void {
    if (this.measuring) this.admissionWait.record(ms);
  }

  error(code: string): void {
    this.errors.add(code);
    const s = this.second();
    this.errorsBySecond[s] = (this.errorsBySecond[s] ?? 0) + 1;
  }

  mismatch(what: string): void {
    this.mismatches.push(what);
  }

  issued(p: PrintedCertificate, sessionMs: number): void {
    this.printed.push(p);
    if (this.measuring) {
      this.issuances++;
      this.sessionsHist.record(sessionMs);
    }
    const s = this.second();
    this.issuancesBySecond[s] = (this.issuancesBySecond[s] ?? 0) + 1;
  }
}
