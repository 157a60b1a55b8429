import type { FaultScenario } from './fault-harness.js';
import { runFault } from './fault-harness.js';
import { isMain, runStandalone } from './standalone.js';

/**
 * VRS slower than the relay's timeout: for 3 s, from 3 s on once printing has begun, a proxy
 * holds every byte VRS sends for 8 s while VRS_TIMEOUT_MS is 4 s. Every affected request must be aborted whole (504
 * ERR_UPSTREAM_TIMEOUT, nothing of it left in the store) and nothing of it may reach anyone later:
 * VRS's late answers go nowhere, and the certificates VRS reserved for them are never printed.
 */
export function vrsSlow(o: { kiosks?: number; durationS?: number } = {}): FaultScenario {
  let slowSince: number | undefined;
  return {
    name: 'vrs-slow',
    relays: 2,
    kiosks: o.kiosks ?? 12,
    durationS: o.durationS ?? 18,
    vrsTimeoutMs: 4000,
    vrsProxy: true,
    graceS: 6,
    async act(stack, second, state) {
      // Slow from the first second ≥ 3 at which certificates are being printed (on a busy machine
      // the kiosks may not have reached VRS yet at 3 s), for 3 s.
      if (slowSince === undefined && second >= 3 && state.printed.length > 0) {
        slowSince = second;
        stack.proxy!.delayMs = 8000;
      }
      if (slowSince !== undefined && second === slowSince + 3) {
        stack.proxy!.delayMs = 0;
        return 'repaired';
      }
    },
    expect: (r) => (r.state.errors.entries().some(([c]) => c === 'ERR_UPSTREAM_TIMEOUT') ? [] : ['no ERR_UPSTREAM_TIMEOUT while VRS was slow']),
  };
}

if (isMain(import.meta.url)) void runStandalone([(ctx) => runFault(vrsSlow(), ctx)]);
