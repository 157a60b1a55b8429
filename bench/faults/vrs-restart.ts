import type { FaultScenario } from './fault-harness.js';
import { runFault } from './fault-harness.js';
import { isMain, runStandalone } from './standalone.js';

/**
 * VRS stopped (SIGTERM) at 3 s and started again at 5 s on the same port and database. Kiosks get
 * 503 ERR_UPSTREAM meanwhile; completion notices queued in the outbox reach VRS once it is back.
 */
export function vrsRestart(o: { kiosks?: number; durationS?: number } = {}): FaultScenario {
  return {
    name: 'vrs-restart',
    relays: 2,
    kiosks: o.kiosks ?? 12,
    durationS: o.durationS ?? 16,
    async act(stack, second) {
      if (second === 3) await stack.vrs.stop('SIGTERM');
      if (second === 5) {
        await stack.vrs.start();
        return 'repaired';
      }
    },
    expect: (r) => (r.state.errors.entries().some(([c]) => c === 'ERR_UPSTREAM') ? [] : ['no ERR_UPSTREAM while VRS was down (was it down?)']),
  };
}

if (isMain(import.meta.url)) void runStandalone([(ctx) => runFault(vrsRestart(), ctx)]);
